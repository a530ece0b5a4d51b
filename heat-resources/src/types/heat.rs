//! `OS::Heat::*`: the types that need no cloud.

use serde_json::json;

use crate::schema::{attrs, prop, Kind::*, ResourceType};

fn t(
    name: &'static str,
    description: &'static str,
    properties: Vec<crate::schema::Property>,
    attributes: Vec<crate::schema::Attribute>,
) -> ResourceType {
    ResourceType {
        name,
        properties,
        attributes,
        cloud_kind: None,
        description,
    }
}

pub(super) fn types() -> Vec<ResourceType> {
    let mut v = vec![ResourceType {
        name: "OS::Heat::HARestarter",
        properties: vec![crate::schema::prop("InstanceId", crate::schema::Kind::String).required()],
        attributes: crate::schema::attrs(&[("AlarmUrl", "A signed URL to signal, to restart the instance.")]),
        cloud_kind: None,
        description: "Restarts (replaces) an instance when signalled, as an alarm's action.",
    }, ResourceType {
        name: "OS::Heat::CWLiteAlarm",
        properties: super::aws::alarm_properties(),
        attributes: vec![],
        cloud_kind: None,
        description:
            "A CloudWatch alarm, evaluated by heat-server (beyond Heat 27, which no longer has it).",
    }];
    v.extend(heat_types());
    v
}

