//! [`ResourceDriver`]: the engine's [`Driver`] for every catalog type: the
//! types that need no cloud are realised here (values, random strings,
//! software configs, test resources, delays), cloud-backed types go to a
//! [`Cloud`] (the simulated one or OpenStack), their properties given
//! their schema's defaults and CloudFormation's translated to OpenStack's
//! first ([`crate::translate`]).

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use heat_core::engine::{Attributes, Clock, Driver, DriverError, Repair, ResourceSpec};
use serde_json::{json, Value as Json};

use crate::cloud::{Cloud, ObjectKind};
use crate::schema;
use crate::{boot, translate, Catalog, GuestKeys};

/// The driver of every catalog type.
pub struct ResourceDriver {
    cloud: Arc<dyn Cloud>,
    clock: Arc<dyn Clock>,
    ids: heat_core::engine::IdSource,
    guest: Arc<GuestKeys>,
}

impl ResourceDriver {
    /// A driver over a cloud; its signal URLs and stack credentials are
    /// good for this process only (see [`ResourceDriver::with_guest_keys`]).
    pub fn new(cloud: Arc<dyn Cloud>, clock: Arc<dyn Clock>) -> Self {
        let seed = (clock.now() * 1e9) as u64;
        ResourceDriver {
            cloud,
            clock,
            ids: heat_core::engine::IdSource::new(seed),
            guest: Arc::new(GuestKeys::random("http://127.0.0.1:8000")),
        }
    }

    /// The keys and address with which guests reach heat-rs (the server's,
    /// so that its Query API honours the URLs and credentials made here).
    pub fn with_guest_keys(mut self, keys: Arc<GuestKeys>) -> Self {
        self.guest = keys;
        self
    }

    fn kind(type_name: &str) -> Option<ObjectKind> {
        Catalog.schema(type_name).and_then(|t| t.cloud_kind)
    }

    /// Properties with the schema's defaults.
    fn props(spec: &ResourceSpec) -> Json {
        Self::with_defaults(&spec.type_name, &spec.properties)
    }

    fn with_defaults(type_name: &str, properties: &Json) -> Json {
        match Catalog.schema(type_name) {
            Some(t) => schema::with_defaults(&t.properties, properties),
            None => properties.clone(),
        }
    }

    /// The spec a cloud sees: defaults filled in, CloudFormation's names
    /// translated to OpenStack's, a server's user data made its boot user
    /// data ([`boot`]).
    fn cloud_spec(&self, spec: &ResourceSpec) -> ResourceSpec {
        ResourceSpec {
            properties: self.cloud_properties(spec, &spec.properties),
            ..spec.clone()
        }
    }

    /// [`ResourceDriver::cloud_spec`]'s properties, of `properties`.
    fn cloud_properties(&self, spec: &ResourceSpec, properties: &Json) -> Json {
        let with_defaults = Self::with_defaults(&spec.type_name, properties);
        let mut p = translate::properties(&spec.type_name, &with_defaults);
        if let Some(data) = boot::user_data(&self.guest, spec, &p) {
            p["user_data"] = json!(data);
        }
        p
    }

    /// A cloud object's attributes, with their AWS names for AWS types and
    /// a server's `os_collect_config`.
    fn cloud_attributes(&self, spec: &ResourceSpec, attrs: Attributes) -> Attributes {
        let mut attrs = Self::attributes(&spec.type_name, attrs);
        if let Some(collect) = boot::collect_config(&self.guest, spec, &Self::props(spec)) {
            attrs.insert("os_collect_config".into(), collect);
        }
        attrs
    }

    /// A cloud object's attributes, with their AWS names for AWS types.
    fn attributes(type_name: &str, mut attrs: Attributes) -> Attributes {
        translate::attributes(type_name, &mut attrs);
        attrs
    }

