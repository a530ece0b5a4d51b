"""A stack's life through boto3 and through `aws cloudformation` (awscli)
against heat-server's CloudFormation Query API, unchanged: the endpoint
given as it is (no trailing slash added), responses parsed by botocore's
own service model and waiters.

Then metrics and alarms through boto3's and awscli's CloudWatch clients
against the CloudWatch API.

Usage: python cfn_lifecycle.py ENDPOINT AWS_BIN SCRATCH CLOUDWATCH
ENDPOINT is http://host:port (the Query API), CLOUDWATCH the CloudWatch
API's. Exits non-zero, saying which step failed and why.
"""

import json
import os
import subprocess
import sys

import boto3
import botocore.exceptions

TEMPLATE = """
AWSTemplateFormatVersion: '2010-09-09'
Description: cfn scenario
Parameters:
  Greeting: {Type: String, Default: hello, Description: a greeting}
Resources:
  Rand: {Type: OS::Heat::RandomString, Properties: {length: 10}}
  Test:
    Type: OS::Heat::TestResource
    Properties: {value: test}
  Val:
    Type: OS::Heat::Value
    Metadata: {role: web}
    Properties: {value: {'Fn::Join': ['-', [{Ref: Greeting}, x]]}}
Outputs:
  ValOut: {Description: joined, Value: {'Fn::GetAtt': [Val, value]}}
"""

FAST = {"Delay": 1, "MaxAttempts": 120}


def check(what, got, wanted):
    if got != wanted:
        raise AssertionError("%s: got %r, wanted %r" % (what, got, wanted))
    print("ok  %s" % what)


def refused(what, code, call, *args, **kwargs):
    try:
        call(*args, **kwargs)
    except botocore.exceptions.ClientError as e:
        check(what, e.response["Error"]["Code"], code)
        return e
    raise AssertionError("%s: accepted, wanted %s" % (what, code))


def outputs(cf, name):
    stack = cf.describe_stacks(StackName=name)["Stacks"][0]
    return {o["OutputKey"]: o.get("OutputValue") for o in stack.get("Outputs", [])}


