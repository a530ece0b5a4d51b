//! The in-guest agents of heat-cfntools 2.0 (cfn-get-metadata, cfn-init,
//! cfn-signal, cfn-push-stats, on boto 2), unchanged, against a started
//! heat-server whose Query APIs verify signatures: a WordPress-era
//! template whose instance carries `AWS::CloudFormation::Init` waits for
//! its guest; this machine stands in for the guest (`clients/agents.py`):
//! cfn-get-metadata refuses a wrong secret and reads with the stack's
//! `AWS::IAM::AccessKey`, cfn-init writes the files and runs the commands,
//! cfn-signal PUTs to the wait condition handle's pre-signed URL and the
//! stack completes, cfn-push-stats reports a service failure that an
//! `AWS::CloudWatch::Alarm` evaluates, and its action scales a group out;
//! cfn-hup does nothing until a stack update changes the instance's
//! metadata, then runs its `post.update` hook once. os-collect-config
//! 14.1 (its `cfn` collector, with the settings a `SOFTWARE_CONFIG`
//! server's metadata carries) collects the server's deployment, refusing
//! a wrong secret; the config runs as heat-config's script hook runs it,
//! and its result, POSTed to `deploy_signal_id` as heat-config-notify
//! does, completes the deployment, whose output the stack shows.
//!
//! The agents use fixed paths (/var/lib/heat-cfntools, /var/log,
//! /etc/cfn) and ports (8000, 8003), so the guest and the server run in
//! namespaces of their own (`unshare -rmn`: user, mount, network; /etc
//! overlaid). Without the clients' virtualenv
//! (`HEAT_CLIENTS`) or user namespaces, the test says so and does nothing.

mod common;

use std::process::Command;

#[test]
fn the_agents_configure_signal_and_report_through_heat_server() {
    let Some(venv) = common::clients::venv() else {
        return;
    };
    let usable = Command::new("unshare")
        .args(["-rmn", "true"])
        .status()
        .is_ok_and(|s| s.success());
    if !usable {
        eprintln!(
            "agents test skipped: `unshare -rmn` (util-linux, unprivileged user namespaces) is not available"
        );
        return;
    }
    let tmp = common::tempdir("heat-agents-");
    let work = tmp.path();
    let out = Command::new("unshare")
        .arg("-rmn")
        .arg(venv.join("bin/python"))
        .arg(common::clients::here().join("agents.py"))
        .arg(env!("CARGO_BIN_EXE_heat-server"))
        .arg(&venv)
        .arg(work)
        .output()
        .expect("unshare runs");
    let text = String::from_utf8_lossy(&out.stdout);
    println!("{text}");
    let log = std::fs::read_to_string(work.join("server.log")).unwrap_or_default();
    assert!(
        out.status.success() && text.contains("all steps agree"),
        "{text}{}\n--- server log ---\n{}",
        String::from_utf8_lossy(&out.stderr),
        &log[log.len().saturating_sub(4000)..]
    );
}
