//! Keystone objects, as Heat's `OS::Keystone::*` resources make them:
//! domains, projects, roles, groups and users (a user's groups and a
//! user's or group's role assignments with it), the role assignments of
//! `UserRoleAssignment` and `GroupRoleAssignment`, and the catalog's
//! regions, services and endpoints. Names or ids are
//! taken wherever Heat takes them (`keystone.project` and the other
//! constraints). Each object carries its stack and resource in its
//! description (after the template's), so that a create killed before it
//! recorded the id finds it again. An assignment's id names its user or
//! group and each role granted (`user:<id>;<role>@project:<id>;...`), so
//! that its delete revokes exactly those; a change gives it another.

use heat_core::engine::{Attributes, DriverError, DriverErrorKind, ResourceSpec};
use heat_resources::ObjectKind;
use reqwest::Method;
use serde_json::{json, Map as JsonMap, Value as Json};

use super::{gone, s, OpenStackCloud};
use crate::requests::{tag, tagged_description};

/// A role granted on a project or a domain, by ids.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct Grant {
    role: String,
    /// `projects` or `domains`.
    scope: &'static str,
    target: String,
}

impl Grant {
    fn encode(&self) -> String {
        let scope = self.scope.trim_end_matches('s');
        format!("{}@{scope}:{}", self.role, self.target)
    }

    fn decode(s: &str) -> Option<Grant> {
        let (role, rest) = s.split_once('@')?;
        let (scope, target) = rest.split_once(':')?;
        let scope = match scope {
            "project" => "projects",
            "domain" => "domains",
            _ => return None,
        };
        Some(Grant {
            role: role.to_string(),
            scope,
            target: target.to_string(),
        })
    }
}