    /// The attributes of a type that needs no cloud.
    fn native_attributes(&self, spec: &ResourceSpec) -> Result<Attributes, DriverError> {
        let p = Self::props(spec);
        let mut a = Attributes::new();
        match spec.type_name.as_str() {
            "OS::Heat::Value" => {
                a.insert(
                    "value".into(),
                    p.get("value").cloned().unwrap_or(Json::Null),
                );
            }
            "OS::Heat::RandomString" => {
                a.insert("value".into(), json!(random_string(&p)));
            }
            "OS::Heat::TestResource" => {
                if p.get("fail") == Some(&json!(true)) {
                    return Err(DriverError::fatal(format!(
                        "Test Resource failed {}",
                        spec.name
                    )));
                }
                a.insert(
                    "output".into(),
                    p.get("value").cloned().unwrap_or(Json::Null),
                );
            }
            // A trunk's parent port, by the name Heat's attribute has.
            "OS::Neutron::Trunk" => {
                a.insert(
                    "port_id".into(),
                    p.get("port").cloned().unwrap_or(Json::Null),
                );
            }
            "OS::Heat::SoftwareConfig" | "OS::Heat::StructuredConfig" => {
                a.insert(
                    "config".into(),
                    p.get("config").cloned().unwrap_or(Json::Null),
                );
            }
            "OS::Heat::SoftwareComponent" => {
                // Its configs, each with the actions it runs (Heat's
                // default: CREATE and UPDATE).
                let configs: Vec<Json> = p
                    .get("configs")
                    .and_then(Json::as_array)
                    .into_iter()
                    .flatten()
                    .map(|c| {
                        let mut c = c.clone();
                        if c.get("actions").is_none_or(Json::is_null) {
                            c["actions"] = json!(["CREATE", "UPDATE"]);
                        }
                        c
                    })
                    .collect();
                a.insert("config".into(), json!({ "configs": configs }));
            }
            "OS::Heat::CloudConfig" => {
                let body = serde_norway_like(p.get("cloud_config").cloned().unwrap_or(json!({})));
                a.insert("config".into(), json!(format!("#cloud-config\n{body}")));
            }
            "OS::Heat::MultipartMime" => {
                let parts = p
                    .get("parts")
                    .and_then(Json::as_array)
                    .cloned()
                    .unwrap_or_default();
                let doc = crate::mime::config_message(&parts);
                a.insert("config".into(), json!(doc));
            }
            "AWS::CloudFormation::WaitConditionHandle" => {
                // Its Ref is the pre-signed URL cfn-signal PUTs to.
                let url = self.guest.waitcondition_url(
                    &spec.project,
                    &spec.stack_name,
                    &spec.stack_id,
                    &spec.name,
                    &self.timestamp(),
                );
                a.insert(heat_core::engine::REFERENCE_ID.into(), json!(url));
            }
            "OS::Heat::WaitConditionHandle" | "OS::Heat::UpdateWaitConditionHandle" => {
                // wc_notify is `curl_cli` plus `--data-binary '{"status": ...}'`.
                let url = self.signal_url(spec);
                a.insert(
                    "token".into(),
                    json!(self.guest.access_key(&spec.stack_id, &spec.name)),
                );
                a.insert("endpoint".into(), json!(url));
                a.insert(
                    "curl_cli".into(),
                    json!(format!(
                        "curl -i -X POST -H 'Content-Type: application/json' -H 'Accept: application/json' '{url}'"
                    )),
                );
                a.insert("signal".into(), json!({"alarm_url": url}));
            }
            "OS::Heat::ScalingPolicy"
            | "AWS::AutoScaling::ScalingPolicy"
            | "OS::Heat::HARestarter" => {
                let url = self.signal_url(spec);
                a.insert("alarm_url".into(), json!(url));
                a.insert("signal_url".into(), json!(url));
                a.insert("AlarmUrl".into(), json!(url));
                // An AWS policy's and a restarter's Ref is their URL.
                if spec.type_name != "OS::Heat::ScalingPolicy" {
                    a.insert(heat_core::engine::REFERENCE_ID.into(), json!(url));
                }
            }
            "AWS::CloudWatch::Alarm" | "OS::Heat::CWLiteAlarm" => {
                // Its Ref is the alarm's name (cfn-push-stats --watch).
                a.insert(
                    heat_core::engine::REFERENCE_ID.into(),
                    json!(format!("{}-{}", spec.stack_name, spec.name)),
                );
            }
            "AWS::IAM::AccessKey" => {
                // Its Ref is the access key; the secret is derived, never kept.
                let access = self.guest.access_key(&spec.stack_id, &spec.name);
                a.insert("SecretAccessKey".into(), json!(self.guest.secret(&access)));
                a.insert(heat_core::engine::REFERENCE_ID.into(), json!(access));
                a.insert(
                    "UserName".into(),
                    p.get("UserName").cloned().unwrap_or(Json::Null),
                );
            }
            _ => {}
        }
        Ok(a)
    }

    /// The pre-signed URL that signals a resource.
    fn signal_url(&self, spec: &ResourceSpec) -> String {
        self.guest.signal_url(
            &spec.project,
            &spec.stack_name,
            &spec.stack_id,
            &spec.name,
            &self.timestamp(),
        )
    }

    /// Now, as signed URLs carry it.
    fn timestamp(&self) -> String {
        heat_core::service::heat_time(self.clock.now())
    }

