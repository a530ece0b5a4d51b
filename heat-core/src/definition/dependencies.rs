//! The dependency graph of a definition: each enabled resource requires
//! what its properties and metadata reference and what its `depends_on`
//! names; references to no resource, an external resource's
//! dependencies and cycles are its problems.

use std::collections::BTreeSet;

use super::{err, StackDefinition};
use crate::graph::Graph;
use crate::template::ErrorKind;

impl StackDefinition<'_> {
    /// The graph of the enabled resources; its problems go to `errors`.
    /// `resource_names` are every resource's, enabled or not.
    pub(super) fn dependency_graph(
        &self,
        resource_names: &BTreeSet<String>,
        errors: &mut Vec<crate::template::TemplateError>,
    ) -> Graph {
        let def = self;
        let hot = def.template.dialect.is_hot();
        let res_section = def.template.section_name("resources");
        let enabled: Vec<String> = def
            .resources
            .iter()
            .filter(|r| r.enabled)
            .map(|r| r.name.clone())
            .collect();
        let mut graph = Graph::new(enabled.iter().cloned());
        for r in def.resources.iter().filter(|r| r.enabled) {
            let base = format!("{res_section}.{}", r.name);
            let mut required: Vec<(String, String)> = Vec::new();
            let mut problems = Vec::new();
            if let Some(p) = &r.properties {
                def.references(
                    p,
                    &format!("{base}.{}", if hot { "properties" } else { "Properties" }),
                    &mut required,
                    &mut problems,
                );
            }
            if let Some(m) = &r.metadata {
                def.references(
                    m,
                    &format!("{base}.{}", if hot { "metadata" } else { "Metadata" }),
                    &mut required,
                    &mut problems,
                );
            }
            errors.append(&mut problems);
            // An external resource depends on nothing (Heat's
            // `InvalidExternalResourceDependency` for a `depends_on`).
            if let Some(external) = &r.external_id {
                if !r.depends_on.is_empty() {
                    errors.push(err(
                        ErrorKind::Reference,
                        format!(
                            "Invalid dependency with external {} resource: {external}",
                            r.type_name
                        ),
                        format!("{base}.{}", if hot { "depends_on" } else { "DependsOn" }),
                        r.line,
                    ));
                }
                continue;
            }
            for (name, _) in &required {
                graph.add_edge(&r.name, name);
            }
            for dep in &r.depends_on {
                if enabled.contains(dep) {
                    graph.add_edge(&r.name, dep);
                } else if !resource_names.contains(dep) {
                    errors.push(err(
                        ErrorKind::Reference,
                        format!(
                            "The specified reference \"{dep}\" (in {}) is incorrect.",
                            r.name
                        ),
                        format!("{base}.{}", if hot { "depends_on" } else { "DependsOn" }),
                        r.line,
                    ));
                }
            }
        }
        if let Err(cycle) = graph.levels() {
            let mut e = err(
                ErrorKind::Cycle,
                format!("Circular Dependency Found: {}", cycle.join(" -> ")),
                res_section,
                0,
            );
            e.cycle = cycle;
            errors.push(e);
        }
        graph
    }
}
