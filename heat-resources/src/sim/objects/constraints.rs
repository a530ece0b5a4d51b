//! Custom constraints (`nova.flavor`, `glance.image`...) checked against
//! the cloud's objects.

use serde_json::Value as Json;

use super::*;

/// Checks a custom constraint (`nova.flavor`, `glance.image`, ...) against
/// the cloud's objects.
pub(in crate::sim) fn check_constraint(
    constraint: &str,
    value: &Json,
    objects: &Objects,
) -> Result<(), String> {
    let Some(v) = value.as_str() else {
        return Ok(());
    };
    let (kind, what) = match constraint {
        "glance.image" => ("image", "Image"),
        "nova.flavor" => ("flavor", "Flavor"),
        "nova.keypair" => ("keypair", "Keypair"),
        "neutron.network" => ("network", "Network"),
        "neutron.subnet" => ("subnet", "Subnet"),
        "neutron.port" => ("port", "Port"),
        "neutron.router" => ("router", "Router"),
        "cinder.volume" => ("volume", "Volume"),
        _ => return Ok(()),
    };
    if find(objects, kind, v).is_some() {
        Ok(())
    } else {
        Err(format!(
            "Error validating value '{v}': The {what} ({v}) could not be found."
        ))
    }
}
