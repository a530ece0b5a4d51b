//! The CloudFormation Query API in process, requests signed as boto3 signs
//! them: a stack's life (create, describe, resources, events, template,
//! summary, update, the no-op update AWS refuses, delete), change sets,
//! paging, exports, cancels, and refusals with AWS's codes (signatures,
//! times, actions, templates, names). Signals and credentials are in
//! `cfn_signals.rs`.

mod common;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use common::cfn::Cfn;

const TEMPLATE: &str = "AWSTemplateFormatVersion: '2010-09-09'
Description: cfn scenario
Parameters:
  Greeting: {Type: String, Default: hello, Description: a greeting, AllowedValues: [hello, hi, yo]}
  Secret: {Type: String, Default: s3cr3t, NoEcho: true}
Resources:
  Rand: {Type: OS::Heat::RandomString, Properties: {length: 10}}
  Val:
    Type: OS::Heat::Value
    Metadata:
      AWS::CloudFormation::Init:
        config:
          files:
            /etc/motd: {content: hello}
    Properties:
      value: {'Fn::Join': ['-', [{Ref: Greeting}, x]]}
Outputs:
  ValOut: {Description: joined, Value: {'Fn::GetAtt': [Val, value]}}
  Count: {Value: {'Fn::GetAtt': [Rand, value]}}
