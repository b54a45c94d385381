//! "Did you mean …?": the nearest known name to a mistyped one, for skills, time zones and
//! whatever else people type by hand.

/// The known name nearest to `typed` (ignoring case), if it is at most two edits away.
/// Ties go to the alphabetically first name, so the answer is stable.
pub fn closest<'a>(typed: &str, known: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let typed = typed.to_lowercase();
    known
        .into_iter()
        .map(|k| (edit_distance(&typed, &k.to_lowercase()), k))
        .filter(|(d, _)| *d <= 2)
        .min_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(b.1)))
        .map(|(_, k)| k)
}

/// Levenshtein distance over characters.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1)
                .min(row[j] + 1)
                .min(diagonal + usize::from(ca != *cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_nearest_name_within_two_edits() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        let zones = ["Europe/Madrid", "Europe/Malta", "America/New_York"];
        assert_eq!(closest("Europe/Madird", zones), Some("Europe/Madrid"));
        assert_eq!(closest("america/new_york", zones), Some("America/New_York"));
        assert_eq!(closest("Moon/Base", zones), None);
    }
}
