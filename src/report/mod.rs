//! Faces of a `Report`: plain text for a terminal, JSON for machines, markdown for tickets.
//! None of them decides anything; they only read the report.

pub mod explain;
pub mod json;
pub mod markdown;
pub mod summary;
pub mod text;

/// The output formats of `check --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
    Markdown,
}

/// Text from outside the program (a service's message, evidence) made safe for a terminal:
/// control characters (C0, DEL, C1 — escape sequences start with them) and bidirectional
/// overrides become spaces.
pub fn plain(text: &str) -> String {
    text.chars()
        .map(|c| {
            let bidi = matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
            if c.is_control() || bidi { ' ' } else { c }
        })
        .collect::<String>()
        .trim()
        .to_owned()
}

#[cfg(test)]
mod tests {
    #[test]
    fn plain_text_has_no_escape_sequences() {
        let hostile = "code \u{1b}]52;c;aGk=\u{7}ABC\u{9b}2J \u{202e}txt";
        let shown = super::plain(hostile);
        assert!(!shown.chars().any(|c| c.is_control()), "{shown:?}");
        assert!(!shown.contains('\u{202e}'));
        assert!(shown.contains("ABC"));
    }
}