";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stack_lives_through_the_query_api() {
    let cfn = Cfn::new("life").await;
    let r = cfn
        .call(&[
            ("Action", "CreateStack"),
            ("StackName", "web"),
            ("TemplateBody", TEMPLATE),
            ("Parameters.member.1.ParameterKey", "Greeting"),
            ("Parameters.member.1.ParameterValue", "hi"),
            ("Tags.member.1.Key", "team"),
            ("Tags.member.1.Value", "blue"),
            ("TimeoutInMinutes", "10"),
        ])
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    // As Heat writes it: no declaration, no namespace.
    assert!(
        r.body
            .starts_with("<CreateStackResponse><CreateStackResult>"),
        "{}",
        r.body
    );
    assert_eq!(r.headers[header::CONTENT_TYPE], "text/xml; charset=UTF-8");
    let arn = r.one("StackId");
    assert!(
        arn.starts_with("arn:openstack:heat::project:stacks/web/"),
        "{arn}"
    );
    assert!(r.one("RequestId").starts_with("req-"));
    assert_eq!(cfn.settle("web").await, "CREATE_COMPLETE");

    // Describe: AWS's shapes, no "None" anywhere, values as strings.
    let d = cfn
        .call(&[("Action", "DescribeStacks"), ("StackName", "web")])
        .await;
    assert!(!d.body.contains(">None<"), "{}", d.body);
    assert_eq!(d.one("StackId"), arn);
    assert_eq!(d.one("Description"), "cfn scenario");
    assert_eq!(d.one("DisableRollback"), "false");
    assert_eq!(d.one("TimeoutInMinutes"), "10");
    assert_eq!(d.all("OutputKey"), ["ValOut", "Count"]);
    assert_eq!(d.all("OutputValue")[0], "hi-x");
    assert_eq!(d.all("OutputValue")[1].len(), 10);
    assert_eq!(d.all("ParameterKey"), ["Greeting", "Secret"]);
    assert_eq!(d.all("ParameterValue"), ["hi", "******"]);
    assert_eq!(d.all("Key"), ["team"]);
    assert_eq!(d.all("Value"), ["blue"]);
    assert!(d.one("CreationTime").ends_with('Z'));
    // By ARN alike.
    let by_arn = cfn
        .call(&[("Action", "DescribeStacks"), ("StackName", &arn)])
        .await;
    assert_eq!(by_arn.one("StackName"), "web");

    // Resources and the metadata cfn-init reads.
    let l = cfn
        .call(&[("Action", "ListStackResources"), ("StackName", "web")])
        .await;
    let mut names = l.all("LogicalResourceId");
    names.sort();
    assert_eq!(names, ["Rand", "Val"]);
    assert_eq!(
        l.all("ResourceStatus"),
        ["CREATE_COMPLETE", "CREATE_COMPLETE"]
    );
    let one = cfn
        .call(&[
            ("Action", "DescribeStackResource"),
            ("StackName", "web"),
            ("LogicalResourceId", "Val"),
        ])
        .await;
    let metadata: serde_json::Value = serde_json::from_str(&one.one("Metadata")).unwrap();
    assert_eq!(
        metadata["AWS::CloudFormation::Init"]["config"]["files"]["/etc/motd"]["content"],
        "hello"
    );
    let physical = one.one("PhysicalResourceId");
    // By physical id, across the project's stacks.
    let by_physical = cfn
        .call(&[
            ("Action", "DescribeStackResources"),
            ("PhysicalResourceId", &physical),
        ])
        .await;
    assert_eq!(by_physical.one("StackName"), "web");
    assert_eq!(by_physical.all("LogicalResourceId").len(), 2);
    let missing = cfn
        .call(&[
            ("Action", "DescribeStackResource"),
            ("StackName", "web"),
            ("LogicalResourceId", "Nope"),
        ])
        .await;
    assert_eq!(missing.status, StatusCode::BAD_REQUEST);
    assert_eq!(missing.code(), "ValidationError");
    assert_eq!(missing.one("Type"), "Sender");

    // Events, newest first: the stack's completion leads.
    let e = cfn
        .call(&[("Action", "DescribeStackEvents"), ("StackName", "web")])
        .await;
    assert_eq!(e.all("LogicalResourceId")[0], "web");
    assert_eq!(e.all("ResourceStatus")[0], "CREATE_COMPLETE");
    let times = e.all("Timestamp");
    assert!(times.windows(2).all(|w| w[0] >= w[1]), "{times:?}");

    // The template as given, and its summary.
    let t = cfn
        .call(&[("Action", "GetTemplate"), ("StackName", "web")])
        .await;
    assert_eq!(t.one("TemplateBody"), TEMPLATE);
    let s = cfn
        .call(&[("Action", "GetTemplateSummary"), ("StackName", "web")])
        .await;
    assert_eq!(s.one("Version"), "2010-09-09");
    assert_eq!(
        s.all("member")
            .iter()
            .filter(|m| m.starts_with("OS::Heat::"))
            .count(),
        2
    );
    assert_eq!(s.all("ParameterType"), ["String", "String"]);
    assert_eq!(s.all("NoEcho"), ["false", "true"]);

    // An update that changes nothing is refused as AWS refuses it.
    let noop = cfn
        .call(&[
            ("Action", "UpdateStack"),
            ("StackName", "web"),
            ("UsePreviousTemplate", "true"),
            ("Parameters.member.1.ParameterKey", "Greeting"),
            ("Parameters.member.1.UsePreviousValue", "true"),
        ])
        .await;
    assert_eq!(noop.code(), "ValidationError");
    assert_eq!(noop.one("Message"), "No updates are to be performed.");
    // A real one.
    let u = cfn
        .call(&[
            ("Action", "UpdateStack"),
            ("StackName", "web"),
            ("UsePreviousTemplate", "true"),
            ("Parameters.member.1.ParameterKey", "Greeting"),
            ("Parameters.member.1.ParameterValue", "yo"),
        ])
        .await;
    assert_eq!(u.status, StatusCode::OK, "{}", u.body);
    assert_eq!(u.one("StackId"), arn);
    assert_eq!(cfn.settle("web").await, "UPDATE_COMPLETE");
    let d = cfn
        .call(&[("Action", "DescribeStacks"), ("StackName", "web")])
        .await;
    assert_eq!(d.all("OutputValue")[0], "yo-x");
    assert!(d.all("LastUpdatedTime")[0].ends_with('Z'));
    // A value outside AllowedValues: refused, the parameter named.
    let bad = cfn
        .call(&[
            ("Action", "UpdateStack"),
            ("StackName", "web"),
            ("UsePreviousTemplate", "true"),
            ("Parameters.member.1.ParameterKey", "Greeting"),
            ("Parameters.member.1.ParameterValue", "bonjour"),
        ])
        .await;
    assert_eq!(bad.code(), "ValidationError");
    assert!(bad.one("Message").contains("Greeting"), "{}", bad.body);

    // A second stack of the same name: AWS's exception.
    let again = cfn
        .call(&[
            ("Action", "CreateStack"),
            ("StackName", "web"),
            ("TemplateBody", TEMPLATE),
        ])
        .await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST);
    assert_eq!(again.code(), "AlreadyExistsException");

    // Delete: gone by name, DELETE_COMPLETE by ARN, listed as deleted.
    let del = cfn
        .call(&[("Action", "DeleteStack"), ("StackName", "web")])
        .await;
    assert_eq!(del.status, StatusCode::OK, "{}", del.body);
    assert!(del.body.contains("<DeleteStackResult></DeleteStackResult>"));
    assert_eq!(cfn.settle(&arn).await, "DELETE_COMPLETE");
    let gone = cfn
        .call(&[("Action", "DescribeStacks"), ("StackName", "web")])
        .await;
    assert_eq!(gone.code(), "ValidationError");
    assert_eq!(gone.one("Message"), "Stack with id web does not exist");
    let listed = cfn
        .call(&[
            ("Action", "ListStacks"),
            ("StackStatusFilter.member.1", "DELETE_COMPLETE"),
        ])
        .await;
    assert_eq!(listed.all("StackName"), ["web"]);
    assert!(listed.one("DeletionTime").ends_with('Z'));
    let live = cfn
        .call(&[
            ("Action", "ListStacks"),
            ("StackStatusFilter.member.1", "CREATE_COMPLETE"),
        ])
        .await;
    assert!(live.all("StackName").is_empty());
    // Deleting what is not there is not an error (AWS).
    let quiet = cfn
        .call(&[("Action", "DeleteStack"), ("StackName", "never-was")])
        .await;
    assert_eq!(quiet.status, StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn change_sets_preview_then_run_an_update() {
    let cfn = Cfn::new("changesets").await;
    // A CREATE change set makes the stack when executed.
    let c = cfn
        .call(&[
            ("Action", "CreateChangeSet"),
            ("StackName", "app"),
            ("ChangeSetName", "first"),
            ("ChangeSetType", "CREATE"),
            ("TemplateBody", TEMPLATE),
        ])
        .await;
    assert_eq!(c.status, StatusCode::OK, "{}", c.body);
    let first = c.one("Id");
    assert!(first.contains(":changeSet/first/"), "{first}");
    let d = cfn
        .call(&[("Action", "DescribeChangeSet"), ("ChangeSetName", &first)])
        .await;
    assert_eq!(d.one("Status"), "CREATE_COMPLETE");
    assert_eq!(d.one("ExecutionStatus"), "AVAILABLE");
    assert_eq!(d.all("Action"), ["Add", "Add"]);
    let x = cfn
        .call(&[("Action", "ExecuteChangeSet"), ("ChangeSetName", &first)])
        .await;
    assert_eq!(x.status, StatusCode::OK, "{}", x.body);
    assert_eq!(cfn.settle("app").await, "CREATE_COMPLETE");

    // An UPDATE change set: the value is modified in place.
    let template = TEMPLATE.replace("length: 10", "length: 12");
    let c = cfn
        .call(&[
            ("Action", "CreateChangeSet"),
            ("StackName", "app"),
            ("ChangeSetName", "longer"),
            ("TemplateBody", &template),
            ("Parameters.member.1.ParameterKey", "Greeting"),
            ("Parameters.member.1.ParameterValue", "yo"),
        ])
        .await;
    assert_eq!(c.status, StatusCode::OK, "{}", c.body);
    let other = cfn
        .call(&[
            ("Action", "CreateChangeSet"),
            ("StackName", "app"),
            ("ChangeSetName", "other"),
            ("UsePreviousTemplate", "true"),
            ("Parameters.member.1.ParameterKey", "Greeting"),
            ("Parameters.member.1.ParameterValue", "hi"),
        ])
        .await;
    assert_eq!(other.status, StatusCode::OK, "{}", other.body);
    let d = cfn
        .call(&[
            ("Action", "DescribeChangeSet"),
            ("StackName", "app"),
            ("ChangeSetName", "longer"),
        ])
        .await;
    let mut changed = d.all("LogicalResourceId");
    changed.sort();
    assert_eq!(changed, ["Rand", "Val"]);
    assert_eq!(d.all("Action"), ["Modify", "Modify"]);
    assert!(d.all("PhysicalResourceId").iter().all(|p| !p.is_empty()));
    let listed = cfn
        .call(&[("Action", "ListChangeSets"), ("StackName", "app")])
        .await;
    assert_eq!(listed.all("ChangeSetName"), ["first", "longer", "other"]);
    // Nothing is changed until it runs.
    let before = cfn
        .call(&[("Action", "DescribeStacks"), ("StackName", "app")])
        .await;
    assert_eq!(before.all("OutputValue")[0], "hello-x");
    let x = cfn
        .call(&[
            ("Action", "ExecuteChangeSet"),
            ("StackName", "app"),
            ("ChangeSetName", "longer"),
        ])
        .await;
    assert_eq!(x.status, StatusCode::OK, "{}", x.body);
    assert_eq!(cfn.settle("app").await, "UPDATE_COMPLETE");
    let after = cfn
        .call(&[("Action", "DescribeStacks"), ("StackName", "app")])
        .await;
    assert_eq!(after.all("OutputValue")[0], "yo-x");
    assert_eq!(after.all("OutputValue")[1].len(), 12);
    // The other change set no longer applies; executed ones cannot run again.
    let d = cfn
        .call(&[
            ("Action", "DescribeChangeSet"),
            ("StackName", "app"),
            ("ChangeSetName", "other"),
        ])
        .await;
    assert_eq!(d.one("ExecutionStatus"), "OBSOLETE");
    let again = cfn
        .call(&[
            ("Action", "ExecuteChangeSet"),
            ("StackName", "app"),
            ("ChangeSetName", "longer"),
        ])
        .await;
    assert_eq!(again.code(), "InvalidChangeSetStatus");
    // An executed change set's name may be used again (awscli's deploy
    // names change sets by the second); an available one's may not.
    let reuse = |name: &'static str| {
        let cfn = &cfn;
        async move {
            cfn.call(&[
                ("Action", "CreateChangeSet"),
                ("StackName", "app"),
                ("ChangeSetName", name),
                ("UsePreviousTemplate", "true"),
                ("Parameters.member.1.ParameterKey", "Greeting"),
                ("Parameters.member.1.ParameterValue", "again"),
            ])
            .await
        }
    };
    let r = reuse("longer").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = reuse("longer").await;
    assert_eq!(r.code(), "AlreadyExistsException");
    // A change set without changes fails as AWS's does.
    let empty = cfn
        .call(&[
            ("Action", "CreateChangeSet"),
            ("StackName", "app"),
            ("ChangeSetName", "same"),
            ("UsePreviousTemplate", "true"),
            ("Parameters.member.1.ParameterKey", "Greeting"),
            ("Parameters.member.1.UsePreviousValue", "true"),
        ])
        .await;
    assert_eq!(empty.status, StatusCode::OK, "{}", empty.body);
    let d = cfn
        .call(&[
            ("Action", "DescribeChangeSet"),
            ("StackName", "app"),
            ("ChangeSetName", "same"),
        ])
        .await;
    assert_eq!(d.one("Status"), "FAILED");
    assert!(d.one("StatusReason").contains("didn't contain changes"));
    // Deleted: not found, with the service model's code and status.
    let del = cfn
        .call(&[
            ("Action", "DeleteChangeSet"),
            ("StackName", "app"),
            ("ChangeSetName", "same"),
        ])
        .await;
    assert_eq!(del.status, StatusCode::OK);
    let d = cfn
        .call(&[
            ("Action", "DescribeChangeSet"),
            ("StackName", "app"),
            ("ChangeSetName", "same"),
        ])
        .await;
    assert_eq!(d.status, StatusCode::NOT_FOUND);
    assert_eq!(d.code(), "ChangeSetNotFound");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lists_are_paged_by_next_token() {
    let cfn = Cfn::new("paging").await;
    let template =
        "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  N: {Type: OS::Heat::None}\n";
    for i in 0..105 {
        let r = cfn
            .call(&[
                ("Action", "CreateStack"),
                ("StackName", &format!("s{i:03}")),
                ("TemplateBody", template),
            ])
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
    for i in 0..105 {
        cfn.settle(&format!("s{i:03}")).await;
    }
    let first = cfn.call(&[("Action", "DescribeStacks")]).await;
    let mut seen = first.all("StackName");
    assert_eq!(seen.len(), 100);
    let token = first.one("NextToken");
    let second = cfn
        .call(&[("Action", "DescribeStacks"), ("NextToken", &token)])
        .await;
    assert_eq!(second.all("StackName").len(), 5);
    assert!(second.all("NextToken").is_empty());
    seen.extend(second.all("StackName"));
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 105);
    let bad = cfn
        .call(&[("Action", "ListStacks"), ("NextToken", "garbage")])
        .await;
    assert_eq!(bad.code(), "ValidationError");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusals_carry_aws_codes() {
    let cfn = Cfn::new("refusals").await;
    // Unsigned.
    let req = Request::builder()
        .method(Method::GET)
        .uri("/?Action=ListStacks&Version=2010-05-15")
        .body(Body::empty())
        .unwrap();
    let r = cfn.send(req).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.code(), "MissingAuthenticationToken");
    // Malformed.
    let req = Request::builder()
        .method(Method::POST)
        .uri("/v1/")
        .header(header::AUTHORIZATION, "AWS4-HMAC-SHA256 Credential=AK")
        .body(Body::from("Action=ListStacks"))
        .unwrap();
    let r = cfn.send(req).await;
    assert_eq!(r.code(), "IncompleteSignature");
    // Signed 20 minutes ago.
    let now = cfn.state.api.now();
    let r = cfn.call_at(&[("Action", "ListStacks")], now - 1200.0).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.code(), "RequestExpired");
    // In the window.
    let r = cfn.call_at(&[("Action", "ListStacks")], now - 600.0).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    // No action, an unknown action.
    let r = cfn.call(&[("StackName", "x")]).await;
    assert_eq!(r.code(), "MissingAction");
    let r = cfn.call(&[("Action", "LaunchRockets")]).await;
    assert_eq!(r.code(), "InvalidAction");
    // A template with a mistake: the path and the line are in the message.
    let r = cfn
        .call(&[
            ("Action", "ValidateTemplate"),
            (
                "TemplateBody",
                "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  A:\n    Type: OS::Heat::Value\n    Properties:\n      value: {'Fn::GetAtt': [Missing, value]}\n",
            ),
        ])
        .await;
    assert_eq!(r.code(), "ValidationError");
    let m = r.one("Message");
    assert!(m.starts_with("Template format error: "), "{m}");
    assert!(m.contains("Resources.A.Properties.value"), "{m}");
    assert!(m.contains("line 6"), "{m}");
    // Both a body and a URL.
    let r = cfn
        .call(&[
            ("Action", "CreateStack"),
            ("StackName", "x"),
            ("TemplateBody", "{}"),
            ("TemplateURL", "http://example.invalid/t"),
        ])
        .await;
    assert_eq!(r.code(), "ValidationError");
    // Missing a required parameter.
    let r = cfn.call(&[("Action", "DescribeStackEvents")]).await;
    assert_eq!(r.code(), "ValidationError");
    assert!(r.one("Message").contains("'stackName'"));
    // Cancel outside an update.
    let r = cfn
        .call(&[
            ("Action", "CreateStack"),
            ("StackName", "calm"),
            (
                "TemplateBody",
                "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  N: {Type: OS::Heat::None}\n",
            ),
        ])
        .await;
    assert_eq!(r.status, StatusCode::OK);
    cfn.settle("calm").await;
    let r = cfn
        .call(&[("Action", "CancelUpdateStack"), ("StackName", "calm")])
        .await;
    assert_eq!(r.code(), "ValidationError");
    assert!(r.one("Message").contains("CREATE_COMPLETE"));
    // Another path.
    let req = Request::builder()
        .method(Method::GET)
        .uri("/v2/elsewhere")
        .body(Body::empty())
        .unwrap();
    assert_eq!(cfn.send(req).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exports_are_imported_between_stacks_of_a_project() {
    let cfn = Cfn::new("exports").await;
    let network = "AWSTemplateFormatVersion: '2010-09-09'
Parameters:
  Cidr: {Type: String, Default: 10.0.0.0/24}
Resources:
  Net: {Type: OS::Heat::Value, Properties: {value: {Ref: Cidr}}}
Outputs:
  NetCidr:
    Value: {'Fn::GetAtt': [Net, value]}
    Export: {Name: {'Fn::Sub': '${AWS::StackName}-cidr'}}
";
    let app = "AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Uses: {Type: OS::Heat::Value, Properties: {value: {'Fn::ImportValue': net-cidr}}}
Outputs:
  Seen: {Value: {'Fn::GetAtt': [Uses, value]}}
";
    for (name, body) in [("net", network), ("app", app)] {
        let r = cfn
            .call(&[
                ("Action", "CreateStack"),
                ("StackName", name),
                ("TemplateBody", body),
            ])
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(cfn.settle(name).await, "CREATE_COMPLETE");
    }
    let d = cfn
        .call(&[("Action", "DescribeStacks"), ("StackName", "net")])
        .await;
    assert_eq!(d.one("ExportName"), "net-cidr");
    let d = cfn
        .call(&[("Action", "DescribeStacks"), ("StackName", "app")])
        .await;
    assert_eq!(d.one("OutputValue"), "10.0.0.0/24");
    let e = cfn.call(&[("Action", "ListExports")]).await;
    assert_eq!(e.all("Name"), ["net-cidr"]);
    assert_eq!(e.all("Value"), ["10.0.0.0/24"]);
    assert!(e.one("ExportingStackId").contains(":stacks/net/"));
    let i = cfn
        .call(&[("Action", "ListImports"), ("ExportName", "net-cidr")])
        .await;
    assert_eq!(i.all("member"), ["app"]);
    let missing = cfn
        .call(&[("Action", "ListImports"), ("ExportName", "nope")])
        .await;
    assert_eq!(missing.code(), "ValidationError");
    // A second export of the same name is refused, the output named.
    let twin = cfn
        .call(&[
            ("Action", "CreateStack"),
            ("StackName", "twin"),
            (
                "TemplateBody",
                &network.replace("${AWS::StackName}-cidr", "net-cidr"),
            ),
        ])
        .await;
    assert_eq!(twin.code(), "ValidationError");
    assert!(
        twin.one("Message").contains("Outputs.NetCidr.Export.Name"),
        "{}",
        twin.body
    );
    // An import of nothing is refused, as CloudFormation's CreateStack
    // refuses it, saying what is missing; no stack is made.
    let r = cfn
        .call(&[
            ("Action", "CreateStack"),
            ("StackName", "lost"),
            ("TemplateBody", &app.replace("net-cidr", "no-such-export")),
            ("DisableRollback", "true"),
        ])
        .await;
    assert_eq!(r.code(), "ValidationError");
    assert!(r.one("Message").contains("no-such-export"), "{}", r.body);
    let d = cfn
        .call(&[("Action", "DescribeStacks"), ("StackName", "lost")])
        .await;
    assert_eq!(d.code(), "ValidationError", "{}", d.body);
    // The exporter cannot go while the export is in use.
    let r = cfn
        .call(&[("Action", "DeleteStack"), ("StackName", "net")])
        .await;
    assert_eq!(r.code(), "ValidationError");
    assert_eq!(
        r.one("Message"),
        "Export net-cidr cannot be deleted as it is in use by app"
    );
    for name in ["app", "net"] {
        let r = cfn
            .call(&[("Action", "DeleteStack"), ("StackName", name)])
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        for _ in 0..200 {
            let l = cfn
                .call(&[
                    ("Action", "ListStacks"),
                    ("StackStatusFilter.member.1", "DELETE_COMPLETE"),
                ])
                .await;
            if l.all("StackName").iter().any(|n| n == name) {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
    }
    assert!(cfn
        .call(&[("Action", "ListExports")])
        .await
        .all("Name")
        .is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn continue_update_rollback_only_after_a_failed_update_rollback() {
    let cfn = Cfn::new("continue").await;
    let r = cfn
        .call(&[
            ("Action", "CreateStack"),
            ("StackName", "fine"),
            ("TemplateBody", TEMPLATE),
        ])
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(cfn.settle("fine").await, "CREATE_COMPLETE");
    let r = cfn
        .call(&[("Action", "ContinueUpdateRollback"), ("StackName", "fine")])
        .await;
    assert_eq!(r.code(), "ValidationError");
    assert!(r.one("Message").contains("CREATE_COMPLETE"), "{}", r.body);
    let r = cfn
        .call(&[
            ("Action", "ContinueUpdateRollback"),
            ("StackName", "absent"),
        ])
        .await;
    assert_eq!(r.one("Message"), "Stack with id absent does not exist");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancel_right_after_an_update_rolls_it_back() {
    let cfn = Cfn::new("cancel-early").await;
    let base = "AWSTemplateFormatVersion: '2010-09-09'
Resources:
  A: {Type: OS::Heat::Value, Properties: {value: a}}
";
    let r = cfn
        .call(&[
            ("Action", "CreateStack"),
            ("StackName", "c"),
            ("TemplateBody", base),
        ])
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(cfn.settle("c").await, "CREATE_COMPLETE");
    let slow = format!(
        "{base}  Slow:\n    Type: OS::Heat::TestResource\n    Properties: {{action_wait_secs: {{create: 60}}}}\n"
    );
    let u = cfn
        .call(&[
            ("Action", "UpdateStack"),
            ("StackName", "c"),
            ("TemplateBody", &slow),
        ])
        .await;
    assert_eq!(u.status, StatusCode::OK, "{}", u.body);
    let c = cfn
        .call(&[("Action", "CancelUpdateStack"), ("StackName", "c")])
        .await;
    assert_eq!(c.status, StatusCode::OK, "{}", c.body);
    assert_eq!(cfn.settle("c").await, "UPDATE_ROLLBACK_COMPLETE");
    let t = cfn
        .call(&[("Action", "GetTemplate"), ("StackName", "c")])
        .await;
    assert_eq!(t.one("TemplateBody"), base);
}
