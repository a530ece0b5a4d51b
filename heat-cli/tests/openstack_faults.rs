//! `heat --os-cloud` against a real OpenStack when the way to it fails: a
//! `heat` killed while Nova makes its servers or a flavor, whose stack the
//! next command resumes (each found by its tag, not made twice), and
//! creates whose answers a proxy loses (a gateway's 504 after Nova did
//! them), each object then found and taken, never made a second time
//! beside a forgotten first. Built only with `--features openstack-live`;
//! `.ci/run` starts the cloud of ../shared/openstack and sets `OS_CLOUD`.

mod live;

use live::*;
use serde_json::Value as Json;

#[tokio::test(flavor = "multi_thread")]
async fn a_killed_create_resumes_and_its_delete_leaves_nothing() {
    let (session, heat, template) = setup("killed");
    let name = format!("killed{}", std::process::id());
    let octet = std::process::id() % 200 + 20;
    // Nova answers this `heat`'s server creates to a proxy that never
    // passes the answer on: kill `heat` (SIGKILL: no cleanup) once Nova
    // holds a server whose id `heat` never learnt.
    let nova = CreatesHeld::start(&session.url("compute").await.unwrap()).await;
    let mut child = Killed(
        heat.command(&["stack", "create", &name, "-t", &template])
            .args(["--parameter", &format!("cidr=10.{octet}.8.0/24")])
            .env("OS_COMPUTE_ENDPOINT_OVERRIDE", &nova.url)
            .stdout(std::process::Stdio::null())
            .stderr(heat.child_log())
            .spawn()
            .unwrap(),
    );
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    let (stack_id, unknown) = loop {
        assert!(
            std::time::Instant::now() < deadline,
            "no server create held"
        );
        let list = get(&session, "compute", "/servers/detail").await.unwrap();
        let ours: Vec<&Json> = list["servers"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| {
                s["name"].as_str().is_some_and(|n| n.starts_with(&name))
                    && s["metadata"]["heat_stack_id"].is_string()
            })
            .collect();
        if nova.held.load(std::sync::atomic::Ordering::SeqCst) > 0 && !ours.is_empty() {
            child.kill();
            let stack = ours[0]["metadata"]["heat_stack_id"].as_str().unwrap();
            let unknown: Vec<String> = ours
                .iter()
                .map(|s| s["metadata"]["heat_resource"].as_str().unwrap().to_string())
                .collect();
            break (stack.to_string(), unknown);
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    drop(nova);
    // Once the dead heat's lease has expired, the next command on the
    // stack takes it over and finishes the create first: the servers are
    // adopted (found by their tags), not created twice.
    tokio::time::sleep(std::time::Duration::from_secs_f64(LEASE + 0.5)).await;
    let (code, out, err) = heat.run(&["stack", "check", &name]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        err.contains(&format!("stack {name} was left")) && err.contains("resuming it"),
        "{err}"
    );
    let shown = heat.json(&["stack", "show", &name, "-f", "json"]);
    assert_eq!(shown["stack_status"], "CHECK_COMPLETE", "{shown}");
    // Each server whose id the dead `heat` never learnt was found by its
    // tags, with an event saying so.
    let events = heat.json(&["stack", "event", "list", &name, "-f", "json"]);
    for resource in &unknown {
        assert!(
            events
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["resource_name"] == resource.as_str()
                    && e.to_string().contains("made before the engine stopped")),
            "{resource} not found by its tags: {events}"
        );
    }
    let ids = heat.physical_ids(&name);
    let mut expected = vec![ids["web"].clone(), ids["db"].clone()];
    expected.sort();
    let mut servers = servers_of(&session, &stack_id).await;
    servers.sort();
    assert_eq!(servers, expected, "one server per resource, none twice");
    let volumes = get(&session, "volume", "/volumes/detail").await.unwrap();
    let ours: Vec<&str> = volumes["volumes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["metadata"]["heat_stack_id"] == stack_id.as_str())
        .map(|v| v["id"].as_str().unwrap())
        .collect();
    assert_eq!(ours, [ids["volume"].as_str()], "one volume, not two");
    // Nor any Neutron object twice (the tag in its description names its
    // resource), nor the key pair.
    let prefix = format!("heat-rs:{stack_id}:");
    let mut tagged: std::collections::BTreeMap<String, usize> = Default::default();
    for (collection, key) in [
        ("/floatingips", "floatingips"),
        ("/ports", "ports"),
        ("/networks", "networks"),
        ("/subnets", "subnets"),
        ("/routers", "routers"),
        ("/security-groups", "security_groups"),
    ] {
        let list = get(&session, "network", collection).await.unwrap();
        for o in list[key].as_array().unwrap() {
            let d = o["description"].as_str().unwrap_or_default();
            if let Some(at) = d.find(&prefix) {
                let resource = d[at + prefix.len()..].trim_end_matches(')').to_string();
                *tagged.entry(format!("{key}/{resource}")).or_default() += 1;
            }
        }
    }
    assert!(!tagged.is_empty(), "no tagged Neutron objects found");
    let twice: Vec<_> = tagged.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "made twice: {twice:?}");
    let keys = get(&session, "compute", "/os-keypairs").await.unwrap();
    let ours = keys["keypairs"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|k| k["keypair"]["name"] == format!("{name}-key").as_str())
        .count();
    assert_eq!(ours, 1, "the key pair: {keys}");

    heat.delete(&name);
    assert_eq!(servers_of(&session, &stack_id).await, Vec::<String>::new());
    assert_nothing_named(&session, &name).await;
}

/// A key pair (its private key generated and saved), a flavor with extra
/// specs, a security group with rules, a server group, an aggregate and a
/// server whose first creates (and first extra specs and rule) each lose
/// the cloud's answer.
const LOST: &str = r#"
heat_template_version: 2018-08-31
resources:
  key:
    type: OS::Nova::KeyPair
    properties:
      name: {list_join: ['-', [{get_param: 'OS::stack_name'}, key]]}
      save_private_key: true
  flavor:
    type: OS::Nova::Flavor
    properties: {ram: 64, vcpus: 1, disk: 1, extra_specs: {"hw:numa_nodes": 1}}
  firewall:
    type: OS::Neutron::SecurityGroup
    properties:
      rules:
        - {protocol: tcp, port_range_min: 22, port_range_max: 22}
        - {protocol: tcp, port_range_min: 80, port_range_max: 80}
  group:
    type: OS::Nova::ServerGroup
    properties: {policies: [soft-anti-affinity]}
  aggregate:
    type: OS::Nova::HostAggregate
    properties:
      name: {list_join: ['-', [{get_param: 'OS::stack_name'}, aggregate]]}
      metadata: {ssd: "true"}
  server:
    type: OS::Nova::Server
    properties:
      image: oslocal-tiny
      flavor: {get_resource: flavor}
      key_name: {get_resource: key}
      networks: [{network: private}]
      scheduler_hints: {group: {get_resource: group}}
outputs:
  private_key: {value: {get_attr: [key, private_key]}}
  public_key: {value: {get_attr: [key, public_key]}}
"#;

#[tokio::test(flavor = "multi_thread")]
async fn creates_whose_answers_are_lost_are_taken_not_made_twice() {
    let (session, heat, _) = setup("lost");
    let template = heat.dir.join("lost.yaml");
    std::fs::write(&template, LOST).unwrap();
    let name = format!("lost{}", std::process::id());
    let nova = CreatesHeld::losing_first_replies(&session.url("compute").await.unwrap()).await;
    let neutron = CreatesHeld::losing_first_replies(&session.url("network").await.unwrap()).await;
    let out = heat
        .command(&["stack", "create", &name, "-t", template.to_str().unwrap()])
        .args(["-f", "json"])
        .env("OS_COMPUTE_ENDPOINT_OVERRIDE", &nova.url)
        .env("OS_NETWORK_ENDPOINT_OVERRIDE", &neutron.url)
        .output()
        .unwrap();
    let created: Json = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    assert_eq!(created["stack_status"], "CREATE_COMPLETE", "{created}");
    assert_eq!(
        nova.held.load(std::sync::atomic::Ordering::SeqCst),
        6,
        "an answer lost for each of the six Nova creates"
    );
    assert_eq!(
        neutron.held.load(std::sync::atomic::Ordering::SeqCst),
        2,
        "an answer lost for the group and its first rule"
    );
    drop(nova);
    drop(neutron);

    // One object of each, the one the stack holds.
    let ids = heat.physical_ids(&name);
    let stack_id = created["id"].as_str().unwrap();
    assert_eq!(
        servers_of(&session, stack_id).await,
        [ids["server"].clone()]
    );
    let all = listed(&session).await;
    for resource in ["key", "flavor", "group", "aggregate", "firewall"] {
        let named: Vec<&String> = all
            .iter()
            .filter(|(_, n)| **n == format!("{name}-{resource}"))
            .map(|(id, _)| id)
            .collect();
        assert_eq!(named, [&ids[resource]], "{resource}: one, the stack's");
    }
    // The key pair lost its first answer and with it the generated private
    // key: it was made again, so the saved private key is the one Nova
    // holds the public half of.
    let key = get(&session, "compute", &format!("/os-keypairs/{name}-key"))
        .await
        .unwrap();
    assert_eq!(
        output(&created, "public_key"),
        key["keypair"]["public_key"].as_str().unwrap()
    );
    let private = output(&created, "private_key");
    assert!(private.contains("PRIVATE KEY-----"), "{private}");
    // What follows a lost create is done on the object taken: the
    // flavor's extra specs, the group's rules.
    let specs = get(
        &session,
        "compute",
        &format!("/flavors/{}/os-extra_specs", ids["flavor"]),
    )
    .await
    .unwrap();
    assert_eq!(specs["extra_specs"]["hw:numa_nodes"], "1", "{specs}");
    let rules = get(
        &session,
        "network",
        &format!(
            "/security-group-rules?security_group_id={}",
            ids["firewall"]
        ),
    )
    .await
    .unwrap();
    let mut ports: Vec<i64> = rules["security_group_rules"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["direction"] == "ingress")
        .filter_map(|r| r["port_range_min"].as_i64())
        .collect();
    ports.sort();
    assert_eq!(ports, [22, 80], "{rules}");

    heat.delete(&name);
    assert_nothing_named(&session, &name).await;
}

/// A flavor whose create `heat` never heard the end of (killed while Nova
/// made it) is found again by the tag in its description.
#[tokio::test(flavor = "multi_thread")]
async fn a_flavor_made_before_a_crash_is_found_by_its_tag() {
    let (session, heat, _) = setup("flavor-killed");
    let template = heat.dir.join("flavor.yaml");
    std::fs::write(
        &template,
        "heat_template_version: 2018-08-31\nresources:\n  flavor:\n    type: OS::Nova::Flavor\n    properties: {ram: 64, vcpus: 1, description: killed}\n",
    )
    .unwrap();
    let name = format!("kflv{}", std::process::id());
    let nova = CreatesHeld::holding(&session.url("compute").await.unwrap(), "flavors").await;
    let mut child = Killed(
        heat.command(&["stack", "create", &name, "-t", template.to_str().unwrap()])
            .env("OS_COMPUTE_ENDPOINT_OVERRIDE", &nova.url)
            .stdout(std::process::Stdio::null())
            .stderr(heat.child_log())
            .spawn()
            .unwrap(),
    );
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while nova.held.load(std::sync::atomic::Ordering::SeqCst) == 0 {
        assert!(
            std::time::Instant::now() < deadline,
            "no flavor create held"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    child.kill();
    drop(nova);
    let named = || async {
        listed(&session)
            .await
            .into_iter()
            .filter(|(_, n)| *n == format!("{name}-flavor"))
            .map(|(id, _)| id)
            .collect::<Vec<_>>()
    };
    let made = named().await;
    assert_eq!(made.len(), 1, "{made:?}");

    tokio::time::sleep(std::time::Duration::from_secs_f64(LEASE + 0.5)).await;
    let (code, out, err) = heat.run(&["stack", "check", &name]);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(heat.physical_ids(&name)["flavor"], made[0]);
    assert_eq!(named().await, made, "taken, not made again");
    heat.delete(&name);
    assert_nothing_named(&session, &name).await;
}
