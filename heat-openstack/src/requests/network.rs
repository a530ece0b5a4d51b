//! Neutron request bodies: networks, subnets, subnet pools, address
//! scopes, ports, routers, security groups and their rules, floating IPs;
//! a Neutron object's attributes.

use heat_core::engine::Attributes;
use serde_json::{json, Map as JsonMap, Value as Json};

use super::{copy, tagged_description, value_specs};

/// `POST /networks`.
pub fn network(props: &Json, name: &str, tag: &str) -> Json {
    let mut n = JsonMap::new();
    n.insert("name".into(), json!(name));
    n.insert("description".into(), json!(tag));
    copy(
        props,
        &mut n,
        &[
            ("admin_state_up", "admin_state_up"),
            ("shared", "shared"),
            ("port_security_enabled", "port_security_enabled"),
            ("dns_domain", "dns_domain"),
            ("tenant_id", "tenant_id"),
            ("availability_zone_hints", "availability_zone_hints"),
        ],
    );
    value_specs(props, &mut n);
    json!({"network": n})
}

/// `POST /subnets` (from a subnet pool when given one, by id).
pub fn subnet(
    props: &Json,
    name: &str,
    tag: &str,
    network_id: &str,
    subnetpool_id: Option<&str>,
) -> Json {
    let mut s = JsonMap::new();
    s.insert("name".into(), json!(name));
    s.insert("description".into(), json!(tag));
    s.insert("network_id".into(), json!(network_id));
    if let Some(pool) = subnetpool_id {
        s.insert("subnetpool_id".into(), json!(pool));
    }
    s.insert(
        "ip_version".into(),
        props.get("ip_version").cloned().unwrap_or(json!(4)),
    );
    copy(
        props,
        &mut s,
        &[
            ("cidr", "cidr"),
            ("enable_dhcp", "enable_dhcp"),
            ("dns_nameservers", "dns_nameservers"),
            ("allocation_pools", "allocation_pools"),
            ("host_routes", "host_routes"),
            ("prefixlen", "prefixlen"),
            ("ipv6_address_mode", "ipv6_address_mode"),
            ("ipv6_ra_mode", "ipv6_ra_mode"),
            ("tenant_id", "tenant_id"),
            ("use_default_subnetpool", "use_default_subnetpool"),
        ],
    );
    // A gateway given as null or "" is none, as Heat's `_null_gateway_ip`
    // sends it (Neutron picks one when the field is left out).
    match props.get("gateway_ip") {
        Some(Json::String(g)) if !g.is_empty() => {
            s.insert("gateway_ip".into(), json!(g));
        }
        Some(Json::Null | Json::String(_)) => {
            s.insert("gateway_ip".into(), Json::Null);
        }
        _ => {}
    }
    value_specs(props, &mut s);
    json!({"subnet": s})
}

/// `POST /subnetpools`; its address scope resolved to an id.
pub fn subnet_pool(props: &Json, name: &str, tag: &str, address_scope_id: Option<&str>) -> Json {
    let mut s = JsonMap::new();
    s.insert("name".into(), json!(name));
    s.insert("description".into(), json!(tag));
    if let Some(scope) = address_scope_id {
        s.insert("address_scope_id".into(), json!(scope));
    }
    copy(
        props,
        &mut s,
        &[
            ("prefixes", "prefixes"),
            ("default_prefixlen", "default_prefixlen"),
            ("min_prefixlen", "min_prefixlen"),
            ("max_prefixlen", "max_prefixlen"),
            ("default_quota", "default_quota"),
            ("is_default", "is_default"),
            ("shared", "shared"),
            ("tenant_id", "tenant_id"),
        ],
    );
    json!({"subnetpool": s})
}

