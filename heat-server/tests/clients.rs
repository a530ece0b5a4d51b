//! The real clients against a started `heat-server` (noauth): a stack's
//! whole life through `openstack stack ...` (python-openstackclient 10.5)
//! and through python-heatclient 5.3's Python API (`clients/lifecycle.py`):
//! a nested stack, a resource group and a wait condition signalled, list,
//! show, outputs, resources, events with markers, update with PUT and
//! PATCH and their previews, check, suspend, resume, snapshot and
//! restore, export, abandon and adopt, errors, delete.
//!
//! The clients come from PyPI into a virtualenv that `HEAT_CLIENTS` names
//! (`.ci/run` makes one); without it these tests say so and do nothing.

mod common;

use common::clients::{osc_lifecycle, python_lifecycle, venv, Osc, Server};

#[test]
fn python_heatclient_drives_a_stacks_whole_life() {
    let Some(venv) = venv() else { return };
    let server = Server::start("python", "127.0.0.1:0", None);
    python_lifecycle(&venv, &server.endpoint("admin"));
}

#[test]
fn the_openstack_cli_drives_a_stacks_whole_life() {
    let Some(venv) = venv() else { return };
    let server = Server::start("osc", "127.0.0.1:0", None);
    osc_lifecycle(&Osc::noauth(&venv, &server.endpoint("admin")));
}
