//! Change sets, beyond Heat: CreateChangeSet stores the update (or create)
//! with its preview, the changes as AWS lists them (`Add`, `Modify` with
//! `Replacement`, `Remove`); DescribeChangeSet and ListChangeSets show
//! them; ExecuteChangeSet runs the stored request (and makes the stack's
//! other change sets obsolete); DeleteChangeSet drops one. They are kept in
//! the state store beside the stacks (documents of kind `change_set`).

use heat_core::engine::{Change, ChangeKind, Document, DocumentKind, StackOptions, StackRecord};
use heat_core::service::{SourceParts, UpdateRequest};
use serde_json::{json, Map as JsonMap, Value as Json};

use super::error::CfnError;
use super::stacks::{options_of, parameters_of, template_of, update_request};
use super::views::{self, stack_ref, text};
use super::xml::Xml;
use super::{Call, Outcome};
use axum::http::StatusCode;

fn not_found(name: &str) -> CfnError {
    CfnError::sender(
        StatusCode::NOT_FOUND,
        "ChangeSetNotFound",
        format!("ChangeSet [{name}] does not exist"),
    )
}

/// A change as AWS lists it.
fn change(c: &Change, physical: Option<&str>) -> Option<Json> {
    let (action, replacement, scope, details): (&str, Option<&str>, Vec<&str>, Vec<Json>) =
        match &c.kind {
            ChangeKind::Unchanged => return None,
            ChangeKind::Added => ("Add", None, vec![], vec![]),
            ChangeKind::Deleted => ("Remove", None, vec![], vec![]),
            ChangeKind::Updated { properties } => (
                "Modify",
                Some("False"),
                vec!["Properties"],
                properties
                    .iter()
                    .map(|p| json!({"Name": p, "RequiresRecreation": "Never"}))
                    .collect(),
            ),
            ChangeKind::Replaced { reason } => (
                "Modify",
                Some("True"),
                vec!["Properties"],
                vec![json!({"Name": reason, "RequiresRecreation": "Always"})],
            ),
            ChangeKind::Refused { reason } => (
                "Modify",
                Some("Conditional"),
                vec!["Properties"],
                vec![json!({"Name": reason, "RequiresRecreation": "Conditionally"})],
            ),
        };
    Some(json!({
        "Action": action,
        "LogicalResourceId": c.name,
        "PhysicalResourceId": physical,
        "ResourceType": c.type_name,
        "Replacement": replacement,
        "Scope": scope,
        "Details": details,
    }))
}

async fn physical_ids(
    call: &Call<'_>,
    stack: &StackRecord,
) -> Result<JsonMap<String, Json>, CfnError> {
    let records = call
        .service()
        .engine()
        .store()
        .resources(&stack.id)
        .await
        .map_err(CfnError::internal)?;
    Ok(records
        .into_iter()
        .filter(|r| r.current)
        .filter_map(|r| r.physical_id.map(|p| (r.name, Json::String(p))))
        .collect())
}

/// The project's change sets.
async fn all(call: &Call<'_>) -> Result<Vec<Document>, CfnError> {
    call.service()
        .engine()
        .store()
        .documents(DocumentKind::ChangeSet, Some(&call.ctx.project))
        .await
        .map_err(CfnError::internal)
}

/// A change set by ARN, or by name with its stack.
async fn find(call: &Call<'_>) -> Result<Document, CfnError> {
    let name = call.params.required("ChangeSetName")?;
    let stack = call.params.get("StackName").map(stack_ref);
    let by_arn = name.starts_with("arn:");
    if !by_arn && stack.is_none() {
        return Err(CfnError::validation(
            "StackName must be specified if ChangeSetName is not specified as an ARN.",
        ));
    }
    let stack_id = match stack {
        Some(s) if !by_arn => call.service().show(&call.ctx, s).await.ok().map(|s| s.id),
        _ => None,
    };
    all(call)
        .await?
        .into_iter()
        .find(|d| {
            let data = &d.data;
            if by_arn {
                data["Id"] == name
            } else {
                data["ChangeSetName"] == name
                    && (data["StackName"] == stack.unwrap_or_default()
                        || stack_id
                            .as_deref()
                            .is_some_and(|id| data["StackUuid"] == id))
            }
        })
        .ok_or_else(|| not_found(name))
}

