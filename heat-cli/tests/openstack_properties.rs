//! `heat --os-cloud` against a real OpenStack for properties Heat sends
//! that heat-rs once dropped, each read back from the cloud's own API: a
//! security group's rules (self-referencing, described, egress replacing
//! Neutron's defaults), a subnet without a gateway, a floating IP at the
//! address asked for on the subnet asked for, an association to a port's
//! second address, a volume made read-only, servers booted from a volume
//! and with a volume at a device, an instance's `Volumes`, a rebuild that
//! takes the new password, a router's fixed gateway address, a server
//! without networks and with its disk configuration, files to inject
//! refused by name, a server's internal port on the subnet asked for with
//! its floating IP. Built only with
//! `--features openstack-live`; `.ci/run` starts the cloud of
//! ../shared/openstack and sets `OS_CLOUD`.

mod live;

use live::*;
use serde_json::{json, Value as Json};

/// A security group's rules as Heat makes them: a rule in `remote_group_id`
/// mode naming no group admits the group's own members (not everyone), a
/// rule's description is kept, and an egress rule replaces Neutron's
/// default egress rules (all traffic out); an update to rules without
/// egress brings the defaults back and removes what the template no
/// longer gives.
#[tokio::test(flavor = "multi_thread")]
async fn a_security_groups_rules_are_heats() {
    let (session, heat, _) = setup("rules");
    let template = heat.dir.join("rules.yaml");
    let text = |rules: &str| {
        format!(
            "heat_template_version: 2018-08-31\nresources:\n  group:\n    type: OS::Neutron::SecurityGroup\n    properties:\n      rules:\n{rules}"
        )
    };
    std::fs::write(
        &template,
        text(
            "        - {protocol: tcp, port_range_min: 22, port_range_max: 22, remote_mode: remote_group_id, description: ssh among members}\n        - {direction: egress, protocol: tcp, port_range_min: 443, port_range_max: 443, remote_ip_prefix: 10.0.0.0/8}\n",
        ),
    )
    .unwrap();
    let name = format!("rules{}", std::process::id());
    let t = template.display().to_string();
    let created = heat.json(&["stack", "create", &name, "-t", &t, "-f", "json"]);
    assert_eq!(created["stack_status"], "CREATE_COMPLETE", "{created}");
    let group = heat.physical_ids(&name)["group"].clone();
    let rules = || async {
        let listed = get(
            &session,
            "network",
            &format!("/security-group-rules?security_group_id={group}"),
        )
        .await
        .unwrap();
        listed["security_group_rules"].as_array().unwrap().clone()
    };
    let held = rules().await;
    let ssh: Vec<&Json> = held.iter().filter(|r| r["port_range_min"] == 22).collect();
    assert_eq!(ssh.len(), 1, "{held:?}");
    assert_eq!(ssh[0]["remote_group_id"], group.as_str(), "{held:?}");
    assert_eq!(ssh[0]["remote_ip_prefix"], Json::Null, "{held:?}");
    assert_eq!(ssh[0]["description"], "ssh among members", "{held:?}");
    let egress: Vec<&Json> = held.iter().filter(|r| r["direction"] == "egress").collect();
    assert_eq!(egress.len(), 1, "only the template's egress rule: {held:?}");
    assert_eq!(egress[0]["port_range_min"], 443, "{held:?}");

    std::fs::write(
        &template,
        text("        - {protocol: tcp, port_range_min: 80, port_range_max: 80}\n"),
    )
    .unwrap();
    let updated = heat.json(&["stack", "update", &name, "-t", &t, "-f", "json"]);
    assert_eq!(updated["stack_status"], "UPDATE_COMPLETE", "{updated}");
    assert_eq!(heat.physical_ids(&name)["group"], group, "updated in place");
    let held = rules().await;
    let ingress: Vec<&Json> = held
        .iter()
        .filter(|r| r["direction"] == "ingress")
        .map(|r| &r["port_range_min"])
        .collect();
    assert_eq!(ingress, [&json!(80)], "{held:?}");
    let mut egress: Vec<String> = held
        .iter()
        .filter(|r| r["direction"] == "egress")
        .map(|r| format!("{} {}", r["ethertype"], r["protocol"]))
        .collect();
    egress.sort();
    assert_eq!(
        egress,
        ["\"IPv4\" null", "\"IPv6\" null"],
        "the defaults back: {held:?}"
    );

    heat.delete(&name);
    assert!(
        get(&session, "network", &format!("/security-groups/{group}"))
            .await
            .is_none(),
        "the group was left behind"
    );
}

