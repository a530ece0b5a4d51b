//! What an operator sets up for a project, as Heat's resources do: a
//! project's quotas (`OS::Nova::Quota`, `OS::Cinder::Quota`,
//! `OS::Neutron::Quota`: the limits given set, the project's defaults back
//! when the resource goes), Cinder volume types (`OS::Cinder::VolumeType`:
//! extra specs, public or shared with projects) and Nova host aggregates
//! (`OS::Nova::HostAggregate`: hosts and metadata). A quota's id is its
//! service and project (`compute:<project>`), so that its delete knows
//! where to reset; a volume type carries its stack and resource in its
//! description, an aggregate in its metadata (`heat_rs`).

use heat_core::engine::{Attributes, DriverError, DriverErrorKind, ResourceSpec};
use heat_resources::ObjectKind;
use reqwest::Method;
use serde_json::{json, Map as JsonMap, Value as Json};

use super::{gone, s, OpenStackCloud};
use crate::requests::{tag, tagged_description};

/// The limits Nova takes at the compute API heat-rs speaks (2.57 dropped
/// the network and file ones).
const NOVA_LIMITS: [&str; 7] = [
    "cores",
    "instances",
    "key_pairs",
    "metadata_items",
    "ram",
    "server_groups",
    "server_group_members",
];

/// The aggregate metadata key that carries its stack and resource.
pub(super) const AGGREGATE_TAG: &str = "heat_rs";

/// A quota's service (`compute`, `volume` or `network`), its path for a
/// project and the key of its body.
fn quota_path(service: &str, project: &str) -> (String, &'static str) {
    match service {
        "network" => (format!("/quotas/{project}"), "quota"),
        _ => (format!("/os-quota-sets/{project}"), "quota_set"),
    }
}

/// The service of a quota type.
fn quota_service(type_name: &str) -> &'static str {
    match type_name {
        "OS::Nova::Quota" => "compute",
        "OS::Cinder::Quota" => "volume",
        _ => "network",
    }
}

impl OpenStackCloud {
    /// The limits a quota resource sets (those given); a Nova limit the
    /// compute API no longer has is refused by name.
    fn quota_body(type_name: &str, p: &Json) -> Result<JsonMap<String, Json>, DriverError> {
        let mut limits = JsonMap::new();
        for (k, v) in p.as_object().into_iter().flatten() {
            if k == "project" || v.is_null() {
                continue;
            }
            if type_name == "OS::Nova::Quota" && !NOVA_LIMITS.contains(&k.as_str()) {
                return Err(DriverError::fatal(format!(
                    "Nova's compute API (2.57 and later) has no {k} quota; leave it out"
                )));
            }
            limits.insert(k.clone(), v.clone());
        }
        Ok(limits)
    }

    /// Sets a project's limits; the quota's id.
    async fn set_quota(&self, spec: &ResourceSpec) -> Result<String, DriverError> {
        let p = &spec.properties;
        let service = quota_service(&spec.type_name);
        let project = s(p, &["project"]).unwrap_or_default();
        let project = self.identity_id("projects", "project", project).await?;
        let (path, key) = quota_path(service, &project);
        let body = json!({ key: Self::quota_body(&spec.type_name, p)? });
        self.session
            .request(service, Method::PUT, &path, Some(&body))
            .await?;
        Ok(format!("{service}:{project}"))
    }

    /// Makes a quota or a volume type; its id.
    pub(super) async fn create_admin_object(
        &self,
        kind: ObjectKind,
        spec: &ResourceSpec,
    ) -> Result<String, DriverError> {
        match kind {
            ObjectKind::Quota => self.set_quota(spec).await,
            ObjectKind::HostAggregate => {
                let body = json!({"aggregate": Self::aggregate_body(spec)});
                let name = body["aggregate"]["name"].as_str().unwrap_or_default();
                let id = self.create_untagged(kind, name, &body).await?.id(kind)?;
                // Tagged at once, so that a retry finds it; one that cannot
                // be tagged is deleted rather than left unknown.
                let tagged = json!({"set_metadata": {"metadata": {
                    AGGREGATE_TAG: tag(&spec.stack_id, &spec.name)
                }}});
                let path = format!("/os-aggregates/{id}/action");
                if let Err(e) = self
                    .session
                    .request("compute", Method::POST, &path, Some(&tagged))
                    .await
                {
                    let _ = gone(
                        self.session
                            .request(
                                "compute",
                                Method::DELETE,
                                &format!("/os-aggregates/{id}"),
                                None,
                            )
                            .await,
                    );
                    return Err(e);
                }
                Ok(id)
            }
            ObjectKind::VolumeType => {
                let body = json!({ "volume_type": Self::volume_type_body(spec, false) });
                self.post_id("volume", "/types", &body, "volume_type").await
            }
            other => unreachable!("{other} is not an operator's object"),
        }
    }

