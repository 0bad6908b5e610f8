//! Text from evidence made safe to show on a terminal.

/// `text` safe for a terminal: control characters and bidi overrides become spaces.
pub fn plain(text: &str) -> String {
    text.chars()
        .map(|c| {
            let bidi = matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}');
            if c.is_control() || bidi { ' ' } else { c }
        })
        .collect::<String>()
        .trim()
        .to_owned()
}
