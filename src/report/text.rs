//! The terminal face: verdicts per feature, one row per check, then each problem with its fix.
//!
//! Styles are always written; `anstream` strips them when stdout is not a terminal or
//! `NO_COLOR` is set, so the glyphs alone must carry the meaning.

use super::fix::{self, FixFace, FixParts};
use super::summary::{one_line_in, problems, source_kind};
use super::{localise, sanitise};
use crate::checks::spec;
use crate::i18n::{self, Lang, tr, tr_with};
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
        Verdict::NotApplicable => status_style(Status::Skipped),
    }
}

fn paint(style: Style, text: &str) -> String {
    format!("{}{text}{}", style.render(), style.render_reset())
}

/// Header, verdicts, one line per check and the documentation of every problem, each address
/// whole on its own line: what stays on screen after the wizard ends, where the terminal wraps
/// an address without breaking it (a wizard pane too narrow for one shows it shortened).
pub fn brief(report: &Report) -> String {
    let lang = i18n::current();
    let report = localise::report(&sanitise::report(report), lang);
    let mut out = brief_of(&report, lang);
    let mut docs: Vec<&str> = Vec::new();
    for (_, finding) in problems(&report) {
        for doc in finding.fix.iter().flat_map(|fix| &fix.docs) {
            if !docs.contains(&doc.as_str()) {
                docs.push(doc);
            }
        }
    }
    if !docs.is_empty() {
        let _ = writeln!(out, "\n{}:", tr(lang, "Docs"));
        for doc in docs {
            let _ = writeln!(out, "  {doc}");
        }
    }
    out
}

fn brief_of(report: &Report, lang: Lang) -> String {
    let mut out = String::new();
    let bold = Style::new().bold();
    let _ = writeln!(
        out,
        "{} {} · {} {} · {}",
        paint(bold, "esr-doctor"),
        report.tool_version,
        tr(lang, source_kind(&report.source)),
        report.source.name,
        report.generated_at.format("%Y-%m-%d %H:%M %:z")
    );
    let _ = writeln!(
        out,
        "\n{}: {}",
        tr(lang, "Verdict"),
        paint(
            verdict_style(report.verdict),
            &tr(lang, report.verdict.label()).to_uppercase()
        )
    );
    let labels: Vec<String> = report
        .features
        .iter()
        .map(|f| tr(lang, f.id.label()))
        .collect();
    let label_width = (i18n::widest(labels.iter().map(String::as_str)) + 2).max(26);
    for (feature, label) in report.features.iter().zip(&labels) {
        let blocked = if feature.failed_by.is_empty() {
            String::new()
        } else {
            let names: Vec<String> = feature
                .failed_by
                .iter()
                .map(|id| tr(lang, spec(*id).title))
                .collect();
            format!(" — {}: {}", tr(lang, "because of"), names.join(", "))
        };
        let _ = writeln!(
            out,
            "  {}{}{blocked}",
            i18n::pad(label, label_width),
            paint(
                verdict_style(feature.verdict),
                &tr(lang, feature.verdict.label())
            )
        );
    }
    out.push('\n');
    let title_width = i18n::widest(report.checks.iter().map(|c| c.title.as_str())).max(21);
    for check in &report.checks {
        let _ = writeln!(
            out,
            " {} {} {}",
            paint(
                status_style(check.status),
                check.status.glyph(crate::i18n::ascii_only())
            ),
            i18n::pad(&check.title, title_width),
            one_line_in(check, lang)
        );
    }
    out
}

/// The report with the fixes of every problem: what `check --format text` prints, in the
/// language of this run.
pub fn render(report: &Report) -> String {
    render_in(report, i18n::current())
}

/// `render` in `lang`.
pub fn render_in(report: &Report, lang: Lang) -> String {
    let report = &localise::report(&sanitise::report(report), lang);
    let mut out = brief_of(report, lang);
    let bold = Style::new().bold();
    let dim = Style::new().dimmed();
    let to_do = problems(report);
    if !to_do.is_empty() {
        let _ = writeln!(out, "\n{}", paint(bold, &tr(lang, "What to do")));
    }
    for (check, finding) in to_do {
        let status = finding.severity.status();
        let _ = writeln!(
            out,
            "\n {} {} ({})",
            paint(
                status_style(status),
                status.glyph(crate::i18n::ascii_only())
            ),
            paint(bold, &finding.code),
            check.title
        );
        let _ = writeln!(out, "   {}", finding.message);
        if let Some(fix) = &finding.fix {
            let mut face = TextFix { out: &mut out, dim };
            fix::render(&FixParts::from(fix), lang, &mut face);
        }
    }
    if !report.notes.is_empty() {
        let _ = writeln!(out, "\n{}", paint(bold, &tr(lang, "Read with care")));
    }
    for note in &report.notes {
        let _ = writeln!(out, " - {note}");
    }
    if !report.problems.is_empty() {
        let _ = writeln!(
            out,
            "\n{}",
            paint(bold, &tr(lang, "Evidence that could not be used"))
        );
    }
    for problem in &report.problems {
        let _ = writeln!(out, " - {}: {}", problem.source, problem.message);
    }
    let _ = writeln!(
        out,
        "\n{}",
        paint(
            dim,
            &tr_with(
                lang,
                "Finished in {} ms. `esr-doctor explain CODE` explains any code.",
                &report.duration_ms.to_string()
            )
        )
    );
    out
}
/// A fix on the terminal: indented under its finding, commands in cyan, links dim.
struct TextFix<'o> {
    out: &'o mut String,
    dim: Style,
}

impl FixFace for TextFix<'_> {
    fn who(&mut self, label: &str, audience: &str) {
        let _ = writeln!(self.out, "   {label}: {audience}");
    }

    fn step(&mut self, number: usize, text: &str) {
        let _ = writeln!(self.out, "   {number}. {text}");
    }

    fn commands(&mut self, _label: &str, commands: &[String]) {
        let cyan = Style::new().fg_color(Some(AnsiColor::Cyan.into()));
        for command in commands {
            let _ = writeln!(self.out, "     {}", paint(cyan, &format!("> {command}")));
        }
    }

    fn docs(&mut self, _label: &str, docs: &[String]) {
        for doc in docs {
            let _ = writeln!(self.out, "   {}", paint(self.dim, doc));
        }
    }
}
