//! A CloudFormation nested stack whose `TemplateURL` the request's files do
//! not hold is fetched by the server, as Heat's engine fetches it
//! (python-heatclient and awscli send such URLs as they are): the nested
//! stack is made from the template served over http on loopback, and a URL
//! that answers 404 fails the resource with the URL and the answer named.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::routing::get;
use heat_core::engine::{RequestContext, StackOptions};
use heat_core::service::SourceParts;
use heat_server::api::{ApiState, Auth, Limits};

const NESTED: &str = r#"{"AWSTemplateFormatVersion": "2010-09-09",
 "Parameters": {"Greeting": {"Type": "String"}},
 "Resources": {"V": {"Type": "OS::Heat::Value", "Properties": {"value": {"Ref": "Greeting"}}}},
 "Outputs": {"Said": {"Value": {"Fn::GetAtt": ["V", "value"]}}}}"#;

async fn serve() -> SocketAddr {
    let app = axum::Router::new().route("/nested.template", get(|| async { NESTED }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    addr
}

fn parent(url: &str) -> String {
    format!(
        r#"{{"AWSTemplateFormatVersion": "2010-09-09",
 "Resources": {{"N": {{"Type": "AWS::CloudFormation::Stack",
   "Properties": {{"TemplateURL": "{url}", "Parameters": {{"Greeting": "hello"}}}}}}}},
 "Outputs": {{"Said": {{"Value": {{"Fn::GetAtt": ["N", "Outputs.Said"]}}}}}}}}"#
    )
}

#[tokio::test]
async fn a_nested_template_url_is_fetched_by_the_server() {
    let addr = serve().await;
    let (service, _cloud) = heat_server::builder::memory_sim();
    let state = Arc::new(ApiState::new(service, Auth::NoAuth, Limits::default()));
    let svc = &state.service;
    let ctx = RequestContext::default();
    let url = format!("http://{addr}/nested.template");
    let s = svc
        .create(
            &ctx,
            "web",
            &SourceParts::template("web.template", parent(&url)),
            StackOptions::default(),
        )
        .await
        .unwrap();
    let done = svc.wait(&ctx, &s.id).await.unwrap().unwrap();
    assert_eq!(done.status_text(), "CREATE_COMPLETE", "{}", done.reason);
    assert_eq!(done.outputs.unwrap()["Said"]["value"], "hello");
    // A URL that answers 404: the resource fails, naming the URL.
    let missing = format!("http://{addr}/missing.template");
    let keep = StackOptions {
        disable_rollback: Some(true),
        ..StackOptions::default()
    };
    let s = svc
        .create(
            &ctx,
            "gone",
            &SourceParts::template("gone.template", parent(&missing)),
            keep,
        )
        .await
        .unwrap();
    let failed = svc.wait(&ctx, &s.id).await.unwrap().unwrap();
    assert_eq!(failed.status_text(), "CREATE_FAILED");
    assert!(
        failed.reason.contains(&missing) && failed.reason.contains("404"),
        "{}",
        failed.reason
    );
}
