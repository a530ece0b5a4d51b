//! Software deployments of templates (`OS::Heat::SoftwareDeployment`,
//! `OS::Heat::StructuredDeployment`), as Heat runs them: for each action
//! the resource deploys (`actions`, by default `CREATE` and `UPDATE`), a
//! *derived config* is stored: the config's content (a structured
//! config's `get_input` calls replaced by the values), its declared
//! inputs with their values, and the inputs Heat adds (`deploy_server_id`,
//! `deploy_action`, `deploy_stack_id`, `deploy_resource_name`,
//! `deploy_signal_transport`, and for a signalling transport
//! `deploy_signal_id`, the pre-signed URL, with `deploy_signal_verb`).
//! The deployment (whose id is the resource's) points at it, `IN_PROGRESS`.
//! The server's agent (os-collect-config and heat-config) finds it in the
//! server's metadata (`deployments`, [`StackService::resources`]) or at
//! `/software_deployments/metadata/{server}`, applies it and signals its
//! outputs back; the signal completes the deployment, or fails it (a
//! non-zero `deploy_status_code`, an `error_output`), and the resource
//! with it ("Deployment to server failed: ..."). Its attributes are the
//! reported outputs. `NO_SIGNAL` completes at once.
//!
//! The deployment is stored before the resource records its id; a crash
//! in between is found again by its owner (stack and resource).
//!
//! [`StackService::resources`]: crate::service::StackService::resources

use std::time::Duration;

use serde_json::{json, Map as JsonMap, Value as Json};

use super::fatal;
use crate::engine::cancel::Cancel;
use crate::engine::driver::{Attributes, DriverError, ResourceSpec};
use crate::engine::model::{Document, DocumentKind, ResourceRecord, StackRecord};
use crate::engine::software_config::{SoftwareConfig, SoftwareDeployment};
use crate::engine::Engine;

/// The transports through which a server reports a deployment's outputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Transport {
    /// A POST to a pre-signed URL of heat-rs's CloudFormation API.
    Cfn,
    /// A signal through the orchestration API (heat-rs also gives the
    /// pre-signed URL, which needs no credentials).
    Heat,
    /// No report: the deployment is complete once stored.
    None,
}

impl Transport {
    fn parse(name: &str, resource: &str) -> Result<Self, DriverError> {
        match name {
            "CFN_SIGNAL" => Ok(Transport::Cfn),
            "HEAT_SIGNAL" => Ok(Transport::Heat),
            "NO_SIGNAL" => Ok(Transport::None),
            "TEMP_URL_SIGNAL" | "ZAQAR_SIGNAL" => Err(fatal(format!(
                "resources.{resource}.properties.signal_transport: {name} needs a service \
                 (Swift, Zaqar) that heat-rs does not drive; use CFN_SIGNAL, HEAT_SIGNAL or \
                 NO_SIGNAL"
            ))),
            other => Err(fatal(format!(
                "resources.{resource}.properties.signal_transport: \"{other}\" is not an allowed \
                 value [CFN_SIGNAL, TEMP_URL_SIGNAL, HEAT_SIGNAL, NO_SIGNAL, ZAQAR_SIGNAL]"
            ))),
        }
    }

    fn name(self) -> &'static str {
        match self {
            Transport::Cfn => "CFN_SIGNAL",
            Transport::Heat => "HEAT_SIGNAL",
            Transport::None => "NO_SIGNAL",
        }
    }
}

/// Outputs every deployment reports, beside its config's.
const STANDARD_OUTPUTS: [&str; 3] = ["deploy_stdout", "deploy_stderr", "deploy_status_code"];

const IN_PROGRESS: &str = "IN_PROGRESS";
const COMPLETE: &str = "COMPLETE";
const FAILED: &str = "FAILED";

/// A deployment resource's properties, with Heat's defaults.
struct Props<'a> {
    spec: &'a ResourceSpec,
    config: Option<&'a str>,
    server: String,
    input_values: JsonMap<String, Json>,
    actions: Vec<String>,
    transport: Transport,
    /// A structured deployment's `input_key` and whether a missing input
    /// is an error (`input_values_validate: STRICT`).
    structured: Option<(String, bool)>,
}

