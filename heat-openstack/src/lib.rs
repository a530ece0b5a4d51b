//! heat-openstack: the OpenStack driver of heat-rs. Configuration as every
//! OpenStack tool reads it (`clouds.yaml`, `OS_CLOUD`, `OS_*`), Keystone v3
//! authentication and the service catalog, the mapping of the services'
//! errors to the engine's, and (with its issue) the clients and the
//! `Cloud` they make. Request building and response parsing are pure
//! functions; sending is a thin layer.

mod cloud;
pub mod config;
pub mod error;
pub mod keystone;
pub mod requests;
pub mod session;

pub use cloud::OpenStackCloud;
pub use config::{CloudConfig, ConfigError};
pub use reqwest::Method;
pub use session::Session;