    /// The time a native resource takes for `action` (`create`, `update`):
    /// a TestResource's `action_wait_secs` or `wait_secs`, as Heat's; a
    /// Delay's on create.
    async fn native_wait(&self, spec: &ResourceSpec, action: &str) {
        let p = Self::props(spec);
        let secs = match spec.type_name.as_str() {
            "OS::Heat::TestResource" => p
                .get("action_wait_secs")
                .and_then(|w| w.get(action))
                .and_then(Json::as_f64)
                .or_else(|| p.get("wait_secs").and_then(Json::as_f64))
                .unwrap_or(0.0),
            "OS::Heat::Delay" if action == "create" => {
                let min = p.get("min_wait").and_then(Json::as_f64).unwrap_or(0.0);
                let jitter = p.get("max_jitter").and_then(Json::as_f64).unwrap_or(0.0)
                    * p.get("jitter_multiplier")
                        .and_then(Json::as_f64)
                        .unwrap_or(1.0);
                min + jitter * rand::random::<f64>()
            }
            _ => 0.0,
        };
        if secs > 0.0 {
            self.clock.sleep(Duration::from_secs_f64(secs)).await;
        }
    }
}

fn serde_norway_like(v: Json) -> String {
    serde_json::to_string_pretty(&v).unwrap_or_default()
}

/// `OS::Heat::RandomString`: classes and sequences with their minimum
/// counts, the rest from `sequence` (or letters and digits).
fn random_string(p: &Json) -> String {
    use rand::seq::SliceRandom;
    use rand::Rng;
    fn class(name: &str) -> &'static str {
        match name {
            "letters" => "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
            "lowercase" => "abcdefghijklmnopqrstuvwxyz",
            "uppercase" => "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
            "digits" => "0123456789",
            "hexdigits" => "0123456789abcdefABCDEF",
            "octdigits" => "01234567",
            _ => "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
        }
    }
    let mut rng = rand::thread_rng();
    let length = p.get("length").and_then(Json::as_u64).unwrap_or(32) as usize;
    let mut chars: Vec<char> = Vec::new();
    let mut pool = String::new();
    for c in p
        .get("character_classes")
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
    {
        let set: Vec<char> = class(
            c.get("class")
                .and_then(Json::as_str)
                .unwrap_or("lettersdigits"),
        )
        .chars()
        .collect();
        for _ in 0..c.get("min").and_then(Json::as_u64).unwrap_or(1) {
            chars.push(set[rng.gen_range(0..set.len())]);
        }
        pool.extend(set);
    }
    for s in p
        .get("character_sequences")
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
    {
        let set: Vec<char> = s
            .get("sequence")
            .and_then(Json::as_str)
            .unwrap_or("")
            .chars()
            .collect();
        if set.is_empty() {
            continue;
        }
        for _ in 0..s.get("min").and_then(Json::as_u64).unwrap_or(1) {
            chars.push(set[rng.gen_range(0..set.len())]);
        }
        pool.extend(set);
    }
    if pool.is_empty() {
        pool = class(
            p.get("sequence")
                .and_then(Json::as_str)
                .unwrap_or("lettersdigits"),
        )
        .to_string();
    }
    let pool: Vec<char> = pool.chars().collect();
    while chars.len() < length {
        chars.push(pool[rng.gen_range(0..pool.len())]);
    }
    chars.shuffle(&mut rng);
    chars.into_iter().collect()
}

/// Whether a type needs no cloud service: values, configs, handles and
/// policies heat-rs keeps itself, the credentials it issues, the alarms it
/// evaluates. A Swift signal needs Swift (software deployments are the
/// engine's).
fn in_place(type_name: &str) -> bool {
    const NEEDS_A_SERVICE: [&str; 2] = ["OS::Heat::SwiftSignal", "OS::Heat::SwiftSignalHandle"];
    const EVALUATED_ALARMS: [&str; 4] = [
        "AWS::CloudWatch::Alarm",
        "OS::Aodh::Alarm",
        "OS::Aodh::GnocchiAggregationByResourcesAlarm",
        "OS::Aodh::GnocchiResourcesAlarm",
    ];
    let heat = type_name.starts_with("OS::Heat::") && !NEEDS_A_SERVICE.contains(&type_name);
    heat || EVALUATED_ALARMS.contains(&type_name)
        || ["AWS::CloudFormation::", "AWS::AutoScaling::", "AWS::IAM::"]
            .iter()
            .any(|p| type_name.starts_with(p))
}

#[async_trait]
impl Driver for ResourceDriver {
    fn supports(&self, type_name: &str) -> Result<(), String> {
        let made = match Self::kind(type_name) {
            Some(kind) => self.cloud.handles(kind),
            None => in_place(type_name),
        };
        if made || self.cloud.simulated() {
            return Ok(());
        }
        Err(format!(
            "The Resource Type ({type_name}) is not available on this cloud: heat-rs creates it \
             on its simulated cloud only (its service is not driven on OpenStack yet)"
        ))
    }

