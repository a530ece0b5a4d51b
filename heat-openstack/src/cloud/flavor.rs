//! Nova flavors, as Heat's `OS::Nova::Flavor`: made with the template's
//! `flavorid` (Nova's `auto` otherwise) and description, tagged after it
//! (compute 2.55) so a create the engine died in is found again; then
//! (once made, steps that may run again) extra specs set and a private
//! flavor shared with its `tenants` (names or ids), or with the stack's
//! own project when none are given, as Heat does.
//! Updates in place: extra specs set and unset, projects given and taken
//! access, the description. Attributes: `is_public` and `extra_specs`.

use heat_core::engine::{Attributes, DriverError, ResourceSpec};
use heat_resources::ObjectKind;
use reqwest::Method;
use serde_json::{json, Value as Json};

use super::{gone, s, OpenStackCloud};
use crate::requests::{self, tag};

/// The compute microversion from which a flavor has a description.
pub(super) const DESCRIPTION: &str = "2.55";

impl OpenStackCloud {
    /// Makes a flavor; its id.
    pub(super) async fn create_flavor(
        &self,
        spec: &ResourceSpec,
        name: &str,
    ) -> Result<String, DriverError> {
        let p = &spec.properties;
        let mut body = requests::flavor(p, name);
        if let Some(id) = s(p, &["flavorid"]) {
            body["flavor"]["id"] = json!(id);
        }
        if self.compute_at_least(DESCRIPTION).await? {
            body["flavor"]["description"] = json!(requests::tagged_description(
                p,
                &tag(&spec.stack_id, &spec.name)
            ));
        } else if s(p, &["description"]).is_some() {
            self.needs_compute(DESCRIPTION, "a flavor's description")
                .await?;
        }
        self.create_untagged(ObjectKind::Flavor, name, &body)
            .await?
            .id(ObjectKind::Flavor)
    }

    /// Finishes a flavor its create made: extra specs set, a private one
    /// shared (each step one that may run again); its attributes.
    pub(super) async fn flavor_ready(
        &self,
        spec: &ResourceSpec,
        id: &str,
    ) -> Result<Attributes, DriverError> {
        let p = &spec.properties;
        self.set_flavor_extra_specs(id, p).await?;
        if p.get("is_public") == Some(&Json::Bool(false)) {
            let had = self.flavor_projects(id).await?;
            self.share_flavor(id, &had, p, true).await?;
        }
        self.flavor_attributes(id).await
    }

    /// Changes a flavor in place: extra specs, projects, description.
    pub(super) async fn update_flavor(
        &self,
        spec: &ResourceSpec,
        id: &str,
        old: &Json,
    ) -> Result<(), DriverError> {
        let p = &spec.properties;
        self.update_flavor_extra_specs(id, p, old).await?;
        // A public flavor has no access list (Nova refuses to show one).
        let private = p.get("is_public") == Some(&Json::Bool(false));
        if private && p.get("tenants") != old.get("tenants") {
            let had = self.flavor_projects(id).await?;
            self.share_flavor(id, &had, p, false).await?;
        }
        if p.get("description") != old.get("description") {
            self.needs_compute(DESCRIPTION, "a flavor's description")
                .await?;
            let description = requests::tagged_description(p, &tag(&spec.stack_id, &spec.name));
            self.session
                .request(
                    "compute",
                    Method::PUT,
                    &format!("/flavors/{id}"),
                    Some(&json!({"flavor": {"description": description}})),
                )
                .await?;
        }
        Ok(())
    }

    /// A private flavor's projects, from `had` to those `p` gives (at
    /// create, the stack's own project when it gives none, as Heat's
    /// `handle_create`; an update to none takes every access away, as its
    /// `handle_update`); a public one has none.
    async fn share_flavor(
        &self,
        id: &str,
        had: &[String],
        p: &Json,
        creating: bool,
    ) -> Result<(), DriverError> {
        if p.get("is_public") != Some(&Json::Bool(false)) {
            return Ok(());
        }
        let mut wanted = Vec::new();
        for project in p
            .get("tenants")
            .and_then(Json::as_array)
            .into_iter()
            .flatten()
            .filter_map(Json::as_str)
            .filter(|v| !v.is_empty())
        {
            wanted.push(self.identity_id("projects", "project", project).await?);
        }
        if wanted.is_empty() && creating {
            let token = self.session.token(false).await?;
            wanted.extend(token.project_id);
        }
        let path = format!("/flavors/{id}/action");
        for project in wanted.iter().filter(|w| !had.contains(w)) {
            let body = json!({"addTenantAccess": {"tenant": project}});
            self.session
                .request("compute", Method::POST, &path, Some(&body))
                .await?;
        }
        for project in had.iter().filter(|h| !wanted.contains(h)) {
            let body = json!({"removeTenantAccess": {"tenant": project}});
            gone(
                self.session
                    .request("compute", Method::POST, &path, Some(&body))
                    .await,
            )?;
        }
        Ok(())
    }

    /// The projects a private flavor is shared with.
    async fn flavor_projects(&self, id: &str) -> Result<Vec<String>, DriverError> {
        let list = self
            .get("compute", &format!("/flavors/{id}/os-flavor-access"))
            .await?;
        Ok(list["flavor_access"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|a| a["tenant_id"].as_str().map(String::from))
            .collect())
    }

    /// A flavor's attributes, as Heat's: `is_public`, `extra_specs`.
    pub(super) async fn flavor_attributes(&self, id: &str) -> Result<Attributes, DriverError> {
        let flavor = self.get("compute", &format!("/flavors/{id}")).await?;
        let specs = self
            .get("compute", &format!("/flavors/{id}/os-extra_specs"))
            .await?;
        let mut attributes = Attributes::new();
        attributes.insert(
            "is_public".into(),
            flavor["flavor"]["os-flavor-access:is_public"].clone(),
        );
        attributes.insert("extra_specs".into(), specs["extra_specs"].clone());
        Ok(attributes)
    }

    /// A flavor's `extra_specs` changed in place: the keys given set, the
    /// keys no longer given unset (Heat's `handle_update`).
    async fn update_flavor_extra_specs(
        &self,
        id: &str,
        p: &Json,
        old: &Json,
    ) -> Result<(), DriverError> {
        if p.get("extra_specs") == old.get("extra_specs") {
            return Ok(());
        }
        let keys = |v: &Json| -> Vec<String> {
            v.get("extra_specs")
                .and_then(Json::as_object)
                .map(|m| m.keys().cloned().collect())
                .unwrap_or_default()
        };
        let wanted = keys(p);
        for gone in keys(old).iter().filter(|k| !wanted.contains(k)) {
            self.session
                .request(
                    "compute",
                    Method::DELETE,
                    &format!("/flavors/{id}/os-extra_specs/{gone}"),
                    None,
                )
                .await?;
        }
        self.set_flavor_extra_specs(id, p).await
    }

    /// Sets the extra specs a flavor's properties give.
    async fn set_flavor_extra_specs(&self, id: &str, p: &Json) -> Result<(), DriverError> {
        if let Some(specs) = requests::flavor_extra_specs(p) {
            self.session
                .request(
                    "compute",
                    Method::POST,
                    &format!("/flavors/{id}/os-extra_specs"),
                    Some(&specs),
                )
                .await?;
        }
        Ok(())
    }
}
