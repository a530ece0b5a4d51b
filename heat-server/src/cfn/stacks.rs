//! The stack actions: CreateStack, UpdateStack (with UsePreviousTemplate,
//! UsePreviousValue and AWS's "No updates are to be performed."),
//! DeleteStack (quiet for a stack that is not there, as AWS is),
//! DescribeStacks, ListStacks (StackStatusFilter), CancelUpdateStack and
//! ContinueUpdateRollback.

use heat_core::engine::{Action as StackAction, ChangeKind, StackOptions, StackRecord, Status};
use heat_core::service::{SourceParts, StackQuery, UpdateRequest};
use serde_json::{Map as JsonMap, Value as Json};

use super::error::CfnError;
use super::views::{self, stack_ref};
use super::xml::Xml;
use super::{Call, Outcome};

/// Stacks per page of DescribeStacks and ListStacks.
const PAGE: usize = 100;

/// The template of a request: `TemplateBody` or `TemplateURL` (fetched),
/// with the name errors give it.
pub(super) async fn template_of(call: &Call<'_>) -> Result<Option<(String, String)>, CfnError> {
    let p = &call.params;
    match (p.get("TemplateBody"), p.get("TemplateURL")) {
        (Some(_), Some(_)) => Err(CfnError::validation(
            "Specify exactly one of TemplateBody or TemplateURL.",
        )),
        (Some(body), None) => {
            let max = call.state.api.limits.max_template_size;
            if body.len() > max {
                return Err(CfnError::validation(format!(
                    "Template size ({} bytes) exceeds maximum allowed size ({max} bytes).",
                    body.len()
                )));
            }
            Ok(Some(("TemplateBody".into(), body.to_string())))
        }
        (None, Some(url)) => {
            let text = call.state.api.fetch_template(url).await?;
            Ok(Some((url.to_string(), text)))
        }
        (None, None) => Ok(None),
    }
}

/// The `Parameters` of a request; `UsePreviousValue` takes the stack's.
pub(super) fn parameters_of(
    call: &Call<'_>,
    previous: Option<&StackRecord>,
) -> Result<JsonMap<String, Json>, CfnError> {
    let mut out = JsonMap::new();
    for m in call.params.structures("Parameters") {
        let key = m
            .get("ParameterKey")
            .ok_or_else(|| CfnError::validation("A parameter has no ParameterKey"))?;
        if m.get("UsePreviousValue").is_some_and(|v| v == "true") {
            let value = previous
                .and_then(|s| s.source.parameters.get(key))
                .cloned()
                .ok_or_else(|| {
                    CfnError::validation(format!(
                        "Invalid input for parameter key {key}. Cannot specify usePreviousValue as true for a parameter key not in the previous template"
                    ))
                })?;
            out.insert(key.clone(), value);
        } else if let Some(v) = m.get("ParameterValue") {
            out.insert(key.clone(), Json::String(v.clone()));
        }
    }
    Ok(out)
}

/// Rollback (AWS's default: on; `DisableRollback` or `OnFailure`), timeout
/// and tags.
pub(super) fn options_of(call: &Call<'_>, creating: bool) -> Result<StackOptions, CfnError> {
    let p = &call.params;
    let disable = match (p.boolean("DisableRollback")?, p.get("OnFailure")) {
        (Some(_), Some(_)) => {
            return Err(CfnError::validation(
                "You can specify either DisableRollback or OnFailure, but not both.",
            ))
        }
        (Some(d), None) => Some(d),
        (None, Some("DO_NOTHING")) => Some(true),
        (None, Some("ROLLBACK" | "DELETE")) => Some(false),
        (None, Some(other)) => {
            return Err(CfnError::validation(format!(
                "OnFailure {other}: expected DO_NOTHING, ROLLBACK or DELETE"
            )))
        }
        (None, None) => creating.then_some(false),
    };
    let tags = p.structures("Tags");
    Ok(StackOptions {
        disable_rollback: disable,
        timeout_mins: p.number("TimeoutInMinutes")?,
        tags: (creating || !tags.is_empty()).then(|| {
            tags.iter()
                .map(|t| {
                    let k = t.get("Key").map(String::as_str).unwrap_or_default();
                    match t.get("Value").map(String::as_str) {
                        Some(v) if !v.is_empty() => format!("{k}={v}"),
                        _ => k.to_string(),
                    }
                })
                .collect()
        }),
    })
}

