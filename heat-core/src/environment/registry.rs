//! The resource registry: type aliases, provider templates, globs and
//! per-resource entries (type mappings, hooks, restricted actions), looked
//! up as Heat looks them up.

use std::fmt;

use serde_json::{Map as JsonMap, Value as Json};

use crate::function::python::{repr, str_of};

/// The hooks (breakpoints) a resource may have.
pub const HOOK_TYPES: [&str; 6] = [
    "pre-create",
    "pre-update",
    "pre-delete",
    "post-create",
    "post-update",
    "post-delete",
];
/// The actions that may be restricted.
pub const RESTRICTED_ACTIONS: [&str; 2] = ["update", "replace"];

/// A hook name.
pub type Hook = String;

/// A registry entry that is invalid.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub struct RegistryError {
    /// The path of the entry in `resource_registry`.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for RegistryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// What a type resolves to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TypeTarget {
    /// A type of the catalog.
    Type(String),
    /// A provider template file.
    Template(String),
}

#[derive(Debug, Clone, PartialEq)]
struct Entry {
    /// `[type]` or `["resources", name, type]`.
    path: Vec<String>,
    value: String,
}

impl Entry {
    fn name(&self) -> &str {
        self.path.last().expect("paths are not empty")
    }
}

/// Per-resource settings: `resources: {PATTERN: {hooks, restricted_actions}}`.
#[derive(Debug, Clone, Default, PartialEq)]
struct ResourceSettings {
    pattern: String,
    hooks: Vec<String>,
    restricted: Vec<String>,
}

/// The aliases of Heat's global environment as a stock deployment has it
/// (`etc/heat/environment.d/default.yaml` of Heat 27), beneath every
/// stack's own registry. Two of its entries are left out: heat-rs
/// evaluates `AWS::CloudWatch::Alarm` itself (Heat maps it to a provider
/// template of an Aodh alarm), and has no `AWS::RDS::DBInstance` template.
pub const GLOBAL_ALIASES: [(&str, &str); 8] = [
    ("OS::Quantum*", "OS::Neutron*"),
    ("OS::Metering::Alarm", "OS::Aodh::Alarm"),
    ("OS::Ceilometer::Alarm", "OS::Aodh::Alarm"),
    (
        "OS::Ceilometer::GnocchiResourcesAlarm",
        "OS::Aodh::GnocchiResourcesAlarm",
    ),
    (
        "OS::Ceilometer::GnocchiAggregationByMetricsAlarm",
        "OS::Aodh::GnocchiAggregationByMetricsAlarm",
    ),
    (
        "OS::Ceilometer::GnocchiAggregationByResourcesAlarm",
        "OS::Aodh::GnocchiAggregationByResourcesAlarm",
    ),
    (
        "OS::Ceilometer::CombinationAlarm",
        "OS::Aodh::CombinationAlarm",
    ),
    ("AWS::RDS::DBInstance", RDS_TEMPLATE),
];

/// Where Heat's global environment has `AWS::RDS::DBInstance`'s template.
const RDS_TEMPLATE: &str = "file:///etc/heat/templates/AWS_RDS_DBInstance.yaml";

/// The provider templates of Heat's global environment, by the key its
/// aliases name them with: (type, key, template). A request that uses the
/// type gets the template among its files (`service::assemble`).
pub const BUILTIN_TEMPLATES: [(&str, &str, &str); 1] = [(
    "AWS::RDS::DBInstance",
    RDS_TEMPLATE,
    include_str!("../../data/AWS_RDS_DBInstance.yaml"),
)];

/// A user resource registry.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Registry {
    entries: Vec<Entry>,
    settings: Vec<ResourceSettings>,
    raw: JsonMap<String, Json>,
}

fn is_template(s: &str) -> bool {
    s.ends_with(".yaml") || s.ends_with(".template") || s.ends_with(".yml") || s.ends_with(".json")
}

fn string_or_list(value: &Json, allowed: &[&str]) -> Option<Vec<String>> {
    match value {
        Json::String(s) if allowed.contains(&s.as_str()) => Some(vec![s.clone()]),
        Json::Array(a) => a
            .iter()
            .map(|v| v.as_str().filter(|s| allowed.contains(s)).map(String::from))
            .collect(),
        _ => None,
    }
}