    fn signal_url(&self, spec: &ResourceSpec) -> Option<String> {
        Some(ResourceDriver::signal_url(self, spec))
    }

    async fn create(&self, spec: &ResourceSpec) -> Result<String, DriverError> {
        match Self::kind(&spec.type_name) {
            Some(kind) => self.cloud.create(kind, &self.cloud_spec(spec)).await,
            None => {
                // Never a resource that claims to exist when nothing was made.
                self.supports(&spec.type_name).map_err(DriverError::fatal)?;
                Ok(self.ids.next())
            }
        }
    }

    async fn wait_ready(
        &self,
        spec: &ResourceSpec,
        physical_id: &str,
    ) -> Result<Attributes, DriverError> {
        match Self::kind(&spec.type_name) {
            Some(kind) => {
                let attrs = self
                    .cloud
                    .wait_ready(kind, &self.cloud_spec(spec), physical_id)
                    .await?;
                Ok(self.cloud_attributes(spec, attrs))
            }
            None => {
                self.native_wait(spec, "create").await;
                self.native_attributes(spec)
            }
        }
    }

    async fn update(
        &self,
        spec: &ResourceSpec,
        physical_id: &str,
        old: &Json,
    ) -> Result<Attributes, DriverError> {
        match Self::kind(&spec.type_name) {
            Some(kind) => {
                let old = self.cloud_properties(spec, old);
                let attrs = self
                    .cloud
                    .update(kind, &self.cloud_spec(spec), physical_id, &old)
                    .await?;
                Ok(self.cloud_attributes(spec, attrs))
            }
            None => {
                self.native_wait(spec, "update").await;
                self.native_attributes(spec)
            }
        }
    }

    async fn delete(&self, type_name: &str, physical_id: &str) -> Result<(), DriverError> {
        match Self::kind(type_name) {
            Some(kind) => self.cloud.delete(kind, physical_id).await,
            None => Ok(()),
        }
    }

    async fn check(&self, type_name: &str, physical_id: &str) -> Result<Attributes, DriverError> {
        match Self::kind(type_name) {
            Some(kind) => {
                let attrs = self.cloud.check(kind, physical_id).await?;
                Ok(Self::attributes(type_name, attrs))
            }
            None => Ok(Attributes::new()),
        }
    }

    async fn observe(
        &self,
        type_name: &str,
        ids: &[String],
    ) -> Vec<Result<Attributes, DriverError>> {
        match Self::kind(type_name) {
            Some(kind) => self
                .cloud
                .observe(kind, ids)
                .await
                .into_iter()
                .map(|r| r.map(|attrs| Self::attributes(type_name, attrs)))
                .collect(),
            None => ids.iter().map(|_| Ok(Attributes::new())).collect(),
        }
    }

    async fn find(
        &self,
        stack_id: &str,
        resource: &str,
        type_name: &str,
    ) -> Result<Vec<String>, DriverError> {
        match Self::kind(type_name) {
            Some(kind) => self.cloud.find(kind, stack_id, resource).await,
            None => Ok(Vec::new()),
        }
    }

    async fn suspend(&self, type_name: &str, physical_id: &str) -> Result<(), DriverError> {
        match Self::kind(type_name) {
            Some(kind) => self.cloud.suspend(kind, physical_id).await,
            None => Ok(()),
        }
    }

    async fn resume(&self, type_name: &str, physical_id: &str) -> Result<(), DriverError> {
        match Self::kind(type_name) {
            Some(kind) => self.cloud.resume(kind, physical_id).await,
            None => Ok(()),
        }
    }

    async fn repair(
        &self,
        type_name: &str,
        physical_id: &str,
        repair: Repair,
    ) -> Result<(), DriverError> {
        match Self::kind(type_name) {
            Some(kind) => self.cloud.repair(kind, physical_id, repair).await,
            None => Err(DriverError::fatal(format!(
                "{type_name} cannot be repaired in place"
            ))),
        }
    }

    async fn check_constraint(&self, constraint: &str, value: &Json) -> Result<(), String> {
        // An empty key name is no key (Heat's KeypairConstraint skips it:
        // Heat's own RDS template passes `KeyName: ''`).
        if constraint == "nova.keypair" && value.as_str() == Some("") {
            return Ok(());
        }
        self.cloud.check_constraint(constraint, value).await
    }

    async fn snapshot(
        &self,
        type_name: &str,
        physical_id: &str,
    ) -> Result<Option<String>, DriverError> {
        match Self::kind(type_name) {
            Some(kind) => self.cloud.snapshot(kind, physical_id).await,
            None => Ok(None),
        }
    }
}