fn stack_id_result(s: &StackRecord) -> Option<String> {
    let mut x = Xml::new();
    x.leaf("StackId", views::arn(s));
    Some(x.finish())
}

/// `CreateStack`.
pub async fn create(call: &Call<'_>) -> Outcome {
    let name = call.params.required("StackName")?;
    let (template_name, template) = template_of(call).await?.ok_or_else(|| {
        CfnError::validation("Either Template URL or Template Body must be specified.")
    })?;
    let parts = SourceParts {
        template_name,
        template: Some(template),
        parameters: parameters_of(call, None)?,
        ..SourceParts::default()
    };
    let stack = call
        .service()
        .create(&call.ctx, name, &parts, options_of(call, true)?)
        .await?;
    Ok(stack_id_result(&stack))
}

/// The update a request asks for, against the stack as it is.
pub(super) async fn update_request(
    call: &Call<'_>,
    stack: &StackRecord,
) -> Result<UpdateRequest, CfnError> {
    let previous = call.params.boolean("UsePreviousTemplate")?.unwrap_or(false);
    let template = template_of(call).await?;
    let (template_name, template) = match (template, previous) {
        (Some(_), true) => {
            return Err(CfnError::validation(
                "Specify exactly one of TemplateBody, TemplateURL or UsePreviousTemplate.",
            ))
        }
        (Some((n, t)), false) => (n, Some(t)),
        (None, true) => (
            format!("the template of stack {}", stack.name),
            Some(stack.source.template.clone()),
        ),
        (None, false) => {
            return Err(CfnError::validation(
                "Either Template URL or Template Body must be specified.",
            ))
        }
    };
    Ok(UpdateRequest {
        parts: SourceParts {
            template_name,
            template,
            parameters: parameters_of(call, Some(stack))?,
            ..SourceParts::default()
        },
        existing: false,
        clear_parameters: Vec::new(),
        options: options_of(call, false)?,
    })
}

/// `UpdateStack`.
pub async fn update(call: &Call<'_>) -> Outcome {
    let name = call.params.required("StackName")?;
    let stack = call.service().show(&call.ctx, stack_ref(name)).await?;
    let request = update_request(call, &stack).await?;
    let same_source = request.parts.template.as_deref() == Some(&stack.source.template)
        && request.parts.parameters == stack.source.parameters;
    if same_source && request.options.tags.is_none() {
        let changes = call
            .service()
            .preview_update(&call.ctx, &stack.id, &request)
            .await?;
        if changes
            .iter()
            .all(|c| matches!(c.kind, ChangeKind::Unchanged))
        {
            return Err(CfnError::validation("No updates are to be performed."));
        }
    }
    let stack = call
        .service()
        .update(&call.ctx, &stack.id, &request)
        .await?;
    Ok(stack_id_result(&stack))
}

