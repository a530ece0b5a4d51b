//! `digest`: a hash of a string, as Heat computes it: Python's `hashlib`
//! with the algorithms it makes available, over the string's latin-1 bytes
//! (`value.encode('latin-1')`: text beyond latin-1 is refused).

use serde_json::Value as Json;

use super::builtins::{err, R};
use super::eval::{resolve, Resolver};
use super::Expr;

/// The names Heat accepts, as its error lists them (`hashlib.algorithms_available`
/// of Heat 27's Python and OpenSSL).
const AVAILABLE: &str = "{'sha3_256', 'sha3_384', 'shake_256', 'sha512_224', 'sha512_256', \
'md5-sha1', 'sm3', 'sha512', 'ripemd160', 'sha384', 'shake_128', 'sha256', 'blake2s', \
'sha3_224', 'sha224', 'md5', 'sha1', 'blake2b', 'sha3_512'}";

pub(super) fn digest(args: &Expr, name: &str, r: &dyn Resolver) -> R<Json> {
    let args = resolve(args, r)?;
    let strings: Option<Vec<&str>> = args
        .as_array()
        .and_then(|a| a.iter().map(|v| v.as_str()).collect());
    let Some(strings) = strings else {
        return err(format!(
            "Argument to function \"{name}\" must be a list of strings"
        ));
    };
    let [algorithm, value] = strings[..] else {
        return err(format!(
            "Function \"{name}\" usage: [\"<algorithm>\", \"<value>\"]"
        ));
    };
    let algorithm = algorithm.to_lowercase();
    if !AVAILABLE.contains(&format!("'{algorithm}'")) {
        return err(format!("Algorithm must be one of {AVAILABLE}"));
    }
    let data = latin1(value)?;
    match hash(&algorithm, &data) {
        Some(bytes) => Ok(Json::String(hex(&bytes))),
        // SHAKE's digests have no length of their own.
        None => err(format!(
            "{algorithm}.hexdigest() missing required argument 'length' (pos 1)"
        )),
    }
}

/// Python's `str.encode('latin-1')`.
fn latin1(text: &str) -> R<Vec<u8>> {
    text.chars()
        .enumerate()
        .map(|(i, c)| {
            u8::try_from(u32::from(c)).or_else(|_| {
                err(format!(
                    "'latin-1' codec can't encode character '\\u{:04x}' in position {i}: ordinal not in range(256)",
                    u32::from(c)
                ))
            })
        })
        .collect()
}

/// The digest of `data` by an available algorithm; `None` for SHAKE.
fn hash(algorithm: &str, data: &[u8]) -> Option<Vec<u8>> {
    fn of<D: sha2::Digest>(data: &[u8]) -> Vec<u8> {
        D::digest(data).to_vec()
    }
    Some(match algorithm {
        "md5" => of::<md5::Md5>(data),
        "sha1" => of::<sha1::Sha1>(data),
        "md5-sha1" => [of::<md5::Md5>(data), of::<sha1::Sha1>(data)].concat(),
        "sha224" => of::<sha2::Sha224>(data),
        "sha256" => of::<sha2::Sha256>(data),
        "sha384" => of::<sha2::Sha384>(data),
        "sha512" => of::<sha2::Sha512>(data),
        "sha512_224" => of::<sha2::Sha512_224>(data),
        "sha512_256" => of::<sha2::Sha512_256>(data),
        "sha3_224" => of::<sha3::Sha3_224>(data),
        "sha3_256" => of::<sha3::Sha3_256>(data),
        "sha3_384" => of::<sha3::Sha3_384>(data),
        "sha3_512" => of::<sha3::Sha3_512>(data),
        "blake2b" => of::<blake2::Blake2b512>(data),
        "blake2s" => of::<blake2::Blake2s256>(data),
        "ripemd160" => of::<ripemd::Ripemd160>(data),
        "sm3" => of::<sm3::Sm3>(data),
        _ => return None,
    })
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
