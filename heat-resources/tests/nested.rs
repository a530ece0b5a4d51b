//! Nested stacks, provider templates, resource groups, autoscaling groups
//! and wait conditions on the simulated cloud: create, attributes, update,
//! signals, limits across the tree, and deletion of the whole tree.

use std::sync::Arc;
use std::time::Duration;

use heat_core::engine::testing::Runner;
use heat_core::engine::{Clock, EngineConfig, MemoryStore, StackOptions, StackSource, StateStore};
use heat_resources::sim::{SimCloud, SimConfig};
use heat_server::{builder, SystemClock, TokioSpawner};
use serde_json::json;

fn setup(config: EngineConfig) -> (Arc<SimCloud>, Arc<MemoryStore>, Runner) {
    let clock: Arc<dyn Clock> = Arc::new(SystemClock::new());
    let cloud = Arc::new(SimCloud::new(
        clock.clone(),
        SimConfig::with_latency(Duration::from_secs(1)),
    ));
    let store = Arc::new(MemoryStore::new());
    let e = builder::engine(
        cloud.clone(),
        store.clone(),
        clock,
        Arc::new(TokioSpawner),
        config,
    );
    (cloud, store, Runner::new(e))
}

fn source(t: &str, files: &[(&str, &str)]) -> StackSource {
    StackSource {
        template: t.to_string(),
        files: files
            .iter()
            .map(|(k, v)| (k.to_string(), json!(v)))
            .collect(),
        ..StackSource::default()
    }
}

const SERVER: &str = "heat_template_version: 2018-08-31
parameters:
  flavor: {type: string, default: m1.tiny}
  index: {type: string, default: x}
resources:
  port: {type: OS::Neutron::Port, properties: {network: private}}
  server:
    type: OS::Nova::Server
    properties: {image: cirros-0.6.2, flavor: {get_param: flavor}, networks: [{port: {get_resource: port}}], name: {list_join: ['-', [web, {get_param: index}]]}}
outputs:
  ip: {value: {get_attr: [server, first_address]}}
  name: {value: {get_attr: [server, name]}}
";

#[tokio::test(start_paused = true)]
async fn provider_templates_inline_and_url_nested_stacks() {
    let (cloud, store, e) = setup(EngineConfig::default());
    let parent = "heat_template_version: 2018-08-31
resources:
  provider:
    type: web.yaml
    properties: {flavor: m1.small, index: p}
  inline:
    type: OS::Heat::Stack
    properties:
      template: {get_file: web.yaml}
      parameters: {index: i}
outputs:
  provider_ip: {value: {get_attr: [provider, ip]}}
  inline_name: {value: {get_attr: [inline, outputs, name]}}
";
    let s = e
        .create_stack(
            "parent",
            source(parent, &[("web.yaml", SERVER)]),
            StackOptions::default(),
        )
        .await
        .unwrap();
    assert_eq!(s.status_text(), "CREATE_COMPLETE", "{}", s.reason);
    let out = s.outputs.clone().unwrap();
    assert!(
        out["provider_ip"]["value"]
            .as_str()
            .unwrap()
            .starts_with("10.0.0."),
        "{out:?}"
    );
    assert_eq!(out["inline_name"]["value"], "web-i");
    assert_eq!(cloud.stack_objects().len(), 4);
    // Nested stacks are stored with their parent.
    let children: Vec<_> = store
        .stacks(None)
        .await
        .unwrap()
        .into_iter()
        .filter(|c| c.parent.is_some())
        .collect();
    assert_eq!(children.len(), 2);
    assert!(children.iter().all(|c| c.nested_depth == 1));
    // A change of a provider's property updates its nested stack in place.
    let resized = parent.replace("flavor: m1.small", "flavor: m1.medium");
    let s = e
        .update_stack(
            "parent",
            source(&resized, &[("web.yaml", SERVER)]),
            StackOptions::default(),
        )
        .await
        .unwrap();
    assert_eq!(s.status_text(), "UPDATE_COMPLETE", "{}", s.reason);
    let servers: Vec<_> = cloud
        .stack_objects()
        .into_iter()
        .filter(|o| o.kind == "server")
        .collect();
    assert!(servers
        .iter()
        .any(|o| o.attributes["flavor"] == "m1.medium"));
    e.delete_stack("parent").await.unwrap();
    assert!(
        cloud.stack_objects().is_empty(),
        "{:?}",
        cloud.stack_objects()
    );
    let left = store.stacks(None).await.unwrap();
    assert_eq!(left.len(), 1, "nested stacks are deleted too: {left:?}");
    assert!(left[0].is_deleted() && left[0].parent.is_none());
}

