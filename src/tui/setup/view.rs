//! Draws the setup screen: the steps with their state and watch, the selected step's fix, the
//! keys, and what was last done. Everything the tenant or device said is made inert first.

use super::app::{SetupApp, SignIn};
use crate::evidence::plain;
use crate::i18n::{fit, pad, tr, tr_fill, widest, width};
use crate::model::Status;
use crate::prerequisites::watch::clock;
use crate::prerequisites::{PrerequisiteState, STEPS};
use crate::report::localise::headline;
use crate::tui::keys::{SETUP_BINDINGS, SetupScreen, footer};
use crate::tui::view::detail::findings_guidance;
use crate::tui::view::links::Addresses;
use crate::tui::view::{block, footer_line, help_popup};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

/// What the status line says before anything was done.
const HINT: &str = "Press a once the selected fix is applied: it re-checks until it is green.";

pub fn render(frame: &mut Frame, app: &SetupApp) {
    let area = frame.area();
    let said = app
        .status
        .as_deref()
        .map_or_else(|| tr(app.lang, HINT), plain);
    // The status line wraps to a second line where the language needs it, never cut.
    let status_text = Paragraph::new(format!(" {said}"))
        .style(app.theme.title())
        .wrap(Wrap { trim: false });
    let status_rows = u16::try_from(status_text.line_count(area.width).clamp(1, 2)).unwrap_or(2);
    let [header, list, detail, status, keys] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Length(STEPS.len() as u16 + 2),
        Constraint::Min(5),
        Constraint::Length(status_rows),
        Constraint::Length(1),
    ])
    .areas(area);
    render_header(frame, header, app);
    render_steps(frame, list, app);
    render_detail(frame, detail, app);
    frame.render_widget(status_text, status);
    let offered = footer(&SETUP_BINDINGS, SetupScreen::Steps, false);
    frame.render_widget(
        Paragraph::new(footer_line(
            &offered,
            usize::from(keys.width),
            app.theme,
            app.lang,
        )),
        keys,
    );
    if app.help {
        help_popup(frame, area, &SETUP_BINDINGS, app.theme, app.lang);
    }
    if app.theme.ascii {
        crate::tui::view::ascii_only(frame.buffer_mut());
    }
}

fn render_header(frame: &mut Frame, area: Rect, app: &SetupApp) {
    let sign_in = match &app.sign_in {
        SignIn::NotNeeded => String::new(),
        SignIn::Code { uri, code } => tr_fill(
            app.lang,
            "Sign in as a tenant admin: open {} and enter the code {}",
            &[&plain(uri), &plain(code)],
        ),
        SignIn::Browser(url) => tr_fill(
            app.lang,
            "Sign in as a tenant admin in the browser (or open {})",
            &[&plain(url)],
        ),
        SignIn::SignedIn => tr(app.lang, "Signed in; reading the tenant (read-only)."),
        SignIn::Failed(why) => tr_fill(app.lang, "No sign-in: {}", &[&plain(why)]),
    };
    let title = " esr-doctor setup";
    // What is set up, cut with an ellipsis where the language makes it longer than the line.
    let room = usize::from(area.width).saturating_sub(width(title) + 3);
    let lines = vec![
        Line::from(vec![
            Span::styled(title, app.theme.title()),
            Span::raw(format!(
                " · {}",
                fit(&plain(&app.subject), room, app.theme.ellipsis())
            )),
        ]),
        Line::from(format!(" {sign_in}")),
    ];
    frame.render_widget(Paragraph::new(lines), area);
}

/// The glyph and style of a step's state.
fn status_of(state: &PrerequisiteState) -> Status {
    match state {
        PrerequisiteState::Done => Status::Pass,
        PrerequisiteState::ToDo(_) => Status::Fail,
        PrerequisiteState::Unknown(_) => Status::Error,
        PrerequisiteState::Checking => Status::Skipped,
    }
}

