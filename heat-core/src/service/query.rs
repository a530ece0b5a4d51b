//! Queries as Heat's API takes them: filters, sorting (`sort_keys`,
//! `sort_dir`) and pagination (`limit`, `marker`) over stacks, resources
//! and events.

use std::cmp::Ordering;

use crate::engine::{Event, ResourceRecord, StackRecord};

/// Sort direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortDir {
    /// Ascending.
    Asc,
    /// Descending.
    #[default]
    Desc,
}

/// A stack list query (`GET /v1/{project}/stacks`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StackQuery {
    /// Names to keep (any of them).
    pub name: Vec<String>,
    /// Statuses to keep (`COMPLETE`, or a full `CREATE_COMPLETE`).
    pub status: Vec<String>,
    /// Actions to keep (`CREATE`...).
    pub action: Vec<String>,
    /// Ids to keep.
    pub id: Vec<String>,
    /// Stacks with all these tags.
    pub tags: Vec<String>,
    /// Stacks with any of these tags.
    pub tags_any: Vec<String>,
    /// Stacks without all of these tags.
    pub not_tags: Vec<String>,
    /// Stacks with none of these tags.
    pub not_tags_any: Vec<String>,
    /// Nested stacks too.
    pub show_nested: bool,
    /// Deleted stacks too.
    pub show_deleted: bool,
    /// Every project's stacks (admins only).
    pub global_tenant: bool,
    /// Sort keys: `stack_name`, `stack_status`, `creation_time`,
    /// `updated_time` (default `creation_time`).
    pub sort_keys: Vec<String>,
    /// Sort direction (default descending).
    pub sort_dir: SortDir,
    /// At most this many.
    pub limit: Option<usize>,
    /// Start after this stack id.
    pub marker: Option<String>,
}

/// The stack sort keys Heat accepts.
pub const STACK_SORT_KEYS: [&str; 4] = [
    "stack_name",
    "stack_status",
    "creation_time",
    "updated_time",
];

fn matches_status(s: &StackRecord, wanted: &str) -> bool {
    let full = s.status_text();
    wanted.eq_ignore_ascii_case(&full) || wanted.eq_ignore_ascii_case(s.status.name())
}

impl StackQuery {
    /// Whether a stack passes the filters.
    pub fn keeps(&self, s: &StackRecord) -> bool {
        let has = |t: &String| s.tags.contains(t);
        (self.show_nested || s.parent.is_none())
            && (self.show_deleted || !s.is_deleted())
            && (self.name.is_empty() || self.name.contains(&s.name))
            && (self.id.is_empty() || self.id.contains(&s.id))
            && (self.status.is_empty() || self.status.iter().any(|w| matches_status(s, w)))
            && (self.action.is_empty()
                || self
                    .action
                    .iter()
                    .any(|a| a.eq_ignore_ascii_case(s.action.name())))
            && (self.tags.is_empty() || self.tags.iter().all(has))
            && (self.tags_any.is_empty() || self.tags_any.iter().any(has))
            && (self.not_tags.is_empty() || !self.not_tags.iter().all(has))
            && (self.not_tags_any.is_empty() || !self.not_tags_any.iter().any(has))
    }

    fn compare(&self, a: &StackRecord, b: &StackRecord) -> Ordering {
        let keys: Vec<&str> = if self.sort_keys.is_empty() {
            vec!["creation_time"]
        } else {
            self.sort_keys.iter().map(String::as_str).collect()
        };
        for k in keys {
            let o = match k {
                "stack_name" => a.name.cmp(&b.name),
                "stack_status" => a.status_text().cmp(&b.status_text()),
                "updated_time" => a
                    .updated_at
                    .partial_cmp(&b.updated_at)
                    .unwrap_or(Ordering::Equal),
                _ => a
                    .created_at
                    .partial_cmp(&b.created_at)
                    .unwrap_or(Ordering::Equal),
            };
            if o != Ordering::Equal {
                return o;
            }
        }
        a.id.cmp(&b.id)
    }

    /// Filters, sorts and pages stacks.
    pub fn apply(&self, stacks: Vec<StackRecord>) -> Vec<StackRecord> {
        let mut kept: Vec<StackRecord> = stacks.into_iter().filter(|s| self.keeps(s)).collect();
        kept.sort_by(|a, b| match self.sort_dir {
            SortDir::Asc => self.compare(a, b),
            SortDir::Desc => self.compare(b, a),
        });
        page(kept, self.marker.as_deref(), self.limit, |s| &s.id)
    }
}

/// Keeps what follows `marker` (by id), at most `limit`.
fn page<T>(
    items: Vec<T>,
    marker: Option<&str>,
    limit: Option<usize>,
    id: impl Fn(&T) -> &str,
) -> Vec<T> {
    let start = match marker {
        Some(m) => items.iter().position(|x| id(x) == m).map_or(0, |i| i + 1),
        None => 0,
    };
    items
        .into_iter()
        .skip(start)
        .take(limit.unwrap_or(usize::MAX))
        .collect()
}

