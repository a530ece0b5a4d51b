//! The three ways CloudWatch requests arrive and answers leave, over one
//! JSON form that the actions work on:
//!
//! - AWS Query (boto 2, cfn-push-stats, older SDKs): form parameters
//!   (`MetricData.member.1.Dimensions.member.1.Name=…`) read into nested
//!   objects and lists; answers as XML in CloudWatch's namespace.
//! - Smithy RPC v2 CBOR (boto3 and awscli since 2025: `POST
//!   /service/GraniteServiceVersion20100801/operation/{Operation}`):
//!   CBOR maps, times as tag 1 epoch seconds.
//! - AWS JSON 1.0 (`X-Amz-Target: GraniteServiceVersion20100801.{Op}`).
//!
//! In the JSON form, times are seconds since the epoch (numbers); the
//! writers know which members are times ([`TIME_MEMBERS`]).

use serde_json::{Map as JsonMap, Value as Json};

use crate::cfn::xml::Xml;

/// Members whose values are times.
pub const TIME_MEMBERS: &[&str] = &[
    "Timestamp",
    "Timestamps",
    "StartTime",
    "EndTime",
    "StartDate",
    "EndDate",
    "AlarmConfigurationUpdatedTimestamp",
    "StateUpdatedTimestamp",
    "StateTransitionedTimestamp",
];

/// Query parameters as nested JSON: `A.member.N` lists (in index order),
/// `A.entry.N.key/value` maps, `A.B` structures; values stay strings.
pub fn query_to_json<'a>(params: impl IntoIterator<Item = (&'a String, &'a String)>) -> Json {
    let mut root = Json::Object(JsonMap::new());
    for (k, v) in params {
        let parts: Vec<&str> = k.split('.').collect();
        // No CloudWatch parameter nests deeper; a longer key is not one
        // (and must not recurse without bound).
        if parts.len() > MAX_DEPTH {
            continue;
        }
        insert(&mut root, &parts, v);
    }
    finish(root)
}

/// The deepest parameter name the Query form reads (segments).
const MAX_DEPTH: usize = 16;

/// Lists are built as objects keyed `#N` (N the index), turned into
/// arrays by [`finish`].
fn insert(node: &mut Json, path: &[&str], value: &str) {
    let Some((first, rest)) = path.split_first() else {
        return;
    };
    let Json::Object(map) = node else { return };
    if rest.is_empty() {
        map.insert(first.to_string(), Json::String(value.to_string()));
        return;
    }
    let child = map
        .entry(first.to_string())
        .or_insert_with(|| Json::Object(JsonMap::new()));
    match rest {
        ["member" | "entry", index, tail @ ..] if index.parse::<u64>().is_ok() => {
            let Json::Object(list) = child else { return };
            let key = format!("#{index:0>10}");
            if tail.is_empty() {
                list.insert(key, Json::String(value.to_string()));
            } else {
                let item = list
                    .entry(key)
                    .or_insert_with(|| Json::Object(JsonMap::new()));
                insert(item, tail, value);
            }
        }
        _ => insert(child, rest, value),
    }
}

fn finish(node: Json) -> Json {
    match node {
        Json::Object(map) => {
            if !map.is_empty() && map.keys().all(|k| k.starts_with('#')) {
                let mut items: Vec<(String, Json)> = map.into_iter().collect();
                items.sort_by(|a, b| a.0.cmp(&b.0));
                let items: Vec<Json> = items.into_iter().map(|(_, v)| finish(v)).collect();
                // `entry` maps: key/value pairs.
                if items
                    .iter()
                    .all(|i| i.get("key").is_some() && i.get("value").is_some())
                {
                    return Json::Object(
                        items
                            .into_iter()
                            .filter_map(|i| {
                                Some((i.get("key")?.as_str()?.to_string(), i["value"].clone()))
                            })
                            .collect(),
                    );
                }
                Json::Array(items)
            } else {
                Json::Object(map.into_iter().map(|(k, v)| (k, finish(v))).collect())
            }
        }
        other => other,
    }
}

/// An ISO 8601 time of seconds since the epoch (milliseconds kept).
pub fn iso(secs: f64) -> String {
    let whole = secs.floor();
    let millis = ((secs - whole) * 1000.0).round() as u32;
    let base = heat_core::service::heat_time(whole);
    if millis == 0 {
        base
    } else {
        format!("{}.{millis:03}Z", base.trim_end_matches('Z'))
    }
}

/// Writes a JSON result as Query XML: objects as elements, lists as
/// `<member>`s, times ISO 8601, numbers and booleans as text.
pub fn write_xml(x: &mut Xml, value: &Json) {
    if let Json::Object(map) = value {
        for (k, v) in map {
            write_member(x, k, v, TIME_MEMBERS.contains(&k.as_str()));
        }
    }
}

fn write_member(x: &mut Xml, tag: &str, v: &Json, time: bool) {
    match v {
        Json::Null => {}
        Json::Array(items) => {
            x.open(tag);
            for item in items {
                write_member(x, "member", item, time);
            }
            x.close(tag);
        }
        Json::Object(_) => {
            x.open(tag);
            write_xml(x, v);
            x.close(tag);
        }
        Json::Number(n) if time => {
            x.leaf(tag, iso(n.as_f64().unwrap_or_default()));
        }
        Json::String(s) => {
            x.leaf(tag, s);
        }
        other => {
            x.leaf(tag, other.to_string());
        }
    }
}