/// `POST /address-scopes` (Neutron keeps no description of one).
pub fn address_scope(props: &Json, name: &str) -> Json {
    let mut s = JsonMap::new();
    s.insert("name".into(), json!(name));
    s.insert(
        "ip_version".into(),
        props.get("ip_version").cloned().unwrap_or(json!(4)),
    );
    copy(
        props,
        &mut s,
        &[("shared", "shared"), ("tenant_id", "tenant_id")],
    );
    json!({"address_scope": s})
}

/// `POST /ports`; `fixed_ips` and `security_groups` already resolved to ids.
pub fn port(
    props: &Json,
    name: &str,
    tag: &str,
    network_id: &str,
    fixed_ips: Vec<Json>,
    security_groups: Option<Vec<String>>,
) -> Json {
    let mut p = JsonMap::new();
    p.insert("name".into(), json!(name));
    p.insert("description".into(), json!(tag));
    p.insert("network_id".into(), json!(network_id));
    let no_fixed_ips = props.get("no_fixed_ips").and_then(Json::as_bool) == Some(true);
    if !fixed_ips.is_empty() || no_fixed_ips {
        p.insert("fixed_ips".into(), Json::Array(fixed_ips));
    }
    if let Some(sg) = security_groups {
        p.insert("security_groups".into(), json!(sg));
    }
    copy(
        props,
        &mut p,
        &[
            ("admin_state_up", "admin_state_up"),
            ("mac_address", "mac_address"),
            ("allowed_address_pairs", "allowed_address_pairs"),
            ("port_security_enabled", "port_security_enabled"),
            ("device_owner", "device_owner"),
            ("device_id", "device_id"),
            ("dns_name", "dns_name"),
            ("binding:vnic_type", "binding:vnic_type"),
            ("propagate_uplink_status", "propagate_uplink_status"),
        ],
    );
    value_specs(props, &mut p);
    json!({"port": p})
}

/// `POST /routers`: its gateway on `gateway_network` (at
/// `gateway_ips`, `[{subnet_id, ip_address}]`, when the template fixes
/// them).
pub fn router(
    props: &Json,
    name: &str,
    tag: &str,
    gateway_network: Option<&str>,
    gateway_ips: Option<Json>,
) -> Json {
    let mut r = JsonMap::new();
    r.insert("name".into(), json!(name));
    r.insert("description".into(), json!(tag));
    if let Some(net) = gateway_network {
        let mut g = JsonMap::new();
        g.insert("network_id".into(), json!(net));
        if let Some(snat) = props
            .get("external_gateway_info")
            .and_then(|g| g.get("enable_snat"))
            .filter(|v| !v.is_null())
        {
            g.insert("enable_snat".into(), snat.clone());
        }
        if let Some(ips) = gateway_ips {
            g.insert("external_fixed_ips".into(), ips);
        }
        r.insert("external_gateway_info".into(), Json::Object(g));
    }
    copy(
        props,
        &mut r,
        &[
            ("admin_state_up", "admin_state_up"),
            ("tenant_id", "tenant_id"),
            ("availability_zone_hints", "availability_zone_hints"),
            ("distributed", "distributed"),
            ("ha", "ha"),
        ],
    );
    value_specs(props, &mut r);
    json!({"router": r})
}

/// `POST /security-groups`.
pub fn security_group(props: &Json, name: &str, tag: &str) -> Json {
    let description = tagged_description(props, tag);
    let mut group = json!({"name": name, "description": description});
    // Stateless only when asked: a Neutron without the extension refuses
    // the field even when true (its default).
    if props.get("stateful") == Some(&Json::Bool(false)) {
        group["stateful"] = json!(false);
    }
    json!({ "security_group": group })
}

