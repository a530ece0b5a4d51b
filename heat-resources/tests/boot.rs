//! A server's boot user data as a guest reads it: Python's `email` parser
//! (what cloud-init reads user data with) finds each part with its type
//! and filename; the part handler, given the `text/x-cfninitdata` parts as
//! cloud-init gives them, writes heat-cfntools' files; and the
//! `loguserdata` part runs the user's script from them. The guest's paths
//! (`/var/lib/heat-cfntools`, `/var/lib/cloud/data`, `/var/log`) are moved
//! under a temporary directory. Needs `python3` and `sh`.

use heat_core::engine::ResourceSpec;
use heat_resources::GuestKeys;
use serde_json::{json, Value as Json};

/// Reads the message on stdin as cloud-init would, runs its part handler
/// and its shell scripts under the root given as argv[1]; prints the parts
/// and the files written, as JSON.
const GUEST: &str = r#"
import email, json, os, subprocess, sys, types
root = sys.argv[1]
def moved(text):
    for path in ("/var/lib/heat-cfntools", "/var/lib/cloud/data", "/var/log"):
        text = text.replace(path, root + path)
    return text
message = email.message_from_string(sys.stdin.read())
assert message.is_multipart(), "not a multipart message"
parts = [(p.get_content_type(), p.get_filename(), p.get_payload()) for p in message.get_payload()]
handler = types.ModuleType("part_handler")
exec(moved(dict((f, b) for _, f, b in parts)["part-handler.py"]), handler.__dict__)
assert handler.list_types() == ["text/x-cfninitdata"]
os.makedirs(root + "/var/log", exist_ok=True)
handler.handle_part(None, "__begin__", None, None)
for ctype, filename, payload in parts:
    if ctype in handler.list_types():
        handler.handle_part(None, ctype, filename, payload)
handler.handle_part(None, "__end__", None, None)
codes = {}
for ctype, filename, payload in parts:
    if ctype in ("text/x-shellscript", "text/cloud-boothook"):
        codes[filename] = subprocess.run(["sh", "-c", moved(payload)]).returncode
written = {}
for directory in ("/var/lib/heat-cfntools", "/var/lib/cloud/data"):
    for name in sorted(os.listdir(root + directory)):
        with open(os.path.join(root + directory, name)) as f:
            written[directory + "/" + name] = f.read()
log = ""
if os.path.exists(root + "/var/log/heat-provision.log"):
    with open(root + "/var/log/heat-provision.log") as f:
        log = f.read()
print(json.dumps({"parts": [[c, f] for c, f, _ in parts], "written": written, "codes": codes, "log": log}))
"#;

