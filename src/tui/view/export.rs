//! Choosing a format and a file for the report.

use super::block;
use crate::tui::app::App;
use crate::tui::state::ExportFormat;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let theme = app.theme;
    let [intro, field, rest] = Layout::vertical([
        Constraint::Length(5),
        Constraint::Length(3),
        Constraint::Min(1),
    ])
    .areas(area);
    let choice = |format: ExportFormat, label: &'static str| {
        if app.export.format == format {
            Span::styled(format!("[{label}]"), theme.key())
        } else {
            Span::styled(format!(" {label} "), theme.dim())
        }
    };
    let lines = vec![
        Line::from(vec![
            Span::styled(format!("{}: ", app.tr("Format")), theme.title()),
            choice(ExportFormat::Markdown, "markdown"),
            Span::raw(" "),
            choice(ExportFormat::Json, "JSON"),
            Span::styled(format!("   {}", app.tr("Tab switches")), theme.dim()),
        ]),
        Line::from(app.tr(
            "Markdown is ready to paste into a ticket; JSON is the esr-doctor/report/v1 document.",
        )),
    ];
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(block(&app.tr("Export the report"), theme, false)),
        intro,
    );
    let width = usize::from(field.width.saturating_sub(3));
    let scroll = app.export.path.visual_scroll(width);
    frame.render_widget(
        Paragraph::new(app.export.path.value())
            .scroll((0, u16::try_from(scroll).unwrap_or(0)))
            .block(block(&app.tr("File"), theme, true)),
        field,
    );
    if app.overlay.is_none() {
        let cursor = app.export.path.visual_cursor().saturating_sub(scroll);
        frame.set_cursor_position(Position::new(
            field.x + 1 + u16::try_from(cursor).unwrap_or(0),
            field.y + 1,
        ));
    }
    let mut help = vec![Line::from(Span::styled(
        app.tr("Enter writes the file (relative names go in the current folder). Esc goes back."),
        theme.dim(),
    ))];
    // What the last write said, in full: the notice line below may be too short for a reason.
    if let Some(notice) = &app.notice {
        help.push(Line::default());
        help.push(Line::from(Span::styled(notice.clone(), theme.title())));
    }
    frame.render_widget(Paragraph::new(help).wrap(Wrap { trim: false }), rest);
}