fn heat_types() -> Vec<ResourceType> {
    let sequences = &[
        "lettersdigits",
        "letters",
        "lowercase",
        "uppercase",
        "digits",
        "hexdigits",
        "octdigits",
    ];
    vec![
        t(
            "OS::Heat::None",
            "Does nothing; accepts any properties (disables a resource through the registry).",
            vec![],
            vec![],
        ),
        t(
            "OS::Heat::Value",
            "Holds a value, available as its `value` attribute.",
            vec![
                prop("value", Any)
                    .required()
                    .update()
                    .describe("The value."),
                prop("type", String).update().allowed(&[
                    "string",
                    "number",
                    "comma_delimited_list",
                    "json",
                    "boolean",
                ]),
            ],
            attrs(&[("value", "The value.")]),
        ),
        t(
            "OS::Heat::RandomString",
            "Generates a random string (passwords, names).",
            vec![
                prop("length", Integer)
                    .default(json!(32))
                    .range(Some(1.0), Some(512.0)),
                prop("sequence", String).allowed(sequences),
                prop("character_classes", List).schema(vec![
                    prop("class", String)
                        .default(json!("lettersdigits"))
                        .allowed(sequences),
                    prop("min", Integer)
                        .default(json!(1))
                        .range(Some(1.0), Some(512.0)),
                ]),
                prop("character_sequences", List).schema(vec![
                    prop("sequence", String).required(),
                    prop("min", Integer)
                        .default(json!(1))
                        .range(Some(1.0), Some(512.0)),
                ]),
                prop("salt", String).update(),
            ],
            attrs(&[("value", "The random string.")]),
        ),
        t(
            "OS::Heat::TestResource",
            "A resource for tests: a value, optional failure and waits.",
            vec![
                prop("value", String).update().default(json!("test_string")),
                prop("update_replace", Boolean)
                    .update()
                    .default(json!(false)),
                prop("fail", Boolean).update().default(json!(false)),
                prop("client_name", String).update().default(json!("")),
                prop("entity_name", String).update().default(json!("")),
                prop("update_replace_value", String),
                prop("constraint_prop_secs", Number)
                    .update()
                    .default(json!(0))
                    .custom("test_constr"),
                prop("action_wait_secs", Map).update().schema(vec![
                    prop("create", Number),
                    prop("update", Number),
                    prop("delete", Number),
                ]),
                prop("wait_secs", Number).update().default(json!(0)),
                prop("attr_wait_secs", Number).update().default(json!(0)),
            ],
            attrs(&[("output", "The value.")]),
        ),
        t(
            "OS::Heat::Delay",
            "Waits a while when created (or on the listed actions).",
            vec![
                prop("min_wait", Number)
                    .default(json!(0))
                    .range(Some(0.0), None),
                prop("max_jitter", Number)
                    .default(json!(0))
                    .range(Some(0.0), None),
                prop("jitter_multiplier", Number).default(json!(1.0)),
                prop("actions", List).default(json!(["CREATE"])),
            ],
            vec![],
        ),
        t(
            "OS::Heat::WaitConditionHandle",
            "The handle a wait condition waits on; signal it with `heat stack resource signal`.",
            vec![prop("signal_transport", String)
                .default(json!("TOKEN_SIGNAL"))
                .allowed(&[
                    "CFN_SIGNAL",
                    "TEMP_URL_SIGNAL",
                    "HEAT_SIGNAL",
                    "NO_SIGNAL",
                    "ZAQAR_SIGNAL",
                    "TOKEN_SIGNAL",
                ])],
            attrs(&[
                ("token", "Token for signalling."),
                ("endpoint", "Signal endpoint."),
                ("curl_cli", "A curl command that signals."),
                ("signal", "How to signal."),
            ]),
        ),
        t(
            "OS::Heat::UpdateWaitConditionHandle",
            "A wait condition handle replaced on every update.",
            vec![prop("signal_transport", String).default(json!("TOKEN_SIGNAL"))],
            attrs(&[
                ("token", "Token."),
                ("endpoint", "Endpoint."),
                ("curl_cli", "curl command."),
                ("signal", "Signal."),
            ]),
        ),
        t(
            "OS::Heat::WaitCondition",
            "Waits for `count` signals on its handle, up to `timeout` seconds.",
            vec![
                prop("handle", String).required(),
                prop("timeout", Number)
                    .required()
                    .range(Some(1.0), Some(43200.0)),
                prop("count", Integer)
                    .default(json!(1))
                    .update()
                    .range(Some(1.0), None),
            ],
            attrs(&[("data", "The signals' data, as a JSON map by signal id.")]),
        ),
        t(
            "OS::Heat::SoftwareConfig",
            "A configuration script for servers.",
            vec![
                prop("group", String).default(json!("Heat::Ungrouped")),
                prop("config", String),
                prop("options", Map),
                prop("inputs", List),
                prop("outputs", List),
            ],
            attrs(&[("config", "The configuration.")]),
        ),
        t(
            "OS::Heat::CloudConfig",
            "cloud-init configuration.",
            vec![prop("cloud_config", Map)],
            attrs(&[("config", "The cloud-config document.")]),
        ),
        t(
            "OS::Heat::MultipartMime",
            "Several configurations as one multipart MIME document.",
            vec![
                prop("parts", List).schema(vec![
                    prop("config", String),
                    prop("filename", String),
                    prop("type", String)
                        .default(json!("text"))
                        .allowed(&["text", "multipart"]),
                    prop("subtype", String),
                ]),
                prop("group", String).default(json!("Heat::Ungrouped")),
            ],
            attrs(&[("config", "The MIME document.")]),
        ),
        t(
            "OS::Heat::StructuredConfig",
            "A structured configuration.",
            vec![
                prop("group", String).default(json!("Heat::Ungrouped")),
                prop("config", Map),
                prop("options", Map),
                prop("inputs", List),
                prop("outputs", List),
            ],
            attrs(&[("config", "The configuration.")]),
        ),
        t(
            "OS::Heat::ResourceGroup",
            "`count` copies of a resource definition; `%index%` is replaced by each copy's index.",
            vec![
                prop("count", Integer)
                    .default(json!(1))
                    .update()
                    .range(Some(0.0), None),
                prop("index_var", String)
                    .default(json!("%index%"))
                    .length(Some(3), None),
                prop("resource_def", Map).required().update().schema(vec![
                    prop("type", String).required(),
                    prop("properties", Map),
                    prop("metadata", Map),
                ]),
                prop("removal_policies", List).update().default(json!([])),
                prop("removal_policies_mode", String)
                    .update()
                    .default(json!("append"))
                    .allowed(&["append", "update"]),
            ],
            attrs(&[
                ("refs", "The members' references."),
                ("refs_map", "Members' references by index."),
                ("attributes", "An attribute of every member."),
                ("removed_rsrc_list", "Removed members."),
            ]),
        ),
        t(
            "OS::Heat::AutoScalingGroup",
            "A group of resources scaled by policies between min_size and max_size.",
            vec![
                prop("resource", Map).required().update(),
                prop("max_size", Integer)
                    .required()
                    .update()
                    .range(Some(0.0), None),
                prop("min_size", Integer)
                    .required()
                    .update()
                    .range(Some(0.0), None),
                prop("cooldown", Integer).update(),
                prop("desired_capacity", Integer).update(),
                prop("rolling_updates", Map).update(),
            ],
            attrs(&[
                ("outputs", "Members' outputs."),
                ("outputs_list", "Members' outputs as a list."),
                ("current_size", "Members now."),
                ("refs", "References."),
                ("refs_map", "References by member."),
            ]),
        ),
        t(
            "OS::Heat::ScalingPolicy",
            "Scales an autoscaling group when signalled.",
            vec![
                prop("auto_scaling_group_id", String).required(),
                prop("adjustment_type", String)
                    .required()
                    .update()
                    .allowed(&[
                        "change_in_capacity",
                        "exact_capacity",
                        "percent_change_in_capacity",
                    ]),
                prop("scaling_adjustment", Number).required().update(),
                prop("cooldown", Number).update(),
                prop("min_adjustment_step", Integer)
                    .update()
                    .range(Some(0.0), None),
            ],
            attrs(&[
                ("alarm_url", "The URL that signals the policy."),
                ("signal_url", "The signal URL."),
            ]),
        ),
        t(
            "OS::Heat::Stack",
            "A stack within a stack.",
            vec![
                prop("context", Map),
                prop("template", String).required().update(),
                prop("timeout", Integer).update(),
                prop("parameters", Map).update(),
            ],
            attrs(&[
                ("stack_name", "The nested stack's name."),
                ("outputs", "The nested stack's outputs."),
            ]),
        ),
        t(
            "OS::Heat::InstanceGroup",
            "A group of instances from a launch configuration.",
            vec![
                prop("AvailabilityZones", List).required(),
                prop("LaunchConfigurationName", String).required().update(),
                prop("Size", Integer).required().update(),
                prop("LoadBalancerNames", List),
                prop("Tags", List),
            ],
            attrs(&[("InstanceList", "The instances' IP addresses.")]),
        ),
    ]
}
