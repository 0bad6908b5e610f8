//! What will be checked, the read-only promise, and the source in use.

use super::block;
use crate::i18n::{pad, widest};
use crate::report::summary::source_kind;
use crate::tui::app::App;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let theme = app.theme;
    let mut lines = vec![
        Line::from(Span::styled(
            app.tr("Why does Edge sync or Enterprise State Roaming not work?"),
            theme.title(),
        )),
        Line::from(app.tr(
            "esr-doctor walks the whole prerequisite chain and shows each step as it is decided:",
        )),
        Line::default(),
    ];
    let cells: Vec<String> = app
        .steps
        .iter()
        .enumerate()
        .map(|(i, s)| format!("{:>2}. {}", i + 1, app.tr(s.spec.title)))
        .collect();
    // Two columns, the first as wide as its widest title in this language.
    let column = widest(cells.iter().step_by(2).map(String::as_str)) + 3;
    for pair in cells.chunks(2) {
        let second = pair.get(1).map_or("", String::as_str);
        lines.push(Line::from(format!("   {}{second}", pad(&pair[0], column))));
    }
    lines.extend([
        Line::default(),
        Line::from(vec![
            Span::styled(format!("{}: ", app.tr("Source")), theme.title()),
            Span::raw(format!(
                "{} {}",
                app.tr(source_kind(&app.source)),
                app.source.name
            )),
        ]),
        Line::from(Span::styled(app.description.clone(), theme.dim())),
        Line::default(),
        Line::from(vec![
            Span::styled(format!("{}: ", app.tr("Read-only")), theme.title()),
            Span::raw(app.tr("nothing is changed on this device or in the tenant.")),
        ]),
        Line::default(),
        Line::from(vec![
            Span::styled("Enter", theme.key()),
            Span::raw(format!(" {}   ", app.tr("start"))),
            Span::styled("g", theme.key()),
            Span::raw(format!(" {}   ", app.tr("guided mode, one step at a time"))),
            Span::styled("?", theme.key()),
            Span::raw(format!(" {}   ", app.tr("help"))),
            Span::styled("q", theme.key()),
            Span::raw(format!(" {}", app.tr("quit"))),
        ]),
    ]);
    let paragraph = Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .block(block(&app.tr("Welcome"), theme, false));
    frame.render_widget(paragraph, area);
}
