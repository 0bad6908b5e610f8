//! The nine steps with live status, and a preview of the selected one (or, in guided mode,
//! the step being explained).

use super::block;
use super::detail::{findings_lines, guidance_lines};
use super::links::Addresses;
use crate::i18n::{fit, pad, widest};
use crate::report::summary::one_line_in;
use crate::tui::app::App;
use crate::tui::state::{Focus, Step, StepState};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let rows = app.steps.len() as u16 + 2;
    let [list, preview] =
        Layout::vertical([Constraint::Length(rows), Constraint::Min(4)]).areas(area);
    let titles: Vec<String> = app.steps.iter().map(|s| app.tr(s.spec.title)).collect();
    // The title column is as wide as the widest title in this language, never cut; the
    // summaries get what is left (at least a third of the line).
    let inner = usize::from(list.width.saturating_sub(2));
    let column = (widest(titles.iter().map(String::as_str)) + 2).min(inner * 2 / 3);
    let lines: Vec<Line> = app
        .steps
        .iter()
        .zip(&titles)
        .enumerate()
        .map(|(i, (step, title))| step_line(app, i, step, title, (column, inner)))
        .collect();
    // Once a run is done the box names the verdict, so the answer is the first thing read.
    let title = match app.report.as_ref().filter(|_| !app.is_running()) {
        Some(report) => format!(
            "{} {} {}: {}",
            app.tr("Prerequisites"),
            app.theme.dash(),
            app.tr("Verdict"),
            app.tr(report.verdict.label()).to_uppercase()
        ),
        None => app.tr("Prerequisites"),
    };
    frame.render_widget(
        Paragraph::new(lines).block(block(&title, app.theme, app.focus == Focus::Primary)),
        list,
    );
    let (title, body) = match app.guided {
        Some(guided) => guided_preview(
            app,
            (guided.index, guided.revealed),
            Addresses::in_pane(preview, app.hyperlinks, app.theme.ellipsis()),
        ),
        None => (app.tr("Selected step"), selected_preview(app)),
    };
    frame.render_widget(
        Paragraph::new(body)
            .wrap(Wrap { trim: false })
            .scroll((app.scroll_of(Focus::Secondary), 0))
            .block(block(&title, app.theme, app.focus == Focus::Secondary)),
        preview,
    );
    if let Some(result) = app.guided.and_then(|g| app.steps.get(g.index)?.result()) {
        super::detail::link_docs(frame, preview, app, result);
    }
}

/// `✓ Edge version          Edge 142.0.3595.80 (stable)` or a spinner with elapsed time;
/// `column` is the title column's width and `inner` the line's, in display cells.
fn step_line(
    app: &App,
    index: usize,
    step: &Step,
    title: &str,
    (column, inner): (usize, usize),
) -> Line<'static> {
    let theme = app.theme;
    let hidden = app
        .guided
        .is_some_and(|g| index > g.index || (index == g.index && !g.revealed));
    let (glyph, glyph_style, summary) = match (&step.state, hidden) {
        (_, true) => (
            theme.pending().to_owned(),
            theme.dim(),
            theme.ellipsis().to_owned(),
        ),
        (StepState::Waiting, _) => (theme.pending().to_owned(), theme.dim(), app.tr("waiting")),
        (StepState::Running { since }, _) => {
            let elapsed = app.now.saturating_duration_since(*since).as_secs_f32();
            (
                theme.spinner(app.frame).to_owned(),
                theme.key(),
                format!("{} {elapsed:.1} s", app.tr("checking…")),
            )
        }
        (StepState::Done(result), _) => (
            theme.glyph(result.status).to_owned(),
            theme.status(result.status),
            one_line_in(result, app.lang),
        ),
    };
    // The glyph takes three cells and a space is kept before the border.
    let room = inner.saturating_sub(column + 4);
    let line = Line::from(vec![
        Span::styled(format!(" {glyph} "), glyph_style),
        Span::styled(
            pad(&fit(title, column, theme.ellipsis()), column),
            theme.title(),
        ),
        Span::raw(fit(&summary, room, theme.ellipsis())),
    ]);
    if index == app.selected && app.focus == Focus::Primary {
        line.style(theme.selected())
    } else {
        line
    }
}

fn selected_preview(app: &App) -> Vec<Line<'static>> {
    let step = app.selected_step();
    let theme = app.theme;
    let mut lines = vec![Line::from(Span::styled(
        app.tr(step.spec.question),
        theme.dim(),
    ))];
    match step.result() {
        Some(result) => {
            let findings = findings_lines(result, theme, app.lang);
            if findings.is_empty() {
                lines.push(Line::from(vec![
                    Span::styled(
                        format!("{} ", theme.glyph(result.status)),
                        theme.status(result.status),
                    ),
                    Span::raw(one_line_in(result, app.lang)),
                ]));
            }
            lines.extend(findings);
            lines.push(Line::default());
            lines.push(Line::from(Span::styled(
                app.tr("Enter shows the evidence and how to fix it."),
                theme.dim(),
            )));
        }
        None => lines.push(Line::from(app.tr("Not decided yet."))),
    }
    lines
}

fn guided_preview(
    app: &App,
    (index, revealed): (usize, bool),
    addresses: Addresses,
) -> (String, Vec<Line<'static>>) {
    let theme = app.theme;
    let step = &app.steps[index.min(app.steps.len() - 1)];
    let title = crate::i18n::tr_fill(
        app.lang,
        "Step {} of {}: {}",
        &[
            &(index + 1).to_string(),
            &app.steps.len().to_string(),
            &app.tr(step.spec.title),
        ],
    );
    let mut lines = vec![
        Line::from(Span::styled(app.tr(step.spec.question), theme.title())),
        Line::default(),
        Line::from(vec![
            Span::styled(format!("{}: ", app.tr("Why it matters")), theme.title()),
            Span::raw(app.tr(step.spec.why)),
        ]),
        Line::default(),
    ];
    match (revealed, step.result()) {
        (false, _) => lines.push(Line::from(Span::styled(
            app.tr("→ or space shows what esr-doctor found."),
            theme.key(),
        ))),
        (true, None) => lines.push(Line::from(format!(
            "{} {}",
            theme.spinner(app.frame),
            app.tr("still checking…")
        ))),
        (true, Some(result)) => {
            lines.push(Line::from(vec![
                Span::styled(
                    format!("{} ", theme.glyph(result.status)),
                    theme.status(result.status),
                ),
                Span::styled(one_line_in(result, app.lang), theme.status(result.status)),
            ]));
            lines.extend(guidance_lines(result, theme, app.lang, addresses));
            lines.push(Line::default());
            lines.push(Line::from(Span::styled(
                app.tr("→ or space: next step"),
                theme.key(),
            )));
        }
    }
    if app.presenter.is_some() {
        // Room to breathe on a projector: a blank line after every line.
        lines = lines
            .into_iter()
            .flat_map(|line| [line, Line::default()])
            .collect();
    }
    (title, lines)
}