fn tuple_repr(items: &[&str]) -> String {
    format!(
        "({})",
        items
            .iter()
            .map(|s| format!("'{s}'"))
            .collect::<Vec<_>>()
            .join(", ")
    )
}

impl Registry {
    /// Loads a `resource_registry` section (deep merge by path; `null`
    /// deletes an earlier entry).
    pub fn load(&mut self, map: &JsonMap<String, Json>) -> Result<(), RegistryError> {
        self.load_at(&[], map)?;
        for (k, v) in map {
            self.raw.insert(k.clone(), v.clone());
        }
        Ok(())
    }

    fn load_at(
        &mut self,
        path: &[String],
        map: &JsonMap<String, Json>,
    ) -> Result<(), RegistryError> {
        for (k, v) in map {
            let mut p = path.to_vec();
            p.push(k.clone());
            let path_text = p.join(".");
            match (k.as_str(), v) {
                (_, Json::Null) => self.remove(&p),
                ("hooks", v) => {
                    let hooks = string_or_list(v, &HOOK_TYPES).ok_or_else(|| RegistryError {
                        path: path_text.clone(),
                        message: format!(
                            "Invalid hook type \"{}\" for resource breakpoint, acceptable hook types are: {}",
                            str_of(v),
                            tuple_repr(&HOOK_TYPES)
                        ),
                    })?;
                    self.settings_for(path).hooks = hooks;
                }
                ("restricted_actions", v) => {
                    let actions = string_or_list(v, &RESTRICTED_ACTIONS).ok_or_else(|| RegistryError {
                        path: path_text.clone(),
                        message: format!(
                            "Invalid restricted_action type \"{}\" for resource, acceptable restricted_action types are: {}",
                            str_of(v),
                            tuple_repr(&RESTRICTED_ACTIONS)
                        ),
                    })?;
                    self.settings_for(path).restricted = actions;
                }
                (_, Json::Object(inner)) => self.load_at(&p, inner)?,
                (_, Json::String(target)) => {
                    self.entries.retain(|e| e.path != p);
                    self.entries.push(Entry {
                        path: p,
                        value: target.clone(),
                    });
                }
                (_, other) => {
                    return Err(RegistryError {
                        path: path_text,
                        message: format!(
                        "resource_registry entry \"{k}\" must map to a type or a template, not {}",
                        repr(other)
                    ),
                    })
                }
            }
        }
        Ok(())
    }

    fn settings_for(&mut self, path: &[String]) -> &mut ResourceSettings {
        let pattern = match path {
            [r, name, ..] if r == "resources" => name.clone(),
            _ => "*".to_string(),
        };
        if let Some(i) = self.settings.iter().position(|s| s.pattern == pattern) {
            return &mut self.settings[i];
        }
        self.settings.push(ResourceSettings {
            pattern,
            ..Default::default()
        });
        self.settings.last_mut().expect("just pushed")
    }

    fn remove(&mut self, path: &[String]) {
        let name = path.last().expect("non-empty");
        let parent = &path[..path.len() - 1];
        if let Some(prefix) = name.strip_suffix('*') {
            self.entries.retain(|e| {
                !(e.path[..e.path.len() - 1] == *parent && e.name().starts_with(prefix))
            });
        } else {
            self.entries.retain(|e| !e.path.starts_with(path));
        }
    }

    /// A registry of the global environment's aliases ([`GLOBAL_ALIASES`]),
    /// for a stack's own registry to be loaded over (its entries win; a
    /// `null` removes an alias). Not shown as part of the stack's
    /// environment.
    pub fn global() -> Registry {
        Registry {
            entries: GLOBAL_ALIASES
                .iter()
                .map(|(from, to)| Entry {
                    path: vec![from.to_string()],
                    value: to.to_string(),
                })
                .collect(),
            ..Registry::default()
        }
    }

