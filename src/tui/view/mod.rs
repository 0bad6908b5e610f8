//! Drawing the wizard: one module per screen, plus the frame around them (header, footer,
//! overlays, the too-small screen). Drawing reads the `App`; it never changes it.

mod checklist;
pub(crate) mod detail;
mod export;
pub(crate) mod links;
mod sign_in;
mod summary;
mod undecided;
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

pub use super::state::{MIN_HEIGHT, MIN_WIDTH};

pub fn render(frame: &mut Frame, app: &App) {
    draw(frame, app);
    if app.theme.ascii {
        ascii_only(frame.buffer_mut());
    }
}

/// `--ascii` holds for everything drawn, the evidence's own text included: each cell that is
/// not ASCII gets its nearest ASCII character (the layout is already fixed, so one cell each).
pub(crate) fn ascii_only(buffer: &mut ratatui::buffer::Buffer) {
    for cell in &mut buffer.content {
        if !cell.symbol().is_ascii() {
            let c = cell
                .symbol()
                .chars()
                .next()
                .map_or(' ', crate::i18n::ascii_cell);
            cell.set_char(c);
        }
    }
}

fn draw(frame: &mut Frame, app: &App) {
    let area = frame.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        too_small(frame, area, app);
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

/// Below the smallest size: what is needed, and how to get the answer without the wizard
/// (keys other than q and Ctrl-C do nothing while this shows).
fn too_small(frame: &mut Frame, area: Rect, app: &App) {
    let text = vec![
        Line::from(app.tr("Terminal too small")),
        Line::from(crate::i18n::tr_fill(
            app.lang,
            "need {}×{}, have {}×{}",
            &[
                &MIN_WIDTH.to_string(),
                &MIN_HEIGHT.to_string(),
                &area.width.to_string(),
                &area.height.to_string(),
            ],
        )),
        Line::from(app.tr("Enlarge the window, or press q to quit.")),
        Line::from(app.tr("A report without the wizard:")),
        Line::from(Span::styled("esr-doctor check", app.theme.command())),
    ];
    let height = u16::try_from(text.len()).unwrap_or(u16::MAX);
    let [middle] = Layout::vertical([Constraint::Length(height)])
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
        let cost = crate::i18n::width(binding.label) + crate::i18n::width(&short) + 3;
        if used + cost + crate::i18n::width(&more) > width {
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
        // A box per breakage, ticked while it is applied: the labels name the fault, so a
        // pass mark beside them would read as "the fault is fine".
        let (status, tick) = if broken.get(index).copied().unwrap_or(false) {
            (crate::model::Status::Fail, "[x] ")
        } else {
            (crate::model::Status::Pass, "[ ] ")
        };
        let marker = if index == selected { "> " } else { "  " };
        let label = Span::raw(app.tr(breakage.label));
        lines.push(Line::from(vec![
            Span::styled(marker, theme.key()),
            Span::styled(tick, theme.status(status)),
            if index == selected {
                label.style(theme.title())
            } else {
                label
            },
        ]));
    }
    lines.push(Line::default());
    for hint in [
        "[x] is broken now.",
        "Enter breaks or fixes, then checks again. Esc closes.",
    ] {
        lines.push(Line::from(Span::styled(app.tr(hint), theme.dim())));
    }
    let width = u16::try_from(lines.iter().map(Line::width).max().unwrap_or(0) + 4)
        .unwrap_or(u16::MAX)
        .min(area.width);
    let list = Paragraph::new(lines).wrap(Wrap { trim: false });
    // As tall as the text wraps to in this language, and the border.
    let height = u16::try_from(list.line_count(width.saturating_sub(2)) + 2).unwrap_or(u16::MAX);
    let list = list.block(block(&app.tr("Break and fix"), theme, true));
    popup(frame, area, (width, height), list);
}

fn confirm_quit(frame: &mut Frame, area: Rect, app: &App) {
    let theme = app.theme;
    let why = if app.signing_in() {
        "The sign-in is not finished."
    } else {
        "Checks are still running."
    };
    let lines = vec![
        Line::from(app.tr(why)),
        Line::from(vec![
            Span::raw(format!("{} ", app.tr("Quit anyway?"))),
            Span::styled("y", theme.key()),
            Span::raw(format!(" {}  ", app.tr("yes"))),
            Span::styled("n", theme.key()),
            Span::raw(format!(" {}", app.tr("no"))),
        ]),
    ];
    // As wide as its longest line in this language, and the border.
    let width = lines.iter().map(Line::width).max().unwrap_or(0) + 4;
    let question = Paragraph::new(lines)
        .centered()
        .block(block(&app.tr("Quit?"), theme, true));
    popup(
        frame,
        area,
        (u16::try_from(width).unwrap_or(u16::MAX).max(36), 4),
        question,
    );
}
