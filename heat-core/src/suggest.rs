//! "Did you mean": the name a template most likely meant when it names a
//! property, resource, parameter or type that does not exist (`flavr` for
//! `flavor`), added to the error Heat gives, which names none.

/// The candidate closest to `name`, if one is close: at most about one
/// edit in three (normalized Damerau-Levenshtein similarity of 0.7 or
/// more, so `flavr` finds `flavor` and `AWS::Lambda::Function` finds no
/// other `AWS::` type).
pub fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .filter(|c| *c != name)
        .map(|c| (strsim::normalized_damerau_levenshtein(name, c), c))
        .filter(|(score, _)| *score >= 0.7)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// ` (did you mean "x"?)` for the closest candidate, or nothing.
pub fn did_you_mean<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    closest(name, candidates)
        .map(|c| format!(" (did you mean \"{c}\"?)"))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_near_miss_is_suggested_and_a_far_one_is_not() {
        let props = ["image", "flavor", "networks", "key_name"];
        assert_eq!(did_you_mean("flavr", props), " (did you mean \"flavor\"?)");
        assert_eq!(
            did_you_mean("keyname", props),
            " (did you mean \"key_name\"?)"
        );
        assert_eq!(did_you_mean("user_data", props), "");
        assert_eq!(
            closest(
                "AWS::Lambda::Function",
                ["AWS::CloudFormation::Stack", "AWS::EC2::Instance"]
            ),
            None
        );
        assert_eq!(
            closest("v", ["vm", "w"]),
            None,
            "short names are not guessed"
        );
        assert_eq!(
            closest("web", ["web"]),
            None,
            "the name itself is no suggestion"
        );
        assert_eq!(
            closest("OS::Nova::Sever", ["OS::Nova::Server", "OS::Nova::KeyPair"]),
            Some("OS::Nova::Server")
        );
    }
}
