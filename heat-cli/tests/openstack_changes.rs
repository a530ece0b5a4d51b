//! `heat --os-cloud` changing stacks on a real OpenStack behind and in
//! front of the cloud: `stack check` finds a port deleted through Neutron
//! and the delete still cleans up; suspend and resume reach Nova; new user
//! data replaces a server, a refused networks change rolls back to the
//! same server; Neutron properties Heat updates in place change on the
//! same objects; attachments and associations move, an attached volume
//! is extended (a resumed extend attaches it again); an update cancelled
//! from another process rolls back; a delete SIGKILLed midway is finished
//! by the next. Built only with `--features openstack-live`; `.ci/run`
//! starts the cloud and sets `OS_CLOUD`.

mod live;

use live::*;
use serde_json::Value as Json;

/// A network, a subnet and a port; the port deleted through Neutron behind
/// heat-rs's back: `stack check` fails naming it, and the stack still
/// deletes cleanly, with nothing of it left in the cloud.
#[tokio::test(flavor = "multi_thread")]
async fn check_finds_an_object_removed_by_hand_and_delete_still_cleans_up() {
    let (session, heat, _) = setup("drift");
    let template = heat.dir.join("drift.yaml");
    let octet = std::process::id() % 200 + 20;
    std::fs::write(
        &template,
        format!(
            "heat_template_version: 2018-08-31
resources:
  net: {{type: OS::Neutron::Net}}
  subnet:
    type: OS::Neutron::Subnet
    properties: {{network: {{get_resource: net}}, cidr: 10.{octet}.9.0/24}}
  port:
    type: OS::Neutron::Port
    properties: {{network: {{get_resource: net}}, fixed_ips: [{{subnet: {{get_resource: subnet}}}}]}}
"
        ),
    )
    .unwrap();
    let name = format!("drift{}", std::process::id());
    let t = template.display().to_string();
    let created = heat.json(&["stack", "create", &name, "-t", &t, "-f", "json"]);
    assert_eq!(created["stack_status"], "CREATE_COMPLETE", "{created}");
    let ids = heat.physical_ids(&name);
    let port = ids["port"].clone();
    assert!(get(&session, "network", &format!("/ports/{port}"))
        .await
        .is_some());
    // Healthy: the check passes.
    let checked = heat.json(&["stack", "check", &name, "-f", "json"]);
    assert_eq!(checked["stack_status"], "CHECK_COMPLETE", "{checked}");
    // Removed behind heat-rs's back.
    session
        .request("network", Method::DELETE, &format!("/ports/{port}"), None)
        .await
        .unwrap();
    let (code, out, err) = heat.run(&["stack", "check", &name, "-f", "json"]);
    let checked: Json = serde_json::from_str(&out).unwrap_or(Json::Null);
    assert!(
        code != 0 || checked["stack_status"] == "CHECK_FAILED",
        "{out}{err}"
    );
    let resources = heat.json(&["stack", "resource", "list", &name, "-f", "json"]);
    let port_row = resources
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["resource_name"] == "port")
        .unwrap()
        .clone();
    assert_eq!(port_row["resource_status"], "CHECK_FAILED", "{resources}");
    // The delete does not trip on the missing port; nothing is left.
    heat.delete(&name);
    for (kind, path) in [
        ("port", format!("/ports/{port}")),
        ("subnet", format!("/subnets/{}", ids["subnet"])),
        ("network", format!("/networks/{}", ids["net"])),
    ] {
        assert!(
            get(&session, "network", &path).await.is_none(),
            "the {kind} is still in the cloud"
        );
    }
}

