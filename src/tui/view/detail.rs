//! One step in full: its evidence as a table of raw values and its findings, beside the
//! guidance (why, who fixes it, numbered steps, commands, documentation).

use super::block;
use super::links::Addresses;
use crate::i18n::{Lang, tr, tr_with};
use crate::model::{CheckResult, Finding, Severity};
use crate::report::fix::{self, FixFace, FixParts};
use crate::report::localise;
use crate::tui::app::App;
use crate::tui::state::Focus;
use crate::tui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use serde_json::Value;

pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let theme = app.theme;
    let step = app.selected_step();
    let [left, right] =
        Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(area);
    let (evidence, guidance) = match step.result() {
        Some(result) => {
            let mut left_lines = status_line(result, theme, app.lang);
            left_lines.extend(evidence_lines(result, theme));
            left_lines.extend(findings_lines(result, theme, app.lang));
            let addresses = Addresses::in_pane(right, app.hyperlinks, theme.ellipsis());
            let mut right_lines = guidance_lines(result, theme, app.lang, addresses);
            if right_lines.is_empty() {
                right_lines = super::undecided::next_steps(app, result);
            }
            if right_lines.is_empty() {
                right_lines.push(Line::from(app.tr("Nothing to fix here.")));
            }
            (left_lines, right_lines)
        }
        None => (vec![Line::from(app.tr("Still checking…"))], Vec::new()),
    };
    frame.render_widget(
        Paragraph::new(evidence)
            .wrap(Wrap { trim: false })
            .scroll((app.scroll_of(Focus::Primary), 0))
            .block(block(
                &format!("{} — {}", app.tr(step.spec.title), app.tr("evidence")),
                theme,
                app.focus == Focus::Primary,
            )),
        left,
    );
    frame.render_widget(
        Paragraph::new(guidance)
            .wrap(Wrap { trim: false })
            .scroll((app.scroll_of(Focus::Secondary), 0))
            .block(block(
                &app.tr("How to fix it"),
                theme,
                app.focus == Focus::Secondary,
            )),
        right,
    );
    if let Some(result) = step.result() {
        link_docs(frame, right, app, result);
    }
}

/// The documentation addresses of `result`'s fixes drawn in the pane at `area` become links,
/// on a terminal that follows them.
pub(crate) fn link_docs(frame: &mut Frame, area: Rect, app: &App, result: &CheckResult) {
    if !app.hyperlinks {
        return;
    }
    let guidance = crate::guidance::Guidance::for_lang(app.lang);
    let urls: Vec<String> = result
        .findings
        .iter()
        .filter_map(|f| guidance.entry(&f.code))
        .flat_map(|entry| entry.docs.iter().cloned())
        .collect();
    let inner = area.inner(ratatui::layout::Margin::new(1, 1));
    super::links::mark(frame.buffer_mut(), inner, &urls);
}

fn status_line(result: &CheckResult, theme: Theme, lang: Lang) -> Vec<Line<'static>> {
    let mut lines = vec![Line::from(vec![
        Span::styled(
            format!(
                "{} {}",
                theme.glyph(result.status),
                tr(lang, result.status.as_str())
            ),
            theme.status(result.status),
        ),
        Span::styled(format!("  ({} ms)", result.duration_ms), theme.dim()),
    ])];
    if let Some(reason) = crate::report::localise::reason(result, lang) {
        lines.push(Line::from(reason));
    }
    lines.push(Line::default());
    lines
}

/// Evidence as `key  value`, values exactly as found; a list of records (endpoints,
/// installs, profiles) gets one line per record. The files a check read are left to the
/// reports: on a small screen they would push the findings out of sight.
pub(super) fn evidence_lines(result: &CheckResult, theme: Theme) -> Vec<Line<'static>> {
    let shown_keys = || result.evidence.iter().filter(|(key, _)| *key != "files");
    let width = shown_keys()
        .map(|(key, _)| key.len())
        .max()
        .unwrap_or(0)
        .min(24);
    let mut lines = Vec::new();
    for (key, value) in shown_keys() {
        let rows: Vec<String> = match value {
            Value::Array(items) if !items.is_empty() && items.iter().all(Value::is_object) => {
                items.iter().map(record).collect()
            }
            other => vec![shown(other)],
        };
        for (n, row) in rows.into_iter().enumerate() {
            let label = if n == 0 {
                format!("{key:<width$}  ")
            } else {
                " ".repeat(width + 2)
            };
            lines.push(Line::from(vec![
                Span::styled(label, theme.dim()),
                Span::raw(row),
            ]));
        }
    }
    lines
}