#[tokio::test(start_paused = true)]
async fn cloudformation_nested_stack_from_template_url() {
    let (cloud, _, e) = setup(EngineConfig::default());
    let child = r#"{"AWSTemplateFormatVersion": "2010-09-09", "Parameters": {"Size": {"Type": "Number"}},
      "Resources": {"Vol": {"Type": "AWS::EC2::Volume", "Properties": {"AvailabilityZone": "nova", "Size": {"Ref": "Size"}}}},
      "Outputs": {"VolumeId": {"Value": {"Ref": "Vol"}}}}"#;
    let parent = r#"{"AWSTemplateFormatVersion": "2010-09-09",
      "Resources": {"Storage": {"Type": "AWS::CloudFormation::Stack", "Properties": {"TemplateURL": "https://example.com/storage.json", "Parameters": {"Size": "3"}}}},
      "Outputs": {"Id": {"Value": {"Fn::GetAtt": ["Storage", "Outputs.VolumeId"]}}}}"#;
    let s = e
        .create_stack(
            "cfn",
            source(parent, &[("https://example.com/storage.json", child)]),
            StackOptions::default(),
        )
        .await
        .unwrap();
    assert_eq!(s.status_text(), "CREATE_COMPLETE", "{}", s.reason);
    let volumes: Vec<_> = cloud
        .stack_objects()
        .into_iter()
        .filter(|o| o.kind == "volume")
        .collect();
    assert_eq!(volumes.len(), 1);
    assert_eq!(volumes[0].attributes["size"], 3);
    // `Outputs.<name>`, as Heat's AWS::CloudFormation::Stack answers it.
    assert_eq!(s.outputs.unwrap()["Id"]["value"], volumes[0].id.as_str());
}

#[tokio::test(start_paused = true)]
async fn resource_groups_scale_with_count_and_expose_members() {
    let (cloud, _, e) = setup(EngineConfig::default());
    let t = |count: usize| {
        format!(
            "heat_template_version: 2018-08-31
resources:
  group:
    type: OS::Heat::ResourceGroup
    properties:
      count: {count}
      resource_def:
        type: OS::Nova::Server
        properties: {{image: cirros-0.6.2, flavor: m1.tiny, name: web-%index%}}
outputs:
  names: {{value: {{get_attr: [group, name]}}}}
  refs: {{value: {{get_attr: [group, refs]}}}}
  first: {{value: {{get_attr: [group, resource.0, name]}}}}
"
        )
    };
    let s = e
        .create_stack("rg", source(&t(3), &[]), StackOptions::default())
        .await
        .unwrap();
    assert_eq!(s.status_text(), "CREATE_COMPLETE", "{}", s.reason);
    let out = s.outputs.unwrap();
    assert_eq!(out["names"]["value"], json!(["web-0", "web-1", "web-2"]));
    assert_eq!(out["refs"]["value"].as_array().unwrap().len(), 3);
    assert_eq!(out["first"]["value"], "web-0");
    let s = e
        .update_stack("rg", source(&t(5), &[]), StackOptions::default())
        .await
        .unwrap();
    assert_eq!(
        s.outputs.unwrap()["names"]["value"],
        json!(["web-0", "web-1", "web-2", "web-3", "web-4"])
    );
    assert_eq!(cloud.stack_objects().len(), 5);
    let s = e
        .update_stack("rg", source(&t(2), &[]), StackOptions::default())
        .await
        .unwrap();
    assert_eq!(
        s.outputs.unwrap()["names"]["value"],
        json!(["web-0", "web-1"])
    );
    assert_eq!(cloud.stack_objects().len(), 2);
    e.delete_stack("rg").await.unwrap();
    assert!(cloud.stack_objects().is_empty());
}

#[tokio::test(start_paused = true)]
async fn autoscaling_group_scales_when_its_policy_is_signalled() {
    let (cloud, _, e) = setup(EngineConfig::default());
    let t = "heat_template_version: 2018-08-31
resources:
  asg:
    type: OS::Heat::AutoScalingGroup
    properties:
      min_size: 1
      max_size: 3
      resource: {type: OS::Nova::Server, properties: {image: cirros-0.6.2, flavor: m1.tiny}}
  scale_up:
    type: OS::Heat::ScalingPolicy
    properties: {auto_scaling_group_id: {get_resource: asg}, adjustment_type: change_in_capacity, scaling_adjustment: 1}
outputs:
  url: {value: {get_attr: [scale_up, alarm_url]}}
";
    let s = e
        .create_stack("asg", source(t, &[]), StackOptions::default())
        .await
        .unwrap();
    assert_eq!(s.status_text(), "CREATE_COMPLETE", "{}", s.reason);
    assert_eq!(cloud.stack_objects().len(), 1);
    for expected in [2, 3, 3] {
        e.signal("asg", "scale_up", json!({})).await.unwrap();
        assert_eq!(
            cloud.stack_objects().len(),
            expected,
            "max_size caps the group"
        );
    }
    e.delete_stack("asg").await.unwrap();
    assert!(cloud.stack_objects().is_empty());
}

