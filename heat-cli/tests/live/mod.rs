//! What the live OpenStack tests share: `heat --os-cloud` on a state file
//! of the test's own (a failed test deletes its stacks and shows its
//! background processes' stderr), a session on the same cloud, the
//! two-tier template, processes killed on purpose, and the cloud's
//! listings.

#![allow(dead_code)]

pub use std::process::Command;

use heat_openstack::CloudConfig;
pub use heat_openstack::{Method, Session};
use serde_json::Value as Json;

/// Two tiers: a web server with a floating IP and a database server with
/// a volume, on a private network routed to `public`, each behind its own
/// security group; `vip` is a spare port whose MAC address is a parameter.
pub const TEMPLATE: &str = r##"
heat_template_version: 2018-08-31
parameters:
  cidr: {type: string}
  role: {type: string, default: web}
  vip_mac: {type: string, default: "fa:16:3e:00:00:01"}
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
  web_sg:
    type: OS::Neutron::SecurityGroup
    properties:
      rules:
        - {protocol: tcp, port_range_min: 22, port_range_max: 22}
        - {protocol: tcp, port_range_min: 80, port_range_max: 80}
  db_sg:
    type: OS::Neutron::SecurityGroup
    properties:
      rules: [{protocol: tcp, port_range_min: 3306, port_range_max: 3306, remote_ip_prefix: {get_param: cidr}}]
  web_port:
    type: OS::Neutron::Port
    properties:
      network: {get_resource: net}
      fixed_ips: [{subnet: {get_resource: subnet}}]
      security_groups: [{get_resource: web_sg}]
  db_port:
    type: OS::Neutron::Port
    properties:
      network: {get_resource: net}
      fixed_ips: [{subnet: {get_resource: subnet}}]
      security_groups: [{get_resource: db_sg}]
  vip:
    type: OS::Neutron::Port
    properties:
      network: {get_resource: net}
      mac_address: {get_param: vip_mac}
  web:
    type: OS::Nova::Server
    properties:
      image: oslocal-tiny
      flavor: m1.nano
      key_name: {get_resource: key}
      networks: [{port: {get_resource: web_port}}]
      metadata: {role: {get_param: role}, slots: 2}
      tags: [heat-rs, {get_param: role}]
      user_data: "#!/bin/sh\necho web\n"
  db:
    type: OS::Nova::Server
    properties:
      image: oslocal-tiny
      flavor: m1.nano
      key_name: {get_resource: key}
      networks: [{port: {get_resource: db_port}}]
  fip:
    type: OS::Neutron::FloatingIP
    depends_on: interface
    properties: {floating_network: public, port_id: {get_resource: web_port}}
  volume:
    type: OS::Cinder::Volume
    properties: {size: 1}
  attachment:
    type: OS::Cinder::VolumeAttachment
    properties: {instance_uuid: {get_resource: db}, volume_id: {get_resource: volume}}
outputs:
  web_public: {value: {get_attr: [fip, floating_ip_address]}}
  web_address: {value: {get_attr: [web, first_address]}}
  db_address: {value: {get_attr: [db, first_address]}}
"##;

pub struct Heat {
    pub dir: std::path::PathBuf,
    pub cloud: String,
    _tmp: tempfile::TempDir,
}

impl Heat {
    /// Where the test's background `heat` processes write their stderr
    /// (shown when the test fails).
    pub fn child_log(&self) -> std::process::Stdio {
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.join("children.log"))
            .map(std::process::Stdio::from)
            .unwrap_or_else(|_| std::process::Stdio::null())
    }
}

/// A failed test leaves nothing in the cloud: every stack of its state
/// file is deleted (and the background processes' stderr is shown).
impl Drop for Heat {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            return;
        }
        if let Ok(log) = std::fs::read_to_string(self.dir.join("children.log")) {
            eprintln!("--- stderr of the test's background heat processes ---\n{log}");
        }
        let (_, out, _) = self.run(&["stack", "list", "-f", "json"]);
        let stacks: Json = serde_json::from_str(&out).unwrap_or(Json::Null);
        for s in stacks.as_array().into_iter().flatten() {
            if let Some(name) = s["Stack Name"].as_str().or(s["stack_name"].as_str()) {
                let (code, out, err) = self.run(&["stack", "delete", name, "--yes", "--wait"]);
                eprintln!("cleanup: deleted {name}: exit {code} {out}{err}");
            }
        }
    }
}

/// The lease of a `heat` process's operations in these tests, seconds.
pub const LEASE: f64 = 2.0;

impl Heat {
    pub fn run(&self, args: &[&str]) -> (i32, String, String) {
        let out = self.command(args).output().expect("heat runs");
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    /// `heat --os-cloud` on this test's state file; a stack left by a
    /// killed `heat` is free to take over two seconds later.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_heat"));
        c.args(["--os-cloud", &self.cloud])
            .args(args)
            .env("HEAT_STATE", self.dir.join("state.sqlite"))
            .env("HEAT_LEASE_SECONDS", LEASE.to_string())
            .env_remove("HEAT_URL");
        c
    }

