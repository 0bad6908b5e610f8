//! Turning captured bytes into text the way Windows tools write them.
//!
//! `dsregcmd /status > file` in PowerShell writes UTF-16LE with a BOM, `cmd` writes the OEM code
//! page, pasted text is UTF-8 with or without a BOM, and line ends are CRLF or LF. Parsers get
//! one normalised `String` with LF line ends whatever came in.

use std::borrow::Cow;

/// Decodes captured bytes: UTF-8/UTF-16 by BOM, BOM-less UTF-16LE by its zero bytes, otherwise
/// UTF-8 with invalid sequences replaced. CRLF and lone CR become LF; NUL characters are dropped.
pub fn decode(bytes: &[u8]) -> String {
    let text: Cow<'_, str> = if looks_like_bomless_utf16le(bytes) {
        encoding_rs::UTF_16LE.decode_without_bom_handling(bytes).0
    } else {
        // `decode` sniffs UTF-8, UTF-16LE and UTF-16BE byte order marks.
        encoding_rs::UTF_8.decode(bytes).0
    };
    normalise_line_ends(&text)
}

/// How a file that is not what it should be begins, for a message (`it …`): its first
/// `cells` characters (blank lines and edges trimmed) quoted, or, when they are not text
/// (mostly control characters or undecodable bytes), only that it holds binary data: quoting
/// binary helps nobody and floods the screen with escapes.
pub fn how_it_starts(text: &str, cells: usize) -> String {
    let head: String = text.trim().chars().take(cells).collect();
    let unreadable = head
        .chars()
        .filter(|c| *c == '\u{fffd}' || (c.is_control() && !matches!(c, '\t' | '\n' | '\r')))
        .count();
    // Text with an escape sequence planted in it is still text (shown made inert); bytes that
    // are mostly undecodable or control characters are not.
    if head.contains('\0') || unreadable * 10 > head.chars().count() {
        format!("holds binary data, not text ({} bytes)", text.len())
    } else {
        format!("starts with {head:?}")
    }
}

/// A paste quoted by a forum or a mail client (every non-blank line starts with `>`), with the
/// quote markers (and one space after each) removed; any other text as it is.
pub fn unquoted(text: &str) -> std::borrow::Cow<'_, str> {
    let quoted = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .all(|l| l.trim_start().starts_with('>'));
    if !quoted || text.trim().is_empty() {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        let mut rest = line.trim_start();
        while let Some(stripped) = rest.strip_prefix('>') {
            rest = stripped.strip_prefix(' ').unwrap_or(stripped);
            if !rest.trim_start().starts_with('>') {
                break;
            }
            rest = rest.trim_start();
        }
        out.push_str(rest);
        out.push('\n');
    }
    std::borrow::Cow::Owned(out)
}

fn looks_like_bomless_utf16le(bytes: &[u8]) -> bool {
    if bytes.len() < 4 || bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return false;
    }
    let sample = &bytes[..bytes.len().min(256) & !1];
    let odd_zeros = sample
        .iter()
        .skip(1)
        .step_by(2)
        .filter(|b| **b == 0)
        .count();
    let even_zeros = sample.iter().step_by(2).filter(|b| **b == 0).count();
    odd_zeros * 2 > sample.len() / 2 && even_zeros * 4 < sample.len() / 2
}

/// One pass, one allocation: evidence files can be megabytes.
fn normalise_line_ends(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => {
                chars.next_if_eq(&'\n');
                out.push('\n');
            }
            '\0' => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
pub(crate) mod variants {
    //! Hostile re-encodings of a fixture that every parser test runs through.

    /// The same text as CRLF, UTF-16LE with BOM, BOM-less UTF-16LE and UTF-8 with BOM.
    pub fn encodings(text: &str) -> Vec<(&'static str, Vec<u8>)> {
        let crlf = text.replace('\n', "\r\n");
        let mut utf16_bom = vec![0xFF, 0xFE];
        utf16_bom.extend(crlf.encode_utf16().flat_map(u16::to_le_bytes));
        let utf16_plain: Vec<u8> = crlf.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let mut utf8_bom = vec![0xEF, 0xBB, 0xBF];
        utf8_bom.extend(text.as_bytes());
        vec![
            ("lf", text.as_bytes().to_vec()),
            ("crlf", crlf.into_bytes()),
            ("utf16le+bom", utf16_bom),
            ("utf16le", utf16_plain),
            ("utf8+bom", utf8_bom),
        ]
    }

    /// The first `percent` of the text, cut at a character boundary.
    pub fn truncated(text: &str, percent: usize) -> &str {
        let mut end = text.len() * percent / 100;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        &text[..end]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_is_said_to_be_binary_never_quoted() {
        let garbage = "\u{1b}\u{7}\u{fffd}\u{fffd}PK\u{3}\u{4}".repeat(40);
        let said = how_it_starts(&garbage, 60);
        assert!(said.starts_with("holds binary data, not text"), "{said}");
        assert!(said.len() < 60, "{said}");
        assert_eq!(
            how_it_starts("\n  Hello world\nmore", 5),
            r#"starts with "Hello""#
        );
    }

    #[test]
    fn every_encoding_decodes_to_the_same_lf_text() {
        let text = "Kopf : Wert\nÄrger : ja\n";
        for (name, bytes) in variants::encodings(text) {
            assert_eq!(decode(&bytes), text, "variant {name}");
        }
    }

    #[test]
    fn invalid_utf8_is_replaced_not_rejected() {
        assert_eq!(
            decode(b"ok \xff\xfe\xfd end"),
            "ok \u{fffd}\u{fffd}\u{fffd} end"
        );
    }

    #[test]
    fn lone_carriage_returns_become_line_ends() {
        assert_eq!(decode(b"a\rb\r\nc"), "a\nb\nc");
    }
}
