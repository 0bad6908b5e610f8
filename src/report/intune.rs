//! `check --format intune`: the one line Intune Remediations shows per device.
//!
//! Intune keeps only the last line of a detection script's output, cut to its last 2,048
//! characters, and reads the exit code: `1` means "fix this device", `0` means fine (see
//! shared/reference/intune.md). So the line leads with the verdict per feature and the failing
//! codes, and ends with the first fix, which is what gets shortened when space runs out.

use crate::model::{Report, Severity, Verdict};

/// Longest line Intune shows.
pub const MAX_CHARS: usize = 2048;

/// The report as one line of at most `MAX_CHARS` characters, with its line end.
pub fn render(report: &Report) -> String {
    let plain = super::sanitise::plain;
    let features: Vec<String> = report
        .features
        .iter()
        .map(|f| format!("{} {}", f.id.as_str(), f.verdict.as_str()))
        .collect();
    let failing: Vec<&str> = report
        .checks
        .iter()
        .flat_map(|c| c.findings.iter())
        .filter(|f| f.severity == Severity::Fail)
        .map(|f| f.code.as_str())
        .collect();
    let mut line = format!(
        "esr-doctor {}: {}",
        report.verdict.as_str().to_ascii_uppercase(),
        features.join(", ")
    );
    if !failing.is_empty() {
        line.push_str(&format!(" | failing: {}", failing.join(", ")));
    }
    let first_fix = report
        .checks
        .iter()
        .flat_map(|c| c.findings.iter())
        .filter(|f| f.severity == Severity::Fail)
        .find_map(|f| f.fix.as_ref().map(|fix| (f.code.as_str(), fix)));
    // What is wrong and who fixes it, and where the whole fix is: a first step beside a first
    // command read as one instruction ("as a Global Administrator … `dsregcmd /status`").
    if let Some((code, fix)) = first_fix {
        let who = fix.audience.as_str();
        let what = crate::guidance::Guidance::builtin()
            .entry(code)
            .map_or(code, |e| e.title.as_str());
        line.push_str(&format!(
            " | fix {code} ({who}): {} | esr-doctor explain {code}",
            plain(what)
        ));
    }
    let one_line: String = line
        .chars()
        .map(|c| if c == '\n' || c == '\r' { ' ' } else { c })
        .take(MAX_CHARS)
        .collect();
    one_line + "\n"
}

/// `1` when something on this device or tenant must be fixed, `0` otherwise (an incomplete
/// run has nothing a remediation could fix).
pub fn exit_code(report: &Report) -> i32 {
    i32::from(report.verdict == Verdict::Fail)
}
