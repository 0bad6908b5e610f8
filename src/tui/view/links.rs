//! Clickable documentation links (OSC 8) on terminals that support them: a link wrapped over
//! two rows of a narrow pane is still one link to the whole address. Only the product's own
//! documentation addresses are linked, never text from the evidence.

use ratatui::buffer::{Buffer, CellDiffOption};
use ratatui::layout::Rect;
use std::num::NonZeroU16;

/// True when this terminal is known to follow OSC 8 hyperlinks (Windows Terminal, VTE-based
/// terminals, iTerm2, WezTerm, VS Code, kitty, foot); elsewhere the address stays plain text.
pub fn terminal_supports() -> bool {
    let set = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty());
    let term_program = std::env::var("TERM_PROGRAM").unwrap_or_default();
    let term = std::env::var("TERM").unwrap_or_default();
    set("WT_SESSION")
        || set("VTE_VERSION")
        || set("KITTY_WINDOW_ID")
        || matches!(term_program.as_str(), "iTerm.app" | "WezTerm" | "vscode")
        || term.starts_with("foot")
        || term == "xterm-kitty"
}

/// How a pane draws documentation addresses: `width` cells per row, and whether the terminal
/// follows OSC 8 links (a wrapped address is then still one link to the whole address).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Addresses {
    pub width: usize,
    pub linked: bool,
    pub ellipsis: &'static str,
}

impl Addresses {
    /// For the text area inside the bordered pane `area`.
    pub fn in_pane(area: Rect, linked: bool, ellipsis: &'static str) -> Addresses {
        Addresses {
            width: usize::from(area.width.saturating_sub(2)),
            linked,
            ellipsis,
        }
    }

    /// `url` as one row shows it: whole when it fits or the terminal links it; otherwise its
    /// host and page without the scheme, so that no terminal takes the cut text for an
    /// address (the whole one is a key press or a command away). `None` when it is whole.
    pub fn shortened(self, url: &str) -> Option<String> {
        if self.linked || crate::i18n::width(url) <= self.width {
            return None;
        }
        let bare = url.split_once("://").map_or(url, |(_, rest)| rest);
        let bare = bare.trim_end_matches('/');
        let short = match (bare.split_once('/'), bare.rsplit_once('/')) {
            (Some((host, first)), Some((_, page))) if first != page => {
                format!("{host}/{}/{page}", self.ellipsis)
            }
            _ => bare.to_owned(),
        };
        Some(crate::i18n::fit(&short, self.width, self.ellipsis))
    }
}

/// One row's run of a link's cells: `(row, first column, past the last column)`.
type Segment = (u16, u16, u16);

/// Makes every drawn occurrence of one of `urls` inside `inner` (a pane's area within its
/// border) an OSC 8 link, following it onto the next row where the pane wrapped it.
pub fn mark(buffer: &mut Buffer, inner: Rect, urls: &[String]) {
    for y in inner.top()..inner.bottom() {
        let mut x = inner.left();
        while x < inner.right() {
            if starts_link(buffer, x, y, inner) {
                let (url, segments) = follow(buffer, (x, y), inner, urls);
                if urls.contains(&url) {
                    for segment in &segments {
                        wrap(buffer, *segment, &url);
                    }
                }
                x = segments.first().map_or(x + 1, |(_, _, end)| *end);
            } else {
                x += 1;
            }
        }
    }
}

fn symbol(buffer: &Buffer, x: u16, y: u16) -> &str {
    buffer
        .cell((x, y))
        .map_or(" ", ratatui::buffer::Cell::symbol)
}

/// `https://` begins at (x, y), on one row.
fn starts_link(buffer: &Buffer, x: u16, y: u16, inner: Rect) -> bool {
    let scheme = "https://";
    let end = x.saturating_add(u16::try_from(scheme.len()).unwrap_or(u16::MAX));
    end <= inner.right() && (x..end).map(|cx| symbol(buffer, cx, y)).collect::<String>() == scheme
}

