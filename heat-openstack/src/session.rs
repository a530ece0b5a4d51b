//! The thin sending layer: one HTTP connection pool (idle connections
//! closed before the services' 30 s keep-alive), the token reused until it
//! expires and renewed on a 401, transient failures retried with backoff,
//! and every failure carrying the service's own message.

use std::sync::Arc;
use std::time::Duration;

use heat_core::engine::{Clock, DriverError, DriverErrorKind};
use reqwest::Method;
use serde_json::Value as Json;
use tokio::sync::Mutex;

use crate::config::CloudConfig;
use crate::error::from_response;
use crate::keystone::{auth_body, endpoint, parse_token, versioned, Token};

/// The compute microversion heat-rs is written for (networks required on
/// create; a key pair is generated when no public key is given); a cloud
/// whose maximum is lower gets its maximum.
pub const COMPUTE_MICROVERSION: &str = "2.79";

/// The compute microversion to use with a cloud whose version document
/// says `max` (`""` when it has no microversions): `wanted`, or `max` when
/// that is lower.
pub fn negotiate(wanted: &str, max: &str) -> String {
    let minor = |v: &str| v.split_once('.').and_then(|(_, m)| m.parse::<u32>().ok());
    match (minor(wanted), minor(max)) {
        (Some(w), Some(m)) if m < w => max.to_string(),
        _ => wanted.to_string(),
    }
}

/// An authenticated session with a cloud.
pub struct Session {
    http: reqwest::Client,
    config: CloudConfig,
    token: Mutex<Option<Token>>,
    compute_version: tokio::sync::OnceCell<String>,
    clock: Arc<dyn Clock>,
}

fn transport(e: reqwest::Error) -> DriverError {
    DriverError::transient(format!("cannot reach the cloud: {e}"))
}

impl Session {
    /// A session for a configured cloud.
    pub fn new(config: CloudConfig, clock: Arc<dyn Clock>) -> Result<Self, DriverError> {
        let http = reqwest::Client::builder()
            .pool_idle_timeout(Duration::from_secs(20))
            .timeout(Duration::from_secs(120))
            .build()
            .map_err(|e| DriverError::fatal(e.to_string()))?;
        Ok(Session {
            http,
            config,
            token: Mutex::new(None),
            compute_version: tokio::sync::OnceCell::new(),
            clock,
        })
    }

    /// The configuration.
    pub fn config(&self) -> &CloudConfig {
        &self.config
    }

    /// Keystone's `/v3/auth/tokens`.
    fn tokens_url(&self) -> String {
        let base = self.config.auth.auth_url.clone().unwrap_or_default();
        let base = base.trim_end_matches('/');
        if base.ends_with("/v3") {
            format!("{base}/auth/tokens")
        } else {
            format!("{base}/v3/auth/tokens")
        }
    }

    /// Validates another's token with this session's own (a service
    /// validating its callers): Keystone's token body, `NotFound` when the
    /// token is invalid or expired.
    pub async fn validate_token(&self, subject: &str) -> Result<Json, DriverError> {
        let own = self.token(false).await?;
        let response = self
            .http
            .get(self.tokens_url())
            .header("X-Auth-Token", &own.value)
            .header("X-Subject-Token", subject)
            .header("Accept", "application/json")
            .send()
            .await
            .map_err(transport)?;
        let status = response.status().as_u16();
        let text = response.text().await.map_err(transport)?;
        if status != 200 {
            return Err(from_response(status, &text));
        }
        serde_json::from_str(&text)
            .map_err(|e| DriverError::fatal(format!("Keystone's answer is not JSON: {e}")))
    }

    /// Checks an EC2 signature with Keystone (`/v3/ec2tokens`, as Heat's
    /// `ec2token` middleware does, this session's own token with it): the
    /// token body of the credential's owner; `None` when Keystone refuses
    /// the credential or its signature.
    pub async fn ec2_token(&self, credentials: &Json) -> Result<Option<Json>, DriverError> {
        let url = self.tokens_url().replace("/auth/tokens", "/ec2tokens");
        // Keystone asks the caller (this service) to authenticate too.
        let own = self.token(false).await?;
        let response = self
            .http
            .post(&url)
            .header("X-Auth-Token", &own.value)
            .header("Accept", "application/json")
            .json(&serde_json::json!({ "credentials": credentials }))
            .send()
            .await
            .map_err(transport)?;
        let status = response.status().as_u16();
        let text = response.text().await.map_err(transport)?;
        if (400..500).contains(&status) {
            return Ok(None);
        }
        if status != 200 && status != 201 {
            return Err(from_response(status, &text));
        }
        serde_json::from_str(&text)
            .map(Some)
            .map_err(|e| DriverError::fatal(format!("Keystone's answer is not JSON: {e}")))
    }

