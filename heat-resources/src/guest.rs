//! [`GuestKeys`]: how servers of a stack reach heat-rs without a user's
//! credentials, as Heat's in-guest agents do: the pre-signed URLs of wait
//! condition handles (cfn-signal and curl PUT to them) and of scaling
//! policies (alarms POST to them), and the EC2-style credentials of
//! `AWS::IAM::AccessKey` (cfn-init, cfn-get-metadata and cfn-push-stats
//! sign their requests with them).
//!
//! Nothing secret is stored: an access key names its stack and resource,
//! and its secret is an HMAC of the access key under the server's key (a
//! file beside the state, readable by its owner only). The Query APIs
//! derive the secret again to verify a signature, and honour a key only
//! while its resource exists.

use std::path::Path;

use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The prefix of access keys that heat-rs derives for stack resources.
const STACK_KEY_PREFIX: &str = "HK";

/// The prefix of the access keys of projects (`heat ec2-credentials`).
pub const PROJECT_KEY_PREFIX: &str = "HP";

/// The server's key and the address at which guests reach the Query API.
#[derive(Clone)]
pub struct GuestKeys {
    key: [u8; 32],
    cfn_url: String,
}

impl std::fmt::Debug for GuestKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GuestKeys")
            .field("cfn_url", &self.cfn_url)
            .finish_non_exhaustive()
    }
}

fn b64() -> base64::engine::GeneralPurpose {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
}

fn hmac(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}

/// URL encoding of a path segment or a query value (RFC 3986 unreserved
/// characters kept), as Signature Version 2 canonicalises them.
pub fn uri_encode(s: &str) -> String {
    const SET: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'_')
        .remove(b'.')
        .remove(b'~');
    percent_encoding::utf8_percent_encode(s, SET).to_string()
}

impl GuestKeys {
    /// Keys over a given server key; guests reach the Query API at
    /// `cfn_url` (`http://host:8000`).
    pub fn new(key: [u8; 32], cfn_url: impl Into<String>) -> Self {
        GuestKeys {
            key,
            cfn_url: cfn_url.into().trim_end_matches('/').to_string(),
        }
    }

    /// Keys with a fresh random server key (a process of its own: its URLs
    /// and credentials are good only while it lives).
    pub fn random(cfn_url: impl Into<String>) -> Self {
        Self::new(rand::random(), cfn_url)
    }

