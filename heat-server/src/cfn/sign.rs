//! AWS request signatures as the Query APIs receive them: Signature
//! Version 4 in the `Authorization` header (boto3, awscli) or in the query
//! (pre-signed URLs), and Version 2 in the parameters (boto 2, which
//! heat-cfntools uses). [`Signature::parse`] reads one and refuses what is
//! malformed; [`Signature::verify`] recomputes it with the secret key and
//! checks its time against a clock-skew window or its expiry.

use std::collections::BTreeMap;

use axum::http::{HeaderMap, Method};
use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use super::error::CfnError;
use super::query::Params;

/// How far a request's time may be from the server's, seconds (AWS's 15
/// minutes).
pub const CLOCK_SKEW_SECS: i64 = 15 * 60;

/// The digest of a Version 2 signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum V2Method {
    /// `HmacSHA256`.
    Sha256,
    /// `HmacSHA1`.
    Sha1,
}

/// A request's signature, as sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Signature {
    /// Signature Version 4.
    V4 {
        /// The access key id.
        access: String,
        /// `X-Amz-Date`, `20261122T083832Z`.
        amz_date: String,
        /// The credential scope: date, region, service.
        scope: [String; 3],
        /// Lower-case names of the signed headers.
        signed_headers: Vec<String>,
        /// Hex.
        signature: String,
        /// For a pre-signed URL: seconds it is valid after `amz_date`.
        expires: Option<i64>,
    },
    /// Signature Version 2.
    V2 {
        /// The access key id.
        access: String,
        /// The digest.
        method: V2Method,
        /// Base64.
        signature: String,
        /// `Timestamp` (or `Expires`, then `true`), ISO 8601; none given,
        /// as os-collect-config's `cfn` collector signs (Keystone's EC2
        /// check, which Heat's API uses, checks a time only when given).
        time: Option<String>,
        /// Whether `time` is an expiry rather than the signing time.
        expiry: bool,
    },
}

/// What a signature covers.
pub struct Signed<'a> {
    /// The method.
    pub method: &'a Method,
    /// The path as sent.
    pub path: &'a str,
    /// The query string as sent.
    pub query: Option<&'a str>,
    /// The headers.
    pub headers: &'a HeaderMap,
    /// The body.
    pub body: &'a [u8],
    /// Every parameter (query and form).
    pub params: &'a Params,
}

fn incomplete(m: impl Into<String>) -> CfnError {
    CfnError::sender(
        axum::http::StatusCode::BAD_REQUEST,
        "IncompleteSignature",
        m,
    )
}

fn mismatch() -> CfnError {
    CfnError::denied(
        "SignatureDoesNotMatch",
        "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.",
    )
}