/// A CBOR document as JSON: tag-1 times as numbers, byte strings as
/// base64 text.
pub fn cbor_to_json(v: ciborium::Value) -> Json {
    use ciborium::Value as C;
    match v {
        C::Null => Json::Null,
        C::Bool(b) => Json::Bool(b),
        C::Integer(i) => {
            let n: i128 = i.into();
            Json::from(n as i64)
        }
        C::Float(f) => serde_json::Number::from_f64(f).map_or(Json::Null, Json::Number),
        C::Text(t) => Json::String(t),
        C::Bytes(b) => {
            use base64::Engine as _;
            Json::String(base64::engine::general_purpose::STANDARD.encode(b))
        }
        C::Array(a) => Json::Array(a.into_iter().map(cbor_to_json).collect()),
        C::Map(m) => Json::Object(
            m.into_iter()
                .filter_map(|(k, v)| match k {
                    C::Text(k) => Some((k, cbor_to_json(v))),
                    _ => None,
                })
                .collect(),
        ),
        C::Tag(_, inner) => cbor_to_json(*inner),
        _ => Json::Null,
    }
}

/// A JSON result as CBOR: members named as times become tag-1 floats.
pub fn json_to_cbor(v: &Json, time: bool) -> ciborium::Value {
    use ciborium::Value as C;
    match v {
        Json::Null => C::Null,
        Json::Bool(b) => C::Bool(*b),
        Json::Number(n) if time => C::Tag(1, Box::new(C::Float(n.as_f64().unwrap_or_default()))),
        Json::Number(n) => match n.as_i64() {
            Some(i) => C::Integer(i.into()),
            None => C::Float(n.as_f64().unwrap_or_default()),
        },
        Json::String(s) => C::Text(s.clone()),
        Json::Array(a) => C::Array(a.iter().map(|x| json_to_cbor(x, time)).collect()),
        Json::Object(m) => C::Map(
            m.iter()
                .map(|(k, x)| {
                    (
                        C::Text(k.clone()),
                        json_to_cbor(x, TIME_MEMBERS.contains(&k.as_str())),
                    )
                })
                .collect(),
        ),
    }
}

/// Reads a CBOR body (an empty body is an empty map).
pub fn read_cbor(body: &[u8]) -> Result<Json, String> {
    if body.is_empty() {
        return Ok(Json::Object(JsonMap::new()));
    }
    ciborium::de::from_reader::<ciborium::Value, _>(body)
        .map(cbor_to_json)
        .map_err(|e| format!("the body is not CBOR: {e}"))
}

/// Writes a CBOR body.
pub fn write_cbor(v: &Json) -> Vec<u8> {
    let mut out = Vec::new();
    // Writing to a Vec does not fail.
    let _ = ciborium::ser::into_writer(&json_to_cbor(v, false), &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn query_parameters_nest_into_lists_and_structures() {
        let params: Vec<(String, String)> = [
            ("Namespace", "system/linux"),
            ("MetricData.member.1.MetricName", "ServiceFailure"),
            ("MetricData.member.1.Value", "1"),
            ("MetricData.member.1.Dimensions.member.1.Name", "AlarmName"),
            ("MetricData.member.1.Dimensions.member.1.Value", "web-alarm"),
            ("MetricData.member.2.MetricName", "CPU"),
            ("MetricData.member.10.MetricName", "Tenth"),
            ("Statistics.member.1", "Average"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let v = query_to_json(params.iter().map(|(k, v)| (k, v)));
        assert_eq!(
            v,
            json!({
                "Namespace": "system/linux",
                "MetricData": [
                    {"MetricName": "ServiceFailure", "Value": "1",
                     "Dimensions": [{"Name": "AlarmName", "Value": "web-alarm"}]},
                    {"MetricName": "CPU"},
                    {"MetricName": "Tenth"},
                ],
                "Statistics": ["Average"],
            })
        );
    }

    #[test]
    fn absurdly_deep_names_are_ignored() {
        let deep = vec!["a"; 100_000].join(".");
        let params = [
            (deep, "x".to_string()),
            ("Namespace".to_string(), "n".to_string()),
        ];
        let v = query_to_json(params.iter().map(|(k, v)| (k, v)));
        assert_eq!(v, json!({"Namespace": "n"}));
    }

    #[test]
    fn results_write_as_xml_and_cbor_with_times() {
        let v =
            json!({"Label": "CPU", "Datapoints": [{"Timestamp": 1_795_336_712.5, "Average": 2.5}]});
        let mut x = Xml::new();
        write_xml(&mut x, &v);
        assert_eq!(
            x.finish(),
            "<Label>CPU</Label><Datapoints><member><Timestamp>2026-11-22T08:38:32.500Z</Timestamp><Average>2.5</Average></member></Datapoints>"
        );
        let back = read_cbor(&write_cbor(&v)).unwrap();
        assert_eq!(back, v);
        let raw: ciborium::Value = ciborium::de::from_reader(&write_cbor(&v)[..]).unwrap();
        let text = format!("{raw:?}");
        assert!(text.contains("Tag(1"), "{text}");
    }
}