/// `DeleteStack`: nothing happens (and nothing is refused) for a stack that
/// is not there, or is deleted already.
pub async fn delete(call: &Call<'_>) -> Outcome {
    let name = call.params.required("StackName")?;
    match call.service().show(&call.ctx, stack_ref(name)).await {
        Ok(s) if s.is_deleted() => Ok(None),
        Ok(s) => {
            call.service().delete(&call.ctx, &s.id).await?;
            Ok(None)
        }
        Err(heat_core::service::ServiceError::StackNotFound(_)) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// The project's top-level stacks, newest first.
async fn project_stacks(call: &Call<'_>) -> Result<Vec<StackRecord>, CfnError> {
    let query = StackQuery {
        show_deleted: true,
        ..StackQuery::default()
    };
    let mut stacks = call.service().list(&call.ctx, &query).await?;
    stacks.sort_by(|a, b| b.created_at.total_cmp(&a.created_at));
    Ok(stacks)
}

/// `DescribeStacks`: one stack (by name, id or ARN; a deleted one only by
/// id or ARN, as AWS), or every live stack of the project.
pub async fn describe(call: &Call<'_>) -> Outcome {
    let stacks = match call.params.get("StackName").filter(|n| !n.is_empty()) {
        Some(name) => {
            let s = call.service().show(&call.ctx, stack_ref(name)).await?;
            if s.is_deleted() && s.name == name {
                return Err(CfnError::no_stack(name));
            }
            vec![s]
        }
        None => project_stacks(call)
            .await?
            .into_iter()
            .filter(|s| !s.is_deleted())
            .collect(),
    };
    let (stacks, next) = views::page(stacks, call.params.get("NextToken"), PAGE)?;
    let mut x = Xml::new();
    x.list("Stacks", &stacks, views::stack);
    x.opt("NextToken", next);
    Ok(Some(x.finish()))
}

/// `ListStacks`: live and deleted stacks, filtered by status.
pub async fn list(call: &Call<'_>) -> Outcome {
    let filter = call.params.strings("StackStatusFilter");
    let stacks: Vec<StackRecord> = project_stacks(call)
        .await?
        .into_iter()
        .filter(|s| filter.is_empty() || filter.contains(&views::stack_status(s)))
        .collect();
    let (stacks, next) = views::page(stacks, call.params.get("NextToken"), PAGE)?;
    let mut x = Xml::new();
    x.list("StackSummaries", &stacks, views::summary);
    x.opt("NextToken", next);
    Ok(Some(x.finish()))
}

/// `CancelUpdateStack`: the running update stops and rolls back.
pub async fn cancel_update(call: &Call<'_>) -> Outcome {
    let name = call.params.required("StackName")?;
    let stack = call.service().show(&call.ctx, stack_ref(name)).await?;
    if !(stack.action == StackAction::Update && stack.status == Status::InProgress) {
        return Err(CfnError::validation(format!(
            "CancelUpdateStack cannot be called from current stack status {}.",
            views::stack_status(&stack)
        )));
    }
    call.service()
        .cancel_update(&call.ctx, &stack.id, true)
        .await?;
    Ok(None)
}

/// `ContinueUpdateRollback`: a stack whose update rollback failed goes back
/// to its previous template and parameters again.
pub async fn continue_rollback(call: &Call<'_>) -> Outcome {
    let name = call.params.required("StackName")?;
    let stack = call.service().show(&call.ctx, stack_ref(name)).await?;
    let failed_rollback = stack.action == StackAction::Rollback
        && stack.status == Status::Failed
        && stack.rollback_of == Some(StackAction::Update);
    if !failed_rollback {
        return Err(CfnError::validation(format!(
            "Stack {} is in {} state and can not continue an update rollback.",
            stack.name,
            views::stack_status(&stack)
        )));
    }
    let previous = stack
        .previous
        .clone()
        .unwrap_or_else(|| stack.source.clone());
    let request = UpdateRequest {
        parts: SourceParts {
            template_name: format!("the previous template of stack {}", stack.name),
            template: Some(previous.template),
            files: previous.files,
            parameters: previous.parameters,
            ..SourceParts::default()
        },
        existing: false,
        clear_parameters: Vec::new(),
        options: StackOptions {
            disable_rollback: Some(true),
            ..StackOptions::default()
        },
    };
    call.service()
        .update(&call.ctx, &stack.id, &request)
        .await?;
    Ok(None)
}

/// `ListExports`: the values the project's stacks export.
pub async fn exports(call: &Call<'_>) -> Outcome {
    let all = call.service().exports(&call.ctx).await?;
    let (page, next) = views::page(all, call.params.get("NextToken"), PAGE)?;
    let mut x = Xml::new();
    x.list("Exports", &page, |x, e| {
        x.leaf(
            "ExportingStackId",
            heat_resources::GuestKeys::stack_arn(&call.ctx.project, &e.stack_name, &e.stack_id),
        )
        .leaf("Name", &e.name)
        .leaf("Value", views::text(&e.value));
    });
    x.opt("NextToken", next);
    Ok(Some(x.finish()))
}

/// `ListImports`: the stacks that import an export.
pub async fn imports(call: &Call<'_>) -> Outcome {
    let name = call.params.required("ExportName")?;
    if !call
        .service()
        .exports(&call.ctx)
        .await?
        .iter()
        .any(|e| e.name == name)
    {
        return Err(CfnError::validation(format!(
            "Export '{name}' does not exist."
        )));
    }
    let users: Vec<String> = call
        .service()
        .importers(&call.ctx, name)
        .await?
        .into_iter()
        .map(|s| s.name)
        .collect();
    let (page, next) = views::page(users, call.params.get("NextToken"), PAGE)?;
    let mut x = Xml::new();
    x.strings("Imports", &page);
    x.opt("NextToken", next);
    Ok(Some(x.finish()))
}
