//! Creating Nova and Cinder objects: servers (named and tagged through
//! metadata), key pairs, flavors, server groups, volumes and their
//! attachments; a flavor's extra specs and a volume changed in place.

use heat_core::engine::{Attributes, DriverError, DriverErrorKind, ResourceSpec};
use heat_resources::ObjectKind;
use reqwest::Method;
use serde_json::{json, Value as Json};

use super::{gone, s, OpenStackCloud};
use crate::requests;

/// The volume metadata key that holds, while an extend has it detached,
/// the servers (and devices) to attach it to again: `server=device,...`.
const REATTACH: &str = "heat_reattach";

impl OpenStackCloud {
    /// Starts creating a Nova or Cinder object; its id.
    pub(super) async fn create_compute_object(
        &self,
        kind: ObjectKind,
        spec: &ResourceSpec,
    ) -> Result<String, DriverError> {
        let p = &spec.properties;
        let name = Self::name(spec);
        match kind {
            ObjectKind::Server => {
                // Nova took files to inject up to compute 2.56 only; Heat
                // refuses them on a newer Nova too.
                if p.get("personality")
                    .and_then(Json::as_object)
                    .is_some_and(|files| !files.is_empty())
                {
                    return Err(DriverError::fatal(
                        "a server's personality (files injected) is not supported by the compute API heat-rs speaks (2.57 and later); give them in user_data",
                    ));
                }
                if requests::server_tags(p).is_some() {
                    self.needs_compute("2.52", "a server's tags at create")
                        .await?;
                }
                let image = match s(p, &["image"]) {
                    Some(i) => Some(self.image_id(i).await?),
                    None => None,
                };
                let flavor = self
                    .flavor_id(s(p, &["flavor"]).unwrap_or("m1.small"))
                    .await?;
                // Images of its block devices by id, as Heat resolves them.
                let mut resolved = p.clone();
                if let Some(Json::Array(devices)) = resolved.get_mut("block_device_mapping_v2") {
                    for device in devices {
                        if let Some(image) = s(device, &["image", "image_id"]).map(String::from) {
                            device["image"] = json!(self.image_id(&image).await?);
                        }
                    }
                }
                let (p, ports) = self.with_internal_ports(spec, &resolved).await?;
                let made = async {
                    let networks = self.server_networks(&p).await?;
                    let body = requests::server(
                        &p,
                        &name,
                        image.as_deref(),
                        &flavor,
                        networks,
                        &spec.stack_id,
                        &spec.name,
                    );
                    self.post_id("compute", "/servers", &body, "server").await
                }
                .await;
                // Refused: its internal ports go too (a transient failure
                // keeps them for the retry, which takes them again).
                if made
                    .as_ref()
                    .is_err_and(|e| e.kind != DriverErrorKind::Transient)
                {
                    self.delete_ports(&ports).await;
                }
                made
            }
            ObjectKind::Volume => {
                if s(p, &["backup_id"]).is_some() {
                    return Err(DriverError::fatal(
                        "heat-rs does not restore a volume from a backup (backup_id) on OpenStack yet",
                    ));
                }
                let image = match s(p, &["image", "imageRef"]) {
                    Some(i) => Some(self.image_id(i).await?),
                    None => None,
                };
                self.post_id(
                    "volume",
                    "/volumes",
                    &requests::volume(p, &name, &spec.stack_id, &spec.name, image.as_deref()),
                    "volume",
                )
                .await
            }
            ObjectKind::VolumeAttachment => {
                let server = s(p, &["instance_uuid"]).unwrap_or_default().to_string();
                let volume = s(p, &["volume_id"]).unwrap_or_default().to_string();
                // A create resumed after a crash adopts the attachment it
                // made before (only on a server this stack made).
                if !self
                    .own_server_has_volume(&server, &spec.stack_id, &volume)
                    .await?
                {
                    self.attach_volume(&server, &volume, s(p, &["mountpoint"]))
                        .await?;
                }
                Ok(format!("{server}/{volume}"))
            }
            ObjectKind::Keypair => self.create_keypair(spec, &name).await,
            ObjectKind::Flavor => self.create_flavor(spec, &name).await,
            ObjectKind::ServerGroup => self
                .create_untagged(kind, &name, &requests::server_group(p, &name))
                .await?
                .id(kind),
            other => unreachable!("{other} is not a Nova or Cinder object"),
        }
    }

