//! `check --format junit`: one test case per check, for pipelines that collect JUnit reports.

use crate::model::{Report, Status};
use quick_xml::escape::escape;

use std::fmt::Write;

/// `text` as XML 1.0 allows it (§2.2 `Char`): what it forbids (controls but tab, line feed
/// and carriage return; U+FFFE and U+FFFF) becomes U+FFFD, then markup is escaped.
fn xml_text(text: &str) -> String {
    let allowed: String = text
        .chars()
        .map(|c| match c {
            '\t' | '\n' | '\r' => c,
            '\u{FFFE}' | '\u{FFFF}' => '\u{FFFD}',
            c if c.is_control() => '\u{FFFD}',
            c => c,
        })
        .collect();
    escape(&allowed).into_owned()
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
