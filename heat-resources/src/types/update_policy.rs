//! The update policies Heat's groups read (`update_policy`,
//! `UpdatePolicy`), as Heat's plugins declare them: a policy a type does
//! not declare is an unknown property, as Heat's template validation says.

use serde_json::json;

use crate::schema::{prop, Kind::*, Property};

/// The update policy schema of a type (empty: the type takes none).
pub(crate) fn schema(type_name: &str) -> Vec<Property> {
    let aws_rolling = || {
        vec![
            prop("MinInstancesInService", Integer).default(json!(0)),
            prop("MaxBatchSize", Integer).default(json!(1)),
            prop("PauseTime", String).default(json!("PT0S")),
        ]
    };
    // A batch of at least one, a pause of no less than nothing.
    let max_batch_size = || {
        prop("max_batch_size", Integer)
            .range(Some(1.0), None)
            .default(json!(1))
    };
    let pause_time = || {
        prop("pause_time", Number)
            .range(Some(0.0), None)
            .default(json!(0))
    };
    let batch_create = || prop("batch_create", Map).schema(vec![max_batch_size(), pause_time()]);
    match type_name {
        "AWS::AutoScaling::AutoScalingGroup" => {
            vec![prop("AutoScalingRollingUpdate", Map).schema(aws_rolling())]
        }
        "OS::Heat::InstanceGroup" => vec![prop("RollingUpdate", Map).schema(aws_rolling())],
        "OS::Heat::ResourceGroup" => vec![
            prop("rolling_update", Map).schema(vec![
                prop("min_in_service", Integer)
                    .range(Some(0.0), None)
                    .default(json!(0)),
                max_batch_size(),
                pause_time(),
            ]),
            batch_create(),
        ],
        "OS::Heat::SoftwareDeploymentGroup" | "OS::Heat::StructuredDeploymentGroup" => vec![
            prop("rolling_update", Map).schema(vec![max_batch_size(), pause_time()]),
            batch_create(),
        ],
        _ => Vec::new(),
    }
}