def boto3_life(endpoint):
    cf = boto3.client("cloudformation", endpoint_url=endpoint, region_name="RegionOne",
                      aws_access_key_id="AKIDHEATRS", aws_secret_access_key="secret")
    v = cf.validate_template(TemplateBody=TEMPLATE)
    check("validate", [p["ParameterKey"] for p in v["Parameters"]], ["Greeting"])
    check("validate description", v["Description"], "cfn scenario")
    s = cf.get_template_summary(TemplateBody=TEMPLATE)
    check("summary types", sorted(s["ResourceTypes"]),
          ["OS::Heat::RandomString", "OS::Heat::TestResource", "OS::Heat::Value"])
    check("estimate", "Url" in cf.estimate_template_cost(TemplateBody=TEMPLATE), True)
    arn = cf.create_stack(StackName="b3", TemplateBody=TEMPLATE,
                          Parameters=[{"ParameterKey": "Greeting", "ParameterValue": "hi"}],
                          Tags=[{"Key": "team", "Value": "blue"}])["StackId"]
    check("create arn", arn.startswith("arn:openstack:heat::"), True)
    cf.get_waiter("stack_create_complete").wait(StackName="b3", WaiterConfig=FAST)
    stack = cf.describe_stacks(StackName="b3")["Stacks"][0]
    check("status", stack["StackStatus"], "CREATE_COMPLETE")
    check("tags", stack["Tags"], [{"Key": "team", "Value": "blue"}])
    check("parameters", stack["Parameters"], [{"ParameterKey": "Greeting", "ParameterValue": "hi"}])
    check("output", outputs(cf, "b3"), {"ValOut": "hi-x"})
    check("creation time is a datetime", hasattr(stack["CreationTime"], "year"), True)
    check("listed", [s["StackName"] for s in cf.list_stacks(
        StackStatusFilter=["CREATE_COMPLETE"])["StackSummaries"]], ["b3"])
    events = cf.describe_stack_events(StackName="b3")["StackEvents"]
    check("newest event first", (events[0]["LogicalResourceId"], events[0]["ResourceStatus"]),
          ("b3", "CREATE_COMPLETE"))
    resources = cf.list_stack_resources(StackName="b3")["StackResourceSummaries"]
    check("resources", sorted(r["LogicalResourceId"] for r in resources), ["Rand", "Test", "Val"])
    detail = cf.describe_stack_resource(StackName="b3", LogicalResourceId="Val")["StackResourceDetail"]
    check("metadata", json.loads(detail["Metadata"]), {"role": "web"})
    check("describe resources", len(cf.describe_stack_resources(StackName="b3")["StackResources"]), 3)
    check("template", cf.get_template(StackName="b3")["TemplateBody"], TEMPLATE)
    # Paginators follow NextToken.
    pages = list(cf.get_paginator("describe_stack_events").paginate(StackName="b3"))
    check("event pages", sum(len(p["StackEvents"]) for p in pages), len(events))

    refused("no-op update", "ValidationError", cf.update_stack, StackName="b3",
            UsePreviousTemplate=True,
            Parameters=[{"ParameterKey": "Greeting", "UsePreviousValue": True}])
    cf.update_stack(StackName="b3", UsePreviousTemplate=True,
                    Parameters=[{"ParameterKey": "Greeting", "ParameterValue": "yo"}])
    cf.get_waiter("stack_update_complete").wait(StackName="b3", WaiterConfig=FAST)
    check("updated output", outputs(cf, "b3"), {"ValOut": "yo-x"})

    # A change set, created, described, executed.
    cs = cf.create_change_set(StackName="b3", ChangeSetName="again", UsePreviousTemplate=True,
                              Parameters=[{"ParameterKey": "Greeting", "ParameterValue": "hey"}])
    cf.get_waiter("change_set_create_complete").wait(ChangeSetName=cs["Id"], WaiterConfig=FAST)
    changes = cf.describe_change_set(ChangeSetName="again", StackName="b3")["Changes"]
    check("change set", [(c["ResourceChange"]["LogicalResourceId"], c["ResourceChange"]["Action"])
                         for c in changes], [("Val", "Modify")])
    check("listed change sets", [c["ChangeSetName"] for c in
                                 cf.list_change_sets(StackName="b3")["Summaries"]], ["again"])
    cf.execute_change_set(ChangeSetName="again", StackName="b3")
    cf.get_waiter("stack_update_complete").wait(StackName="b3", WaiterConfig=FAST)
    check("change set executed", outputs(cf, "b3"), {"ValOut": "hey-x"})

    # An update cancelled: a slow new resource holds it, the cancel rolls back.
    slow = TEMPLATE.replace("Outputs:", """  Slow:
    Type: OS::Heat::TestResource
    Properties: {action_wait_secs: {create: 60}}
Outputs:""")
    cf.update_stack(StackName="b3", TemplateBody=slow,
                    Parameters=[{"ParameterKey": "Greeting", "UsePreviousValue": True}])
    cf.cancel_update_stack(StackName="b3")
    status = wait_status(cf, "b3")
    check("cancelled update rolled back", status, "UPDATE_ROLLBACK_COMPLETE")
    check("template back", cf.get_template(StackName="b3")["TemplateBody"], TEMPLATE)

    refused("duplicate", "AlreadyExistsException", cf.create_stack, StackName="b3",
            TemplateBody=TEMPLATE)
    try:
        cf.create_stack(StackName="b3", TemplateBody=TEMPLATE)
    except cf.exceptions.AlreadyExistsException:
        print("ok  the modelled exception class")
    refused("missing stack", "ValidationError", cf.describe_stacks, StackName="nope")
    refused("bad template", "ValidationError", cf.validate_template, TemplateBody="Resources: [")

    cf.delete_stack(StackName="b3")
    cf.get_waiter("stack_delete_complete").wait(StackName="b3", WaiterConfig=FAST)
    check("deleted, by arn", cf.describe_stacks(StackName=arn)["Stacks"][0]["StackStatus"],
          "DELETE_COMPLETE")


def wait_status(cf, name, timeout=120):
    import time
    deadline = time.time() + timeout
    while time.time() < deadline:
        status = cf.describe_stacks(StackName=name)["Stacks"][0]["StackStatus"]
        if not status.endswith("IN_PROGRESS"):
            return status
        time.sleep(0.2)
    raise AssertionError("%s still in progress" % name)


