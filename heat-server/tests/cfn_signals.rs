//! The CloudFormation Query API's signals and credentials in process:
//! SignalResource and wait conditions, pre-signed URLs that signal their
//! own handle only, an OS handle's curl_cli, stack keys of
//! `AWS::IAM::AccessKey` verified and scoped, project keys acting in their
//! project until deleted.

mod common;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use common::cfn::Cfn;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signal_completes_a_wait_condition() {
    let cfn = Cfn::new("signal").await;
    let template = "AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Handle: {Type: AWS::CloudFormation::WaitConditionHandle}
  Wait:
    Type: AWS::CloudFormation::WaitCondition
    Properties: {Handle: {Ref: Handle}, Timeout: 300, Count: 1}
Outputs:
  Data: {Value: {'Fn::GetAtt': [Wait, Data]}}
";
    let r = cfn
        .call(&[
            ("Action", "CreateStack"),
            ("StackName", "waits"),
            ("TemplateBody", template),
        ])
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    // The handle exists before anything signals it.
    for _ in 0..200 {
        let h = cfn
            .call(&[
                ("Action", "DescribeStackResource"),
                ("StackName", "waits"),
                ("LogicalResourceId", "Handle"),
            ])
            .await;
        if h.status == StatusCode::OK && h.one("ResourceStatus") == "CREATE_COMPLETE" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let w = cfn
        .call(&[("Action", "DescribeStacks"), ("StackName", "waits")])
        .await;
    assert_eq!(w.one("StackStatus"), "CREATE_IN_PROGRESS");
    let bad = cfn
        .call(&[
            ("Action", "SignalResource"),
            ("StackName", "waits"),
            ("LogicalResourceId", "Handle"),
            ("UniqueId", "i-1"),
            ("Status", "MAYBE"),
        ])
        .await;
    assert_eq!(bad.code(), "ValidationError");
    let ok = cfn
        .call(&[
            ("Action", "SignalResource"),
            ("StackName", "waits"),
            ("LogicalResourceId", "Handle"),
            ("UniqueId", "i-1"),
            ("Status", "SUCCESS"),
        ])
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    assert_eq!(cfn.settle("waits").await, "CREATE_COMPLETE");
    let d = cfn
        .call(&[("Action", "DescribeStacks"), ("StackName", "waits")])
        .await;
    let data: serde_json::Value = serde_json::from_str(&d.one("OutputValue")).unwrap();
    assert_eq!(data, serde_json::json!({"i-1": ""}));
}

/// A stack whose outputs give a signal URL and a stack key.
const KEYS: &str = "AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Handle: {Type: AWS::CloudFormation::WaitConditionHandle}
  Keys: {Type: AWS::IAM::AccessKey, Properties: {UserName: guest}}
  Url: {Type: OS::Heat::Value, Properties: {value: {Ref: Handle}}}
Outputs:
  Url: {Value: {Ref: Handle}}
  Access: {Value: {Ref: Keys}}
  Secret: {Value: {'Fn::GetAtt': [Keys, SecretAccessKey]}}
";

/// Creates `name` from KEYS in noauth mode: the URL, access key, secret.
async fn keys_stack(cfn: &Cfn, name: &str) -> (String, String, String) {
    let r = cfn
        .call(&[
            ("Action", "CreateStack"),
            ("StackName", name),
            ("TemplateBody", KEYS),
        ])
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(cfn.settle(name).await, "CREATE_COMPLETE");
    let d = cfn
        .call(&[("Action", "DescribeStacks"), ("StackName", name)])
        .await;
    let keys = d.all("OutputKey");
    let values = d.all("OutputValue");
    let get = |k: &str| values[keys.iter().position(|x| x == k).unwrap()].clone();
    (get("Url"), get("Access"), get("Secret"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stack_keys_are_verified_and_scoped() {
    // Made in noauth mode, checked by a verifying server on the same state.
    let open = Cfn::new("keys").await;
    let (_, access, secret) = keys_stack(&open, "guest").await;
    assert!(access.starts_with("HK"), "{access}");
    let cfn = open.beside(heat_server::cfn::CfnAuth::Verified { keystone: None });
    let now = open.state.api.now();
    let describe = [
        ("Action", "DescribeStackResource"),
        ("StackName", "guest"),
        ("LogicalResourceId", "Keys"),
    ];
    // The right secret: the guest reads its stack.
    let r = cfn.call_as(&access, &secret, &describe, now).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.one("ResourceStatus"), "CREATE_COMPLETE");
    // A wrong secret, an unknown key, an old signature.
    let r = cfn.call_as(&access, "not-the-secret", &describe, now).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.code(), "SignatureDoesNotMatch");
    let r = cfn.call_as("AKIDUNKNOWN", "x", &describe, now).await;
    assert_eq!(r.code(), "InvalidClientTokenId");
    let r = cfn.call_as(&access, &secret, &describe, now - 3600.0).await;
    assert_eq!(r.code(), "RequestExpired");
    // A key made up for another resource of the stack: its secret differs.
    let (stack_id, _) = heat_resources::GuestKeys::owner_of(&access).unwrap();
    let forged = open.state.guest.access_key(&stack_id, "Handle");
    let r = cfn.call_as(&forged, &secret, &describe, now).await;
    assert_eq!(r.code(), "SignatureDoesNotMatch");
    // Even with its right secret, a key that no AccessKey made is refused.
    let handle_secret = open.state.guest.secret(&forged);
    let r = cfn.call_as(&forged, &handle_secret, &describe, now).await;
    assert_eq!(r.code(), "InvalidClientTokenId");
    // A stack user reads but does not change.
    let r = cfn
        .call_as(
            &access,
            &secret,
            &[("Action", "DeleteStack"), ("StackName", "guest")],
            now,
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.code(), "AccessDenied");
    // Other projects' stacks are not there for it.
    let other = heat_core::engine::RequestContext::new("other", "u");
    let parts = heat_core::service::SourceParts::template(
        "t",
        "heat_template_version: 2018-08-31\nresources: {}\n",
    );
    open.state
        .api
        .service
        .create(&other, "elsewhere", &parts, Default::default())
        .await
        .unwrap();
    let r = cfn
        .call_as(
            &access,
            &secret,
            &[("Action", "DescribeStacks"), ("StackName", "elsewhere")],
            now,
        )
        .await;
    assert_eq!(r.code(), "ValidationError");
    let r = cfn
        .call_as(&access, &secret, &[("Action", "DescribeStacks")], now)
        .await;
    assert_eq!(r.all("StackName"), ["guest"]);
    // Once its stack is gone, the key is refused.
    let r = open
        .call(&[("Action", "DeleteStack"), ("StackName", "guest")])
        .await;
    assert_eq!(r.status, StatusCode::OK);
    for _ in 0..200 {
        let r = cfn
            .call_as(&access, &secret, &describe, open.state.api.now())
            .await;
        // (While the delete runs, the resource may go between the check
        // of the key and the answer: a ValidationError then.)
        if r.status != StatusCode::OK && r.code() == "InvalidClientTokenId" {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!("the key of a deleted stack still works");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_presigned_url_signals_its_handle_only() {
    let cfn = Cfn::new("presigned").await;
    let template = KEYS.replace(
        "  Url: {Type",
        "  Wait:\n    Type: AWS::CloudFormation::WaitCondition\n    Properties: {Handle: {Ref: Handle}, Timeout: 300}\n  Url: {Type",
    )
    .replace("Outputs:\n", "Outputs:\n  Data: {Value: {'Fn::GetAtt': [Wait, Data]}}\n");
    let r = cfn
        .call(&[
            ("Action", "CreateStack"),
            ("StackName", "wc"),
            ("TemplateBody", &template),
        ])
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    // The handle's URL, as the Url value resource got it from Ref.
    let mut url = String::new();
    for _ in 0..200 {
        let views = cfn
            .state
            .api
            .service
            .resources(
                &heat_core::engine::RequestContext::default(),
                "wc",
                &Default::default(),
            )
            .await
            .unwrap_or_default();
        if let Some(v) = views
            .iter()
            .find(|v| v.record.name == "Url" && v.record.status_text() == "CREATE_COMPLETE")
        {
            url = v.record.attributes["value"].as_str().unwrap().to_string();
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert!(url.starts_with("http://127.0.0.1:8000/v1/waitcondition/arn%3Aopenstack%3Aheat%3A%3Aproject%3Astacks%2Fwc%2F"), "{url}");
    let path = url.trim_start_matches("http://127.0.0.1:8000");
    let put = |path: String, body: &'static str| {
        Request::builder()
            .method(Method::PUT)
            .uri(path)
            .header(header::HOST, "127.0.0.1:8000")
            .body(Body::from(body))
            .unwrap()
    };
    // Tampered: another resource in the path, or the signature changed.
    let other = path.replace("/resources/Handle?", "/resources/Keys?");
    let r = cfn.send(put(other, "{}")).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.code(), "InvalidClientTokenId");
    let bad = format!("{}x", &path[..path.len() - 4]) + &path[path.len() - 3..];
    let r = cfn.send(put(bad, "{}")).await;
    assert_eq!(r.code(), "SignatureDoesNotMatch");
    let r = cfn.send(put(path.to_string(), "not json")).await;
    assert_eq!(r.code(), "ValidationError");
    // As cfn-signal sends it.
    let r = cfn
        .send(put(
            path.to_string(),
            r#"{"Status": "SUCCESS", "Reason": "ready", "UniqueId": "i-1", "Data": "up"}"#,
        ))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(cfn.settle("wc").await, "CREATE_COMPLETE");
    let d = cfn
        .call(&[("Action", "DescribeStacks"), ("StackName", "wc")])
        .await;
    let keys = d.all("OutputKey");
    let data = &d.all("OutputValue")[keys.iter().position(|k| k == "Data").unwrap()];
    assert_eq!(data, r#"{"i-1": "up"}"#);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_os_handle_is_signalled_as_its_curl_cli_does() {
    let cfn = Cfn::new("os-handle").await;
    let template = "heat_template_version: 2018-08-31
resources:
  handle: {type: OS::Heat::WaitConditionHandle}
  wait:
    type: OS::Heat::WaitCondition
    properties: {handle: {get_resource: handle}, timeout: 300, count: 1}
  cli: {type: OS::Heat::Value, properties: {value: {get_attr: [handle, curl_cli]}}}
outputs:
  data: {value: {get_attr: [wait, data]}}
";
    let r = cfn
        .call(&[
            ("Action", "CreateStack"),
            ("StackName", "os"),
            ("TemplateBody", template),
        ])
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let ctx = heat_core::engine::RequestContext::default();
    let mut cli = String::new();
    for _ in 0..200 {
        let views = cfn
            .state
            .api
            .service
            .resources(&ctx, "os", &Default::default())
            .await
            .unwrap_or_default();
        if let Some(v) = views
            .iter()
            .find(|v| v.record.name == "cli" && v.record.status_text() == "CREATE_COMPLETE")
        {
            cli = v.record.attributes["value"].as_str().unwrap().to_string();
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    // `curl -i -X POST -H ... 'URL'`, as wc_notify runs it.
    assert!(
        cli.starts_with("curl -i -X POST -H 'Content-Type: application/json'"),
        "{cli}"
    );
    let url = cli.rsplit('\'').nth(1).unwrap();
    let path = url.trim_start_matches("http://127.0.0.1:8000");
    assert!(path.starts_with("/v1/signal/"), "{path}");
    let req = Request::builder()
        .method(Method::POST)
        .uri(path)
        .header(header::HOST, "127.0.0.1:8000")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(
            r#"{"status": "SUCCESS", "reason": "booted", "data": "web-1 up", "id": "1"}"#,
        ))
        .unwrap();
    let r = cfn.send(req).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(cfn.settle("os").await, "CREATE_COMPLETE");
    let d = cfn
        .call(&[("Action", "DescribeStacks"), ("StackName", "os")])
        .await;
    assert_eq!(d.one("OutputValue"), r#"{"1": "web-1 up"}"#);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn project_keys_act_in_their_project_until_deleted() {
    use heat_server::cfn::credentials::{create_project_key, delete_project_key};
    let open = Cfn::new("project-keys").await;
    let cfn = open.beside(heat_server::cfn::CfnAuth::Verified { keystone: None });
    let store = open.state.api.service.engine().store().clone();
    let now = open.state.api.now();
    let (member, secret) = create_project_key(
        store.as_ref(),
        &open.state.guest,
        "team-a",
        "alice",
        vec!["member".into()],
        now,
    )
    .await
    .unwrap();
    assert!(member.access.starts_with("HP") && member.access.len() == 20);
    let (reader, reader_secret) = create_project_key(
        store.as_ref(),
        &open.state.guest,
        "team-a",
        "bob",
        vec!["reader".into()],
        now,
    )
    .await
    .unwrap();
    let create = [
        ("Action", "CreateStack"),
        ("StackName", "owned"),
        (
            "TemplateBody",
            "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  N: {Type: OS::Heat::None}\n",
        ),
    ];
    let r = cfn.call_as(&member.access, &secret, &create, now).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.one("StackId").contains("heat::team-a:stacks/owned/"));
    // The noauth caller's project does not hold it.
    let other = open
        .call(&[("Action", "DescribeStacks"), ("StackName", "owned")])
        .await;
    assert_eq!(other.code(), "ValidationError");
    // The reader reads, cannot create; a wrong secret is refused.
    let r = cfn
        .call_as(
            &reader.access,
            &reader_secret,
            &[("Action", "DescribeStacks")],
            now,
        )
        .await;
    assert_eq!(r.all("StackName"), ["owned"]);
    let r = cfn
        .call_as(&reader.access, &reader_secret, &create, now)
        .await;
    assert_eq!(r.code(), "AccessDenied");
    let r = cfn
        .call_as(
            &member.access,
            &reader_secret,
            &[("Action", "DescribeStacks")],
            now,
        )
        .await;
    assert_eq!(r.code(), "SignatureDoesNotMatch");
    // Deleted: refused.
    assert!(delete_project_key(store.as_ref(), &member.access)
        .await
        .unwrap());
    let r = cfn
        .call_as(
            &member.access,
            &secret,
            &[("Action", "DescribeStacks")],
            now,
        )
        .await;
    assert_eq!(r.code(), "InvalidClientTokenId");
}

/// A `SOFTWARE_CONFIG` server boots with its agents' settings (Heat's
/// `os-collect-config` key in the `cfn-init-data` of its user data): with
/// them os-collect-config's `cfn` collector reads the server's metadata,
/// its deployments in it, through a verifying Query API, while the server
/// exists.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_software_config_servers_agent_reads_its_deployments_with_its_boot_keys() {
    let open = Cfn::new("occ").await;
    let template = "heat_template_version: 2018-08-31
resources:
  config:
    type: OS::Heat::SoftwareConfig
    properties: {group: script, config: 'echo hi'}
  server:
    type: OS::Nova::Server
    properties: {image: cirros-0.6.2, flavor: m1.small, user_data_format: SOFTWARE_CONFIG}
  deploy:
    type: OS::Heat::SoftwareDeployment
    properties:
      config: {get_resource: config}
      server: {get_resource: server}
      signal_transport: NO_SIGNAL
";
    let r = open
        .call(&[
            ("Action", "CreateStack"),
            ("StackName", "agents"),
            ("TemplateBody", template),
        ])
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(open.settle("agents").await, "CREATE_COMPLETE");
    // The boot user data's cfn-init-data: one line of JSON.
    let server = open
        .cloud
        .objects()
        .into_iter()
        .find(|o| o.kind == "server")
        .unwrap();
    let user_data = server.properties["user_data"].as_str().unwrap();
    assert!(
        user_data.contains("filename=\"cfn-init-data\""),
        "{user_data}"
    );
    let init: serde_json::Value = user_data
        .lines()
        .find(|l| l.starts_with('{') && l.contains("os-collect-config"))
        .map(|l| serde_json::from_str(l).unwrap())
        .unwrap_or_else(|| panic!("no agent settings in {user_data}"));
    let occ = &init["os-collect-config"]["cfn"];
    assert_eq!(
        occ["metadata_url"],
        format!("{}/v1/", open.state.guest.cfn_url())
    );
    assert_eq!(occ["stack_name"], "agents");
    assert_eq!(occ["path"], "server.Metadata");
    let access = occ["access_key_id"].as_str().unwrap();
    let secret = occ["secret_access_key"].as_str().unwrap();
    // os-collect-config's cfn collector: DescribeStackResource, signed.
    let cfn = open.beside(heat_server::cfn::CfnAuth::Verified { keystone: None });
    let describe = [
        ("Action", "DescribeStackResource"),
        ("StackName", "agents"),
        ("LogicalResourceId", "server"),
    ];
    let now = open.state.api.now();
    let r = cfn.call_as(access, secret, &describe, now).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let metadata: serde_json::Value = serde_json::from_str(&r.one("Metadata")).unwrap();
    let deployments = metadata["deployments"].as_array().unwrap();
    assert_eq!(deployments.len(), 1, "{metadata}");
    assert_eq!(deployments[0]["config"], "echo hi");
    assert_eq!(deployments[0]["group"], "script");
    assert_eq!(metadata["os-collect-config"], init["os-collect-config"]);
    // The key reads, and does nothing else.
    let r = cfn
        .call_as(
            access,
            secret,
            &[("Action", "DeleteStack"), ("StackName", "agents")],
            now,
        )
        .await;
    assert_eq!(r.code(), "AccessDenied");
    // Gone with its server.
    let r = open
        .call(&[("Action", "DeleteStack"), ("StackName", "agents")])
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let mut code = String::new();
    for _ in 0..200 {
        let r = cfn
            .call_as(access, secret, &describe, open.state.api.now())
            .await;
        if r.status != StatusCode::OK {
            code = r.code();
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert_eq!(code, "InvalidClientTokenId");
}