impl<'a> Props<'a> {
    fn of(spec: &'a ResourceSpec) -> Result<Self, DriverError> {
        let p = &spec.properties;
        let text = |k: &str| p.get(k).and_then(Json::as_str);
        let structured = spec.type_name == "OS::Heat::StructuredDeployment";
        Ok(Props {
            spec,
            config: text("config").filter(|c| !c.is_empty()),
            server: text("server").unwrap_or_default().to_string(),
            input_values: p
                .get("input_values")
                .and_then(Json::as_object)
                .cloned()
                .unwrap_or_default(),
            actions: match p.get("actions").and_then(Json::as_array) {
                Some(list) => list
                    .iter()
                    .filter_map(Json::as_str)
                    .map(str::to_string)
                    .collect(),
                None => vec!["CREATE".into(), "UPDATE".into()],
            },
            transport: Transport::parse(
                text("signal_transport").unwrap_or("CFN_SIGNAL"),
                &spec.name,
            )?,
            structured: structured.then(|| {
                (
                    text("input_key").unwrap_or("get_input").to_string(),
                    text("input_values_validate") == Some("STRICT"),
                )
            }),
        })
    }
}

/// An input as Heat stores it in a derived config (`InputConfig.as_dict`).
fn input(name: &str, value: Json, description: Option<&str>) -> Json {
    let mut i = json!({"name": name, "type": "String", "value": value});
    if let Some(d) = description {
        i["description"] = json!(d);
    }
    i
}

/// A structured config with each `{input_key: name}` replaced by the
/// input's value (Heat's `StructuredDeployment.parse`).
fn substitute(
    snippet: &Json,
    inputs: &JsonMap<String, Json>,
    key: &str,
    strict: bool,
) -> Result<Json, String> {
    match snippet {
        Json::Object(m) => {
            if let (1, Some(Json::String(name))) = (m.len(), m.get(key)) {
                return match inputs.get(name) {
                    Some(v) => Ok(v.clone()),
                    None if strict => Err(format!("The Parameter ({name}) was not provided.")),
                    None => Ok(Json::Null),
                };
            }
            m.iter()
                .map(|(k, v)| Ok((k.clone(), substitute(v, inputs, key, strict)?)))
                .collect::<Result<JsonMap<_, _>, String>>()
                .map(Json::Object)
        }
        Json::Array(a) => a
            .iter()
            .map(|v| substitute(v, inputs, key, strict))
            .collect::<Result<Vec<_>, _>>()
            .map(Json::Array),
        other => Ok(other.clone()),
    }
}

/// Why a report fails a deployment (Heat's `signal_software_deployment`):
/// a non-zero status code, or a value of an output flagged
/// `error_output`; `None` when it succeeds.
fn failure(details: &JsonMap<String, Json>, outputs: &[Json]) -> Option<String> {
    let mut reasons = Vec::new();
    if let Some(code) = details.get("deploy_status_code").filter(|c| !c.is_null()) {
        let text = match code {
            Json::String(s) => s.clone(),
            other => other.to_string(),
        };
        if !text.is_empty() && text != "0" {
            reasons.push(format!(
                "deploy_status_code : Deployment exited with non-zero status code: {text}"
            ));
        }
    }
    for o in outputs {
        let Some(name) = o.get("name").and_then(Json::as_str) else {
            continue;
        };
        let error_output = o
            .get("error_output")
            .is_some_and(|e| e == &json!(true) || e == &json!("true"));
        if let (true, Some(v)) = (error_output, details.get(name)) {
            let text = match v {
                Json::String(s) => s.clone(),
                other => other.to_string(),
            };
            reasons.push(format!("{name} : {text}"));
        }
    }
    (!reasons.is_empty()).then(|| reasons.join(", "))
}

/// The actions an `OS::Heat::SoftwareComponent`'s configs run.
fn component_actions(config: &Json) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for c in config["configs"].as_array().into_iter().flatten() {
        for a in c["actions"].as_array().into_iter().flatten() {
            if let Some(a) = a.as_str().filter(|a| !out.iter().any(|o| o == a)) {
                out.push(a.to_string());
            }
        }
    }
    out
}

fn store_error(e: impl std::fmt::Display) -> DriverError {
    DriverError::transient(e.to_string())
}

impl Engine {
    async fn put_document<T: serde::Serialize>(
        &self,
        kind: DocumentKind,
        project: &str,
        id: &str,
        created_at: f64,
        value: &T,
    ) -> Result<(), DriverError> {
        let document = Document::of(kind, project, id, created_at, value).map_err(store_error)?;
        self.store
            .put_document(&document)
            .await
            .map_err(store_error)
    }

