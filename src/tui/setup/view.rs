//! Draws the setup screen: the steps with their state and watch, the selected step's fix, the
//! keys, and what was last done. Everything the tenant or device said is made inert first.

use super::app::{SetupApp, SignIn};
use crate::model::Status;
use crate::report::plain;
use crate::setup::watch::clock;
use crate::setup::{STEPS, StepState};
use crate::tui::view::block;
use crate::tui::view::detail::findings_guidance;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

/// The keys, long and short (for 80 columns), Unicode and ASCII.
const KEYS: [[&str; 2]; 2] = [
    [
        "↑↓ step · PgDn/PgUp scroll · a the admin ran the fix · s stop watching · r re-check · e export script · c copy · q quit",
        "↑↓ PgDn · a fix applied · s stop · r re-check · e export · c copy · q quit",
    ],
    [
        "j/k step · PgDn/PgUp scroll · a the admin ran the fix · s stop watching · r re-check · e export script · c copy · q quit",
        "j/k PgDn · a fix applied · s stop · r re-check · e export · c copy · q quit",
    ],
];

/// What the status line says before anything was done.
const HINT: &str = "Press a once the selected fix is applied: it re-checks until it is green.";

pub fn render(frame: &mut Frame, app: &SetupApp) {
    let area = frame.area();
    let [header, list, detail, status, keys] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Length(STEPS.len() as u16 + 2),
        Constraint::Min(5),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);
    render_header(frame, header, app);
    render_steps(frame, list, app);
    render_detail(frame, detail, app);
    let said = app.status.as_deref().map_or(HINT.to_owned(), plain);
    frame.render_widget(
        Paragraph::new(format!(" {said}")).style(app.theme.title()),
        status,
    );
    let keys_text = KEYS[usize::from(app.theme.ascii)][usize::from(area.width < 122)];
    frame.render_widget(
        Paragraph::new(format!(" {keys_text}")).style(app.theme.dim()),
        keys,
    );
}

fn render_header(frame: &mut Frame, area: Rect, app: &SetupApp) {
    let sign_in = match &app.sign_in {
        SignIn::NotNeeded => String::new(),
        SignIn::Code { uri, code } => format!(
            "Sign in as a tenant admin: open {} and enter the code {}",
            plain(uri),
            plain(code)
        ),
        SignIn::SignedIn => "Signed in; reading the tenant (read-only).".into(),
        SignIn::Failed(why) => format!("No sign-in: {}", plain(why)),
    };
    let lines = vec![
        Line::from(vec![
            Span::styled(" esr-doctor setup", app.theme.title()),
            Span::raw(format!(" · {}", plain(&app.subject))),
        ]),
        Line::from(format!(" {sign_in}")),
    ];
    frame.render_widget(Paragraph::new(lines), area);
}

/// The glyph and style of a step's state.
fn status_of(state: &StepState) -> Status {
    match state {
        StepState::Done => Status::Pass,
        StepState::ToDo(_) => Status::Fail,
        StepState::Unknown(_) => Status::Error,
        StepState::Checking => Status::Skipped,
    }
}

fn render_steps(frame: &mut Frame, area: Rect, app: &SetupApp) {
    let theme = app.theme;
    let lines: Vec<Line> = app
        .rows
        .iter()
        .zip(STEPS.iter())
        .enumerate()
        .map(|(i, (row, step))| {
            let status = status_of(&row.state);
            let state = match (&row.state, &row.watch) {
                (StepState::Done, Some(watch)) => match watch.green_at {
                    Some(at) => format!(
                        "done, {} after the fix ({})",
                        clock(at.saturating_duration_since(watch.since)),
                        rechecks(watch.checks)
                    ),
                    None => "done".into(),
                },
                (_, Some(watch)) if watch.green_at.is_none() => format!(
                    "watching {} · {}{}",
                    clock(app.now.saturating_duration_since(watch.since)),
                    rechecks(watch.checks),
                    if watch.running { " · checking…" } else { "" }
                ),
                (StepState::Done, _) => "done".into(),
                (StepState::ToDo(_), _) => "to do".into(),
                (StepState::Unknown(_), _) => "cannot tell".into(),
                (StepState::Checking, _) => "checking…".into(),
            };
            let marker = if i == app.selected { "▸" } else { " " };
            let marker = if theme.ascii && i == app.selected {
                ">"
            } else {
                marker
            };
            let line = Line::from(vec![
                Span::raw(format!("{marker} ")),
                Span::styled(theme.glyph(status), theme.status(status)),
                Span::raw(format!(" {} {:<36} ", i + 1, step.title)),
                Span::styled(state, theme.dim()),
            ]);
            if i == app.selected {
                line.style(theme.selected())
            } else {
                line
            }
        })
        .collect();
    let title = format!(
        "Tenant prerequisites ({}/{} in place)",
        app.done_count(),
        STEPS.len()
    );
    frame.render_widget(
        Paragraph::new(lines).block(block(&title, theme, true)),
        area,
    );
}

fn render_detail(frame: &mut Frame, area: Rect, app: &SetupApp) {
    let theme = app.theme;
    let (Some(row), Some(step)) = (app.rows.get(app.selected), STEPS.get(app.selected)) else {
        return;
    };
    let mut lines = vec![Line::from(vec![
        Span::styled("Why: ", theme.title()),
        Span::raw(step.why),
    ])];
    if let Some(watch) = &row.watch {
        let text = match watch.green_at {
            Some(at) => format!(
                "Turned green {} after the fix, after {}.",
                clock(at.saturating_duration_since(watch.since)),
                rechecks(watch.checks)
            ),
            None if watch.running => format!(
                "Watching: {} since the fix · {} so far · checking now…",
                clock(app.now.saturating_duration_since(watch.since)),
                rechecks(watch.checks)
            ),
            None => format!(
                "Watching: {} since the fix · {} so far · next in {} s",
                clock(app.now.saturating_duration_since(watch.since)),
                rechecks(watch.checks),
                watch.next.saturating_duration_since(app.now).as_secs() + 1
            ),
        };
        lines.push(Line::from(Span::styled(text, theme.key())));
    }
    match &row.state {
        StepState::Checking => lines.push(Line::from("Checking…")),
        StepState::Done => lines.push(Line::from(Span::styled(
            format!("{} In place.", theme.glyph(Status::Pass)),
            theme.status(Status::Pass),
        ))),
        StepState::Unknown(why) => lines.push(Line::from(vec![
            Span::styled(
                format!("{} Cannot tell: ", theme.glyph(Status::Error)),
                theme.status(Status::Error),
            ),
            Span::raw(plain(why)),
        ])),
        StepState::ToDo(findings) => {
            for finding in findings {
                lines.push(Line::from(vec![
                    Span::styled(
                        format!("{} {} ", theme.glyph(Status::Fail), finding.code),
                        theme.status(Status::Fail),
                    ),
                    Span::raw(plain(&finding.message)),
                ]));
            }
            lines.push(Line::default());
            lines.extend(findings_guidance(findings, theme));
        }
    }
    let title = format!("Step {}: {}", app.selected + 1, step.title);
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((app.scroll, 0))
            .block(block(&title, theme, false)),
        area,
    );
}

/// `1 re-check`, `3 re-checks`.
fn rechecks(n: u32) -> String {
    if n == 1 {
        "1 re-check".to_owned()
    } else {
        format!("{n} re-checks")
    }
}
