//! heat-server processes on one PostgreSQL database, driven through the
//! native API as a client would: started with a TOML configuration of
//! their own (short leases, simulated latency), SIGKILLed on purpose, and
//! stopped when dropped.

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value as Json};

/// One heat-server process.
pub struct Server {
    child: Child,
    /// The native API's endpoint for the project (`.../v1/project`).
    pub url: String,
    /// Its stderr.
    pub log: PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    /// Starts a server on `database`, its files in `dir`.
    /// Simulated objects take `latency` seconds to be ready, their creates
    /// `latency / 2` to answer.
    pub fn start(database: &str, dir: &Path, name: &str, latency: f64, lease: f64) -> Server {
        let answer = latency / 2.0;
        let settings =
            format!("simulated_latency_secs = {latency}\nsimulated_answer_secs = {answer}\n");
        Self::spawn(database, dir, name, lease, &settings, None)
    }

    /// A server whose stacks live on the OpenStack cloud `cloud` of the
    /// clouds.yaml `OS_CLIENT_CONFIG_FILE` names.
    pub fn on_openstack(database: &str, dir: &Path, name: &str, lease: f64, cloud: &str) -> Server {
        Self::spawn(database, dir, name, lease, "", Some(cloud))
    }

    fn spawn(
        database: &str,
        dir: &Path,
        name: &str,
        lease: f64,
        settings: &str,
        cloud: Option<&str>,
    ) -> Server {
        std::fs::create_dir_all(dir).unwrap();
        let config = dir.join(format!("{name}.toml"));
        std::fs::write(
            &config,
            format!(
                "[server]\nbind = \"127.0.0.1:0\"\ncfn_bind = \"\"\ncloudwatch_bind = \"\"\n\
                 max_concurrent_requests = 1024\n{settings}\
                 [engine]\nlease_seconds = {lease}\n[state]\ndatabase = \"{database}\"\n"
            ),
        )
        .unwrap();
        let log = dir.join(format!("{name}.log"));
        let mut command = Command::new(env!("CARGO_BIN_EXE_heat-server"));
        command
            .arg("--config")
            .arg(&config)
            .env_remove("OS_CLOUD")
            .env_remove("OS_AUTH_URL")
            .env_remove("HEAT_STATE")
            .env_remove("HEAT_DATABASE")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&log).unwrap());
        if let Some(cloud) = cloud {
            command.args(["--os-cloud", cloud]);
        }
        let mut child = command.spawn().unwrap();
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        let addr = first
            .split("http://")
            .nth(1)
            .and_then(|r| r.split('/').next())
            .unwrap_or_else(|| {
                panic!(
                    "{name} did not start: {first}{}",
                    std::fs::read_to_string(&log).unwrap_or_default()
                )
            })
            .to_string();
        Server {
            child,
            url: format!("http://{addr}/v1/project"),
            log,
        }
    }

    /// SIGKILL: no cleanup, its leases left to expire.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A client of the native API.
#[derive(Clone)]
pub struct Client(pub reqwest::Client);

impl Default for Client {
    fn default() -> Self {
        Client(
            reqwest::Client::builder()
                .timeout(Duration::from_secs(60))
                .build()
                .unwrap(),
        )
    }
}

impl Client {
    /// Creates a stack through `server`: its id.
    pub async fn create(&self, server: &str, name: &str, template: &str) -> String {
        let r = self
            .0
            .post(format!("{server}/stacks"))
            .json(&json!({"stack_name": name, "template": template}))
            .send()
            .await
            .unwrap();
        let status = r.status();
        let body: Json = r.json().await.unwrap_or_default();
        assert_eq!(status, 201, "create {name}: {body}");
        body["stack"]["id"].as_str().unwrap().to_string()
    }

    /// A stack as `server` shows it.
    pub async fn show(&self, server: &str, name: &str, id: &str) -> Json {
        let r = self
            .0
            .get(format!("{server}/stacks/{name}/{id}"))
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "show {name}: {}", r.status());
        r.json::<Json>().await.unwrap()["stack"].clone()
    }

    /// Waits until the stack is no longer in progress: its status.
    pub async fn settled(&self, server: &str, name: &str, id: &str, within: Duration) -> String {
        let deadline = Instant::now() + within;
        loop {
            let s = self.show(server, name, id).await;
            let status = s["stack_status"].as_str().unwrap_or_default().to_string();
            if !status.ends_with("_IN_PROGRESS") {
                return status;
            }
            assert!(Instant::now() < deadline, "{name} still {status}");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// Sends `body` to the stack's actions.
    pub async fn action(&self, server: &str, name: &str, id: &str, body: Json) {
        let r = self
            .0
            .post(format!("{server}/stacks/{name}/{id}/actions"))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "{body} on {name}: {}", r.status());
    }

    /// Updates a stack (PUT, a new template).
    pub async fn update(&self, server: &str, name: &str, id: &str, template: &str) {
        let r = self
            .0
            .put(format!("{server}/stacks/{name}/{id}"))
            .json(&json!({"template": template}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 202, "update {name}");
    }

    /// Deletes a stack.
    pub async fn delete(&self, server: &str, name: &str, id: &str) {
        let r = self
            .0
            .delete(format!("{server}/stacks/{name}/{id}"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 204, "delete {name}");
    }

    /// A stack's events.
    pub async fn events(&self, server: &str, name: &str, id: &str) -> Vec<Json> {
        let r: Json = self
            .0
            .get(format!("{server}/stacks/{name}/{id}/events"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        r["events"].as_array().cloned().unwrap_or_default()
    }

    /// The physical ids of a stack's resources.
    pub async fn physical_ids(&self, server: &str, name: &str, id: &str) -> Vec<String> {
        let r: Json = self
            .0
            .get(format!("{server}/stacks/{name}/{id}/resources"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        r["resources"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|r| r["physical_resource_id"].as_str())
            .filter(|p| !p.is_empty())
            .map(str::to_string)
            .collect()
    }
}
