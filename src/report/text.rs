//! The terminal face: verdicts per feature, one row per check, then each problem with its fix.
//!
//! Styles are always written; `anstream` strips them when stdout is not a terminal or
//! `NO_COLOR` is set, so the glyphs alone must carry the meaning.

use super::sanitise;
use super::summary::{glyph, one_line, problems, source_kind};
use crate::checks::spec;
use crate::model::{Report, Status, Verdict};
use anstyle::{AnsiColor, Style};
use std::fmt::Write;

fn status_style(status: Status) -> Style {
    let color = match status {
        Status::Pass => AnsiColor::Green,
        Status::Warn => AnsiColor::Yellow,
        Status::Fail | Status::Error => AnsiColor::Red,
        Status::Skipped => AnsiColor::BrightBlack,
    };
    Style::new().fg_color(Some(color.into()))
}

fn verdict_style(verdict: Verdict) -> Style {
    match verdict {
        Verdict::Pass => status_style(Status::Pass).bold(),
        Verdict::Fail => status_style(Status::Fail).bold(),
        Verdict::Incomplete => status_style(Status::Warn).bold(),
    }
}

fn paint(style: Style, text: &str) -> String {
    format!("{}{text}{}", style.render(), style.render_reset())
}

/// Header, verdicts and one line per check: what stays on screen after the wizard ends.
pub fn brief(report: &Report) -> String {
    brief_of(&sanitise::report(report))
}

fn brief_of(report: &Report) -> String {
    let mut out = String::new();
    let bold = Style::new().bold();
    let _ = writeln!(
        out,
        "{} {} · {} {} · {}",
        paint(bold, "esr-doctor"),
        report.tool_version,
        source_kind(&report.source),
        report.source.name,
        report.generated_at.format("%Y-%m-%d %H:%M %:z")
    );
    let _ = writeln!(
        out,
        "\nVerdict: {}",
        paint(
            verdict_style(report.verdict),
            &report.verdict.as_str().to_ascii_uppercase()
        )
    );
    for feature in &report.features {
        let blocked = if feature.blocked_by.is_empty() {
            String::new()
        } else {
            let names: Vec<&str> = feature
                .blocked_by
                .iter()
                .map(|id| spec(*id).title)
                .collect();
            format!(" — because of: {}", names.join(", "))
        };
        let _ = writeln!(
            out,
            "  {:<26}{}{blocked}",
            feature.id.label(),
            paint(verdict_style(feature.verdict), feature.verdict.as_str())
        );
    }
    out.push('\n');
    for check in &report.checks {
        let _ = writeln!(
            out,
            " {} {:<21} {}",
            paint(status_style(check.status), glyph(check.status)),
            check.title,
            one_line(check)
        );
    }
    out
}

/// The report with the fixes of every problem: what `check --format text` prints.
pub fn render(report: &Report) -> String {
    let report = &sanitise::report(report);
    let mut out = brief_of(report);
    let bold = Style::new().bold();
    let dim = Style::new().dimmed();
    let to_do = problems(report);
    if !to_do.is_empty() {
        let _ = writeln!(out, "\n{}", paint(bold, "What to do"));
    }
    for (check, finding) in to_do {
        let status = finding.severity.status();
        let _ = writeln!(
            out,
            "\n {} {} ({})",
            paint(status_style(status), glyph(status)),
            paint(bold, &finding.code),
            check.title
        );
        let _ = writeln!(out, "   {}", finding.message);
        if let Some(fix) = &finding.fix {
            let _ = writeln!(out, "   Who fixes it: {}", fix.audience.as_str());
            for (n, step) in fix.steps.iter().enumerate() {
                let _ = writeln!(out, "   {}. {step}", n + 1);
            }
            for command in &fix.commands {
                let _ = writeln!(
                    out,
                    "     {}",
                    paint(
                        Style::new().fg_color(Some(AnsiColor::Cyan.into())),
                        &format!("> {command}")
                    )
                );
            }
            for doc in &fix.docs {
                let _ = writeln!(out, "   {}", paint(dim, doc));
            }
        }
    }
    if !report.problems.is_empty() {
        let _ = writeln!(out, "\n{}", paint(bold, "Evidence that could not be used"));
    }
    for problem in &report.problems {
        let _ = writeln!(out, " - {}: {}", problem.source, problem.message);
    }
    let _ = writeln!(
        out,
        "\n{}",
        paint(
            dim,
            &format!(
                "Finished in {} ms. `esr-doctor explain CODE` explains any code.",
                report.duration_ms
            )
        )
    );
    out
}
