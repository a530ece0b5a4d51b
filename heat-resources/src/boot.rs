//! A server's boot: the user data its cloud is given and the settings its
//! agents read, as Heat's server resources make them.
//!
//! `user_data_format` says what the user data becomes. `RAW` is given as
//! it is. `HEAT_CFNTOOLS` (an `OS::Nova::Server`'s default, and every
//! `AWS::EC2::Instance`) and `SOFTWARE_CONFIG` become a multipart message
//! for cloud-init: a cloud-config, a boot hook and a part handler (their
//! texts are heat-rs's own, under `src/boot/`), then the user's data (for
//! `HEAT_CFNTOOLS` the `cfn-userdata` part, run by the `loguserdata`
//! script that follows it; for `SOFTWARE_CONFIG` the data itself, or the
//! parts of a multipart message), the resource's metadata as
//! `cfn-init-data`, and for `HEAT_CFNTOOLS` the Query API's address as
//! `cfn-metadata-server` and `cfn-boto-cfg`: what heat-cfntools (cfn-init,
//! cfn-signal, cfn-push-stats) read in `/var/lib/heat-cfntools`.
//!
//! A `SOFTWARE_CONFIG` server's metadata also carries its
//! `os-collect-config` settings (shown as its `os_collect_config`
//! attribute): the `cfn` collector polls the resource's metadata through
//! the CloudFormation API with the credentials [`GuestKeys`] derives for
//! the server, and finds its `deployments` there. heat-rs makes no
//! Keystone users, Swift objects or Zaqar queues, so every
//! `software_config_transport` is served by that collector.

use heat_core::engine::ResourceSpec;
use serde_json::{json, Value as Json};

use crate::mime::{self, Part};
use crate::GuestKeys;

const CLOUD_CONFIG: &str = include_str!("boot/cloud-config");
const BOOTHOOK: &str = include_str!("boot/boothook.sh");
const PART_HANDLER: &str = include_str!("boot/part-handler.py");
const LOGUSERDATA: &str = include_str!("boot/loguserdata.sh");

/// The parts of boot user data that are heat-rs's own, by filename (the
/// rest are the user's).
const OWN_PARTS: [&str; 7] = [
    "cloud-config",
    "boothook.sh",
    "part-handler.py",
    "loguserdata.sh",
    "cfn-init-data",
    "cfn-metadata-server",
    "cfn-boto-cfg",
];

/// A server's `user_data_format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    /// heat-cfntools' files and the user data run by cloud-init.
    HeatCfntools,
    /// The user data as it is.
    Raw,
    /// The user data and os-collect-config's settings.
    SoftwareConfig,
}

/// The format of a resource's user data, `None` for a type that is no
/// server. `properties` have their defaults.
fn format(type_name: &str, properties: &Json) -> Option<Format> {
    match type_name {
        "AWS::EC2::Instance" => Some(Format::HeatCfntools),
        "OS::Nova::Server" => Some(
            match properties.get("user_data_format").and_then(Json::as_str) {
                Some("RAW") => Format::Raw,
                Some("SOFTWARE_CONFIG") => Format::SoftwareConfig,
                _ => Format::HeatCfntools,
            },
        ),
        _ => None,
    }
}

/// Where heat-cfntools and os-collect-config find the metadata: the Query
/// API's `/v1/`.
fn metadata_url(keys: &GuestKeys) -> String {
    format!("{}/v1/", keys.cfn_url())
}

/// The `os-collect-config` settings of a `SOFTWARE_CONFIG` server
/// (`properties` with their defaults); `None` for any other resource.
pub fn collect_config(keys: &GuestKeys, spec: &ResourceSpec, properties: &Json) -> Option<Json> {
    if format(&spec.type_name, properties)? != Format::SoftwareConfig {
        return None;
    }
    let access = keys.access_key(&spec.stack_id, &spec.name);
    Some(json!({
        "collectors": ["ec2", "cfn", "local"],
        "cfn": {
            "metadata_url": metadata_url(keys),
            "access_key_id": access,
            "secret_access_key": keys.secret(&access),
            "stack_name": spec.stack_name,
            "path": format!("{}.Metadata", spec.name),
        },
    }))
}

/// A `SOFTWARE_CONFIG` server's metadata as its agents see it at boot:
/// the template's, with no deployments yet and its `os-collect-config`.
fn boot_metadata(metadata: &Json, collect: Option<Json>) -> Json {
    let Some(collect) = collect else {
        return metadata.clone();
    };
    let mut m = match metadata {
        Json::Object(m) => m.clone(),
        _ => serde_json::Map::new(),
    };
    m.entry("deployments").or_insert_with(|| json!([]));
    m.insert("os-collect-config".into(), collect);
    Json::Object(m)
}

