//! The simulated guest runs what a server's user data says: every
//! `wc_notify` line of `hot/native_waitcondition.yaml` (an unchanged copy
//! of openstack/heat-templates) is a signal of its own, two with the same
//! id counting once, as Heat's native handles count them; and a Windows
//! guest's PowerShell, in a MultipartMime whose parts name software
//! configs by id (hot/Windows/MSSQLServer), reaches the handle's endpoint.

use std::path::Path;

use heat_core::engine::{RequestContext, StackOptions};
use heat_core::service::{SourceParts, StackService};
use serde_json::{json, Value as Json};

use heat_server::builder::memory_sim as service;

async fn create(svc: &StackService, parts: &SourceParts) -> serde_json::Map<String, Json> {
    let ctx = RequestContext::default();
    let s = svc
        .create(&ctx, "guest", parts, StackOptions::default())
        .await
        .unwrap();
    let done = svc.wait(&ctx, &s.id).await.unwrap().unwrap();
    assert_eq!(done.status_text(), "CREATE_COMPLETE", "{}", done.reason);
    done.outputs.unwrap_or_default()
}

#[tokio::test(start_paused = true)]
async fn each_wc_notify_line_is_a_signal_and_a_repeated_id_counts_once() {
    let (svc, cloud) = service();
    cloud
        .provide("image", "cirros-0.3.2-x86_64-disk", json!({}))
        .await
        .unwrap();
    cloud
        .provide("keypair", "stack_key", json!({}))
        .await
        .unwrap();
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/heat-templates/hot/native_waitcondition.yaml");
    let mut parts = SourceParts::template(
        "native_waitcondition.yaml",
        std::fs::read_to_string(path).unwrap(),
    );
    parts.parameters.insert("flavor".into(), json!("m1.small"));
    let outputs = create(&svc, &parts).await;
    let data: Json = serde_json::from_str(outputs["wc_data"]["value"].as_str().unwrap()).unwrap();
    let data = data.as_object().unwrap();
    assert_eq!(data.len(), 5, "{data:?}");
    assert_eq!(data["3"], "data3");
    assert_eq!(data["5"], Json::Null);
}

const WINDOWS: &str = r#"heat_template_version: 2014-10-16
resources:
  utils:
    type: OS::Heat::SoftwareConfig
    properties:
      group: ungrouped
      config: |
        function Notify([string]$Endpoint) {
          Invoke-RestMethod -Method POST -Uri $Endpoint -Body '{"status": "SUCCESS"}'
        }
  main:
    type: OS::Heat::SoftwareConfig
    properties:
      group: ungrouped
      config:
        str_replace:
          template: |
            #ps1_sysnative
            $endpoint = "wait_endpoint"
            Notify -Endpoint $endpoint
          params:
            wait_endpoint: {get_attr: [handle, endpoint]}
  init:
    type: OS::Heat::MultipartMime
    properties:
      parts:
      - {filename: utils.psm1, subtype: x-cfninitdata, config: {get_resource: utils}}
      - {filename: cfn-userdata, subtype: x-cfninitdata, config: {get_resource: main}}
  server:
    type: OS::Nova::Server
    properties:
      image: cirros-0.6.2
      flavor: m1.small
      user_data_format: RAW
      user_data: {get_resource: init}
  handle:
    type: OS::Heat::WaitConditionHandle
  wait:
    type: OS::Heat::WaitCondition
    properties:
      handle: {get_resource: handle}
      timeout: 600
outputs:
  data: {value: {get_attr: [wait, data]}}
"#;

#[tokio::test(start_paused = true)]
async fn a_windows_guest_signals_through_its_multipart_user_data() {
    let (svc, _cloud) = service();
    let outputs = create(&svc, &SourceParts::template("windows.yaml", WINDOWS)).await;
    let data: Json = serde_json::from_str(outputs["data"]["value"].as_str().unwrap()).unwrap();
    assert_eq!(data.as_object().unwrap().len(), 1, "{data}");
}

#[tokio::test(start_paused = true)]
async fn an_rds_instance_comes_from_heats_global_environment_template() {
    let (svc, cloud) = service();
    // The image Heat's AWS_RDS_DBInstance.yaml names, as a stock Heat
    // deployment's operator provides it.
    cloud
        .provide("image", "F19-x86_64-cfntools", json!({}))
        .await
        .unwrap();
    let template = r#"{"AWSTemplateFormatVersion": "2010-09-09",
 "Resources": {"DB": {"Type": "AWS::RDS::DBInstance", "Properties": {
   "DBName": "wordpress", "Engine": "MySQL", "MasterUsername": "admin",
   "MasterUserPassword": "secret", "DBInstanceClass": "db.m1.small", "AllocatedStorage": "5"}}},
 "Outputs": {
   "Address": {"Value": {"Fn::GetAtt": ["DB", "Endpoint.Address"]}},
   "Port": {"Value": {"Fn::GetAtt": ["DB", "Endpoint.Port"]}}}}"#;
    let outputs = create(&svc, &SourceParts::template("rds.template", template)).await;
    assert!(
        outputs["Address"]["value"]
            .as_str()
            .is_some_and(|a| a.contains('.')),
        "{outputs:?}"
    );
    assert_eq!(outputs["Port"]["value"], "3306");
    // An engine the instance class does not map: Heat's template refuses it.
    let (svc, _) = service();
    let ctx = RequestContext::default();
    let bad = template.replace("\"MySQL\"", "\"PostgreSQL\"");
    let keep = StackOptions {
        disable_rollback: Some(true),
        ..StackOptions::default()
    };
    let refused = svc
        .create(
            &ctx,
            "bad",
            &SourceParts::template("rds.template", bad),
            keep,
        )
        .await;
    let message = match refused {
        Err(e) => e.to_string(),
        Ok(s) => svc.wait(&ctx, &s.id).await.unwrap().unwrap().reason,
    };
    assert!(message.contains("Engine"), "{message}");
}
