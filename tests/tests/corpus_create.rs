//! Real templates end to end: every template of the corpus's
//! heat-templates, Heat functional-test and Heat docs sources that Heat
//! 27 validates is created on the simulated cloud with ordinary values
//! (image cirros-0.6.2, flavor m1.small, key pair default-key, networks
//! private and public) and its environment file, then deleted; nothing may
//! be left in the simulated cloud. Time is virtual, so a wait condition
//! that nothing signals times out at once.
//!
//! Each template must reach CREATE_COMPLETE unless it is listed in
//! [`EXPECTED_FAILURES`] with its reason (ARCHITECTURE.md gives the same
//! list) and fail saying so; a listed template that completes, or fails
//! for another reason, fails the test, so the list stays true. Without the corpus (`HEAT_CONFORMANCE_DIR`) the test says
//! so and does nothing.

use heat_core::service::SourceParts;
use heat_tests::ordinary::{create_and_delete, read_beside, read_files, Run};
use serde_json::Value as Json;

/// Templates that do not reach CREATE_COMPLETE, why, and what their
/// failure must say to show it is that reason (none of these would be
/// created by Heat either, with the same inputs).
const EXPECTED_FAILURES: &[(&str, &str, &str)] = &[
    // Files the template needs are not in the corpus (`files.missing`).
    ("heat-docs/doc/source/template_guide/multi-clouds/L133.yaml", "get_file remote-app.yaml is not in the corpus", "remote-app.yaml"),
    ("heat-functional/heat_integrationtests/functional/test_delete/root_template_L20.yaml", "the nested template empty.yaml is not in the corpus", "\"empty.yaml\""),
    ("heat-functional/heat_integrationtests/functional/test_heat_autoscaling/template_nested_L59.yaml", "the nested template randomstr.yaml is not in the corpus", "\"randomstr.yaml\""),
    ("heat-functional/heat_integrationtests/functional/test_remote_stack/template_L21.yaml", "get_file remote_stack.yaml is not in the corpus", "remote_stack.yaml"),
    ("heat-functional/heat_integrationtests/functional/test_resource_group/child_template_L145.yaml", "the nested template value.yaml is not in the corpus", "\"value.yaml\""),
    ("heat-templates/hot/software-config/boot-config/templates/install_config_agent_fedora_pip.yaml", "its fragments/*.sh files are not in the corpus", "path: fragments/"),
    ("heat-templates/hot/software-config/boot-config/templates/install_config_agent_test_image.yaml", "its fragments/*.sh files are not in the corpus", "path: fragments/"),
    ("heat-templates/hot/software-config/example-templates/wordpress/WordPress_software-config_2-instances.yaml", "get_file wp_install.sh and db_install.sh are not in the corpus", "path: wp_install.sh"),
    // Types the functional tests register in environments of their own.
    ("heat-functional/heat_integrationtests/functional/test_update/provider_group_template_L41.yaml", "My::RandomString comes from the test's own environment", "(My::RandomString) could not be found"),
    ("heat-functional/heat_integrationtests/scenario/templates/test_autoscaling_lbv2_neutron.yaml", "OS::Test::NeutronAppServer comes from the test's own environment", "(OS::Test::NeutronAppServer) could not be found"),
    // Templates that fail on purpose (Heat's tests expect the failure).
    ("heat-functional/heat_integrationtests/functional/test_autoscaling/bad_instance_template_L90.yaml", "an OS::Heat::TestResource set to fail", "Test Resource failed"),
    ("heat-functional/heat_integrationtests/functional/test_template_resource/failed_templ_L665.yaml", "an OS::Heat::TestResource set to fail", "Test Resource failed"),
    ("heat-functional/heat_integrationtests/functional/test_template_resource/nested_templ_L723.yaml", "an OS::Heat::TestResource set to fail", "Test Resource failed"),
    // Inputs a real cloud would need to hold.
    ("heat-docs/doc/source/template_guide/composition/L121.yaml", "a documentation snippet without the server's required flavor and image", "Property flavor not assigned"),
    ("heat-templates/hot/software-config/example-templates/example-chef-template.yaml", "its StructuredConfig config is a list where Heat's schema wants a map", "config: Value must be a map"),
];

const SOURCES: [&str; 3] = ["heat-templates", "heat-functional", "heat-docs"];

#[tokio::test(flavor = "current_thread", start_paused = true)]
async fn corpus_templates_create_and_delete_on_the_simulated_cloud() {
    let Some(root) = heat_tests::conformance::corpus() else {
        return;
    };
    let (service, cloud) = heat_server::builder::memory_sim();
    let mut results: Vec<(String, Result<(), String>)> = Vec::new();
    for (n, path) in heat_tests::conformance::expected_files(&root)
        .into_iter()
        .enumerate()
    {
        let expected: Json =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let source = expected["source"].as_str().unwrap_or_default();
        let validated = expected["template_validate"]["result"]
            .as_object()
            .is_some_and(|r| !r.contains_key("Error"));
        if !SOURCES.contains(&source) || !validated {
            continue;
        }
        let id = expected["id"].as_str().unwrap().to_string();
        let corpus_path = root.join(expected["corpus_path"].as_str().unwrap());
        let dir = corpus_path.parent().unwrap().to_path_buf();
        let mut parts = SourceParts::template(
            corpus_path.display().to_string(),
            std::fs::read_to_string(&corpus_path).unwrap(),
        );
        for f in expected["files"]["provided"]
            .as_array()
            .into_iter()
            .flatten()
        {
            if let Some(name) = f.as_str() {
                let text = read_beside(&dir, name).unwrap();
                parts.files.insert(name.into(), Json::String(text.clone()));
                // What a nested template names, as python-heatclient reads it.
                read_files(&text, name, &dir.join(name), &mut parts);
            }
        }
        if let Some(env_id) = expected["environment"]["id"].as_str() {
            parts.environment = read_beside(&root.join("templates"), env_id);
        }
        let parameters = expected["template_validate"]["result"]["Parameters"]
            .as_object()
            .cloned()
            .unwrap_or_default();
        let run = Run {
            name: format!("corpus-{n}"),
            parts,
            parameters: &parameters,
        };
        let outcome = create_and_delete(&service, &cloud, run).await.map(|_| ());
        println!(
            "{id}: {}",
            match &outcome {
                Ok(()) => "CREATE_COMPLETE, deleted".to_string(),
                Err(e) => e.replace('\n', " "),
            }
        );
        results.push((id, outcome));
    }
    let complete = results.iter().filter(|(_, r)| r.is_ok()).count();
    println!(
        "{complete} of {} templates reached CREATE_COMPLETE and were deleted with nothing left",
        results.len()
    );
    let mut wrong = Vec::new();
    for (id, r) in &results {
        let listed = EXPECTED_FAILURES.iter().find(|(x, _, _)| x == id);
        match (r, listed) {
            (Err(e), None) => wrong.push(format!("{id}: {e}")),
            (Err(e), Some((_, why, evidence))) if !e.contains(evidence) => wrong.push(format!(
                "{id} is listed as failing because {why}, but its failure does not say \
                 {evidence:?}: {e}"
            )),
            (Ok(()), Some(_)) => wrong.push(format!("{id} is listed as failing but completes")),
            _ => {}
        }
    }
    assert!(results.len() > 50, "only {} templates found", results.len());
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
