//! Groups on the simulated cloud, in virtual time. Rolling updates: a
//! 10-server `OS::Heat::ResourceGroup` rebuilt on a new image with
//! `rolling_update` (at most 3 at once, 8 in service, 30 s pauses) goes in
//! batches of 2, never has fewer than 8 servers in service (read from the
//! event log: a server rebuilding is out of service), and pauses between
//! batches; the same for `AWS::AutoScaling::AutoScalingGroup`'s
//! `AutoScalingRollingUpdate`; without a policy, every member changes at
//! once. An AWS group is made of its launch configuration's instances and
//! scales on a signal to its policy; a policy in its cooldown does not. A
//! `batch_create` policy makes a group's members a batch at a time. A
//! problem the members share is said once, at the group's definition.

mod common;

use std::collections::BTreeMap;
use std::time::Duration;

use heat_core::engine::{Action, Event, StackOptions, StackSource, StateStore, Status};
use heat_resources::sim::SimCloud;

const GROUP: &str = "heat_template_version: 2018-08-31
parameters:
  image: {type: string, default: cirros-0.6.2}
resources:
  group:
    type: OS::Heat::ResourceGroup
    POLICY
    properties:
      count: 10
      resource_def:
        type: OS::Nova::Server
        properties: {image: {get_param: image}, flavor: m1.small, networks: [{network: private}]}
";

const AWS: &str = "AWSTemplateFormatVersion: '2010-09-09'
Parameters:
  ImageId: {Type: String, Default: cirros-0.6.2}
Resources:
  Config:
    Type: AWS::AutoScaling::LaunchConfiguration
    Properties: {ImageId: {Ref: ImageId}, InstanceType: m1.small}
  Group:
    Type: AWS::AutoScaling::AutoScalingGroup
    UpdatePolicy:
      AutoScalingRollingUpdate: {MinInstancesInService: '7', MaxBatchSize: '5', PauseTime: PT1M}
    Properties:
      LaunchConfigurationName: {Ref: Config}
      MinSize: '10'
      MaxSize: '10'
      AvailabilityZones: []
";

/// The nested stack's updates (start and end times) and, over time, how
/// many members were out of service (between an UPDATE IN_PROGRESS event
/// of theirs and its COMPLETE): (updates, most out at once).
fn replay(events: &[Event], nested_name: &str) -> (Vec<(f64, f64)>, usize) {
    let mut updates = Vec::new();
    let mut started = None;
    let mut out: BTreeMap<&str, bool> = BTreeMap::new();
    let mut most = 0;
    for e in events {
        if e.resource_name == nested_name {
            match (e.action, e.status) {
                (Action::Update, Status::InProgress) => started = Some(e.time),
                (Action::Update, Status::Complete) => {
                    updates.push((started.take().expect("started"), e.time))
                }
                _ => {}
            }
            continue;
        }
        if e.action == Action::Update {
            out.insert(&e.resource_name, e.status == Status::InProgress);
            most = most.max(out.values().filter(|o| **o).count());
        }
    }
    (updates, most)
}

async fn rolled(template: &str, parameter: (&str, &str)) -> (Vec<(f64, f64)>, usize) {
    let common::Sim {
        cloud,
        store,
        runner,
    } = common::sim(Duration::from_secs(10));
    cloud
        .provide("image", "cirros-0.7.0", serde_json::json!({}))
        .await
        .unwrap();
    let s = common::create(&runner, "g", template).await;
    let servers = |c: &SimCloud| {
        c.stack_objects()
            .into_iter()
            .filter(|o| o.kind == "server")
            .map(|o| o.id)
            .collect::<Vec<_>>()
    };
    let before = servers(&cloud);
    assert_eq!(before.len(), 10);
    let updated = runner
        .update_stack(
            "g",
            StackSource {
                template: template.into(),
                parameters: [(parameter.0.to_string(), serde_json::json!(parameter.1))]
                    .into_iter()
                    .collect(),
                ..StackSource::default()
            },
            StackOptions::default(),
        )
        .await
        .unwrap();
    assert_eq!(
        updated.status_text(),
        "UPDATE_COMPLETE",
        "{}",
        updated.reason
    );
    // Rebuilt in place: the same servers, each on the new image.
    let mut after = servers(&cloud);
    let mut b = before.clone();
    after.sort();
    b.sort();
    assert_eq!(after, b);
    for o in cloud.stack_objects().iter().filter(|o| o.kind == "server") {
        assert_eq!(o.properties["image"], "cirros-0.7.0", "{o:?}");
    }
    let group = store
        .resources(&s.id)
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.type_name.ends_with("Group") && r.current)
        .unwrap();
    let nested = group.physical_id.unwrap();
    let nested_name = store.stack(&nested).await.unwrap().unwrap().name;
    replay(&store.events(&nested).await.unwrap(), &nested_name)
}