    /// An aggregate's name and availability zone.
    fn aggregate_body(spec: &ResourceSpec) -> Json {
        let p = &spec.properties;
        let zone = s(p, &["availability_zone"]).map(|z| json!(z));
        json!({"name": Self::name(spec), "availability_zone": zone.unwrap_or(Json::Null)})
    }

    /// An aggregate's hosts and metadata, from those of `old` to those of
    /// `p` (`extra`: keys of heat-rs's own to set too).
    async fn aggregate_join(
        &self,
        id: &str,
        old: &Json,
        p: &Json,
        extra: Option<Json>,
    ) -> Result<(), DriverError> {
        let hosts = |v: &Json| -> Vec<String> {
            v.get("hosts")
                .and_then(Json::as_array)
                .into_iter()
                .flatten()
                .filter_map(|h| h.as_str().map(String::from))
                .collect()
        };
        let (before, after) = (hosts(old), hosts(p));
        let path = format!("/os-aggregates/{id}/action");
        for h in after.iter().filter(|h| !before.contains(h)) {
            let body = json!({"add_host": {"host": h}});
            self.session
                .request("compute", Method::POST, &path, Some(&body))
                .await?;
        }
        for h in before.iter().filter(|h| !after.contains(h)) {
            let body = json!({"remove_host": {"host": h}});
            gone(
                self.session
                    .request("compute", Method::POST, &path, Some(&body))
                    .await,
            )?;
        }
        let meta = |v: &Json| {
            v.get("metadata")
                .and_then(Json::as_object)
                .cloned()
                .unwrap_or_default()
        };
        let (before, after) = (meta(old), meta(p));
        let mut set = after.clone();
        // A key taken out is set to null: Nova removes it.
        for k in before.keys().filter(|k| !after.contains_key(*k)) {
            set.insert(k.clone(), Json::Null);
        }
        if let Some(Json::Object(extra)) = extra {
            set.extend(extra);
        }
        if !set.is_empty() {
            let body = json!({"set_metadata": {"metadata": set}});
            self.session
                .request("compute", Method::POST, &path, Some(&body))
                .await?;
        }
        Ok(())
    }

    /// A volume type's name, description and visibility (`update`: as
    /// Cinder's update names it).
    fn volume_type_body(spec: &ResourceSpec, update: bool) -> Json {
        let p = &spec.properties;
        let description = tagged_description(p, &tag(&spec.stack_id, &spec.name));
        let public = !matches!(p.get("is_public"), Some(Json::Bool(false)));
        let visibility = if update {
            "is_public"
        } else {
            "os-volume-type-access:is_public"
        };
        json!({
            "name": Self::name(spec),
            "description": description,
            visibility: public,
        })
    }

    /// A private volume type's projects, from those of `old` to those of
    /// `p` (names or ids).
    async fn share_volume_type(
        &self,
        id: &str,
        old: &[String],
        p: &Json,
    ) -> Result<(), DriverError> {
        if matches!(p.get("is_public"), Some(Json::Bool(false))) {
            let mut wanted = Vec::new();
            for project in p
                .get("projects")
                .and_then(Json::as_array)
                .into_iter()
                .flatten()
            {
                if let Some(project) = project.as_str().filter(|v| !v.is_empty()) {
                    wanted.push(self.identity_id("projects", "project", project).await?);
                }
            }
            let path = format!("/types/{id}/action");
            for project in wanted.iter().filter(|w| !old.contains(w)) {
                let body = json!({"addProjectAccess": {"project": project}});
                self.session
                    .request("volume", Method::POST, &path, Some(&body))
                    .await?;
            }
            for project in old.iter().filter(|o| !wanted.contains(o)) {
                let body = json!({"removeProjectAccess": {"project": project}});
                gone(
                    self.session
                        .request("volume", Method::POST, &path, Some(&body))
                        .await,
                )?;
            }
        }
        Ok(())
    }

    /// The projects a private volume type is shared with.
    async fn volume_type_projects(&self, id: &str) -> Result<Vec<String>, DriverError> {
        let path = format!("/types/{id}/os-volume-type-access");
        let list = match self.get("volume", &path).await {
            Ok(list) => list,
            // A public type has no access list.
            Err(e) if e.kind == DriverErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(e),
        };
        Ok(list["volume_type_access"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|a| a["project_id"].as_str().map(String::from))
            .collect())
    }

