//! The sign-in pane: while a device code waits, the code and the page to enter it at, large,
//! with the time left. It sits in the lower right so the device checks stay visible as they
//! are decided behind it.

use super::block;
use crate::cloud::auth::SignInPrompt;
use crate::report::plain;
use crate::tui::app::App;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};

const WIDTH: u16 = 50;
const HEIGHT: u16 = 11;

pub fn render(frame: &mut Frame, body: Rect, app: &App, prompt: &SignInPrompt) {
    let theme = app.theme;
    let width = WIDTH.min(body.width);
    let height = HEIGHT.min(body.height);
    let area = Rect {
        x: body.x + body.width - width,
        y: body.y + body.height - height,
        width,
        height,
    };
    let left = prompt
        .expires_at
        .saturating_duration_since(app.now)
        .as_secs();
    // Letters spaced out so the code reads aloud and copies by eye from a shared screen.
    let spaced: String = plain(&prompt.user_code)
        .chars()
        .map(|c| format!("{c} "))
        .collect();
    let lines = vec![
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
                .replacen("{}", &format!("{}:{:02}", left / 60, left % 60), 1),
            theme.dim(),
        )),
        Line::from(vec![
            Span::styled("c", theme.key()),
            Span::raw(format!(" {}  ", app.tr("copy the code"))),
            Span::styled("Esc", theme.key()),
            Span::raw(format!(" {}", app.tr("skip the tenant checks"))),
        ]),
    ];
    frame.render_widget(Clear, area);
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(block(&app.tr("Sign in to read the tenant"), theme, true)),
        area,
    );
}
