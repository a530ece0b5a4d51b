//! Which cloud to talk to, read as every OpenStack tool reads it:
//! `OS_CLOUD` names an entry of `clouds.yaml` (found through
//! `OS_CLIENT_CONFIG_FILE`, `./clouds.yaml`, `~/.config/openstack/` or
//! `/etc/openstack/`); otherwise `OS_AUTH_URL` and the other `OS_*`
//! variables describe it. A service's URL can be set instead of taken
//! from Keystone's catalog, as openstacksdk allows: `compute_endpoint_override`
//! (any service type, `-` written `_`) in the cloud's entry, or
//! `OS_COMPUTE_ENDPOINT_OVERRIDE` in the environment.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use serde::Deserialize;

/// A configuration that cannot be used.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ConfigError {
    /// No `clouds.yaml` was found for `OS_CLOUD`.
    #[error("OS_CLOUD is {0} but no clouds.yaml was found (looked in {1})")]
    NoCloudsFile(String, String),
    /// The file does not name the cloud.
    #[error("{file} has no cloud named {cloud} (it has: {known})")]
    UnknownCloud {
        /// The file.
        file: String,
        /// The cloud asked for.
        cloud: String,
        /// The clouds it has.
        known: String,
    },
    /// The file cannot be read.
    #[error("{0}: {1}")]
    BadFile(String, String),
    /// Something required is missing.
    #[error("the {cloud} cloud has no {what}")]
    Missing {
        /// The cloud.
        cloud: String,
        /// What is missing.
        what: &'static str,
    },
}

/// How to authenticate and where.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct Auth {
    /// Keystone's URL.
    pub auth_url: Option<String>,
    /// User name.
    pub username: Option<String>,
    /// User id.
    pub user_id: Option<String>,
    /// Password.
    pub password: Option<String>,
    /// Project name.
    pub project_name: Option<String>,
    /// Project id.
    pub project_id: Option<String>,
    /// The user's domain, by name.
    pub user_domain_name: Option<String>,
    /// The user's domain, by id.
    pub user_domain_id: Option<String>,
    /// The project's domain, by name.
    pub project_domain_name: Option<String>,
    /// The project's domain, by id.
    pub project_domain_id: Option<String>,
    /// Application credential id.
    pub application_credential_id: Option<String>,
    /// Application credential secret.
    pub application_credential_secret: Option<String>,
    /// A token to use as is.
    pub token: Option<String>,
}

#[derive(Debug, Deserialize)]
struct CloudEntry {
    #[serde(default)]
    auth: Auth,
    region_name: Option<String>,
    interface: Option<String>,
    auth_type: Option<String>,
    /// The other keys, among them `<service>_endpoint_override`.
    #[serde(flatten)]
    other: HashMap<String, serde_norway::Value>,
}

#[derive(Debug, Deserialize)]
struct CloudsFile {
    clouds: HashMap<String, CloudEntry>,
}

/// A cloud to talk to.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CloudConfig {
    /// Its name (`OS_CLOUD`, or `envvars`).
    pub name: String,
    /// Credentials.
    pub auth: Auth,
    /// The region.
    pub region: Option<String>,
    /// `public`, `internal` or `admin`.
    pub interface: String,
    /// `password`, `v3applicationcredential` or `token`.
    pub auth_type: String,
    /// Service URLs used instead of the catalog's, by service type with
    /// `-` written `_` (`compute`, `load_balancer`).
    pub endpoint_overrides: BTreeMap<String, String>,
}

/// The service types whose endpoint the environment can override.
const OVERRIDABLE: &[&str] = &[
    "compute",
    "network",
    "volume",
    "block_storage",
    "image",
    "identity",
    "object_store",
    "load_balancer",
    "orchestration",
];

const OVERRIDE_SUFFIX: &str = "_endpoint_override";

/// `OS_<SERVICE>_ENDPOINT_OVERRIDE` of the environment, over `file`'s.
fn endpoint_overrides(
    env: &dyn Fn(&str) -> Option<String>,
    file: BTreeMap<String, String>,
) -> BTreeMap<String, String> {
    let mut all = file;
    for service in OVERRIDABLE {
        let var = format!(
            "OS_{}{}",
            service.to_uppercase(),
            OVERRIDE_SUFFIX.to_uppercase()
        );
        if let Some(url) = env(&var).filter(|u| !u.is_empty()) {
            all.insert(service.to_string(), url);
        }
    }
    all
}

/// Where `clouds.yaml` is looked for, in order.
pub fn search_path(env: &dyn Fn(&str) -> Option<String>) -> Vec<PathBuf> {
    let mut v = Vec::new();
    if let Some(f) = env("OS_CLIENT_CONFIG_FILE") {
        v.push(PathBuf::from(f));
    }
    v.push(PathBuf::from("clouds.yaml"));
    if let Some(home) = env("HOME") {
        v.push(Path::new(&home).join(".config/openstack/clouds.yaml"));
    }
    v.push(PathBuf::from("/etc/openstack/clouds.yaml"));
    v
}

