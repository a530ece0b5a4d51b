//! Where a nested stack's template problems are said: a provider
//! template's in its own file (`file.yaml:12: ...`), a group's at the
//! definition its members come from in the parent's template
//! (`resources.web_group.properties.resource_def.type`, with that line),
//! once for all members, never at lines of the member template the engine
//! generated and the user never saw.

use super::Special;
use crate::engine::driver::ResourceSpec;
use crate::syntax::{Node, Value};
use crate::template::{Template, TemplateError};

/// A nested template's problems, each named with the template's file and
/// line (`file.yaml:12: path: message`).
pub(super) fn in_file(file: &str, errors: &[TemplateError]) -> String {
    errors
        .iter()
        .map(|x| {
            let text = x.to_string();
            match x.line {
                0 => format!("{file}: {text}"),
                l => {
                    let rest = text.strip_prefix(&format!("line {l}: "));
                    format!("{file}:{l}: {}", rest.unwrap_or(&text))
                }
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// A group's member template's problems, at the group's member definition
/// in the parent's template (`parent_template`): a member's
/// `resources.<member>.properties.flavor` becomes the group's
/// `resources.<group>.properties.resource_def.properties.flavor` (a chain's
/// `resources[i]`, an autoscaling group's `resource`, an AWS group's
/// launch configuration, said as the group's instances), with its line;
/// problems every member shares are said once.
pub(super) fn at_member_definition(
    parent_template: &str,
    kind: &Special,
    spec: &ResourceSpec,
    errors: &[TemplateError],
) -> String {
    let parent = Template::parse(parent_template).ok();
    let props = &spec.properties;
    let chain = *kind == Special::ResourceGroup && props.get("resources").is_some();
    let aws = props.get("LaunchConfigurationName").is_some();
    let mut said: Vec<String> = Vec::new();
    for e in errors {
        let (member, rest) = split_member(&e.path);
        let message = e
            .message
            .strip_prefix(&e.path)
            .and_then(|m| m.strip_prefix(": "))
            .unwrap_or(&e.message);
        // Where the member is defined in the parent, which a message
        // naming the member's own paths (`Property error:
        // resources.0.properties: ...`) names instead.
        let defined_at = match kind {
            Special::ResourceGroup if chain => {
                format!("resources.{}.properties.resources[{member}]", spec.name)
            }
            Special::ResourceGroup => format!("resources.{}.properties.resource_def", spec.name),
            Special::DeploymentGroup { .. } => format!("resources.{}", spec.name),
            _ if aws => format!("resources.{}", spec.name),
            _ => format!("resources.{}.properties.resource", spec.name),
        };
        let message = if member.is_empty() {
            message.to_string()
        } else {
            message.replace(&format!("resources.{member}."), &format!("{defined_at}."))
        };
        let (path, definition): (String, Vec<String>) = match kind {
            _ if member.is_empty() => (e.path.clone(), Vec::new()),
            Special::ResourceGroup if chain => {
                // A chain's member is one of its types (`rest` is `type`
                // or the chain's shared `resource_properties`).
                let at = match rest {
                    "type" | "" => format!("resources[{member}]"),
                    r => r.replacen("properties", "resource_properties", 1),
                };
                (
                    format!("resources.{}.properties.{at}", spec.name),
                    vec!["properties".into(), "resources".into()],
                )
            }
            Special::ResourceGroup => {
                let def = format!("resources.{}.properties.resource_def", spec.name);
                (
                    joined(&def, rest),
                    vec!["properties".into(), "resource_def".into()],
                )
            }
            Special::DeploymentGroup { .. } => (
                joined(&format!("resources.{}", spec.name), rest),
                vec!["properties".into()],
            ),
            _ if aws => (
                format!(
                    "resources.{}: its instances' {}",
                    spec.name,
                    if rest.is_empty() { "definition" } else { rest }
                ),
                Vec::new(),
            ),
            _ => {
                let def = format!("resources.{}.properties.resource", spec.name);
                (
                    joined(&def, rest),
                    vec!["properties".into(), "resource".into()],
                )
            }
        };
        // The line of the deepest part of the path the parent writes.
        let mut keys = definition;
        if !keys.is_empty() {
            keys.extend(rest.split('.').filter(|k| !k.is_empty()).map(String::from));
        }
        let line = parent
            .as_ref()
            .and_then(|t| line_of(t, &spec.name, &keys))
            .unwrap_or(0);
        let text = TemplateError {
            message,
            path,
            line,
            ..e.clone()
        }
        .to_string();
        if !said.contains(&text) {
            said.push(text);
        }
    }
    said.join("\n")
}

/// A member template's path split into the member and the rest:
/// `resources.3.properties.flavor` → (`3`, `properties.flavor`).
fn split_member(path: &str) -> (&str, &str) {
    let Some(tail) = path.strip_prefix("resources.") else {
        return ("", path);
    };
    tail.split_once('.').unwrap_or((tail, ""))
}

fn joined(prefix: &str, rest: &str) -> String {
    if rest.is_empty() {
        prefix.to_string()
    } else {
        format!("{prefix}.{rest}")
    }
}

/// The line of the deepest of `keys` (below the group's resource, either
/// spelling of `properties`) the template writes, or of the group itself.
fn line_of(template: &Template, group: &str, keys: &[String]) -> Option<u32> {
    let resource = template
        .section("resources")
        .and_then(|r| field(r, group))?;
    let mut node = resource;
    for k in keys {
        let mut chars = k.chars();
        let capitalised: String = chars
            .next()
            .map(|c| c.to_uppercase().chain(chars).collect())
            .unwrap_or_default();
        match field(node, k).or_else(|| field(node, &capitalised)) {
            Some(n) => node = n,
            None => break,
        }
    }
    Some(node.line).filter(|l| *l > 0).or(Some(resource.line))
}

fn field<'a>(node: &'a Node, key: &str) -> Option<&'a Node> {
    match &node.value {
        Value::Map(m) => m.get(key),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::ErrorKind;
    use serde_json::Value as Json;

    fn spec(props: Json) -> ResourceSpec {
        ResourceSpec {
            project: "p".into(),
            stack_id: "s".into(),
            stack_name: "st".into(),
            name: "web".into(),
            type_name: "OS::Heat::ResourceGroup".into(),
            properties: props,
            ..ResourceSpec::default()
        }
    }

    const PARENT: &str = "heat_template_version: 2016-10-14
resources:
  web:
    type: OS::Heat::ResourceGroup
    properties:
      count: 3
      resource_def:
        type: My::Server
";

    fn member_error(member: &str, rest: &str, message: &str, line: u32) -> TemplateError {
        TemplateError::new(ErrorKind::Resource, message)
            .at(format!("resources.{member}.{rest}"), line)
    }

    #[test]
    fn a_problem_every_member_shares_is_said_once_at_the_definition() {
        let errors: Vec<TemplateError> = (0..3)
            .map(|i| {
                member_error(
                    &i.to_string(),
                    "type",
                    "The Resource Type (My::Server) could not be found.",
                    4 + 3 * i,
                )
            })
            .collect();
        let text = at_member_definition(
            PARENT,
            &Special::ResourceGroup,
            &spec(serde_json::json!({"count": 3, "resource_def": {"type": "My::Server"}})),
            &errors,
        );
        assert_eq!(
            text,
            "line 8: resources.web.properties.resource_def.type: \
             The Resource Type (My::Server) could not be found."
        );
    }

    #[test]
    fn a_chain_member_is_named_by_its_index() {
        let errors = [
            member_error("0", "type", "bad type A", 3),
            member_error("1", "type", "bad type B", 6),
        ];
        let text = at_member_definition(
            "heat_template_version: 2016-10-14\nresources:\n  web:\n    type: OS::Heat::ResourceChain\n    properties:\n      resources: [A, B]\n",
            &Special::ResourceGroup,
            &spec(serde_json::json!({"resources": ["A", "B"]})),
            &errors,
        );
        assert_eq!(
            text,
            "line 6: resources.web.properties.resources[0]: bad type A\n\
             line 6: resources.web.properties.resources[1]: bad type B"
        );
    }

    #[test]
    fn an_autoscaling_group_member_is_its_resource() {
        let errors = [member_error(
            "member-0",
            "properties.flavor",
            "Property flavor not assigned",
            5,
        )];
        let text = at_member_definition(
            "heat_template_version: 2016-10-14\nresources:\n  web:\n    type: OS::Heat::AutoScalingGroup\n",
            &Special::AutoScalingGroup,
            &spec(serde_json::json!({"resource": {"type": "OS::Nova::Server"}})),
            &errors,
        );
        // The parent has no `properties` here: the group's own line.
        assert_eq!(
            text,
            "line 4: resources.web.properties.resource.properties.flavor: \
             Property flavor not assigned"
        );
    }

    #[test]
    fn a_provider_template_problem_names_its_file_and_line() {
        let errors = [member_error("x", "type", "nope", 9)];
        assert_eq!(
            in_file("nested.yaml", &errors),
            "nested.yaml:9: resources.x.type: nope"
        );
    }
}
