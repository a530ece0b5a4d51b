//! The transcripts of real Heat 27.0.1 (`../shared/reference/heat-api`,
//! named by `HEAT_REFERENCE_DIR`, which `.ci/run` sets) replayed against
//! heat-server: every request python-heatclient and `openstack stack` sent
//! to Heat, in order, must get the same status, the same `Location` (when
//! Heat gave one) and a body with the same JSON keys at every depth.
//!
//! Values that are data (an output's value, metadata, the value of an
//! attribute, a property or a parameter) are not shapes: only the names
//! of attributes, properties and parameters are compared there.
//!
//! Heat's ids (stacks, events) are not ours: each answer is walked beside
//! Heat's to learn which of our ids stands for which of Heat's, and later
//! requests are rewritten with ours. Where Heat's client polled until an
//! operation ended, the replay polls too (heat-rs is faster, never slower,
//! to get there).

mod common;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::PathBuf;
use std::time::Duration;

use axum::http::{header, Method};
use common::{Answer, Api};
use serde_json::Value as Json;

const HOST: &str = "127.0.0.1:18004";

/// Where heat-rs answers differently on purpose: the step, and why.
const DIVERGENCES: [(&str, &str); 1] = [(
    "OS::Heat::Stack (nested stack resource)",
    "the reference Heat had no cloudformation endpoint in its catalog, so it \
     refused OS::Heat::Stack (ResourceTypeUnavailable); heat-rs creates it",
)];

fn reference_dir() -> Option<PathBuf> {
    let Some(dir) = std::env::var_os("HEAT_REFERENCE_DIR").map(PathBuf::from) else {
        eprintln!(
            "transcript replay skipped: HEAT_REFERENCE_DIR is not set (.ci/run sets it to \
             ../shared/reference/heat-api, the transcripts of real Heat)"
        );
        return None;
    };
    assert!(
        dir.join("transcript_native.jsonl").is_file(),
        "HEAT_REFERENCE_DIR={} has no transcript_native.jsonl",
        dir.display()
    );
    Some(dir)
}

/// Every UUID in a text.
fn uuids(text: &str) -> Vec<&str> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i + 36 <= b.len() {
        let candidate = &b[i..i + 36];
        let ok = candidate.iter().enumerate().all(|(j, c)| match j {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        });
        if ok {
            out.push(&text[i..i + 36]);
            i += 36;
        } else {
            i += 1;
        }
    }
    out
}

/// Learns which of our ids stands for which of Heat's, walking both
/// answers side by side.
fn learn(ids: &mut HashMap<String, String>, heat: &Json, ours: &Json) {
    match (heat, ours) {
        (Json::Object(h), Json::Object(o)) => {
            for (k, hv) in h {
                if let Some(ov) = o.get(k) {
                    learn(ids, hv, ov);
                }
            }
        }
        (Json::Array(h), Json::Array(o)) => {
            for (hv, ov) in h.iter().zip(o) {
                learn(ids, hv, ov);
            }
        }
        (Json::String(h), Json::String(o)) => {
            for (hid, oid) in uuids(h).into_iter().zip(uuids(o)) {
                ids.insert(hid.to_string(), oid.to_string());
            }
        }
        _ => {}
    }
}

fn rewrite(ids: &HashMap<String, String>, text: &str) -> String {
    let mut out = text.to_string();
    for id in uuids(text) {
        if let Some(ours) = ids.get(id) {
            out = out.replace(id, ours);
        }
    }
    out
}

/// The keys of a document at every depth (the elements of a list merged).
#[derive(Debug, Default, PartialEq)]
struct Shape(BTreeMap<String, Shape>);

/// Maps whose keys are names (of attributes, properties, parameters) and
/// whose values are data, compared by their keys only; and values that
/// are data through and through.
const NAMED_DATA: [&str; 4] = [
    "attributes",
    "properties",
    "resource_properties",
    "parameters",
];
const DATA: [&str; 2] = ["output_value", "metadata"];

fn shape(v: &Json, into: &mut Shape) {
    match v {
        Json::Object(m) => {
            for (k, v) in m {
                let child = into.0.entry(k.clone()).or_default();
                match (v, k.as_str()) {
                    (Json::Object(names), k) if NAMED_DATA.contains(&k) => {
                        for name in names.keys() {
                            child.0.entry(name.clone()).or_default();
                        }
                    }
                    (_, k) if DATA.contains(&k) => {}
                    _ => shape(v, child),
                }
            }
        }
        Json::Array(items) => {
            for item in items {
                shape(item, into);
            }
        }
        _ => {}
    }
}