impl Signature {
    /// The signature of a request; `MissingAuthenticationToken` when it has
    /// none, `IncompleteSignature` when it is malformed.
    pub fn parse(r: &Signed<'_>) -> Result<Signature, CfnError> {
        if let Some(auth) = r
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
        {
            return Self::parse_v4_header(auth, r.headers);
        }
        let p = r.params;
        if let Some(algorithm) = p.get("X-Amz-Algorithm") {
            if algorithm != "AWS4-HMAC-SHA256" {
                return Err(incomplete(format!(
                    "Unsupported AWS 'algorithm': '{algorithm}'"
                )));
            }
            let credential = p
                .get("X-Amz-Credential")
                .ok_or_else(|| incomplete("X-Amz-Credential is missing"))?;
            let (access, scope) = credential_scope(credential)?;
            let expires = p
                .get("X-Amz-Expires")
                .map(|e| e.parse::<i64>())
                .transpose()
                .map_err(|_| incomplete("X-Amz-Expires must be a number"))?;
            return Ok(Signature::V4 {
                access,
                amz_date: p
                    .get("X-Amz-Date")
                    .ok_or_else(|| incomplete("X-Amz-Date is missing"))?
                    .to_string(),
                scope,
                signed_headers: p
                    .get("X-Amz-SignedHeaders")
                    .ok_or_else(|| incomplete("X-Amz-SignedHeaders is missing"))?
                    .split(';')
                    .map(str::to_string)
                    .collect(),
                signature: p
                    .get("X-Amz-Signature")
                    .ok_or_else(|| incomplete("X-Amz-Signature is missing"))?
                    .to_string(),
                expires: Some(expires.unwrap_or(CLOCK_SKEW_SECS)),
            });
        }
        if let Some(signature) = p.get("Signature") {
            let access = p
                .get("AWSAccessKeyId")
                .ok_or_else(|| incomplete("AWSAccessKeyId is missing"))?;
            if p.get("SignatureVersion") != Some("2") {
                return Err(incomplete("SignatureVersion must be 2 (or use Version 4)"));
            }
            let method = match p.get("SignatureMethod") {
                Some("HmacSHA256") => V2Method::Sha256,
                Some("HmacSHA1") => V2Method::Sha1,
                other => {
                    return Err(incomplete(format!(
                        "Unsupported SignatureMethod {}",
                        other.unwrap_or("(none)")
                    )))
                }
            };
            let (time, expiry) = match (p.get("Timestamp"), p.get("Expires")) {
                (Some(t), _) => (Some(t), false),
                (None, Some(e)) => (Some(e), true),
                (None, None) => (None, false),
            };
            return Ok(Signature::V2 {
                access: access.to_string(),
                method,
                signature: signature.to_string(),
                time: time.map(str::to_string),
                expiry,
            });
        }
        Err(CfnError::denied(
            "MissingAuthenticationToken",
            "Request is missing Authentication Token",
        ))
    }

