//! CloudFormation's types as Heat realises them on OpenStack: an AWS
//! resource's properties translated, once, to those of the OpenStack
//! object it becomes (`ImageId` to `image`, `SecurityGroupIngress` to
//! `rules`...), so that no cloud reads AWS names; and the OpenStack
//! object's attributes given their AWS names (`PrivateIp`, `PublicIp`...).
//!
//! A few translated properties have no OpenStack resource property of the
//! same name, and are read by the clouds as heat-rs's own: a server's
//! `networks[].subnet` (a network entry on that subnet), an association's
//! `floating_ip_address` (the floating IP with that address) and
//! `server_id` (the first port of that server).

use serde_json::{json, Map as JsonMap, Value as Json};

use heat_core::engine::{Attributes, REFERENCE_ID};

fn get<'a>(p: &'a Json, key: &str) -> Option<&'a Json> {
    p.get(key).filter(|v| !v.is_null())
}

fn put(out: &mut JsonMap<String, Json>, key: &str, value: Option<&Json>) {
    if let Some(v) = value {
        out.insert(key.to_string(), v.clone());
    }
}

/// `[{Key, Value}]` (AWS tags and hints) as a map.
fn key_values(list: Option<&Json>) -> Option<Json> {
    let items = list?.as_array()?;
    let map: JsonMap<String, Json> = items
        .iter()
        .filter_map(|kv| {
            let k = kv.get("Key")?.as_str()?;
            Some((
                k.to_string(),
                kv.get("Value").cloned().unwrap_or(Json::Null),
            ))
        })
        .collect();
    Some(Json::Object(map))
}

/// An AWS port number as a Neutron port bound: `-1` (every port, as for
/// ICMP) sends no bound at all, as Heat does.
fn port_bound(v: Option<&Json>) -> Option<Json> {
    let n = match v? {
        Json::Number(n) => n.as_i64()?,
        Json::String(s) => s.trim().parse().ok()?,
        _ => return None,
    };
    (n >= 0).then(|| json!(n))
}

fn rule(r: &Json, direction: &str) -> Json {
    let mut out = JsonMap::new();
    out.insert("direction".into(), json!(direction));
    let protocol = get(r, "IpProtocol").map(|p| match p.as_str() {
        Some("-1") => Json::Null,
        _ => p.clone(),
    });
    if let Some(p) = protocol.filter(|p| !p.is_null()) {
        out.insert("protocol".into(), p);
    }
    let (from, to) = (port_bound(get(r, "FromPort")), port_bound(get(r, "ToPort")));
    if let Some(min) = from {
        out.insert("port_range_min".into(), min);
    }
    if let Some(max) = to {
        out.insert("port_range_max".into(), max);
    }
    put(&mut out, "remote_ip_prefix", get(r, "CidrIp"));
    put(
        &mut out,
        "remote_group_id",
        get(r, "SourceSecurityGroupId")
            .or_else(|| get(r, "SourceSecurityGroupName"))
            .or_else(|| get(r, "DestinationSecurityGroupId")),
    );
    Json::Object(out)
}

/// An instance's `BlockDeviceMappings` (an EBS snapshot or size at a
/// device, as Heat's `_build_block_device_mapping`) and `Volumes` (a
/// volume at a device, kept when the instance goes) as a server's legacy
/// block devices.
fn instance_block_devices(p: &Json) -> Vec<Json> {
    let list = |key: &str| {
        get(p, key)
            .and_then(Json::as_array)
            .cloned()
            .unwrap_or_default()
    };
    let mut devices = Vec::new();
    for mapping in list("BlockDeviceMappings") {
        let Some(ebs) = get(&mapping, "Ebs").filter(|e| e.is_object()) else {
            continue;
        };
        let mut device = JsonMap::new();
        put(&mut device, "device_name", get(&mapping, "DeviceName"));
        put(&mut device, "snapshot_id", get(ebs, "SnapshotId"));
        let size = get(ebs, "VolumeSize").and_then(|v| {
            v.as_i64()
                .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
        });
        if let Some(size) = size {
            device.insert("volume_size".into(), json!(size));
        }
        let delete = get(ebs, "DeleteOnTermination").and_then(|v| {
            v.as_bool()
                .or_else(|| v.as_str().map(|s| s.eq_ignore_ascii_case("true")))
        });
        if let Some(delete) = delete {
            device.insert("delete_on_termination".into(), json!(delete));
        }
        devices.push(Json::Object(device));
    }
    for volume in list("Volumes") {
        devices.push(json!({
            "device_name": get(&volume, "Device").cloned().unwrap_or(Json::Null),
            "volume_id": get(&volume, "VolumeId").cloned().unwrap_or(Json::Null),
        }));
    }
    devices
}

