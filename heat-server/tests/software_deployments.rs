//! Software deployments of templates, end to end on the simulated cloud:
//! a deployment's derived config reaches its server's metadata (what
//! os-collect-config reads), the server's agent (a `SOFTWARE_CONFIG`
//! server of the simulated cloud runs it) reports through the pre-signed
//! `deploy_signal_id`, and the report completes or fails the resource;
//! updates deploy again, deletes leave no deployment or derived config.

use heat_core::engine::{RequestContext, StackOptions, StackRecord};
use heat_core::service::{SourceParts, StackService, UpdateRequest};
use serde_json::{json, Value as Json};

use heat_server::builder::memory_sim as service;

fn template(server_format: &str, deployment: &str) -> String {
    format!(
        r#"heat_template_version: 2018-08-31
parameters:
  foo: {{type: string, default: bar}}
resources:
  config:
    type: OS::Heat::SoftwareConfig
    properties:
      group: script
      inputs: [{{name: foo}}]
      outputs: [{{name: result}}, {{name: oops, error_output: true}}]
      config: |
        #!/bin/sh
        echo -n "$foo" > $heat_outputs_path.result
  server:
    type: OS::Nova::Server
    properties:
      image: cirros-0.6.2
      flavor: m1.small
      user_data_format: {server_format}
  deployment:
{deployment}
outputs:
  code: {{value: {{get_attr: [deployment, deploy_status_code]}}}}
  stdout: {{value: {{get_attr: [deployment, deploy_stdout]}}}}
"#
    )
}

const DEPLOYMENT: &str = "    type: OS::Heat::SoftwareDeployment
    properties:
      config: {get_resource: config}
      server: {get_resource: server}
      input_values: {foo: {get_param: foo}}";

/// Creates (or updates `stack`) and waits for the end.
async fn run(
    svc: &StackService,
    stack: Option<&StackRecord>,
    text: &str,
    params: Json,
) -> StackRecord {
    let s = start(svc, stack, text, params).await;
    svc.wait(&RequestContext::default(), &s.id)
        .await
        .unwrap()
        .unwrap()
}

/// Creates (or updates `stack`): the accepted stack.
async fn start(
    svc: &StackService,
    stack: Option<&StackRecord>,
    text: &str,
    params: Json,
) -> StackRecord {
    let ctx = RequestContext::default();
    let mut parts = SourceParts::template("deploy.yaml", text);
    parts.parameters = params.as_object().cloned().unwrap_or_default();
    match stack {
        None => svc
            .create(&ctx, "deploy", &parts, StackOptions::default())
            .await
            .unwrap(),
        Some(s) => svc
            .update(
                &ctx,
                &s.id,
                &UpdateRequest {
                    parts,
                    ..UpdateRequest::default()
                },
            )
            .await
            .unwrap(),
    }
}

fn input<'a>(config: &'a Json, name: &str) -> &'a Json {
    config["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["name"] == name)
        .map(|i| &i["value"])
        .unwrap_or_else(|| panic!("no input {name} in {config}"))
}

