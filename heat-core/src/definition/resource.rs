//! Each resource's fields read (type, properties, metadata, depends_on,
//! deletion and update policies, condition) with Heat's messages, and its
//! property names checked against the catalog.

use std::collections::HashMap;

use serde_json::Value as Json;

use crate::function::{self, Context, Expr};
use crate::syntax::{Node, Value};
use crate::template::{ErrorKind, TemplateError};

use super::*;

impl<'t> StackDefinition<'t> {
    pub(super) fn resource_def(
        &self,
        name: &str,
        node: &Node,
        ctx: &Context<'_>,
    ) -> Result<ResourceDef, Vec<TemplateError>> {
        let hot = self.template.dialect.is_hot();
        let res_section = self.template.section_name("resources");
        let map = node.as_map().expect("checked structure");
        let key = |hot_key: &'static str| if hot { hot_key } else { cfn_field(hot_key) };
        let base = format!("{res_section}.{name}");
        let mut errors = Vec::new();
        let type_name = map
            .get(key("type"))
            .and_then(Node::as_str)
            .unwrap_or_default()
            .to_string();
        let mut parse_field = |field: &'static str, want_map: bool| -> Option<Expr> {
            let node = map.get(key(field))?;
            let path = format!("{base}.{}", key(field));
            match function::parse(node, ctx, &path, false) {
                Ok(e) => {
                    let ok = match &e {
                        Expr::Map(_) | Expr::Call(_) => true,
                        Expr::Lit(Json::String(_)) => !want_map,
                        _ => false,
                    };
                    if !ok {
                        let typename = if want_map { "object" } else { "string" };
                        errors.push(err(
                            ErrorKind::Structure,
                            format!("Resource {name} {} type must be {typename}", key(field)),
                            path,
                            node.line,
                        ));
                        return None;
                    }
                    Some(e)
                }
                Err(e) => {
                    errors.push(e.into());
                    None
                }
            }
        };
        let properties = parse_field("properties", true);
        let metadata = parse_field("metadata", true);
        let deletion = parse_field("deletion_policy", false);
        let update_policy = parse_field("update_policy", true);
        let mut depends_on = Vec::new();
        if let Some(d) = map.get(key("depends_on")) {
            match &d.value {
                Value::String(s) => depends_on.push(s.clone()),
                Value::List(items) => {
                    for item in items {
                        match item.as_str() {
                            Some(s) => depends_on.push(s.to_string()),
                            None => errors.push(err(
                                ErrorKind::Structure,
                                format!(
                                    "Resource {name} {} must be a list of strings",
                                    key("depends_on")
                                ),
                                format!("{base}.{}", key("depends_on")),
                                item.line,
                            )),
                        }
                    }
                }
                _ => errors.push(err(
                    ErrorKind::Structure,
                    format!(
                        "Resource {name} {} type must be list or string",
                        key("depends_on")
                    ),
                    format!("{base}.{}", key("depends_on")),
                    d.line,
                )),
            }
        }
        let mut deletion_policy = None;
        if let Some(d) = &deletion {
            match function::resolve(d, self) {
                Ok(Json::String(s)) => {
                    let canon = match s.as_str() {
                        "Delete" | "Retain" | "Snapshot" => Some(s.clone()),
                        "delete" | "retain" | "snapshot"
                            if self
                                .template
                                .dialect
                                .hot_at_least(crate::version::HotVersion::V2016_10_14) =>
                        {
                            let mut c = s.clone();
                            c[..1].make_ascii_uppercase();
                            Some(c)
                        }
                        _ => None,
                    };
                    match canon {
                        Some(c) => deletion_policy = Some(c),
                        None => errors.push(err(
                            ErrorKind::Resource,
                            format!("Invalid deletion policy \"{s}\""),
                            format!("{base}.{}", key("deletion_policy")),
                            node.line,
                        )),
                    }
                }
                Ok(other) => errors.push(err(
                    ErrorKind::Resource,
                    format!(
                        "Invalid deletion policy \"{}\"",
                        function::python::str_of(&other)
                    ),
                    format!("{base}.{}", key("deletion_policy")),
                    node.line,
                )),
                Err(e) => errors.push(e.into()),
            }
        }
        let mut external_id = None;
        if let (Some(node), true) = (map.get("external_id"), hot) {
            let path = format!("{base}.external_id");
            match function::parse(node, ctx, &path, false).and_then(|e| function::resolve(&e, self))
            {
                // An empty id is none (Heat's `if self.external_id():`).
                Ok(Json::String(s)) if s.is_empty() => {}
                Ok(Json::String(s)) => external_id = Some(s),
                Ok(other) => errors.push(err(
                    ErrorKind::Resource,
                    format!(
                        "Resource {name} external_id must be a string, not {}",
                        function::python::str_of(&other)
                    ),
                    path,
                    node.line,
                )),
                Err(e) => errors.push(TemplateError::from(e.at(&path, node.line))),
            }
        }
        // A description is text.
        if let Some(d) = map.get(key("description")).filter(|d| d.as_str().is_none()) {
            errors.push(err(
                ErrorKind::Structure,
                format!("Resource {name} {} type must be string", key("description")),
                format!("{base}.{}", key("description")),
                d.line,
            ));
        }
        let mut enabled = true;
        let cond_key = if hot { "condition" } else { "Condition" };
        if let (Some(c), true) = (map.get(cond_key), has_conditions(self.template.dialect)) {
            if c.is_null() {
                let kind = if hot {
                    "string_or_boolean"
                } else {
                    "string or boolean"
                };
                errors.push(err(
                    ErrorKind::Structure,
                    format!("Resource {name} {cond_key} type must be {kind}"),
                    format!("{base}.{cond_key}"),
                    c.line,
                ));
            }
        }
        if let (Some(c), true) = (map.get(cond_key), has_conditions(self.template.dialect)) {
            let path = format!("{base}.{cond_key}");
            match function::parse(c, ctx, &path, true).and_then(|e| {
                let v = function::resolve(&e, self)?;
                self.is_enabled(&v)
            }) {
                Ok(b) => enabled = b,
                Err(e) => errors.push(TemplateError::from(e.at(&path, c.line))),
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(ResourceDef {
            name: name.to_string(),
            type_name,
            properties,
            metadata,
            depends_on,
            deletion_policy,
            update_policy,
            enabled,
            external_id,
            line: node.line,
        })
    }
}

/// Heat's template-time property check: unknown properties (missing and
/// invalid values are checked when the resource is created, as in Heat).
pub(super) fn check_property_names(
    catalog: &dyn TypeCatalog,
    type_name: Option<&str>,
    r: &ResourceDef,
    raw: Option<&Node>,
    path: &str,
    hot: bool,
    errors: &mut Vec<TemplateError>,
) {
    let property_lines: HashMap<&str, u32> = raw
        .and_then(Node::as_map)
        .and_then(|m| m.get(if hot { "properties" } else { "Properties" }))
        .and_then(Node::as_map)
        .map(|m| m.iter().map(|(k, v)| (k.as_str(), v.line)).collect())
        .unwrap_or_default();
    let Some((names, _required)) = type_name.and_then(|t| catalog.property_names(t)) else {
        return;
    };
    let field = if hot { "properties" } else { "Properties" };
    let keys: Vec<&String> = match &r.properties {
        Some(Expr::Map(props)) => props.iter().map(|(k, _)| k).collect(),
        None => Vec::new(),
        Some(_) => return,
    };
    let unimplemented = type_name
        .map(|t| catalog.unimplemented_properties(t))
        .unwrap_or_default();
    for k in &keys {
        let problem = if !names.iter().any(|n| n == *k) {
            "Unknown Property"
        } else if unimplemented.iter().any(|n| n == *k) {
            "Property"
        } else {
            continue;
        };
        let tail = if problem == "Property" {
            " not implemented yet".to_string()
        } else {
            crate::suggest::did_you_mean(k, names.iter().map(String::as_str))
        };
        errors.push(err(
            ErrorKind::Resource,
            format!("Property error: {path}.{field}: {problem} {k}{tail}"),
            format!("{path}.{field}.{k}"),
            property_lines.get(k.as_str()).copied().unwrap_or(r.line),
        ));
    }
}

/// Heat's template-time check of an update policy written out (one given
/// by functions is known later) against the policy its type declares.
pub(super) fn check_update_policy(
    catalog: &dyn TypeCatalog,
    type_name: &str,
    policy: &Expr,
    path: &str,
    hot: bool,
    line: u32,
    errors: &mut Vec<TemplateError>,
) {
    let mut calls = false;
    policy.for_each_call(&mut |_| calls = true);
    if calls {
        return;
    }
    let key = if hot { "update_policy" } else { "UpdatePolicy" };
    if let Some((p, message)) = catalog
        .check_update_policy(type_name, &policy.to_json())
        .into_iter()
        .next()
    {
        let sep = if p.is_empty() { "" } else { "." };
        errors.push(err(
            ErrorKind::Resource,
            format!("Property error: {path}.{key}{sep}{p}: {message}"),
            format!("{path}.{key}{sep}{p}"),
            line,
        ));
    }
}

pub(super) fn cfn_field(hot: &str) -> &'static str {
    match hot {
        "type" => "Type",
        "properties" => "Properties",
        "metadata" => "Metadata",
        "depends_on" => "DependsOn",
        "deletion_policy" => "DeletionPolicy",
        "update_policy" => "UpdatePolicy",
        "description" => "Description",
        _ => "Condition",
    }
}
