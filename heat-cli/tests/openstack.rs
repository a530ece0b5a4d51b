//! `heat --os-cloud` against a real OpenStack (Keystone, Nova, Neutron,
//! Cinder): a stack with a keypair, network, subnet, router, port, server,
//! floating IP, security group, volume and attachment is created, checked
//! against the cloud's own APIs, updated in place, checked, and deleted
//! with nothing left behind. Built only with `--features openstack-live`;
//! `.ci/run` starts the cloud of ../shared/openstack and sets `OS_CLOUD`.

use std::process::Command;

use heat_openstack::{CloudConfig, Method, Session};
use serde_json::Value as Json;

const TEMPLATE: &str = r#"
heat_template_version: 2018-08-31
parameters:
  cidr: {type: string}
  role: {type: string, default: web}
resources:
  key:
    type: OS::Nova::KeyPair
    properties: {name: {list_join: ['-', [{get_param: 'OS::stack_name'}, key]]}}
  net:
    type: OS::Neutron::Net
  subnet:
    type: OS::Neutron::Subnet
    properties: {network: {get_resource: net}, cidr: {get_param: cidr}}
  router:
    type: OS::Neutron::Router
    properties: {external_gateway_info: {network: public}}
  interface:
    type: OS::Neutron::RouterInterface
    properties: {router: {get_resource: router}, subnet: {get_resource: subnet}}
  sg:
    type: OS::Neutron::SecurityGroup
    properties:
      rules: [{protocol: tcp, port_range_min: 22, port_range_max: 22}]
  port:
    type: OS::Neutron::Port
    properties:
      network: {get_resource: net}
      fixed_ips: [{subnet: {get_resource: subnet}}]
      security_groups: [{get_resource: sg}]
  server:
    type: OS::Nova::Server
    properties:
      image: oslocal-tiny
      flavor: m1.nano
      key_name: {get_resource: key}
      networks: [{port: {get_resource: port}}]
      metadata: {role: {get_param: role}}
  fip:
    type: OS::Neutron::FloatingIP
    depends_on: interface
    properties: {floating_network: public, port_id: {get_resource: port}}
  volume:
    type: OS::Cinder::Volume
    properties: {size: 1}
  attachment:
    type: OS::Cinder::VolumeAttachment
    properties: {instance_uuid: {get_resource: server}, volume_id: {get_resource: volume}}
outputs:
  floating_ip: {value: {get_attr: [fip, floating_ip_address]}}
  address: {value: {get_attr: [server, first_address]}}
"#;

struct Heat {
    dir: std::path::PathBuf,
    cloud: String,
}

