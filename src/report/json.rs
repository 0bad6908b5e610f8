//! The `esr-doctor/report/v1` JSON document.

use crate::model::{REPORT_SCHEMA, Report};
use std::path::Path;

/// Pretty-printed JSON; serialising our own model cannot fail, but if it ever did the error
/// is returned rather than a partial document printed.
pub fn render(report: &Report) -> Result<String, serde_json::Error> {
    serde_json::to_string_pretty(report)
}

/// Why a file is not a report `diff` can compare.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("cannot read {path}")]
    Unreadable {
        path: String,
        #[source]
        source: crate::evidence::read::ReadError,
    },
    #[error("{path} is not an esr-doctor JSON report (write one with `check --format json`)")]
    NotAReport {
        path: String,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    #[error(
        "{path} is a report of another layout ({schema:?}); this esr-doctor compares {REPORT_SCHEMA} reports"
    )]
    OtherLayout { path: String, schema: String },
}

/// `json` with every non-ASCII character written as a `\uXXXX` escape (a surrogate pair above
/// U+FFFF): the same JSON value, in ASCII bytes. Outside strings JSON is ASCII already.
pub fn ascii_escaped(json: &str) -> String {
    use std::fmt::Write;
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                let _ = write!(out, "\\u{unit:04x}");
            }
        }
    }
    out
}

/// A JSON report as `check --format json` writes it, from a file (for `diff`).
pub fn read(path: &Path) -> Result<Report, ReportError> {
    let shown = path.display().to_string();
    let bytes =
        crate::evidence::read::read_regular(path).map_err(|source| ReportError::Unreadable {
            path: shown.clone(),
            source,
        })?;
    let not_a_report = |source: Box<dyn std::error::Error + Send + Sync>| ReportError::NotAReport {
        path: shown.clone(),
        source,
    };
    let text = String::from_utf8(bytes).map_err(|e| not_a_report(e.into()))?;
    // Within the same value budget as evidence: a report is input too.
    let value = crate::evidence::json::parse(&shown, &text).map_err(|e| not_a_report(e.into()))?;
    let report: Report = serde_json::from_value(value).map_err(|e| not_a_report(e.into()))?;
    if report.schema != REPORT_SCHEMA {
        return Err(ReportError::OtherLayout {
            path: shown,
            schema: report.schema,
        });
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_escaped_json_is_the_same_value_in_ascii() {
        let value = serde_json::json!({"name": "Jürgen — 設定 🔑", "plain": "ok"});
        let text = serde_json::to_string(&value).unwrap_or_default();
        let escaped = ascii_escaped(&text);
        assert!(escaped.is_ascii(), "{escaped}");
        assert!(escaped.contains("\\u00fc") && escaped.contains("\\ud83d\\udd11"));
        let back: serde_json::Value = serde_json::from_str(&escaped).unwrap_or_default();
        assert_eq!(back, value);
    }
}