    /// A volume changed in place, as Heat's `handle_update`: its name and
    /// description, its metadata (heat-rs's own keys kept), a larger size
    /// (extended), another volume type (retyped, never migrated, as
    /// Heat's), its read-only flag, each action waited for before the
    /// next; a new `backup_id` (a restore over it) is refused with a
    /// message. Cinder's own refusals (extending or flagging an attached
    /// volume where it cannot) fail the update with its message.
    pub(super) async fn update_volume(
        &self,
        spec: &ResourceSpec,
        id: &str,
        old: &Json,
    ) -> Result<(), DriverError> {
        let p = &spec.properties;
        let changed = |k: &str| p.get(k) != old.get(k);
        if changed("backup_id") {
            return Err(DriverError::fatal(
                "heat-rs cannot restore a backup over a volume in place on OpenStack yet; give \
                 the resource a new name to replace it",
            ));
        }
        if changed("name") || changed("description") {
            let description = p.get("description").cloned().unwrap_or(Json::Null);
            let body = json!({"volume": {"name": Self::name(spec), "description": description}});
            self.session
                .request(
                    "volume",
                    Method::PUT,
                    &format!("/volumes/{id}"),
                    Some(&body),
                )
                .await?;
        }
        if changed("metadata") {
            let body = requests::volume(p, "", &spec.stack_id, &spec.name, None);
            let metadata = json!({"metadata": body["volume"]["metadata"]});
            self.session
                .request(
                    "volume",
                    Method::PUT,
                    &format!("/volumes/{id}/metadata"),
                    Some(&metadata),
                )
                .await?;
        }
        if changed("size") {
            let size = p.get("size").and_then(Json::as_u64).unwrap_or(1);
            self.extend_volume(id, size).await?;
        }
        let mut actions = Vec::new();
        if let Some(t) = p
            .get("volume_type")
            .filter(|t| !t.is_null() && changed("volume_type"))
        {
            actions.push(json!({"os-retype": {"new_type": t, "migration_policy": "never"}}));
        }
        if changed("read_only") {
            actions.push(json!({"os-update_readonly_flag": {"readonly": read_only(p)}}));
        }
        // One at a time: Cinder refuses an action while the last one runs
        // (a retype while `extending`).
        for action in actions {
            self.session
                .request(
                    "volume",
                    Method::POST,
                    &format!("/volumes/{id}/action"),
                    Some(&action),
                )
                .await?;
            self.volume_settled(id).await?;
        }
        Ok(())
    }

    /// A new volume, once Cinder has made it: flagged read-only when the
    /// template asks (Heat's `check_create_complete`); its attributes.
    pub(super) async fn volume_made(
        &self,
        spec: &ResourceSpec,
        id: &str,
    ) -> Result<Attributes, DriverError> {
        let mut volume = self.volume_settled(id).await?;
        if read_only(&spec.properties) && volume["status"] == "available" {
            let flag = json!({"os-update_readonly_flag": {"readonly": true}});
            self.session
                .request(
                    "volume",
                    Method::POST,
                    &format!("/volumes/{id}/action"),
                    Some(&flag),
                )
                .await?;
            volume = self.volume_settled(id).await?;
        }
        Ok(requests::volume_attributes(&volume))
    }

    /// A volume extended to `size` GB, as Heat's: an attached one is
    /// detached from its servers first and attached again at the same
    /// devices after (Cinder extends an available volume at the API
    /// version heat-rs speaks). While it is detached, the servers to attach
    /// it to again are kept in its metadata (`heat_reattach`), so that an
    /// update resumed after a crash attaches it again.
    async fn extend_volume(&self, id: &str, size: u64) -> Result<(), DriverError> {
        let path = format!("/volumes/{id}");
        let volume = self.get("volume", &path).await?["volume"].clone();
        let mut attached: Vec<(String, String)> = volume["attachments"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|a| {
                let server = a["server_id"].as_str()?.to_string();
                Some((server, a["device"].as_str().unwrap_or_default().to_string()))
            })
            .collect();
        let left = volume["metadata"][REATTACH].as_str().unwrap_or_default();
        for pair in left.split(',').filter(|p| !p.is_empty()) {
            let (server, device) = pair.split_once('=').unwrap_or((pair, ""));
            if !attached.iter().any(|(s, _)| s == server) {
                attached.push((server.to_string(), device.to_string()));
            }
        }
        if !attached.is_empty() {
            let note: Vec<String> = attached.iter().map(|(s, d)| format!("{s}={d}")).collect();
            let body = json!({"metadata": {REATTACH: note.join(",")}});
            self.session
                .request(
                    "volume",
                    Method::POST,
                    &format!("{path}/metadata"),
                    Some(&body),
                )
                .await?;
            for (server, _) in &attached {
                self.detach_volume(server, id).await?;
            }
        }
        if volume["size"].as_u64().is_none_or(|now| now < size) {
            let body = json!({"os-extend": {"new_size": size}});
            self.session
                .request(
                    "volume",
                    Method::POST,
                    &format!("{path}/action"),
                    Some(&body),
                )
                .await?;
            self.volume_settled(id).await?;
        }
        for (server, device) in &attached {
            let device = Some(device.as_str()).filter(|d| !d.is_empty());
            self.attach_volume(server, id, device).await?;
            self.wait_attached(id).await?;
        }
        if !attached.is_empty() {
            let key = format!("{path}/metadata/{REATTACH}");
            self.session
                .request("volume", Method::DELETE, &key, None)
                .await?;
        }
        Ok(())
    }