impl CloudConfig {
    /// The URL set for a service instead of the catalog's, if any.
    pub fn endpoint_override(&self, service: &str) -> Option<&str> {
        self.endpoint_overrides
            .get(&service.replace('-', "_"))
            .map(String::as_str)
    }

    /// The cloud the environment configures, `None` when none is.
    pub fn from_env() -> Result<Option<CloudConfig>, ConfigError> {
        Self::from(&|k| std::env::var(k).ok(), &|p| {
            std::fs::read_to_string(p).ok()
        })
    }

    /// The cloud of that name in clouds.yaml (found as `from_env` finds the
    /// file), whatever `OS_CLOUD` says.
    pub fn named(cloud: &str) -> Result<CloudConfig, ConfigError> {
        let env = |k: &str| {
            if k == "OS_CLOUD" {
                Some(cloud.to_string())
            } else {
                std::env::var(k).ok()
            }
        };
        Self::from(&env, &|p| std::fs::read_to_string(p).ok())?
            .ok_or_else(|| ConfigError::NoCloudsFile(cloud.to_string(), String::new()))
    }

    /// The same with the environment and the files given (for tests).
    pub fn from(
        env: &dyn Fn(&str) -> Option<String>,
        read: &dyn Fn(&Path) -> Option<String>,
    ) -> Result<Option<CloudConfig>, ConfigError> {
        if let Some(cloud) = env("OS_CLOUD").filter(|c| !c.is_empty()) {
            let paths = search_path(env);
            let found = paths
                .iter()
                .find_map(|p| read(p).map(|text| (p.clone(), text)));
            let Some((path, text)) = found else {
                let looked = paths
                    .iter()
                    .map(|p| p.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", ");
                return Err(ConfigError::NoCloudsFile(cloud, looked));
            };
            let file: CloudsFile = serde_norway::from_str(&text)
                .map_err(|e| ConfigError::BadFile(path.display().to_string(), e.to_string()))?;
            let Some(entry) = file.clouds.get(&cloud) else {
                let mut known: Vec<&String> = file.clouds.keys().collect();
                known.sort();
                return Err(ConfigError::UnknownCloud {
                    file: path.display().to_string(),
                    cloud,
                    known: known
                        .iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                });
            };
            let mut auth = entry.auth.clone();
            if auth.password.is_none() {
                auth.password = env("OS_PASSWORD");
            }
            let config = CloudConfig {
                name: cloud,
                auth,
                region: env("OS_REGION_NAME").or_else(|| entry.region_name.clone()),
                interface: env("OS_INTERFACE")
                    .or_else(|| entry.interface.clone())
                    .unwrap_or_else(|| "public".into()),
                auth_type: entry.auth_type.clone().unwrap_or_else(|| "password".into()),
                endpoint_overrides: endpoint_overrides(
                    env,
                    entry
                        .other
                        .iter()
                        .filter_map(|(k, v)| {
                            Some((
                                k.strip_suffix(OVERRIDE_SUFFIX)?.to_string(),
                                v.as_str()?.to_string(),
                            ))
                        })
                        .collect(),
                ),
            };
            return config.checked().map(Some);
        }
        let Some(auth_url) = env("OS_AUTH_URL") else {
            return Ok(None);
        };
        let auth = Auth {
            auth_url: Some(auth_url),
            username: env("OS_USERNAME"),
            user_id: env("OS_USER_ID"),
            password: env("OS_PASSWORD"),
            project_name: env("OS_PROJECT_NAME").or_else(|| env("OS_TENANT_NAME")),
            project_id: env("OS_PROJECT_ID").or_else(|| env("OS_TENANT_ID")),
            user_domain_name: env("OS_USER_DOMAIN_NAME"),
            user_domain_id: env("OS_USER_DOMAIN_ID"),
            project_domain_name: env("OS_PROJECT_DOMAIN_NAME"),
            project_domain_id: env("OS_PROJECT_DOMAIN_ID"),
            application_credential_id: env("OS_APPLICATION_CREDENTIAL_ID"),
            application_credential_secret: env("OS_APPLICATION_CREDENTIAL_SECRET"),
            token: env("OS_TOKEN"),
        };
        let auth_type = env("OS_AUTH_TYPE").unwrap_or_else(|| {
            if auth.application_credential_id.is_some() {
                "v3applicationcredential".into()
            } else if auth.token.is_some() && auth.password.is_none() {
                "token".into()
            } else {
                "password".into()
            }
        });
        CloudConfig {
            name: "envvars".into(),
            auth,
            region: env("OS_REGION_NAME"),
            interface: env("OS_INTERFACE").unwrap_or_else(|| "public".into()),
            auth_type,
            endpoint_overrides: endpoint_overrides(env, BTreeMap::new()),
        }
        .checked()
        .map(Some)
    }

