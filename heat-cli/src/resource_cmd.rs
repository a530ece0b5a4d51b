//! `heat resource type list|show`: the catalog, as Heat's resource_types
//! API shows it, or a template that uses a type.

use heat_resources::schema::{Kind, Property, ResourceType, Rule};
use heat_resources::Catalog;
use serde_json::{json, Map as JsonMap, Value as Json};

use crate::cli::{Format, ResourceCommand, ResourceTypeCommand, TemplateType};
use crate::output::{fail, print_list, print_record};

fn kind_name(k: Kind, hot: bool) -> &'static str {
    match (k, hot) {
        (Kind::String, true) => "string",
        (Kind::Integer, true) | (Kind::Number, true) => "number",
        (Kind::Boolean, true) => "boolean",
        (Kind::List, true) => "comma_delimited_list",
        (Kind::Map, true) | (Kind::Any, true) => "json",
        (Kind::String, false) => "String",
        (Kind::Integer, false) | (Kind::Number, false) => "Number",
        (Kind::Boolean, false) => "Boolean",
        (Kind::List, false) => "CommaDelimitedList",
        (Kind::Map, false) | (Kind::Any, false) => "Json",
    }
}

fn api_type(k: Kind) -> &'static str {
    match k {
        Kind::String => "string",
        Kind::Integer => "integer",
        Kind::Number => "number",
        Kind::Boolean => "boolean",
        Kind::List => "list",
        Kind::Map => "map",
        Kind::Any => "any",
    }
}

fn property_json(p: &Property) -> Json {
    let constraints: Vec<Json> = p
        .rules
        .iter()
        .map(|r| match r {
            Rule::AllowedValues(v) => json!({"allowed_values": v}),
            Rule::Range(min, max) => json!({"range": {"min": min, "max": max}}),
            Rule::Length(min, max) => json!({"length": {"min": min, "max": max}}),
            Rule::Custom(c) => json!({"custom_constraint": c}),
        })
        .collect();
    let mut o = json!({
        "type": api_type(p.kind),
        "required": p.required,
        "update_allowed": p.update_allowed,
        "immutable": p.immutable,
        "description": p.description,
        "constraints": constraints,
    });
    if let Some(d) = &p.default {
        o["default"] = d.clone();
    }
    if !p.schema.is_empty() {
        let sub: JsonMap<String, Json> = p
            .schema
            .iter()
            .map(|s| (s.name.to_string(), property_json(s)))
            .collect();
        o["schema"] = Json::Object(sub);
    }
    o
}

fn schema_json(t: &ResourceType) -> Json {
    let properties: JsonMap<String, Json> = t
        .properties
        .iter()
        .map(|p| (p.name.to_string(), property_json(p)))
        .collect();
    let mut attributes: JsonMap<String, Json> = t
        .attributes
        .iter()
        .map(|a| (a.name.to_string(), json!({"description": a.description})))
        .collect();
    attributes.insert(
        "show".into(),
        json!({"description": "Detailed information about resource."}),
    );
    json!({
        "resource_type": t.name,
        "description": t.description,
        "properties": properties,
        "attributes": attributes,
        "support_status": {"status": "SUPPORTED", "message": null, "version": null, "previous_status": null},
    })
}

fn template_for(t: &ResourceType, kind: TemplateType) -> Json {
    let hot = kind == TemplateType::Hot;
    let mut params = JsonMap::new();
    let mut props = JsonMap::new();
    for p in &t.properties {
        let mut param = JsonMap::new();
        param.insert(
            if hot { "type" } else { "Type" }.into(),
            json!(kind_name(p.kind, hot)),
        );
        param.insert(
            if hot { "description" } else { "Description" }.into(),
            json!(p.description),
        );
        if let Some(d) = &p.default {
            param.insert(if hot { "default" } else { "Default" }.into(), d.clone());
        }
        params.insert(p.name.to_string(), Json::Object(param));
        props.insert(
            p.name.to_string(),
            if hot {
                json!({"get_param": p.name})
            } else {
                json!({"Ref": p.name})
            },
        );
    }
    let mut outputs = JsonMap::new();
    for a in &t.attributes {
        let value = if hot {
            json!({"get_attr": ["resource", a.name]})
        } else {
            json!({"Fn::GetAtt": ["resource", a.name]})
        };
        outputs.insert(
            a.name.to_string(),
            if hot {
                json!({"description": a.description, "value": value})
            } else {
                json!({"Description": a.description, "Value": value})
            },
        );
    }
    if hot {
        json!({
            "heat_template_version": "2016-10-14",
            "description": format!("Initial template of {}", t.name),
            "parameters": params,
            "resources": {"resource": {"type": t.name, "properties": props}},
            "outputs": outputs,
        })
    } else {
        json!({
            "HeatTemplateFormatVersion": "2012-12-12",
            "Description": format!("Initial template of {}", t.name),
            "Parameters": params,
            "Resources": {"resource": {"Type": t.name, "Properties": props}},
            "Outputs": outputs,
        })
    }
}

/// Runs a `resource` command; returns the exit status.
pub fn run(cmd: ResourceCommand) -> i32 {
    match cmd {
        ResourceCommand::Type(ResourceTypeCommand::List { filter, out }) => {
            let needle = filter.map(|f| f.strip_prefix("name=").map(str::to_string).unwrap_or(f));
            let rows: Vec<Json> = Catalog
                .names()
                .into_iter()
                .filter(|n| needle.as_ref().is_none_or(|f| n.contains(f.as_str())))
                .map(|n| json!({"Resource Type": n}))
                .collect();
            print_list(&rows, &["Resource Type"], &out);
            0
        }
        ResourceCommand::Type(ResourceTypeCommand::Show {
            type_name,
            template_type,
            out,
        }) => {
            let Some(t) = Catalog.schema(&type_name) else {
                let message = if Catalog.names().contains(&type_name.as_str()) {
                    format!("heat-rs has no schema for {type_name} yet")
                } else {
                    format!("The Resource Type ({type_name}) could not be found.")
                };
                return fail("not_found", &message, out.format == Format::Json);
            };
            let value = match template_type {
                Some(k) => template_for(t, k),
                None => schema_json(t),
            };
            let out = if out.format == Format::Table {
                crate::cli::Output {
                    format: Format::Yaml,
                    ..out
                }
            } else {
                out
            };
            print_record(&value, &out);
            0
        }
    }
}