/// The properties of `type_name` as the OpenStack object's.
pub fn properties(type_name: &str, p: &Json) -> Json {
    let mut out = JsonMap::new();
    match type_name {
        "AWS::EC2::Instance" => {
            put(&mut out, "image", get(p, "ImageId"));
            put(&mut out, "flavor", get(p, "InstanceType"));
            put(&mut out, "key_name", get(p, "KeyName"));
            put(&mut out, "availability_zone", get(p, "AvailabilityZone"));
            put(&mut out, "user_data", get(p, "UserData"));
            let groups: Vec<Json> = ["SecurityGroups", "SecurityGroupIds"]
                .iter()
                .filter_map(|k| get(p, k)?.as_array().cloned())
                .flatten()
                .collect();
            if !groups.is_empty() {
                out.insert("security_groups".into(), Json::Array(groups));
            }
            let nics: Vec<Json> = get(p, "NetworkInterfaces")
                .and_then(Json::as_array)
                .into_iter()
                .flatten()
                .filter_map(|n| n.as_str().or_else(|| n.get("NetworkInterfaceId")?.as_str()))
                .map(|port| json!({"port": port}))
                .collect();
            if !nics.is_empty() {
                out.insert("networks".into(), Json::Array(nics));
            } else if let Some(subnet) = get(p, "SubnetId") {
                let mut entry = json!({"subnet": subnet});
                if let Some(ip) = get(p, "PrivateIpAddress") {
                    entry["fixed_ip"] = ip.clone();
                }
                out.insert("networks".into(), json!([entry]));
            }
            if let Some(hints) = key_values(get(p, "NovaSchedulerHints")) {
                out.insert("scheduler_hints".into(), hints);
            }
            if let Some(tags) = key_values(get(p, "Tags")) {
                out.insert("metadata".into(), tags);
            }
            let devices = instance_block_devices(p);
            if !devices.is_empty() {
                out.insert("block_device_mapping".into(), Json::Array(devices));
            }
        }
        "AWS::EC2::EIP" => {
            put(&mut out, "server_id", get(p, "InstanceId"));
        }
        // Heat's Nova floating IPs are Neutron's (its `pool` the external
        // network), their association a server's port's.
        "OS::Nova::FloatingIP" => {
            put(&mut out, "floating_network", get(p, "pool"));
        }
        "OS::Nova::FloatingIPAssociation" => {
            put(&mut out, "floatingip_id", get(p, "floating_ip"));
            put(&mut out, "server_id", get(p, "server_id"));
        }
        "AWS::EC2::EIPAssociation" => {
            put(&mut out, "floatingip_id", get(p, "AllocationId"));
            put(&mut out, "floating_ip_address", get(p, "EIP"));
            put(&mut out, "port_id", get(p, "NetworkInterfaceId"));
            put(&mut out, "server_id", get(p, "InstanceId"));
        }
        "AWS::EC2::SecurityGroup" => {
            put(&mut out, "description", get(p, "GroupDescription"));
            let mut rules: Vec<Json> = get(p, "SecurityGroupIngress")
                .and_then(Json::as_array)
                .into_iter()
                .flatten()
                .map(|r| rule(r, "ingress"))
                .collect();
            rules.extend(
                get(p, "SecurityGroupEgress")
                    .and_then(Json::as_array)
                    .into_iter()
                    .flatten()
                    .map(|r| rule(r, "egress")),
            );
            out.insert("rules".into(), Json::Array(rules));
        }
        "AWS::EC2::Volume" => {
            put(&mut out, "size", get(p, "Size"));
            put(&mut out, "availability_zone", get(p, "AvailabilityZone"));
            put(&mut out, "snapshot_id", get(p, "SnapshotId"));
            if let Some(tags) = key_values(get(p, "Tags")) {
                out.insert("metadata".into(), tags);
            }
        }
        "AWS::EC2::VolumeAttachment" => {
            put(&mut out, "instance_uuid", get(p, "InstanceId"));
            put(&mut out, "volume_id", get(p, "VolumeId"));
            put(&mut out, "mountpoint", get(p, "Device"));
        }
        _ => return p.clone(),
    }
    Json::Object(out)
}