/// The user data a server's cloud is given (`properties` with their
/// defaults, translated to OpenStack's names); `None` when it is given as
/// it is (`RAW`, or not a server).
pub fn user_data(keys: &GuestKeys, spec: &ResourceSpec, properties: &Json) -> Option<String> {
    let format = format(&spec.type_name, properties)?;
    if format == Format::Raw {
        return None;
    }
    let data = properties
        .get("user_data")
        .and_then(Json::as_str)
        .unwrap_or_default();
    let mut parts = vec![
        Part::new("cloud-config", Some("cloud-config"), CLOUD_CONFIG),
        Part::new("cloud-boothook", Some("boothook.sh"), BOOTHOOK),
        Part::new("part-handler", Some("part-handler.py"), PART_HANDLER),
    ];
    match format {
        Format::HeatCfntools => {
            parts.push(Part::new("x-cfninitdata", Some("cfn-userdata"), data));
            parts.push(Part::new(
                "x-shellscript",
                Some("loguserdata.sh"),
                LOGUSERDATA,
            ));
        }
        // A message's parts are spliced in, as Heat does.
        _ => parts
            .extend(mime::split(data).unwrap_or_else(|| vec![Part::new("plain", Some(""), data)])),
    }
    let metadata = boot_metadata(&spec.metadata, collect_config(keys, spec, properties));
    if metadata.as_object().is_some_and(|m| !m.is_empty()) {
        parts.push(Part::new(
            "x-cfninitdata",
            Some("cfn-init-data"),
            metadata.to_string(),
        ));
    }
    if format == Format::HeatCfntools {
        let url = metadata_url(keys);
        let (secure, host) = match url.split_once("://") {
            Some((scheme, rest)) => (
                scheme == "https",
                rest.split(['/', ':']).next().unwrap_or_default(),
            ),
            None => (false, url.as_str()),
        };
        let boto = format!(
            "[Boto]\ndebug = 0\nis_secure = {}\nhttps_validate_certificates = {}\n\
             cfn_region_name = heat\ncfn_region_endpoint = {host}",
            if secure { "True" } else { "False" },
            if secure { "True" } else { "False" },
        );
        parts.push(Part::new(
            "x-cfninitdata",
            Some("cfn-metadata-server"),
            url.clone(),
        ));
        parts.push(Part::new("x-cfninitdata", Some("cfn-boto-cfg"), boto));
    }
    Some(mime::message(&parts))
}