    fn parse_v4_header(auth: &str, headers: &HeaderMap) -> Result<Signature, CfnError> {
        let rest = auth.strip_prefix("AWS4-HMAC-SHA256 ").ok_or_else(|| {
            incomplete(format!(
                "Unsupported Authorization scheme: {}",
                auth.split(' ').next().unwrap_or("")
            ))
        })?;
        let mut fields = BTreeMap::new();
        for part in rest.split(',') {
            let (k, v) = part
                .trim()
                .split_once('=')
                .ok_or_else(|| incomplete(format!("Authorization field '{part}' is malformed")))?;
            fields.insert(k, v);
        }
        let field = |k: &str| {
            fields
                .get(k)
                .copied()
                .ok_or_else(|| incomplete(format!("Authorization header requires '{k}' parameter")))
        };
        let (access, scope) = credential_scope(field("Credential")?)?;
        let amz_date = headers
            .get("x-amz-date")
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| {
                incomplete("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header")
            })?
            .to_string();
        Ok(Signature::V4 {
            access,
            amz_date,
            scope,
            signed_headers: field("SignedHeaders")?
                .split(';')
                .map(str::to_string)
                .collect(),
            signature: field("Signature")?.to_string(),
            expires: None,
        })
    }

    /// The access key id.
    pub fn access(&self) -> &str {
        match self {
            Signature::V4 { access, .. } | Signature::V2 { access, .. } => access,
        }
    }

    /// Refuses a request signed too far from `now` (seconds since the
    /// epoch) or past its expiry.
    pub fn check_time(&self, now: i64) -> Result<(), CfnError> {
        let expired =
            |m: String| CfnError::sender(axum::http::StatusCode::BAD_REQUEST, "RequestExpired", m);
        match self {
            Signature::V4 {
                amz_date, expires, ..
            } => {
                let t = parse_amz_date(amz_date)
                    .ok_or_else(|| incomplete(format!("Invalid X-Amz-Date {amz_date}")))?;
                match expires {
                    Some(e) if now > t + e => Err(expired(format!(
                        "Request has expired: signed at {amz_date}, valid for {e} seconds"
                    ))),
                    None if (now - t).abs() > CLOCK_SKEW_SECS => Err(expired(format!(
                        "Signature expired: {amz_date} is now earlier or later than the server's time by more than 15 minutes"
                    ))),
                    _ => Ok(()),
                }
            }
            Signature::V2 { time: None, .. } => Ok(()),
            Signature::V2 {
                time: Some(time),
                expiry,
                ..
            } => {
                let t = parse_iso(time)
                    .ok_or_else(|| incomplete(format!("Invalid Timestamp {time}")))?;
                if *expiry && now > t {
                    return Err(expired(format!("Request has expired: Expires {time}")));
                }
                if !*expiry && (now - t).abs() > CLOCK_SKEW_SECS {
                    return Err(expired(format!(
                        "Signature expired: Timestamp {time} is more than 15 minutes from the server's time"
                    )));
                }
                Ok(())
            }
        }
    }

    /// Checks the signature against the secret key.
    pub fn verify(&self, secret: &str, r: &Signed<'_>) -> Result<(), CfnError> {
        let expected = match self {
            Signature::V4 {
                amz_date,
                scope,
                signed_headers,
                expires,
                ..
            } => {
                let creq = canonical_request_v4(r, signed_headers, expires.is_some());
                let sts = format!(
                    "AWS4-HMAC-SHA256\n{amz_date}\n{}/{}/{}/aws4_request\n{}",
                    scope[0],
                    scope[1],
                    scope[2],
                    hex::encode(Sha256::digest(creq.as_bytes()))
                );
                hex::encode(hmac256(&signing_key_v4(secret, scope), sts.as_bytes()))
            }
            Signature::V2 { method, .. } => {
                let host = host_of(r.headers);
                // boto 2 signs the host with its port, some clients without.
                let bare = host.split(':').next().unwrap_or(&host).to_string();
                for h in [host.clone(), bare] {
                    let sts = string_to_sign_v2(r, &h);
                    let mac = match method {
                        V2Method::Sha256 => hmac256(secret.as_bytes(), sts.as_bytes()),
                        V2Method::Sha1 => hmac1(secret.as_bytes(), sts.as_bytes()),
                    };
                    let sig = base64::engine::general_purpose::STANDARD.encode(mac);
                    if constant_eq(&sig, self.given()) {
                        return Ok(());
                    }
                }
                return Err(mismatch());
            }
        };
        if constant_eq(&expected, self.given()) {
            Ok(())
        } else {
            Err(mismatch())
        }
    }

    /// The request as Keystone's `/v3/ec2tokens` checks it: for Version 4
    /// the query's parameters and the headers, for Version 2 every
    /// parameter but the signature.
    pub fn keystone_credentials(&self, r: &Signed<'_>) -> serde_json::Value {
        let params: serde_json::Map<String, serde_json::Value> = match self {
            Signature::V4 { .. } => r
                .query
                .map(|q| {
                    form_urlencoded::parse(q.as_bytes())
                        .into_owned()
                        .filter(|(k, _)| k != "X-Amz-Signature")
                        .map(|(k, v)| (k, v.into()))
                        .collect()
                })
                .unwrap_or_default(),
            Signature::V2 { .. } => r
                .params
                .all()
                .iter()
                .filter(|(k, _)| k.as_str() != "Signature")
                .map(|(k, v)| (k.clone(), v.clone().into()))
                .collect(),
        };
        // Title-Case names, as Heat's middleware passes them (Keystone's
        // signer looks for `Authorization` and `X-Amz-Date`).
        let title = |name: &str| {
            name.split('-')
                .map(|w| {
                    let mut c = w.chars();
                    c.next()
                        .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                        .unwrap_or_default()
                })
                .collect::<Vec<_>>()
                .join("-")
        };
        let headers: serde_json::Map<String, serde_json::Value> = r
            .headers
            .iter()
            .filter_map(|(k, v)| Some((title(k.as_str()), v.to_str().ok()?.into())))
            .collect();
        serde_json::json!({
            "access": self.access(),
            "signature": self.given(),
            "host": host_of(r.headers),
            "verb": r.method.as_str(),
            "path": if r.path.is_empty() { "/" } else { r.path },
            "params": params,
            "headers": headers,
            "body_hash": hex::encode(Sha256::digest(r.body)),
        })
    }

    fn given(&self) -> &str {
        match self {
            Signature::V4 { signature, .. } | Signature::V2 { signature, .. } => signature,
        }
    }
}