fn render_steps(frame: &mut Frame, area: Rect, app: &SetupApp) {
    let theme = app.theme;
    let lang = app.lang;
    let titles: Vec<String> = STEPS.iter().map(|s| tr(lang, s.title)).collect();
    let column = widest(titles.iter().map(String::as_str)) + 1;
    let lines: Vec<Line> = app
        .rows
        .iter()
        .zip(&titles)
        .enumerate()
        .map(|(i, (row, title))| {
            let status = status_of(&row.state);
            let state = match (&row.state, &row.watch) {
                (PrerequisiteState::Done, Some(watch)) => match watch.green_at {
                    Some(at) => tr_fill(
                        lang,
                        "done, {} after the fix ({})",
                        &[
                            &clock(at.saturating_duration_since(watch.since)),
                            &rechecks(watch.checks, lang),
                        ],
                    ),
                    None => tr(lang, "done"),
                },
                (_, Some(watch)) if watch.green_at.is_none() => {
                    let watching = tr_fill(
                        lang,
                        "watching {} · {}",
                        &[
                            &clock(app.now.saturating_duration_since(watch.since)),
                            &rechecks(watch.checks, lang),
                        ],
                    );
                    if watch.running {
                        format!("{watching} · {}", tr(lang, "checking…"))
                    } else {
                        watching
                    }
                }
                (PrerequisiteState::Done, _) => tr(lang, "done"),
                (PrerequisiteState::ToDo(_), _) => tr(lang, "to do"),
                (PrerequisiteState::Unknown(_), _) => tr(lang, "cannot tell"),
                (PrerequisiteState::Checking, _) => tr(lang, "checking…"),
            };
            let marker = match (i == app.selected, theme.ascii) {
                (false, _) => " ",
                (true, true) => ">",
                (true, false) => "▸",
            };
            let number = format!(" {} {}", i + 1, pad(title, column));
            // What is left of the line after the marker, the glyph and the title column.
            let room = usize::from(area.width.saturating_sub(2))
                .saturating_sub(2 + crate::i18n::width(theme.glyph(status)) + width(&number));
            let line = Line::from(vec![
                Span::raw(format!("{marker} ")),
                Span::styled(theme.glyph(status), theme.status(status)),
                Span::raw(number),
                Span::styled(fit(&state, room, theme.ellipsis()), theme.dim()),
            ]);
            if i == app.selected {
                line.style(theme.selected())
            } else {
                line
            }
        })
        .collect();
    let title = tr_fill(
        lang,
        "Tenant prerequisites ({}/{} in place)",
        &[&app.done_count().to_string(), &STEPS.len().to_string()],
    );
    frame.render_widget(
        Paragraph::new(lines).block(block(&title, theme, true)),
        area,
    );
}

fn render_detail(frame: &mut Frame, area: Rect, app: &SetupApp) {
    let (theme, lang) = (app.theme, app.lang);
    let (Some(row), Some(step)) = (app.rows.get(app.selected), STEPS.get(app.selected)) else {
        return;
    };
    let since = |watch: &crate::prerequisites::watch::Watch| {
        clock(app.now.saturating_duration_since(watch.since))
    };
    let mut lines = vec![Line::from(vec![
        Span::styled(format!("{}: ", tr(lang, "Why")), theme.title()),
        Span::raw(tr(lang, step.why)),
    ])];
    if let Some(watch) = &row.watch {
        let text = match watch.green_at {
            Some(at) => tr_fill(
                lang,
                "Turned green {} after the fix, after {}.",
                &[
                    &clock(at.saturating_duration_since(watch.since)),
                    &rechecks(watch.checks, lang),
                ],
            ),
            None if watch.running => tr_fill(
                lang,
                "Watching: {} since the fix · {} so far · checking now…",
                &[&since(watch), &rechecks(watch.checks, lang)],
            ),
            None => tr_fill(
                lang,
                "Watching: {} since the fix · {} so far · next in {} s",
                &[
                    &since(watch),
                    &rechecks(watch.checks, lang),
                    &(watch.next.saturating_duration_since(app.now).as_secs() + 1).to_string(),
                ],
            ),
        };
        lines.push(Line::from(Span::styled(text, theme.key())));
    }
    match &row.state {
        PrerequisiteState::Checking => lines.push(Line::from(tr(lang, "Checking…"))),
        PrerequisiteState::Done => lines.push(Line::from(Span::styled(
            format!("{} {}", theme.glyph(Status::Pass), tr(lang, "In place.")),
            theme.status(Status::Pass),
        ))),
        PrerequisiteState::Unknown(why) => lines.push(Line::from(vec![
            Span::styled(
                format!(
                    "{} {}: ",
                    theme.glyph(Status::Error),
                    tr(lang, "Cannot tell")
                ),
                theme.status(Status::Error),
            ),
            Span::raw(plain(why)),
        ])),
        PrerequisiteState::ToDo(findings) => {
            for finding in findings {
                lines.push(Line::from(vec![
                    Span::styled(
                        format!("{} {} ", theme.glyph(Status::Fail), finding.code),
                        theme.status(Status::Fail),
                    ),
                    Span::raw(plain(&headline(finding, lang))),
                ]));
            }
            lines.push(Line::default());
            let addresses = Addresses::in_pane(area, false, theme.ellipsis());
            lines.extend(findings_guidance(findings, theme, lang, addresses));
        }
    }
    let title = tr_fill(
        lang,
        "Step {}: {}",
        &[&(app.selected + 1).to_string(), &tr(lang, step.title)],
    );
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((app.scroll, 0))
            .block(block(&title, theme, false)),
        area,
    );
}

/// `1 re-check`, `3 re-checks`.
fn rechecks(n: u32, lang: crate::i18n::Lang) -> String {
    let template = if n == 1 {
        "{} re-check"
    } else {
        "{} re-checks"
    };
    tr_fill(lang, template, &[&n.to_string()])
}
