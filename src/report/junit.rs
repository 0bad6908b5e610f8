//! `check --format junit`: one test case per check, for pipelines that collect JUnit reports.

use crate::model::{Report, Status};

use std::fmt::Write;

/// `text` as XML 1.0 allows it (§2.2 `Char`): what it forbids (controls but tab, line feed
/// and carriage return; U+FFFE and U+FFFF) becomes U+FFFD, and markup is escaped (§2.4), so
/// it fits in an element or a quoted attribute.
fn xml_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            '\u{FFFE}' | '\u{FFFF}' => out.push('\u{FFFD}'),
            c if c.is_control() => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

pub fn render(report: &Report) -> String {
    let plain = super::sanitise::plain;
    let count = |status: Status| report.checks.iter().filter(|c| c.status == status).count();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuite name=\"esr-doctor\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" time=\"{:.3}\">",
        report.checks.len(),
        count(Status::Fail),
        count(Status::Error),
        count(Status::Skipped),
        report.duration_ms as f64 / 1000.0
    );
    for check in &report.checks {
        let _ = write!(
            out,
            "  <testcase classname=\"esr-doctor\" name=\"{}\" time=\"{:.3}\">",
            xml_text(check.id.as_str()),
            check.duration_ms as f64 / 1000.0
        );
        let findings: Vec<String> = check
            .findings
            .iter()
            .map(|f| format!("{}: {}", plain(&f.code), plain(&f.message)))
            .collect();
        let reason = plain(check.reason.as_deref().unwrap_or_default());
        let element = match check.status {
            Status::Fail => Some(("failure", findings.join("\n"))),
            Status::Error => Some(("error", reason)),
            Status::Skipped => Some(("skipped", reason)),
            Status::Pass | Status::Warn => None,
        };
        if let Some((tag, text)) = element {
            let first = text.lines().next().unwrap_or_default();
            let _ = write!(
                out,
                "<{tag} message=\"{}\">{}</{tag}>",
                xml_text(first),
                xml_text(&text)
            );
        }
        out.push_str("</testcase>\n");
    }
    out.push_str("</testsuite>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::xml_text;

    /// What an XML parser reads back is the text, markup characters and all, in an element and
    /// in a quoted attribute; forbidden characters come back as U+FFFD.
    #[test]
    fn text_reads_back_unchanged_from_element_and_attribute() {
        let text = "<b a=\"1\">&amp; it's</b>\u{1}\u{FFFE}\tend";
        let xml = format!("<r m=\"{0}\">{0}</r>", xml_text(text));
        let doc = roxmltree::Document::parse(&xml).unwrap_or_else(|e| panic!("{e}: {xml}"));
        let expected = "<b a=\"1\">&amp; it's</b>\u{FFFD}\u{FFFD}\tend";
        assert_eq!(doc.root_element().text(), Some(expected));
        // An attribute value's tab is normalised to a space by every parser (XML 1.0 §3.3.3).
        assert_eq!(
            doc.root_element().attribute("m"),
            Some(expected.replace('\t', " ").as_str())
        );
    }
}