    /// Changes a quota's limits or a volume type in place.
    pub(super) async fn update_admin_object(
        &self,
        kind: ObjectKind,
        spec: &ResourceSpec,
        id: &str,
        old: &Json,
    ) -> Result<(), DriverError> {
        let p = &spec.properties;
        match kind {
            ObjectKind::Quota => {
                self.set_quota(spec).await?;
                return Ok(());
            }
            ObjectKind::HostAggregate => {
                let body = json!({"aggregate": Self::aggregate_body(spec)});
                let path = format!("/os-aggregates/{id}");
                self.session
                    .request("compute", Method::PUT, &path, Some(&body))
                    .await?;
                return self.aggregate_join(id, old, p, None).await;
            }
            _ => {}
        }
        let body = json!({ "volume_type": Self::volume_type_body(spec, true) });
        self.session
            .request("volume", Method::PUT, &format!("/types/{id}"), Some(&body))
            .await?;
        if p.get("metadata") != old.get("metadata") {
            let wanted = p
                .get("metadata")
                .and_then(Json::as_object)
                .cloned()
                .unwrap_or_default();
            let before = old
                .get("metadata")
                .and_then(Json::as_object)
                .cloned()
                .unwrap_or_default();
            if !wanted.is_empty() {
                let body = json!({ "extra_specs": wanted });
                let path = format!("/types/{id}/extra_specs");
                self.session
                    .request("volume", Method::POST, &path, Some(&body))
                    .await?;
            }
            for key in before.keys().filter(|k| !wanted.contains_key(*k)) {
                let path = format!("/types/{id}/extra_specs/{key}");
                gone(
                    self.session
                        .request("volume", Method::DELETE, &path, None)
                        .await,
                )?;
            }
        }
        let shared = self.volume_type_projects(id).await?;
        self.share_volume_type(id, &shared, p).await
    }

    /// Resets a project's quotas to the defaults, or deletes a volume type.
    pub(super) async fn delete_admin_object(
        &self,
        kind: ObjectKind,
        id: &str,
    ) -> Result<(), DriverError> {
        match kind {
            ObjectKind::Quota => {
                let (service, project) = id.split_once(':').unwrap_or(("network", id));
                let (path, _) = quota_path(service, project);
                gone(
                    self.session
                        .request(service, Method::DELETE, &path, None)
                        .await,
                )
            }
            // Its hosts taken out first, as Nova wants.
            ObjectKind::HostAggregate => {
                let path = format!("/os-aggregates/{id}");
                let held = match self.get("compute", &path).await {
                    Ok(a) => a["aggregate"].clone(),
                    Err(e) if e.kind == DriverErrorKind::NotFound => return Ok(()),
                    Err(e) => return Err(e),
                };
                let keep = json!({"metadata": held["metadata"].clone()});
                self.aggregate_join(id, &held, &keep, None).await?;
                gone(
                    self.session
                        .request("compute", Method::DELETE, &path, None)
                        .await,
                )
            }
            ObjectKind::VolumeType => gone(
                self.session
                    .request("volume", Method::DELETE, &format!("/types/{id}"), None)
                    .await,
            ),
            other => unreachable!("{other} is not an operator's object"),
        }
    }

    /// Finishes an aggregate or a volume type its create made (tagged, so
    /// a retry takes it): an aggregate's hosts and metadata, a volume
    /// type's extra specs and projects, each step one that may run again.
    pub(super) async fn admin_object_ready(
        &self,
        kind: ObjectKind,
        spec: &ResourceSpec,
        id: &str,
    ) -> Result<Attributes, DriverError> {
        let p = &spec.properties;
        match kind {
            ObjectKind::HostAggregate => {
                let held = self.get("compute", &format!("/os-aggregates/{id}")).await?;
                let had = json!({"hosts": held["aggregate"]["hosts"]});
                let tagged = json!({ AGGREGATE_TAG: tag(&spec.stack_id, &spec.name) });
                self.aggregate_join(id, &had, p, Some(tagged)).await?;
            }
            ObjectKind::VolumeType => {
                if let Some(specs) = p.get("metadata").filter(|m| m.is_object()) {
                    let body = json!({ "extra_specs": specs });
                    let path = format!("/types/{id}/extra_specs");
                    self.session
                        .request("volume", Method::POST, &path, Some(&body))
                        .await?;
                }
                let had = self.volume_type_projects(id).await?;
                self.share_volume_type(id, &had, p).await?;
            }
            ObjectKind::Quota => {}
            other => unreachable!("{other} is not an operator's object"),
        }
        self.check_admin_object(kind, id).await
    }

    /// A quota's limits, or a volume type's fields (its extra specs as
    /// `metadata`).
    pub(super) async fn check_admin_object(
        &self,
        kind: ObjectKind,
        id: &str,
    ) -> Result<Attributes, DriverError> {
        match kind {
            ObjectKind::Quota => {
                let (service, project) = id.split_once(':').unwrap_or(("network", id));
                let (path, key) = quota_path(service, project);
                let body = self.get(service, &path).await?;
                Ok(body[key].as_object().cloned().unwrap_or_default())
            }
            ObjectKind::HostAggregate => {
                let body = self.get("compute", &format!("/os-aggregates/{id}")).await?;
                Ok(body["aggregate"].as_object().cloned().unwrap_or_default())
            }
            ObjectKind::VolumeType => {
                let body = self.get("volume", &format!("/types/{id}")).await?;
                let mut a: Attributes =
                    body["volume_type"].as_object().cloned().unwrap_or_default();
                if let Some(specs) = a.remove("extra_specs") {
                    a.insert("metadata".into(), specs);
                }
                Ok(a)
            }
            other => unreachable!("{other} is not an operator's object"),
        }
    }
}