    /// Stores a (derived) software config of a project.
    async fn put_config(&self, project: &str, c: &SoftwareConfig) -> Result<(), DriverError> {
        self.put_document(
            DocumentKind::SoftwareConfig,
            project,
            &c.id,
            c.created_at,
            c,
        )
        .await
    }

    /// Stores a deployment of a project.
    async fn put_deployment(
        &self,
        project: &str,
        d: &SoftwareDeployment,
    ) -> Result<(), DriverError> {
        self.put_document(
            DocumentKind::SoftwareDeployment,
            project,
            &d.id,
            d.created_at,
            d,
        )
        .await
    }

    /// A deployment, by id, in a project.
    async fn stored_deployment(
        &self,
        project: &str,
        id: &str,
    ) -> Result<Option<SoftwareDeployment>, DriverError> {
        let found = self
            .store
            .document(DocumentKind::SoftwareDeployment, project, id)
            .await
            .map_err(store_error)?;
        Ok(found.and_then(|d| serde_json::from_value(d.data).ok()))
    }

    /// The config a deployment names (none: an empty one).
    async fn source_config(
        &self,
        stack: &StackRecord,
        props: &Props<'_>,
    ) -> Result<SoftwareConfig, DriverError> {
        match props.config {
            Some(id) => self.software_config(stack, id).await.ok_or_else(|| {
                fatal(format!(
                    "resources.{}.properties.config: Software config with id {id} not found",
                    props.spec.name
                ))
            }),
            None => Ok(SoftwareConfig::default()),
        }
    }

    /// The derived config a deployment of `source` runs for `action`.
    fn derived_config(
        &self,
        stack: &StackRecord,
        props: &Props<'_>,
        source: SoftwareConfig,
        action: &str,
    ) -> Result<SoftwareConfig, DriverError> {
        let spec = props.spec;
        let mut values = props.input_values.clone();
        let mut inputs: Vec<Json> = Vec::new();
        for declared in &source.inputs {
            let Some(name) = declared.get("name").and_then(Json::as_str) else {
                continue;
            };
            let value = values
                .remove(name)
                .or_else(|| declared.get("default").cloned())
                .unwrap_or(Json::Null);
            let mut i = declared.clone();
            i["value"] = value;
            if i.get("type").is_none() {
                i["type"] = json!("String");
            }
            inputs.push(i);
        }
        for (name, value) in values {
            inputs.push(input(&name, value, None));
        }
        let transport = props.transport;
        inputs.push(input(
            "deploy_server_id",
            json!(props.server),
            Some("ID of the server being deployed to"),
        ));
        inputs.push(input(
            "deploy_action",
            json!(action),
            Some("Name of the current action being deployed"),
        ));
        inputs.push(input(
            "deploy_stack_id",
            json!(format!("{}/{}", stack.name, stack.id)),
            Some("ID of the stack this deployment belongs to"),
        ));
        inputs.push(input(
            "deploy_resource_name",
            json!(spec.name),
            Some("Name of this deployment resource in the stack"),
        ));
        inputs.push(input(
            "deploy_signal_transport",
            json!(transport.name()),
            Some("How the server should signal to heat with the deployment output values."),
        ));
        if transport != Transport::None {
            let url = self.driver.signal_url(spec).ok_or_else(|| {
                fatal(format!(
                    "resources.{}.properties.signal_transport: {} needs heat-rs's signal URLs, \
                     which this engine does not serve; use NO_SIGNAL",
                    spec.name,
                    transport.name()
                ))
            })?;
            inputs.push(input(
                "deploy_signal_id",
                json!(url),
                Some("ID of signal to use for signaling output values"),
            ));
            inputs.push(input(
                "deploy_signal_verb",
                json!("POST"),
                Some("HTTP verb to use for signaling output values"),
            ));
        }
        let config = match &props.structured {
            Some((key, strict)) => {
                let values: JsonMap<String, Json> = inputs
                    .iter()
                    .filter_map(|i| {
                        Some((
                            i.get("name")?.as_str()?.to_string(),
                            i.get("value").cloned().unwrap_or(Json::Null),
                        ))
                    })
                    .collect();
                substitute(&source.config, &values, key, *strict)
                    .map_err(|e| fatal(format!("resources.{}.properties.config: {e}", spec.name)))?
            }
            None => source.config.clone(),
        };
        let empty = if props.structured.is_some() {
            json!({})
        } else {
            json!("")
        };
        let name = spec
            .properties
            .get("name")
            .and_then(Json::as_str)
            .filter(|n| !n.is_empty())
            .map(str::to_string)
            .or_else(|| (!source.name.is_empty()).then(|| source.name.clone()))
            .unwrap_or_else(|| format!("{}-{}", stack.name, spec.name));
        Ok(SoftwareConfig {
            id: self.new_id(),
            name,
            group: if source.group.is_empty() {
                "Heat::Ungrouped".into()
            } else {
                source.group
            },
            config: if config.is_null() || config == json!("") {
                empty
            } else {
                config
            },
            inputs,
            outputs: source.outputs,
            options: source.options,
            created_at: self.clock.now(),
        })
    }