/// `CreateChangeSet`.
pub async fn create(call: &Call<'_>) -> Outcome {
    let p = &call.params;
    let stack_name = p.required("StackName")?;
    let name = p.required("ChangeSetName")?;
    let kind = p.get("ChangeSetType").unwrap_or("UPDATE");
    let existing = call.service().show(&call.ctx, stack_ref(stack_name)).await;
    let (stack, template_name, template, parameters, changes, options) = match kind {
        "UPDATE" => {
            let stack = existing?;
            if stack.is_deleted() {
                return Err(CfnError::no_stack(stack_name));
            }
            let request = update_request(call, &stack).await?;
            let preview = call
                .service()
                .preview_update(&call.ctx, &stack.id, &request)
                .await?;
            let physical = physical_ids(call, &stack).await?;
            let changes: Vec<Json> = preview
                .iter()
                .filter_map(|c| change(c, physical.get(&c.name).and_then(Json::as_str)))
                .collect();
            (
                Some(stack),
                request.parts.template_name,
                request.parts.template.unwrap_or_default(),
                request.parts.parameters,
                changes,
                request.options,
            )
        }
        "CREATE" => {
            if existing.as_ref().is_ok_and(|s| !s.is_deleted()) {
                return Err(CfnError::validation(format!(
                    "Stack [{stack_name}] already exists and cannot be created again with the changeSet [{name}]."
                )));
            }
            let (template_name, template) = template_of(call).await?.ok_or_else(|| {
                CfnError::validation("Either Template URL or Template Body must be specified.")
            })?;
            let parts = SourceParts {
                template_name: template_name.clone(),
                template: Some(template.clone()),
                parameters: parameters_of(call, None)?,
                ..SourceParts::default()
            };
            let preview = call
                .service()
                .preview_create(&call.ctx, stack_name, &parts)?;
            let changes = preview
                .resources
                .iter()
                .map(|r| {
                    json!({"Action": "Add", "LogicalResourceId": r.name,
                           "ResourceType": r.type_name, "Scope": [], "Details": []})
                })
                .collect();
            (
                None,
                template_name,
                template,
                parts.parameters,
                changes,
                options_of(call, true)?,
            )
        }
        other => {
            return Err(CfnError::validation(format!(
                "ChangeSetType {other}: expected CREATE or UPDATE"
            )))
        }
    };
    // An executed change set's name may be given again (awscli's `deploy`
    // names its change sets by the second: two deploys within one second
    // reuse a name): the executed one is replaced.
    if let Ok(d) = find(call).await {
        if d.data["ExecutionStatus"] != "EXECUTE_COMPLETE" {
            return Err(CfnError::sender(
                StatusCode::BAD_REQUEST,
                "AlreadyExistsException",
                format!(
                    "ChangeSet {} already exists",
                    d.data["ChangeSetName"].as_str().unwrap_or(name)
                ),
            ));
        }
        remove(call, &d).await?;
    }
    let id = uuid::Uuid::new_v4().to_string();
    let arn = format!(
        "arn:openstack:heat::{}:changeSet/{name}/{id}",
        call.ctx.project
    );
    let stack_arn = stack.as_ref().map(views::arn).unwrap_or_else(|| {
        format!(
            "arn:openstack:heat::{}:stacks/{stack_name}",
            call.ctx.project
        )
    });
    let (status, reason) = if changes.is_empty() {
        (
            "FAILED",
            Some("The submitted information didn't contain changes. Submit different information to create a change set."),
        )
    } else {
        ("CREATE_COMPLETE", None)
    };
    let data = json!({
        "Id": arn,
        "ChangeSetName": name,
        "StackName": stack.as_ref().map(|s| s.name.clone()).unwrap_or_else(|| stack_name.to_string()),
        "StackUuid": stack.as_ref().map(|s| s.id.clone()),
        "StackId": stack_arn,
        "Type": kind,
        "Description": p.get("Description"),
        "Status": status,
        "StatusReason": reason,
        "ExecutionStatus": if changes.is_empty() { "UNAVAILABLE" } else { "AVAILABLE" },
        "TemplateName": template_name,
        "Template": template,
        "Parameters": parameters,
        "DisableRollback": options.disable_rollback,
        "TimeoutInMinutes": options.timeout_mins,
        "Tags": options.tags,
        "Changes": changes,
    });
    call.service()
        .engine()
        .store()
        .put_document(&Document {
            kind: DocumentKind::ChangeSet,
            id,
            project: call.ctx.project.clone(),
            data,
            created_at: call.state.api.now(),
        })
        .await
        .map_err(CfnError::internal)?;
    let mut x = Xml::new();
    x.leaf("Id", &arn).leaf("StackId", &stack_arn);
    Ok(Some(x.finish()))
}