    /// Deletes `stack` and waits, which must succeed.
    pub fn delete(&self, stack: &str) {
        let (code, out, err) = self.run(&["stack", "delete", stack, "--yes", "--wait"]);
        assert_eq!(code, 0, "delete {stack}: {out}{err}");
    }

    pub fn json(&self, args: &[&str]) -> Json {
        let (code, out, err) = self.run(args);
        assert_eq!(code, 0, "{args:?}: {out}{err}");
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{args:?}: {e}: {out}"))
    }

    pub fn physical_ids(&self, stack: &str) -> std::collections::BTreeMap<String, String> {
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

pub fn output(stack: &Json, key: &str) -> String {
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
pub async fn get(session: &Session, service: &str, path: &str) -> Option<Json> {
    match session.request(service, Method::GET, path, None).await {
        Ok(v) => Some(v),
        Err(e) if e.kind == heat_core::engine::DriverErrorKind::NotFound => None,
        Err(e) => panic!("GET {service}{path}: {e}"),
    }
}

/// A session on the cloud `OS_CLOUD` names, a `heat` on a fresh state file
/// in a directory of its own, and the template written there.
pub fn setup(test: &str) -> (Session, Heat, String) {
    let cloud = std::env::var("OS_CLOUD")
        .expect("OS_CLOUD names the OpenStack cloud (see .ci/run and ../shared/openstack)");
    let config = CloudConfig::from_env()
        .expect("clouds.yaml readable")
        .expect("a cloud is configured");
    let session =
        Session::new(config, std::sync::Arc::new(heat_server::SystemClock::new())).unwrap();
    let tmp = tempfile::Builder::new()
        .prefix(&format!("heat-cli-os-{test}-"))
        .tempdir()
        .unwrap();
    let dir = tmp.path().to_path_buf();
    let template = dir.join("stack.yaml");
    std::fs::write(&template, TEMPLATE).unwrap();
    let heat = Heat {
        dir,
        cloud,
        _tmp: tmp,
    };
    (session, heat, template.display().to_string())
}

/// The servers the cloud holds for a stack (by the metadata heat-rs tags
/// them with).
pub async fn servers_of(session: &Session, stack_id: &str) -> Vec<String> {
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
pub struct Killed(pub std::process::Child);

impl Killed {
    pub fn kill(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }

    /// Waits for the end: exit code and stderr.
    pub fn wait_with_output(mut self) -> (i32, String) {
        let status = self.0.wait().unwrap();
        let mut err = String::new();
        if let Some(mut e) = self.0.stderr.take() {
            use std::io::Read;
            let _ = e.read_to_string(&mut err);
        }
        (status.code().unwrap_or(-1), err)
    }
}

impl Drop for Killed {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Every server, key pair, flavor, server group, aggregate, volume, port, floating
/// IP, security group, network, subnet and router the cloud lists: id
/// (a key pair's name) to name.
pub async fn listed(session: &Session) -> std::collections::BTreeMap<String, String> {
    let mut all = std::collections::BTreeMap::new();
    let keys = get(session, "compute", "/os-keypairs").await.unwrap();
    for k in keys["keypairs"].as_array().unwrap() {
        let name = k["keypair"]["name"].as_str().unwrap().to_string();
        all.insert(name.clone(), name);
    }
    for (service, path, key) in [
        ("compute", "/servers", "servers"),
        ("compute", "/flavors/detail?is_public=None", "flavors"),
        ("compute", "/os-server-groups", "server_groups"),
        ("compute", "/os-aggregates", "aggregates"),
        ("volume", "/volumes", "volumes"),
        ("network", "/ports", "ports"),
        ("network", "/floatingips", "floatingips"),
        ("network", "/security-groups", "security_groups"),
        ("network", "/networks", "networks"),
        ("network", "/subnets", "subnets"),
        ("network", "/routers", "routers"),
    ] {
        let list = get(session, service, path).await.unwrap();
        for o in list[key].as_array().unwrap() {
            let name = o["name"].as_str().unwrap_or_default().to_string();
            // An aggregate's id is a number.
            let id = match &o["id"] {
                Json::String(id) => id.clone(),
                id => id.to_string(),
            };
            all.insert(id, name);
        }
    }
    all
}

/// Deletes `stack` with `heat` and checks that each of its resources'
/// objects is gone from `service`: `(resource, collection)` pairs, the
/// object found at `/<collection>/<id of resource>`.
pub async fn delete_leaving_none(
    session: &Session,
    heat: &Heat,
    stack: &str,
    service: &str,
    objects: &[(&str, &str)],
) {
    let ids = heat.physical_ids(stack);
    heat.delete(stack);
    for (resource, collection) in objects {
        let path = format!("/{collection}/{}", ids[*resource]);
        assert!(
            get(session, service, &path).await.is_none(),
            "the {resource} was left behind"
        );
    }
}

/// No object the cloud lists is named after `stack` (heat-rs names them
/// `<stack>-<resource>`).
pub async fn assert_nothing_named(session: &Session, stack: &str) {
    let prefix = format!("{stack}-");
    let left: Vec<(String, String)> = listed(session)
        .await
        .into_iter()
        .filter(|(_, n)| n.starts_with(&prefix))
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}

/// Nova behind a proxy that passes every request on but keeps Nova's
/// answer to a create from the `heat` that asked: given to one `heat` as
/// `OS_COMPUTE_ENDPOINT_OVERRIDE`.
pub struct CreatesHeld {
    /// The compute URL to give `heat`.
    pub url: String,
    /// How many creates had their answer held or lost.
    pub held: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for CreatesHeld {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// What the proxy does with the answer to a create Nova accepted.
#[derive(Clone, Copy, PartialEq)]
enum Keep {
    /// Never answers a create of this collection (`servers`, `flavors`):
    /// the object exists in Nova, and the `heat` that asked never learns
    /// its id.
    Forever(&'static str),
    /// Answers the first create of each collection (servers, key pairs,
    /// flavors and their extra specs, server groups, aggregates; security
    /// groups and their rules) with a gateway's 504, as a proxy that timed
    /// out on a create Nova did.
    FirstOfEach,
}

impl CreatesHeld {
    /// A proxy in front of the compute endpoint `nova`
    /// (`http://host:port/v2.1`) that never answers a server create.
    pub async fn start(nova: &str) -> CreatesHeld {
        Self::proxy(nova, Keep::Forever("servers")).await
    }

    /// A proxy that never answers a create of `collection`.
    pub async fn holding(nova: &str, collection: &'static str) -> CreatesHeld {
        Self::proxy(nova, Keep::Forever(collection)).await
    }

    /// A proxy in front of the compute or network endpoint that loses the
    /// answer to the first create of each collection (a 504 instead).
    pub async fn losing_first_replies(nova: &str) -> CreatesHeld {
        Self::proxy(nova, Keep::FirstOfEach).await
    }

    async fn proxy(nova: &str, keep: Keep) -> CreatesHeld {
        use axum::body::{to_bytes, Body};
        use axum::extract::{Request, State};
        use std::collections::BTreeSet;
        use std::sync::atomic::{AtomicUsize, Ordering};
        use std::sync::{Arc, Mutex};

        type Shared = (
            String,
            Keep,
            Arc<AtomicUsize>,
            Arc<Mutex<BTreeSet<String>>>,
            reqwest::Client,
        );
        let base = reqwest::Url::parse(nova).unwrap();
        let origin = base.origin().ascii_serialization();
        let held = Arc::new(AtomicUsize::new(0));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}{}", listener.local_addr().unwrap(), base.path());
        let state: Shared = (
            origin,
            keep,
            held.clone(),
            Default::default(),
            reqwest::Client::new(),
        );
        async fn pass(
            State((origin, keep, held, lost, client)): State<Shared>,
            req: Request,
        ) -> axum::response::Response {
            let (parts, body) = req.into_parts();
            let body = to_bytes(body, 1 << 24).await.unwrap();
            let path = parts
                .uri
                .path_and_query()
                .map(|p| p.as_str())
                .unwrap_or("/");
            let mut forward = client.request(parts.method.clone(), format!("{origin}{path}"));
            for (k, v) in &parts.headers {
                if k != "host" && k != "content-length" {
                    forward = forward.header(k, v);
                }
            }
            let answer = forward.body(body).send().await.unwrap();
            let status = answer.status();
            let headers = answer.headers().clone();
            let bytes = answer.bytes().await.unwrap();
            let collection = path.rsplit('/').next().unwrap_or_default().to_string();
            if parts.method == "POST" && status.is_success() {
                match keep {
                    Keep::Forever(held_here) if collection == held_here => {
                        held.fetch_add(1, Ordering::SeqCst);
                        std::future::pending::<()>().await;
                    }
                    Keep::FirstOfEach
                        if [
                            "servers",
                            "os-keypairs",
                            "flavors",
                            "os-extra_specs",
                            "os-server-groups",
                            "os-aggregates",
                            "security-groups",
                            "security-group-rules",
                        ]
                        .contains(&collection.as_str())
                            && lost.lock().unwrap().insert(collection) =>
                    {
                        held.fetch_add(1, Ordering::SeqCst);
                        let mut out = axum::response::Response::new(Body::from(
                            "<html><body><h1>504 Gateway Time-out</h1></body></html>",
                        ));
                        *out.status_mut() = axum::http::StatusCode::GATEWAY_TIMEOUT;
                        return out;
                    }
                    _ => {}
                }
            }
            let mut out = axum::response::Response::new(Body::from(bytes));
            *out.status_mut() = status;
            for (k, v) in &headers {
                if k != "content-length" && k != "transfer-encoding" {
                    out.headers_mut().insert(k, v.clone());
                }
            }
            out
        }
        let app = axum::Router::new().fallback(pass).with_state(state);
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        CreatesHeld { url, held, task }
    }
}