    /// Stores the deployment of `action` (a new derived config, the
    /// deployment `IN_PROGRESS`, or `COMPLETE` for `NO_SIGNAL`) when the
    /// resource deploys that action; returns whether it did.
    async fn deploy(
        &self,
        stack: &StackRecord,
        spec: &ResourceSpec,
        id: &str,
        action: &str,
    ) -> Result<bool, DriverError> {
        let props = Props::of(spec)?;
        let source = self.source_config(stack, &props).await?;
        // A component's configs say which actions they run, not the
        // deployment's `actions`.
        let actions = match source.group.as_str() {
            "component" => component_actions(&source.config),
            _ => props.actions.clone(),
        };
        if !actions.iter().any(|a| a == action) {
            return Ok(false);
        }
        let derived = self.derived_config(stack, &props, source, action)?;
        let previous = self.stored_deployment(&stack.project, id).await?;
        let now = self.clock.now();
        self.put_config(&stack.project, &derived).await?;
        let (status, reason) = match props.transport {
            Transport::None => (COMPLETE, "Not waiting for outputs signal"),
            _ => (IN_PROGRESS, "Deploy data available"),
        };
        let deployment = SoftwareDeployment {
            id: id.to_string(),
            config_id: derived.id.clone(),
            server_id: props.server.clone(),
            input_values: props.input_values.clone(),
            output_values: previous
                .as_ref()
                .map(|p| p.output_values.clone())
                .unwrap_or_default(),
            action: action.to_string(),
            status: status.into(),
            status_reason: reason.into(),
            created_at: previous.as_ref().map_or(now, |p| p.created_at),
            updated_at: previous.as_ref().map(|_| now),
            owner: Some((stack.id.clone(), spec.name.clone())),
            actions,
        };
        self.put_deployment(&stack.project, &deployment).await?;
        if let Some(old) = previous.filter(|p| p.config_id != derived.id) {
            self.store
                .remove_document(DocumentKind::SoftwareConfig, &old.config_id)
                .await
                .map_err(store_error)?;
        }
        Ok(true)
    }

    /// Creates a deployment resource: its deployment for `CREATE`, when it
    /// deploys that action. Returns its id.
    pub(super) async fn deployment_create(
        &self,
        stack: &StackRecord,
        spec: &ResourceSpec,
    ) -> Result<String, DriverError> {
        let id = self.ids.next();
        self.deploy(stack, spec, &id, "CREATE").await?;
        Ok(id)
    }

    /// Updates a deployment resource in place: a new derived config for
    /// `UPDATE` (when it deploys that action), then its report.
    pub(super) async fn deployment_update(
        &self,
        cancel: &Cancel,
        stack: &StackRecord,
        spec: &ResourceSpec,
        id: &str,
    ) -> Result<Attributes, DriverError> {
        self.deploy(stack, spec, id, "UPDATE").await?;
        self.deployment_wait(cancel, stack, &spec.name, id).await
    }

