//! Several `heat` processes on one state file, as users run them: each
//! stack operation has one live owner; a command never waits on, nor
//! touches, a stack it does not name; a stack abandoned by a `heat` that
//! died (SIGKILL) or hung (SIGSTOP) is taken over once its lease expires,
//! and the old owner can never write again; a resource failure fails the
//! stack at once; a delete of a stack in progress cancels, then deletes;
//! a resource paused at an environment hook goes on once another `heat`
//! clears it.

mod common;

use std::time::Duration;

use common::*;

const LIMIT: Duration = Duration::from_secs(120);

/// Five chained test resources, one second each.
fn slow() -> String {
    let mut t = String::from("heat_template_version: 2018-08-31\nresources:\n");
    for i in 0..5 {
        t.push_str(&format!(
            "  r{i}:\n    type: OS::Heat::TestResource\n    properties: {{value: v{i}, action_wait_secs: {{create: 1}}}}\n"
        ));
        if i > 0 {
            t.push_str(&format!("    depends_on: r{}\n", i - 1));
        }
    }
    t
}

const FAST: &str = "heat_template_version: 2018-08-31
resources:
  a: {type: OS::Heat::None}
  b: {type: OS::Heat::None}
";

/// A wait condition that nobody signals (ten minutes).
const WAITING: &str = "heat_template_version: 2018-08-31
resources:
  handle: {type: OS::Heat::WaitConditionHandle}
  wait:
    type: OS::Heat::WaitCondition
    properties: {handle: {get_resource: handle}, timeout: 600}
";

