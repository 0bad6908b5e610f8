//! The `esr-doctor/report/v1` JSON document.

use crate::model::Report;

/// Pretty-printed JSON; serialising our own model cannot fail, but if it ever did the error
/// is returned rather than a partial document printed.
pub fn render(report: &Report) -> Result<String, serde_json::Error> {
    serde_json::to_string_pretty(report)
}
