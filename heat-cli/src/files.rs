//! The files a request names, read as python-heatclient reads them: the
//! template's `get_file` paths and template-file resource types, the
//! templates an environment's `resource_registry` names (relative to the
//! environment file), and, recursively, the files those templates name
//! (relative to each template: `heat_core::files` keys them from the root
//! template's directory, and the engine lets each nested template find
//! its own by the names it writes). `http(s)` references are fetched. A
//! file that cannot be read refuses the request before it is sent, as
//! python-heatclient's "Could not fetch contents for ..." does.

use std::path::{Path, PathBuf};
use std::time::Duration;

use heat_core::template::Template;
use serde_json::{Map as JsonMap, Value as Json};

/// Where a file is: on disk or at a URL.
#[derive(Clone)]
enum Place {
    Disk(PathBuf),
    Url(reqwest::Url),
}

impl Place {
    /// Where `reference`, written in the file here, is.
    fn join(&self, reference: &str) -> Option<Place> {
        if reference.starts_with("http://") || reference.starts_with("https://") {
            return reqwest::Url::parse(reference).ok().map(Place::Url);
        }
        match self {
            Place::Disk(p) => Some(Place::Disk(
                p.parent().unwrap_or(Path::new(".")).join(reference),
            )),
            Place::Url(u) => u.join(reference).ok().map(Place::Url),
        }
    }

    fn read(&self) -> Result<String, String> {
        match self {
            Place::Disk(p) => {
                std::fs::read_to_string(p).map_err(|e| format!("{}: {e}", p.display()))
            }
            Place::Url(u) => fetch(u.clone()).ok_or_else(|| format!("could not fetch {u}")),
        }
    }
}

/// Fetches a file over http(s), off the async runtime, with a timeout and
/// Heat's size limit.
fn fetch(url: reqwest::Url) -> Option<String> {
    std::thread::spawn(move || {
        let client = reqwest::blocking::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .ok()?;
        let response = client.get(url).send().ok()?.error_for_status().ok()?;
        let text = response.text().ok()?;
        (text.len() <= heat_core::template::MAX_TEMPLATE_SIZE).then_some(text)
    })
    .join()
    .ok()
    .flatten()
}

/// Whether a file is a template (its own references are read too).
fn is_template(text: &str) -> bool {
    [
        "heat_template_version",
        "HeatTemplateFormatVersion",
        "AWSTemplateFormatVersion",
    ]
    .iter()
    .any(|k| text.contains(k))
}

/// Reads a file at `key` (found at `place`) into `files`, and what it
/// names if it is a template; why not, naming `reference` as written.
fn read_into(
    key: String,
    reference: &str,
    place: Place,
    files: &mut JsonMap<String, Json>,
) -> Result<(), String> {
    if files.contains_key(&key) {
        return Ok(());
    }
    let text = place
        .read()
        .map_err(|why| format!("the file {reference} it names cannot be read ({why})"))?;
    files.insert(key.clone(), Json::String(text.clone()));
    if is_template(&text) {
        template_files(&key, &place, &text, files).map_err(|why| format!("{reference}: {why}"))?;
    }
    Ok(())
}

/// The files a template at `key` names, read into `files`.
fn template_files(
    key: &str,
    place: &Place,
    text: &str,
    files: &mut JsonMap<String, Json>,
) -> Result<(), String> {
    let Ok(template) = Template::parse(text) else {
        return Ok(());
    };
    for r in heat_core::files::references(&template) {
        if let Some(p) = place.join(&r) {
            read_into(heat_core::files::key_of(key, &r), &r, p, files)?;
        }
    }
    Ok(())
}

/// The files the root template at `path` names; why one cannot be read.
pub fn of_template(
    path: &Path,
    text: &str,
    files: &mut JsonMap<String, Json>,
) -> Result<(), String> {
    template_files("", &Place::Disk(path.to_path_buf()), text, files)
}

/// The templates the environment file at `path` names in its
/// `resource_registry` (global and per resource), keyed as written, read
/// relative to the environment file, with what they name; why one cannot
/// be read.
pub fn of_environment(
    path: &Path,
    text: &str,
    files: &mut JsonMap<String, Json>,
) -> Result<(), String> {
    let Ok(Json::Object(env)) = serde_norway::from_str::<Json>(text) else {
        return Ok(());
    };
    let Some(Json::Object(registry)) = env.get("resource_registry") else {
        return Ok(());
    };
    let place = Place::Disk(path.to_path_buf());
    let mut named = |map: &JsonMap<String, Json>| -> Result<(), String> {
        for (k, v) in map {
            let Some(v) = v.as_str() else { continue };
            if ["base_url", "hooks", "restricted_actions"].contains(&k.as_str()) || v.contains("::")
            {
                continue;
            }
            if let Some(p) = place.join(v) {
                read_into(v.to_string(), v, p, files)?;
            }
        }
        Ok(())
    };
    named(registry)?;
    if let Some(Json::Object(resources)) = registry.get("resources") {
        for r in resources.values() {
            if let Json::Object(m) = r {
                named(m)?;
            }
        }
    }
    Ok(())
}