    /// A volume attachment moved in place, as Heat's `handle_update`: the
    /// volume detached from the server it was on, the (new) volume
    /// attached to the (new) server at the mount point given. Returns its
    /// id, `server/volume`. Resumed after a crash, it finds the old
    /// attachment gone and the new one made, and makes neither again.
    pub(super) async fn move_attachment(
        &self,
        spec: &ResourceSpec,
        id: &str,
    ) -> Result<String, DriverError> {
        let p = &spec.properties;
        let (old_server, old_volume) = id.split_once('/').unwrap_or((id, ""));
        let server = s(p, &["instance_uuid"]).unwrap_or_default();
        let volume = s(p, &["volume_id"]).unwrap_or_default();
        self.detach_volume(old_server, old_volume).await?;
        if !self
            .own_server_has_volume(server, &spec.stack_id, volume)
            .await?
        {
            self.attach_volume(server, volume, s(p, &["mountpoint"]))
                .await?;
        }
        Ok(format!("{server}/{volume}"))
    }

    /// Attaches a volume to a server (at `device`, or where Nova says).
    pub(super) async fn attach_volume(
        &self,
        server: &str,
        volume: &str,
        device: Option<&str>,
    ) -> Result<(), DriverError> {
        let mut body = json!({"volumeAttachment": {"volumeId": volume}});
        if let Some(d) = device {
            body["volumeAttachment"]["device"] = json!(d);
        }
        self.session
            .request(
                "compute",
                Method::POST,
                &format!("/servers/{server}/os-volume_attachments"),
                Some(&body),
            )
            .await?;
        Ok(())
    }

    /// Waits until a volume is attached (`in-use`); an `error` status fails.
    pub(super) async fn wait_attached(&self, volume: &str) -> Result<(), DriverError> {
        self.wait_for(
            "volume",
            &format!("/volumes/{volume}"),
            "volume",
            |v| match v.get("status").and_then(Json::as_str) {
                Some("in-use") => Ok(true),
                Some(s) if s.starts_with("error") => Err(format!("the volume went to status {s}")),
                _ => Ok(false),
            },
        )
        .await
        .map(|_| ())
    }

    /// Detaches a volume from a server (done when it is not attached), and
    /// waits until it is no longer in use (or gone).
    pub(super) async fn detach_volume(
        &self,
        server: &str,
        volume: &str,
    ) -> Result<(), DriverError> {
        let r = self
            .session
            .request(
                "compute",
                Method::DELETE,
                &format!("/servers/{server}/os-volume_attachments/{volume}"),
                None,
            )
            .await;
        gone(r)?;
        self.wait_until("volume", &format!("/volumes/{volume}"), |v| {
            v.is_none_or(|v| {
                v["volume"]["status"] != "detaching" && v["volume"]["status"] != "in-use"
            })
        })
        .await
    }

    /// Waits for a volume to be usable (`available` or `in-use`); an
    /// `error` status fails.
    pub(super) async fn volume_settled(&self, id: &str) -> Result<Json, DriverError> {
        self.wait_for("volume", &format!("/volumes/{id}"), "volume", |v| {
            match v.get("status").and_then(Json::as_str) {
                Some("available") | Some("in-use") => Ok(true),
                Some(s) if s.starts_with("error") => Err(format!("the volume went to status {s}")),
                _ => Ok(false),
            }
        })
        .await
    }
}

/// Whether a volume's template asks it read-only.
fn read_only(p: &Json) -> bool {
    p.get("read_only")
        .and_then(|v| {
            v.as_bool()
                .or_else(|| v.as_str().map(|s| s.eq_ignore_ascii_case("true")))
        })
        .unwrap_or(false)
}