    /// Waits until the server reports the deployment (or `cancel`); the
    /// resource's attributes are the outputs reported.
    pub(super) async fn deployment_wait(
        &self,
        cancel: &Cancel,
        stack: &StackRecord,
        resource: &str,
        id: &str,
    ) -> Result<Attributes, DriverError> {
        let mut delay = Duration::from_millis(50);
        loop {
            let woken = self.signalled.listen();
            let Some(d) = self.stored_deployment(&stack.project, id).await? else {
                // Not deployed for this action: no outputs.
                return Ok(Attributes::new());
            };
            match d.status.as_str() {
                COMPLETE => {
                    // Every declared output, null when not reported.
                    let mut a: Attributes = d.output_values.into_iter().collect();
                    let declared = match self.software_config(stack, &d.config_id).await {
                        Some(c) => c.outputs,
                        None => Vec::new(),
                    };
                    let names = declared
                        .iter()
                        .filter_map(|o| o.get("name").and_then(Json::as_str))
                        .chain(STANDARD_OUTPUTS);
                    for name in names {
                        a.entry(name.to_string()).or_insert(Json::Null);
                    }
                    return Ok(a);
                }
                FAILED => {
                    return Err(fatal(format!(
                        "resources.{resource}: Deployment to server failed: {}",
                        d.status_reason
                    )))
                }
                _ => {}
            }
            let sleep = self.clock.sleep(delay);
            if cancel
                .guard(futures::future::select(woken, sleep))
                .await
                .is_err()
            {
                // As Heat's `handle_*_cancel`: the deployment fails.
                let mut d = d;
                d.status = FAILED.into();
                d.status_reason = "Deployment cancelled.".into();
                let _ = self.put_deployment(&stack.project, &d).await;
                return Err(fatal(format!(
                    "resources.{resource}: Deployment cancelled."
                )));
            }
            delay = (delay * 2).min(self.config.poll);
        }
    }

    /// Deletes a deployment resource: when it deploys `DELETE` and reports,
    /// that deployment first (while its server is there to run it), then
    /// the deployment and its derived config.
    pub(super) async fn deployment_delete(
        &self,
        cancel: &Cancel,
        stack: &StackRecord,
        resource: &str,
        id: &str,
    ) -> Result<(), DriverError> {
        let Some(d) = self.stored_deployment(&stack.project, id).await? else {
            return Ok(());
        };
        let config = match d.actions.iter().any(|a| a == "DELETE") {
            true => self.software_config(stack, &d.config_id).await,
            false => None,
        };
        let signals = config.as_ref().is_some_and(|c| {
            !c.inputs
                .iter()
                .any(|i| i["name"] == "deploy_signal_transport" && i["value"] == "NO_SIGNAL")
        });
        // Only a server that is still there runs it (Heat's `_server_exists`).
        let server_there = signals
            && self
                .driver
                .check(&self.server_type(stack, &d.server_id).await, &d.server_id)
                .await
                .is_ok();
        if let (Some(mut derived), true) = (config, server_there) {
            for i in derived.inputs.iter_mut() {
                if i["name"] == "deploy_action" {
                    i["value"] = json!("DELETE");
                }
            }
            let old = std::mem::replace(&mut derived.id, self.ids.next());
            derived.created_at = self.clock.now();
            self.put_config(&stack.project, &derived).await?;
            let mut deleting = d.clone();
            deleting.config_id = derived.id.clone();
            deleting.action = "DELETE".into();
            deleting.status = IN_PROGRESS.into();
            deleting.status_reason = "Deploy data available".into();
            deleting.updated_at = Some(self.clock.now());
            self.put_deployment(&stack.project, &deleting).await?;
            self.store
                .remove_document(DocumentKind::SoftwareConfig, &old)
                .await
                .map_err(store_error)?;
            self.deployment_wait(cancel, stack, resource, id).await?;
        }
        let d = self
            .stored_deployment(&stack.project, id)
            .await?
            .unwrap_or(d);
        self.store
            .remove_document(DocumentKind::SoftwareDeployment, id)
            .await
            .map_err(store_error)?;
        self.store
            .remove_document(DocumentKind::SoftwareConfig, &d.config_id)
            .await
            .map_err(store_error)?;
        Ok(())
    }

    /// The type of the server a deployment names (`OS::Nova::Server`
    /// unless a resource of the project says otherwise), to ask the
    /// driver whether it is still there.
    async fn server_type(&self, stack: &StackRecord, server: &str) -> String {
        let records = self.store.resources(&stack.id).await.unwrap_or_default();
        records
            .into_iter()
            .find(|r| r.physical_id.as_deref() == Some(server))
            .map(|r| r.type_name)
            .unwrap_or_else(|| "OS::Nova::Server".into())
    }

    /// A deployment stored before a crash kept its resource from
    /// recording its id.
    pub(super) async fn deployment_find(&self, stack: &StackRecord, name: &str) -> Option<String> {
        let docs = self
            .store
            .documents(DocumentKind::SoftwareDeployment, Some(&stack.project))
            .await
            .ok()?;
        docs.into_iter().find_map(|d| {
            let s: SoftwareDeployment = serde_json::from_value(d.data).ok()?;
            (s.owner.as_ref() == Some(&(stack.id.clone(), name.to_string()))).then_some(s.id)
        })
    }

