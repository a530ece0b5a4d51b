//! Keystone v3: the authentication request for each method, the token and
//! service catalog in the response, and endpoint selection by service type,
//! interface and region, with each service's URL made ready to use.

use serde_json::{json, Value as Json};

use crate::config::CloudConfig;

/// An endpoint of the catalog.
#[derive(Debug, Clone, PartialEq)]
pub struct Endpoint {
    /// Service type (`compute`, `network`, `volumev3`, `block-storage`, `image`, `identity`).
    pub service_type: String,
    /// `public`, `internal` or `admin`.
    pub interface: String,
    /// Region.
    pub region: Option<String>,
    /// URL.
    pub url: String,
}

/// A token and what came with it.
#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    /// The token (from the `X-Subject-Token` header).
    pub value: String,
    /// When it expires, seconds since the epoch (0 when unknown).
    pub expires_at: f64,
    /// The project it is scoped to.
    pub project_id: Option<String>,
    /// The service catalog.
    pub catalog: Vec<Endpoint>,
}

fn scope(c: &CloudConfig) -> Json {
    let a = &c.auth;
    let domain = match (&a.project_domain_id, &a.project_domain_name) {
        (Some(id), _) => json!({"id": id}),
        (None, Some(name)) => json!({"name": name}),
        (None, None) => json!({"id": "default"}),
    };
    match (&a.project_id, &a.project_name) {
        (Some(id), _) => json!({"project": {"id": id}}),
        (None, Some(name)) => json!({"project": {"name": name, "domain": domain}}),
        (None, None) => Json::Null,
    }
}

/// The body of `POST /v3/auth/tokens` for the configured method.
pub fn auth_body(c: &CloudConfig) -> Json {
    let a = &c.auth;
    let identity = match c.auth_type.as_str() {
        "v3applicationcredential" => json!({
            "methods": ["application_credential"],
            "application_credential": {"id": a.application_credential_id, "secret": a.application_credential_secret},
        }),
        "token" | "v3token" => json!({"methods": ["token"], "token": {"id": a.token}}),
        _ => {
            let user = match (&a.user_id, &a.username) {
                (Some(id), _) => json!({"id": id, "password": a.password}),
                (None, name) => {
                    let domain = match (&a.user_domain_id, &a.user_domain_name) {
                        (Some(id), _) => json!({"id": id}),
                        (None, Some(n)) => json!({"name": n}),
                        (None, None) => json!({"id": "default"}),
                    };
                    json!({"name": name, "domain": domain, "password": a.password})
                }
            };
            json!({"methods": ["password"], "password": {"user": user}})
        }
    };
    let mut auth = json!({"identity": identity});
    // Application credentials carry their own scope.
    let s = scope(c);
    if !s.is_null() && c.auth_type != "v3applicationcredential" {
        auth["scope"] = s;
    }
    json!({"auth": auth})
}

/// Seconds since the epoch of an RFC 3339 time (`2026-11-22T10:19:49.000000Z`).
pub fn parse_time(t: &str) -> Option<f64> {
    let (date, time) = t.split_once('T')?;
    let mut d = date.split('-').map(|x| x.parse::<i64>());
    let (y, m, day) = (d.next()?.ok()?, d.next()?.ok()?, d.next()?.ok()?);
    let time = time.trim_end_matches('Z');
    let time = time.split(['+']).next()?;
    let mut p = time.split(':');
    let (h, min) = (
        p.next()?.parse::<i64>().ok()?,
        p.next()?.parse::<i64>().ok()?,
    );
    let sec: f64 = p.next()?.parse().ok()?;
    // Days from civil (Howard Hinnant's algorithm).
    let y2 = if m <= 2 { y - 1 } else { y };
    let era = y2.div_euclid(400);
    let yoe = y2 - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some((days * 86_400 + h * 3600 + min * 60) as f64 + sec)
}

/// Reads the token response: the header's token and the body's catalog.
pub fn parse_token(subject_token: &str, body: &Json) -> Result<Token, String> {
    let token = body.get("token").ok_or("the response has no token")?;
    let mut catalog = Vec::new();
    for service in token
        .get("catalog")
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
    {
        let service_type = service
            .get("type")
            .and_then(Json::as_str)
            .unwrap_or_default();
        for e in service
            .get("endpoints")
            .and_then(Json::as_array)
            .into_iter()
            .flatten()
        {
            catalog.push(Endpoint {
                service_type: service_type.to_string(),
                interface: e
                    .get("interface")
                    .and_then(Json::as_str)
                    .unwrap_or("public")
                    .to_string(),
                region: e
                    .get("region_id")
                    .or_else(|| e.get("region"))
                    .and_then(Json::as_str)
                    .map(String::from),
                url: e
                    .get("url")
                    .and_then(Json::as_str)
                    .unwrap_or_default()
                    .to_string(),
            });
        }
    }
    Ok(Token {
        value: subject_token.to_string(),
        expires_at: token
            .get("expires_at")
            .and_then(Json::as_str)
            .and_then(parse_time)
            .unwrap_or(0.0),
        project_id: token
            .get("project")
            .and_then(|p| p.get("id"))
            .and_then(Json::as_str)
            .map(String::from),
        catalog,
    })
}