/// What a guest runs of its user data: the user's own parts of boot user
/// data (their texts, one after another); other user data as it is.
pub fn guest_script(user_data: &str) -> String {
    match mime::split(user_data) {
        Some(parts)
            if parts
                .iter()
                .any(|p| p.filename.as_deref() == Some("part-handler.py")) =>
        {
            parts
                .into_iter()
                .filter(|p| !OWN_PARTS.contains(&p.filename.as_deref().unwrap_or_default()))
                .map(|p| p.body)
                .collect::<Vec<_>>()
                .join("\n")
        }
        _ => user_data.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(type_name: &str, properties: Json, metadata: Json) -> ResourceSpec {
        ResourceSpec {
            project: "p".into(),
            stack_id: "sid".into(),
            stack_name: "web".into(),
            name: "server".into(),
            type_name: type_name.into(),
            properties,
            metadata,
            update_policy: Json::Null,
            deletion_policy: "Delete".into(),
        }
    }

    fn keys() -> GuestKeys {
        GuestKeys::new([7; 32], "https://heat.example.com:8000")
    }

    fn parts(data: &str) -> Vec<Part> {
        mime::split(data).expect("a multipart message")
    }

    fn named<'p>(parts: &'p [Part], name: &str) -> &'p Part {
        parts
            .iter()
            .find(|p| p.filename.as_deref() == Some(name))
            .unwrap_or_else(|| panic!("no part {name}: {parts:?}"))
    }

    #[test]
    fn raw_user_data_and_other_types_are_given_as_they_are() {
        let raw = json!({"user_data": "#!/bin/sh\necho hi", "user_data_format": "RAW"});
        assert_eq!(
            user_data(
                &keys(),
                &spec("OS::Nova::Server", raw.clone(), Json::Null),
                &raw
            ),
            None
        );
        assert_eq!(
            user_data(
                &keys(),
                &spec("OS::Neutron::Port", raw.clone(), Json::Null),
                &raw
            ),
            None
        );
    }

    #[test]
    fn cfntools_user_data_carries_the_script_the_metadata_and_the_query_api() {
        let props = json!({"user_data": "#!/bin/sh\ncfn-init -s web -r server", "user_data_format": "HEAT_CFNTOOLS"});
        let meta = json!({"AWS::CloudFormation::Init": {"config": {"files": {}}}});
        let data = user_data(
            &keys(),
            &spec("OS::Nova::Server", props.clone(), meta.clone()),
            &props,
        )
        .unwrap();
        let p = parts(&data);
        let names: Vec<_> = p.iter().map(|p| p.filename.clone().unwrap()).collect();
        assert_eq!(
            names,
            [
                "cloud-config",
                "boothook.sh",
                "part-handler.py",
                "cfn-userdata",
                "loguserdata.sh",
                "cfn-init-data",
                "cfn-metadata-server",
                "cfn-boto-cfg"
            ]
        );
        assert_eq!(p[1].subtype, "cloud-boothook");
        assert_eq!(p[2].subtype, "part-handler");
        let userdata = named(&p, "cfn-userdata");
        assert_eq!(userdata.subtype, "x-cfninitdata");
        assert_eq!(userdata.body, "#!/bin/sh\ncfn-init -s web -r server");
        assert_eq!(named(&p, "loguserdata.sh").subtype, "x-shellscript");
        let init: Json = serde_json::from_str(&named(&p, "cfn-init-data").body).unwrap();
        assert_eq!(init, meta);
        assert_eq!(
            named(&p, "cfn-metadata-server").body,
            "https://heat.example.com:8000/v1/"
        );
        let boto = &named(&p, "cfn-boto-cfg").body;
        assert!(boto.contains("is_secure = True"), "{boto}");
        assert!(
            boto.contains("cfn_region_endpoint = heat.example.com"),
            "{boto}"
        );
        // An AWS instance's is the same; without metadata no cfn-init-data.
        let data = user_data(
            &keys(),
            &spec("AWS::EC2::Instance", props.clone(), Json::Null),
            &props,
        )
        .unwrap();
        assert!(parts(&data)
            .iter()
            .all(|p| p.filename.as_deref() != Some("cfn-init-data")));
        assert_eq!(guest_script(&data), "#!/bin/sh\ncfn-init -s web -r server");
    }

    #[test]
    fn software_config_servers_get_os_collect_config_polling_the_query_api() {
        let k = keys();
        let props = json!({"user_data": "#!/bin/sh\necho boot", "user_data_format": "SOFTWARE_CONFIG", "software_config_transport": "POLL_SERVER_CFN"});
        let s = spec("OS::Nova::Server", props.clone(), json!({"role": "db"}));
        let data = user_data(&k, &s, &props).unwrap();
        let p = parts(&data);
        assert!(p
            .iter()
            .all(|p| p.filename.as_deref() != Some("cfn-userdata")));
        let script = p.iter().find(|p| p.body == "#!/bin/sh\necho boot").unwrap();
        assert_eq!(
            (script.subtype.as_str(), script.filename.as_deref()),
            ("plain", Some(""))
        );
        let init: Json = serde_json::from_str(&named(&p, "cfn-init-data").body).unwrap();
        assert_eq!(init["role"], "db");
        assert_eq!(init["deployments"], json!([]));
        let occ = &init["os-collect-config"];
        assert_eq!(occ["collectors"], json!(["ec2", "cfn", "local"]));
        assert_eq!(
            occ["cfn"]["metadata_url"],
            "https://heat.example.com:8000/v1/"
        );
        assert_eq!(occ["cfn"]["stack_name"], "web");
        assert_eq!(occ["cfn"]["path"], "server.Metadata");
        // The credentials are the server's own, which the Query API honours.
        let access = occ["cfn"]["access_key_id"].as_str().unwrap();
        assert_eq!(
            GuestKeys::owner_of(access),
            Some(("sid".into(), "server".into()))
        );
        assert_eq!(occ["cfn"]["secret_access_key"], json!(k.secret(access)));
        assert_eq!(Some(occ.clone()), collect_config(&k, &s, &props));
        assert_eq!(guest_script(&data), "#!/bin/sh\necho boot");
        // A multipart message's parts are the user's parts.
        let message = mime::message(&[
            Part::new("x-shellscript", None, "#!/bin/sh\necho one"),
            Part::new("cloud-config", Some("more.yaml"), "packages: [git]"),
        ]);
        let props = json!({"user_data": message, "user_data_format": "SOFTWARE_CONFIG"});
        let p = parts(
            &user_data(
                &k,
                &spec("OS::Nova::Server", props.clone(), Json::Null),
                &props,
            )
            .unwrap(),
        );
        assert_eq!(
            p[3],
            Part::new("x-shellscript", None, "#!/bin/sh\necho one")
        );
        assert_eq!(
            p[4],
            Part::new("cloud-config", Some("more.yaml"), "packages: [git]")
        );
        // Other formats have no agent settings.
        let cfn = json!({"user_data_format": "HEAT_CFNTOOLS"});
        assert_eq!(
            collect_config(&k, &spec("OS::Nova::Server", cfn.clone(), Json::Null), &cfn),
            None
        );
    }
}
