//! No input makes the Query APIs fail on their own account: arbitrary
//! actions and parameters (signed, so they reach the handlers), and
//! arbitrary unsigned bodies, get an answer in AWS's shape, never a 500 or
//! a panic; CloudWatch's three wire forms alike.

mod common;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use common::cfn::{signed_request, Cfn};
use proptest::prelude::*;
use tower::ServiceExt;

const ACTIONS: [&str; 12] = [
    "CreateStack",
    "UpdateStack",
    "DescribeStacks",
    "DescribeStackEvents",
    "DescribeStackResource",
    "GetTemplateSummary",
    "ValidateTemplate",
    "CreateChangeSet",
    "ExecuteChangeSet",
    "ListImports",
    "SignalResource",
    "Nonsense",
];

const KEYS: [&str; 12] = [
    "StackName",
    "TemplateBody",
    "Parameters.member.1.ParameterKey",
    "Parameters.member.1.ParameterValue",
    "Tags.member.1.Key",
    "ChangeSetName",
    "NextToken",
    "LogicalResourceId",
    "Status",
    "UniqueId",
    "DisableRollback",
    "TimeoutInMinutes",
];

fn params() -> impl Strategy<Value = Vec<(usize, String)>> {
    prop::collection::vec((0..KEYS.len(), any::<String>()), 0..6)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn cfn_answers_every_signed_request_in_shape(action in 0..ACTIONS.len(), ps in params(),
                                                 template in prop::option::of("[ -~\n]{0,200}")) {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        rt.block_on(async {
            let cfn = Cfn::new("fuzz").await;
            let mut pairs: Vec<(&str, String)> = vec![("Action", ACTIONS[action].to_string())];
            for (k, v) in &ps {
                pairs.push((KEYS[*k], v.clone()));
            }
            if let Some(t) = template {
                pairs.push(("TemplateBody", t));
            }
            let borrowed: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let r = cfn.call(&borrowed).await;
            prop_assert!(r.status != StatusCode::INTERNAL_SERVER_ERROR, "{}", r.body);
            prop_assert!(roxmltree::Document::parse(&r.body).is_ok(), "{}", r.body);
            Ok(())
        })?;
    }

    #[test]
    fn unsigned_and_malformed_bodies_are_refused_in_shape(body in prop::collection::vec(any::<u8>(), 0..300),
                                                          auth in prop::option::of("[ -~]{0,80}")) {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async {
            let cfn = Cfn::new("fuzz-raw").await;
            let mut req = Request::builder().method(Method::POST).uri("/");
            if let Some(a) = &auth {
                req = req.header("authorization", a.as_str());
            }
            let r = cfn.send(req.body(Body::from(body.clone())).unwrap()).await;
            prop_assert!(r.status.is_client_error(), "{} {}", r.status, r.body);
            prop_assert!(roxmltree::Document::parse(&r.body).is_ok(), "{}", r.body);
            // CloudWatch's RPC v2 CBOR path, signed, with the same bytes.
            let cw = heat_server::cloudwatch::app(std::sync::Arc::new(
                heat_server::cloudwatch::CloudWatchState::new(cfn.state.clone(), 3600.0),
            ));
            let req = signed_request(
                "AK",
                "SK",
                "/service/GraniteServiceVersion20100801/operation/PutMetricData",
                "application/cbor",
                &[],
                body,
                cfn.state.api.now(),
            );
            let r = cw.oneshot(req).await.unwrap();
            prop_assert!(r.status() != StatusCode::INTERNAL_SERVER_ERROR);
            Ok(())
        })?;
    }
}
