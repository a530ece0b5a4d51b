//! Security group rules as Heat makes them: the group's rules reconciled
//! with the template's, as Heat 27's update does, and at create (where it
//! comes to Heat's `_create_rules`: Neutron's default egress rules, all
//! traffic out, deleted when any rule is egress): the defaults count among
//! them when none is egress, each rule the group holds that none of them
//! is deleted, each missing one created. Run again, it changes nothing, so
//! a create retried after a lost reply finishes the group it finds. A rule whose `remote_mode` is
//! `remote_group_id` and that names no group admits the group's own
//! members (Heat's self-referencing rule), never everyone.

use heat_core::engine::{DriverError, DriverErrorKind};
use reqwest::Method;
use serde_json::{json, Value as Json};

use super::{gone, s, OpenStackCloud};
use crate::requests;

/// Whether a rule (as the template gives it) is egress.
fn is_egress(rule: &Json) -> bool {
    rule.get("direction").and_then(Json::as_str) == Some("egress")
}

impl OpenStackCloud {
    /// A rule's `security_group_rule` as Neutron is asked for it, its
    /// remote group resolved.
    async fn rule_body(&self, group_id: &str, rule: &Json) -> Result<Json, DriverError> {
        let by_group = rule.get("remote_mode").and_then(Json::as_str) == Some("remote_group_id");
        let remote = match s(rule, &["remote_group_id"]) {
            Some(g) => Some(
                self.neutron_id("security-groups", "Security group", g)
                    .await?,
            ),
            None if by_group => Some(group_id.to_string()),
            None => None,
        };
        Ok(
            requests::security_group_rule(group_id, rule, remote.as_deref())["security_group_rule"]
                .clone(),
        )
    }

    /// The rules a group holds, as Neutron lists them.
    async fn group_rules(&self, group_id: &str) -> Result<Vec<Json>, DriverError> {
        let listed = self
            .get(
                "network",
                &format!("/security-group-rules?security_group_id={group_id}"),
            )
            .await?;
        Ok(listed["security_group_rules"]
            .as_array()
            .cloned()
            .unwrap_or_default())
    }

    async fn delete_rule(&self, rule: &Json) -> Result<(), DriverError> {
        let id = rule["id"].as_str().unwrap_or_default();
        gone(
            self.session
                .request(
                    "network",
                    Method::DELETE,
                    &format!("/security-group-rules/{id}"),
                    None,
                )
                .await,
        )
    }

    async fn post_rule(&self, body: Json) -> Result<(), DriverError> {
        let body = json!({ "security_group_rule": body });
        match self
            .session
            .request(
                "network",
                Method::POST,
                "/security-group-rules",
                Some(&body),
            )
            .await
        {
            // The rule exists already (a retried create).
            Err(e) if e.kind != DriverErrorKind::Conflict => Err(e),
            _ => Ok(()),
        }
    }

    /// Makes a group's rules those `rules` give (Neutron's default egress
    /// rules among them when none is egress).
    pub(super) async fn reconcile_rules(
        &self,
        group_id: &str,
        rules: &[Json],
    ) -> Result<(), DriverError> {
        let mut desired = rules.to_vec();
        if !desired.iter().any(is_egress) {
            desired.push(json!({"direction": "egress", "ethertype": "IPv4"}));
            desired.push(json!({"direction": "egress", "ethertype": "IPv6"}));
        }
        let mut bodies = Vec::with_capacity(desired.len());
        for rule in &desired {
            bodies.push(self.rule_body(group_id, rule).await?);
        }
        let held = self.group_rules(group_id).await?;
        for rule in held
            .iter()
            .filter(|h| !bodies.iter().any(|b| same_rule(b, h)))
        {
            self.delete_rule(rule).await?;
        }
        for body in bodies {
            if !held.iter().any(|h| same_rule(&body, h)) {
                self.post_rule(body).await?;
            }
        }
        Ok(())
    }
}

/// Whether a rule Neutron holds is the one a request body asked for (an
/// address prefix of everything is the same as none, as Neutron may keep
/// either).
fn same_rule(asked: &Json, held: &Json) -> bool {
    const FIELDS: [&str; 7] = [
        "direction",
        "ethertype",
        "protocol",
        "port_range_min",
        "port_range_max",
        "remote_group_id",
        "remote_ip_prefix",
    ];
    let norm = |f: &str, v: Option<&Json>| match v {
        None => Json::Null,
        Some(Json::String(p)) if f == "remote_ip_prefix" => match network_of(p) {
            Some(n) if n == "0.0.0.0/0" || n == "::/0" => Json::Null,
            Some(n) => Json::String(n),
            None => Json::String(p.to_ascii_lowercase()),
        },
        Some(Json::String(p)) => Json::String(p.to_ascii_lowercase()),
        // A protocol or port given as a number is Neutron's text of it.
        Some(Json::Number(n)) => Json::String(n.to_string()),
        Some(other) => other.clone(),
    };
    FIELDS
        .iter()
        .all(|f| norm(f, asked.get(*f)) == norm(f, held.get(*f)))
}

/// A CIDR as Neutron keeps it: the network's own address
/// (`10.0.0.5/24` is `10.0.0.0/24`), a bare address as a host route.
fn network_of(cidr: &str) -> Option<String> {
    let (addr, len) = match cidr.split_once('/') {
        Some((a, l)) => (a, Some(l.parse::<u32>().ok()?)),
        None => (cidr, None),
    };
    match addr.parse::<std::net::IpAddr>().ok()? {
        std::net::IpAddr::V4(a) => {
            let len = len.unwrap_or(32).min(32);
            let mask = u32::MAX.checked_shl(32 - len).unwrap_or(0);
            Some(format!(
                "{}/{len}",
                std::net::Ipv4Addr::from(u32::from(a) & mask)
            ))
        }
        std::net::IpAddr::V6(a) => {
            let len = len.unwrap_or(128).min(128);
            let mask = u128::MAX.checked_shl(128 - len).unwrap_or(0);
            Some(format!(
                "{}/{len}",
                std::net::Ipv6Addr::from(u128::from(a) & mask)
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rule_is_found_by_what_neutron_keeps_of_it() {
        let asked = json!({"direction": "ingress", "ethertype": "IPv4", "protocol": "tcp",
            "port_range_min": 22, "port_range_max": 22, "remote_ip_prefix": "10.0.0.5/24"});
        let held = json!({"id": "r1", "direction": "ingress", "ethertype": "IPv4",
            "protocol": "tcp", "port_range_min": 22, "port_range_max": 22,
            "remote_ip_prefix": "10.0.0.0/24", "remote_group_id": null});
        assert!(same_rule(&asked, &held));
        // Everywhere is the same as no prefix; another port is another rule.
        let anywhere = json!({"direction": "ingress", "ethertype": "IPv4", "protocol": "tcp",
            "port_range_min": 22, "port_range_max": 22, "remote_ip_prefix": "0.0.0.0/0"});
        let open = json!({"direction": "ingress", "ethertype": "IPv4", "protocol": "tcp",
            "port_range_min": 22, "port_range_max": 22, "remote_ip_prefix": null});
        assert!(same_rule(&anywhere, &open));
        assert!(!same_rule(
            &anywhere,
            &json!({"direction": "ingress", "ethertype": "IPv4",
            "protocol": "tcp", "port_range_min": 80, "port_range_max": 80})
        ));
        assert_eq!(
            network_of("2001:db8::1/64").as_deref(),
            Some("2001:db8::/64")
        );
        assert_eq!(network_of("10.1.2.3").as_deref(), Some("10.1.2.3/32"));
        assert_eq!(network_of("nonsense"), None);
    }
}
