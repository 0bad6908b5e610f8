//! Colours and glyphs. Status glyphs carry meaning without colour; `NO_COLOR` drops colours,
//! and `--ascii` (or a console without Unicode) swaps glyphs and borders for ASCII.

use crate::model::{Status, Verdict};
use ratatui::style::{Color, Modifier, Style};
use ratatui::symbols::border;

use crate::config::ThemeName;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    pub color: bool,
    pub ascii: bool,
    /// Presenter view: bright, bold colours and no dark grey, to read on a projector.
    pub high_contrast: bool,
}

const ASCII_BORDER: border::Set = border::Set {
    top_left: "+",
    top_right: "+",
    bottom_left: "+",
    bottom_right: "+",
    vertical_left: "|",
    vertical_right: "|",
    horizontal_top: "-",
    horizontal_bottom: "-",
};

impl Theme {
    /// `detect`, then the chosen theme on top.
    pub fn chosen(ascii: bool, name: ThemeName) -> Theme {
        let detected = Theme::detect(ascii);
        match name {
            ThemeName::Default => detected,
            ThemeName::HighContrast => Theme {
                high_contrast: true,
                ..detected
            },
            ThemeName::Monochrome => Theme {
                color: false,
                ..detected
            },
        }
    }

    /// Reads `NO_COLOR` and the locale; `ascii` forces ASCII output.
    pub fn detect(ascii: bool) -> Theme {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Theme {
            color: !no_color,
            ascii: ascii || !console_draws_unicode(),
            high_contrast: false,
        }
    }

    pub fn glyph(self, status: Status) -> &'static str {
        status.glyph(self.ascii)
    }

    /// Spinner frame `n` (the loop ticks at most ten times a second).
    pub fn spinner(self, n: usize) -> &'static str {
        const UNICODE: [&str; 8] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧"];
        const ASCII: [&str; 4] = ["|", "/", "-", "\\"];
        if self.ascii {
            ASCII[n % ASCII.len()]
        } else {
            UNICODE[n % UNICODE.len()]
        }
    }

    /// The mark that something was cut.
    pub fn ellipsis(self) -> &'static str {
        if self.ascii { "..." } else { "…" }
    }

    /// The dash between a statement and its reason.
    pub fn dash(self) -> &'static str {
        if self.ascii { "-" } else { "—" }
    }

    /// The glyph of a step not decided yet.
    pub fn pending(self) -> &'static str {
        if self.ascii { "." } else { "·" }
    }

    pub fn border(self) -> border::Set<'static> {
        if self.ascii {
            ASCII_BORDER
        } else {
            border::ROUNDED
        }
    }

    fn fg(self, color: Color) -> Style {
        if self.color {
            Style::new().fg(color)
        } else {
            Style::new()
        }
    }

    pub fn status(self, status: Status) -> Style {
        let style = match (status, self.high_contrast) {
            (Status::Pass, false) => self.fg(Color::Green),
            (Status::Pass, true) => self.fg(Color::LightGreen),
            (Status::Warn, false) => self.fg(Color::Yellow),
            (Status::Warn, true) => self.fg(Color::LightYellow),
            (Status::Fail | Status::Error, false) => self.fg(Color::Red),
            (Status::Fail | Status::Error, true) => self.fg(Color::LightRed),
            (Status::Skipped, false) => self.fg(Color::DarkGray),
            (Status::Skipped, true) => self.fg(Color::White),
        };
        let bold = self.high_contrast || matches!(status, Status::Fail | Status::Error);
        if bold {
            style.add_modifier(Modifier::BOLD)
        } else {
            style
        }
    }

    pub fn verdict(self, verdict: Verdict) -> Style {
        let status = match verdict {
            Verdict::Pass => Status::Pass,
            Verdict::Fail => Status::Fail,
            Verdict::Incomplete => Status::Warn,
            Verdict::NotApplicable => Status::Skipped,
        };
        self.status(status).add_modifier(Modifier::BOLD)
    }

    pub fn title(self) -> Style {
        Style::new().add_modifier(Modifier::BOLD)
    }

    pub fn dim(self) -> Style {
        match (self.color, self.high_contrast) {
            (true, false) => Style::new().fg(Color::DarkGray),
            (true, true) => Style::new().fg(Color::White),
            (false, _) => Style::new(),
        }
    }

    pub fn key(self) -> Style {
        let cyan = if self.high_contrast {
            Color::LightCyan
        } else {
            Color::Cyan
        };
        self.fg(cyan).add_modifier(Modifier::BOLD)
    }

    pub fn command(self) -> Style {
        self.fg(Color::Cyan)
    }

    /// The selected row: reversed, so it shows without colour too.
    pub fn selected(self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED)
    }

    pub fn focused_border(self) -> Style {
        self.fg(Color::Cyan)
    }
}

/// False when the locale says the console cannot show UTF-8 (Unix `LANG`/`LC_*`, the Linux
/// VT console).
fn console_draws_unicode() -> bool {
    if cfg!(windows) {
        return true; // Windows Terminal and conhost both draw these glyphs with UTF-8 output
    }
    let locale = ["LC_ALL", "LC_CTYPE", "LANG"]
        .iter()
        .find_map(|name| std::env::var(name).ok().filter(|v| !v.is_empty()));
    let term_is_vt = std::env::var("TERM").is_ok_and(|t| t == "linux");
    let utf8 = locale.is_none_or(|l| {
        let l = l.to_ascii_lowercase();
        l.contains("utf-8") || l.contains("utf8")
    });
    utf8 && !term_is_vt
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chosen_theme_changes_only_its_own_part() {
        let detected = Theme::detect(true);
        assert_eq!(Theme::chosen(true, ThemeName::Default), detected);
        assert!(Theme::chosen(true, ThemeName::HighContrast).high_contrast);
        let mono = Theme::chosen(true, ThemeName::Monochrome);
        assert!(!mono.color && mono.ascii);
    }
}
