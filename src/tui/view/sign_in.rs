//! The sign-in pane: while a device code waits, the code and the page to enter it at, large,
//! with the time left; while the browser is out, where it went and the address to open by
//! hand. It sits in the lower right so the device checks stay visible as they are decided
//! behind it.

use super::block;
use crate::cloud::auth::{BrowserPrompt, SignInPrompt};
use crate::evidence::plain;
use crate::tui::app::App;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};

const WIDTH: u16 = 50;

/// The pane's place: the lower right of `body` (the upper right in guided mode, whose
/// explanation fills the lower half), one cell inside its edges so the boxes behind keep their
/// borders, and as tall as `text` wraps to in this language (its keys always in view).
fn pane(body: Rect, text: &Paragraph<'_>, guided: bool) -> Rect {
    let width = WIDTH.min(body.width.saturating_sub(2));
    let wrapped = text.line_count(width.saturating_sub(2));
    let height = u16::try_from(wrapped + 2)
        .unwrap_or(u16::MAX)
        .min(body.height.saturating_sub(2));
    let y = if guided {
        body.y + 1
    } else {
        body.y + body.height.saturating_sub(height + 1)
    };
    Rect {
        x: body.x + body.width.saturating_sub(width + 1),
        y,
        width,
        height,
    }
}

/// `m:ss` until `at`.
fn time_left(app: &App, at: std::time::Instant) -> String {
    let left = at.saturating_duration_since(app.now).as_secs();
    format!("{}:{:02}", left / 60, left % 60)
}

fn draw(frame: &mut Frame, body: Rect, app: &App, lines: Vec<Line<'_>>) {
    let text = Paragraph::new(lines).wrap(Wrap { trim: false });
    let area = pane(body, &text, app.guided.is_some());
    frame.render_widget(Clear, area);
    frame.render_widget(
        text.block(block(
            &app.tr("Sign in to read the tenant"),
            app.theme,
            true,
        )),
        area,
    );
}

/// The keys of the pane: `c` copies `what`, Esc skips.
fn keys<'a>(app: &App, what: &str) -> Line<'a> {
    let theme = app.theme;
    Line::from(vec![
        Span::styled("c", theme.key()),
        Span::raw(format!(" {}  ", app.tr(what))),
        Span::styled("Esc", theme.key()),
        Span::raw(format!(" {}", app.tr("skip the tenant checks"))),
    ])
}

pub fn render(frame: &mut Frame, body: Rect, app: &App, prompt: &SignInPrompt) {
    let theme = app.theme;
    let notice = prompt.notice.as_deref().map(|n| plain(&app.tr(n)));
    // Letters spaced out so the code reads aloud and copies by eye from a shared screen.
    let spaced: String = plain(&prompt.user_code)
        .chars()
        .map(|c| format!("{c} "))
        .collect();
    let mut lines = vec![
        Line::from(app.tr("On any device (a phone will do), open")),
        Line::from(Span::styled(
            format!("  {}", plain(&prompt.verification_uri)),
            theme.key(),
        )),
        Line::from(app.tr("and enter the code")),
        Line::default(),
        Line::from(Span::styled(
            format!("  {}", spaced.trim_end()),
            theme.title().add_modifier(Modifier::BOLD),
        ))
        .centered(),
        Line::default(),
        Line::from(Span::styled(
            app.tr("expires in {} · device checks go on meanwhile")
                .replacen("{}", &time_left(app, prompt.expires_at), 1),
            theme.dim(),
        )),
        keys(app, "copy the code"),
    ];
    if let Some(notice) = notice {
        lines.push(Line::from(Span::styled(
            notice,
            theme.status(crate::model::Status::Warn),
        )));
    }
    draw(frame, body, app, lines);
}

/// The browser sign-in: where the page went, and its address (`c` copies all of it).
pub fn render_browser(frame: &mut Frame, body: Rect, app: &App, prompt: &BrowserPrompt) {
    let theme = app.theme;
    // The address on one line of its own, cut at the pane's edge (c copies all of it).
    let room = usize::from(WIDTH.min(body.width.saturating_sub(2)).saturating_sub(4));
    let shown = crate::i18n::fit(&plain(&prompt.url), room, theme.ellipsis());
    let lines = vec![
        Line::from(app.tr(if prompt.opened {
            "The sign-in page is open in your browser."
        } else {
            "No browser opened on this computer."
        })),
        Line::from(app.tr("If it is not in view, open this address here:")),
        Line::from(Span::styled(format!("  {shown}"), theme.key())),
        Line::default(),
        Line::from(Span::styled(
            app.tr("waiting {} more · device checks go on meanwhile")
                .replacen("{}", &time_left(app, prompt.expires_at), 1),
            theme.dim(),
        )),
        keys(app, "copy the address"),
    ];
    draw(frame, body, app, lines);
}
