"""The in-guest agents of heat-cfntools (cfn-init, cfn-get-metadata,
cfn-signal, cfn-push-stats; on boto 2) and os-collect-config (the software
deployment agent's collector), unchanged, against heat-server, on this
machine standing in for a guest.

Run inside fresh user, mount and network namespaces (`unshare -rmn`), so
that the agents' fixed paths (/var/lib/heat-cfntools, /var/log,
/var/cache, /opt) and ports (8000, 8003) are this test's own.

Usage: python agents.py HEAT_SERVER_BIN VENV WORKDIR
Exits non-zero, saying which step failed and why.
"""

import json
import os
import subprocess
import sys
import time
import urllib.request

TEMPLATE = r"""
AWSTemplateFormatVersion: '2010-09-09'
Description: A WordPress-era single instance configured by cfn-init, signalling its wait condition, watched by an alarm that scales a group
Parameters:
  KeyName: {Type: String, Default: default-key}
Resources:
  WebServerUser: {Type: AWS::IAM::User}
  WebServerKeys:
    Type: AWS::IAM::AccessKey
    Properties: {UserName: {Ref: WebServerUser}}
  WaitHandle: {Type: AWS::CloudFormation::WaitConditionHandle}
  WebServer:
    Type: AWS::EC2::Instance
    Metadata:
      AWS::CloudFormation::Init:
        config:
          files:
            /opt/guest/hello.txt:
              content: {'Fn::Join': ['', ['hello from ', {Ref: 'AWS::StackName'}, "\n"]]}
              mode: '000644'
          commands:
            01_mark: {command: "echo configured > /opt/guest/commands-ran"}
    Properties:
      ImageId: cirros-0.6.2
      InstanceType: m1.small
      KeyName: {Ref: KeyName}
      UserData:
        Fn::Base64:
          Fn::Join:
          - ''
          - - "#!/bin/bash\n"
            - "cfn-init -s "
            - {Ref: 'AWS::StackName'}
            - " -r WebServer --access-key "
            - {Ref: WebServerKeys}
            - " --secret-key "
            - {'Fn::GetAtt': [WebServerKeys, SecretAccessKey]}
            - "\ncfn-signal -e 0 '"
            - {Ref: WaitHandle}
            - "'\n"
  WaitCondition:
    Type: AWS::CloudFormation::WaitCondition
    DependsOn: WebServer
    Properties: {Handle: {Ref: WaitHandle}, Timeout: 300}
  GuestView:
    Type: OS::Heat::Value
    Properties:
      value:
        url: {Ref: WaitHandle}
        access: {Ref: WebServerKeys}
        secret: {'Fn::GetAtt': [WebServerKeys, SecretAccessKey]}
        alarm: {Ref: ServiceAlarm}
  Group:
    Type: OS::Heat::AutoScalingGroup
    Properties:
      min_size: 1
      max_size: 3
      resource: {type: OS::Heat::None}
  ScaleUp:
    Type: OS::Heat::ScalingPolicy
    Properties:
      adjustment_type: change_in_capacity
      auto_scaling_group_id: {Ref: Group}
      scaling_adjustment: 1
      cooldown: 60
  ServiceAlarm:
    Type: AWS::CloudWatch::Alarm
    Properties:
      AlarmDescription: Scale out when the service fails
      MetricName: ServiceFailure
      Namespace: system/linux
      Statistic: SampleCount
      Period: '2'
      EvaluationPeriods: '1'
      Threshold: '0'
      ComparisonOperator: GreaterThanThreshold
      AlarmActions: [{'Fn::GetAtt': [ScaleUp, alarm_url]}]
  DeployConfig:
    Type: OS::Heat::SoftwareConfig
    Properties:
      group: script
      inputs: [{name: greeting}]
      config: "#!/bin/sh\necho \"$greeting from $deploy_resource_name\"\n"
  AgentServer:
    Type: OS::Nova::Server
    Properties: {image: cirros-0.6.2, flavor: m1.small, user_data_format: SOFTWARE_CONFIG}
  Deployment:
    Type: OS::Heat::SoftwareDeployment
    Properties:
      config: {Ref: DeployConfig}
      server: {Ref: AgentServer}
      input_values: {greeting: hello}
Outputs:
  Data: {Value: {'Fn::GetAtt': [WaitCondition, Data]}}
  Deployed: {Value: {'Fn::GetAtt': [Deployment, deploy_stdout]}}
"""