    /// The server key of a file, made (readable by its owner only) when
    /// absent.
    pub fn load_or_create(path: &Path, cfn_url: impl Into<String>) -> std::io::Result<Self> {
        match std::fs::read(path) {
            Ok(bytes) if bytes.len() == 32 => {
                let mut key = [0u8; 32];
                key.copy_from_slice(&bytes);
                Ok(Self::new(key, cfn_url))
            }
            Ok(_) => Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("{}: a server key is 32 bytes", path.display()),
            )),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let key: [u8; 32] = rand::random();
                let mut options = std::fs::OpenOptions::new();
                options.write(true).create_new(true);
                #[cfg(unix)]
                {
                    use std::os::unix::fs::OpenOptionsExt;
                    options.mode(0o600);
                }
                match options.open(path) {
                    Ok(mut f) => {
                        use std::io::Write;
                        f.write_all(&key)?;
                        Ok(Self::new(key, cfn_url))
                    }
                    // Another process made it first.
                    Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                        Self::load_or_create(path, cfn_url)
                    }
                    Err(e) => Err(e),
                }
            }
            Err(e) => Err(e),
        }
    }

    /// Where guests reach the Query API.
    pub fn cfn_url(&self) -> &str {
        &self.cfn_url
    }

    /// The access key of a stack's resource.
    pub fn access_key(&self, stack_id: &str, resource: &str) -> String {
        format!(
            "{STACK_KEY_PREFIX}{}",
            b64().encode(format!("{stack_id}\n{resource}"))
        )
    }

    /// A new access key for a project's credential: 20 characters, as AWS's.
    pub fn project_access_key() -> String {
        let n: u128 = rand::random();
        format!("{PROJECT_KEY_PREFIX}{:018X}", n & ((1u128 << 72) - 1))
    }

    /// The stack and resource an access key was made for, if heat-rs made it.
    pub fn owner_of(access: &str) -> Option<(String, String)> {
        let rest = access.strip_prefix(STACK_KEY_PREFIX)?;
        let text = String::from_utf8(b64().decode(rest).ok()?).ok()?;
        let (stack, resource) = text.split_once('\n')?;
        Some((stack.to_string(), resource.to_string()))
    }

    /// The stack and resource of a pre-signed URL's access key
    /// (`AWSAccessKeyId` in its query), if heat-rs made it.
    pub fn owner_of_url(url: &str) -> Option<(String, String)> {
        let (_, query) = url.split_once('?')?;
        let access = query
            .split('&')
            .find_map(|pair| pair.strip_prefix("AWSAccessKeyId="))?;
        let access = percent_encoding::percent_decode_str(access)
            .decode_utf8()
            .ok()?;
        Self::owner_of(&access)
    }

    /// The secret of an access key: 40 characters as AWS's (standard
    /// base64, so never starting with `-`, which command lines would take
    /// for an option).
    pub fn secret(&self, access: &str) -> String {
        let mac = hmac(&self.key, format!("secret\n{access}").as_bytes());
        base64::engine::general_purpose::STANDARD.encode(&mac[..30])
    }

    /// A stack's ARN as Heat writes it.
    pub fn stack_arn(project: &str, stack_name: &str, stack_id: &str) -> String {
        format!("arn:openstack:heat::{project}:stacks/{stack_name}/{stack_id}")
    }

    /// The path of a resource's signal URL (`waitcondition` or `signal`).
    pub fn signal_path(
        kind: &str,
        project: &str,
        stack_name: &str,
        stack_id: &str,
        resource: &str,
    ) -> String {
        format!(
            "/v1/{kind}/{}/resources/{}",
            uri_encode(&Self::stack_arn(project, stack_name, stack_id)),
            uri_encode(resource)
        )
    }

    /// A URL pre-signed with Signature Version 2 as Heat makes them: the
    /// resource's own access key, `Timestamp`, `HmacSHA256`.
    fn presign(&self, method: &str, path: &str, access: &str, timestamp: &str) -> String {
        let host = self
            .cfn_url
            .split_once("://")
            .map_or(self.cfn_url.as_str(), |(_, rest)| rest)
            .split('/')
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        let mut params = [
            ("AWSAccessKeyId", access.to_string()),
            ("SignatureMethod", "HmacSHA256".to_string()),
            ("SignatureVersion", "2".to_string()),
            ("Timestamp", timestamp.to_string()),
        ];
        params.sort();
        let query = params
            .iter()
            .map(|(k, v)| format!("{}={}", uri_encode(k), uri_encode(v)))
            .collect::<Vec<_>>()
            .join("&");
        let to_sign = format!("{method}\n{host}\n{path}\n{query}");
        let signature = base64::engine::general_purpose::STANDARD
            .encode(hmac(self.secret(access).as_bytes(), to_sign.as_bytes()));
        format!(
            "{}{path}?{query}&Signature={}",
            self.cfn_url,
            uri_encode(&signature)
        )
    }

    /// The URL a guest PUTs a wait condition handle's signal to.
    pub fn waitcondition_url(
        &self,
        project: &str,
        stack_name: &str,
        stack_id: &str,
        resource: &str,
        timestamp: &str,
    ) -> String {
        let path = Self::signal_path("waitcondition", project, stack_name, stack_id, resource);
        self.presign(
            "PUT",
            &path,
            &self.access_key(stack_id, resource),
            timestamp,
        )
    }

    /// The URL an alarm POSTs to, to signal a resource (a scaling policy).
    pub fn signal_url(
        &self,
        project: &str,
        stack_name: &str,
        stack_id: &str,
        resource: &str,
        timestamp: &str,
    ) -> String {
        let path = Self::signal_path("signal", project, stack_name, stack_id, resource);
        self.presign(
            "POST",
            &path,
            &self.access_key(stack_id, resource),
            timestamp,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn access_keys_name_their_resource_and_secrets_depend_on_the_server_key() {
        let a = GuestKeys::new([1; 32], "http://127.0.0.1:8000/");
        let b = GuestKeys::new([2; 32], "http://127.0.0.1:8000");
        let access = a.access_key("0b7c-11", "WebServerKeys");
        assert_eq!(
            GuestKeys::owner_of(&access),
            Some(("0b7c-11".into(), "WebServerKeys".into()))
        );
        assert_eq!(access, b.access_key("0b7c-11", "WebServerKeys"));
        assert_ne!(a.secret(&access), b.secret(&access));
        assert_eq!(a.secret(&access), a.secret(&access));
        assert_eq!(GuestKeys::owner_of("AKIDEXAMPLE"), None);
    }

    #[test]
    fn a_signal_url_is_presigned_for_its_path() {
        let k = GuestKeys::new([7; 32], "http://10.0.0.1:8000");
        let url = k.waitcondition_url("p", "web", "id-1", "handle", "2026-11-29T10:00:00Z");
        assert!(url.starts_with(
            "http://10.0.0.1:8000/v1/waitcondition/arn%3Aopenstack%3Aheat%3A%3Ap%3Astacks%2Fweb%2Fid-1/resources/handle?AWSAccessKeyId=HK"
        ), "{url}");
        assert!(url.contains("&SignatureMethod=HmacSHA256&SignatureVersion=2&Timestamp=2026-11-29T10%3A00%3A00Z&Signature="));
        assert_eq!(
            GuestKeys::owner_of_url(&url),
            Some(("id-1".into(), "handle".into()))
        );
        assert_eq!(
            GuestKeys::owner_of_url("http://x/v1/signal/a?AWSAccessKeyId=AKID"),
            None
        );
    }

    #[test]
    fn the_key_file_is_made_once_and_kept() {
        let dir = tempfile::Builder::new()
            .prefix("heat-guest-keys-")
            .tempdir()
            .unwrap();
        let path = dir.path().join("state.key");
        let a = GuestKeys::load_or_create(&path, "http://x").unwrap();
        let b = GuestKeys::load_or_create(&path, "http://x").unwrap();
        assert_eq!(a.secret("HKx"), b.secret("HKx"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        std::fs::write(&path, b"short").unwrap();
        assert!(GuestKeys::load_or_create(&path, "http://x").is_err());
    }
}
