//! A Query API request's parameters, from the URL's query string and a
//! form-encoded body alike: single values, `Name.member.N` lists and
//! `Name.member.N.Field` structures (botocore's serialisation), booleans and
//! numbers, with AWS's `ValidationError` for what is missing or malformed.

use std::collections::BTreeMap;

use super::error::CfnError;

/// The parameters of a request.
#[derive(Debug, Clone, Default)]
pub struct Params {
    values: BTreeMap<String, String>,
}

impl Params {
    /// Parameters from a query string and a form body (the body wins).
    pub fn parse(query: Option<&str>, body: &[u8]) -> Self {
        let mut values = BTreeMap::new();
        if let Some(q) = query {
            values.extend(form_urlencoded::parse(q.as_bytes()).into_owned());
        }
        values.extend(form_urlencoded::parse(body).into_owned());
        Params { values }
    }

    /// Every parameter, sorted by name (for signatures).
    pub fn all(&self) -> &BTreeMap<String, String> {
        &self.values
    }

    /// A value.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str)
    }

    /// A value that must be there.
    pub fn required(&self, name: &str) -> Result<&str, CfnError> {
        self.get(name).filter(|v| !v.is_empty()).ok_or_else(|| {
            CfnError::validation(format!(
                "1 validation error detected: Value null at '{}' failed to satisfy constraint: Member must not be null",
                lower_first(name)
            ))
        })
    }

    /// A boolean (`true`/`false`, any case).
    pub fn boolean(&self, name: &str) -> Result<Option<bool>, CfnError> {
        match self.get(name) {
            None => Ok(None),
            Some(v) if v.eq_ignore_ascii_case("true") => Ok(Some(true)),
            Some(v) if v.eq_ignore_ascii_case("false") => Ok(Some(false)),
            Some(v) => Err(CfnError::validation(format!(
                "Invalid value for parameter {name}: {v} is not a boolean"
            ))),
        }
    }

    /// A non-negative integer.
    pub fn number(&self, name: &str) -> Result<Option<u64>, CfnError> {
        self.get(name)
            .map(|v| {
                v.parse().map_err(|_| {
                    CfnError::validation(format!(
                        "Invalid value for parameter {name}: {v} is not a number"
                    ))
                })
            })
            .transpose()
    }

    /// The members of a list of strings, `Name.member.1`, `Name.member.2`…
    /// in their order.
    pub fn strings(&self, name: &str) -> Vec<String> {
        self.structures(name)
            .into_iter()
            .filter_map(|m| m.get("").cloned())
            .collect()
    }

    /// The members of a list of structures, `Name.member.N.Field`, each as
    /// its fields (a plain member's value under the empty field name).
    pub fn structures(&self, name: &str) -> Vec<BTreeMap<String, String>> {
        let prefix = format!("{name}.member.");
        let mut members: BTreeMap<u64, BTreeMap<String, String>> = BTreeMap::new();
        for (k, v) in &self.values {
            let Some(rest) = k.strip_prefix(&prefix) else {
                continue;
            };
            let (index, field) = rest.split_once('.').unwrap_or((rest, ""));
            if let Ok(i) = index.parse() {
                members
                    .entry(i)
                    .or_default()
                    .insert(field.to_string(), v.clone());
            }
        }
        members.into_values().collect()
    }
}

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_lowercase().chain(c).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_and_structures_are_read_in_member_order() {
        let p = Params::parse(
            Some("Action=CreateStack"),
            b"Parameters.member.10.ParameterKey=b&Parameters.member.2.ParameterKey=a&Parameters.member.2.ParameterValue=1&Capabilities.member.1=CAPABILITY_IAM",
        );
        let ps = p.structures("Parameters");
        assert_eq!(ps.len(), 2);
        assert_eq!(ps[0]["ParameterKey"], "a");
        assert_eq!(ps[0]["ParameterValue"], "1");
        assert_eq!(ps[1]["ParameterKey"], "b");
        assert_eq!(p.strings("Capabilities"), vec!["CAPABILITY_IAM"]);
        assert_eq!(p.get("Action"), Some("CreateStack"));
    }

    #[test]
    fn a_missing_value_is_a_validation_error() {
        let p = Params::parse(None, b"DisableRollback=yes");
        let e = p.required("StackName").unwrap_err();
        assert_eq!(e.code, "ValidationError");
        assert!(e.message.contains("'stackName'"), "{}", e.message);
        assert!(p.boolean("DisableRollback").is_err());
    }
}