#[tokio::test(start_paused = true)]
async fn a_wait_condition_completes_when_signalled_and_times_out_otherwise() {
    let (_, _, e) = setup(EngineConfig::default());
    let t = "heat_template_version: 2018-08-31
resources:
  handle: {type: OS::Heat::WaitConditionHandle}
  wait:
    type: OS::Heat::WaitCondition
    properties: {handle: {get_resource: handle}, count: 2, timeout: 600}
  after:
    type: OS::Heat::Value
    properties: {value: {get_attr: [wait, data]}}
outputs:
  data: {value: {get_attr: [wait, data]}}
";
    let e2 = e.clone();
    let signaller = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_secs(30)).await;
        e2.signal("wc", "handle", json!({"id": "a", "data": "one"}))
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_secs(30)).await;
        e2.signal("wc", "handle", json!({"data": "two"}))
            .await
            .unwrap();
    });
    let s = e
        .create_stack("wc", source(t, &[]), StackOptions::default())
        .await
        .unwrap();
    signaller.await.unwrap();
    assert_eq!(s.status_text(), "CREATE_COMPLETE", "{}", s.reason);
    let data: serde_json::Value =
        serde_json::from_str(s.outputs.unwrap()["data"]["value"].as_str().unwrap()).unwrap();
    assert_eq!(data, json!({"a": "one", "2": "two"}));
    // Nobody signals: the timeout fails the stack with a clear reason.
    let s = e
        .create_stack(
            "wc2",
            source(&t.replace("timeout: 600", "timeout: 60"), &[]),
            StackOptions::default(),
        )
        .await
        .unwrap();
    assert_eq!(s.status_text(), "CREATE_FAILED");
    assert!(
        s.reason.contains("WaitConditionTimeout") && s.reason.contains("0 of 2 received"),
        "{}",
        s.reason
    );
}

#[tokio::test(start_paused = true)]
async fn nesting_deeper_than_five_is_refused_before_anything_is_created() {
    let (cloud, store, e) = setup(EngineConfig::default());
    // level.yaml nests itself until depth runs out.
    let level = "heat_template_version: 2018-08-31
resources:
  server: {type: OS::Nova::Server, properties: {image: cirros-0.6.2, flavor: m1.tiny}}
  deeper: {type: level.yaml}
";
    let err = e
        .create_stack(
            "deep",
            source(level, &[("level.yaml", level)]),
            StackOptions::default(),
        )
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("Recursion depth exceeds 5"),
        "{err}"
    );
    assert!(
        cloud.stack_objects().is_empty(),
        "refused before anything is created"
    );
    assert!(store.stacks(None).await.unwrap().is_empty());
}

#[tokio::test(start_paused = true)]
async fn the_resource_limit_counts_the_whole_tree_before_anything_is_created() {
    let (cloud, _, e) = setup(EngineConfig {
        max_resources: 4,
        ..EngineConfig::default()
    });
    let child = "heat_template_version: 2018-08-31\nresources:\n  a: {type: OS::Heat::Value, properties: {value: 1}}\n  b: {type: OS::Heat::Value, properties: {value: 2}}\n  c: {type: OS::Heat::Value, properties: {value: 3}}\n";
    let parent = "heat_template_version: 2018-08-31\nresources:\n  one: {type: child.yaml}\n  two: {type: child.yaml, depends_on: one}\n";
    let err = e
        .create_stack(
            "big",
            source(parent, &[("child.yaml", child)]),
            StackOptions::default(),
        )
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("Maximum resources per stack exceeded"),
        "{err}"
    );
    assert!(cloud.stack_objects().is_empty());
    // Groups count their members.
    let group = "heat_template_version: 2018-08-31\nresources:\n  g: {type: OS::Heat::ResourceGroup, properties: {count: 2, resource_def: {type: child.yaml}}}\n";
    let err = e
        .create_stack(
            "g",
            source(group, &[("child.yaml", child)]),
            StackOptions::default(),
        )
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("7 resources in the whole tree"),
        "{err}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_nested_stack_is_checked_as_a_top_level_one() {
    let (cloud, _store, r) = setup(EngineConfig::default());
    let provider = "heat_template_version: 2018-08-31
