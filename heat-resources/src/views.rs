//! Resource types as Heat's `resource_types` API shows them: a type's
//! schema (properties with constraints, attributes, support status) and a
//! template that uses the type. The CLI and the server show the same.

use serde_json::{json, Map as JsonMap, Value as Json};

use crate::schema::{Kind, Property, ResourceType, Rule};

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
    });
    // As Heat: the key only when there are constraints.
    if !constraints.is_empty() {
        o["constraints"] = Json::Array(constraints);
    }
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

/// A type as Heat's `resource_types/{type}` API shows it (the description
/// only when asked for).
pub fn type_schema(t: &ResourceType, with_description: bool) -> Json {
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
        json!({"description": "Detailed information about resource.", "type": "map"}),
    );
    let mut out = json!({
        "resource_type": t.name,
        "properties": properties,
        "attributes": attributes,
        "support_status": {"status": "SUPPORTED", "message": null, "version": null, "previous_status": null},
    });
    if with_description {
        out["description"] = json!(t.description);
    }
    out
}

/// A template that uses a type (`resource_types/{type}/template`): its
/// properties as parameters, its attributes as outputs; HOT or
/// CloudFormation.
pub fn type_template(t: &ResourceType, hot: bool) -> Json {
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

/// A resource's attributes as Heat's resource show and update preview
/// give them: every attribute its type declares (`show` aside), `null`
/// until known; for a template used as a type, the nested stack's outputs.
pub fn resource_attributes(type_name: &str, known: &JsonMap<String, Json>) -> Json {
    let value = |name: &str| known.get(name).cloned().unwrap_or(Json::Null);
    match crate::catalog::Catalog.schema(type_name) {
        Some(t) => Json::Object(
            t.attributes
                .iter()
                .map(|a| (a.name.to_string(), value(a.name)))
                .collect(),
        ),
        None => Json::Object(
            known
                .iter()
                .filter(|(k, _)| {
                    !k.starts_with("__")
                        && !["outputs", "Outputs", "stack_name", "signals"].contains(&k.as_str())
                })
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        ),
    }
}

/// A resource's properties as Heat's previews give them: every property
/// its type declares, with the value given, else the default, else `null`.
pub fn resource_properties(type_name: &str, given: &Json) -> Json {
    let Some(t) = crate::catalog::Catalog.schema(type_name) else {
        return given.clone();
    };
    Json::Object(
        t.properties
            .iter()
            .map(|p| {
                let v = given
                    .get(p.name)
                    .cloned()
                    .or_else(|| p.default.clone())
                    .unwrap_or(Json::Null);
                (p.name.to_string(), v)
            })
            .collect(),
    )
}
