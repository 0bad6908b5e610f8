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
    let bytes = crate::sources::read::read_regular(path)
        .with_context(|| format!("cannot read {}", path.display()))?;
    let report: Report = serde_json::from_slice(&bytes).with_context(|| {
        format!(
            "{} is not an esr-doctor JSON report (write one with `check --format json`)",
            path.display()
        )
    })?;
    anyhow::ensure!(
        report.schema == REPORT_SCHEMA,
        "{} is a report of another layout ({:?}); this esr-doctor compares {} reports",
        path.display(),
        report.schema,
        REPORT_SCHEMA
    );
    Ok(report)
}