parameters:
  engine:
    type: string
    constraints: [{allowed_values: [MySQL]}]
  image: {type: string, default: no-such-image, constraints: [{custom_constraint: glance.image}]}
resources:
  v: {type: OS::Heat::Value, properties: {value: {get_param: engine}}}
";
    let files = [("db.yaml", provider), ("lib/app.yaml", "heat_template_version: 2018-08-31\nresources:\n  vm: {type: OS::Nova::Server, properties: {image: cirros-0.6.2}}\n")];
    let fails = |t: &'static str| {
        let r = &r;
        let files = &files;
        async move {
            let s = r
                .create_stack("checked", source(t, files), StackOptions::default())
                .await
                .unwrap();
            assert_eq!(s.status_text(), "CREATE_FAILED", "{t}");
            let d = r.delete_stack("checked").await.unwrap();
            r.wait(d).await;
            s.reason
        }
    };
    // A property of a provider template is its parameter, with its
    // constraints.
    let m = fails("heat_template_version: 2018-08-31\nresources:\n  db: {type: db.yaml, properties: {engine: PostgreSQL, image: cirros-0.6.2}}\n").await;
    assert!(
        m.contains("resources.db: db.yaml:4: parameters.engine: Parameter 'engine' is invalid"),
        "{m}"
    );
    // What the cloud must hold, asked before the nested stack is made.
    let m = fails("heat_template_version: 2018-08-31\nresources:\n  db: {type: db.yaml, properties: {engine: MySQL}}\n").await;
    assert!(m.contains("no-such-image"), "{m}");
    // Required properties of the nested template's resources.
    let m =
        fails("heat_template_version: 2018-08-31\nresources:\n  app: {type: lib/app.yaml}\n").await;
    assert!(m.contains("Property flavor not assigned"), "{m}");
    assert!(cloud.stack_objects().is_empty());
}

#[tokio::test(start_paused = true)]
async fn a_provider_template_sees_its_resource_through_resource_facade() {
    let (_, _, r) = setup(EngineConfig::default());
    // Heat's `resource_facade`: the nested template reads the metadata,
    // deletion policy and update policy of the resource it stands for.
    let provider = "heat_template_version: 2018-08-31
resources:
  v: {type: OS::Heat::Value, properties: {value: {resource_facade: metadata}}}
outputs:
  metadata: {value: {get_attr: [v, value]}}
  deletion: {value: {resource_facade: deletion_policy}}
  update: {value: {resource_facade: update_policy}}
";
    let parent = "heat_template_version: 2018-08-31
parameters:
  role: {type: string, default: web}
resources:
  kept:
    type: facade.yaml
    deletion_policy: Retain
    metadata: {role: {get_param: role}, tier: 2}
  plain: {type: facade.yaml}
outputs:
  metadata: {value: {get_attr: [kept, metadata]}}
  deletion: {value: {get_attr: [kept, deletion]}}
  plain_deletion: {value: {get_attr: [plain, deletion]}}
  plain_metadata: {value: {get_attr: [plain, metadata]}}
  plain_update: {value: {get_attr: [plain, update]}}
";
    let s = r
        .create_stack(
            "facade",
            source(parent, &[("facade.yaml", provider)]),
            StackOptions::default(),
        )
        .await
        .unwrap();
    assert_eq!(s.status_text(), "CREATE_COMPLETE", "{}", s.reason);
    let out = s.outputs.clone().unwrap();
    assert_eq!(out["metadata"]["value"], json!({"role": "web", "tier": 2}));
    assert_eq!(out["deletion"]["value"], "Retain");
    assert_eq!(out["plain_deletion"]["value"], "Delete");
    assert_eq!(out["plain_metadata"]["value"], json!({}));
    assert_eq!(out["plain_update"]["value"], json!({}));
    // A new value of the metadata reaches the nested stack on update.
    let s = r
        .update_stack(
            "facade",
            StackSource {
                parameters: [("role".to_string(), json!("db"))].into_iter().collect(),
                ..source(parent, &[("facade.yaml", provider)])
            },
            StackOptions::default(),
        )
        .await
        .unwrap();
    assert_eq!(s.status_text(), "UPDATE_COMPLETE", "{}", s.reason);
    let out = s.outputs.clone().unwrap();
    assert_eq!(out["metadata"]["value"], json!({"role": "db", "tier": 2}));
    // A stack that is not nested has no resource to show: refused before
    // anything is made, as Heat's create refuses it.
    let refused = r
        .create_stack("top", source(provider, &[]), StackOptions::default())
        .await
        .unwrap_err()
        .to_string();
    assert!(refused.contains("this stack is not nested"), "{refused}");
}