/// Properties Heat updates in place reach Neutron in place: a subnet's
/// DNS servers, a port's allowed address pairs and a floating IP moved to
/// another port (its own `port_id`, or its association's) change on the
/// same objects (no replacement), as Heat's `handle_update`s; a security
/// group's rule taken out is deleted and one added created; a port's
/// groups taken out leave it the default group; a network's tags are
/// replaced; taking the pairs out empties them.
#[tokio::test(flavor = "multi_thread")]
async fn neutron_properties_change_in_place_on_update() {
    let (session, heat, _) = setup("inplace");
    let octet = std::process::id() % 200 + 20;
    let template = |dns: &str,
                    a_extra: &str,
                    fip_port: &str,
                    assoc_port: &str,
                    ports: &str,
                    tags: &str| {
        format!(
            "heat_template_version: 2018-08-31
resources:
  net: {{type: OS::Neutron::Net, properties: {{tags: {tags}}}}}
  subnet:
    type: OS::Neutron::Subnet
    properties: {{network: {{get_resource: net}}, cidr: 10.{octet}.7.0/24, dns_nameservers: {dns}}}
  router:
    type: OS::Neutron::Router
    properties: {{external_gateway_info: {{network: public}}}}
  group:
    type: OS::Neutron::SecurityGroup
    properties:
      rules: {ports}
  interface:
    type: OS::Neutron::RouterInterface
    properties: {{router: {{get_resource: router}}, subnet: {{get_resource: subnet}}}}
  a:
    type: OS::Neutron::Port
    properties: {{network: {{get_resource: net}}, fixed_ips: [{{subnet: {{get_resource: subnet}}}}]{a_extra}}}
  b:
    type: OS::Neutron::Port
    properties: {{network: {{get_resource: net}}, fixed_ips: [{{subnet: {{get_resource: subnet}}}}]}}
  c:
    type: OS::Neutron::Port
    properties: {{network: {{get_resource: net}}, fixed_ips: [{{subnet: {{get_resource: subnet}}}}]}}
  d:
    type: OS::Neutron::Port
    properties: {{network: {{get_resource: net}}, fixed_ips: [{{subnet: {{get_resource: subnet}}}}]}}
  fip:
    type: OS::Neutron::FloatingIP
    depends_on: interface
    properties: {{floating_network: public, port_id: {{get_resource: {fip_port}}}}}
  fip2:
    type: OS::Neutron::FloatingIP
    depends_on: interface
    properties: {{floating_network: public}}
  association:
    type: OS::Neutron::FloatingIPAssociation
    properties: {{floatingip_id: {{get_resource: fip2}}, port_id: {{get_resource: {assoc_port}}}}}
"
        )
    };
    let rules = |ports: &[u16]| {
        let each: Vec<String> = ports
            .iter()
            .map(|p| format!("{{protocol: tcp, port_range_min: {p}, port_range_max: {p}}}"))
            .collect();
        format!("[{}]", each.join(", "))
    };
    let path = heat.dir.join("inplace.yaml");
    let t = path.display().to_string();
    let name = format!("inplace{}", std::process::id());
    std::fs::write(
        &path,
        template(
            "[8.8.8.8]",
            ", security_groups: [{get_resource: group}]",
            "a",
            "c",
            &rules(&[22, 80]),
            "[blue]",
        ),
    )
    .unwrap();
    let created = heat.json(&["stack", "create", &name, "-t", &t, "-f", "json"]);
    assert_eq!(created["stack_status"], "CREATE_COMPLETE", "{created}");
    let before = heat.physical_ids(&name);
    let neutron = |path: String| {
        let session = &session;
        async move { get(session, "network", &path).await.expect(&path) }
    };
    for (f, port) in [("fip", "a"), ("fip2", "c")] {
        let fip = neutron(format!("/floatingips/{}", before[f])).await;
        assert_eq!(fip["floatingip"]["port_id"], before[port].as_str(), "{fip}");
    }
    let port = neutron(format!("/ports/{}", before["a"])).await;
    assert_eq!(
        port["port"]["security_groups"],
        serde_json::json!([before["group"]]),
        "{port}"
    );
    let net = neutron(format!("/networks/{}", before["net"])).await;
    assert_eq!(net["network"]["tags"], serde_json::json!(["blue"]), "{net}");

    let pairs = format!(", allowed_address_pairs: [{{ip_address: 10.{octet}.7.250}}]");
    std::fs::write(
        &path,
        template(
            "[8.8.4.4, 1.1.1.1]",
            &pairs,
            "b",
            "d",
            &rules(&[80, 443]),
            "[green, red]",
        ),
    )
    .unwrap();
    let updated = heat.json(&["stack", "update", &name, "-t", &t, "-f", "json"]);
    assert_eq!(updated["stack_status"], "UPDATE_COMPLETE", "{updated}");
    assert_eq!(
        heat.physical_ids(&name),
        before,
        "updated in place, nothing replaced"
    );
    let subnet = neutron(format!("/subnets/{}", before["subnet"])).await;
    assert_eq!(
        subnet["subnet"]["dns_nameservers"],
        serde_json::json!(["8.8.4.4", "1.1.1.1"]),
        "{subnet}"
    );
    let port = neutron(format!("/ports/{}", before["a"])).await;
    assert_eq!(
        port["port"]["allowed_address_pairs"][0]["ip_address"],
        format!("10.{octet}.7.250").as_str(),
        "{port}"
    );
    // A floating IP moved to the other port, directly and through its
    // association.
    for (f, port) in [("fip", "b"), ("fip2", "d")] {
        let fip = neutron(format!("/floatingips/{}", before[f])).await;
        assert_eq!(fip["floatingip"]["port_id"], before[port].as_str(), "{fip}");
    }

    // The port's groups taken out: the project's default group, as Heat.
    let port = neutron(format!("/ports/{}", before["a"])).await;
    let groups = port["port"]["security_groups"].as_array().unwrap().clone();
    assert_eq!(groups.len(), 1, "{port}");
    let default = neutron(format!("/security-groups/{}", groups[0].as_str().unwrap())).await;
    assert_eq!(default["security_group"]["name"], "default", "{default}");
    // The network's tags replaced.
    let net = neutron(format!("/networks/{}", before["net"])).await;
    let mut tags: Vec<String> = serde_json::from_value(net["network"]["tags"].clone()).unwrap();
    tags.sort();
    assert_eq!(tags, ["green", "red"], "{net}");
    // A rule taken out is gone from the group, a rule added is there.
    let listed = neutron(format!(
        "/security-group-rules?security_group_id={}",
        before["group"]
    ))
    .await;
    let mut ports: Vec<i64> = listed["security_group_rules"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["direction"] == "ingress")
        .filter_map(|r| r["port_range_min"].as_i64())
        .collect();
    ports.sort();
    assert_eq!(ports, [80, 443], "{listed}");

    // The pairs taken out again are emptied.
    std::fs::write(
        &path,
        template(
            "[8.8.4.4, 1.1.1.1]",
            "",
            "b",
            "d",
            &rules(&[80, 443]),
            "[green, red]",
        ),
    )
    .unwrap();
    let updated = heat.json(&["stack", "update", &name, "-t", &t, "-f", "json"]);
    assert_eq!(updated["stack_status"], "UPDATE_COMPLETE", "{updated}");
    let port = neutron(format!("/ports/{}", before["a"])).await;
    assert_eq!(
        port["port"]["allowed_address_pairs"],
        serde_json::json!([]),
        "{port}"
    );

    heat.delete(&name);
    assert_nothing_named(&session, &name).await;
}

