//! Addresses: CIDRs parsed, the next free address of a subnet, MAC
//! addresses, which network and subnet a name means.

use std::net::Ipv4Addr;

use serde_json::Value as Json;

use super::*;

pub(super) fn parse_cidr(cidr: &str) -> Option<(Ipv4Addr, u32)> {
    let (addr, bits) = cidr.split_once('/')?;
    let bits: u32 = bits.parse().ok().filter(|b| *b <= 32)?;
    Some((addr.parse().ok()?, bits))
}

/// A subnet's range taken from a pool, as Neutron allocates it: the first
/// block of the subnet's `prefixlen` (else the pool's default, else the
/// prefix's own) in the pool's prefixes that no subnet of the pool holds.
pub(in crate::sim) fn carve(pool: &SimObject, subnet: &Json, objects: &Objects) -> Option<String> {
    let held: Vec<(Ipv4Addr, u32)> = objects
        .values()
        .filter(|o| o.kind == "subnet" && o.properties.get("subnetpool").is_some())
        .filter_map(|o| parse_cidr(o.attributes.get("cidr")?.as_str()?))
        .collect();
    let wanted = subnet
        .get("prefixlen")
        .or_else(|| pool.properties.get("default_prefixlen"))
        .and_then(Json::as_u64)
        .map(|b| b as u32);
    for prefix in pool.properties.get("prefixes")?.as_array()? {
        let Some((base, bits)) = prefix.as_str().and_then(parse_cidr) else {
            continue;
        };
        let len = wanted.unwrap_or(bits).clamp(bits, 32);
        let base = u32::from(base) & (u32::MAX.checked_shl(32 - bits).unwrap_or(0));
        let size = 1u64 << (32 - len);
        let count = 1u64 << (len - bits);
        for i in 0..count {
            let start = (u64::from(base) + i * size) as u32;
            let overlaps = held.iter().any(|(h, hb)| {
                let (a0, a1) = (u64::from(start), u64::from(start) + size);
                let b0 = u64::from(u32::from(*h));
                let b1 = b0 + (1u64 << (32 - hb));
                a0 < b1 && b0 < a1
            });
            if !overlaps {
                return Some(format!("{}/{len}", Ipv4Addr::from(start)));
            }
        }
    }
    None
}

/// The next free address of a subnet (.1 is the gateway, .2 DHCP).
pub(super) fn allocate(subnet: &SimObject, objects: &Objects) -> Option<String> {
    let (base, bits) = parse_cidr(subnet.attributes.get("cidr").and_then(Json::as_str)?)?;
    let used: Vec<String> = objects
        .values()
        .flat_map(|o| {
            o.attributes
                .get("fixed_ips")
                .and_then(Json::as_array)
                .cloned()
                .unwrap_or_default()
        })
        .filter(|f| f.get("subnet_id").and_then(Json::as_str) == Some(subnet.id.as_str()))
        .filter_map(|f| f.get("ip_address").and_then(Json::as_str).map(String::from))
        .chain(objects.values().filter_map(|o| {
            (o.kind == "floating_ip"
                && o.attributes
                    .get("floating_subnet_id")
                    .and_then(Json::as_str)
                    == Some(subnet.id.as_str()))
            .then(|| {
                o.attributes
                    .get("floating_ip_address")
                    .and_then(Json::as_str)
                    .map(String::from)
            })
            .flatten()
        }))
        .collect();
    let size = 1u32.checked_shl(32 - bits).unwrap_or(0);
    let start = u32::from(base);
    (3..size.saturating_sub(1))
        .map(|i| Ipv4Addr::from(start + i).to_string())
        .find(|ip| !used.contains(ip))
}

pub(super) fn mac(id: &str) -> String {
    let h: Vec<&str> = vec![&id[0..2], &id[2..4], &id[4..6]];
    format!("fa:16:3e:{}:{}:{}", h[0], h[1], h[2])
}

pub(super) fn network_of<'a>(objects: &'a Objects, name_or_id: &str) -> Option<&'a SimObject> {
    find(objects, "network", name_or_id)
}

pub(super) fn first_subnet<'a>(objects: &'a Objects, network: &SimObject) -> Option<&'a SimObject> {
    objects.values().find(|o| {
        o.kind == "subnet"
            && o.attributes.get("network_id").and_then(Json::as_str) == Some(network.id.as_str())
    })
}

pub(super) fn in_cidr(ip: &str, base: Ipv4Addr, bits: u32) -> bool {
    let Ok(ip) = ip.parse::<Ipv4Addr>() else {
        return false;
    };
    let mask = if bits == 0 {
        0
    } else {
        u32::MAX << (32 - bits)
    };
    u32::from(ip) & mask == u32::from(base) & mask
}