fn differences(path: &str, heat: &Shape, ours: &Shape, out: &mut Vec<String>) {
    let keys: BTreeSet<&String> = heat.0.keys().chain(ours.0.keys()).collect();
    for k in keys {
        let at = if path.is_empty() {
            k.clone()
        } else {
            format!("{path}.{k}")
        };
        match (heat.0.get(k), ours.0.get(k)) {
            (Some(h), Some(o)) => differences(&at, h, o, out),
            (Some(_), None) => out.push(format!("{at}: Heat has it, heat-rs does not")),
            (None, Some(_)) => out.push(format!("{at}: heat-rs has it, Heat does not")),
            (None, None) => {}
        }
    }
}

fn stack_status(v: &Json) -> &str {
    v["stack"]["stack_status"].as_str().unwrap_or("")
}

/// Heat's client polled until the operation ended: poll the same way.
async fn answer(api: &Api, method: Method, uri: &str, body: Option<Json>, heat: &Json) -> Answer {
    let mut a = api.call(method.clone(), uri, body.clone()).await;
    let ended = |s: &str| !s.is_empty() && !s.ends_with("IN_PROGRESS");
    for _ in 0..600 {
        if !(ended(stack_status(heat)) && stack_status(&a.body).ends_with("IN_PROGRESS")) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        a = api.call(method.clone(), uri, body.clone()).await;
    }
    a
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn heat_clients_get_from_heat_rs_what_real_heat_answered() {
    let Some(dir) = reference_dir() else { return };
    let mut api = Api::new("replay").await;
    api.host = HOST.into();
    let transcript = std::fs::read_to_string(dir.join("transcript_native.jsonl")).unwrap();
    let mut ids = HashMap::new();
    let (mut total, mut same_status, mut same_keys, mut diverged) = (0, 0, 0, 0);
    let mut mismatches = Vec::new();
    for (n, line) in transcript.lines().enumerate() {
        let exchange: Json = serde_json::from_str(line).unwrap();
        let (request, response) = (&exchange["request"], &exchange["response"]);
        let step = exchange["step"].as_str().unwrap_or("");
        let method: Method = request["method"].as_str().unwrap().parse().unwrap();
        let url = request["url"].as_str().unwrap();
        let uri = rewrite(&ids, url.trim_start_matches(&format!("http://{HOST}")));
        let body = match &request["body"] {
            Json::Null => None,
            b => Some(serde_json::from_str(&rewrite(&ids, &b.to_string())).unwrap()),
        };
        let heat_body = &response["body"];
        let ours = answer(&api, method.clone(), &uri, body, heat_body).await;
        learn(&mut ids, heat_body, &ours.body);
        let heat_location = response["headers"]["Location"].as_str();
        if let (Some(h), Some(o)) = (heat_location, ours.headers.get(header::LOCATION)) {
            learn(
                &mut ids,
                &Json::String(h.into()),
                &Json::String(o.to_str().unwrap_or("").into()),
            );
        }
        total += 1;
        let what = format!("#{n} {step}: {method} {uri}");
        if let Some((_, why)) = DIVERGENCES.iter().find(|(s, _)| *s == step) {
            println!(
                "{what}: {} where Heat answered {} ({why})",
                ours.status, response["status"]
            );
            diverged += 1;
            continue;
        }
        let status = response["status"].as_u64().unwrap() as u16;
        if ours.status.as_u16() == status {
            same_status += 1;
        } else {
            mismatches.push(format!(
                "{what}: status {} where Heat answered {status} ({})",
                ours.status, ours.body
            ));
            continue;
        }
        let mut diffs = Vec::new();
        match (heat_location, ours.headers.get(header::LOCATION)) {
            (Some(h), Some(o)) => {
                let h = rewrite(&ids, h);
                if o.to_str().unwrap_or("") != h {
                    diffs.push(format!("Location {o:?} where Heat gave {h}"));
                }
            }
            (Some(h), None) => diffs.push(format!("no Location where Heat gave {h}")),
            _ => {}
        }
        let (mut h, mut o) = (Shape::default(), Shape::default());
        shape(heat_body, &mut h);
        shape(&ours.body, &mut o);
        differences("", &h, &o, &mut diffs);
        if diffs.is_empty() {
            same_keys += 1;
        } else {
            mismatches.push(format!("{what}:\n    {}", diffs.join("\n    ")));
        }
    }
    println!(
        "replayed {total} exchanges of real Heat: {same_status} with Heat's status, \
         {same_keys} with its status, Location and keys, {diverged} known divergences"
    );
    assert!(
        mismatches.is_empty(),
        "{} of {total} exchanges differ from Heat:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}