/// `POST /security-group-rules` for one rule of a group (AWS rules come
/// translated).
pub fn security_group_rule(group_id: &str, rule: &Json, remote_group: Option<&str>) -> Json {
    let mut r = JsonMap::new();
    r.insert("security_group_id".into(), json!(group_id));
    r.insert(
        "direction".into(),
        rule.get("direction").cloned().unwrap_or(json!("ingress")),
    );
    r.insert(
        "ethertype".into(),
        rule.get("ethertype").cloned().unwrap_or(json!("IPv4")),
    );
    let protocol = rule.get("protocol").cloned();
    if let Some(p) = protocol.filter(|p| !p.is_null()) {
        r.insert("protocol".into(), p);
    }
    let num = |k: &str| {
        rule.get(k).and_then(|v| {
            v.as_i64()
                .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
        })
    };
    if let Some(min) = num("port_range_min") {
        r.insert("port_range_min".into(), json!(min));
    }
    if let Some(max) = num("port_range_max") {
        r.insert("port_range_max".into(), json!(max));
    }
    match remote_group {
        Some(g) => {
            r.insert("remote_group_id".into(), json!(g));
        }
        None => {
            if let Some(prefix) = rule.get("remote_ip_prefix").filter(|v| !v.is_null()) {
                r.insert("remote_ip_prefix".into(), prefix.clone());
            }
        }
    }
    if let Some(d) = rule.get("description").filter(|d| d.is_string()) {
        r.insert("description".into(), d.clone());
    }
    json!({"security_group_rule": r})
}

/// `POST /floatingips`: on `network_id` (from `subnet_id` when given),
/// the template's address when it asks for one, on a port when given.
pub fn floating_ip(
    props: &Json,
    network_id: &str,
    subnet_id: Option<&str>,
    port_id: Option<&str>,
    tag: &str,
) -> Json {
    let mut f = JsonMap::new();
    f.insert("floating_network_id".into(), json!(network_id));
    f.insert("description".into(), json!(tag));
    if let Some(subnet) = subnet_id {
        f.insert("subnet_id".into(), json!(subnet));
    }
    copy(
        props,
        &mut f,
        &[("floating_ip_address", "floating_ip_address")],
    );
    if let Some(p) = port_id {
        f.insert("port_id".into(), json!(p));
        copy(props, &mut f, &[("fixed_ip_address", "fixed_ip_address")]);
    }
    value_specs(props, &mut f);
    json!({"floatingip": f})
}

/// A Neutron object's attributes: its fields, as Heat exposes them.
pub fn neutron_attributes(object: &Json) -> Attributes {
    object.as_object().cloned().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_subnets_gateway_given_as_null_or_empty_is_none() {
        let body = |gateway: Option<Json>| {
            let mut props = json!({"cidr": "10.0.0.0/24"});
            if let Some(g) = gateway {
                props["gateway_ip"] = g;
            }
            subnet(&props, "s", "tag", "net", None)["subnet"].clone()
        };
        assert_eq!(body(Some(Json::Null)).get("gateway_ip"), Some(&Json::Null));
        assert_eq!(body(Some(json!(""))).get("gateway_ip"), Some(&Json::Null));
        assert_eq!(body(Some(json!("10.0.0.254")))["gateway_ip"], "10.0.0.254");
        assert_eq!(body(None).get("gateway_ip"), None, "Neutron's choice");
    }

    #[test]
    fn security_group_rules_in_hot_and_aws_forms() {
        let hot = security_group_rule(
            "g",
            &json!({"protocol": "tcp", "port_range_min": 22, "port_range_max": 22}),
            None,
        );
        assert_eq!(
            hot["security_group_rule"],
            json!({"security_group_id": "g", "direction": "ingress", "ethertype": "IPv4", "protocol": "tcp", "port_range_min": 22, "port_range_max": 22})
        );
        let translated = heat_resources::translate::properties(
            "AWS::EC2::SecurityGroup",
            &json!({"SecurityGroupIngress": [{"IpProtocol": "tcp", "FromPort": "80", "ToPort": "80", "CidrIp": "0.0.0.0/0"}]}),
        );
        let aws = security_group_rule("g", &translated["rules"][0], None);
        assert_eq!(aws["security_group_rule"]["remote_ip_prefix"], "0.0.0.0/0");
        assert_eq!(aws["security_group_rule"]["port_range_min"], 80);
    }
}