    /// Merges a later registry over this one.
    pub fn merge(&mut self, later: Registry) {
        for e in later.entries {
            self.entries.retain(|x| x.path != e.path);
            self.entries.push(e);
        }
        for s in later.settings {
            self.settings.retain(|x| x.pattern != s.pattern);
            self.settings.push(s);
        }
        self.raw.extend(later.raw);
    }

    /// Resolves a resource type for a resource: per-resource entries, exact
    /// entries and globs, aliases followed; `known` says whether the catalog
    /// has a type. `None` when nothing resolves.
    pub fn resolve(
        &self,
        type_name: &str,
        resource: Option<&str>,
        known: &dyn Fn(&str) -> bool,
    ) -> Option<TypeTarget> {
        self.resolve_depth(type_name, resource, known, 0)
    }

    fn resolve_depth(
        &self,
        type_name: &str,
        resource: Option<&str>,
        known: &dyn Fn(&str) -> bool,
        depth: usize,
    ) -> Option<TypeTarget> {
        if depth > 32 {
            return None; // an alias cycle
        }
        let mut candidates: Vec<&Entry> = Vec::new();
        if let Some(name) = resource {
            candidates.extend(self.entries.iter().filter(|e| {
                e.path.len() == 3
                    && e.path[0] == "resources"
                    && e.path[1] == name
                    && e.path[2] == type_name
            }));
        }
        candidates.extend(
            self.entries
                .iter()
                .filter(|e| e.path.len() == 1 && e.name() == type_name),
        );
        candidates.extend(self.entries.iter().filter(|e| {
            e.path.len() == 1
                && e.name().ends_with('*')
                && type_name != e.value
                && type_name.starts_with(&e.name()[..e.name().len() - 1])
        }));
        candidates.sort_by(|a, b| {
            b.path
                .len()
                .cmp(&a.path.len())
                .then_with(|| a.path.cmp(&b.path))
        });
        for c in candidates {
            let target = if is_template(c.name()) {
                return Some(TypeTarget::Template(c.name().to_string()));
            } else if is_template(&c.value) {
                return Some(TypeTarget::Template(c.value.clone()));
            } else if let Some(prefix) = c.name().strip_suffix('*') {
                match c.value.strip_suffix('*') {
                    Some(vprefix) => format!("{vprefix}{}", &type_name[prefix.len()..]),
                    None => c.value.clone(),
                }
            } else {
                c.value.clone()
            };
            if let Some(found) = self.resolve_depth(&target, resource, known, depth + 1) {
                return Some(found);
            }
        }
        if is_template(type_name) {
            return Some(TypeTarget::Template(type_name.to_string()));
        }
        known(type_name).then(|| TypeTarget::Type(type_name.to_string()))
    }

    /// The hooks set for a resource (patterns matched as fnmatch does).
    pub fn hooks(&self, resource: &str) -> Vec<Hook> {
        let mut out: Vec<Hook> = Vec::new();
        for s in self
            .settings
            .iter()
            .filter(|s| fnmatch(&s.pattern, resource))
        {
            for h in &s.hooks {
                if !out.contains(h) {
                    out.push(h.clone());
                }
            }
        }
        out
    }

    /// The restricted actions of a resource (`update`, `replace`).
    pub fn restricted_actions(&self, resource: &str) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for s in self
            .settings
            .iter()
            .filter(|s| fnmatch(&s.pattern, resource))
        {
            for a in &s.restricted {
                if !out.contains(a) {
                    out.push(a.clone());
                }
            }
        }
        out
    }

    /// The registry as it was written (merged), for display.
    pub fn to_json(&self) -> Json {
        let mut raw = self.raw.clone();
        raw.entry("resources")
            .or_insert_with(|| Json::Object(JsonMap::new()));
        Json::Object(raw)
    }
}