/// A resource list query.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ResourceQuery {
    /// Also the resources of nested stacks, this many levels down.
    pub nested_depth: u32,
    /// Names to keep.
    pub name: Vec<String>,
    /// Statuses to keep (`COMPLETE` or `CREATE_COMPLETE`).
    pub status: Vec<String>,
    /// Actions to keep.
    pub action: Vec<String>,
    /// Types to keep.
    pub type_name: Vec<String>,
}

impl ResourceQuery {
    /// Whether a resource passes the filters.
    pub fn keeps(&self, r: &ResourceRecord) -> bool {
        (self.name.is_empty() || self.name.contains(&r.name))
            && (self.type_name.is_empty() || self.type_name.contains(&r.type_name))
            && (self.status.is_empty()
                || self.status.iter().any(|w| {
                    w.eq_ignore_ascii_case(&r.status_text())
                        || w.eq_ignore_ascii_case(r.status.name())
                }))
            && (self.action.is_empty()
                || self
                    .action
                    .iter()
                    .any(|a| a.eq_ignore_ascii_case(r.action.name())))
    }
}

/// An event list query.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EventQuery {
    /// Also the events of nested stacks, this many levels down.
    pub nested_depth: u32,
    /// Only the events of this resource.
    pub resource_name: Vec<String>,
    /// Resource actions to keep.
    pub resource_action: Vec<String>,
    /// Resource statuses to keep.
    pub resource_status: Vec<String>,
    /// Resource types to keep.
    pub resource_type: Vec<String>,
    /// Oldest first unless descending (Heat's default is ascending).
    pub sort_dir: Option<SortDir>,
    /// At most this many.
    pub limit: Option<usize>,
    /// Start after this event id.
    pub marker: Option<String>,
}

impl EventQuery {
    /// Whether an event passes the filters.
    pub fn keeps(&self, e: &Event) -> bool {
        (self.resource_name.is_empty() || self.resource_name.contains(&e.resource_name))
            && (self.resource_type.is_empty() || self.resource_type.contains(&e.resource_type))
            && (self.resource_action.is_empty()
                || self
                    .resource_action
                    .iter()
                    .any(|a| a.eq_ignore_ascii_case(e.action.name())))
            && (self.resource_status.is_empty()
                || self
                    .resource_status
                    .iter()
                    .any(|a| a.eq_ignore_ascii_case(e.status.name())))
    }

    /// Filters, orders (by time; oldest first by default) and pages events.
    pub fn apply(&self, mut events: Vec<Event>) -> Vec<Event> {
        events.retain(|e| self.keeps(e));
        events.sort_by(|a, b| a.time.partial_cmp(&b.time).unwrap_or(Ordering::Equal));
        if self.sort_dir == Some(SortDir::Desc) {
            events.reverse();
        }
        page(events, self.marker.as_deref(), self.limit, |e| &e.id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::testing::contract::stack;

    fn stack_named(id: &str, name: &str, created_at: f64) -> StackRecord {
        let mut s = stack(id, name, "p");
        s.created_at = created_at;
        s
    }

    #[test]
    fn stacks_filter_sort_and_page_as_heat() {
        let mut a = stack_named("1", "alpha", 10.0);
        a.tags = vec!["web".into(), "prod".into()];
        let mut b = stack_named("2", "beta", 20.0);
        b.tags = vec!["web".into()];
        let c = stack_named("3", "gamma", 30.0);
        let all = vec![a, b, c];
        let names = |q: &StackQuery| -> Vec<String> {
            q.apply(all.clone()).into_iter().map(|s| s.name).collect()
        };
        assert_eq!(names(&StackQuery::default()), ["gamma", "beta", "alpha"]);
        let q = StackQuery {
            sort_keys: vec!["stack_name".into()],
            sort_dir: SortDir::Asc,
            limit: Some(2),
            ..StackQuery::default()
        };
        assert_eq!(names(&q), ["alpha", "beta"]);
        let q = StackQuery {
            marker: Some("2".into()),
            ..q
        };
        assert_eq!(names(&q), ["gamma"]);
        let q = StackQuery {
            tags: vec!["web".into(), "prod".into()],
            ..StackQuery::default()
        };
        assert_eq!(names(&q), ["alpha"]);
        let q = StackQuery {
            not_tags_any: vec!["web".into()],
            ..StackQuery::default()
        };
        assert_eq!(names(&q), ["gamma"]);
        let q = StackQuery {
            status: vec!["create_in_progress".into()],
            name: vec!["beta".into(), "gamma".into()],
            ..StackQuery::default()
        };
        assert_eq!(names(&q), ["gamma", "beta"]);
    }
}
