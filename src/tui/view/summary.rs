//! The verdict, counts, and what to do next grouped by who must act.

use super::block;
use crate::checks::spec;
use crate::guidance::Guidance;
use crate::i18n::{pad, widest};
use crate::model::{Audience, Severity};
use crate::report::sanitise::plain;
use crate::tui::app::App;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let theme = app.theme;
    let mut lines = Vec::new();
    match &app.report {
        None => lines.push(Line::from(format!(
            "{} {}",
            theme.spinner(app.frame),
            crate::i18n::tr_fill(
                app.lang,
                "Still checking: {} of {} steps decided.",
                &[
                    &app.finished_count().to_string(),
                    &app.steps.len().to_string()
                ],
            )
        ))),
        Some(report) => {
            lines.push(Line::from(vec![
                Span::styled(format!("{}: ", app.tr("Verdict")), theme.title()),
                Span::styled(
                    app.tr(report.verdict.label()).to_uppercase(),
                    theme.verdict(report.verdict),
                ),
            ]));
            let labels: Vec<String> = report
                .features
                .iter()
                .map(|f| app.tr(f.id.label()))
                .collect();
            let column = widest(labels.iter().map(String::as_str)) + 2;
            for (feature, label) in report.features.iter().zip(&labels) {
                let because: Vec<String> = feature
                    .failed_by
                    .iter()
                    .map(|id| app.tr(spec(*id).title))
                    .collect();
                let mut spans = vec![
                    Span::raw(format!("  {}", pad(label, column))),
                    Span::styled(
                        app.tr(feature.verdict.label()),
                        theme.verdict(feature.verdict),
                    ),
                ];
                if !because.is_empty() {
                    spans.push(Span::raw(format!(
                        " {} {} {}",
                        theme.dash(),
                        app.tr("because of"),
                        because.join(", ")
                    )));
                }
                lines.push(Line::from(spans));
            }
        }
    }
    let counts: Vec<Span> = app
        .counts()
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .map(|(status, n)| {
            Span::styled(
                format!("{} {n} {}   ", theme.glyph(status), app.tr(status.as_str())),
                theme.status(status),
            )
        })
        .collect();
    lines.push(Line::default());
    lines.push(Line::from(counts));
    lines.extend(unusable_evidence(app));
    lines.extend(what_to_do(app));
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((app.scroll, 0))
            .block(block(&app.tr("Summary"), theme, true)),
        area,
    );
}

/// Every source that was present but unusable, as the reports list it.
fn unusable_evidence(app: &App) -> Vec<Line<'static>> {
    let Some(report) = app.report.as_ref().filter(|r| !r.problems.is_empty()) else {
        return Vec::new();
    };
    let mut lines = vec![
        Line::default(),
        Line::from(Span::styled(
            format!("{}:", app.tr("Evidence that could not be used")),
            app.theme.title(),
        )),
    ];
    for problem in &report.problems {
        lines.push(Line::from(vec![
            Span::styled(
                format!("  {}: ", plain(problem.source.as_str())),
                app.theme.dim(),
            ),
            Span::raw(plain(&problem.message)),
        ]));
    }
    lines
}

fn what_to_do(app: &App) -> Vec<Line<'static>> {
    let theme = app.theme;
    let guidance = Guidance::for_lang(app.lang);
    let mut lines = Vec::new();
    for (audience, heading) in [
        (Audience::User, "The user"),
        (Audience::Helpdesk, "Helpdesk"),
        (Audience::Admin, "A tenant admin"),
    ] {
        let items: Vec<Line<'static>> = app
            .steps
            .iter()
            .filter_map(|s| s.result())
            .flat_map(|r| r.findings.iter().map(move |f| (r, f)))
            .filter(|(_, f)| {
                f.severity != Severity::Info
                    && f.fix.as_ref().is_some_and(|fix| fix.audience == audience)
            })
            .map(|(result, finding)| {
                let title = guidance
                    .entry(&finding.code)
                    .map_or(finding.code.clone(), |e| e.title.clone());
                let status = finding.severity.status();
                Line::from(vec![
                    Span::styled(format!("  {} ", theme.glyph(status)), theme.status(status)),
                    Span::raw(format!("{title} ")),
                    Span::styled(format!("({})", app.tr(spec(result.id).title)), theme.dim()),
                ])
            })
            .collect();
        if !items.is_empty() {
            lines.push(Line::default());
            lines.push(Line::from(Span::styled(
                format!(
                    "{} {} {}:",
                    app.tr("What to do next"),
                    theme.dash(),
                    app.tr(heading)
                ),
                theme.title(),
            )));
            lines.extend(items);
        }
    }
    if lines.is_empty() && app.report.is_some() {
        lines.push(Line::default());
        lines.push(Line::from(
            app.tr("Nothing to do: every prerequisite is in place."),
        ));
    }
    lines.push(Line::default());
    lines.push(Line::from(Span::styled(
        app.tr("e writes the report to a file, c copies the summary, R checks again."),
        theme.dim(),
    )));
    lines
}