    /// A server's report of a deployment (Heat's
    /// `signal_software_deployment`): its outputs recorded, and the
    /// deployment complete, or failed with the reasons. A report for a
    /// deployment that is not in progress is ignored.
    pub(super) async fn signal_deployment(
        &self,
        stack: &StackRecord,
        r: &ResourceRecord,
        data: &Json,
    ) -> Result<(), crate::engine::EngineError> {
        let invalid = |m: String| crate::engine::EngineError::Invalid(m);
        let Some(id) = r.physical_id.as_deref() else {
            return Ok(());
        };
        let Some(mut d) = self
            .stored_deployment(&stack.project, id)
            .await
            .map_err(|e| invalid(e.message))?
        else {
            return Ok(());
        };
        if d.status != IN_PROGRESS {
            return Ok(());
        }
        let details = match data {
            Json::Object(m) => m.clone(),
            Json::Null => JsonMap::new(),
            _ => {
                return Err(invalid(format!(
                    "Resource {}: a deployment's signal is a JSON object of its outputs",
                    r.name
                )))
            }
        };
        let outputs = self
            .software_config(stack, &d.config_id)
            .await
            .map(|c| c.outputs)
            .unwrap_or_default();
        for o in &outputs {
            if let Some(name) = o.get("name").and_then(Json::as_str) {
                if let Some(v) = details.get(name) {
                    d.output_values.insert(name.to_string(), v.clone());
                }
            }
        }
        for name in STANDARD_OUTPUTS {
            d.output_values.insert(
                name.to_string(),
                details.get(name).cloned().unwrap_or(Json::Null),
            );
        }
        match failure(&details, &outputs) {
            Some(reason) => {
                d.status = FAILED.into();
                d.status_reason = reason;
            }
            None => {
                d.status = COMPLETE.into();
                d.status_reason = "Outputs received".into();
            }
        }
        d.updated_at = Some(self.clock.now());
        self.put_deployment(&stack.project, &d)
            .await
            .map_err(|e| invalid(e.message))?;
        self.signalled.notify(usize::MAX);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_structured_config_takes_its_inputs() {
        let inputs: JsonMap<String, Json> =
            serde_json::from_value(json!({"port": 80, "name": "web"})).unwrap();
        let config = json!({"listen": {"get_input": "port"}, "names": [{"get_input": "name"}],
                            "other": {"get_input": "missing"}, "two": {"get_input": "port", "x": 1}});
        let got = substitute(&config, &inputs, "get_input", false).unwrap();
        assert_eq!(
            got,
            json!({"listen": 80, "names": ["web"], "other": null,
                   "two": {"get_input": "port", "x": 1}})
        );
        let strict = substitute(&config, &inputs, "get_input", true).unwrap_err();
        assert_eq!(strict, "The Parameter (missing) was not provided.");
        let custom = substitute(&json!({"a": {"my_key": "name"}}), &inputs, "my_key", false);
        assert_eq!(custom.unwrap(), json!({"a": "web"}));
    }

    #[test]
    fn a_report_fails_on_a_status_code_or_an_error_output() {
        let outputs = vec![
            json!({"name": "result"}),
            json!({"name": "oops", "error_output": true}),
        ];
        let ok: JsonMap<String, Json> =
            serde_json::from_value(json!({"deploy_status_code": 0, "result": "x"})).unwrap();
        assert_eq!(failure(&ok, &outputs), None);
        let zero_text: JsonMap<String, Json> =
            serde_json::from_value(json!({"deploy_status_code": "0"})).unwrap();
        assert_eq!(failure(&zero_text, &outputs), None);
        let bad: JsonMap<String, Json> =
            serde_json::from_value(json!({"deploy_status_code": 2, "oops": "disk full"})).unwrap();
        assert_eq!(
            failure(&bad, &outputs).unwrap(),
            "deploy_status_code : Deployment exited with non-zero status code: 2, oops : disk full"
        );
    }

    #[test]
    fn transports_heat_rs_cannot_serve_are_refused_by_name() {
        assert_eq!(Transport::parse("CFN_SIGNAL", "d").unwrap(), Transport::Cfn);
        let e = Transport::parse("TEMP_URL_SIGNAL", "d").unwrap_err();
        assert!(e
            .message
            .contains("resources.d.properties.signal_transport"));
        assert!(e
            .message
            .contains("use CFN_SIGNAL, HEAT_SIGNAL or NO_SIGNAL"));
    }
}