NATIVE = "http://127.0.0.1:8004/v1/project"


def check(what, got, wanted):
    if got != wanted:
        raise AssertionError("%s: got %r, wanted %r" % (what, got, wanted))
    print("ok  %s" % what, flush=True)


def ran(what, proc):
    """A process that must have succeeded (its stderr shown when not)."""
    if proc.returncode != 0:
        raise AssertionError("%s: exit %d\n%s%s" % (what, proc.returncode, proc.stdout,
                                                    proc.stderr[-3000:]))
    print("ok  %s" % what, flush=True)


def sh(*args, **kwargs):
    return subprocess.run(args, check=True, **kwargs)


def native(method, path, body=None):
    req = urllib.request.Request(NATIVE + path, method=method,
                                 data=json.dumps(body).encode() if body is not None else None,
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as r:
        text = r.read()
        return json.loads(text) if text else None


def until(what, probe, timeout=60):
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        try:
            last = probe()
            if last:
                return last
        except Exception as e:  # not there yet
            last = e
        time.sleep(0.2)
    raise AssertionError("%s: not so after %ss (last: %r)" % (what, timeout, last))


def guest_namespace(work):
    """The guest's own filesystem corners and loopback; /etc overlaid, so
    that /etc/cfn is the guest's."""
    sh("ip", "link", "set", "lo", "up")
    for d in ["etc-upper", "etc-work"]:
        os.makedirs(os.path.join(work, d))
    sh("mount", "-t", "overlay", "overlay", "-o",
       "lowerdir=/etc,upperdir=%s,workdir=%s" % (os.path.join(work, "etc-upper"),
                                                 os.path.join(work, "etc-work")), "/etc")
    for d in ["/var/lib", "/var/log", "/var/cache", "/opt"]:
        sh("mount", "-t", "tmpfs", "tmpfs", d)
    os.makedirs("/var/lib/heat-cfntools")
    with open("/var/lib/heat-cfntools/cfn-boto-cfg", "w") as f:
        f.write("[Boto]\ndebug = 0\nis_secure = 0\nhttps_validate_certificates = 1\n"
                "cfn_region_name = heat\ncfn_region_endpoint = 127.0.0.1\n"
                "cloudwatch_region_name = heat\ncloudwatch_region_endpoint = 127.0.0.1\n")
    with open("/var/lib/heat-cfntools/cfn-metadata-server", "w") as f:
        f.write("http://127.0.0.1:8000/v1/\n")
    # Nova's metadata as cfn-push-stats reads it (no 169.254.169.254 here).
    with open("/var/lib/heat-cfntools/nova_meta.json", "w") as f:
        json.dump({"uuid": "guest-1", "meta": {}}, f)


def main(server_bin, venv, work):
    guest_namespace(work)
    config = os.path.join(work, "heat-server.toml")
    with open(config, "w") as f:
        # The real agents play the guest: the simulated one stays out.
        f.write('[server]\nbind = "127.0.0.1:8004"\ncfn_auth = "verified"\nalarm_evaluation_secs = 0.5\n'
                'simulated_guest = false\n')
    log = open(os.path.join(work, "server.log"), "w")
    server = subprocess.Popen([server_bin, "--state", os.path.join(work, "state.sqlite"),
                               "--config", config], stdout=subprocess.PIPE, stderr=log, text=True)
    try:
        lines = [server.stdout.readline() for _ in range(4)]
        check("server listens on the agents' ports",
              [l.split(" at ")[-1].strip() for l in lines[:3]],
              ["http://127.0.0.1:8004/v1/<project>", "http://127.0.0.1:8000/v1/",
               "http://127.0.0.1:8003/v1/"])
        guest(venv)
    finally:
        server.terminate()
        server.wait(10)
    print("all steps agree")


def guest(venv):
    bin_ = lambda name: os.path.join(venv, "bin", name)
    env = dict(os.environ, BOTO_CONFIG="/var/lib/heat-cfntools/cfn-boto-cfg")
    created = native("POST", "/stacks", {"stack_name": "wordpress", "template": TEMPLATE,
                                          "disable_rollback": True})
    stack_id = created["stack"]["id"]
    base = "/stacks/wordpress/%s" % stack_id
    # What the guest's user data carries.
    view = until("the guest's data", lambda: native("GET", base + "/resources/GuestView")
                 ["resource"]["attributes"].get("value"))
    until("the server is up", lambda: native("GET", base + "/resources/WebServer")
          ["resource"]["resource_status"] == "CREATE_COMPLETE")
    check("the stack waits for its guest",
          native("GET", base)["stack"]["stack_status"], "CREATE_IN_PROGRESS")

    # cfn-get-metadata: a wrong secret is refused, the right one reads.
    bad = subprocess.run([bin_("cfn-get-metadata"), "-s", "wordpress", "-r", "WebServer",
                          "--access-key", view["access"], "--secret-key", "wrong"],
                         env=env, capture_output=True, text=True)
    check("cfn-get-metadata with a wrong secret fails", bad.returncode != 0, True)
    good = subprocess.run([bin_("cfn-get-metadata"), "-s", "wordpress", "-r", "WebServer",
                           "--access-key", view["access"], "--secret-key", view["secret"]],
                          env=env, capture_output=True, text=True)
    ran("cfn-get-metadata", good)
    meta = json.loads(good.stdout)
    check("metadata", sorted(meta["AWS::CloudFormation::Init"]["config"]), ["commands", "files"])

    # cfn-init applies files and commands.
    init = subprocess.run([bin_("cfn-init"), "-s", "wordpress", "-r", "WebServer",
                           "--access-key", view["access"], "--secret-key", view["secret"]],
                          env=env, capture_output=True, text=True)
    ran("cfn-init", init)
    with open("/opt/guest/hello.txt") as f:
        check("cfn-init wrote the file", f.read(), "hello from wordpress\n")
    check("cfn-init set its mode", oct(os.stat("/opt/guest/hello.txt").st_mode & 0o777), "0o644")
    with open("/opt/guest/commands-ran") as f:
        check("cfn-init ran the command", f.read(), "configured\n")

    deployment_agent(venv, base)

    # cfn-signal signals the handle's pre-signed URL; the stack completes.
    signal = subprocess.run([bin_("cfn-signal"), "-e", "0", "-i", "guest-1", "-d", "configured",
                             view["url"]], capture_output=True, text=True)
    ran("cfn-signal", signal)
    status = until("the stack completes", lambda: (lambda s: s if not s.endswith("IN_PROGRESS")
                                                   else None)(native("GET", base)["stack"]["stack_status"]))
    check("stack status", status, "CREATE_COMPLETE")
    outputs = native("GET", base + "/outputs/Data")["output"]["output_value"]
    check("the wait condition's data", json.loads(outputs), {"guest-1": "configured"})
    check("the deployment's output",
          native("GET", base + "/outputs/Deployed")["output"]["output_value"],
          "hello from Deployment\n")

    # cfn-push-stats reports a service failure; the alarm scales the group out.
    with open("/var/lib/heat-cfntools/cfn-credentials", "w") as f:
        f.write("AWSAccessKeyId=%s\nAWSSecretKey=%s\n" % (view["access"], view["secret"]))
    size = lambda: native("GET", base + "/resources/Group")["resource"]["attributes"]["current_size"]
    check("the group's size before", size(), 1)
    push = subprocess.run([bin_("cfn-push-stats"), "--credential-file",
                           "/var/lib/heat-cfntools/cfn-credentials", "--watch", view["alarm"],
                           "--service-failure"], capture_output=True, text=True)
    ran("cfn-push-stats", push)
    until("the alarm scales the group out", lambda: size() == 2, timeout=30)
    print("ok  the alarm fired and the group grew to 2", flush=True)
    events = native("GET", base + "/events?resource_name=Group")["events"]
    check("the group was updated", any(e["resource_status"] == "UPDATE_COMPLETE" for e in events), True)

    # cfn-hup: nothing to do until a stack update changes the metadata.
    os.makedirs("/etc/cfn/hooks.d")
    with open("/etc/cfn/cfn-hup.conf", "w") as f:
        f.write("[main]\nstack=wordpress\ncredential-file=/var/lib/heat-cfntools/cfn-credentials\n"
                "region=heat\ninterval=1\n")
    with open("/etc/cfn/hooks.d/cfn-auto-reloader.conf", "w") as f:
        f.write("[cfn-auto-reloader]\ntriggers=post.update\npath=Resources.WebServer.Metadata\n"
                "action=/bin/sh -c 'echo reloaded >> /opt/guest/hup-ran'\nrunas=root\n")
    hup = lambda: subprocess.run([bin_("cfn-hup"), "-f"], env=env, capture_output=True, text=True)
    ran("cfn-hup, metadata unchanged", hup())
    check("no hook yet", os.path.exists("/opt/guest/hup-ran"), False)
    server_before = native("GET", base + "/resources/WebServer")["resource"]["physical_resource_id"]
    changed = TEMPLATE.replace("'hello from '", "'hello again from '")
    native("PATCH", base, {"template": changed})
    status = until("the update completes", lambda: (lambda s: s if not s.endswith("IN_PROGRESS")
                                                    else None)(native("GET", base)["stack"]["stack_status"]))
    check("update status", status, "UPDATE_COMPLETE")
    check("the server was kept",
          native("GET", base + "/resources/WebServer")["resource"]["physical_resource_id"],
          server_before)
    ran("cfn-hup, metadata changed", hup())
    with open("/opt/guest/hup-ran") as f:
        check("cfn-hup ran the post.update hook", f.read(), "reloaded\n")
    ran("cfn-hup, nothing new", hup())
    with open("/opt/guest/hup-ran") as f:
        check("the hook ran once", f.read(), "reloaded\n")


def deployment_agent(venv, base):
    """A SOFTWARE_CONFIG server's agents: os-collect-config's cfn collector,
    with the settings the server's metadata carries (as its boot user data
    does), reads its deployments; the config runs as heat-config's script
    hook runs it, and the result is signalled as heat-config-notify does."""
    meta = until("the agent's settings", lambda: native(
        "GET", base + "/resources/AgentServer/metadata")["metadata"].get("os-collect-config"))
    check("the agent's collectors", meta["collectors"], ["ec2", "cfn", "local"])
    cfn = meta["cfn"]
    check("the agent polls the Query API", cfn["metadata_url"], "http://127.0.0.1:8000/v1/")
    check("the agent polls its server's metadata", cfn["path"], "AgentServer.Metadata")

    def collect(secret):
        return subprocess.run(
            [os.path.join(venv, "bin", "os-collect-config"), "--print",
             "--cachedir", "/var/lib/os-collect-config",
             "--cfn-metadata-url", cfn["metadata_url"], "--cfn-stack-name", cfn["stack_name"],
             "--cfn-path", cfn["path"], "--cfn-access-key-id", cfn["access_key_id"],
             "--cfn-secret-access-key", secret, "cfn"], capture_output=True, text=True)

    def collected(secret):
        got = collect(secret)
        if got.returncode != 0:
            raise AssertionError("os-collect-config: exit %d\n%s" % (got.returncode, got.stderr[-3000:]))
        out = json.loads(got.stdout)
        out["stderr"] = got.stderr[-2000:]
        return out

    check("os-collect-config with a wrong secret collects nothing",
          "cfn" in collected("wrong"), False)

    def deployments():
        c = collected(cfn["secret_access_key"])
        if "cfn" not in c:
            raise AssertionError(c["stderr"])
        return c["cfn"].get("deployments")

    deployed = until("os-collect-config collects the deployment", deployments)
    print("ok  os-collect-config", flush=True)
    check("one deployment", len(deployed), 1)
    d = deployed[0]
    check("its group", d["group"], "script")
    inputs = dict((i["name"], i["value"]) for i in d["inputs"])
    check("its input", inputs["greeting"], "hello")
    check("its signal transport", inputs["deploy_signal_transport"], "CFN_SIGNAL")
    # heat-config's script hook: the inputs in the environment.
    os.makedirs("/var/lib/heat-config/deployed", exist_ok=True)
    script = "/var/lib/heat-config/deployed/%s" % d["id"]
    with open(script, "w") as f:
        f.write(d["config"])
    env = dict(os.environ, **{k: str(v) for k, v in inputs.items()})
    run = subprocess.run(["sh", script], env=env,
                         capture_output=True, text=True)
    signal = {"deploy_stdout": run.stdout, "deploy_stderr": run.stderr,
              "deploy_status_code": run.returncode}
    # heat-config-notify: the result, JSON, to deploy_signal_id.
    import requests
    verb = inputs.get("deploy_signal_verb", "POST")
    r = requests.request(verb, inputs["deploy_signal_id"], data=json.dumps(signal),
                         headers={"content-type": "application/json"}, timeout=10)
    check("heat-config-notify's signal is taken", r.status_code, 200)
    until("the deployment completes", lambda: native("GET", base + "/resources/Deployment")
          ["resource"]["resource_status"] == "CREATE_COMPLETE")
    print("ok  the deployment completed", flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:4])
