//! A scan for English left on a German or Dutch screen or report.

/// Words only English uses: any of them on a German or Dutch screen is untranslated text
/// (codes, commands, names, URLs and evidence values are not checked: they stay as found).
pub const ENGLISH_ONLY: [&str; 43] = [
    "the", "and", "with", "this", "that", "from", "were", "has", "have", "been", "which", "when",
    "what", "your", "you", "are", "for", "fix", "first", "found", "blocked", "nothing", "checking",
    "waiting", "signed", "finding", "recorded", "evidence", "step", "steps", "checks", "here",
    "could", "cannot", "missing", "only", "because", "after", "should", "copy", "quit", "shows",
    "press",
];

/// The English-only words on `screen`, with the line each is on, leaving out URLs, command
/// lines and `snake_case` evidence keys.
pub fn english_on(screen: &str) -> Vec<String> {
    let mut found = Vec::new();
    for line in screen.lines() {
        let words: String = line
            .split_whitespace()
            .filter(|w| !w.contains("://") && !w.contains('_') && !w.contains('@'))
            .collect::<Vec<_>>()
            .join(" ");
        for word in words.split(|c: char| !c.is_alphabetic()) {
            if ENGLISH_ONLY.contains(&word.to_lowercase().as_str()) {
                found.push(format!("{word:?} in {line}"));
            }
        }
    }
    found
}
