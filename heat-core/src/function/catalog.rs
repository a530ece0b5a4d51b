//! The functions each template version offers, with Heat's descriptions,
//! as Heat's `template_versions/{version}/functions` API lists them.

use super::table::{lookup, Lookup};
use super::FnKind;
use crate::version::Dialect;

/// Every function name heat-rs knows, in Heat's order, with Heat's
/// description.
const FUNCTIONS: [(&str, &str); 37] = [
    ("get_attr", "A function for resolving resource attributes."),
    ("get_file", "A function for including a file inline."),
    (
        "get_param",
        "A function for resolving parameter references.",
    ),
    (
        "get_resource",
        "A function for resolving resource references.",
    ),
    (
        "list_join",
        "A function for joining one or more lists of strings.",
    ),
    (
        "repeat",
        "A function for iterating over a list of items or a dict of keys.",
    ),
    (
        "resource_facade",
        "A function for retrieving data in a parent provider template.",
    ),
    (
        "str_replace",
        "A function for performing string substitutions.",
    ),
    ("digest", "A function for performing digest operations."),
    (
        "str_split",
        "A function for splitting delimited strings into a list.",
    ),
    ("map_merge", "A function for merging maps."),
    ("yaql", "A function for executing a yaql expression."),
    (
        "map_replace",
        "A function for performing substitutions on maps.",
    ),
    (
        "if",
        "A function to return corresponding value based on condition evaluation.",
    ),
    ("filter", "A function for filtering out values from lists."),
    (
        "str_replace_strict",
        "A function for performing string substitutions.",
    ),
    (
        "make_url",
        "A function for performing substitutions on maps.",
    ),
    ("list_concat", "A function for extending lists."),
    (
        "str_replace_vstrict",
        "A function for performing string substitutions.",
    ),
    (
        "list_concat_unique",
        "A function for extending lists with unique items.",
    ),
    (
        "contains",
        "A function for checking whether specific value is in sequence.",
    ),
    (
        "equals",
        "A function for comparing whether two values are equal.",
    ),
    (
        "not",
        "A function that acts as a NOT operator on a condition.",
    ),
    (
        "and",
        "A function that acts as an AND operator on conditions.",
    ),
    (
        "or",
        "A function that acts as an OR operator on conditions.",
    ),
    (
        "Fn::Select",
        "A function for selecting an item from a list or map.",
    ),
    (
        "Fn::GetAZs",
        "A function for retrieving the availability zones.",
    ),
    (
        "Ref",
        "A function for resolving parameters or resource references.",
    ),
    (
        "Fn::GetAtt",
        "A function for resolving resource attributes.",
    ),
    ("Fn::Join", "A function for joining strings."),
    ("Fn::Split", "A function for splitting strings."),
    (
        "Fn::Replace",
        "A function for performing string substitutions.",
    ),
    (
        "Fn::Base64",
        "A placeholder function for converting to base64.",
    ),
    (
        "Fn::MemberListToMap",
        "A function to convert lists with enumerated keys and values to mapping.",
    ),
    (
        "Fn::ResourceFacade",
        "A function for retrieving data in a parent provider template.",
    ),
    (
        "Fn::FindInMap",
        "A function for resolving keys in the template mappings.",
    ),
    (
        "Fn::If",
        "A function to return corresponding value based on condition evaluation.",
    ),
];

/// The functions a template version offers (its condition functions when
/// `conditions`), with their descriptions.
pub fn functions(dialect: Dialect, conditions: bool) -> Vec<(&'static str, &'static str)> {
    FUNCTIONS
        .iter()
        .copied()
        .filter(|(name, _)| {
            matches!(
                lookup(dialect, name, conditions),
                Lookup::Function(k) if k != FnKind::Removed
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::version::HotVersion;

    #[test]
    fn versions_offer_their_functions() {
        let rocky: Vec<&str> = functions(Dialect::Hot(HotVersion::V2018_08_31), false)
            .into_iter()
            .map(|(n, _)| n)
            .collect();
        assert_eq!(
            &rocky[..4],
            ["get_attr", "get_file", "get_param", "get_resource"]
        );
        assert!(rocky.contains(&"list_concat_unique") && rocky.contains(&"if"));
        assert!(!rocky.contains(&"Fn::Join"));
        let first: Vec<&str> = functions(Dialect::Hot(HotVersion::V2013_05_23), false)
            .into_iter()
            .map(|(n, _)| n)
            .collect();
        assert!(first.contains(&"Fn::Join") && !first.contains(&"repeat"));
        let cfn: Vec<&str> = functions(Dialect::Cfn, false)
            .into_iter()
            .map(|(n, _)| n)
            .collect();
        assert!(cfn.contains(&"Fn::GetAtt") && cfn.contains(&"Ref"));
        let conditions: Vec<&str> = functions(Dialect::Hot(HotVersion::V2018_08_31), true)
            .into_iter()
            .map(|(n, _)| n)
            .collect();
        assert!(conditions.contains(&"equals") && !conditions.contains(&"get_attr"));
    }
}