fn credential_scope(credential: &str) -> Result<(String, [String; 3]), CfnError> {
    let parts: Vec<&str> = credential.split('/').collect();
    match parts.as_slice() {
        [access, date, region, service, "aws4_request"] if !access.is_empty() => Ok((
            access.to_string(),
            [date.to_string(), region.to_string(), service.to_string()],
        )),
        _ => Err(incomplete(format!(
            "Credential should be scoped to a valid region and service: ACCESS/DATE/REGION/SERVICE/aws4_request, not {credential}"
        ))),
    }
}

fn host_of(headers: &HeaderMap) -> String {
    headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase()
}

use heat_resources::guest::uri_encode;

fn canonical_request_v4(r: &Signed<'_>, signed: &[String], presigned: bool) -> String {
    let path = if r.path.is_empty() { "/" } else { r.path };
    let path: String = path
        .split('/')
        .map(|seg| uri_encode(&percent_encoding::percent_decode_str(seg).decode_utf8_lossy()))
        .collect::<Vec<_>>()
        .join("/");
    let mut query: Vec<(String, String)> = r
        .query
        .map(|q| {
            form_urlencoded::parse(q.as_bytes())
                .into_owned()
                .filter(|(k, _)| !(presigned && k == "X-Amz-Signature"))
                .map(|(k, v)| (uri_encode(&k), uri_encode(&v)))
                .collect()
        })
        .unwrap_or_default();
    query.sort();
    let query = query
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&");
    let mut headers = String::new();
    for name in signed {
        let values: Vec<String> = r
            .headers
            .get_all(name.as_str())
            .iter()
            .filter_map(|v| v.to_str().ok())
            .map(|v| v.split_whitespace().collect::<Vec<_>>().join(" "))
            .collect();
        headers.push_str(&format!("{name}:{}\n", values.join(",")));
    }
    let payload = r
        .headers
        .get("x-amz-content-sha256")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
        .unwrap_or_else(|| hex::encode(Sha256::digest(r.body)));
    format!(
        "{}\n{path}\n{query}\n{headers}\n{}\n{payload}",
        r.method,
        signed.join(";")
    )
}

fn string_to_sign_v2(r: &Signed<'_>, host: &str) -> String {
    let query = r
        .params
        .all()
        .iter()
        .filter(|(k, _)| k.as_str() != "Signature")
        .map(|(k, v)| format!("{}={}", uri_encode(k), uri_encode(v)))
        .collect::<Vec<_>>()
        .join("&");
    let path = if r.path.is_empty() { "/" } else { r.path };
    format!("{}\n{host}\n{path}\n{query}", r.method)
}

fn hmac256(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}

fn hmac1(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut mac = Hmac::<sha1::Sha1>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}

fn signing_key_v4(secret: &str, scope: &[String; 3]) -> Vec<u8> {
    let k = hmac256(format!("AWS4{secret}").as_bytes(), scope[0].as_bytes());
    let k = hmac256(&k, scope[1].as_bytes());
    let k = hmac256(&k, scope[2].as_bytes());
    hmac256(&k, b"aws4_request")
}

fn constant_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// Seconds since the epoch of `YYYYMMDDTHHMMSSZ`.
fn parse_amz_date(s: &str) -> Option<i64> {
    if s.len() != 16 || !s.is_ascii() || !s.ends_with('Z') || s.as_bytes()[8] != b'T' {
        return None;
    }
    let iso = format!(
        "{}-{}-{}T{}:{}:{}Z",
        &s[0..4],
        &s[4..6],
        &s[6..8],
        &s[9..11],
        &s[11..13],
        &s[13..15]
    );
    parse_iso(&iso)
}