#[tokio::test(start_paused = true)]
async fn the_servers_agent_gets_the_deployment_and_its_report_completes_it() {
    let (svc, _cloud) = service();
    let ctx = RequestContext::default();
    let text = template("SOFTWARE_CONFIG", DEPLOYMENT);
    let done = run(&svc, None, &text, json!({})).await;
    assert_eq!(done.status_text(), "CREATE_COMPLETE", "{}", done.reason);
    let outputs = done.outputs.clone().unwrap();
    assert_eq!(outputs["code"]["value"], json!(0));
    assert_eq!(outputs["stdout"]["value"], json!(""));

    // What os-collect-config reads: the server's metadata.
    let server = svc.resource(&ctx, &done.id, "server").await.unwrap();
    let server_id = server.record.physical_id.clone().unwrap();
    let deployments = server.record.metadata["deployments"].as_array().unwrap();
    assert_eq!(deployments.len(), 1, "{deployments:?}");
    let derived = &deployments[0];
    assert_eq!(derived["group"], "script");
    assert!(derived["config"]
        .as_str()
        .unwrap()
        .contains("heat_outputs_path"));
    assert_eq!(input(derived, "foo"), "bar");
    assert_eq!(input(derived, "deploy_action"), "CREATE");
    assert_eq!(input(derived, "deploy_server_id"), &json!(server_id));
    assert_eq!(input(derived, "deploy_resource_name"), "deployment");
    assert_eq!(
        input(derived, "deploy_stack_id"),
        &json!(format!("deploy/{}", done.id))
    );
    assert_eq!(input(derived, "deploy_signal_transport"), "CFN_SIGNAL");
    assert_eq!(input(derived, "deploy_signal_verb"), "POST");
    let url = input(derived, "deploy_signal_id").as_str().unwrap();
    assert!(
        url.contains("/v1/signal/") && url.contains("Signature="),
        "{url}"
    );
    assert_eq!(derived["outputs"][0]["name"], "result");
    // The same at the deployments API.
    let listed = svc.deployments(&ctx, Some(&server_id)).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(
        (listed[0].action.as_str(), listed[0].status.as_str()),
        ("CREATE", "COMPLETE")
    );
    assert_eq!(listed[0].status_reason, "Outputs received");
    let first_config = listed[0].config_id.clone();
    assert_eq!(
        svc.deployment_metadata(&ctx, &server_id).await.unwrap()[0].id,
        first_config
    );

    // An update deploys again, with a new derived config.
    let updated = run(&svc, Some(&done), &text, json!({"foo": "baz"})).await;
    assert_eq!(
        updated.status_text(),
        "UPDATE_COMPLETE",
        "{}",
        updated.reason
    );
    let listed = svc.deployments(&ctx, Some(&server_id)).await.unwrap();
    assert_eq!(
        (listed[0].action.as_str(), listed[0].status.as_str()),
        ("UPDATE", "COMPLETE")
    );
    assert_ne!(listed[0].config_id, first_config);
    assert!(svc.config(&ctx, &first_config).await.is_err());
    let derived = svc.config(&ctx, &listed[0].config_id).await.unwrap();
    assert_eq!(input(&derived.view(true), "foo"), "baz");
    assert_eq!(input(&derived.view(true), "deploy_action"), "UPDATE");

    // A delete leaves no deployment and no derived config.
    svc.delete(&ctx, &done.id).await.unwrap();
    let gone = svc.wait(&ctx, &done.id).await.unwrap();
    assert!(gone.is_none_or(|s| s.status_text() == "DELETE_COMPLETE"));
    assert!(svc.deployments(&ctx, None).await.unwrap().is_empty());
    assert!(svc.configs(&ctx, None, None).await.unwrap().is_empty());
}