/// The `skip`th address of the public subnet's top range that no port
/// holds now.
async fn free_public_address(session: &Session, skip: usize) -> String {
    let ports = get(session, "network", "/ports").await.unwrap();
    let held: Vec<String> = ports["ports"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["fixed_ips"].as_array().cloned().unwrap_or_default())
        .filter_map(|f| f["ip_address"].as_str().map(String::from))
        .collect();
    (200..250)
        .map(|n| format!("172.24.4.{}", n + std::process::id() % 5))
        .filter(|a| !held.contains(a))
        .nth(skip)
        .expect("a free public address")
}

/// Creates stack `name` from the template `write(address)` writes at
/// `template`, `address` one of the public subnet that no port holds;
/// another one when it was taken in between (by a floating IP another
/// test made). The stack shown, and the address.
async fn create_at_free_address(
    session: &Session,
    heat: &Heat,
    name: &str,
    template: &str,
    write: impl Fn(&str),
) -> (Json, String) {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    for _ in 0..5 {
        let skip = NEXT.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let address = free_public_address(session, skip).await;
        write(&address);
        let (_, out, err) = heat.run(&["stack", "create", name, "-t", template, "-f", "json"]);
        let created: Json =
            serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}{err}"));
        if created["stack_status"] == "CREATE_COMPLETE" {
            return (created, address);
        }
        assert!(
            created["stack_status_reason"]
                .as_str()
                .is_some_and(|r| r.contains("already allocated")),
            "{created}{err}"
        );
        let (code, out, err) = heat.run(&["stack", "delete", name, "--yes", "--wait"]);
        assert_eq!(code, 0, "{out}{err}");
    }
    panic!("no free public address in five tries");
}

#[tokio::test(flavor = "multi_thread")]
async fn properties_heat_sends_reach_the_cloud() {
    let (session, heat, _) = setup("properties");
    let public = get(&session, "network", "/networks?name=public")
        .await
        .unwrap();
    let public_subnet = public["networks"][0]["subnets"][0]
        .as_str()
        .map(String::from)
        .unwrap_or_else(|| panic!("no public subnet: {public}"));
    let octet = std::process::id() % 200 + 20;
    let template = heat.dir.join("properties.yaml");
    let write = |address: &str| {
        std::fs::write(
            &template,
            format!(
            "heat_template_version: 2018-08-31
resources:
  net: {{type: OS::Neutron::Net}}
  isolated:
    type: OS::Neutron::Subnet
    properties: {{network: {{get_resource: net}}, cidr: 10.{octet}.20.0/24, gateway_ip: null}}
  routed:
    type: OS::Neutron::Subnet
    properties: {{network: {{get_resource: net}}, cidr: 10.{octet}.21.0/24}}
  router:
    type: OS::Neutron::Router
    properties: {{external_gateway_info: {{network: public}}}}
  interface:
    type: OS::Neutron::RouterInterface
    properties: {{router: {{get_resource: router}}, subnet: {{get_resource: routed}}}}
  port:
    type: OS::Neutron::Port
    properties:
      network: {{get_resource: net}}
      fixed_ips: [{{subnet: {{get_resource: routed}}}}, {{subnet: {{get_resource: routed}}}}]
  fip:
    type: OS::Neutron::FloatingIP
    properties: {{floating_network: public, floating_subnet: {public_subnet}, floating_ip_address: {address}}}
  association:
    type: OS::Neutron::FloatingIPAssociation
    depends_on: interface
    properties:
      floatingip_id: {{get_resource: fip}}
      port_id: {{get_resource: port}}
      fixed_ip_address: {{get_attr: [port, fixed_ips, 1, ip_address]}}
  volume:
    type: OS::Cinder::Volume
    properties: {{size: 1, read_only: true}}
outputs:
  second: {{value: {{get_attr: [port, fixed_ips, 1, ip_address]}}}}
"
            ),
        )
        .unwrap()
    };
    let name = format!("props{}", std::process::id());
    let t = template.display().to_string();
    let (created, address) = create_at_free_address(&session, &heat, &name, &t, write).await;
    let ids = heat.physical_ids(&name);
    let read = |service: &'static str, path: String| {
        let session = &session;
        async move { get(session, service, &path).await.unwrap() }
    };

    // No gateway when it is given as null (Neutron picks one otherwise).
    let isolated = read("network", format!("/subnets/{}", ids["isolated"])).await;
    assert_eq!(isolated["subnet"]["gateway_ip"], Json::Null, "{isolated}");
    let routed = read("network", format!("/subnets/{}", ids["routed"])).await;
    assert!(routed["subnet"]["gateway_ip"].is_string(), "{routed}");
    // The floating IP at the address asked, associated to the port's
    // second address.
    let fip = read("network", format!("/floatingips/{}", ids["fip"])).await;
    assert_eq!(
        fip["floatingip"]["floating_ip_address"],
        address.as_str(),
        "{fip}"
    );
    assert_eq!(fip["floatingip"]["port_id"], ids["port"].as_str(), "{fip}");
    assert_eq!(
        fip["floatingip"]["fixed_ip_address"],
        output(&created, "second").as_str(),
        "{fip}"
    );
    // The volume read-only from its create.
    let volume = read("volume", format!("/volumes/{}", ids["volume"])).await;
    assert_eq!(volume["volume"]["metadata"]["readonly"], "True", "{volume}");

    heat.delete(&name);
    assert_nothing_named(&session, &name).await;
    let fips = get(&session, "network", &format!("/floatingips/{}", ids["fip"])).await;
    assert!(fips.is_none(), "the floating IP was left behind: {fips:?}");
}

