//! The real clients against a started `heat-server` (noauth): a stack's
//! whole life through `openstack stack ...` (python-openstackclient 10.5)
//! and through python-heatclient 5.3's Python API (`clients/lifecycle.py`):
//! a nested stack, a resource group and a wait condition signalled, list,
//! show, outputs, resources, events with markers, update with PUT and
//! PATCH and their previews, check, suspend, resume, snapshot and
//! restore, export, abandon and adopt, errors, delete.
//!
//! boto3 1.44 and awscli 1.46 drive the CloudFormation Query API the same
//! way (`clients/cfn_lifecycle.py`): validate, summary, create with
//! parameters and tags and their waiters, describe, events and their
//! paginator, resources and metadata, template, the no-op update refused,
//! update, a change set created, described and executed, a cancelled
//! update rolled back, errors with AWS's codes, delete; `aws cloudformation
//! deploy` with and without changes. Their CloudWatch clients then put
//! metrics, read statistics and metric data, make an alarm that the
//! server evaluates to ALARM, set its state, read its history and delete
//! it.
//!
//! The clients come from PyPI into a virtualenv that `HEAT_CLIENTS` names
//! (`.ci/run` makes one); without it these tests say so and do nothing.

mod common;

use common::clients::{cfn_lifecycle, osc_lifecycle, python_lifecycle, venv, Osc, Server};

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

#[test]
fn boto3_and_awscli_drive_a_stacks_whole_life() {
    let Some(venv) = venv() else { return };
    let server = Server::start(
        "cfn",
        "127.0.0.1:0",
        Some("[server]\nalarm_evaluation_secs = 0.5\n"),
    );
    let endpoint = server.cfn_url.trim_end_matches("/v1/").to_string();
    let cloudwatch = server.cloudwatch_url.trim_end_matches("/v1/").to_string();
    cfn_lifecycle(&venv, &endpoint, &server.dir, &cloudwatch);
}
