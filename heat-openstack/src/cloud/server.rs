//! A server's in-place changes beyond name and metadata.

use heat_core::engine::{DriverError, Repair};
use reqwest::Method;
use serde_json::{json, Value as Json};

use super::{s, OpenStackCloud};
use crate::requests;

impl OpenStackCloud {
    /// Suspends (`suspend`, then SUSPENDED) or resumes (`resume`, then
    /// ACTIVE) a server, as Heat's server plugin does; a server already in
    /// the wanted state is left alone.
    pub(super) async fn suspend_or_resume(
        &self,
        id: &str,
        suspend: bool,
    ) -> Result<(), DriverError> {
        let (action, wanted) = if suspend {
            ("suspend", "SUSPENDED")
        } else {
            ("resume", "ACTIVE")
        };
        let server = self.get("compute", &format!("/servers/{id}")).await?;
        if server["server"]["status"].as_str() == Some(wanted) {
            return Ok(());
        }
        self.session
            .request(
                "compute",
                Method::POST,
                &format!("/servers/{id}/action"),
                Some(&json!({ action: null })),
            )
            .await?;
        self.wait_server_status(id, wanted).await.map(|_| ())
    }

    /// Repairs a server in place, as the health watcher escalates: `os-start`
    /// for a stopped one, a hard `reboot`, a `rebuild` from the image it
    /// was booted from (a server booted from a volume has none: refused, so
    /// the watcher goes on to replace it). Returns once it is ACTIVE again.
    pub(super) async fn repair_server(&self, id: &str, repair: Repair) -> Result<(), DriverError> {
        let server = self.get("compute", &format!("/servers/{id}")).await?;
        let body = match repair {
            Repair::Start => json!({"os-start": null}),
            Repair::Reboot => json!({"reboot": {"type": "HARD"}}),
            Repair::Rebuild => match server["server"]["image"]["id"].as_str() {
                Some(image) if !image.is_empty() => json!({"rebuild": {"imageRef": image}}),
                _ => {
                    return Err(DriverError::fatal(format!(
                        "server {id} was booted from a volume: it cannot be rebuilt"
                    )))
                }
            },
        };
        self.session
            .request(
                "compute",
                Method::POST,
                &format!("/servers/{id}/action"),
                Some(&body),
            )
            .await?;
        self.wait_server_status(id, "ACTIVE").await.map(|_| ())
    }

    /// A server's in-place changes beyond name and metadata: security
    /// groups added and removed, a new flavor (resize, confirmed), a new
    /// image (rebuild), a new admin password. Networks cannot change in
    /// place yet: that is refused rather than ignored.
    pub(super) async fn update_server(
        &self,
        id: &str,
        p: &Json,
        old: &Json,
    ) -> Result<(), DriverError> {
        let changed = |k: &str| p.get(k) != old.get(k);
        if changed("tags") {
            // Replaced as a whole (compute 2.26+), an empty list clearing them.
            self.needs_compute("2.26", "a server's tags").await?;
            let tags = requests::server_tags(p).unwrap_or_else(|| json!([]));
            self.session
                .request(
                    "compute",
                    Method::PUT,
                    &format!("/servers/{id}/tags"),
                    Some(&json!({ "tags": tags })),
                )
                .await?;
        }
        if changed("networks") {
            return Err(DriverError::fatal(
                "the OpenStack driver cannot change a server's networks in place yet; attach ports to the server instead, or replace the server",
            ));
        }
        let action = |body: Json| async move {
            self.session
                .request(
                    "compute",
                    Method::POST,
                    &format!("/servers/{id}/action"),
                    Some(&body),
                )
                .await
        };
        if changed("security_groups") {
            let names = |v: Option<&Json>| -> Vec<String> {
                v.and_then(Json::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(|g| g.as_str().map(String::from))
                    .collect()
            };
            let (before, after) = (
                names(old.get("security_groups")),
                names(p.get("security_groups")),
            );
            for g in after.iter().filter(|g| !before.contains(g)) {
                action(json!({"addSecurityGroup": {"name": g}})).await?;
            }
            for g in before.iter().filter(|g| !after.contains(g)) {
                action(json!({"removeSecurityGroup": {"name": g}})).await?;
            }
        }
        // A rebuild takes the password (Nova would make a new one without
        // it) and keeps the ephemeral disk when the policy says so, as
        // Heat's `_update_image`; a password alone is changed.
        let rebuild_image = match s(p, &["image"]).filter(|_| changed("image")) {
            Some(image) => Some(self.image_id(image).await?),
            None => None,
        };
        if let Some(image) = rebuild_image {
            let mut rebuild = json!({"imageRef": image});
            if let Some(pass) = s(p, &["admin_pass"]) {
                rebuild["adminPass"] = json!(pass);
            }
            if s(p, &["image_update_policy"]) == Some("REBUILD_PRESERVE_EPHEMERAL") {
                rebuild["preserve_ephemeral"] = json!(true);
            }
            action(json!({ "rebuild": rebuild })).await?;
            self.wait_server_status(id, "ACTIVE").await?;
        } else if changed("admin_pass") {
            if let Some(pass) = s(p, &["admin_pass"]) {
                action(json!({"changePassword": {"adminPass": pass}})).await?;
            }
        }
        if changed("flavor") {
            if let Some(flavor) = s(p, &["flavor"]) {
                let flavor = self.flavor_id(flavor).await?;
                action(json!({"resize": {"flavorRef": flavor}})).await?;
                self.wait_server_status(id, "VERIFY_RESIZE").await?;
                action(json!({"confirmResize": null})).await?;
                self.wait_server_status(id, "ACTIVE").await?;
            }
        }
        Ok(())
    }
}