/// Block devices as Heat gives them to Nova: a bootable volume (made by
/// the test) that a server boots from (`block_device_mapping_v2`, booting
/// first and kept by Heat's defaults), and a stack's volume at a device of another server (the
/// legacy `block_device_mapping`). (This Cinder's fake driver cannot copy
/// an image to a volume, so an image source is checked by the unit tests.)
#[tokio::test(flavor = "multi_thread")]
async fn servers_boot_with_their_block_devices() {
    let (session, heat, _) = setup("devices");
    let template = heat.dir.join("devices.yaml");
    std::fs::write(
        &template,
        "heat_template_version: 2018-08-31
parameters:
  root: {type: string}
resources:
  data: {type: OS::Cinder::Volume, properties: {size: 1}}
  booted:
    type: OS::Nova::Server
    properties:
      flavor: m1.nano
      networks: [{network: private}]
      block_device_mapping_v2: [{volume_id: {get_param: root}}]
  legacy:
    type: OS::Nova::Server
    properties:
      image: oslocal-tiny
      flavor: m1.nano
      networks: [{network: private}]
      block_device_mapping: [{device_name: vdb, volume_id: {get_resource: data}}]
",
    )
    .unwrap();
    let name = format!("bdm{}", std::process::id());
    let t = template.display().to_string();
    let root = session
        .request(
            "volume",
            Method::POST,
            "/volumes",
            Some(&json!({"volume": {"size": 1, "name": format!("root-{name}")}})),
        )
        .await
        .unwrap()["volume"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let root_path = format!("/volumes/{root}");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while get(&session, "volume", &root_path).await.unwrap()["volume"]["status"] != "available" {
        assert!(
            std::time::Instant::now() < deadline,
            "the root volume never became available"
        );
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    }
    session
        .request(
            "volume",
            Method::POST,
            &format!("{root_path}/action"),
            Some(&json!({"os-set_bootable": {"bootable": true}})),
        )
        .await
        .unwrap();
    let created = heat.json(&[
        "stack",
        "create",
        &name,
        "-t",
        &t,
        "--parameter",
        &format!("root={root}"),
        "-f",
        "json",
    ]);
    assert_eq!(created["stack_status"], "CREATE_COMPLETE", "{created}");
    let ids = heat.physical_ids(&name);
    let attached = |server: String| {
        let session = &session;
        async move {
            let s = get(session, "compute", &format!("/servers/{server}"))
                .await
                .unwrap();
            s["server"]["os-extended-volumes:volumes_attached"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v["id"].as_str().unwrap().to_string())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(attached(ids["booted"].clone()).await, [root.as_str()]);
    assert_eq!(attached(ids["legacy"].clone()).await, [ids["data"].clone()]);

    heat.delete(&name);
    // Kept by the delete (Heat's default), then the test's own to delete.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while get(&session, "volume", &root_path).await.unwrap()["volume"]["status"] != "available" {
        assert!(
            std::time::Instant::now() < deadline,
            "the root volume was not let go"
        );
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    }
    session
        .request("volume", Method::DELETE, &root_path, None)
        .await
        .unwrap();
    assert_nothing_named(&session, &name).await;
}

/// An `AWS::EC2::Instance`'s `Volumes`: the stack's volume at the device
/// given (Heat attaches them; heat-rs dropped them).
#[tokio::test(flavor = "multi_thread")]
async fn an_instances_volumes_are_attached() {
    let (session, heat, _) = setup("instance-volumes");
    let private = get(&session, "network", "/networks?name=private")
        .await
        .unwrap();
    let subnet = private["networks"][0]["subnets"][0]
        .as_str()
        .unwrap_or_else(|| panic!("no private subnet: {private}"))
        .to_string();
    let template = heat.dir.join("instance.yaml");
    std::fs::write(
        &template,
        "AWSTemplateFormatVersion: '2010-09-09'
Parameters:
  Subnet: {Type: String}
Resources:
  Data: {Type: 'AWS::EC2::Volume', Properties: {Size: 1, AvailabilityZone: nova}}
  Web:
    Type: AWS::EC2::Instance
    Properties:
      ImageId: oslocal-tiny
      InstanceType: m1.nano
      SubnetId: {Ref: Subnet}
      Volumes: [{VolumeId: {Ref: Data}, Device: /dev/vdb}]
",
    )
    .unwrap();
    let name = format!("vols{}", std::process::id());
    let t = template.display().to_string();
    let created = heat.json(&[
        "stack",
        "create",
        &name,
        "-t",
        &t,
        "--parameter",
        &format!("Subnet={subnet}"),
        "-f",
        "json",
    ]);
    assert_eq!(created["stack_status"], "CREATE_COMPLETE", "{created}");
    let ids = heat.physical_ids(&name);
    let attachments = get(
        &session,
        "compute",
        &format!("/servers/{}/os-volume_attachments", ids["Web"]),
    )
    .await
    .unwrap();
    let held: Vec<(&str, &str)> = attachments["volumeAttachments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["volumeId"].as_str().unwrap(),
                a["device"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(held, [(ids["Data"].as_str(), "/dev/vdb")], "{attachments}");
    delete_leaving_none(&session, &heat, &name, "volume", &[("Data", "volumes")]).await;
}

/// A new image rebuilds the server in place, as Heat's `_update_image`:
/// one rebuild that takes the new password (Nova would make up another
/// without it), no separate password change; asked to keep the ephemeral
/// disk, the rebuild says so to Nova (whose fake driver refuses, with its
/// message).
#[tokio::test(flavor = "multi_thread")]
async fn a_rebuild_takes_the_new_password() {
    let (session, heat, _) = setup("rebuild");
    let images = get(&session, "image", "/images?name=oslocal-tiny")
        .await
        .unwrap();
    let image_id = images["images"][0]["id"].as_str().unwrap().to_string();
    let template = heat.dir.join("rebuild.yaml");
    let text = |image: &str, password: &str, policy: &str| {
        format!(
            "heat_template_version: 2018-08-31
resources:
  server:
    type: OS::Nova::Server
    properties:
      image: {image}
      flavor: m1.nano
      networks: [{{network: private}}]
      admin_pass: {password}
      image_update_policy: {policy}
"
        )
    };
    std::fs::write(&template, text("oslocal-tiny", "first-pass", "REBUILD")).unwrap();
    let name = format!("rebuild{}", std::process::id());
    let t = template.display().to_string();
    let created = heat.json(&["stack", "create", &name, "-t", &t, "-f", "json"]);
    assert_eq!(created["stack_status"], "CREATE_COMPLETE", "{created}");
    let server = heat.physical_ids(&name)["server"].clone();

    std::fs::write(&template, text(&image_id, "second-pass", "REBUILD")).unwrap();
    let updated = heat.json(&["stack", "update", &name, "-t", &t, "-f", "json"]);
    assert_eq!(updated["stack_status"], "UPDATE_COMPLETE", "{updated}");
    assert_eq!(
        heat.physical_ids(&name)["server"],
        server,
        "rebuilt in place"
    );
    let actions = get(
        &session,
        "compute",
        &format!("/servers/{server}/os-instance-actions"),
    )
    .await
    .unwrap();
    let mut done: Vec<&str> = actions["instanceActions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["action"].as_str().unwrap())
        .collect();
    done.sort();
    assert_eq!(done, ["create", "rebuild"], "{actions}");

    std::fs::write(
        &template,
        text("oslocal-tiny", "second-pass", "REBUILD_PRESERVE_EPHEMERAL"),
    )
    .unwrap();
    let (_, out, err) = heat.run(&["stack", "update", &name, "-t", &t, "-f", "json"]);
    assert!(
        out.contains("UPDATE_FAILED")
            && out.contains("does not support preserving ephemeral partitions"),
        "{out}{err}"
    );
    assert_eq!(heat.physical_ids(&name)["server"], server);

    heat.delete(&name);
    assert_nothing_named(&session, &name).await;
}

/// A router's gateway at the address asked for; a server without networks
/// (`allocate_network: none`) and its disk configuration; a server's files
/// to inject (`personality`) refused with a message, as Heat refuses them
/// on a Nova that no longer takes them.
#[tokio::test(flavor = "multi_thread")]
async fn routers_and_servers_take_what_heat_gives_them() {
    let (session, heat, _) = setup("more-properties");
    let template = heat.dir.join("more.yaml");
    let text = |address: &str, personality: &str| {
        format!(
            "heat_template_version: 2018-08-31
resources:
  router:
    type: OS::Neutron::Router
    properties:
      external_gateway_info:
        network: public
        external_fixed_ips: [{{ip_address: {address}}}]
  server:
    type: OS::Nova::Server
    properties:
      image: oslocal-tiny
      flavor: m1.nano
      networks: [{{allocate_network: none}}]
      diskConfig: MANUAL
      personality: {personality}
"
        )
    };
    let name = format!("more{}", std::process::id());
    let t = template.display().to_string();
    let (_, address) = create_at_free_address(&session, &heat, &name, &t, |address| {
        std::fs::write(&template, text(address, "{}")).unwrap()
    })
    .await;
    let ids = heat.physical_ids(&name);
    let router = get(&session, "network", &format!("/routers/{}", ids["router"]))
        .await
        .unwrap();
    assert_eq!(
        router["router"]["external_gateway_info"]["external_fixed_ips"][0]["ip_address"],
        address.as_str(),
        "{router}"
    );
    let server = get(&session, "compute", &format!("/servers/{}", ids["server"]))
        .await
        .unwrap();
    assert_eq!(server["server"]["addresses"], json!({}), "{server}");
    assert_eq!(server["server"]["OS-DCF:diskConfig"], "MANUAL", "{server}");
    heat.delete(&name);

    let injected = text(&address, "{/etc/motd: hello}");
    let server_only = &injected[injected.find("  server:").unwrap()..];
    std::fs::write(
        &template,
        format!("heat_template_version: 2018-08-31\nresources:\n{server_only}"),
    )
    .unwrap();
    let (_, out, err) = heat.run(&["stack", "create", &name, "-t", &t, "-f", "json"]);
    assert!(
        out.contains("CREATE_FAILED") && out.contains("personality"),
        "{out}{err}"
    );
    heat.delete(&name);
    assert_nothing_named(&session, &name).await;
}

/// A server on a subnet, as Heat's internal port: a port made for it on
/// that subnet at the address asked for, with the server's security group,
/// its floating IP associated with it once the server is up, deleted with
/// the server.
#[tokio::test(flavor = "multi_thread")]
async fn a_servers_subnet_gets_an_internal_port() {
    let (session, heat, _) = setup("internal-port");
    let octet = std::process::id() % 200 + 20;
    let template = heat.dir.join("internal.yaml");
    std::fs::write(
        &template,
        format!(
            "heat_template_version: 2018-08-31
resources:
  net: {{type: OS::Neutron::Net}}
  first:
    type: OS::Neutron::Subnet
    properties: {{network: {{get_resource: net}}, cidr: 10.{octet}.30.0/24}}
  second:
    type: OS::Neutron::Subnet
    depends_on: first
    properties: {{network: {{get_resource: net}}, cidr: 10.{octet}.31.0/24}}
  router:
    type: OS::Neutron::Router
    properties: {{external_gateway_info: {{network: public}}}}
  interface:
    type: OS::Neutron::RouterInterface
    properties: {{router: {{get_resource: router}}, subnet: {{get_resource: second}}}}
  group:
    type: OS::Neutron::SecurityGroup
    properties: {{rules: [{{protocol: tcp, port_range_min: 22, port_range_max: 22}}]}}
  fip:
    type: OS::Neutron::FloatingIP
    properties: {{floating_network: public}}
  server:
    type: OS::Nova::Server
    depends_on: interface
    properties:
      image: oslocal-tiny
      flavor: m1.nano
      security_groups: [{{get_resource: group}}]
      networks:
        - subnet: {{get_resource: second}}
          fixed_ip: 10.{octet}.31.50
          floating_ip: {{get_resource: fip}}
          port_extra_properties: {{admin_state_up: true}}
"
        ),
    )
    .unwrap();
    let name = format!("iport{}", std::process::id());
    let t = template.display().to_string();
    let created = heat.json(&["stack", "create", &name, "-t", &t, "-f", "json"]);
    assert_eq!(created["stack_status"], "CREATE_COMPLETE", "{created}");
    let ids = heat.physical_ids(&name);
    let ports = get(
        &session,
        "network",
        &format!("/ports?device_id={}", ids["server"]),
    )
    .await
    .unwrap();
    let ports = ports["ports"].as_array().unwrap().clone();
    assert_eq!(ports.len(), 1, "{ports:?}");
    let port = &ports[0];
    assert_eq!(port["name"], "server-port-0", "{port}");
    assert_eq!(
        port["fixed_ips"],
        json!([{"subnet_id": ids["second"], "ip_address": format!("10.{octet}.31.50")}]),
        "{port}"
    );
    assert_eq!(port["security_groups"], json!([ids["group"]]), "{port}");
    let fip = get(&session, "network", &format!("/floatingips/{}", ids["fip"]))
        .await
        .unwrap();
    assert_eq!(fip["floatingip"]["port_id"], port["id"], "{fip}");

    heat.delete(&name);
    let left = get(
        &session,
        "network",
        &format!("/ports/{}", port["id"].as_str().unwrap()),
    )
    .await;
    assert!(left.is_none(), "the internal port was left: {left:?}");
    assert_nothing_named(&session, &name).await;

    // Nova refuses the server: its internal port goes at once.
    let refused = std::fs::read_to_string(&template).unwrap().replace(
        "flavor: m1.nano",
        "flavor: m1.nano\n      availability_zone: nowhere",
    );
    std::fs::write(&template, refused).unwrap();
    let (_, out, err) = heat.run(&["stack", "create", &name, "-t", &t, "-f", "json"]);
    assert!(out.contains("CREATE_FAILED"), "{out}{err}");
    let net = heat.physical_ids(&name)["net"].clone();
    let ports = get(&session, "network", &format!("/ports?network_id={net}"))
        .await
        .unwrap();
    let internal: Vec<&Json> = ports["ports"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["name"] == "server-port-0")
        .collect();
    assert!(internal.is_empty(), "{internal:?}");
    heat.delete(&name);
    assert_nothing_named(&session, &name).await;
}