/// Who is granted roles: `users` or `groups`, and the id.
type Principal = (&'static str, String);

/// An assignment's id: its principal and grants.
pub(super) fn assignment_id(principal: &Principal, grants: &[Grant]) -> String {
    let who = principal.0.trim_end_matches('s');
    let mut parts = vec![format!("{who}:{}", principal.1)];
    parts.extend(grants.iter().map(Grant::encode));
    parts.join(";")
}

/// An assignment's principal and grants, from its id.
pub(super) fn parse_assignment(id: &str) -> Option<(Principal, Vec<Grant>)> {
    let mut parts = id.split(';');
    let (who, principal) = parts.next()?.split_once(':')?;
    let who = match who {
        "user" => "users",
        "group" => "groups",
        _ => return None,
    };
    let grants = parts.map(Grant::decode).collect::<Option<Vec<_>>>()?;
    Some(((who, principal.to_string()), grants))
}

/// The collection (`projects`) and the body's key (`project`) of an
/// identity kind.
pub(super) fn collection(kind: ObjectKind) -> (&'static str, &'static str) {
    match kind {
        ObjectKind::KeystoneDomain => ("domains", "domain"),
        ObjectKind::KeystoneProject => ("projects", "project"),
        ObjectKind::KeystoneRole => ("roles", "role"),
        ObjectKind::KeystoneGroup => ("groups", "group"),
        ObjectKind::KeystoneUser => ("users", "user"),
        ObjectKind::KeystoneRegion => ("regions", "region"),
        ObjectKind::KeystoneService => ("services", "service"),
        ObjectKind::KeystoneEndpoint => ("endpoints", "endpoint"),
        other => unreachable!("{other} is not a Keystone object with a collection"),
    }
}

fn boolean(p: &Json, key: &str, default: bool) -> bool {
    match p.get(key) {
        Some(Json::Bool(b)) => *b,
        Some(Json::String(s)) => s.eq_ignore_ascii_case("true"),
        _ => default,
    }
}

impl OpenStackCloud {
    /// The id of a Keystone object named by name or id: `collection` is
    /// `projects`, `domains`, `roles`, `users` or `groups`.
    pub(super) async fn identity_id(
        &self,
        collection: &str,
        what: &str,
        name_or_id: &str,
    ) -> Result<String, DriverError> {
        match self
            .get("identity", &format!("/{collection}/{name_or_id}"))
            .await
        {
            Ok(_) => return Ok(name_or_id.to_string()),
            Err(e) if e.kind != DriverErrorKind::NotFound => return Err(e),
            Err(_) => {}
        }
        let name =
            percent_encoding::utf8_percent_encode(name_or_id, percent_encoding::NON_ALPHANUMERIC);
        let found = self
            .get("identity", &format!("/{collection}?name={name}"))
            .await?;
        let items = found[collection].as_array().cloned().unwrap_or_default();
        match items.as_slice() {
            [one] => Ok(one["id"].as_str().unwrap_or_default().to_string()),
            [] => Err(DriverError::fatal(format!(
                "The Keystone {what} ({name_or_id}) could not be found."
            ))),
            _ => Err(DriverError::fatal(format!(
                "Keystone has several {collection} named {name_or_id}: give its id"
            ))),
        }
    }

    async fn domain_id(&self, p: &Json) -> Result<String, DriverError> {
        self.identity_id("domains", "domain", s(p, &["domain"]).unwrap_or("default"))
            .await
    }

    /// The grants of a `roles` property, by ids.
    async fn grants(&self, p: &Json) -> Result<Vec<Grant>, DriverError> {
        let mut out = Vec::new();
        for r in p
            .get("roles")
            .and_then(Json::as_array)
            .into_iter()
            .flatten()
        {
            let role = s(r, &["role"]).unwrap_or_default();
            let role = self.identity_id("roles", "role", role).await?;
            let (scope, target) =
                match (s(r, &["project"]), s(r, &["domain"])) {
                    (Some(project), None) => (
                        "projects",
                        self.identity_id("projects", "project", project).await?,
                    ),
                    (None, Some(domain)) => (
                        "domains",
                        self.identity_id("domains", "domain", domain).await?,
                    ),
                    (Some(_), Some(_)) => return Err(DriverError::fatal(
                        "Cannot define the following properties at the same time: project, domain",
                    )),
                    (None, None) => {
                        return Err(DriverError::fatal(format!(
                            "Either project or domain must be specified for role {role}"
                        )))
                    }
                };
            out.push(Grant {
                role,
                scope,
                target,
            });
        }
        out.sort();
        out.dedup();
        Ok(out)
    }

    /// Grants (`PUT`) or revokes (`DELETE`; one already gone is done) roles.
    async fn set_grants(
        &self,
        principal: &Principal,
        grants: &[Grant],
        method: Method,
    ) -> Result<(), DriverError> {
        for g in grants {
            let path = format!(
                "/{}/{}/{}/{}/roles/{}",
                g.scope, g.target, principal.0, principal.1, g.role
            );
            let r = self
                .session
                .request("identity", method.clone(), &path, None)
                .await;
            // A revoke finding the grant gone is done.
            if method == Method::DELETE {
                gone(r)?;
            } else {
                r?;
            }
        }
        Ok(())
    }

    /// Moves a principal from the grants of `old` to those of `new`.
    async fn regrant(
        &self,
        principal: &Principal,
        old: &[Grant],
        new: &[Grant],
    ) -> Result<(), DriverError> {
        let added: Vec<Grant> = new.iter().filter(|g| !old.contains(g)).cloned().collect();
        let removed: Vec<Grant> = old.iter().filter(|g| !new.contains(g)).cloned().collect();
        self.set_grants(principal, &added, Method::PUT).await?;
        self.set_grants(principal, &removed, Method::DELETE).await
    }

    /// The ids of the groups a `groups` property names.
    async fn group_ids(&self, p: &Json) -> Result<Vec<String>, DriverError> {
        let mut out = Vec::new();
        for g in p
            .get("groups")
            .and_then(Json::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(g) = g.as_str().filter(|g| !g.is_empty()) {
                out.push(self.identity_id("groups", "group", g).await?);
            }
        }
        Ok(out)
    }

    /// The body of a Keystone object (`update`: only what may change).
    async fn identity_body(
        &self,
        kind: ObjectKind,
        spec: &ResourceSpec,
        update: bool,
    ) -> Result<Json, DriverError> {
        let p = &spec.properties;
        let mut b = JsonMap::new();
        // A region is named by its id.
        if kind != ObjectKind::KeystoneRegion {
            b.insert("name".into(), json!(Self::name(spec)));
        }
        let description = tagged_description(p, &tag(&spec.stack_id, &spec.name));
        b.insert("description".into(), json!(description));
        match kind {
            ObjectKind::KeystoneDomain => {
                b.insert("enabled".into(), json!(boolean(p, "enabled", true)));
            }
            ObjectKind::KeystoneProject => {
                b.insert("enabled".into(), json!(boolean(p, "enabled", true)));
                let tags = p.get("tags").filter(|t| t.is_array()).cloned();
                b.insert("tags".into(), tags.unwrap_or_else(|| json!([])));
                if !update {
                    b.insert("domain_id".into(), json!(self.domain_id(p).await?));
                    if let Some(parent) = s(p, &["parent"]) {
                        let parent = self.identity_id("projects", "project", parent).await?;
                        b.insert("parent_id".into(), json!(parent));
                    }
                }
            }
            ObjectKind::KeystoneRole => {
                if let (false, Some(d)) = (update, s(p, &["domain"])) {
                    let d = self.identity_id("domains", "domain", d).await?;
                    b.insert("domain_id".into(), json!(d));
                }
            }
            ObjectKind::KeystoneGroup => {
                if !update {
                    b.insert("domain_id".into(), json!(self.domain_id(p).await?));
                }
            }
            ObjectKind::KeystoneRegion => {
                b.insert("enabled".into(), json!(boolean(p, "enabled", true)));
                if let (false, Some(id)) = (update, s(p, &["id"])) {
                    b.insert("id".into(), json!(id));
                }
                let parent = s(p, &["parent_region"]).map(|r| json!(r));
                b.insert("parent_region_id".into(), parent.unwrap_or(Json::Null));
            }
            ObjectKind::KeystoneService => {
                b.insert("enabled".into(), json!(boolean(p, "enabled", true)));
                b.insert("type".into(), json!(s(p, &["type"]).unwrap_or_default()));
            }
            // An endpoint keeps the description as one of its extra fields.
            ObjectKind::KeystoneEndpoint => {
                b.insert("enabled".into(), json!(boolean(p, "enabled", true)));
                for key in ["interface", "url"] {
                    b.insert(key.into(), json!(s(p, &[key]).unwrap_or_default()));
                }
                let service = s(p, &["service"]).unwrap_or_default();
                let service = self.identity_id("services", "service", service).await?;
                b.insert("service_id".into(), json!(service));
                let region = s(p, &["region"]).map(|r| json!(r));
                b.insert("region_id".into(), region.unwrap_or(Json::Null));
            }
            ObjectKind::KeystoneUser => {
                b.insert("enabled".into(), json!(boolean(p, "enabled", true)));
                for key in ["email", "password"] {
                    if let Some(v) = s(p, &[key]) {
                        b.insert(key.into(), json!(v));
                    }
                }
                if let Some(project) = s(p, &["default_project"]) {
                    let project = self.identity_id("projects", "project", project).await?;
                    b.insert("default_project_id".into(), json!(project));
                }
                if !update {
                    b.insert("domain_id".into(), json!(self.domain_id(p).await?));
                }
            }
            other => unreachable!("{other} has no Keystone body"),
        }
        Ok(Json::Object(b))
    }

    /// Makes a Keystone object (with a user's groups and a user's or
    /// group's roles); its id.
    pub(super) async fn create_identity_object(
        &self,
        kind: ObjectKind,
        spec: &ResourceSpec,
    ) -> Result<String, DriverError> {
        let p = &spec.properties;
        if kind == ObjectKind::RoleAssignment {
            let principal = self.principal(p).await?;
            let grants = self.grants(p).await?;
            self.set_grants(&principal, &grants, Method::PUT).await?;
            return Ok(assignment_id(&principal, &grants));
        }
        let (collection, key) = collection(kind);
        let body = json!({ key: self.identity_body(kind, spec, false).await? });
        let id = self
            .post_id("identity", &format!("/{collection}"), &body, key)
            .await?;
        self.join(kind, &id, p, &json!({})).await?;
        Ok(id)
    }

    /// A user's groups and a user's or group's roles, from those of `old`
    /// to those of `p`.
    async fn join(
        &self,
        kind: ObjectKind,
        id: &str,
        p: &Json,
        old: &Json,
    ) -> Result<(), DriverError> {
        let principal = match kind {
            ObjectKind::KeystoneUser => ("users", id.to_string()),
            ObjectKind::KeystoneGroup => ("groups", id.to_string()),
            _ => return Ok(()),
        };
        if kind == ObjectKind::KeystoneUser && p.get("groups") != old.get("groups") {
            let (before, after) = (self.group_ids(old).await?, self.group_ids(p).await?);
            for g in after.iter().filter(|g| !before.contains(g)) {
                let path = format!("/groups/{g}/users/{id}");
                self.session
                    .request("identity", Method::PUT, &path, None)
                    .await?;
            }
            for g in before.iter().filter(|g| !after.contains(g)) {
                let path = format!("/groups/{g}/users/{id}");
                gone(
                    self.session
                        .request("identity", Method::DELETE, &path, None)
                        .await,
                )?;
            }
        }
        if p.get("roles") != old.get("roles") {
            let (before, after) = (self.grants(old).await?, self.grants(p).await?);
            self.regrant(&principal, &before, &after).await?;
        }
        Ok(())
    }

    /// The user or group of an assignment.
    async fn principal(&self, p: &Json) -> Result<Principal, DriverError> {
        match (s(p, &["user"]), s(p, &["group"])) {
            (Some(u), _) => Ok(("users", self.identity_id("users", "user", u).await?)),
            (None, Some(g)) => Ok(("groups", self.identity_id("groups", "group", g).await?)),
            (None, None) => Err(DriverError::fatal("a user or a group is required")),
        }
    }

    /// Changes a Keystone object in place; an assignment's new id when it
    /// changed.
    pub(super) async fn update_identity_object(
        &self,
        kind: ObjectKind,
        spec: &ResourceSpec,
        id: &str,
        old: &Json,
    ) -> Result<Option<String>, DriverError> {
        let p = &spec.properties;
        if kind == ObjectKind::RoleAssignment {
            let (held, before) = parse_assignment(id)
                .ok_or_else(|| DriverError::fatal(format!("not a role assignment id: {id}")))?;
            let principal = self.principal(p).await?;
            let after = self.grants(p).await?;
            if principal == held {
                self.regrant(&principal, &before, &after).await?;
            } else {
                self.set_grants(&principal, &after, Method::PUT).await?;
                self.set_grants(&held, &before, Method::DELETE).await?;
            }
            let moved = assignment_id(&principal, &after);
            return Ok(Some(moved).filter(|m| m != id));
        }
        // Keystone keeps an object in its domain (Heat sends the change
        // and Keystone refuses it): said, not reported done.
        if p.get("domain") != old.get("domain") && kind != ObjectKind::KeystoneDomain {
            return Err(DriverError::fatal(format!(
                "Keystone does not move a {kind} to another domain: the domain of one that exists cannot change"
            )));
        }
        let (collection, key) = collection(kind);
        let body = json!({ key: self.identity_body(kind, spec, true).await? });
        self.session
            .request(
                "identity",
                Method::PATCH,
                &format!("/{collection}/{id}"),
                Some(&body),
            )
            .await?;
        self.join(kind, id, p, old).await?;
        Ok(None)
    }

    /// Deletes a Keystone object (a domain disabled first, as Keystone
    /// wants); an assignment revokes its grants. One already gone is done.
    pub(super) async fn delete_identity_object(
        &self,
        kind: ObjectKind,
        id: &str,
    ) -> Result<(), DriverError> {
        if kind == ObjectKind::RoleAssignment {
            let Some((principal, grants)) = parse_assignment(id) else {
                return Ok(());
            };
            return self.set_grants(&principal, &grants, Method::DELETE).await;
        }
        let (collection, key) = collection(kind);
        let path = format!("/{collection}/{id}");
        let result = async {
            if kind == ObjectKind::KeystoneDomain {
                let body = json!({ key: {"enabled": false} });
                self.session
                    .request("identity", Method::PATCH, &path, Some(&body))
                    .await?;
            }
            self.session
                .request("identity", Method::DELETE, &path, None)
                .await
        }
        .await;
        gone(result)
    }

    /// A Keystone object's attributes: its fields (a user's password never
    /// among them); an assignment's grants still held.
    pub(super) async fn check_identity_object(
        &self,
        kind: ObjectKind,
        id: &str,
    ) -> Result<Attributes, DriverError> {
        if kind == ObjectKind::RoleAssignment {
            let ((who, principal), grants) = parse_assignment(id)
                .ok_or_else(|| DriverError::not_found(format!("role assignment {id}")))?;
            for g in &grants {
                let path = format!(
                    "/{}/{}/{who}/{principal}/roles/{}",
                    g.scope, g.target, g.role
                );
                self.session
                    .request("identity", Method::HEAD, &path, None)
                    .await?;
            }
            return Ok(Attributes::new());
        }
        let (collection, key) = collection(kind);
        let body = self.get("identity", &format!("/{collection}/{id}")).await?;
        let mut a: Attributes = body[key].as_object().cloned().unwrap_or_default();
        a.remove("links");
        Ok(a)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_assignment_id_names_its_principal_and_grants() {
        let grants = vec![
            Grant {
                role: "r1".into(),
                scope: "projects",
                target: "p1".into(),
            },
            Grant {
                role: "r2".into(),
                scope: "domains",
                target: "default".into(),
            },
        ];
        let principal = ("users", "u1".to_string());
        let id = assignment_id(&principal, &grants);
        assert_eq!(id, "user:u1;r1@project:p1;r2@domain:default");
        assert_eq!(parse_assignment(&id), Some((principal, grants)));
        assert_eq!(
            parse_assignment("group:g1"),
            Some((("groups", "g1".to_string()), vec![]))
        );
        assert_eq!(parse_assignment("bogus"), None);
        assert_eq!(parse_assignment("user:u;r@planet:x"), None);
    }
}
