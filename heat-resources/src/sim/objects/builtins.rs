//! The objects the simulated cloud starts with: images, flavors, a key
//! pair, the `public` (external) and `private` networks.

use serde_json::{json, Value as Json};

use super::*;

pub(in crate::sim) fn builtin(id: &str, kind: &str, name: &str, attributes: Json) -> SimObject {
    SimObject {
        id: id.to_string(),
        kind: kind.to_string(),
        name: name.to_string(),
        stack_id: String::new(),
        resource: String::new(),
        status: "ACTIVE".into(),
        properties: Json::Null,
        attributes: attributes.as_object().cloned().unwrap_or_default(),
    }
}

/// The cloud's own objects: images, flavors, a key pair, `public` and
/// `private` networks.
pub(in crate::sim) fn builtins() -> Vec<SimObject> {
    let mut v = vec![
        builtin(
            "a6b6b4a2-0000-4000-a000-00000000c1d5",
            "image",
            "cirros-0.6.2",
            json!({"status": "active", "min_disk": 1}),
        ),
        builtin(
            "a6b6b4a2-0000-4000-a000-0000000ab022",
            "image",
            "ubuntu-22.04",
            json!({"status": "active", "min_disk": 10}),
        ),
        builtin(
            "a6b6b4a2-0000-4000-a000-000000000f39",
            "image",
            "fedora-39",
            json!({"status": "active", "min_disk": 10}),
        ),
        builtin(
            "00000000-0000-4000-a000-00000000ff01",
            "keypair",
            "default-key",
            json!({"public_key": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHeatRsSimulatedCloudDefaultKey heat-rs"}),
        ),
        builtin(
            "00000000-0000-4000-a000-0000000000e1",
            "network",
            "public",
            json!({"router:external": true, "subnets": ["00000000-0000-4000-a000-0000000000e2"], "status": "ACTIVE", "mtu": 1500}),
        ),
        builtin(
            "00000000-0000-4000-a000-0000000000e2",
            "subnet",
            "public-subnet",
            json!({"network_id": "00000000-0000-4000-a000-0000000000e1", "cidr": "172.24.4.0/24", "gateway_ip": "172.24.4.1", "ip_version": 4}),
        ),
        builtin(
            "00000000-0000-4000-a000-0000000000a1",
            "network",
            "private",
            json!({"subnets": ["00000000-0000-4000-a000-0000000000a2"], "status": "ACTIVE", "mtu": 1450}),
        ),
        builtin(
            "00000000-0000-4000-a000-0000000000a2",
            "subnet",
            "private-subnet",
            json!({"network_id": "00000000-0000-4000-a000-0000000000a1", "cidr": "10.0.0.0/24", "gateway_ip": "10.0.0.1", "ip_version": 4}),
        ),
    ];
    for (i, (name, vcpus, ram, disk)) in [
        ("m1.tiny", 1, 512, 1),
        ("m1.small", 1, 2048, 20),
        ("m1.medium", 2, 4096, 40),
        ("m1.large", 4, 8192, 80),
        ("m1.xlarge", 8, 16384, 160),
    ]
    .into_iter()
    .enumerate()
    {
        v.push(builtin(
            &format!("00000000-0000-4000-a000-00000000f1a{i}"),
            "flavor",
            name,
            json!({"vcpus": vcpus, "ram": ram, "disk": disk}),
        ));
    }
    v
}