/// The service types a service is found under.
fn aliases(service: &str) -> &'static [&'static str] {
    match service {
        "compute" => &["compute"],
        "network" => &["network"],
        "block-storage" | "volume" => &["block-storage", "volumev3", "volume"],
        "image" => &["image"],
        "identity" => &["identity"],
        "object-store" => &["object-store"],
        "load-balancer" => &["load-balancer"],
        "orchestration" => &["orchestration"],
        _ => &[],
    }
}

/// The URL of a service: catalog endpoint by type, interface and region,
/// with the version path the clients expect (Neutron `/v2.0`, Glance `/v2`).
pub fn endpoint(
    catalog: &[Endpoint],
    service: &str,
    interface: &str,
    region: Option<&str>,
) -> Option<String> {
    let types = aliases(service);
    let e = types.iter().find_map(|t| {
        catalog.iter().find(|e| {
            e.service_type == *t
                && e.interface == interface
                && region.is_none_or(|r| e.region.as_deref() == Some(r))
        })
    })?;
    Some(versioned(service, &e.url))
}

/// A service's URL with the version path the clients expect (Neutron
/// `/v2.0`, Glance `/v2`).
pub fn versioned(service: &str, url: &str) -> String {
    let url = url.trim_end_matches('/');
    match service {
        "network" if !url.ends_with("/v2.0") => format!("{url}/v2.0"),
        "image" if !url.ends_with("/v2") => format!("{url}/v2"),
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Auth;

    fn config(auth_type: &str) -> CloudConfig {
        CloudConfig {
            name: "t".into(),
            auth: Auth {
                auth_url: Some("http://127.0.0.1:5000/v3".into()),
                username: Some("admin".into()),
                password: Some("adminpass".into()),
                project_name: Some("admin".into()),
                user_domain_name: Some("Default".into()),
                project_domain_name: Some("Default".into()),
                application_credential_id: Some("ac".into()),
                application_credential_secret: Some("sec".into()),
                ..Auth::default()
            },
            region: Some("RegionOne".into()),
            interface: "public".into(),
            auth_type: auth_type.into(),
            ..CloudConfig::default()
        }
    }

    #[test]
    fn password_and_application_credential_bodies() {
        let b = auth_body(&config("password"));
        assert_eq!(b["auth"]["identity"]["methods"], json!(["password"]));
        assert_eq!(
            b["auth"]["identity"]["password"]["user"],
            json!({"name": "admin", "domain": {"name": "Default"}, "password": "adminpass"})
        );
        assert_eq!(
            b["auth"]["scope"],
            json!({"project": {"name": "admin", "domain": {"name": "Default"}}})
        );
        let b = auth_body(&config("v3applicationcredential"));
        assert_eq!(
            b["auth"]["identity"]["application_credential"],
            json!({"id": "ac", "secret": "sec"})
        );
        assert!(b["auth"].get("scope").is_none());
    }

    #[test]
    fn token_catalog_and_endpoints() {
        let body = json!({"token": {
        "expires_at": "2026-11-22T10:19:49.000000Z",
        "project": {"id": "p1"},
        "catalog": [
            {"type": "compute", "endpoints": [{"interface": "public", "region_id": "RegionOne", "url": "http://127.0.0.1:8774/v2.1"}]},
            {"type": "network", "endpoints": [{"interface": "public", "region_id": "RegionOne", "url": "http://127.0.0.1:9696/"}]},
            {"type": "block-storage", "endpoints": [{"interface": "public", "region_id": "RegionOne", "url": "http://127.0.0.1:8776/v3"}]},
            {"type": "image", "endpoints": [{"interface": "public", "region_id": "RegionOne", "url": "http://127.0.0.1:9292"}, {"interface": "internal", "region_id": "RegionOne", "url": "http://internal:9292"}]}
        ]}});
        let t = parse_token("tok", &body).unwrap();
        assert_eq!(t.value, "tok");
        assert_eq!(t.project_id.as_deref(), Some("p1"));
        assert_eq!(t.expires_at, parse_time("2026-11-22T10:19:49Z").unwrap());
        let region = Some("RegionOne");
        assert_eq!(
            endpoint(&t.catalog, "compute", "public", region).unwrap(),
            "http://127.0.0.1:8774/v2.1"
        );
        assert_eq!(
            endpoint(&t.catalog, "network", "public", region).unwrap(),
            "http://127.0.0.1:9696/v2.0"
        );
        assert_eq!(
            endpoint(&t.catalog, "volume", "public", region).unwrap(),
            "http://127.0.0.1:8776/v3"
        );
        assert_eq!(
            endpoint(&t.catalog, "image", "internal", region).unwrap(),
            "http://internal:9292/v2"
        );
        assert_eq!(
            endpoint(&t.catalog, "compute", "public", Some("Elsewhere")),
            None
        );
    }

    #[test]
    fn times_parse() {
        assert_eq!(parse_time("1970-01-01T00:00:00Z"), Some(0.0));
        assert_eq!(
            parse_time("2023-11-14T22:13:20.000000Z"),
            Some(1_700_000_000.0)
        );
    }
}
