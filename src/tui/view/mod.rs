//! Drawing the wizard: one module per screen, plus the frame around them (header, footer,
//! overlays, the too-small screen). Drawing reads the `App`; it never changes it.

mod checklist;
pub(crate) mod detail;
mod export;
mod sign_in;
mod summary;
mod welcome;

use super::app::App;
use super::keys::{Action, BINDINGS, Binding, footer};
use super::state::{Overlay, Screen, SignIn};
use super::theme::Theme;
use crate::i18n::{Lang, tr};
use crate::report::summary::source_kind;
use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

/// The smallest terminal the wizard draws in (a common remote-session size).
pub const MIN_WIDTH: u16 = 80;
pub const MIN_HEIGHT: u16 = 24;

pub fn render(frame: &mut Frame, app: &App) {
    let area = frame.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        too_small(frame, area);
        return;
    }
    let [header, body, notice, keys] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(10),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);
    render_header(frame, header, app);
    match app.screen {
        Screen::Welcome => welcome::render(frame, body, app),
        Screen::Checklist => checklist::render(frame, body, app),
        Screen::Detail => detail::render(frame, body, app),
        Screen::Summary => summary::render(frame, body, app),
        Screen::Export => export::render(frame, body, app),
    }
    if let Some(text) = &app.notice {
        frame.render_widget(
            Paragraph::new(Line::from(format!(" {text}"))).style(app.theme.title()),
            notice,
        );
    }
    render_footer(frame, keys, app);
    if matches!(
        app.screen,
        Screen::Checklist | Screen::Detail | Screen::Summary
    ) {
        match &app.sign_in {
            SignIn::Waiting(prompt) => sign_in::render(frame, body, app, prompt),
            SignIn::InBrowser(prompt) => sign_in::render_browser(frame, body, app, prompt),
            _ => {}
        }
    }
    match app.overlay {
        Some(Overlay::Help) => help(frame, area, app),
        Some(Overlay::ConfirmQuit) => confirm_quit(frame, area, app),
        Some(Overlay::BreakFix(selected)) => break_fix(frame, area, app, selected),
        None => {}
    }
}

fn too_small(frame: &mut Frame, area: Rect) {
    let text = vec![
        Line::from("Terminal too small"),
        Line::from(format!(
            "need {MIN_WIDTH}×{MIN_HEIGHT}, have {}×{}",
            area.width, area.height
        )),
        Line::from("Enlarge the window, or press q to quit."),
    ];
    let [middle] = Layout::vertical([Constraint::Length(3)])
        .flex(Flex::Center)
        .areas(area);
    frame.render_widget(
        Paragraph::new(text).centered().wrap(Wrap { trim: true }),
        middle,
    );
}

fn render_header(frame: &mut Frame, area: Rect, app: &App) {
    let theme = app.theme;
    let mut spans = vec![
        Span::styled(" esr-doctor ", theme.title()),
        Span::raw(format!(
            "· {} {}",
            app.tr(source_kind(&app.source)),
            app.source.name
        )),
    ];
    if app.presenter.is_some() {
        spans.push(Span::styled(
            format!(" · {}", app.tr("presenter view")),
            theme.key(),
        ));
    } else if app.guided.is_some() {
        spans.push(Span::styled(
            format!(" · {}", app.tr("guided mode")),
            theme.key(),
        ));
    }
    if app.screen != Screen::Welcome {
        let done = app.finished_count();
        let total = app.steps.len();
        let checks = app.tr("checks");
        let progress = if app.is_running() {
            format!(" · {} {done}/{total} {checks}", theme.spinner(app.frame))
        } else {
            format!(" · {done}/{total} {checks}")
        };
        spans.push(Span::styled(progress, theme.dim()));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// As many of the screen's keys as fit, then `? more` when some did not.
fn render_footer(frame: &mut Frame, area: Rect, app: &App) {
    let offered = footer(&BINDINGS, app.screen, app.guided.is_some());
    let line = footer_line(&offered, usize::from(area.width), app.theme, app.lang);
    frame.render_widget(Paragraph::new(line), area);
}

/// The footer of any mode: its bindings in order, as many as fit in `width`, then `? more`
/// when some did not.
pub(crate) fn footer_line<S>(
    offered: &[&Binding<S>],
    width: usize,
    theme: Theme,
    lang: Lang,
) -> Line<'static> {
    let more = format!(" ? {}", tr(lang, "more"));
    let mut used = 0;
    let mut spans = Vec::new();
    let mut dropped = false;
    for binding in offered {
        if binding.action == Action::Help && dropped {
            continue;
        }
        let short = tr(lang, binding.short);
        let cost = binding.label.chars().count() + short.chars().count() + 3;
        if used + cost + more.chars().count() > width {
            dropped = true;
            continue;
        }
        used += cost;
        spans.push(Span::styled(format!(" {}", binding.label), theme.key()));
        spans.push(Span::styled(format!(" {short} "), theme.dim()));
    }
    if dropped {
        spans.push(Span::styled(more, theme.key()));
    }
    Line::from(spans)
}

/// A bordered block; the focused one is highlighted (by colour, and by a bold title).
pub(crate) fn block(title: &str, theme: Theme, focused: bool) -> Block<'static> {
    let title_style = if focused {
        theme.title().patch(theme.key())
    } else {
        theme.title()
    };
    Block::default()
        .borders(Borders::ALL)
        .border_set(theme.border())
        .border_style(if focused {
            theme.focused_border()
        } else {
            Style::new()
        })
        .title(Span::styled(format!(" {title} "), title_style))
}

fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let [row] = Layout::vertical([Constraint::Length(height.min(area.height))])
        .flex(Flex::Center)
        .areas(area);
    let [cell] = Layout::horizontal([Constraint::Length(width.min(area.width))])
        .flex(Flex::Center)
        .areas(row);
    cell
}

fn help(frame: &mut Frame, area: Rect, app: &App) {
    help_popup(frame, area, &BINDINGS, app.theme, app.lang);
}

/// The help overlay of any mode: every binding of `map` with what it does.
pub(crate) fn help_popup<S>(
    frame: &mut Frame,
    area: Rect,
    map: &[Binding<S>],
    theme: Theme,
    lang: Lang,
) {
    let mut lines = vec![
        Line::from(Span::styled(tr(lang, "Keys"), theme.title())),
        Line::default(),
    ];
    for binding in map {
        lines.push(Line::from(vec![
            Span::styled(format!("{:<11}", binding.label), theme.key()),
            Span::raw(tr(lang, binding.help)),
        ]));
    }
    lines.push(Line::default());
    lines.push(Line::from(Span::styled(
        tr(lang, "Ctrl-C quits at once. ? or Esc closes this help."),
        theme.dim(),
    )));
    let width = area.width.min(76);
    let help = Paragraph::new(lines).wrap(Wrap { trim: false });
    // As tall as the text wraps to in this language, and the border.
    let height = u16::try_from(help.line_count(width.saturating_sub(2))).unwrap_or(u16::MAX);
    let help = help.block(block(&tr(lang, "Help"), theme, true));
    popup(frame, area, (width, height.saturating_add(2)), help);
}

/// Draws `paragraph` in a cleared box of `size` (width, height) centred on `area`.
fn popup(frame: &mut Frame, area: Rect, size: (u16, u16), paragraph: Paragraph<'_>) {
    let rect = centered(area, size.0, size.1);
    frame.render_widget(Clear, rect);
    frame.render_widget(paragraph, rect);
}

/// The trainer's list: each prerequisite, whether it is broken now, the selected one marked.
fn break_fix(frame: &mut Frame, area: Rect, app: &App, selected: usize) {
    let theme = app.theme;
    let broken = app.broken.as_deref().unwrap_or_default();
    let mut lines = vec![
        Line::from(app.tr("Break a prerequisite in the running demo, or fix it again:")),
        Line::default(),
    ];
    for (index, breakage) in crate::emulator::break_fix::BREAKAGES.iter().enumerate() {
        let is_broken = broken.get(index).copied().unwrap_or(false);
        let (status, state) = if is_broken {
            (crate::model::Status::Fail, "broken")
        } else {
            (crate::model::Status::Pass, "ok    ")
        };
        let marker = if index == selected { "> " } else { "  " };
        let label = Span::raw(app.tr(breakage.label));
        lines.push(Line::from(vec![
            Span::styled(marker, theme.key()),
            Span::styled(
                format!("{} {state} ", theme.glyph(status)),
                theme.status(status),
            ),
            if index == selected {
                label.style(theme.title())
            } else {
                label
            },
        ]));
    }
    lines.push(Line::default());
    lines.push(Line::from(Span::styled(
        app.tr("Enter breaks or fixes, then checks again. Esc closes."),
        theme.dim(),
    )));
    let height = lines.len() as u16 + 2;
    let list = Paragraph::new(lines).block(block(&app.tr("Break and fix"), theme, true));
    popup(frame, area, (64, height), list);
}

fn confirm_quit(frame: &mut Frame, area: Rect, app: &App) {
    let theme = app.theme;
    let lines = vec![
        Line::from(app.tr("Checks are still running.")),
        Line::from(vec![
            Span::raw(format!("{} ", app.tr("Quit anyway?"))),
            Span::styled("y", theme.key()),
            Span::raw(format!(" {}  ", app.tr("yes"))),
            Span::styled("n", theme.key()),
            Span::raw(format!(" {}", app.tr("no"))),
        ]),
    ];
    let question = Paragraph::new(lines)
        .centered()
        .block(block(&app.tr("Quit?"), theme, true));
    popup(frame, area, (36, 4), question);
}