#[tokio::test(start_paused = true)]
async fn a_resource_group_rolls_in_batches_keeping_eight_in_service() {
    let t = GROUP.replace(
        "POLICY",
        "update_policy: {rolling_update: {max_batch_size: 3, min_in_service: 8, pause_time: 30}}",
    );
    let (updates, most_out) = rolled(&t, ("image", "cirros-0.7.0")).await;
    // Five batches of two (8 of 10 stay in service).
    let rolling = &updates;
    assert_eq!(rolling.len(), 5, "{updates:?}");
    assert!(most_out <= 2, "{most_out} out of service at once");
    assert!(most_out >= 1);
    for pair in rolling.windows(2) {
        let pause = pair[1].0 - pair[0].1;
        assert!(pause >= 30.0 - 1e-6, "paused only {pause} s: {updates:?}");
    }
}

#[tokio::test(start_paused = true)]
async fn an_aws_group_rolls_as_its_update_policy_says() {
    let (updates, most_out) = rolled(AWS, ("ImageId", "cirros-0.7.0")).await;
    // MaxBatchSize 5 but 7 in service: batches of 3 (3, 3, 3, 1).
    let rolling = &updates;
    assert_eq!(rolling.len(), 4, "{updates:?}");
    assert!((1..=3).contains(&most_out), "{most_out} out at once");
    for pair in rolling.windows(2) {
        assert!(pair[1].0 - pair[0].1 >= 60.0 - 1e-6, "{updates:?}");
    }
}

#[tokio::test(start_paused = true)]
async fn without_a_policy_every_member_changes_at_once() {
    let t = GROUP.replace("POLICY", "");
    let (updates, most_out) = rolled(&t, ("image", "cirros-0.7.0")).await;
    assert_eq!(updates.len(), 1, "{updates:?}");
    assert_eq!(most_out, 10);
}

/// An AWS group made from its launch configuration scales on a signal to
/// its policy: instances of the configuration's image, between MinSize
/// and MaxSize.
#[tokio::test(start_paused = true)]
async fn an_aws_group_is_made_from_its_launch_configuration_and_scales() {
    let template = "AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Config:
    Type: AWS::AutoScaling::LaunchConfiguration
    Metadata: {role: web}
    Properties: {ImageId: cirros-0.6.2, InstanceType: m1.small}
  Group:
    Type: AWS::AutoScaling::AutoScalingGroup
    Properties:
      LaunchConfigurationName: {Ref: Config}
      MinSize: '1'
      MaxSize: '2'
      AvailabilityZones: []
  Up:
    Type: AWS::AutoScaling::ScalingPolicy
    Properties: {AdjustmentType: ChangeInCapacity, AutoScalingGroupName: {Ref: Group}, ScalingAdjustment: '1'}
";
    let common::Sim { cloud, runner, .. } = common::sim(Duration::ZERO);
    common::create(&runner, "asg", template).await;
    let servers = |c: &SimCloud| {
        c.stack_objects()
            .into_iter()
            .filter(|o| o.kind == "server")
            .collect::<Vec<_>>()
    };
    let one = servers(&cloud);
    assert_eq!(one.len(), 1, "{one:?}");
    assert_eq!(one[0].properties["image"], "cirros-0.6.2");
    for _ in 0..2 {
        runner
            .signal("asg", "Up", serde_json::json!({}))
            .await
            .unwrap();
        let done = runner.wait(runner.find("asg").await.unwrap()).await;
        assert!(!done.in_progress(), "{}", done.status_text());
    }
    // Once to 2; the second stays at MaxSize.
    assert_eq!(servers(&cloud).len(), 2);
    runner.delete_stack("asg").await.unwrap();
    assert!(
        cloud.stack_objects().is_empty(),
        "{:?}",
        cloud.stack_objects()
    );
}

