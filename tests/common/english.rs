//! A scan for English left on a German or Dutch screen or report.

/// Words only English uses: any of them on a German or Dutch screen is untranslated text
/// (codes, commands, names, URLs and evidence values are not checked: they stay as found).
pub const ENGLISH_ONLY: [&str; 54] = [
    "the", "and", "with", "this", "that", "from", "were", "has", "have", "been", "which", "when",
    "what", "your", "you", "are", "for", "fix", "first", "found", "blocked", "nothing", "checking",
    "waiting", "signed", "finding", "recorded", "evidence", "step", "steps", "checks", "here",
    "could", "cannot", "missing", "only", "because", "after", "should", "copy", "quit", "shows",
    "press", "not", "can", "does", "must", "there", "they", "into", "than", "would", "where",
    "who",
];

/// A PowerShell cmdlet or parameter (`Where-Object`, `-ExpandProperty`): a command's word.
fn is_cmdlet(word: &str) -> bool {
    word.starts_with('-')
        || word.split_once('-').is_some_and(|(verb, noun)| {
            verb.starts_with(char::is_uppercase) && noun.starts_with(char::is_uppercase)
        })
}

/// The English-only words on `screen`, with the line each is on, leaving out URLs, command
/// lines and `snake_case` evidence keys.
pub fn english_on(screen: &str) -> Vec<String> {
    let mut found = Vec::new();
    for line in screen.lines() {
        let words: String = line
            .split_whitespace()
            .filter(|w| !w.contains("://") && !w.contains('_') && !w.contains('@') && !is_cmdlet(w))
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
