"""The CloudFormation Query API with EC2 credentials made in Keystone
(`openstack ec2 credentials create`), checked by Keystone as Heat's
ec2token middleware has them checked: boto3 as the demo member creates and
reads a stack in demo's project; another project's credentials see none of
it; a reader's cannot create; a wrong secret and an unknown key are
refused with AWS's codes.

Usage: python cfn_keystone.py ENDPOINT CREDS_JSON
CREDS_JSON maps member, other and reader to {access, secret}.
"""

import json
import sys

import boto3
import botocore.exceptions

TEMPLATE = """
AWSTemplateFormatVersion: '2010-09-09'
Resources:
  V: {Type: OS::Heat::Value, Properties: {value: through-keystone}}
Outputs:
  Out: {Value: {'Fn::GetAtt': [V, value]}}
"""


def check(what, got, wanted):
    if got != wanted:
        raise AssertionError("%s: got %r, wanted %r" % (what, got, wanted))
    print("ok  %s" % what, flush=True)


def client(endpoint, access, secret):
    return boto3.client("cloudformation", endpoint_url=endpoint, region_name="RegionOne",
                        aws_access_key_id=access, aws_secret_access_key=secret)


def code(call, *args, **kwargs):
    try:
        call(*args, **kwargs)
    except botocore.exceptions.ClientError as e:
        return e.response["Error"]["Code"]
    return None


def main(endpoint, creds):
    member = client(endpoint, creds["member"]["access"], creds["member"]["secret"])
    arn = member.create_stack(StackName="ec2", TemplateBody=TEMPLATE)["StackId"]
    member.get_waiter("stack_create_complete").wait(StackName="ec2",
                                                    WaiterConfig={"Delay": 1, "MaxAttempts": 60})
    stack = member.describe_stacks(StackName="ec2")["Stacks"][0]
    check("member's stack", (stack["StackStatus"], stack["Outputs"][0]["OutputValue"]),
          ("CREATE_COMPLETE", "through-keystone"))
    check("in the member's project", arn.split(":")[4], creds["member"]["project"])
    other = client(endpoint, creds["other"]["access"], creds["other"]["secret"])
    check("another project sees nothing", other.describe_stacks()["Stacks"], [])
    check("another project cannot name it", code(other.describe_stacks, StackName="ec2"),
          "ValidationError")
    reader = client(endpoint, creds["reader"]["access"], creds["reader"]["secret"])
    check("a reader reads", [s["StackName"] for s in reader.describe_stacks()["Stacks"]], ["ec2"])
    check("a reader cannot create", code(reader.create_stack, StackName="no", TemplateBody=TEMPLATE),
          "AccessDenied")
    wrong = client(endpoint, creds["member"]["access"], "not-the-secret")
    check("a wrong secret", code(wrong.describe_stacks), "InvalidClientTokenId")
    unknown = client(endpoint, "0123456789abcdef0123456789abcdef", "x")
    check("an unknown key", code(unknown.describe_stacks), "InvalidClientTokenId")
    member.delete_stack(StackName="ec2")
    member.get_waiter("stack_delete_complete").wait(StackName="ec2",
                                                    WaiterConfig={"Delay": 1, "MaxAttempts": 60})
    print("all steps agree")


if __name__ == "__main__":
    main(sys.argv[1], json.loads(sys.argv[2]))