/// A policy's cooldown, as Heat's: within it after the policy's last
/// scaling, a signal does nothing; a policy without one scales each time.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_policy_in_its_cooldown_does_not_scale() {
    let common::Sim { runner, .. } = common::sim(Duration::ZERO);
    let template = "heat_template_version: 2018-08-31
resources:
  group:
    type: OS::Heat::AutoScalingGroup
    properties: {min_size: 1, max_size: 5, resource: {type: OS::Heat::RandomString}}
  slow:
    type: OS::Heat::ScalingPolicy
    properties: {adjustment_type: change_in_capacity, auto_scaling_group_id: {get_resource: group}, scaling_adjustment: 1, cooldown: 600}
  fast:
    type: OS::Heat::ScalingPolicy
    properties: {adjustment_type: change_in_capacity, auto_scaling_group_id: {get_resource: group}, scaling_adjustment: 1, cooldown: 0}
outputs:
  size: {value: {get_attr: [group, current_size]}}
";
    common::create(&runner, "cool", template).await;
    let size = || async {
        let s = runner.find("cool").await.unwrap();
        let id = s.id.clone();
        let store = runner.engine().store().clone();
        let child = store
            .stacks(Some(&s.project))
            .await
            .unwrap()
            .into_iter()
            .find(|c| c.parent.as_ref().is_some_and(|(p, _)| *p == id))
            .unwrap();
        store
            .resources(&child.id)
            .await
            .unwrap()
            .into_iter()
            .filter(|r| r.current)
            .count()
    };
    assert_eq!(size().await, 1);
    runner
        .signal("cool", "slow", serde_json::json!({}))
        .await
        .unwrap();
    assert_eq!(size().await, 2);
    runner
        .signal("cool", "slow", serde_json::json!({}))
        .await
        .unwrap();
    assert_eq!(size().await, 2, "within the cooldown");
    runner
        .signal("cool", "fast", serde_json::json!({}))
        .await
        .unwrap();
    runner
        .signal("cool", "fast", serde_json::json!({}))
        .await
        .unwrap();
    assert_eq!(size().await, 4, "no cooldown");
}

/// `batch_create`: a 5-server group made two at a time, 30 s apart (read
/// from the nested stack's events: when each member's create started).
#[tokio::test(start_paused = true)]
async fn a_resource_group_is_created_in_batches() {
    let common::Sim {
        cloud,
        store,
        runner,
    } = common::sim(Duration::from_secs(10));
    let t = GROUP
        .replace(
            "POLICY",
            "update_policy: {batch_create: {max_batch_size: 2, pause_time: 30}}",
        )
        .replace("count: 10", "count: 5");
    let s = common::create(&runner, "batched", &t).await;
    let servers = cloud
        .stack_objects()
        .into_iter()
        .filter(|o| o.kind == "server")
        .count();
    assert_eq!(servers, 5);
    let group = store
        .resources(&s.id)
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.name == "group")
        .unwrap();
    let nested = group.physical_id.unwrap();
    let mut started: BTreeMap<String, f64> = BTreeMap::new();
    for e in store.events(&nested).await.unwrap() {
        if e.action == Action::Create
            && e.status == Status::InProgress
            && e.resource_name.len() == 1
        {
            started.insert(e.resource_name.clone(), e.time);
        }
    }
    let at: Vec<f64> = started.values().copied().collect();
    assert_eq!(at.len(), 5, "{started:?}");
    let t0 = at[0];
    let offsets: Vec<f64> = at.iter().map(|t| (t - t0).round()).collect();
    // Batch 1 at 0; batch 2 after its create (10 s) and the pause (30 s);
    // batch 3 as long again.
    assert_eq!(offsets, vec![0.0, 0.0, 40.0, 40.0, 80.0], "{started:?}");
}

