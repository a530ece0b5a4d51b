"""A stack's life through python-heatclient's Python API against heat-server.

Usage: python lifecycle.py TARGET TEMPLATE_DIR
TARGET is http://host:port/v1/<project> (noauth) or cloud:NAME (a clouds.yaml
entry: Keystone, heat-rs found in its catalog). Exits non-zero, saying which
step failed and why, when heat-server answers other than Heat would.
"""

import json
import os
import sys
import time

from heatclient import client as heat_client
from heatclient import exc
from heatclient.common import template_utils


def wait(hc, stack_id, timeout=120):
    """Polls a stack until its operation ends; its status."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        stack = hc.stacks.get(stack_id, resolve_outputs=False)
        if not stack.stack_status.endswith("IN_PROGRESS"):
            return stack.stack_status
        time.sleep(0.2)
    raise AssertionError("stack %s still in progress after %ss" % (stack_id, timeout))


def check(what, got, wanted):
    if got != wanted:
        raise AssertionError("%s: got %r, wanted %r" % (what, got, wanted))
    print("ok  %s" % what)


def client(target):
    """noauth at an endpoint, or `cloud:NAME`: Keystone, heat-rs from its catalog."""
    if target.startswith("cloud:"):
        import openstack
        conn = openstack.connect(cloud=target[len("cloud:"):])
        return heat_client.Client("1", session=conn.session, service_type="orchestration",
                                  interface="public", region_name=conn.config.region_name)
    return heat_client.Client("1", endpoint=target, token="notused")


def main(target, here):
    hc = client(target)
    files, template = template_utils.get_template_contents(os.path.join(here, "main.yaml"))
    created = hc.stacks.create(stack_name="py", template=template, files=files,
                               parameters={"greeting": "hi"}, tags="a,b", timeout_mins=10)
    stack_id = created["stack"]["id"]
    # The wait condition waits for its signal.
    deadline = time.time() + 60
    while hc.resources.get(stack_id, "handle").resource_status != "CREATE_COMPLETE":
        if time.time() > deadline:
            raise AssertionError("the handle never completed")
        time.sleep(0.2)
    hc.resources.signal(stack_id, "handle", data={"data": "ready", "id": "1"})
    check("create", wait(hc, stack_id), "CREATE_COMPLETE")
    stack = hc.stacks.get("py")
    check("show by name", stack.id, stack_id)
    outputs = {o["output_key"]: o["output_value"] for o in stack.outputs}
    check("nested output", outputs["nested_out"], "hi!")
    check("group output", outputs["group_values"], ["item-0", "item-1"])
    check("signal data", json.loads(outputs["signal_data"]), {"1": "ready"})
    check("tags", stack.tags, ["a", "b"])
    check("output show", hc.stacks.output_show(stack_id, "nested_out")["output"]["output_value"], "hi!")
    check("output list", sorted(o["output_key"] for o in hc.stacks.output_list(stack_id)["outputs"]),
          ["group_values", "nested_out", "signal_data"])
    names = [s.stack_name for s in hc.stacks.list()]
    check("list", names, ["py"])
    check("list by tag", [s.stack_name for s in hc.stacks.list(filters={"tags": "a"})], ["py"])
    nested = [r.resource_name for r in hc.resources.list(stack_id, nested_depth=2)]
    check("nested resources", sorted(nested), ["0", "1", "group", "handle", "nested", "server", "v", "wait"])
    check("resource show", hc.resources.get(stack_id, "server").resource_status, "CREATE_COMPLETE")
    check("metadata", hc.resources.metadata(stack_id, "server"), {})
    events = hc.events.list(stack_id, sort_dir="asc")
    check("first event", events[0].resource_status_reason, "Stack CREATE started")
    page = hc.events.list(stack_id, sort_dir="asc", marker=events[0].id, limit=2)
    check("events after a marker", [e.id for e in page], [e.id for e in events[1:3]])
    one = hc.events.get(stack_id, "server", [e for e in events if e.resource_name == "server"][0].id)
    check("event show", one.resource_name, "server")
    check("template", hc.stacks.template(stack_id)["description"], "real-client lifecycle")
    check("environment", hc.stacks.environment(stack_id)["parameters"], {"greeting": "hi"})
    # Update previews, then PUT and PATCH.
    preview = hc.stacks.preview_update(stack_id, template=template, files=files,
                                       parameters={"greeting": "hi", "count": 3})
    changes = preview["resource_changes"]
    # As in Heat, nested stacks (the provider, the group) are always updated.
    check("preview: the nested stacks update", sorted(r["resource_name"] for r in changes["updated"]), ["group", "nested"])
    check("preview: nothing replaced", changes["replaced"], [])
    hc.stacks.update(stack_id, template=template, files=files, parameters={"greeting": "hi", "count": 3})
    check("update", wait(hc, stack_id), "UPDATE_COMPLETE")
    stack = hc.stacks.get(stack_id)
    outputs = {o["output_key"]: o["output_value"] for o in stack.outputs}
    check("update output", outputs["group_values"], ["item-0", "item-1", "item-2"])
    check("PUT resets tags", stack.tags, [])
    hc.stacks.update(stack_id, existing=True, parameters={"greeting": "hey"})
    check("patch", wait(hc, stack_id), "UPDATE_COMPLETE")
    stack = hc.stacks.get(stack_id)
    outputs = {o["output_key"]: o["output_value"] for o in stack.outputs}
    check("patch output", outputs["nested_out"], "hey!")
    check("patch keeps parameters", stack.parameters["count"], "3")
    for action, status in (("check", "CHECK_COMPLETE"), ("suspend", "SUSPEND_COMPLETE"),
                           ("resume", "RESUME_COMPLETE")):
        getattr(hc.actions, action)(stack_id)
        check(action, wait(hc, stack_id), status)
    # A snapshot, a change, the snapshot restored.
    snap = hc.stacks.snapshot(stack_id, "before-hello")
    check("snapshot accepted", snap["status"] in ("IN_PROGRESS", "COMPLETE"), True)
    check("snapshot", wait(hc, stack_id), "SNAPSHOT_COMPLETE")
    listed = hc.stacks.snapshot_list(stack_id)["snapshots"]
    check("snapshot list", [s["name"] for s in listed], ["before-hello"])
    shown = hc.stacks.snapshot_show(stack_id, snap["id"])["snapshot"]
    check("snapshot show", (shown["status"], sorted(shown["data"]["resources"])),
          ("COMPLETE", ["group", "handle", "nested", "server", "wait"]))
    hc.stacks.update(stack_id, existing=True, parameters={"greeting": "hello"})
    check("patch again", wait(hc, stack_id), "UPDATE_COMPLETE")
    hc.stacks.restore(stack_id, snap["id"])
    check("restore", wait(hc, stack_id), "RESTORE_COMPLETE")
    outputs = {o["output_key"]: o["output_value"] for o in hc.stacks.get(stack_id).outputs}
    check("restored output", outputs["nested_out"], "hey!")
    hc.stacks.snapshot_delete(stack_id, snap["id"])
    check("snapshot delete", hc.stacks.snapshot_list(stack_id)["snapshots"], [])
    exported = hc.stacks.export(stack_id)
    check("export", sorted(exported["resources"]), ["group", "handle", "nested", "server", "wait"])
    # Software configs and deployments, as a server's agents use them.
    cfg = hc.software_configs.create(name="hello", group="script", config="#!/bin/sh\necho hi\n",
                                     inputs=[{"name": "who"}], outputs=[{"name": "result"}],
                                     options={})
    check("config show", hc.software_configs.get(cfg.id).config, "#!/bin/sh\necho hi\n")
    check("config list", [c.name for c in hc.software_configs.list()], ["hello"])
    dep = hc.software_deployments.create(config_id=cfg.id, server_id="srv-1",
                                         input_values={"who": "world"}, action="CREATE",
                                         status="IN_PROGRESS", status_reason="Deploy data available")
    check("deployments of a server", [d.id for d in hc.software_deployments.list(server_id="srv-1")],
          [dep.id])
    check("no deployments elsewhere", hc.software_deployments.list(server_id="srv-2"), [])
    check("server metadata", [c["name"] for c in hc.software_deployments.metadata("srv-1")], ["hello"])
    hc.software_deployments.update(dep.id, output_values={"result": "done", "deploy_status_code": 0},
                                   status="COMPLETE", status_reason="Outputs received")
    got = hc.software_deployments.get(dep.id)
    check("deployment reported", (got.status, got.output_values["result"], got.input_values["who"]),
          ("COMPLETE", "done", "world"))
    hc.software_deployments.delete(dep.id)
    hc.software_configs.delete(cfg.id)
    try:
        hc.software_configs.get(cfg.id)
        raise AssertionError("a deleted config was found")
    except exc.HTTPNotFound:
        check("config deleted", True, True)
    # Errors, as Heat words them.
    try:
        hc.stacks.create(stack_name="py", template=template, files=files)
        raise AssertionError("a second stack of the same name was accepted")
    except exc.HTTPConflict as e:
        check("duplicate name", "already exists" in str(e), True)
    try:
        hc.stacks.get("no-such-stack")
        raise AssertionError("a missing stack was found")
    except exc.HTTPNotFound as e:
        check("missing stack", "The Stack (no-such-stack) could not be found." in str(e), True)
    valid = hc.stacks.validate(template=template, files=files)
    check("validate", sorted(valid["Parameters"]), ["count", "greeting"])
    # Abandoned (the cloud objects stay), then adopted under a new name.
    server_id = hc.resources.get(stack_id, "server").physical_resource_id
    data = hc.stacks.abandon(stack_id)
    check("abandon data", data["resources"]["server"]["resource_id"], server_id)
    check("abandoned", [s.stack_name for s in hc.stacks.list()], [])
    adopted = hc.stacks.create(stack_name="py-adopted", adopt_stack_data=json.dumps(data),
                               files=files)["stack"]["id"]
    check("adopt", wait(hc, adopted), "ADOPT_COMPLETE")
    check("adopted server", hc.resources.get(adopted, "server").physical_resource_id, server_id)
    hc.stacks.delete(adopted)
    check("delete", wait(hc, adopted), "DELETE_COMPLETE")
    check("deleted stacks are not listed", [s.stack_name for s in hc.stacks.list()], [])
    check("unless asked", sorted(s.stack_name for s in hc.stacks.list(show_deleted=True)),
          ["py", "py-adopted"])
    print("heatclient lifecycle: all steps agree")


if __name__ == "__main__":
    try:
        main(sys.argv[1], sys.argv[2])
    except Exception as e:  # noqa: BLE001 - the failure is the message
        print("FAILED: %s: %s" % (type(e).__name__, e))
        sys.exit(1)