fn summary_fields(x: &mut Xml, d: &Document) {
    let v = &d.data;
    let s = |k: &str| v.get(k).and_then(Json::as_str);
    x.opt("StackId", s("StackId"))
        .opt("StackName", s("StackName"))
        .opt("ChangeSetId", s("Id"))
        .opt("ChangeSetName", s("ChangeSetName"))
        .opt("ExecutionStatus", s("ExecutionStatus"))
        .opt("Status", s("Status"))
        .opt("StatusReason", s("StatusReason"))
        .leaf("CreationTime", views::time(d.created_at))
        .opt("Description", s("Description"));
}

/// `DescribeChangeSet`.
pub async fn describe(call: &Call<'_>) -> Outcome {
    let d = find(call).await?;
    let v = &d.data;
    let mut x = Xml::new();
    summary_fields(&mut x, &d);
    x.list(
        "Parameters",
        v["Parameters"].as_object().into_iter().flatten(),
        |x, (k, val)| {
            x.leaf("ParameterKey", k).leaf("ParameterValue", text(val));
        },
    );
    x.list(
        "Changes",
        v["Changes"].as_array().into_iter().flatten(),
        |x, c| {
            let s = |k: &str| c.get(k).and_then(Json::as_str);
            x.leaf("Type", "Resource").open("ResourceChange");
            x.opt("Action", s("Action"))
                .opt("LogicalResourceId", s("LogicalResourceId"))
                .opt("PhysicalResourceId", s("PhysicalResourceId"))
                .opt("ResourceType", s("ResourceType"))
                .opt("Replacement", s("Replacement"))
                .strings(
                    "Scope",
                    c["Scope"].as_array().into_iter().flatten().map(text),
                )
                .list(
                    "Details",
                    c["Details"].as_array().into_iter().flatten(),
                    |x, d| {
                        x.open("Target")
                            .leaf("Attribute", "Properties")
                            .opt("Name", d.get("Name").and_then(Json::as_str))
                            .opt(
                                "RequiresRecreation",
                                d.get("RequiresRecreation").and_then(Json::as_str),
                            )
                            .close("Target");
                    },
                );
            x.close("ResourceChange");
        },
    );
    Ok(Some(x.finish()))
}

/// `GetTemplate` with `ChangeSetName`: the change set's template.
pub async fn template(call: &Call<'_>) -> Outcome {
    let d = find(call).await?;
    let mut x = Xml::new();
    x.leaf(
        "TemplateBody",
        d.data["Template"].as_str().unwrap_or_default(),
    )
    .strings("StagesAvailable", ["Original", "Processed"]);
    Ok(Some(x.finish()))
}

