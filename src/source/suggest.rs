//! "Did you mean …?": the closest known name to a mistyped one.

/// The candidate closest to `name` by edit distance, if it is close enough to be a likely typo
/// (at most a third of the name's characters, and at least 2, differ). Ties go to the smallest
/// candidate, so the answer does not depend on the candidates' order.
pub fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let threshold = (name.chars().count() / 3).max(2);
    candidates
        .into_iter()
        .map(|c| (strsim::levenshtein(name, c), c))
        .filter(|(d, _)| *d <= threshold)
        .min()
        .map(|(_, c)| c)
}

/// ` (did you mean X?)` for the closest candidate, or nothing.
pub fn did_you_mean<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    closest(name, candidates)
        .map(|c| format!(" (did you mean {c}?)"))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn close_names_are_suggested_and_far_ones_are_not() {
        let known = ["production", "staging", "dev"];
        assert_eq!(closest("prodution", known), Some("production"));
        assert_eq!(closest("stagng", known), Some("staging"));
        assert_eq!(closest("qa-eu-west", known), None);
        assert_eq!(did_you_mean("dev1", known), " (did you mean dev?)");
        assert_eq!(did_you_mean("zzzzzz", known), "");
    }
}