/// Signals the deployment of the stack once it is in progress.
async fn report(svc: &StackService, stack: &StackRecord, details: Json) {
    let ctx = RequestContext::default();
    for _ in 0..100 {
        let listed = svc.deployments(&ctx, None).await.unwrap();
        if listed.iter().any(|d| d.status == "IN_PROGRESS") {
            svc.signal(&ctx, &stack.id, "deployment", details)
                .await
                .unwrap();
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the deployment never started");
}

#[tokio::test(start_paused = true)]
async fn a_reported_failure_fails_the_resource_with_heats_reasons() {
    let (svc, _cloud) = service();
    let ctx = RequestContext::default();
    // A RAW server runs no agent: the report comes from the signal API.
    let stack = start(&svc, None, &template("RAW", DEPLOYMENT), json!({})).await;
    report(
        &svc,
        &stack,
        json!({"deploy_status_code": 3, "deploy_stderr": "boom", "oops": "disk full"}),
    )
    .await;
    let done = svc.wait(&ctx, &stack.id).await.unwrap().unwrap();
    assert_eq!(done.status_text(), "CREATE_FAILED");
    assert!(
        done.reason.contains(
            "Deployment to server failed: deploy_status_code : Deployment exited with \
             non-zero status code: 3, oops : disk full"
        ),
        "{}",
        done.reason
    );
    let d = &svc.deployments(&ctx, None).await.unwrap()[0];
    assert_eq!(d.status, "FAILED");
    assert_eq!(d.output_values["deploy_stderr"], "boom");
    // A report after the end changes nothing.
    svc.signal(
        &ctx,
        &stack.id,
        "deployment",
        json!({"deploy_status_code": 0}),
    )
    .await
    .unwrap();
    assert_eq!(
        svc.deployments(&ctx, None).await.unwrap()[0].status,
        "FAILED"
    );
}

#[tokio::test(start_paused = true)]
async fn an_agents_outputs_become_the_resources_attributes() {
    let (svc, _cloud) = service();
    let ctx = RequestContext::default();
    let text = template("RAW", DEPLOYMENT).replace(
        "  code: {value",
        "  result: {value: {get_attr: [deployment, result]}}\n  code: {value",
    );
    let stack = start(&svc, None, &text, json!({})).await;
    report(
        &svc,
        &stack,
        json!({"deploy_status_code": 0, "deploy_stdout": "ok", "result": "bar", "undeclared": 1}),
    )
    .await;
    let done = svc.wait(&ctx, &stack.id).await.unwrap().unwrap();
    assert_eq!(done.status_text(), "CREATE_COMPLETE", "{}", done.reason);
    let outputs = done.outputs.unwrap();
    assert_eq!(outputs["result"]["value"], "bar");
    assert_eq!(outputs["stdout"]["value"], "ok");
    let d = &svc.deployments(&ctx, None).await.unwrap()[0];
    assert!(!d.output_values.contains_key("undeclared"));
}

#[tokio::test(start_paused = true)]
async fn no_signal_completes_at_once_and_a_structured_config_takes_its_inputs() {
    let (svc, _cloud) = service();
    let ctx = RequestContext::default();
    let text = r#"heat_template_version: 2018-08-31
resources:
  config:
    type: OS::Heat::StructuredConfig
    properties:
      config: {listen: {get_input: port}, hosts: [{get_input: host}], absent: {get_input: nothing}}
  server:
    type: OS::Nova::Server
    properties: {image: cirros-0.6.2, flavor: m1.small}
  deployment:
    type: OS::Heat::StructuredDeployment
    properties:
      config: {get_resource: config}
      server: {get_resource: server}
      signal_transport: NO_SIGNAL
      input_values: {port: 8080, host: web}
"#;
    let done = run(&svc, None, text, json!({})).await;
    assert_eq!(done.status_text(), "CREATE_COMPLETE", "{}", done.reason);
    let d = &svc.deployments(&ctx, None).await.unwrap()[0];
    assert_eq!(d.status_reason, "Not waiting for outputs signal");
    let derived = svc.config(&ctx, &d.config_id).await.unwrap();
    assert_eq!(
        derived.config,
        json!({"listen": 8080, "hosts": ["web"], "absent": null})
    );
    assert!(!derived
        .inputs
        .iter()
        .any(|i| i["name"] == "deploy_signal_id"));
    // STRICT refuses the missing input.
    let strict = text.replace(
        "signal_transport: NO_SIGNAL",
        "signal_transport: NO_SIGNAL\n      input_values_validate: STRICT",
    );
    let done = run(&svc, Some(&done), &strict, json!({})).await;
    assert_eq!(done.status_text(), "UPDATE_FAILED");
    assert!(
        done.reason
            .contains("The Parameter (nothing) was not provided."),
        "{}",
        done.reason
    );
}

#[tokio::test(start_paused = true)]
async fn an_action_the_deployment_does_not_run_makes_no_deployment() {
    let (svc, _cloud) = service();
    let ctx = RequestContext::default();
    let only_update = format!("{DEPLOYMENT}\n      actions: [UPDATE]");
    let text = template("SOFTWARE_CONFIG", &only_update);
    let done = run(&svc, None, &text, json!({})).await;
    assert_eq!(done.status_text(), "CREATE_COMPLETE", "{}", done.reason);
    assert!(svc.deployments(&ctx, None).await.unwrap().is_empty());
    let updated = run(&svc, Some(&done), &text, json!({"foo": "new"})).await;
    assert_eq!(
        updated.status_text(),
        "UPDATE_COMPLETE",
        "{}",
        updated.reason
    );
    let listed = svc.deployments(&ctx, None).await.unwrap();
    assert_eq!(
        (listed[0].action.as_str(), listed[0].status.as_str()),
        ("UPDATE", "COMPLETE")
    );
}

#[tokio::test(start_paused = true)]
async fn a_delete_action_is_deployed_and_reported_before_the_deployment_goes() {
    let (svc, _cloud) = service();
    let ctx = RequestContext::default();
    let with_delete = format!("{DEPLOYMENT}\n      actions: [CREATE, DELETE]");
    let stack = start(&svc, None, &template("RAW", &with_delete), json!({})).await;
    report(&svc, &stack, json!({"deploy_status_code": 0})).await;
    let done = svc.wait(&ctx, &stack.id).await.unwrap().unwrap();
    assert_eq!(done.status_text(), "CREATE_COMPLETE", "{}", done.reason);
    svc.delete(&ctx, &done.id).await.unwrap();
    // The server gets a DELETE deployment, and the stack waits for it.
    let mut deleting = None;
    for _ in 0..100 {
        let listed = svc.deployments(&ctx, None).await.unwrap();
        if let Some(d) = listed.into_iter().find(|d| d.action == "DELETE") {
            deleting = Some(d);
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let deleting = deleting.expect("a DELETE deployment");
    assert_eq!(deleting.status, "IN_PROGRESS");
    let derived = svc.config(&ctx, &deleting.config_id).await.unwrap();
    assert_eq!(input(&derived.view(true), "deploy_action"), "DELETE");
    let server = svc.resource(&ctx, &done.id, "server").await.unwrap();
    assert_eq!(server.record.status_text(), "CREATE_COMPLETE");
    svc.signal(
        &ctx,
        &stack.id,
        "deployment",
        json!({"deploy_status_code": 0}),
    )
    .await
    .unwrap();
    let gone = svc.wait(&ctx, &done.id).await.unwrap();
    assert!(gone.is_none_or(|s| s.status_text() == "DELETE_COMPLETE"));
    assert!(svc.deployments(&ctx, None).await.unwrap().is_empty());
    assert!(svc.configs(&ctx, None, None).await.unwrap().is_empty());
}

#[tokio::test(start_paused = true)]
async fn transports_heat_rs_does_not_serve_are_refused_by_name() {
    let (svc, _cloud) = service();
    let temp_url = format!("{DEPLOYMENT}\n      signal_transport: TEMP_URL_SIGNAL");
    let done = run(
        &svc,
        None,
        &template("SOFTWARE_CONFIG", &temp_url),
        json!({}),
    )
    .await;
    assert_eq!(done.status_text(), "CREATE_FAILED");
    assert!(
        done.reason
            .contains("resources.deployment.properties.signal_transport: TEMP_URL_SIGNAL"),
        "{}",
        done.reason
    );
}

#[tokio::test(start_paused = true)]
async fn a_components_configs_say_which_actions_are_deployed() {
    let (svc, _cloud) = service();
    let ctx = RequestContext::default();
    let text = r#"heat_template_version: 2018-08-31
parameters:
  n: {type: string, default: one}
resources:
  component:
    type: OS::Heat::SoftwareComponent
    properties:
      configs:
        - {actions: [CREATE], tool: script, config: "echo create"}
        - {actions: [SUSPEND], tool: script, config: "echo suspend"}
  server:
    type: OS::Nova::Server
    properties: {image: cirros-0.6.2, flavor: m1.small, user_data_format: SOFTWARE_CONFIG}
  deployment:
    type: OS::Heat::SoftwareDeployment
    properties:
      config: {get_resource: component}
      server: {get_resource: server}
      input_values: {n: {get_param: n}}
"#;
    let done = run(&svc, None, text, json!({})).await;
    assert_eq!(done.status_text(), "CREATE_COMPLETE", "{}", done.reason);
    let d = svc.deployments(&ctx, None).await.unwrap().remove(0);
    let derived = svc.config(&ctx, &d.config_id).await.unwrap();
    assert_eq!(derived.group, "component");
    assert_eq!(derived.config["configs"][0]["config"], "echo create");
    assert_eq!(derived.config["configs"][1]["actions"], json!(["SUSPEND"]));
    // No config of the component runs on UPDATE: the CREATE one stays.
    let updated = run(&svc, Some(&done), text, json!({"n": "two"})).await;
    assert_eq!(
        updated.status_text(),
        "UPDATE_COMPLETE",
        "{}",
        updated.reason
    );
    let after = svc.deployments(&ctx, None).await.unwrap().remove(0);
    assert_eq!(
        (after.action.as_str(), after.config_id),
        ("CREATE", d.config_id)
    );
}

#[tokio::test(start_paused = true)]
async fn a_deployment_group_deploys_to_each_server_and_answers_by_server_name() {
    let (svc, _cloud) = service();
    let ctx = RequestContext::default();
    let text = r#"heat_template_version: 2018-08-31
parameters:
  names: {type: comma_delimited_list, default: "a,b"}
resources:
  config:
    type: OS::Heat::SoftwareConfig
    properties: {group: script, config: "echo hi", outputs: [{name: result}]}
  a:
    type: OS::Nova::Server
    properties: {image: cirros-0.6.2, flavor: m1.small, user_data_format: SOFTWARE_CONFIG}
  b:
    type: OS::Nova::Server
    properties: {image: cirros-0.6.2, flavor: m1.small, user_data_format: SOFTWARE_CONFIG}
  group:
    type: OS::Heat::SoftwareDeploymentGroup
    properties:
      config: {get_resource: config}
      servers: {first: {get_resource: a}, second: {get_resource: b}}
      input_values: {x: 1}
outputs:
  codes: {value: {get_attr: [group, deploy_status_codes]}}
  results: {value: {get_attr: [group, result]}}
"#;
    let done = run(&svc, None, text, json!({})).await;
    assert_eq!(done.status_text(), "CREATE_COMPLETE", "{}", done.reason);
    let outputs = done.outputs.clone().unwrap();
    assert_eq!(outputs["codes"]["value"], json!({"first": 0, "second": 0}));
    assert_eq!(
        outputs["results"]["value"],
        json!({"first": null, "second": null})
    );
    let a = svc.resource(&ctx, &done.id, "a").await.unwrap();
    let a_id = a.record.physical_id.unwrap();
    let to_a = svc.deployments(&ctx, Some(&a_id)).await.unwrap();
    assert_eq!(to_a.len(), 1);
    assert_eq!(to_a[0].input_values["x"], 1);
    assert_eq!(svc.deployments(&ctx, None).await.unwrap().len(), 2);
    // A server taken out of the map loses its deployment.
    let one = text.replace(", second: {get_resource: b}", "");
    let updated = run(&svc, Some(&done), &one, json!({})).await;
    assert_eq!(
        updated.status_text(),
        "UPDATE_COMPLETE",
        "{}",
        updated.reason
    );
    let left = svc.deployments(&ctx, None).await.unwrap();
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].server_id, a_id);
    svc.delete(&ctx, &done.id).await.unwrap();
    svc.wait(&ctx, &done.id).await.unwrap();
    assert!(svc.deployments(&ctx, None).await.unwrap().is_empty());
}

#[tokio::test(start_paused = true)]
async fn a_structured_group_makes_structured_deployments() {
    let (svc, _cloud) = service();
    let ctx = RequestContext::default();
    let text = r#"heat_template_version: 2018-08-31
resources:
  config:
    type: OS::Heat::StructuredConfig
    properties: {config: {port: {get_input: port}}}
  a:
    type: OS::Nova::Server
    properties: {image: cirros-0.6.2, flavor: m1.small}
  group:
    type: OS::Heat::StructuredDeploymentGroup
    properties:
      config: {get_resource: config}
      servers: {only: {get_resource: a}}
      input_values: {port: 80}
      signal_transport: NO_SIGNAL
"#;
    let done = run(&svc, None, text, json!({})).await;
    assert_eq!(done.status_text(), "CREATE_COMPLETE", "{}", done.reason);
    let d = svc.deployments(&ctx, None).await.unwrap().remove(0);
    let derived = svc.config(&ctx, &d.config_id).await.unwrap();
    assert_eq!(derived.config, json!({"port": 80}));
}