/// A value as a person reads it: text as is, a list of texts comma-separated, nothing as a
/// dash, the rest as JSON.
fn shown(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => "—".to_owned(),
        Value::Array(items) if !items.is_empty() && items.iter().all(Value::is_string) => items
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(", "),
        other => other.to_string(),
    }
}

/// `host edge.microsoft.com · reachable true · http_status 404` (empty fields left out).
fn record(item: &Value) -> String {
    item.as_object()
        .map(|map| {
            map.iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| format!("{k} {}", shown(v)))
                .collect::<Vec<_>>()
                .join(" · ")
        })
        .unwrap_or_default()
}

/// Each warning or failure: glyph, code, message (in another language, the finding's title
/// first and what was recorded after it).
pub(crate) fn findings_lines(result: &CheckResult, theme: Theme, lang: Lang) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    for finding in result
        .findings
        .iter()
        .filter(|f| f.severity != Severity::Info)
    {
        let status = finding.severity.status();
        lines.push(Line::default());
        lines.push(Line::from(vec![Span::styled(
            format!("{} {}", theme.glyph(status), finding.code),
            theme.status(status),
        )]));
        if lang != Lang::En {
            lines.push(Line::from(localise::headline(finding, lang)));
        }
        lines.push(Line::from(localise::told(finding, lang)));
    }
    lines
}

/// The fix of every warning or failure: who acts, the steps and commands first (someone is
/// waiting), then why, then the documentation.
pub(crate) fn guidance_lines(
    result: &CheckResult,
    theme: Theme,
    lang: Lang,
    addresses: Addresses,
) -> Vec<Line<'static>> {
    findings_guidance(&result.findings, theme, lang, addresses)
}

/// The guidance of each finding that needs doing: title, who, steps, commands, why, links
/// (an address too wide for the pane shortened, with the command that prints it whole).
pub(crate) fn findings_guidance(
    findings: &[Finding],
    theme: Theme,
    lang: Lang,
    addresses: Addresses,
) -> Vec<Line<'static>> {
    let guidance = crate::guidance::Guidance::for_lang(lang);
    let mut lines = Vec::new();
    for finding in findings.iter().filter(|f| f.severity != Severity::Info) {
        let Some(entry) = guidance.entry(&finding.code) else {
            continue;
        };
        if !lines.is_empty() {
            lines.push(Line::default());
        }
        lines.push(Line::from(Span::styled(entry.title.clone(), theme.title())));
        let mut face = WizardFix {
            lines: &mut lines,
            theme,
            why: (tr(lang, "Why"), &entry.explanation),
            addresses,
            whole: tr_with(
                lang,
                "whole addresses: esr-doctor explain {}",
                &finding.code,
            ),
        };
        fix::render(&FixParts::from(entry), lang, &mut face);
    }
    lines
}

/// A fix in the wizard: who in the key colour, commands in the command colour, then why the
/// fix is needed, then the links.
struct WizardFix<'o> {
    lines: &'o mut Vec<Line<'static>>,
    theme: Theme,
    /// The translated "Why" and the entry's explanation.
    why: (String, &'o str),
    addresses: Addresses,
    /// Where the whole addresses are, said when one had to be shortened.
    whole: String,
}

impl FixFace for WizardFix<'_> {
    fn who(&mut self, label: &str, audience: &str) {
        self.lines.push(Line::from(vec![
            Span::styled(format!("{label}: "), self.theme.title()),
            Span::styled(audience.to_owned(), self.theme.key()),
        ]));
    }

    fn step(&mut self, number: usize, text: &str) {
        self.lines.push(Line::from(format!("{number}. {text}")));
    }

    fn commands(&mut self, label: &str, commands: &[String]) {
        self.lines.push(Line::from(Span::styled(
            format!("{label}:"),
            self.theme.title(),
        )));
        self.lines.extend(
            commands
                .iter()
                .map(|c| Line::from(Span::styled(format!("  {c}"), self.theme.command()))),
        );
    }

    fn before_docs(&mut self) {
        self.lines.push(Line::from(vec![
            Span::styled(format!("{}: ", self.why.0), self.theme.title()),
            Span::raw(self.why.1.to_owned()),
        ]));
    }

    fn docs(&mut self, _label: &str, docs: &[String]) {
        let mut shortened = false;
        for doc in docs {
            let shown = self.addresses.shortened(doc).unwrap_or_else(|| doc.clone());
            shortened |= shown != *doc;
            self.lines
                .push(Line::from(Span::styled(shown, self.theme.dim())));
        }
        if shortened {
            self.lines.push(Line::from(Span::styled(
                format!("({})", self.whole),
                self.theme.dim(),
            )));
        }
    }
}