/// The address that starts at `start`, read up to a blank; where it reaches the pane's edge
/// and is not yet one of `urls`, it goes on at the start of the next row.
fn follow(
    buffer: &Buffer,
    (mut x, mut y): (u16, u16),
    inner: Rect,
    urls: &[String],
) -> (String, Vec<Segment>) {
    let mut text = String::new();
    let mut segments = Vec::new();
    loop {
        let from = x;
        while x < inner.right() && !symbol(buffer, x, y).trim().is_empty() {
            text.push_str(symbol(buffer, x, y));
            x += 1;
        }
        segments.push((y, from, x));
        let wrapped = x == inner.right()
            && y + 1 < inner.bottom()
            && !urls.contains(&text)
            && !symbol(buffer, inner.left(), y + 1).trim().is_empty();
        if !wrapped {
            return (text, segments);
        }
        (x, y) = (inner.left(), y + 1);
    }
}

/// Opens the link in the segment's first cell and closes it in its last; each keeps a width
/// of one cell, as drawn.
fn wrap(buffer: &mut Buffer, (y, from, to): Segment, url: &str) {
    let Some(last) = to.checked_sub(1).filter(|last| *last >= from) else {
        return;
    };
    let one = CellDiffOption::ForcedWidth(NonZeroU16::MIN);
    if let Some(cell) = buffer.cell_mut((from, y)) {
        let opened = format!("\x1b]8;;{url}\x1b\\{}", cell.symbol());
        cell.set_symbol(&opened).set_diff_option(one);
    }
    if let Some(cell) = buffer.cell_mut((last, y)) {
        let closed = format!("{}\x1b]8;;\x1b\\", cell.symbol());
        cell.set_symbol(&closed).set_diff_option(one);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::widgets::{Paragraph, Widget, Wrap};

    #[test]
    fn an_address_wider_than_its_pane_is_shortened_to_host_and_page_unless_linked() {
        let url =
            "https://learn.microsoft.com/entra/identity/devices/enterprise-state-roaming-enable";
        let pane = |width, linked| Addresses {
            width,
            linked,
            ellipsis: "…",
        };
        assert_eq!(pane(90, false).shortened(url), None, "it fits");
        assert_eq!(pane(38, true).shortened(url), None, "a link may wrap");
        assert_eq!(
            pane(60, false).shortened(url).as_deref(),
            Some("learn.microsoft.com/…/enterprise-state-roaming-enable")
        );
        let narrow = pane(30, false).shortened(url).unwrap_or_default();
        assert_eq!(crate::i18n::width(&narrow), 30, "{narrow}");
        assert!(!narrow.contains("://") && narrow.ends_with('…'), "{narrow}");
        assert_eq!(
            pane(10, false)
                .shortened("https://a.example/one-long-page")
                .as_deref(),
            Some("a.example…")
        );
    }

    #[test]
    fn a_wrapped_address_is_one_link_on_each_of_its_rows() {
        let url =
            "https://learn.microsoft.com/deployedge/microsoft-edge-troubleshoot-enterprise-sync";
        let area = Rect::new(0, 0, 40, 5);
        let mut buffer = Buffer::empty(area);
        Paragraph::new(format!("see\n{url}\nhttps://evil.example/x"))
            .wrap(Wrap { trim: false })
            .render(area, &mut buffer);
        mark(&mut buffer, area, &[url.to_owned()]);
        let opened = format!("\x1b]8;;{url}\x1b\\");
        let rows_opened: Vec<u16> = (0..5)
            .filter(|y| (0..40).any(|x| symbol(&buffer, x, *y).starts_with(&opened)))
            .collect();
        assert_eq!(
            rows_opened,
            [1, 2, 3],
            "every row of the wrapped address links it"
        );
        assert!(
            !(0..40).any(|x| symbol(&buffer, x, 4).contains('\x1b')),
            "an address not in the list is never linked"
        );
        let closes = buffer
            .content
            .iter()
            .filter(|c| c.symbol().ends_with("\x1b]8;;\x1b\\"))
            .count();
        assert_eq!(closes, 3);
    }
}