def aws(aws_bin, endpoint, *args):
    env = dict(os.environ, AWS_ACCESS_KEY_ID="AKIDHEATRS", AWS_SECRET_ACCESS_KEY="secret",
               AWS_DEFAULT_REGION="RegionOne", AWS_CONFIG_FILE="/dev/null",
               AWS_SHARED_CREDENTIALS_FILE="/dev/null")
    out = subprocess.run([aws_bin, "--endpoint-url", endpoint, "--output", "json",
                          "cloudformation", *args], env=env, capture_output=True, text=True)
    return out.returncode, out.stdout, out.stderr


def awscli_life(aws_bin, endpoint, here):
    path = os.path.join(here, "cfn.yaml")
    with open(path, "w") as f:
        f.write(TEMPLATE)
    rc, out, err = aws(aws_bin, endpoint, "create-stack", "--stack-name", "cli",
                       "--template-body", "file://" + path,
                       "--parameters", "ParameterKey=Greeting,ParameterValue=hi")
    check("aws create-stack", (rc, err), (0, ""))
    check("aws stack id", json.loads(out)["StackId"].split("/")[1], "cli")
    rc, out, err = aws(aws_bin, endpoint, "wait", "stack-create-complete", "--stack-name", "cli")
    check("aws wait", (rc, err), (0, ""))
    rc, out, err = aws(aws_bin, endpoint, "describe-stacks", "--stack-name", "cli")
    stack = json.loads(out)["Stacks"][0]
    check("aws describe-stacks", (stack["StackStatus"], stack["Outputs"][0]["OutputValue"]),
          ("CREATE_COMPLETE", "hi-x"))
    rc, out, err = aws(aws_bin, endpoint, "describe-stack-events", "--stack-name", "cli")
    check("aws events", json.loads(out)["StackEvents"][0]["ResourceStatus"], "CREATE_COMPLETE")
    rc, out, err = aws(aws_bin, endpoint, "list-stack-resources", "--stack-name", "cli")
    check("aws resources", len(json.loads(out)["StackResourceSummaries"]), 3)
    rc, out, err = aws(aws_bin, endpoint, "get-template-summary", "--stack-name", "cli")
    check("aws summary", json.loads(out)["Version"], "2010-09-09")
    # `deploy`: a change set made, waited for, executed.
    rc, out, err = aws(aws_bin, endpoint, "deploy", "--stack-name", "cli", "--template-file", path,
                       "--parameter-overrides", "Greeting=yo")
    check("aws deploy", rc, 0)
    rc, out, err = aws(aws_bin, endpoint, "describe-stacks", "--stack-name", "cli")
    stack = json.loads(out)["Stacks"][0]
    check("aws deployed", (stack["StackStatus"], stack["Outputs"][0]["OutputValue"]),
          ("UPDATE_COMPLETE", "yo-x"))
    # Nothing to deploy: awscli says so and succeeds with --no-fail-on-empty-changeset.
    rc, out, err = aws(aws_bin, endpoint, "deploy", "--stack-name", "cli", "--template-file", path,
                       "--parameter-overrides", "Greeting=yo", "--no-fail-on-empty-changeset")
    check("aws deploy without changes", (rc, err), (0, ""))
    rc, out, err = aws(aws_bin, endpoint, "describe-stacks", "--stack-name", "nope")
    check("aws missing stack", (rc != 0, "ValidationError" in err), (True, True))
    rc, out, err = aws(aws_bin, endpoint, "delete-stack", "--stack-name", "cli")
    check("aws delete-stack", rc, 0)
    rc, out, err = aws(aws_bin, endpoint, "wait", "stack-delete-complete", "--stack-name", "cli")
    check("aws wait delete", (rc, err), (0, ""))