/// Seconds since the epoch of an ISO 8601 UTC time
/// (`2026-11-22T08:38:32Z`, fractions and `+00:00` accepted).
pub fn parse_iso(s: &str) -> Option<i64> {
    let s = s.trim();
    let s = s
        .strip_suffix('Z')
        .or_else(|| s.strip_suffix("+00:00"))
        .unwrap_or(s);
    let (date, time) = s.split_once('T')?;
    let mut d = date.split('-').map(|x| x.parse::<i64>());
    let (y, m, day) = (d.next()?.ok()?, d.next()?.ok()?, d.next()?.ok()?);
    let time = time.split('.').next()?;
    let mut t = time.split(':').map(|x| x.parse::<i64>());
    let (hh, mm, ss) = (t.next()?.ok()?, t.next()?.ok()?, t.next()?.ok()?);
    if !(1..=12).contains(&m) || !(1..=31).contains(&day) || hh > 23 || mm > 59 || ss > 60 {
        return None;
    }
    // Days from civil (Howard Hinnant's algorithm).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + hh * 3600 + mm * 60 + ss)
}

/// Signs a request as boto3 does (for tests and the bench).
pub fn sign_v4(
    access: &str,
    secret: &str,
    region: &str,
    amz_date: &str,
    r: &Signed<'_>,
    signed_headers: &[&str],
) -> String {
    let scope = [
        amz_date[..8].to_string(),
        region.to_string(),
        "cloudformation".to_string(),
    ];
    let signed: Vec<String> = signed_headers.iter().map(|s| s.to_string()).collect();
    let creq = canonical_request_v4(r, &signed, false);
    let sts = format!(
        "AWS4-HMAC-SHA256\n{amz_date}\n{}/{}/{}/aws4_request\n{}",
        scope[0],
        scope[1],
        scope[2],
        hex::encode(Sha256::digest(creq.as_bytes()))
    );
    let sig = hex::encode(hmac256(&signing_key_v4(secret, &scope), sts.as_bytes()));
    format!(
        "AWS4-HMAC-SHA256 Credential={access}/{}/{region}/cloudformation/aws4_request, SignedHeaders={}, Signature={sig}",
        scope[0],
        signed.join(";")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    /// AWS's documented example (IAM ListUsers, 2015-08-30).
    #[test]
    fn the_documented_example_verifies() {
        let mut headers = HeaderMap::new();
        headers.insert(
            "content-type",
            HeaderValue::from_static("application/x-www-form-urlencoded; charset=utf-8"),
        );
        headers.insert("host", HeaderValue::from_static("iam.amazonaws.com"));
        headers.insert("x-amz-date", HeaderValue::from_static("20150830T123600Z"));
        headers.insert("authorization", HeaderValue::from_static(
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"));
        let params = Params::parse(Some("Action=ListUsers&Version=2010-05-08"), b"");
        let r = Signed {
            method: &Method::GET,
            path: "/",
            query: Some("Action=ListUsers&Version=2010-05-08"),
            headers: &headers,
            body: b"",
            params: &params,
        };
        let sig = Signature::parse(&r).unwrap();
        assert_eq!(sig.access(), "AKIDEXAMPLE");
        sig.verify("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", &r)
            .unwrap();
        let e = sig.verify("wrong", &r).unwrap_err();
        assert_eq!(e.code, "SignatureDoesNotMatch");
        let now = parse_amz_date("20150830T123600Z").unwrap();
        sig.check_time(now + 60).unwrap();
        assert_eq!(
            sig.check_time(now + 16 * 60).unwrap_err().code,
            "RequestExpired"
        );
        assert_eq!(
            sig.check_time(now - 16 * 60).unwrap_err().code,
            "RequestExpired"
        );
    }

    #[test]
    fn version_2_verifies_with_or_without_the_port() {
        let mut headers = HeaderMap::new();
        headers.insert("host", HeaderValue::from_static("127.0.0.1:8000"));
        let body = "Action=DescribeStackResource&StackName=s&LogicalResourceId=r&AWSAccessKeyId=AK&SignatureVersion=2&SignatureMethod=HmacSHA256&Timestamp=2026-11-29T10:00:00Z&Version=2010-05-15";
        for host in ["127.0.0.1:8000", "127.0.0.1"] {
            let unsigned_params = Params::parse(None, body.as_bytes());
            let unsigned = Signed {
                method: &Method::POST,
                path: "/v1/",
                query: None,
                headers: &headers,
                body: body.as_bytes(),
                params: &unsigned_params,
            };
            let sts = string_to_sign_v2(&unsigned, host);
            let sig = base64::engine::general_purpose::STANDARD
                .encode(hmac256(b"secret", sts.as_bytes()));
            let full = format!(
                "{body}&Signature={}",
                form_urlencoded::byte_serialize(sig.as_bytes()).collect::<String>()
            );
            let params = Params::parse(None, full.as_bytes());
            let r = Signed {
                params: &params,
                body: full.as_bytes(),
                ..unsigned
            };
            let s = Signature::parse(&r).unwrap();
            s.verify("secret", &r).unwrap();
            assert!(s.verify("other", &r).is_err());
            s.check_time(parse_iso("2026-11-29T10:05:00Z").unwrap())
                .unwrap();
        }
    }

    /// os-collect-config's `cfn` collector: a GET signed with Version 2
    /// (keystoneclient's `Ec2Signer`), no `Timestamp`; Keystone, and so
    /// Heat, take it.
    #[test]
    fn version_2_without_a_time_is_taken_as_keystone_takes_it() {
        let mut headers = HeaderMap::new();
        headers.insert("host", HeaderValue::from_static("127.0.0.1:8000"));
        let query = "Action=DescribeStackResource&StackName=s&LogicalResourceId=server&AWSAccessKeyId=AK&SignatureVersion=2&SignatureMethod=HmacSHA256";
        let unsigned_params = Params::parse(Some(query), b"");
        let unsigned = Signed {
            method: &Method::GET,
            path: "/v1/",
            query: Some(query),
            headers: &headers,
            body: b"",
            params: &unsigned_params,
        };
        let sts = string_to_sign_v2(&unsigned, "127.0.0.1:8000");
        let sig =
            base64::engine::general_purpose::STANDARD.encode(hmac256(b"secret", sts.as_bytes()));
        let full = format!(
            "{query}&Signature={}",
            form_urlencoded::byte_serialize(sig.as_bytes()).collect::<String>()
        );
        let params = Params::parse(Some(&full), b"");
        let r = Signed {
            query: Some(&full),
            params: &params,
            ..unsigned
        };
        let s = Signature::parse(&r).unwrap();
        s.verify("secret", &r).unwrap();
        assert_eq!(
            s.verify("other", &r).unwrap_err().code,
            "SignatureDoesNotMatch"
        );
        s.check_time(0).unwrap();
    }

    #[test]
    fn malformed_signatures_are_refused_with_aws_codes() {
        let headers = HeaderMap::new();
        let params = Params::parse(None, b"Action=ListStacks");
        let r = Signed {
            method: &Method::POST,
            path: "/",
            query: None,
            headers: &headers,
            body: b"",
            params: &params,
        };
        assert_eq!(
            Signature::parse(&r).unwrap_err().code,
            "MissingAuthenticationToken"
        );
        let mut headers = HeaderMap::new();
        headers.insert(
            "authorization",
            HeaderValue::from_static("AWS4-HMAC-SHA256 Credential=AK/2026, Signature=x"),
        );
        let r = Signed {
            headers: &headers,
            ..r
        };
        assert_eq!(
            Signature::parse(&r).unwrap_err().code,
            "IncompleteSignature"
        );
    }

    #[test]
    fn iso_times_parse() {
        assert_eq!(parse_iso("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_iso("2026-11-22T08:38:32.123Z"), Some(1_795_336_712));
        assert_eq!(parse_amz_date("20261122T083832Z"), Some(1_795_336_712));
        assert_eq!(parse_iso("garbage"), None);
        // Not ASCII: refused, not a panic on a char boundary.
        assert_eq!(parse_amz_date("2026é1122T0838Z"), None);
        assert_eq!(parse_iso("2026-11-22Té08:38:32Z"), None);
    }
}
