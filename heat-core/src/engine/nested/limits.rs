//! The size of a whole tree of nested stacks, counted from templates
//! before anything is created: Heat's `max_nested_stack_depth` and
//! `max_resources_per_stack` (across the tree) are checked up front.

use serde_json::Value as Json;

use super::MAX_NESTED_DEPTH;
use crate::definition::{AnyType, Realisation, StackDefinition, TypeCatalog};
use crate::engine::model::StackSource;
use crate::environment::{Registry, TypeTarget};

/// The number of resources of a stack and its nested stacks, counted from
/// the templates (groups by their literal `count` or `min_size`);
/// `Err` when the tree is deeper than [`MAX_NESTED_DEPTH`].
pub(in crate::engine) fn tree_size(
    catalog: &dyn TypeCatalog,
    def: &StackDefinition<'_>,
    source: &StackSource,
    depth: u32,
    max_size: usize,
) -> Result<usize, String> {
    let mut total = 0;
    let reg = {
        let mut r = Registry::global();
        let _ = r.load(&source.resource_registry);
        r
    };
    for r in def.resources.iter().filter(|r| r.enabled) {
        total += 1;
        let props = r
            .properties
            .as_ref()
            .map(|p| p.to_json())
            .unwrap_or(Json::Null);
        // The child's template, how many copies, and the key it was
        // read from (its own files are named relative to it).
        let child: Option<(String, usize, Option<String>)> = match catalog.realisation(&r.type_name)
        {
            Realisation::StackInline => props
                .get("template")
                .and_then(Json::as_str)
                .map(|t| (t.to_string(), 1, None)),
            Realisation::StackUrl => {
                props
                    .get("TemplateURL")
                    .and_then(Json::as_str)
                    .and_then(|u| {
                        Some((
                            source.files.get(u)?.as_str()?.to_string(),
                            1,
                            Some(u.to_string()),
                        ))
                    })
            }
            Realisation::ResourceGroup => {
                let count = props.get("count").and_then(Json::as_u64).unwrap_or(1) as usize;
                let member = props
                    .get("resource_def")
                    .and_then(|d| d.get("type"))
                    .and_then(Json::as_str)
                    .unwrap_or_default();
                group_member_template(&reg, source, member, count, &mut total)
            }
            Realisation::AutoScalingGroup => {
                let count = props
                    .get("desired_capacity")
                    .or_else(|| props.get("min_size"))
                    .and_then(Json::as_u64)
                    .unwrap_or(0) as usize;
                let member = props
                    .get("resource")
                    .and_then(|d| d.get("type"))
                    .and_then(Json::as_str)
                    .unwrap_or_default();
                group_member_template(&reg, source, member, count, &mut total)
            }
            _ => match reg.resolve(&r.type_name, Some(&r.name), &|_| true) {
                Some(TypeTarget::Template(f)) => source
                    .files
                    .get(&f)
                    .and_then(Json::as_str)
                    .map(|t| (t.to_string(), 1, Some(f.clone()))),
                _ => None,
            },
        };
        let Some((text, copies, key)) = child else {
            continue;
        };
        let child_source;
        let source = match &key {
            Some(k) => {
                child_source = StackSource {
                    files: crate::files::files_for(&source.files, k),
                    ..source.clone()
                };
                &child_source
            }
            None => source,
        };
        if depth + 1 > MAX_NESTED_DEPTH {
            return Err(format!("Request limit exceeded: Recursion depth exceeds {MAX_NESTED_DEPTH}. (resources.{} nests too deeply)", r.name));
        }
        let Ok(t) = crate::template::Template::parse_with(&text, max_size) else {
            continue;
        };
        let inputs = crate::definition::Inputs {
            files: source
                .files
                .iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
                .collect(),
            registry: reg.clone(),
            ..Default::default()
        };
        let (child_def, _) = StackDefinition::build(&t, inputs, &AnyType);
        let Some(child_def) = child_def else { continue };
        total += copies * tree_size(catalog, &child_def, source, depth + 1, max_size)?;
    }
    Ok(total)
}

/// A group's members: their template and count when they are nested
/// stacks; otherwise they are counted into `total` directly.
fn group_member_template(
    reg: &Registry,
    source: &StackSource,
    member: &str,
    count: usize,
    total: &mut usize,
) -> Option<(String, usize, Option<String>)> {
    match reg.resolve(member, None, &|_| true) {
        Some(TypeTarget::Template(f)) => source
            .files
            .get(&f)
            .and_then(Json::as_str)
            .map(|t| (t.to_string(), count, Some(f.clone()))),
        _ => {
            *total += count;
            None
        }
    }
}