    async fn authenticate(&self) -> Result<Token, DriverError> {
        let url = self.tokens_url();
        let response = self
            .http
            .post(&url)
            .json(&auth_body(&self.config))
            .send()
            .await
            .map_err(transport)?;
        let status = response.status().as_u16();
        let subject = response
            .headers()
            .get("X-Subject-Token")
            .and_then(|v| v.to_str().ok())
            .map(String::from);
        let text = response.text().await.map_err(transport)?;
        if status != 201 && status != 200 {
            let mut e = from_response(status, &text);
            e.message = format!(
                "Keystone refused the credentials of cloud {}: {}",
                self.config.name, e.message
            );
            return Err(e);
        }
        let body: Json = serde_json::from_str(&text)
            .map_err(|e| DriverError::fatal(format!("Keystone's answer is not JSON: {e}")))?;
        parse_token(subject.as_deref().unwrap_or_default(), &body).map_err(DriverError::fatal)
    }

    /// The current token, renewed when expired (or when `renew`).
    pub async fn token(&self, renew: bool) -> Result<Token, DriverError> {
        let mut guard = self.token.lock().await;
        let fresh = guard
            .as_ref()
            .is_some_and(|t| t.expires_at == 0.0 || t.expires_at - self.clock.now() > 60.0);
        if renew || !fresh {
            *guard = Some(self.authenticate().await?);
        }
        Ok(guard.clone().expect("set above"))
    }

    /// The URL of a service: the configured override, or the catalog's.
    pub async fn url(&self, service: &str) -> Result<String, DriverError> {
        if let Some(url) = self.config.endpoint_override(service) {
            return Ok(versioned(service, url));
        }
        let token = self.token(false).await?;
        endpoint(
            &token.catalog,
            service,
            &self.config.interface,
            self.config.region.as_deref(),
        )
        .ok_or_else(|| {
            DriverError::fatal(format!(
                "the {} cloud has no {service} endpoint ({} interface)",
                self.config.name, self.config.interface
            ))
        })
    }

    /// The compute microversion for this cloud, negotiated once from the
    /// compute endpoint's version document.
    pub async fn compute_microversion(&self) -> Result<String, DriverError> {
        self.compute_version
            .get_or_try_init(|| async {
                let doc = self.send("compute", Method::GET, "/", None, None).await?;
                let max = doc["version"]["version"].as_str().unwrap_or_default();
                Ok(negotiate(COMPUTE_MICROVERSION, max))
            })
            .await
            .cloned()
    }

    /// Sends a request to a service (`compute`, `network`, `volume`,
    /// `image`); `path` is relative to the service's URL. Returns the
    /// response body (`Null` when empty).
    pub async fn request(
        &self,
        service: &str,
        method: Method,
        path: &str,
        body: Option<&Json>,
    ) -> Result<Json, DriverError> {
        let version = if service == "compute" {
            Some(self.compute_microversion().await?)
        } else {
            None
        };
        self.send(service, method, path, body, version.as_deref())
            .await
    }

    async fn send(
        &self,
        service: &str,
        method: Method,
        path: &str,
        body: Option<&Json>,
        compute_version: Option<&str>,
    ) -> Result<Json, DriverError> {
        let mut delay = Duration::from_millis(500);
        let mut renewed = false;
        let mut attempt = 0;
        loop {
            let token = self.token(false).await?;
            let base = self.url(service).await?;
            let mut rb = self
                .http
                .request(method.clone(), format!("{base}{path}"))
                .header("X-Auth-Token", &token.value)
                .header("Accept", "application/json");
            if let Some(v) = compute_version {
                rb = rb.header("OpenStack-API-Version", format!("compute {v}"));
            }
            if let Some(b) = body {
                rb = rb.json(b);
            }
            // Whether a failure shows the service did not act on the
            // request (no connection made, or it said so: 429, 503); any
            // other failure (a timeout, a 502 or 504, a broken reply) may
            // hide a done create.
            let (result, unheard) = match rb.send().await {
                Err(e) => {
                    let unheard = e.is_connect();
                    (Err(transport(e)), unheard)
                }
                Ok(response) => {
                    let status = response.status().as_u16();
                    let text = response.text().await.map_err(transport)?;
                    match status {
                        200..=299 => {
                            return Ok(if text.trim().is_empty() {
                                Json::Null
                            } else {
                                serde_json::from_str(&text).unwrap_or(Json::String(text))
                            })
                        }
                        401 if !renewed => {
                            renewed = true;
                            self.token(true).await?;
                            continue;
                        }
                        _ => (
                            Err(from_response(status, &text)),
                            matches!(status, 429 | 503),
                        ),
                    }
                }
            };
            // A POST makes something: sent again after a failure that may
            // hide its success, it would make a second one and the first
            // would be forgotten. That failure goes to the caller, who
            // looks for the object before creating it again.
            let repeatable = method != Method::POST || unheard;
            match result {
                Err(e) if e.kind == DriverErrorKind::Transient && repeatable && attempt < 4 => {
                    attempt += 1;
                    self.clock.sleep(delay).await;
                    delay *= 2;
                }
                other => return other,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::negotiate;

    #[test]
    fn the_microversion_is_ours_unless_the_cloud_stops_earlier() {
        assert_eq!(negotiate("2.79", "2.104"), "2.79");
        assert_eq!(negotiate("2.79", "2.79"), "2.79");
        assert_eq!(negotiate("2.79", "2.60"), "2.60");
        assert_eq!(negotiate("2.79", ""), "2.79");
    }
}
