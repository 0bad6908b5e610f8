//! Side effects the wizard and setup ask for: writing the report or script to a file and
//! copying text to the clipboard with OSC 52 (which works through SSH and most remote terminals).

use super::state::ExportFormat;
use crate::model::Report;
use crate::report::{json, markdown};
use base64::Engine;
use std::io::Write;
use std::path::Path;

/// Why the report was not written.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Serialise(#[from] serde_json::Error),
    #[error(transparent)]
    Output(#[from] crate::output::OutputError),
}

/// Writes the report and says what was done, e.g. `Wrote /home/ann/report.md (4 KB)`.
pub fn write_export(
    report: &Report,
    format: ExportFormat,
    path: &Path,
) -> Result<String, ExportError> {
    let text = match format {
        ExportFormat::Markdown => markdown::render(report),
        ExportFormat::Json => json::render(report)?,
    };
    let shown = crate::output::write_new(path, &text)?;
    Ok(format!(
        "Wrote {} ({} KB).",
        shown.display(),
        text.len().div_ceil(1024)
    ))
}

/// The OSC 52 sequence that puts `text` on the clipboard of the terminal the user sits at.
fn osc52(text: &str) -> String {
    format!(
        "\x1b]52;c;{}\x07",
        base64::engine::general_purpose::STANDARD.encode(text)
    )
}

/// Sends `text` as it is to the terminal's clipboard: the caller has made it inert.
pub fn copy(text: &str, out: &mut impl Write) -> std::io::Result<()> {
    out.write_all(osc52(text).as_bytes())?;
    out.flush()
}

/// Sends `text` (made terminal-safe first) to the terminal's clipboard.
pub fn copy_text(text: &str, out: &mut impl Write) -> std::io::Result<()> {
    copy(&crate::evidence::plain(text), out)
}

/// Sends the markdown summary to the terminal's clipboard.
pub fn copy_summary(report: &Report, out: &mut impl Write) -> std::io::Result<()> {
    copy(&markdown::render(report), out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn osc52_wraps_base64() {
        assert_eq!(osc52("hi"), "\x1b]52;c;aGk=\x07");
    }
}