/// Adds the AWS names of a translated type's attributes (as Heat gives
/// them) to the OpenStack object's.
pub fn attributes(type_name: &str, a: &mut Attributes) {
    match type_name {
        "AWS::EC2::Instance" => {
            let first = a.get("first_address").cloned().unwrap_or(Json::Null);
            for key in ["PrivateIp", "PublicIp"] {
                a.insert(key.into(), first.clone());
            }
            let name = a.get("name").and_then(Json::as_str).unwrap_or_default();
            let dns = json!(format!("{name}.novalocal"));
            a.insert("PrivateDnsName".into(), dns.clone());
            a.insert("PublicDnsName".into(), dns);
            let zone = a
                .get("availability_zone")
                .cloned()
                .filter(|z| !z.is_null())
                .unwrap_or(json!("nova"));
            a.insert("AvailabilityZone".into(), zone);
        }
        "OS::Nova::FloatingIP" => {
            let ip = a.get("floating_ip_address").cloned().unwrap_or(Json::Null);
            a.insert("ip".into(), ip);
            let pool = a.get("floating_network_id").cloned().unwrap_or(Json::Null);
            a.insert("pool".into(), pool);
        }
        "AWS::EC2::EIP" => {
            if let Some(id) = a.get("id").cloned() {
                a.insert("AllocationId".into(), id);
            }
            // CloudFormation's `Ref` to an elastic IP is its address.
            if let Some(ip) = a.get("floating_ip_address").cloned() {
                a.insert(REFERENCE_ID.into(), ip);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_instance_becomes_a_server() {
        let p = properties(
            "AWS::EC2::Instance",
            &json!({"ImageId": "cirros", "InstanceType": "m1.tiny", "KeyName": "k",
                    "SecurityGroups": ["web"], "SecurityGroupIds": ["abc"], "SubnetId": "s1",
                    "Tags": [{"Key": "role", "Value": "web"}]}),
        );
        assert_eq!(
            p,
            json!({"image": "cirros", "flavor": "m1.tiny", "key_name": "k",
                   "security_groups": ["web", "abc"], "networks": [{"subnet": "s1"}],
                   "metadata": {"role": "web"}})
        );
        let p = properties(
            "AWS::EC2::Instance",
            &json!({"ImageId": "i", "InstanceType": "f", "NetworkInterfaces": ["p1", {"NetworkInterfaceId": "p2", "DeviceIndex": "1"}], "SubnetId": "ignored"}),
        );
        assert_eq!(p["networks"], json!([{"port": "p1"}, {"port": "p2"}]));
    }

    #[test]
    fn an_instances_volumes_and_ebs_mappings_are_its_block_devices() {
        let p = properties(
            "AWS::EC2::Instance",
            &json!({"ImageId": "img", "InstanceType": "m1.small",
                "BlockDeviceMappings": [
                    {"DeviceName": "vdb", "Ebs": {"SnapshotId": "snap", "VolumeSize": "2", "DeleteOnTermination": "true"}},
                    {"DeviceName": "vdc", "VirtualName": "ephemeral0"}
                ],
                "Volumes": [{"VolumeId": "vol", "Device": "/dev/vdd"}]}),
        );
        assert_eq!(
            p["block_device_mapping"],
            json!([
                {"device_name": "vdb", "snapshot_id": "snap", "volume_size": 2, "delete_on_termination": true},
                {"device_name": "/dev/vdd", "volume_id": "vol"}
            ])
        );
    }

    #[test]
    fn icmp_rules_send_no_port_range() {
        let p = properties(
            "AWS::EC2::SecurityGroup",
            &json!({"GroupDescription": "d", "SecurityGroupIngress": [
                {"IpProtocol": "icmp", "FromPort": "-1", "ToPort": "-1", "CidrIp": "0.0.0.0/0"},
                {"IpProtocol": "tcp", "FromPort": "80", "ToPort": 80, "CidrIp": "0.0.0.0/0"},
                {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "SourceSecurityGroupName": "admins"}]}),
        );
        assert_eq!(
            p["rules"],
            json!([
                {"direction": "ingress", "protocol": "icmp", "remote_ip_prefix": "0.0.0.0/0"},
                {"direction": "ingress", "protocol": "tcp", "port_range_min": 80, "port_range_max": 80, "remote_ip_prefix": "0.0.0.0/0"},
                {"direction": "ingress", "protocol": "tcp", "port_range_min": 22, "port_range_max": 22, "remote_group_id": "admins"}
            ])
        );
        assert_eq!(p["description"], "d");
    }

    #[test]
    fn associations_attachments_and_attributes() {
        assert_eq!(
            properties(
                "AWS::EC2::EIPAssociation",
                &json!({"EIP": "172.24.4.9", "InstanceId": "srv"})
            ),
            json!({"floating_ip_address": "172.24.4.9", "server_id": "srv"})
        );
        assert_eq!(
            properties(
                "AWS::EC2::VolumeAttachment",
                &json!({"InstanceId": "s", "VolumeId": "v", "Device": "/dev/vdb"})
            ),
            json!({"instance_uuid": "s", "volume_id": "v", "mountpoint": "/dev/vdb"})
        );
        let mut a = Attributes::new();
        a.insert("id".into(), json!("fip-1"));
        a.insert("floating_ip_address".into(), json!("172.24.4.9"));
        attributes("AWS::EC2::EIP", &mut a);
        assert_eq!(a["AllocationId"], "fip-1");
        assert_eq!(a[REFERENCE_ID], "172.24.4.9");
        let same = json!({"network": "n"});
        assert_eq!(properties("OS::Neutron::Port", &same), same);
    }
}