fn guest_reads(user_data: &str) -> Json {
    let root = tempfile::tempdir().unwrap();
    let mut child = std::process::Command::new("python3")
        .args(["-c", GUEST, root.path().to_str().unwrap()])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("python3 runs (the guest's part handler is Python)");
    use std::io::Write as _;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(user_data.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn spec(properties: Json, metadata: Json) -> ResourceSpec {
    ResourceSpec {
        project: "p".into(),
        stack_id: "sid".into(),
        stack_name: "web".into(),
        name: "server".into(),
        type_name: "OS::Nova::Server".into(),
        properties,
        metadata,
        update_policy: Json::Null,
        deletion_policy: "Delete".into(),
    }
}

#[test]
fn a_cfntools_guest_gets_heat_cfntools_files_and_runs_the_users_script() {
    let keys = GuestKeys::new([1; 32], "http://192.0.2.10:8000");
    let props = json!({
        "user_data_format": "HEAT_CFNTOOLS",
        "user_data": "#!/bin/sh\necho provisioned by the user\n",
    });
    let meta = json!({"AWS::CloudFormation::Init": {"config": {"packages": {}}}});
    let data = heat_resources::boot::user_data(&keys, &spec(props.clone(), meta.clone()), &props)
        .expect("HEAT_CFNTOOLS user data is wrapped");
    let seen = guest_reads(&data);
    assert_eq!(
        seen["parts"],
        json!([
            ["text/cloud-config", "cloud-config"],
            ["text/cloud-boothook", "boothook.sh"],
            ["text/part-handler", "part-handler.py"],
            ["text/x-cfninitdata", "cfn-userdata"],
            ["text/x-shellscript", "loguserdata.sh"],
            ["text/x-cfninitdata", "cfn-init-data"],
            ["text/x-cfninitdata", "cfn-metadata-server"],
            ["text/x-cfninitdata", "cfn-boto-cfg"]
        ])
    );
    let written = &seen["written"];
    for dir in ["/var/lib/heat-cfntools", "/var/lib/cloud/data"] {
        assert_eq!(
            written[format!("{dir}/cfn-metadata-server")],
            "http://192.0.2.10:8000/v1/"
        );
        assert_eq!(
            written[format!("{dir}/cfn-userdata")],
            "#!/bin/sh\necho provisioned by the user\n"
        );
    }
    let init: Json = serde_json::from_str(
        written["/var/lib/heat-cfntools/cfn-init-data"]
            .as_str()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(init, meta);
    let boto = written["/var/lib/heat-cfntools/cfn-boto-cfg"]
        .as_str()
        .unwrap();
    assert!(boto.starts_with("[Boto]\n"), "{boto}");
    assert!(boto.contains("cfn_region_endpoint = 192.0.2.10"), "{boto}");
    // loguserdata ran the user's script, logged it, and marked the end.
    assert_eq!(seen["codes"]["loguserdata.sh"], 0);
    assert_eq!(seen["codes"]["boothook.sh"], 0);
    let log = seen["log"].as_str().unwrap();
    assert!(log.contains("provisioned by the user"), "{log}");
    assert!(
        written
            .get("/var/lib/heat-cfntools/provision-finished")
            .is_some(),
        "{written}"
    );
}

#[test]
fn a_failing_user_script_is_a_failed_provisioning() {
    let keys = GuestKeys::new([1; 32], "http://192.0.2.10:8000");
    let props = json!({"user_data": "#!/bin/sh\necho broken; exit 3\n"});
    let data = heat_resources::boot::user_data(&keys, &spec(props.clone(), Json::Null), &props)
        .expect("the default format is HEAT_CFNTOOLS");
    let seen = guest_reads(&data);
    assert_eq!(seen["codes"]["loguserdata.sh"], 3);
    assert!(
        seen["log"]
            .as_str()
            .unwrap()
            .contains("Provision failed with exit code 3"),
        "{seen}"
    );
    assert!(seen["written"]
        .get("/var/lib/heat-cfntools/provision-finished")
        .is_none());
}

#[test]
fn a_software_config_guest_gets_its_agents_settings_and_the_users_parts() {
    let keys = GuestKeys::new([1; 32], "http://192.0.2.10:8000");
    let props = json!({
        "user_data_format": "SOFTWARE_CONFIG",
        "software_config_transport": "POLL_SERVER_CFN",
        "user_data": "#!/bin/sh\necho agents\n",
    });
    let data =
        heat_resources::boot::user_data(&keys, &spec(props.clone(), Json::Null), &props).unwrap();
    let seen = guest_reads(&data);
    // The user's data is a plain part of its own (cloud-init tells a
    // script by its first line), after Heat's three.
    assert_eq!(seen["parts"][3], json!(["text/plain", ""]));
    let init: Json = serde_json::from_str(
        seen["written"]["/var/lib/heat-cfntools/cfn-init-data"]
            .as_str()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(init["deployments"], json!([]));
    let cfn = &init["os-collect-config"]["cfn"];
    assert_eq!(cfn["metadata_url"], "http://192.0.2.10:8000/v1/");
    let access = cfn["access_key_id"].as_str().unwrap();
    assert_eq!(cfn["secret_access_key"], json!(keys.secret(access)));
    // No cfn-userdata: nothing for loguserdata to run, and no loguserdata.
    assert!(seen["written"]
        .get("/var/lib/heat-cfntools/cfn-userdata")
        .is_none());
    assert!(seen["codes"].get("loguserdata.sh").is_none());
}