/// Shell-style wildcard matching (`*`, `?`, `[abc]`, `[!abc]`), case-sensitive.
pub fn fnmatch(pattern: &str, name: &str) -> bool {
    fn go(p: &[char], n: &[char]) -> bool {
        match p.first() {
            None => n.is_empty(),
            Some('*') => (0..=n.len()).any(|i| go(&p[1..], &n[i..])),
            Some('?') => !n.is_empty() && go(&p[1..], &n[1..]),
            Some('[') => {
                let Some(end) = p.iter().skip(1).position(|c| *c == ']').map(|i| i + 1) else {
                    return n.first() == Some(&'[') && go(&p[1..], &n[1..]);
                };
                let Some(c) = n.first() else { return false };
                let (negate, set) = match p[1] {
                    '!' => (true, &p[2..end]),
                    _ => (false, &p[1..end]),
                };
                let mut hit = false;
                let mut i = 0;
                while i < set.len() {
                    if i + 2 < set.len() && set[i + 1] == '-' {
                        hit |= set[i] <= *c && *c <= set[i + 2];
                        i += 3;
                    } else {
                        hit |= set[i] == *c;
                        i += 1;
                    }
                }
                hit != negate && go(&p[end + 1..], &n[1..])
            }
            Some(ch) => n.first() == Some(ch) && go(&p[1..], &n[1..]),
        }
    }
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    go(&p, &n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn registry(v: Json) -> Registry {
        let mut r = Registry::default();
        r.load(v.as_object().unwrap()).unwrap();
        r
    }

    fn known(t: &str) -> bool {
        t.starts_with("OS::Nova::") || t == "OS::Heat::None"
    }

    #[test]
    fn aliases_templates_and_globs_resolve() {
        let r = registry(json!({
            "My::Server": "OS::Nova::Server",
            "My::Web": "web.yaml",
            "OS::Neutron::*": "OS::Heat::None",
            "Old::*": "OS::Nova::*",
            "resources": {"special": {"My::Server": "special.yaml"}}
        }));
        assert_eq!(
            r.resolve("My::Server", Some("x"), &known),
            Some(TypeTarget::Type("OS::Nova::Server".into()))
        );
        assert_eq!(
            r.resolve("My::Server", Some("special"), &known),
            Some(TypeTarget::Template("special.yaml".into()))
        );
        assert_eq!(
            r.resolve("My::Web", None, &known),
            Some(TypeTarget::Template("web.yaml".into()))
        );
        assert_eq!(
            r.resolve("OS::Neutron::Port", None, &known),
            Some(TypeTarget::Type("OS::Heat::None".into()))
        );
        assert_eq!(
            r.resolve("Old::Server", None, &known),
            Some(TypeTarget::Type("OS::Nova::Server".into()))
        );
        assert_eq!(r.resolve("Nope::Thing", None, &known), None);
    }

    #[test]
    fn alias_cycles_do_not_hang() {
        let r = registry(json!({"A::X": "B::X", "B::X": "A::X"}));
        assert_eq!(r.resolve("A::X", None, &known), None);
    }

    #[test]
    fn hooks_and_restricted_actions_match_patterns() {
        let r = registry(json!({"resources": {
            "web_*": {"hooks": ["pre-create", "pre-update"]},
            "db": {"restricted_actions": "replace", "hooks": "pre-delete"}
        }}));
        assert_eq!(r.hooks("web_1"), vec!["pre-create", "pre-update"]);
        assert_eq!(r.hooks("db"), vec!["pre-delete"]);
        assert_eq!(r.restricted_actions("db"), vec!["replace"]);
        assert!(r.restricted_actions("web_1").is_empty());
    }

    #[test]
    fn bad_hooks_are_refused_with_heats_message() {
        let mut r = Registry::default();
        let e = r
            .load(
                json!({"resources": {"a": {"hooks": "bogus"}}})
                    .as_object()
                    .unwrap(),
            )
            .unwrap_err();
        assert_eq!(
            e.message,
            "Invalid hook type \"bogus\" for resource breakpoint, acceptable hook types are: ('pre-create', 'pre-update', 'pre-delete', 'post-create', 'post-update', 'post-delete')"
        );
    }

    #[test]
    fn fnmatch_is_shell_style() {
        assert!(fnmatch("web_*", "web_12"));
        assert!(fnmatch("w?b", "web"));
        assert!(fnmatch("[a-c]x", "bx"));
        assert!(!fnmatch("[!a-c]x", "bx"));
        assert!(!fnmatch("web", "web2"));
    }
}
