//! The `esr-doctor/report/v1` JSON document.

use crate::model::{REPORT_SCHEMA, Report};
use anyhow::Context;
use std::path::Path;

/// Pretty-printed JSON; serialising our own model cannot fail, but if it ever did the error
/// is returned rather than a partial document printed.
pub fn render(report: &Report) -> Result<String, serde_json::Error> {
    serde_json::to_string_pretty(report)
}

/// A JSON report as `check --format json` writes it, from a file (for `diff`).
pub fn read(path: &Path) -> anyhow::Result<Report> {
    let bytes = crate::evidence::read::read_regular(path)
        .with_context(|| format!("cannot read {}", path.display()))?;
    let not_a_report = || {
        format!(
            "{} is not an esr-doctor JSON report (write one with `check --format json`)",
            path.display()
        )
    };
    let text = String::from_utf8(bytes).with_context(not_a_report)?;
    // Within the same value budget as evidence: a report is input too.
    let value = crate::evidence::json::parse(&path.display().to_string(), &text)
        .with_context(not_a_report)?;
    let report: Report = serde_json::from_value(value).with_context(not_a_report)?;
    anyhow::ensure!(
        report.schema == REPORT_SCHEMA,
        "{} is a report of another layout ({:?}); this esr-doctor compares {} reports",
        path.display(),
        report.schema,
        REPORT_SCHEMA
    );
    Ok(report)
}