    fn checked(self) -> Result<CloudConfig, ConfigError> {
        let missing = |what| ConfigError::Missing {
            cloud: self.name.clone(),
            what,
        };
        if self.auth.auth_url.is_none() {
            return Err(missing("auth_url"));
        }
        match self.auth_type.as_str() {
            "v3applicationcredential" => {
                if self.auth.application_credential_id.is_none()
                    || self.auth.application_credential_secret.is_none()
                {
                    return Err(missing(
                        "application_credential_id and application_credential_secret",
                    ));
                }
            }
            "token" | "v3token" => {
                if self.auth.token.is_none() {
                    return Err(missing("token"));
                }
            }
            _ => {
                if self.auth.username.is_none() && self.auth.user_id.is_none() {
                    return Err(missing("username"));
                }
                if self.auth.password.is_none() {
                    return Err(missing("password"));
                }
            }
        }
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CLOUDS: &str = "clouds:
  oslocal:
    auth:
      auth_url: http://127.0.0.1:5000/v3
      username: admin
      password: adminpass
      project_name: admin
      user_domain_name: Default
      project_domain_name: Default
    region_name: RegionOne
    compute_endpoint_override: http://127.0.0.1:9774/v2.1
  appcred:
    auth_type: v3applicationcredential
    auth:
      auth_url: http://127.0.0.1:5000/v3
      application_credential_id: abc
      application_credential_secret: s3cret
";

    fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |k| {
            vars.iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        }
    }

    fn files(path: &Path) -> Option<String> {
        (path == Path::new("/tmp/clouds.yaml")).then(|| CLOUDS.to_string())
    }

    #[test]
    fn os_cloud_reads_clouds_yaml() {
        let c = CloudConfig::from(
            &env(&[
                ("OS_CLOUD", "oslocal"),
                ("OS_CLIENT_CONFIG_FILE", "/tmp/clouds.yaml"),
            ]),
            &files,
        )
        .unwrap()
        .unwrap();
        assert_eq!(c.auth.username.as_deref(), Some("admin"));
        assert_eq!(c.region.as_deref(), Some("RegionOne"));
        assert_eq!(c.interface, "public");
        assert_eq!(
            c.endpoint_override("compute"),
            Some("http://127.0.0.1:9774/v2.1")
        );
        assert_eq!(c.endpoint_override("network"), None);
        let c = CloudConfig::from(
            &env(&[
                ("OS_CLOUD", "oslocal"),
                ("OS_CLIENT_CONFIG_FILE", "/tmp/clouds.yaml"),
                ("OS_COMPUTE_ENDPOINT_OVERRIDE", "http://10.0.0.1:8774/v2.1"),
                ("OS_LOAD_BALANCER_ENDPOINT_OVERRIDE", "http://10.0.0.1:9876"),
            ]),
            &files,
        )
        .unwrap()
        .unwrap();
        assert_eq!(
            c.endpoint_override("compute"),
            Some("http://10.0.0.1:8774/v2.1")
        );
        assert_eq!(
            c.endpoint_override("load-balancer"),
            Some("http://10.0.0.1:9876")
        );
        let c = CloudConfig::from(
            &env(&[
                ("OS_CLOUD", "appcred"),
                ("OS_CLIENT_CONFIG_FILE", "/tmp/clouds.yaml"),
            ]),
            &files,
        )
        .unwrap()
        .unwrap();
        assert_eq!(c.auth_type, "v3applicationcredential");
    }

    #[test]
    fn an_unknown_cloud_lists_the_known_ones() {
        let e = CloudConfig::from(
            &env(&[
                ("OS_CLOUD", "nope"),
                ("OS_CLIENT_CONFIG_FILE", "/tmp/clouds.yaml"),
            ]),
            &files,
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "/tmp/clouds.yaml has no cloud named nope (it has: appcred, oslocal)"
        );
    }

    #[test]
    fn os_variables_describe_a_cloud() {
        let vars = [
            ("OS_AUTH_URL", "http://k:5000/v3"),
            ("OS_USERNAME", "demo"),
            ("OS_PASSWORD", "p"),
            ("OS_PROJECT_NAME", "demo"),
        ];
        let c = CloudConfig::from(&env(&vars), &files).unwrap().unwrap();
        assert_eq!(c.auth_type, "password");
        assert_eq!(c.auth.project_name.as_deref(), Some("demo"));
        let e = CloudConfig::from(
            &env(&[("OS_AUTH_URL", "http://k:5000/v3"), ("OS_USERNAME", "demo")]),
            &files,
        )
        .unwrap_err();
        assert_eq!(e.to_string(), "the envvars cloud has no password");
        assert_eq!(CloudConfig::from(&env(&[]), &files).unwrap(), None);
    }
}
