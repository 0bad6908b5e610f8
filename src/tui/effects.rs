//! Side effects the wizard asks for: writing the report to a file and copying the markdown
//! summary to the clipboard with OSC 52 (which works through SSH and most remote terminals).

use super::app::ExportFormat;
use crate::model::Report;
use crate::report::{json, markdown};
use base64::Engine;
use std::io::Write;
use std::path::Path;

/// Writes the report and says what was done, e.g. `Wrote /home/ann/report.md (4 KB)`.
pub fn write_export(report: &Report, format: ExportFormat, path: &Path) -> Result<String, String> {
    let text = match format {
        ExportFormat::Markdown => markdown::render(report),
        ExportFormat::Json => json::render(report).map_err(|e| e.to_string())?,
    };
    std::fs::write(path, &text).map_err(|e| format!("{}: {e}", path.display()))?;
    let shown = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_owned());
    Ok(format!(
        "Wrote {} ({} KB).",
        shown.display(),
        text.len().div_ceil(1024)
    ))
}

/// The OSC 52 sequence that puts `text` on the clipboard of the terminal the user sits at.
pub fn osc52(text: &str) -> String {
    format!(
        "\x1b]52;c;{}\x07",
        base64::engine::general_purpose::STANDARD.encode(text)
    )
}

/// Sends `text` (made terminal-safe first) to the terminal's clipboard.
pub fn copy_text(text: &str, out: &mut impl Write) -> std::io::Result<()> {
    out.write_all(osc52(&crate::report::plain(text)).as_bytes())?;
    out.flush()
}

/// Sends the markdown summary to the terminal's clipboard.
pub fn copy_summary(report: &Report, out: &mut impl Write) -> std::io::Result<()> {
    out.write_all(osc52(&markdown::render(report)).as_bytes())?;
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn osc52_wraps_base64() {
        assert_eq!(osc52("hi"), "\x1b]52;c;aGk=\x07");
    }
}