#[tokio::test(start_paused = true)]
async fn members_attributes_instance_groups_and_chains_are_heats() {
    let s = common::sim(Duration::from_secs(1));
    // `outputs_list` and `outputs` of an autoscaling group, the rest of the
    // path taken in each member's value.
    let asg = common::create(
        &s.runner,
        "asg",
        "heat_template_version: 2016-10-14
resources:
  asg:
    type: OS::Heat::AutoScalingGroup
    properties:
      min_size: 2
      max_size: 3
      resource:
        type: OS::Nova::Server
        properties: {image: cirros-0.6.2, flavor: m1.small}
outputs:
  names: {value: {get_attr: [asg, outputs_list, name]}}
  ips: {value: {get_attr: [asg, outputs_list, networks, private, 0]}}
  by_member: {value: {get_attr: [asg, outputs, first_address]}}
",
    )
    .await;
    let o = asg.outputs.unwrap();
    assert_eq!(o["names"]["value"].as_array().unwrap().len(), 2, "{o:?}");
    let ips = o["ips"]["value"].as_array().unwrap().clone();
    assert!(
        ips.iter()
            .all(|ip| ip.as_str().is_some_and(|i| i.starts_with("10."))),
        "{ips:?}"
    );
    let by_member = o["by_member"]["value"].as_object().unwrap();
    assert_eq!(by_member.len(), 2);
    assert!(by_member.values().all(|v| ips.contains(v)));
    // An InstanceGroup is made from its launch configuration, `Size`
    // members, its `InstanceList` their addresses.
    let group = common::create(
        &s.runner,
        "ig",
        r#"{"HeatTemplateFormatVersion": "2012-12-12",
 "Resources": {
   "Config": {"Type": "AWS::AutoScaling::LaunchConfiguration",
              "Properties": {"ImageId": "cirros-0.6.2", "InstanceType": "m1.small"}},
   "Group": {"Type": "OS::Heat::InstanceGroup",
             "Properties": {"AvailabilityZones": ["nova"], "LaunchConfigurationName": {"Ref": "Config"}, "Size": 3}}},
 "Outputs": {"List": {"Value": {"Fn::GetAtt": ["Group", "InstanceList"]}}}}"#,
    )
    .await;
    let list = group.outputs.unwrap()["List"]["value"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(list.split(',').count(), 3, "{list}");
    let servers = s
        .cloud
        .stack_objects()
        .into_iter()
        .filter(|o| o.kind == "server")
        .count();
    assert_eq!(
        servers,
        2 + 3,
        "the autoscaling group's and the instance group's"
    );
    // A resource chain: its types in order, one after the other.
    let chain = common::create(
        &s.runner,
        "chain",
        "heat_template_version: 2016-10-14
resources:
  chain:
    type: OS::Heat::ResourceChain
    properties:
      resources: [OS::Neutron::Net, OS::Neutron::Net]
      resource_properties: {admin_state_up: true}
outputs:
  refs: {value: {get_attr: [chain, refs]}}
",
    )
    .await;
    let refs = chain.outputs.unwrap()["refs"]["value"].clone();
    let nets: Vec<String> = s
        .cloud
        .stack_objects()
        .into_iter()
        .filter(|o| o.kind == "network")
        .map(|o| o.id)
        .collect();
    assert_eq!(refs.as_array().unwrap().len(), 2);
    assert!(refs
        .as_array()
        .unwrap()
        .iter()
        .all(|r| nets.contains(&r.as_str().unwrap().to_string())));
    let nested = s
        .store
        .stacks(None)
        .await
        .unwrap()
        .into_iter()
        .find(|n| n.parent.as_ref().is_some_and(|(p, _)| p == &chain.id))
        .unwrap();
    let members = s.store.resources(&nested.id).await.unwrap();
    let second = members.iter().find(|r| r.name == "1").unwrap();
    assert_eq!(second.requires, ["0"], "the second after the first");
}

