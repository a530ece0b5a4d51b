//! Resources and events: DescribeStackResource (with the `Metadata` that
//! cfn-get-metadata and cfn-init read), DescribeStackResources (by stack,
//! or by a physical id across the project's stacks), ListStackResources,
//! DescribeStackEvents (newest first, paged) and SignalResource.

use heat_core::service::{EventQuery, ResourceQuery, SortDir, StackQuery};
use serde_json::json;

use super::error::CfnError;
use super::views::{self, stack_ref};
use super::xml::Xml;
use super::{Call, Outcome};

/// Events per page, as AWS.
const EVENT_PAGE: usize = 100;
/// Resources per page of ListStackResources.
const RESOURCE_PAGE: usize = 100;

/// `DescribeStackEvents`.
pub async fn events(call: &Call<'_>) -> Outcome {
    let name = call.params.required("StackName")?;
    let stack = call.service().show(&call.ctx, stack_ref(name)).await?;
    let query = EventQuery {
        sort_dir: Some(SortDir::Desc),
        ..EventQuery::default()
    };
    let events = call.service().events(&call.ctx, &stack.id, &query).await?;
    let (events, next) = views::page(events, call.params.get("NextToken"), EVENT_PAGE)?;
    let mut x = Xml::new();
    x.list("StackEvents", &events, |x, e| views::event(x, &stack, e));
    x.opt("NextToken", next);
    Ok(Some(x.finish()))
}

/// `DescribeStackResource`.
pub async fn describe_one(call: &Call<'_>) -> Outcome {
    let name = call.params.required("StackName")?;
    let resource = call.params.required("LogicalResourceId")?;
    let stack = call.service().show(&call.ctx, stack_ref(name)).await?;
    let v = call
        .service()
        .resource(&call.ctx, &stack.id, resource)
        .await?;
    let mut x = Xml::new();
    x.open("StackResourceDetail");
    views::resource_detail(&mut x, &v, &call.ctx.project);
    x.close("StackResourceDetail");
    Ok(Some(x.finish()))
}

/// `DescribeStackResources`: by `StackName`, or by `PhysicalResourceId`
/// (the stack that holds it); `LogicalResourceId` narrows.
pub async fn describe(call: &Call<'_>) -> Outcome {
    let p = &call.params;
    let logical = p.get("LogicalResourceId").filter(|l| !l.is_empty());
    let mut query = ResourceQuery::default();
    if let Some(l) = logical {
        query.name = vec![l.to_string()];
    }
    let views = match (p.get("StackName"), p.get("PhysicalResourceId")) {
        (Some(name), _) => {
            let stack = call.service().show(&call.ctx, stack_ref(name)).await?;
            call.service()
                .resources(&call.ctx, &stack.id, &query)
                .await?
        }
        (None, Some(physical)) => {
            let stacks = call
                .service()
                .list(&call.ctx, &StackQuery::default())
                .await?;
            let mut found = None;
            for s in stacks {
                let all = call
                    .service()
                    .resources(&call.ctx, &s.id, &ResourceQuery::default())
                    .await?;
                if all
                    .iter()
                    .any(|v| v.record.physical_id.as_deref() == Some(physical))
                {
                    found = Some(
                        all.into_iter()
                            .filter(|v| logical.is_none_or(|l| v.record.name == l))
                            .collect::<Vec<_>>(),
                    );
                    break;
                }
            }
            found.ok_or_else(|| {
                CfnError::validation(format!(
                    "Stack for PhysicalResourceId {physical} does not exist"
                ))
            })?
        }
        (None, None) => {
            return Err(CfnError::validation(
                "Either StackName or PhysicalResourceId must be specified.",
            ))
        }
    };
    let mut x = Xml::new();
    x.list("StackResources", &views, |x, v| {
        views::resource(x, v, &call.ctx.project)
    });
    Ok(Some(x.finish()))
}

/// `ListStackResources`.
pub async fn list(call: &Call<'_>) -> Outcome {
    let name = call.params.required("StackName")?;
    let stack = call.service().show(&call.ctx, stack_ref(name)).await?;
    let all = call
        .service()
        .resources(&call.ctx, &stack.id, &ResourceQuery::default())
        .await?;
    let (page, next) = views::page(all, call.params.get("NextToken"), RESOURCE_PAGE)?;
    let mut x = Xml::new();
    x.list("StackResourceSummaries", &page, |x, v| {
        views::resource_summary(x, v)
    });
    x.opt("NextToken", next);
    Ok(Some(x.finish()))
}

/// `SignalResource`: a wait condition's or a group's success or failure
/// signal, with its unique id.
pub async fn signal(call: &Call<'_>) -> Outcome {
    let p = &call.params;
    let name = p.required("StackName")?;
    let resource = p.required("LogicalResourceId")?;
    let unique_id = p.required("UniqueId")?;
    let status = p.required("Status")?;
    if status != "SUCCESS" && status != "FAILURE" {
        return Err(CfnError::validation(format!(
            "1 validation error detected: Value '{status}' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [SUCCESS, FAILURE]"
        )));
    }
    let stack = call.service().show(&call.ctx, stack_ref(name)).await?;
    call.service()
        .signal(
            &call.ctx,
            &stack.id,
            resource,
            json!({
                "Status": status,
                "UniqueId": unique_id,
                "Reason": "Signal from SignalResource",
                "Data": "",
            }),
        )
        .await?;
    Ok(None)
}
