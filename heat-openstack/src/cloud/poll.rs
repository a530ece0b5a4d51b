//! Reading and waiting: GETs, listings across pages, POSTs that return an
//! id, and polling an object until it is ready or gone, with a growing
//! delay on the engine's clock.

use std::time::Duration;

use heat_core::engine::{DriverError, DriverErrorKind};
use reqwest::Method;
use serde_json::Value as Json;

use super::OpenStackCloud;

impl OpenStackCloud {
    pub(super) async fn get(&self, service: &str, path: &str) -> Result<Json, DriverError> {
        self.session.request(service, Method::GET, path, None).await
    }

    /// Every item of a Nova or Cinder listing, following the `<key>_links`
    /// `next` pages (Neutron lists everything unless asked to page).
    pub(super) async fn list_all(
        &self,
        service: &str,
        path: &str,
        key: &str,
    ) -> Result<Vec<Json>, DriverError> {
        let base = self.session.url(service).await?;
        let mut items = Vec::new();
        let mut next = Some(path.to_string());
        while let Some(page) = next.take() {
            let body = self.get(service, &page).await?;
            let got = body[key].as_array().cloned().unwrap_or_default();
            let empty = got.is_empty();
            items.extend(got);
            if empty {
                break;
            }
            next = body[format!("{key}_links")]
                .as_array()
                .into_iter()
                .flatten()
                .find(|l| l["rel"] == "next")
                .and_then(|l| l["href"].as_str())
                .map(|href| relative(href, &base));
        }
        Ok(items)
    }

    pub(super) async fn post_id(
        &self,
        service: &str,
        path: &str,
        body: &Json,
        key: &str,
    ) -> Result<String, DriverError> {
        let r = self
            .session
            .request(service, Method::POST, path, Some(body))
            .await?;
        r.get(key)
            .and_then(|o| o.get("id"))
            .and_then(id_text)
            .ok_or_else(|| DriverError::fatal(format!("the cloud's answer has no {key} id")))
    }

    /// Polls an object until `ready` says it is, with a growing delay.
    pub(super) async fn wait_for(
        &self,
        service: &str,
        path: &str,
        key: &str,
        ready: impl Fn(&Json) -> Result<bool, String>,
    ) -> Result<Json, DriverError> {
        let mut delay = Duration::from_millis(500);
        loop {
            let body = self.get(service, path).await?;
            let object = body.get(key).cloned().unwrap_or(Json::Null);
            match ready(&object) {
                Ok(true) => return Ok(object),
                Ok(false) => {}
                Err(message) => return Err(DriverError::fatal(message)),
            }
            self.clock.sleep(delay).await;
            delay = (delay * 2).min(Duration::from_secs(5));
        }
    }

    /// Polls until the object is gone.
    pub(super) async fn wait_gone(&self, service: &str, path: &str) -> Result<(), DriverError> {
        self.wait_until(service, path, |o| o.is_none()).await
    }

    /// Polls an object until `done` says so (`None` once it is gone), with
    /// a growing delay.
    pub(super) async fn wait_until(
        &self,
        service: &str,
        path: &str,
        done: impl Fn(Option<&Json>) -> bool,
    ) -> Result<(), DriverError> {
        let mut delay = Duration::from_millis(500);
        loop {
            let object = match self.get(service, path).await {
                Err(e) if e.kind == DriverErrorKind::NotFound => None,
                Err(e) => return Err(e),
                Ok(v) => Some(v),
            };
            if done(object.as_ref()) {
                return Ok(());
            }
            self.clock.sleep(delay).await;
            delay = (delay * 2).min(Duration::from_secs(5));
        }
    }

    /// Waits until a server reaches `status` (its fault message on ERROR).
    pub(super) async fn wait_server_status(
        &self,
        id: &str,
        status: &str,
    ) -> Result<Json, DriverError> {
        self.wait_for(
            "compute",
            &format!("/servers/{id}"),
            "server",
            |sv| match sv.get("status").and_then(Json::as_str) {
                Some(st) if st == status => Ok(true),
                Some("ERROR") => Err(sv["fault"]["message"]
                    .as_str()
                    .unwrap_or("the server went to status ERROR")
                    .to_string()),
                _ => Ok(false),
            },
        )
        .await
    }
}

/// A `next` link as a path under the service's URL (Nova and Cinder give
/// absolute links, possibly with another host spelling).
fn relative(href: &str, base: &str) -> String {
    if let Some(rest) = href.strip_prefix(base) {
        return rest.to_string();
    }
    let base_path = base
        .splitn(4, '/')
        .nth(3)
        .map(|p| format!("/{p}"))
        .unwrap_or_default();
    let href_path = href
        .splitn(4, '/')
        .nth(3)
        .map(|p| format!("/{p}"))
        .unwrap_or_default();
    href_path
        .strip_prefix(base_path.trim_end_matches('/'))
        .unwrap_or(&href_path)
        .to_string()
}

/// An object's id as text (a Nova aggregate's is a number).
pub(super) fn id_text(id: &Json) -> Option<String> {
    match id {
        Json::String(s) => Some(s.clone()),
        Json::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::relative;

    #[test]
    fn next_links_become_paths_under_the_service() {
        assert_eq!(
            relative(
                "http://127.0.0.1:8774/v2.1/servers/detail?limit=1000&marker=abc",
                "http://127.0.0.1:8774/v2.1"
            ),
            "/servers/detail?limit=1000&marker=abc"
        );
        assert_eq!(
            relative(
                "http://localhost:8776/v3/volumes/detail?marker=x",
                "http://127.0.0.1:8776/v3"
            ),
            "/volumes/detail?marker=x"
        );
        assert_eq!(
            relative(
                "http://127.0.0.1:8776/v3/proj/volumes/detail?marker=x",
                "http://127.0.0.1:8776/v3/"
            ),
            "proj/volumes/detail?marker=x"
        );
    }
}