#[tokio::test(start_paused = true)]
async fn a_group_of_no_members_answers_empty_lists() {
    let s = common::sim(Duration::from_secs(1));
    // Heat's groups collect a member attribute over their members: none, [].
    let stack = common::create(
        &s.runner,
        "empty",
        "heat_template_version: 2016-10-14
resources:
  group:
    type: OS::Heat::ResourceGroup
    properties:
      count: 0
      resource_def:
        type: OS::Nova::Server
        properties: {image: cirros-0.6.2, flavor: m1.small}
  asg:
    type: OS::Heat::AutoScalingGroup
    properties:
      min_size: 0
      max_size: 2
      resource:
        type: OS::Nova::Server
        properties: {image: cirros-0.6.2, flavor: m1.small}
outputs:
  addresses: {value: {get_attr: [group, first_address]}}
  refs: {value: {get_attr: [group, refs]}}
  names: {value: {get_attr: [asg, outputs_list, name]}}
  by_member: {value: {get_attr: [asg, outputs, name]}}
  size: {value: {get_attr: [asg, current_size]}}
",
    )
    .await;
    assert_eq!(stack.status_text(), "CREATE_COMPLETE", "{}", stack.reason);
    let o = stack.outputs.unwrap();
    assert_eq!(o["addresses"]["value"], serde_json::json!([]));
    assert_eq!(o["refs"]["value"], serde_json::json!([]));
    assert_eq!(o["names"]["value"], serde_json::json!([]));
    assert_eq!(o["by_member"]["value"], serde_json::json!({}));
    assert_eq!(o["size"]["value"], serde_json::json!(0));
}

#[tokio::test(start_paused = true)]
async fn a_members_problem_is_said_once_at_the_groups_member_definition() {
    let s = common::sim(Duration::from_secs(1));
    // The reason a 50-member group of `member` fails with.
    let failed = |name: &'static str, member: &'static str| {
        let runner = &s.runner;
        async move {
            let template = format!(
                "heat_template_version: 2016-10-14
resources:
  {name}:
    type: OS::Heat::ResourceGroup
    properties:
      count: 50
      resource_def:
{member}"
            );
            let stack = runner
                .create_stack(
                    name,
                    StackSource {
                        template,
                        ..StackSource::default()
                    },
                    StackOptions::default(),
                )
                .await
                .unwrap();
            assert_eq!(stack.status_text(), "CREATE_FAILED");
            stack.reason
        }
    };
    // Heat validates a group without its members' types; every one of the
    // 50 members fails the same way, said once where the user wrote it.
    let reason = failed("group", "        type: My::Unregistered\n").await;
    let expected = "line 8: resources.group.properties.resource_def.type: \
                    The Resource Type (My::Unregistered) could not be found.";
    assert!(reason.contains(expected), "{reason}");
    assert_eq!(reason.matches("could not be found").count(), 1, "{reason}");
    assert!(!reason.contains("resources.0"), "{reason}");
    // A property problem every member has names the member's properties:
    // said once too, at the definition's.
    let reason = failed(
        "ports",
        "        type: OS::Neutron::Port\n        properties: {admin_state_up: true}\n",
    )
    .await;
    assert_eq!(reason.matches("not assigned").count(), 1, "{reason}");
    assert!(
        reason.contains(
            "resources.ports.properties.resource_def.properties: Property network not assigned"
        ),
        "{reason}"
    );
}

#[test]
fn update_policies_are_checked_against_what_each_type_declares() {
    use heat_core::definition::{Inputs, StackDefinition};
    use heat_core::template::Template;
    let errors = |policy: &str, type_name: &str| {
        let t = Template::parse(&format!(
            "heat_template_version: 2016-10-14
resources:
  g:
    type: {type_name}
    properties: {{count: 1, resource_def: {{type: OS::Heat::None}}}}
    update_policy: {policy}
"
        ))
        .unwrap();
        let (_, errors) = StackDefinition::build(&t, Inputs::default(), &heat_resources::Catalog);
        errors
            .iter()
            .map(|e| (e.path.clone(), e.message.clone()))
            .collect::<Vec<_>>()
    };
    let group = "OS::Heat::ResourceGroup";
    assert!(errors("{rolling_update: {max_batch_size: 2}}", group).is_empty());
    let not_a_map = errors("{rolling_update: foo}", group);
    assert_eq!(not_a_map.len(), 1, "{not_a_map:?}");
    assert_eq!(not_a_map[0].0, "resources.g.update_policy.rolling_update");
    assert!(not_a_map[0].1.contains("must be a map"), "{not_a_map:?}");
    let unknown = errors("{rolling_updates: {}}", group);
    assert_eq!(unknown.len(), 1, "{unknown:?}");
    assert!(
        unknown[0].1.contains("Unknown Property rolling_updates"),
        "{unknown:?}"
    );
    // A type that declares no policy takes none.
    let none = errors("{rolling_update: {}}", "OS::Heat::None");
    assert_eq!(none.len(), 1, "{none:?}");
}