/// A server suspended and resumed through heat-rs: Nova says SUSPENDED,
/// then ACTIVE; the stack's statuses follow; nothing is left after delete.
#[tokio::test(flavor = "multi_thread")]
async fn a_server_is_suspended_and_resumed_in_nova() {
    let (session, heat, _) = setup("suspend");
    let template = heat.dir.join("suspend.yaml");
    std::fs::write(
        &template,
        "heat_template_version: 2018-08-31
resources:
  server:
    type: OS::Nova::Server
    properties: {image: oslocal-tiny, flavor: m1.nano, networks: [{network: private}]}
",
    )
    .unwrap();
    let name = format!("suspend{}", std::process::id());
    let t = template.display().to_string();
    let created = heat.json(&["stack", "create", &name, "-t", &t, "-f", "json"]);
    assert_eq!(created["stack_status"], "CREATE_COMPLETE", "{created}");
    let server = heat.physical_ids(&name)["server"].clone();
    async fn status(session: &Session, id: String) -> Option<String> {
        get(session, "compute", &format!("/servers/{id}"))
            .await
            .map(|s| {
                s["server"]["status"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string()
            })
    }
    assert_eq!(
        status(&session, server.clone()).await.as_deref(),
        Some("ACTIVE")
    );
    let suspended = heat.json(&["stack", "suspend", &name, "-f", "json"]);
    assert_eq!(suspended["stack_status"], "SUSPEND_COMPLETE", "{suspended}");
    assert_eq!(
        status(&session, server.clone()).await.as_deref(),
        Some("SUSPENDED")
    );
    let resumed = heat.json(&["stack", "resume", &name, "-f", "json"]);
    assert_eq!(resumed["stack_status"], "RESUME_COMPLETE", "{resumed}");
    assert_eq!(
        status(&session, server.clone()).await.as_deref(),
        Some("ACTIVE")
    );
    heat.delete(&name);
    assert_eq!(
        status(&session, server).await,
        None,
        "the server is still in Nova"
    );
}

/// Updates of a server on Nova: new user data replaces it (a new server,
/// the old one gone from Nova); a networks change, which the driver cannot
/// make in place, fails the update saying so, and with rollback on the
/// stack goes back to the server it had.
#[tokio::test(flavor = "multi_thread")]
async fn a_server_is_replaced_on_update_and_a_networks_change_is_refused_and_rolled_back() {
    let (session, heat, _) = setup("replace");
    let template = heat.dir.join("replace.yaml");
    let write = |user_data: &str, network: &str| {
        std::fs::write(
            &template,
            format!(
                "heat_template_version: 2018-08-31
resources:
  server:
    type: OS::Nova::Server
    properties:
      image: oslocal-tiny
      flavor: m1.nano
      networks: [{{network: {network}}}]
      user_data_format: RAW
      user_data: \"{user_data}\"
"
            ),
        )
        .unwrap();
    };
    write("#!/bin/sh\\necho one\\n", "private");
    let name = format!("replace{}", std::process::id());
    let t = template.display().to_string();
    let created = heat.json(&["stack", "create", &name, "-t", &t, "-f", "json"]);
    assert_eq!(created["stack_status"], "CREATE_COMPLETE", "{created}");
    let first = heat.physical_ids(&name)["server"].clone();
    // New user data: replaced.
    write("#!/bin/sh\\necho two\\n", "private");
    let updated = heat.json(&["stack", "update", &name, "-t", &t, "-f", "json"]);
    assert_eq!(updated["stack_status"], "UPDATE_COMPLETE", "{updated}");
    let second = heat.physical_ids(&name)["server"].clone();
    assert_ne!(second, first, "the server was not replaced");
    assert!(get(&session, "compute", &format!("/servers/{second}"))
        .await
        .is_some());
    let old = get(&session, "compute", &format!("/servers/{first}")).await;
    assert!(
        old.is_none() || old.unwrap()["server"]["status"] == "DELETED",
        "the replaced server is still in Nova"
    );
    // A networks change: refused, rolled back to the server it had.
    write("#!/bin/sh\\necho two\\n", "public");
    let (code, out, err) = heat.run(&[
        "stack",
        "update",
        &name,
        "-t",
        &t,
        "--enable-rollback",
        "-f",
        "json",
    ]);
    let result: Json = serde_json::from_str(&out).unwrap_or(Json::Null);
    assert!(
        code != 0 || result["stack_status"] == "ROLLBACK_COMPLETE",
        "{out}{err}"
    );
    let events = heat.json(&["stack", "event", "list", &name, "-f", "json"]);
    assert!(
        events
            .to_string()
            .contains("cannot change a server's networks in place"),
        "{events}"
    );
    let shown = heat.json(&["stack", "show", &name, "-f", "json"]);
    assert_eq!(shown["stack_status"], "ROLLBACK_COMPLETE", "{shown}");
    assert_eq!(heat.physical_ids(&name)["server"], second);
    assert!(get(&session, "compute", &format!("/servers/{second}"))
        .await
        .is_some());
    heat.delete(&name);
    assert!(
        servers_of(&session, created["id"].as_str().unwrap())
            .await
            .is_empty(),
        "servers left in Nova"
    );
}

/// `heat` SIGKILLed while it deletes a stack (the server going, the
/// network still there): once its lease expires, the next delete takes the
/// stack over and finishes, nothing of it left in the cloud.
#[tokio::test(flavor = "multi_thread")]
async fn a_delete_killed_midway_is_finished_by_the_next_one() {
    let (session, heat, template) = setup("killdel");
    let name = format!("killdel{}", std::process::id());
    let octet = std::process::id() % 200 + 20;
    let created = heat.json(&[
        "stack",
        "create",
        &name,
        "-t",
        &template,
        "--parameter",
        &format!("cidr=10.{octet}.7.0/24"),
        "-f",
        "json",
    ]);
    assert_eq!(created["stack_status"], "CREATE_COMPLETE", "{created}");
    let stack_id = created["id"].as_str().unwrap().to_string();
    let before = servers_of(&session, &stack_id).await;
    assert_eq!(before.len(), 2);
    let mut child = Killed(
        heat.command(&["stack", "delete", &name, "--yes", "--wait"])
            .stdout(std::process::Stdio::null())
            .stderr(heat.child_log())
            .spawn()
            .unwrap(),
    );
    // Kill once the delete has begun in the cloud (a server is going or
    // gone) and the stack is not yet deleted.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    loop {
        assert!(
            std::time::Instant::now() < deadline,
            "the delete never began"
        );
        let list = get(&session, "compute", "/servers/detail").await.unwrap();
        let going = before.iter().any(|id| {
            list["servers"]
                .as_array()
                .unwrap()
                .iter()
                .find(|s| s["id"] == id.as_str())
                .is_none_or(|s| {
                    s["OS-EXT-STS:task_state"] == "deleting" || s["status"] == "DELETED"
                })
        });
        if going {
            child.kill();
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let shown = heat.json(&["stack", "show", &name, "-f", "json"]);
    assert_eq!(shown["stack_status"], "DELETE_IN_PROGRESS", "{shown}");
    tokio::time::sleep(std::time::Duration::from_secs_f64(LEASE + 0.5)).await;
    heat.delete(&name);
    assert_eq!(servers_of(&session, &stack_id).await, Vec::<String>::new());
    assert_nothing_named(&session, &name).await;
}

/// An update cancelled from another process while Nova builds the
/// replacement server: the update rolls back, the original server is the
/// stack's again and the replacement goes from Nova.
#[tokio::test(flavor = "multi_thread")]
async fn an_update_cancelled_midway_rolls_back_on_nova() {
    let (session, heat, _) = setup("cancel");
    let template = heat.dir.join("cancel.yaml");
    let write = |user_data: &str| {
        std::fs::write(
            &template,
            format!(
                "heat_template_version: 2018-08-31
resources:
  server:
    type: OS::Nova::Server
    properties:
      image: oslocal-tiny
      flavor: m1.nano
      networks: [{{network: private}}]
      user_data_format: RAW
      user_data: \"{user_data}\"
"
            ),
        )
        .unwrap();
    };
    write("#!/bin/sh\\necho one\\n");
    let name = format!("cancel{}", std::process::id());
    let t = template.display().to_string();
    let created = heat.json(&[
        "stack",
        "create",
        &name,
        "-t",
        &t,
        "--enable-rollback",
        "-f",
        "json",
    ]);
    assert_eq!(created["stack_status"], "CREATE_COMPLETE", "{created}");
    let stack_id = created["id"].as_str().unwrap().to_string();
    let original = heat.physical_ids(&name)["server"].clone();
    write("#!/bin/sh\\necho two\\n");
    let updating = Killed(
        heat.command(&["stack", "update", &name, "-t", &t, "--enable-rollback"])
            .stdout(std::process::Stdio::null())
            .stderr(heat.child_log())
            .spawn()
            .unwrap(),
    );
    // Cancel once Nova builds the replacement.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    loop {
        assert!(
            std::time::Instant::now() < deadline,
            "no replacement appeared"
        );
        if servers_of(&session, &stack_id).await.len() == 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let (code, out, err) = heat.run(&["stack", "cancel", &name]);
    assert_eq!(code, 0, "{out}{err}");
    let (code, err) = updating.wait_with_output();
    let shown = heat.json(&["stack", "show", &name, "-f", "json"]);
    assert_eq!(
        shown["stack_status"], "ROLLBACK_COMPLETE",
        "{shown} (update exit {code}: {err})"
    );
    assert_eq!(heat.physical_ids(&name)["server"], original);
    assert_eq!(
        servers_of(&session, &stack_id).await,
        vec![original.clone()]
    );
    heat.delete(&name);
    assert!(servers_of(&session, &stack_id).await.is_empty());
}

/// An extend interrupted while the volume was detached (as an engine killed
/// midway leaves it: detached, the server to attach it to again noted in
/// its metadata) is finished by the next update: extended and attached
/// again to its server.
#[tokio::test(flavor = "multi_thread")]
async fn an_extend_interrupted_while_detached_is_finished_by_the_next_update() {
    let (session, heat, _) = setup("extend");
    let template = heat.dir.join("extend.yaml");
    let text = "heat_template_version: 2018-08-31
resources:
  server:
    type: OS::Nova::Server
    properties: {image: oslocal-tiny, flavor: m1.nano, networks: [{network: private}]}
  volume:
    type: OS::Cinder::Volume
    properties: {size: 1}
  attachment:
    type: OS::Cinder::VolumeAttachment
    properties: {instance_uuid: {get_resource: server}, volume_id: {get_resource: volume}}
";
    std::fs::write(&template, text).unwrap();
    let name = format!("extend{}", std::process::id());
    let t = template.display().to_string();
    let created = heat.json(&["stack", "create", &name, "-t", &t, "-f", "json"]);
    assert_eq!(created["stack_status"], "CREATE_COMPLETE", "{created}");
    let ids = heat.physical_ids(&name);
    let (server, volume) = (ids["server"].clone(), ids["volume"].clone());
    let shown = get(&session, "volume", &format!("/volumes/{volume}"))
        .await
        .unwrap();
    let device = shown["volume"]["attachments"][0]["device"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    // What a killed extend leaves: the note, then the volume detached.
    let note = serde_json::json!({"metadata": {"heat_reattach": format!("{server}={device}")}});
    session
        .request(
            "volume",
            Method::POST,
            &format!("/volumes/{volume}/metadata"),
            Some(&note),
        )
        .await
        .unwrap();
    session
        .request(
            "compute",
            Method::DELETE,
            &format!("/servers/{server}/os-volume_attachments/{volume}"),
            None,
        )
        .await
        .unwrap();
    let mut status = String::new();
    for _ in 0..120 {
        let v = get(&session, "volume", &format!("/volumes/{volume}"))
            .await
            .unwrap();
        status = v["volume"]["status"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        if status == "available" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
    assert_eq!(status, "available");
    // The next update extends it and attaches it again.
    std::fs::write(&template, text.replace("{size: 1}", "{size: 2}")).unwrap();
    let updated = heat.json(&["stack", "update", &name, "-t", &t, "-f", "json"]);
    assert_eq!(updated["stack_status"], "UPDATE_COMPLETE", "{updated}");
    let v = get(&session, "volume", &format!("/volumes/{volume}"))
        .await
        .unwrap();
    assert_eq!(v["volume"]["size"], 2, "{v}");
    assert_eq!(v["volume"]["status"], "in-use", "{v}");
    assert_eq!(
        v["volume"]["attachments"][0]["server_id"],
        server.as_str(),
        "{v}"
    );
    assert!(
        v["volume"]["metadata"].get("heat_reattach").is_none(),
        "{v}"
    );
    heat.delete(&name);
    assert!(get(&session, "volume", &format!("/volumes/{volume}"))
        .await
        .is_none());
}

/// A volume attachment moved to another server and a floating IP
/// association moved to another floating IP, in place as Heat moves them:
/// the volume detached from the first server and attached to the second,
/// the first floating IP let go and the second bound to the port; the
/// resources' ids follow; the delete leaves nothing.
#[tokio::test(flavor = "multi_thread")]
async fn attachments_and_associations_move_in_place() {
    let (session, heat, _) = setup("move");
    let template = heat.dir.join("move.yaml");
    let text = |server: &str, fip: &str| {
        format!(
            "heat_template_version: 2018-08-31
resources:
  a:
    type: OS::Nova::Server
    properties: {{image: oslocal-tiny, flavor: m1.nano, networks: [{{network: private}}]}}
  b:
    type: OS::Nova::Server
    properties: {{image: oslocal-tiny, flavor: m1.nano, networks: [{{network: private}}]}}
  volume:
    type: OS::Cinder::Volume
    properties: {{size: 1}}
  attachment:
    type: OS::Cinder::VolumeAttachment
    properties: {{instance_uuid: {{get_resource: {server}}}, volume_id: {{get_resource: volume}}}}
  port:
    type: OS::Neutron::Port
    properties: {{network: private}}
  fip1:
    type: OS::Neutron::FloatingIP
    properties: {{floating_network: public}}
  fip2:
    type: OS::Neutron::FloatingIP
    properties: {{floating_network: public}}
  association:
    type: OS::Neutron::FloatingIPAssociation
    properties: {{floatingip_id: {{get_resource: {fip}}}, port_id: {{get_resource: port}}}}
"
        )
    };
    std::fs::write(&template, text("a", "fip1")).unwrap();
    let name = format!("move{}", std::process::id());
    let t = template.display().to_string();
    let created = heat.json(&["stack", "create", &name, "-t", &t, "-f", "json"]);
    assert_eq!(created["stack_status"], "CREATE_COMPLETE", "{created}");
    let before = heat.physical_ids(&name);
    let volume_at = |ids: std::collections::BTreeMap<String, String>| {
        let session = &session;
        async move {
            let v = get(session, "volume", &format!("/volumes/{}", ids["volume"]))
                .await
                .unwrap();
            let servers: Vec<String> = v["volume"]["attachments"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a["server_id"].as_str().unwrap().to_string())
                .collect();
            servers
        }
    };
    let port_of = |fip: String| {
        let session = &session;
        async move {
            get(session, "network", &format!("/floatingips/{fip}"))
                .await
                .unwrap()["floatingip"]["port_id"]
                .clone()
        }
    };
    assert_eq!(volume_at(before.clone()).await, [before["a"].clone()]);
    assert_eq!(
        port_of(before["fip1"].clone()).await,
        before["port"].as_str()
    );

    std::fs::write(&template, text("b", "fip2")).unwrap();
    let updated = heat.json(&["stack", "update", &name, "-t", &t, "-f", "json"]);
    assert_eq!(updated["stack_status"], "UPDATE_COMPLETE", "{updated}");
    let after = heat.physical_ids(&name);
    assert_eq!(volume_at(after.clone()).await, [before["b"].clone()]);
    assert_eq!(
        after["attachment"],
        format!("{}/{}", before["b"], before["volume"])
    );
    assert_eq!(port_of(before["fip1"].clone()).await, Json::Null);
    assert_eq!(
        port_of(before["fip2"].clone()).await,
        before["port"].as_str()
    );
    assert!(after["association"].starts_with(&before["fip2"]));
    for kept in ["a", "b", "volume", "port", "fip1", "fip2"] {
        assert_eq!(after[kept], before[kept], "{kept} was kept");
    }
    heat.delete(&name);
    assert_nothing_named(&session, &name).await;
    assert!(get(
        &session,
        "volume",
        &format!("/volumes/{}", before["volume"])
    )
    .await
    .is_none());
}