fn transitions(h: &Heat, stack: &str, resource: &str) -> Vec<String> {
    h.events(stack)
        .into_iter()
        .filter(|e| e["resource_name"] == resource)
        .map(|e| e["resource_status"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_second_heat_neither_resumes_nor_waits_for_a_stack_it_does_not_name() {
    let h = Heat::new("two-terminals");
    let slow = h.write("slow.yaml", &slow());
    let fast = h.write("fast.yaml", FAST);
    let first = h.spawn(&["stack", "create", "slow", "-t", &slow]);
    until("slow's r1 to start", LIMIT, || {
        h.status_of("slow", "r1").as_deref() == Some("CREATE_IN_PROGRESS")
    });
    let (code, out, err) = h.run(&["stack", "create", "fast", "-t", &fast]);
    assert_eq!(code, 0, "{out}{err}");
    // The second command is done while the first still converges `slow`.
    let mut first = first;
    assert!(
        first.try_wait().unwrap().is_none(),
        "the second heat waited for the first"
    );
    assert!(
        !err.contains("[slow]"),
        "the second heat touched slow: {err}"
    );
    let (code, out, err) = finish(first);
    assert_eq!(code, 0, "{out}{err}");
    for i in 0..5 {
        assert_eq!(
            transitions(&h, "slow", &format!("r{i}")),
            ["CREATE_IN_PROGRESS", "CREATE_COMPLETE"],
            "r{i} was driven by one engine only"
        );
    }
    let list = h.json(&["stack", "list", "-f", "json"]);
    let statuses: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["Stack Status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["CREATE_COMPLETE", "CREATE_COMPLETE"]);
}

#[test]
fn a_create_killed_while_waiting_is_left_alone_until_named_then_deleted() {
    let h = Heat::new("killed-wait").env("HEAT_LEASE_SECONDS", "1");
    let waiting = h.write("waiting.yaml", WAITING);
    let fast = h.write("fast.yaml", FAST);
    let first = h.spawn(&["stack", "create", "waiting", "-t", &waiting]);
    until("the wait condition to wait", LIMIT, || {
        h.status_of("waiting", "wait").as_deref() == Some("CREATE_IN_PROGRESS")
    });
    signal(&first, "KILL");
    let _ = finish(first);
    std::thread::sleep(Duration::from_millis(1500));
    let before = h.events("waiting").len();
    // Commands about other stacks neither resume nor wait for it.
    for args in [
        vec!["stack", "create", "other", "-t", fast.as_str()],
        vec!["stack", "list"],
        vec!["stack", "show", "other"],
        vec!["stack", "resource", "list", "other"],
    ] {
        let (code, out, err) = h.run(&args);
        assert_eq!(code, 0, "{args:?}: {out}{err}");
        assert!(!err.contains("resum"), "{args:?}: {err}");
    }
    assert_eq!(h.events("waiting").len(), before, "nobody touched it");
    let (code, out, err) = h.run(&["stack", "show", "waiting", "-f", "json"]);
    assert_eq!(code, 0);
    assert!(out.contains("CREATE_IN_PROGRESS"), "{out}");
    assert!(
        err.contains("left CREATE_IN_PROGRESS by a heat that stopped"),
        "{err}"
    );
    // A delete takes the abandoned stack over, stops the wait and deletes
    // it (the wait condition's ten minutes are not waited for).
    let (code, out, err) = h.run(&["stack", "delete", "waiting", "--yes"]);
    assert_eq!(code, 0, "{out}{err}");
    let (code, _, err) = h.run(&["stack", "show", "waiting"]);
    assert_eq!(code, 1);
    assert!(err.contains("could not be found"), "{err}");
}

#[test]
fn a_failed_resource_fails_the_stack_while_a_wait_condition_still_waits() {
    let h = Heat::new("first-failure");
    let t = h.write(
        "failing.yaml",
        &format!(
            "{WAITING}  broken:\n    type: OS::Heat::TestResource\n    properties: {{fail: true, wait_secs: 1}}\n"
        ),
    );
    let (code, out, err) = h.run(&["stack", "create", "s", "-t", &t, "-f", "json"]);
    assert_eq!(code, 1, "{out}{err}");
    let stack: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(stack["stack_status"], "CREATE_FAILED");
    let reason = stack["stack_status_reason"].as_str().unwrap();
    assert!(reason.contains("resources.broken"), "{reason}");
    assert_eq!(h.status_of("s", "wait").as_deref(), Some("CREATE_FAILED"));
    let wait_events: Vec<String> = h
        .events("s")
        .into_iter()
        .filter(|e| e["resource_name"] == "wait")
        .map(|e| e["resource_status_reason"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(wait_events.last().unwrap(), "CREATE cancelled");
}

#[test]
fn deleting_a_stack_another_live_heat_is_creating_cancels_then_deletes() {
    let h = Heat::new("delete-live").env("HEAT_LEASE_SECONDS", "2");
    let waiting = h.write("waiting.yaml", WAITING);
    let first = h.spawn(&["stack", "create", "waiting", "-t", &waiting]);
    until("the wait condition to wait", LIMIT, || {
        h.status_of("waiting", "wait").as_deref() == Some("CREATE_IN_PROGRESS")
    });
    let (code, out, err) = h.run(&["stack", "delete", "waiting", "--yes"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(err.contains("cancelling it, then deleting"), "{err}");
    let (code, _, err) = h.run(&["stack", "show", "waiting"]);
    assert_eq!(code, 1, "{err}");
    // The creating heat learns of it, stops, and says so.
    let (code, _, err) = finish(first);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("was deleted while its CREATE ran"), "{err}");
}

/// A network, three ports and three servers, half a second per object.
const SERVERS: &str = "heat_template_version: 2018-08-31
resources:
  net: {type: OS::Neutron::Net}
  subnet: {type: OS::Neutron::Subnet, properties: {network: {get_resource: net}, cidr: 10.7.0.0/24}}
  port0: {type: OS::Neutron::Port, properties: {network: {get_resource: net}}, depends_on: subnet}
  port1: {type: OS::Neutron::Port, properties: {network: {get_resource: net}}, depends_on: port0}
  port2: {type: OS::Neutron::Port, properties: {network: {get_resource: net}}, depends_on: port1}
  server0: {type: OS::Nova::Server, properties: {image: cirros-0.6.2, flavor: m1.tiny, networks: [{port: {get_resource: port0}}]}}
  server1: {type: OS::Nova::Server, properties: {image: cirros-0.6.2, flavor: m1.tiny, networks: [{port: {get_resource: port1}}]}, depends_on: server0}
  server2: {type: OS::Nova::Server, properties: {image: cirros-0.6.2, flavor: m1.tiny, networks: [{port: {get_resource: port2}}]}, depends_on: server1}
";

#[test]
fn a_killed_create_is_taken_over_by_the_next_command_and_nothing_is_made_twice() {
    let h = Heat::new("killed-create")
        .env("HEAT_LEASE_SECONDS", "1")
        .env("HEAT_SIM_LATENCY_SECONDS", "0.5");
    let t = h.write("servers.yaml", SERVERS);
    let first = h.spawn(&["stack", "create", "s", "-t", &t]);
    until("server0 to build", LIMIT, || {
        h.status_of("s", "server0").as_deref() == Some("CREATE_IN_PROGRESS")
    });
    signal(&first, "KILL");
    let _ = finish(first);
    // Before the lease expires the stack is still held: a change is refused.
    let (code, _, err) = h.run(&["stack", "check", "s"]);
    assert_ne!(code, 0, "{err}");
    assert!(err.contains("in progress"), "{err}");
    std::thread::sleep(Duration::from_millis(1200));
    // Then the next command on it takes it over and finishes the create.
    let (code, out, err) = h.run(&["stack", "check", "s", "-f", "json"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(err.contains("resuming it"), "{err}");
    assert!(out.contains("CHECK_COMPLETE"), "{out}");
    assert!(transitions(&h, "s", "s").contains(&"CREATE_COMPLETE".to_string()));
    assert_one_object_per_resource(&h, "s");
    let (code, out, err) = h.run(&["stack", "delete", "s", "--yes"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(h.sim_objects().is_empty(), "{:?}", h.sim_objects());
}

#[test]
fn a_stopped_heat_loses_its_stack_and_never_writes_again() {
    let h = Heat::new("stopped")
        .env("HEAT_LEASE_SECONDS", "1")
        .env("HEAT_SIM_LATENCY_SECONDS", "0.5");
    let t = h.write("servers.yaml", SERVERS);
    let first = h.spawn(&["stack", "create", "s", "-t", &t]);
    until("server0 to build", LIMIT, || {
        h.status_of("s", "server0").as_deref() == Some("CREATE_IN_PROGRESS")
    });
    signal(&first, "STOP");
    std::thread::sleep(Duration::from_millis(1500));
    let (code, out, err) = h.run(&["stack", "check", "s", "-f", "json"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(err.contains("resuming it"), "{err}");
    let settled = h.events("s").len();
    signal(&first, "CONT");
    let (code, _, err) = finish(first);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("taken over by another engine"), "{err}");
    // The first heat wrote nothing after it woke, and made no object twice.
    assert_eq!(h.events("s").len(), settled);
    let show = h.json(&["stack", "show", "s", "-f", "json"]);
    assert_eq!(show["stack_status"], "CHECK_COMPLETE");
    assert_one_object_per_resource(&h, "s");
    let (code, out, err) = h.run(&["stack", "delete", "s", "--yes"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(h.sim_objects().is_empty(), "{:?}", h.sim_objects());
}

#[test]
fn a_hook_pauses_a_create_until_another_heat_clears_it() {
    let h = Heat::new("hooks");
    let t = h.write(
        "values.yaml",
        "heat_template_version: 2018-08-31
resources:
  a: {type: OS::Heat::Value, properties: {value: one}}
  b: {type: OS::Heat::Value, properties: {value: {get_attr: [a, value]}}}
",
    );
    let env = h.write(
        "hooks.yaml",
        "resource_registry:\n  resources:\n    b: {hooks: pre-create}\n",
    );
    let create = h.spawn(&["stack", "create", "s", "-t", &t, "-e", &env]);
    let start = std::time::Instant::now();
    loop {
        let (code, out, err) = h.run(&["stack", "hook", "poll", "s", "-f", "json"]);
        if code == 0 && out.contains("pre-create") {
            let pending: serde_json::Value = serde_json::from_str(&out).unwrap();
            assert_eq!(
                pending,
                serde_json::json!([{"resource_name": "b", "hook_type": "pre-create"}])
            );
            break;
        }
        assert!(start.elapsed().as_secs() < 60, "never paused: {out}{err}");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let shown = h.json(&["stack", "show", "s", "-f", "json"]);
    assert_eq!(shown["stack_status"], "CREATE_IN_PROGRESS");
    // Only the hooks the environment sets.
    let (code, _, err) = h.run(&["stack", "hook", "clear", "s", "a", "--pre-create"]);
    assert_eq!(code, 1);
    assert!(err.contains("hook is not defined on a"), "{err}");
    // No flag: the hook of the action the stack is in.
    let (code, _, err) = h.run(&["stack", "hook", "clear", "s", "b"]);
    assert_eq!(code, 0, "{err}");
    let out = create.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        h.json(&["stack", "show", "s", "-f", "json"])["stack_status"],
        "CREATE_COMPLETE"
    );
    assert_eq!(
        h.json(&["stack", "hook", "poll", "s", "-f", "json"]),
        serde_json::json!([])
    );
}
