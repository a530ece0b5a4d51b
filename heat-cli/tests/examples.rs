//! The classic examples of `examples/`, each created, used and deleted with
//! the `heat` binary on the simulated cloud.

use std::process::{Command, Stdio};
use std::time::Duration;

fn heat(state: &std::path::Path, args: &[&str]) -> (i32, serde_json::Value, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_heat"))
        .env_remove("OS_CLOUD")
        .env_remove("OS_AUTH_URL")
        .args(args)
        .env("HEAT_STATE", state)
        .output()
        .expect("heat runs");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let json = serde_json::from_str(&stdout).unwrap_or(serde_json::Value::String(stdout));
    (
        out.status.code().unwrap_or(-1),
        json,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A state file in a directory of its own, removed with the directory.
fn state(name: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::Builder::new()
        .prefix(&format!("heat-examples-{name}-"))
        .tempdir()
        .unwrap();
    let state = dir.path().join("state.sqlite");
    (dir, state)
}

fn example(name: &str) -> String {
    format!("{}/../examples/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn output(stack: &serde_json::Value, key: &str) -> serde_json::Value {
    stack["outputs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["output_key"] == key)
        .unwrap()["output_value"]
        .clone()
}

#[test]
fn autoscaling_group_behind_a_load_balancer() {
    let (_dir, s) = state("asg");
    let (code, stack, err) = heat(
        &s,
        &[
            "stack",
            "create",
            "web",
            "-t",
            &example("autoscaling.yaml"),
            "-f",
            "json",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(output(&stack, "size"), 2);
    assert!(output(&stack, "url")
        .as_str()
        .unwrap()
        .starts_with("http://10.20.0."));
    let (code, _, err) = heat(&s, &["stack", "resource", "signal", "web", "scale_up"]);
    assert_eq!(code, 0, "{err}");
    let (_, stack, _) = heat(&s, &["stack", "show", "web", "-f", "json"]);
    let (_, group, _) = heat(
        &s,
        &[
            "stack",
            "resource",
            "show",
            "web",
            "web_group",
            "-f",
            "json",
        ],
    );
    assert_eq!(group["attributes"]["current_size"], 3, "{stack}");
    let (_, resources, _) = heat(
        &s,
        &[
            "stack",
            "resource",
            "list",
            "web",
            "--nested-depth",
            "2",
            "-f",
            "json",
        ],
    );
    let members = resources
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["resource_type"] == "OS::Octavia::PoolMember")
        .count();
    assert_eq!(members, 3);
    let (code, _, err) = heat(&s, &["stack", "delete", "web", "--yes"]);
    assert_eq!(code, 0, "{err}");
    let (_, list, _) = heat(&s, &["stack", "list", "-f", "json"]);
    assert_eq!(list, serde_json::json!([]));
}

#[test]
fn nested_stacks_and_a_resource_group() {
    let (_dir, s) = state("nested");
    let (code, stack, err) = heat(
        &s,
        &[
            "stack",
            "create",
            "app",
            "-t",
            &example("nested.yaml"),
            "-f",
            "json",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(output(&stack, "workers").as_array().unwrap().len(), 3);
    let (_, list, _) = heat(&s, &["stack", "list", "-f", "json"]);
    assert_eq!(
        list.as_array().unwrap().len(),
        1,
        "nested stacks are not listed"
    );
    let (_, top, _) = heat(&s, &["stack", "resource", "list", "app", "-f", "json"]);
    assert_eq!(top.as_array().unwrap().len(), 3);
    let (_, all, _) = heat(
        &s,
        &[
            "stack",
            "resource",
            "list",
            "app",
            "--nested-depth",
            "1",
            "-f",
            "json",
        ],
    );
    assert_eq!(all.as_array().unwrap().len(), 3 + 3 + 3 + 3);
    let (code, _, err) = heat(&s, &["stack", "delete", "app", "--yes"]);
    assert_eq!(code, 0, "{err}");
}

#[test]
fn wordpress_as_cloudformation() {
    let (_dir, s) = state("cfn");
    let (code, stack, err) = heat(
        &s,
        &[
            "stack",
            "create",
            "wp",
            "-t",
            &example("wordpress_cfn.json"),
            "-f",
            "json",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        output(&stack, "WebsiteURL")
            .as_str()
            .unwrap()
            .starts_with("http://172.24.4."),
        "{stack}"
    );
    assert_eq!(stack["parameters"]["DBPassword"], "******");
    let (code, _, err) = heat(&s, &["stack", "delete", "wp", "--yes"]);
    assert_eq!(code, 0, "{err}");
}

#[test]
fn a_wait_condition_signalled_from_another_process() {
    let (_dir, s) = state("wait");
    let child = Command::new(env!("CARGO_BIN_EXE_heat"))
        .env_remove("OS_CLOUD")
        .env_remove("OS_AUTH_URL")
        .args([
            "stack",
            "create",
            "wc",
            "-t",
            &example("wait_condition.yaml"),
            "-f",
            "json",
        ])
        .env("HEAT_STATE", &s)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Signal once the stack's handle exists.
    let mut signalled = false;
    for _ in 0..100 {
        std::thread::sleep(Duration::from_millis(100));
        if heat(
            &s,
            &[
                "stack",
                "resource",
                "signal",
                "wc",
                "handle",
                "--data",
                r#"{"data": "configured"}"#,
            ],
        )
        .0 == 0
        {
            signalled = true;
            break;
        }
    }
    assert!(signalled, "the handle never appeared");
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stack: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let report: serde_json::Value =
        serde_json::from_str(output(&stack, "report").as_str().unwrap()).unwrap();
    assert_eq!(report, serde_json::json!({"1": "configured"}));
}

/// A template written for an older Heat: deprecated property names
/// (`network_id`, `router_id`, `subnet_id`, a server network's `uuid`)
/// replaced by the current ones, as Heat's translation rules do; both
/// names at once refused.
#[test]
fn deprecated_property_names_run_as_on_an_older_heat() {
    let (_dir, s) = state("deprecated");
    let dir = s.parent().unwrap();
    let t = dir.join("old.yaml");
    std::fs::write(
        &t,
        "heat_template_version: 2013-05-23
resources:
  net: {type: OS::Neutron::Net}
  subnet:
    type: OS::Neutron::Subnet
    properties: {network_id: {get_resource: net}, cidr: 10.9.0.0/24}
  router: {type: OS::Neutron::Router}
  interface:
    type: OS::Neutron::RouterInterface
    properties: {router_id: {get_resource: router}, subnet_id: {get_resource: subnet}}
  port:
    type: OS::Neutron::Port
    properties:
      network_id: {get_resource: net}
      fixed_ips: [{subnet_id: {get_resource: subnet}}]
  server:
    type: OS::Nova::Server
    depends_on: interface
    properties:
      image: cirros-0.6.2
      flavor: m1.small
      networks: [{uuid: {get_resource: net}}]
outputs:
  ip: {value: {get_attr: [server, first_address]}}
",
    )
    .unwrap();
    let t = t.to_str().unwrap();
    let (code, stack, err) = heat(&s, &["stack", "create", "old", "-t", t, "-f", "json"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(stack["stack_status"], "CREATE_COMPLETE");
    assert!(
        output(&stack, "ip")
            .as_str()
            .unwrap()
            .starts_with("10.9.0."),
        "{stack}"
    );
    let (_, shown, _) = heat(
        &s,
        &[
            "stack",
            "resource",
            "show",
            "old",
            "interface",
            "-f",
            "json",
        ],
    );
    assert!(shown["properties"].get("router").is_some(), "{shown}");
    assert!(shown["properties"].get("router_id").is_none(), "{shown}");
    let both = dir.join("both.yaml");
    std::fs::write(
        &both,
        "heat_template_version: 2013-05-23
resources:
  net: {type: OS::Neutron::Net}
  subnet:
    type: OS::Neutron::Subnet
    properties: {network_id: {get_resource: net}, network: {get_resource: net}, cidr: 10.8.0.0/24}
",
    )
    .unwrap();
    let (code, _, err) = heat(
        &s,
        &["stack", "create", "both", "-t", both.to_str().unwrap()],
    );
    assert_eq!(code, 1);
    assert!(
        err.contains(
            "Cannot define the following properties at the same time: network, network_id"
        ),
        "{err}"
    );
}

/// The simulated cloud's objects (all of them, the cloud's own included).
fn cloud(state: &std::path::Path) -> Vec<heat_resources::sim::SimObject> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        heat_server::SimStore::open(state)
            .await
            .unwrap()
            .objects()
            .await
            .unwrap()
    })
}

/// A server's addresses name the port Nova made for it: a floating IP is
/// associated with it through `get_attr`, and the port goes with the
/// server.
#[test]
fn a_servers_own_port_takes_a_floating_ip_and_goes_with_it() {
    let (_dir, s) = state("own-port");
    let t = s.parent().unwrap().join("fip.yaml");
    std::fs::write(
        &t,
        "heat_template_version: 2018-08-31
resources:
  server:
    type: OS::Nova::Server
    properties: {image: cirros-0.6.2, flavor: m1.small, networks: [{network: private}]}
  fip:
    type: OS::Neutron::FloatingIP
    properties: {floating_network: public}
  assoc:
    type: OS::Neutron::FloatingIPAssociation
    properties:
      floatingip_id: {get_resource: fip}
      port_id: {get_attr: [server, addresses, private, 0, port]}
outputs:
  port: {value: {get_attr: [server, addresses, private, 0, port]}}
  first: {value: {get_attr: [server, first_address]}}
",
    )
    .unwrap();
    let (code, stack, err) = heat(
        &s,
        &[
            "stack",
            "create",
            "f",
            "-t",
            t.to_str().unwrap(),
            "-f",
            "json",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let port = output(&stack, "port");
    let server_id = {
        let (_, r, _) = heat(
            &s,
            &["stack", "resource", "show", "f", "server", "-f", "json"],
        );
        r["physical_resource_id"].as_str().unwrap().to_string()
    };
    let objects = cloud(&s);
    let own = objects
        .iter()
        .find(|o| o.kind == "port" && serde_json::json!(o.id) == port)
        .unwrap_or_else(|| panic!("no port {port} in the cloud"));
    assert_eq!(own.attributes["device_id"], server_id.as_str());
    // The floating IP is bound to the server's address, through its port.
    let fip = objects
        .iter()
        .find(|o| o.kind == "floating_ip" && !o.stack_id.is_empty())
        .unwrap();
    assert_eq!(fip.attributes["port_id"], port, "{fip:?}");
    assert_eq!(
        fip.attributes["fixed_ip_address"],
        output(&stack, "first"),
        "{fip:?}"
    );
    let (code, _, err) = heat(&s, &["stack", "delete", "f", "--yes"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        !cloud(&s)
            .iter()
            .any(|o| o.attributes.get("device_id") == Some(&serde_json::json!(server_id))),
        "the server's port outlived it"
    );
}

/// A load balancer's VIP is a port Octavia makes: a floating IP takes it
/// (`vip_port_id`), and it goes with the load balancer.
#[test]
fn a_load_balancers_vip_port_takes_a_floating_ip_and_goes_with_it() {
    let (_dir, s) = state("vip-port");
    let t = s.parent().unwrap().join("lb.yaml");
    std::fs::write(
        &t,
        "heat_template_version: 2018-08-31
resources:
  lb:
    type: OS::Octavia::LoadBalancer
    properties: {vip_subnet: private-subnet}
  fip:
    type: OS::Neutron::FloatingIP
    properties: {floating_network: public, port_id: {get_attr: [lb, vip_port_id]}}
outputs:
  vip: {value: {get_attr: [lb, vip_address]}}
  port: {value: {get_attr: [lb, vip_port_id]}}
",
    )
    .unwrap();
    let (code, stack, err) = heat(
        &s,
        &[
            "stack",
            "create",
            "l",
            "-t",
            t.to_str().unwrap(),
            "-f",
            "json",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let port = output(&stack, "port");
    let objects = cloud(&s);
    let vip = objects
        .iter()
        .find(|o| o.kind == "port" && serde_json::json!(o.id) == port)
        .unwrap_or_else(|| panic!("no VIP port {port}"));
    assert_eq!(vip.attributes["device_owner"], "Octavia");
    assert_eq!(
        vip.attributes["fixed_ips"][0]["ip_address"],
        output(&stack, "vip")
    );
    let (code, _, err) = heat(&s, &["stack", "delete", "l", "--yes"]);
    assert_eq!(code, 0, "{err}");
    assert!(!cloud(&s).iter().any(|o| serde_json::json!(o.id) == port));
}