def cloudwatch_life(endpoint, aws_bin):
    import datetime
    import time
    cw = boto3.client("cloudwatch", endpoint_url=endpoint, region_name="RegionOne",
                      aws_access_key_id="AKIDHEATRS", aws_secret_access_key="secret")
    now = datetime.datetime.now(datetime.timezone.utc)
    cw.put_metric_data(Namespace="app", MetricData=[
        {"MetricName": "Load", "Dimensions": [{"Name": "Host", "Value": "web-1"}],
         "Value": v, "Unit": "Percent", "Timestamp": now} for v in (10.0, 30.0)])
    metrics = cw.list_metrics(Namespace="app")["Metrics"]
    check("cw list-metrics", [(m["MetricName"], m["Dimensions"]) for m in metrics],
          [("Load", [{"Name": "Host", "Value": "web-1"}])])
    stats = cw.get_metric_statistics(
        Namespace="app", MetricName="Load", Dimensions=[{"Name": "Host", "Value": "web-1"}],
        StartTime=now - datetime.timedelta(minutes=5), EndTime=now + datetime.timedelta(minutes=5),
        Period=600, Statistics=["Average", "Maximum", "SampleCount"])["Datapoints"]
    check("cw statistics", [(p["Average"], p["Maximum"], p["SampleCount"], p["Unit"]) for p in stats],
          [(20.0, 30.0, 2.0, "Percent")])
    data = cw.get_metric_data(
        MetricDataQueries=[{"Id": "load", "MetricStat": {"Metric": {
            "Namespace": "app", "MetricName": "Load",
            "Dimensions": [{"Name": "Host", "Value": "web-1"}]}, "Period": 600, "Stat": "Sum"}}],
        StartTime=now - datetime.timedelta(minutes=5), EndTime=now + datetime.timedelta(minutes=5))
    check("cw metric data", data["MetricDataResults"][0]["Values"], [40.0])
    cw.put_metric_alarm(AlarmName="busy", MetricName="Load", Namespace="app",
                        Dimensions=[{"Name": "Host", "Value": "web-1"}], Statistic="Maximum",
                        Period=10, EvaluationPeriods=1, Threshold=25.0,
                        ComparisonOperator="GreaterThanThreshold")
    cw.get_waiter("alarm_exists").wait(AlarmNames=["busy"], WaiterConfig={"Delay": 1})
    deadline = time.time() + 30
    while cw.describe_alarms(AlarmNames=["busy"])["MetricAlarms"][0]["StateValue"] != "ALARM":
        if time.time() > deadline:
            raise AssertionError("the alarm never fired")
        time.sleep(0.3)
    print("ok  cw alarm evaluated to ALARM")
    check("cw alarms for metric", [a["AlarmName"] for a in cw.describe_alarms_for_metric(
        MetricName="Load", Namespace="app", Dimensions=[{"Name": "Host", "Value": "web-1"}])["MetricAlarms"]],
        ["busy"])
    cw.set_alarm_state(AlarmName="busy", StateValue="OK", StateReason="checked by hand")
    history = cw.describe_alarm_history(AlarmName="busy", HistoryItemType="StateUpdate")
    check("cw history", history["AlarmHistoryItems"][0]["HistorySummary"],
          "Alarm updated from ALARM to OK")
    try:
        cw.set_alarm_state(AlarmName="nope", StateValue="OK", StateReason="x")
        raise AssertionError("an unknown alarm was accepted")
    except cw.exceptions.ResourceNotFound:
        print("ok  cw unknown alarm: ResourceNotFound")
    env = dict(os.environ, AWS_ACCESS_KEY_ID="AKIDHEATRS", AWS_SECRET_ACCESS_KEY="secret",
               AWS_DEFAULT_REGION="RegionOne", AWS_CONFIG_FILE="/dev/null",
               AWS_SHARED_CREDENTIALS_FILE="/dev/null")
    out = subprocess.run([aws_bin, "--endpoint-url", endpoint, "--output", "json", "cloudwatch",
                          "describe-alarms", "--alarm-names", "busy"],
                         env=env, capture_output=True, text=True)
    # (The evaluator may have found it in ALARM again since: the data is
    # still above the threshold, as AWS's would.)
    check("aws cloudwatch describe-alarms", (out.returncode, json.loads(out.stdout or "{}").get(
        "MetricAlarms", [{}])[0].get("AlarmName")), (0, "busy"))
    out = subprocess.run([aws_bin, "--endpoint-url", endpoint, "cloudwatch", "delete-alarms",
                          "--alarm-names", "busy"], env=env, capture_output=True, text=True)
    check("aws cloudwatch delete-alarms", (out.returncode, out.stderr), (0, ""))
    check("deleted", cw.describe_alarms(AlarmNames=["busy"])["MetricAlarms"], [])


def main(endpoint, aws_bin, here, cloudwatch):
    boto3_life(endpoint)
    # awscli at /v1 without a trailing slash (real Heat needs one).
    awscli_life(aws_bin, endpoint + "/v1", here)
    cloudwatch_life(cloudwatch, aws_bin)
    print("all steps agree")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4])