/// `ListChangeSets`.
pub async fn list(call: &Call<'_>) -> Outcome {
    let name = call.params.required("StackName")?;
    let stack = call.service().show(&call.ctx, stack_ref(name)).await.ok();
    let sets: Vec<Document> = all(call)
        .await?
        .into_iter()
        .filter(|d| {
            d.data["StackName"] == stack_ref(name)
                || stack
                    .as_ref()
                    .is_some_and(|s| d.data["StackUuid"] == s.id.as_str())
        })
        .collect();
    let (sets, next) = views::page(sets, call.params.get("NextToken"), 100)?;
    let mut x = Xml::new();
    x.list("Summaries", &sets, summary_fields);
    x.opt("NextToken", next);
    Ok(Some(x.finish()))
}

async fn store(call: &Call<'_>, d: &Document) -> Result<(), CfnError> {
    call.service()
        .engine()
        .store()
        .put_document(d)
        .await
        .map_err(CfnError::internal)
}

/// `ExecuteChangeSet`: runs the stored create or update.
pub async fn execute(call: &Call<'_>) -> Outcome {
    let mut d = find(call).await?;
    if d.data["ExecutionStatus"] != "AVAILABLE" {
        return Err(CfnError::sender(
            StatusCode::BAD_REQUEST,
            "InvalidChangeSetStatus",
            format!(
                "ChangeSet [{}] cannot be executed in its current execution status of [{}]",
                d.data["Id"].as_str().unwrap_or_default(),
                d.data["ExecutionStatus"].as_str().unwrap_or_default()
            ),
        ));
    }
    let v = d.data.clone();
    let parts = SourceParts {
        template_name: v["TemplateName"].as_str().unwrap_or("TemplateBody").into(),
        template: v["Template"].as_str().map(str::to_string),
        parameters: v["Parameters"].as_object().cloned().unwrap_or_default(),
        ..SourceParts::default()
    };
    let mut options = StackOptions {
        disable_rollback: v["DisableRollback"].as_bool(),
        timeout_mins: v["TimeoutInMinutes"].as_u64(),
        tags: serde_json::from_value(v["Tags"].clone()).unwrap_or(None),
    };
    if let Some(disable) = call.params.boolean("DisableRollback")? {
        options.disable_rollback = Some(disable);
    }
    let stack_name = v["StackName"].as_str().unwrap_or_default();
    let stack = if v["Type"] == "CREATE" {
        call.service()
            .create(&call.ctx, stack_name, &parts, options)
            .await?
    } else {
        let id = v["StackUuid"].as_str().unwrap_or(stack_name);
        let request = UpdateRequest {
            parts,
            existing: false,
            clear_parameters: Vec::new(),
            options,
        };
        call.service().update(&call.ctx, id, &request).await?
    };
    // The stack's other change sets no longer apply.
    for mut other in all(call).await? {
        if other.id != d.id
            && (other.data["StackUuid"] == stack.id.as_str()
                || other.data["StackName"] == stack.name.as_str())
            && other.data["ExecutionStatus"] == "AVAILABLE"
        {
            other.data["ExecutionStatus"] = json!("OBSOLETE");
            store(call, &other).await?;
        }
    }
    d.data["ExecutionStatus"] = json!("EXECUTE_COMPLETE");
    d.data["StackUuid"] = json!(stack.id);
    d.data["StackId"] = json!(views::arn(&stack));
    store(call, &d).await?;
    Ok(None)
}

/// `DeleteChangeSet`.
pub async fn delete(call: &Call<'_>) -> Outcome {
    let d = find(call).await?;
    remove(call, &d).await?;
    Ok(None)
}

async fn remove(call: &Call<'_>, d: &Document) -> Result<(), CfnError> {
    call.service()
        .engine()
        .store()
        .remove_document(DocumentKind::ChangeSet, &d.id)
        .await
        .map(|_| ())
        .map_err(CfnError::internal)
}