impl Heat {
    fn run(&self, args: &[&str]) -> (i32, String, String) {
        let out = Command::new(env!("CARGO_BIN_EXE_heat"))
            .args(["--os-cloud", &self.cloud])
            .args(args)
            .env("HEAT_STATE", self.dir.join("state.sqlite"))
            .env_remove("HEAT_URL")
            .output()
            .expect("heat runs");
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    fn json(&self, args: &[&str]) -> Json {
        let (code, out, err) = self.run(args);
        assert_eq!(code, 0, "{args:?}: {out}{err}");
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{args:?}: {e}: {out}"))
    }

    fn physical_ids(&self, stack: &str) -> std::collections::BTreeMap<String, String> {
        let list = self.json(&["stack", "resource", "list", stack, "-f", "json"]);
        list.as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["resource_name"].as_str().unwrap().to_string(),
                    r["physical_resource_id"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    }
}

fn output(stack: &Json, key: &str) -> String {
    stack["outputs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["output_key"] == key)
        .unwrap_or_else(|| panic!("no output {key}: {stack}"))["output_value"]
        .as_str()
        .unwrap_or_else(|| panic!("output {key} is not a string: {stack}"))
        .to_string()
}

/// GETs `path` on `service`; `None` when the cloud says 404.
async fn get(session: &Session, service: &str, path: &str) -> Option<Json> {
    match session.request(service, Method::GET, path, None).await {
        Ok(v) => Some(v),
        Err(e) if e.kind == heat_core::engine::DriverErrorKind::NotFound => None,
        Err(e) => panic!("GET {service}{path}: {e}"),
    }
}

/// A session on the cloud `OS_CLOUD` names, a `heat` on a fresh state file
/// in a directory of its own, and the template written there.
fn setup(test: &str) -> (Session, Heat, String) {
    let cloud = std::env::var("OS_CLOUD")
        .expect("OS_CLOUD names the OpenStack cloud (see .ci/run and ../shared/openstack)");
    let config = CloudConfig::from_env()
        .expect("clouds.yaml readable")
        .expect("a cloud is configured");
    let session = Session::new(config, std::sync::Arc::new(heat_server::SystemClock)).unwrap();
    let dir = std::env::temp_dir().join(format!("heat-cli-os-{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let template = dir.join("stack.yaml");
    std::fs::write(&template, TEMPLATE).unwrap();
    (session, Heat { dir, cloud }, template.display().to_string())
}

/// The servers the cloud holds for a stack (by the metadata heat-rs tags
/// them with).
async fn servers_of(session: &Session, stack_id: &str) -> Vec<String> {
    let list = get(session, "compute", "/servers/detail").await.unwrap();
    list["servers"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["metadata"]["heat_stack_id"] == stack_id)
        .map(|s| s["id"].as_str().unwrap().to_string())
        .collect()
}

/// A `heat` process, SIGKILLed (no cleanup) when told or when dropped.
struct Killed(std::process::Child);

impl Killed {
    fn kill(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Drop for Killed {
    fn drop(&mut self) {
        self.kill();
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_killed_create_resumes_and_its_delete_leaves_nothing() {
    let (session, heat, template) = setup("killed");
    let name = format!("killed{}", std::process::id());
    let octet = std::process::id() % 200 + 20;
    let mut child = Killed(
        Command::new(env!("CARGO_BIN_EXE_heat"))
            .args([
                "--os-cloud",
                &heat.cloud,
                "stack",
                "create",
                &name,
                "-t",
                &template,
            ])
            .args(["--parameter", &format!("cidr=10.{octet}.8.0/24")])
            .env("HEAT_STATE", heat.dir.join("state.sqlite"))
            .env_remove("HEAT_URL")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap(),
    );
    // Kill `heat` (SIGKILL: no cleanup) once the server exists on the cloud
    // and is still building.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    let stack_id = loop {
        assert!(std::time::Instant::now() < deadline, "no server appeared");
        let list = get(&session, "compute", "/servers/detail").await.unwrap();
        let building = list["servers"].as_array().unwrap().iter().find(|s| {
            s["name"].as_str().is_some_and(|n| n.starts_with(&name))
                && s["metadata"]["heat_stack_id"].is_string()
        });
        if let Some(s) = building {
            child.kill();
            break s["metadata"]["heat_stack_id"].as_str().unwrap().to_string();
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    // The next command that changes stacks resumes the create first: the
    // server is adopted (found by its tags), not created twice.
    let (code, out, err) = heat.run(&["stack", "check", &name]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(err.contains(&format!("resumed stack {name}")), "{err}");
    let shown = heat.json(&["stack", "show", &name, "-f", "json"]);
    assert_eq!(shown["stack_status"], "CHECK_COMPLETE", "{shown}");
    assert_eq!(servers_of(&session, &stack_id).await.len(), 1);
    let ids = heat.physical_ids(&name);
    assert_eq!(
        servers_of(&session, &stack_id).await,
        vec![ids["server"].clone()]
    );

    let (code, out, err) = heat.run(&["stack", "delete", &name, "--yes", "--wait"]);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(servers_of(&session, &stack_id).await, Vec::<String>::new());
    let left = get(&session, "network", &format!("/networks/{}", ids["net"])).await;
    assert!(left.is_none(), "the network was left behind: {left:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_full_stack_lives_and_dies_on_a_real_openstack() {
    let (session, heat, template) = setup("full");
    let name = format!("live{}", std::process::id());
    let octet = std::process::id() % 200 + 20;
    let cidr = format!("10.{octet}.7.0/24");

    // Create: every resource, outputs from the cloud's own answers.
    let created = heat.json(&[
        "stack",
        "create",
        &name,
        "-t",
        &template,
        "--parameter",
        &format!("cidr={cidr}"),
        "-f",
        "json",
    ]);
    assert_eq!(created["stack_status"], "CREATE_COMPLETE", "{created}");
    assert!(
        output(&created, "floating_ip").starts_with("172.24.4."),
        "{created}"
    );
    assert!(
        output(&created, "address").starts_with(&format!("10.{octet}.7.")),
        "{created}"
    );
    let ids = heat.physical_ids(&name);
    assert_eq!(ids.len(), 11, "{ids:?}");

    // The cloud agrees.
    let server = get(&session, "compute", &format!("/servers/{}", ids["server"]))
        .await
        .expect("the server exists");
    assert_eq!(server["server"]["status"], "ACTIVE", "{server}");
    assert_eq!(server["server"]["metadata"]["role"], "web", "{server}");
    assert_eq!(
        server["server"]["key_name"],
        format!("{name}-key").as_str(),
        "{server}"
    );
    let volume = get(&session, "volume", &format!("/volumes/{}", ids["volume"]))
        .await
        .expect("the volume exists");
    assert_eq!(volume["volume"]["status"], "in-use", "{volume}");
    assert_eq!(
        volume["volume"]["attachments"][0]["server_id"],
        ids["server"].as_str(),
        "{volume}"
    );
    let subnet = get(&session, "network", &format!("/subnets/{}", ids["subnet"]))
        .await
        .expect("the subnet exists");
    assert_eq!(subnet["subnet"]["cidr"], cidr.as_str(), "{subnet}");

    // Update in place: new metadata on the same server.
    let updated = heat.json(&[
        "stack",
        "update",
        &name,
        "--existing",
        "--parameter",
        "role=db",
        "-f",
        "json",
    ]);
    assert_eq!(updated["stack_status"], "UPDATE_COMPLETE", "{updated}");
    assert_eq!(heat.physical_ids(&name), ids, "nothing was replaced");
    let server = get(&session, "compute", &format!("/servers/{}", ids["server"]))
        .await
        .unwrap();
    assert_eq!(server["server"]["metadata"]["role"], "db", "{server}");

    // Check reads every resource back from the cloud.
    let (code, out, err) = heat.run(&["stack", "check", &name]);
    assert_eq!(code, 0, "{out}{err}");
    let shown = heat.json(&["stack", "show", &name, "-f", "json"]);
    assert_eq!(shown["stack_status"], "CHECK_COMPLETE", "{shown}");

    // Delete: nothing is left on the cloud.
    let (code, out, err) = heat.run(&["stack", "delete", &name, "--yes", "--wait"]);
    assert_eq!(code, 0, "{out}{err}");
    for (resource, path) in [
        ("server", "compute:/servers/"),
        ("volume", "volume:/volumes/"),
        ("net", "network:/networks/"),
        ("subnet", "network:/subnets/"),
        ("port", "network:/ports/"),
        ("router", "network:/routers/"),
        ("sg", "network:/security-groups/"),
        ("fip", "network:/floatingips/"),
        ("key", "compute:/os-keypairs/"),
    ] {
        let (service, prefix) = path.split_once(':').unwrap();
        let left = get(&session, service, &format!("{prefix}{}", ids[resource])).await;
        assert!(left.is_none(), "{resource} was left behind: {left:?}");
    }
}
