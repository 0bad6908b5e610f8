//! The wizard's answer to each key: overlays first, then the export form's field, then the key
//! map's action on the current screen. Pure: it changes the state and returns the effect.

use super::app::App;
use super::keys::{Action, action_for};
use super::state::{Effect, ExportFormat, Focus, Guided, Overlay, Screen, SignIn};
use crate::emulator::break_fix::BREAKAGES;
use ratatui::crossterm::event::{Event as TermEvent, KeyCode, KeyEvent, KeyModifiers};
use std::path::PathBuf;
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

impl App {
    /// Handles a key: overlays first, then the export form's text field, then the key map.
    pub fn handle_key(&mut self, key: KeyEvent) -> Effect {
        let ctrl_c =
            key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('c');
        if self.too_small {
            // Nothing is in view to act on: only the ways out work.
            return match key.code {
                _ if ctrl_c => self.handle(Action::Quit),
                KeyCode::Char('q') => self.quit_now(),
                _ => Effect::Nothing,
            };
        }
        if self.overlay == Some(Overlay::ConfirmQuit) && !ctrl_c {
            return match key.code {
                KeyCode::Char('y' | 'Y') => self.quit_now(),
                _ => {
                    self.overlay = None;
                    Effect::Nothing
                }
            };
        }
        let editing = self.screen == Screen::Export
            && self.overlay.is_none()
            && !ctrl_c
            && !matches!(
                key.code,
                KeyCode::Enter | KeyCode::Tab | KeyCode::BackTab | KeyCode::Esc
            );
        if editing {
            self.export.path.handle_event(&TermEvent::Key(key));
            return Effect::Nothing;
        }
        match action_for(key, self.screen) {
            Some(action) => self.handle(action),
            None => Effect::Nothing,
        }
    }

    /// The state machine proper.
    pub fn handle(&mut self, action: Action) -> Effect {
        if action == Action::Quit {
            self.ending.by_ctrl_c = true;
            return self.quit_now();
        }
        if self.overlay == Some(Overlay::Help) {
            if matches!(action, Action::Back | Action::Leave | Action::Help) {
                self.overlay = None;
            }
            return Effect::Nothing;
        }
        if let Some(Overlay::BreakFix(selected)) = self.overlay {
            return self.on_break_fix(action, selected);
        }
        if action == Action::Help {
            self.overlay = Some(Overlay::Help);
            return Effect::Nothing;
        }
        if action == Action::BreakFix {
            self.notice = None;
            match self.broken {
                Some(_) => self.overlay = Some(Overlay::BreakFix(0)),
                None => {
                    self.notice = Some(self.tr(
                        "Break and fix works in a live demo (--demo), not on a device or bundle.",
                    ));
                }
            }
            return Effect::Nothing;
        }
        self.notice = None;
        let copyable = match &self.sign_in {
            SignIn::Waiting(prompt) => Some(("Copied the sign-in code.", &prompt.user_code)),
            SignIn::InBrowser(prompt) => Some(("Copied the sign-in address.", &prompt.url)),
            _ => None,
        };
        if let Some((copied, text)) = copyable {
            match action {
                Action::Back => return Effect::CancelSignIn,
                Action::Leave => return self.quit_asking(),
                Action::Copy => {
                    let text = text.clone();
                    self.notice = Some(self.tr(copied));
                    return Effect::CopyText(text);
                }
                _ => {}
            }
        }
        // Outside a sign-in, `q` is a way back like Esc.
        let action = if action == Action::Leave {
            Action::Back
        } else {
            action
        };
        match self.screen {
            Screen::Welcome => self.on_welcome(action),
            Screen::Checklist => self.on_checklist(action),
            Screen::Detail => self.on_detail(action),
            Screen::Summary => self.on_summary(action),
            Screen::Export => self.on_export(action),
        }
    }

    /// The break-and-fix list: move, toggle the selected prerequisite (then re-run), close.
    fn on_break_fix(&mut self, action: Action, selected: usize) -> Effect {
        let last = BREAKAGES.len() - 1;
        match action {
            Action::Up => self.overlay = Some(Overlay::BreakFix(selected.saturating_sub(1))),
            Action::Down => self.overlay = Some(Overlay::BreakFix((selected + 1).min(last))),
            Action::Enter if !self.is_running() => {
                if let Some(flag) = self.broken.as_mut().and_then(|b| b.get_mut(selected)) {
                    *flag = !*flag;
                    let verb = if *flag { "Broke" } else { "Fixed" };
                    self.notice = Some(format!(
                        "{}: {}.",
                        crate::i18n::tr(self.lang, verb),
                        crate::i18n::tr(self.lang, BREAKAGES[selected].label)
                    ));
                }
                self.overlay = None;
                return Effect::ToggleBreakage(selected);
            }
            Action::Enter => return self.wait_notice(),
            Action::Back | Action::Leave | Action::BreakFix => self.overlay = None,
            _ => {}
        }
        Effect::Nothing
    }

    fn quit_now(&mut self) -> Effect {
        self.ending.mid_run = self.is_running();
        self.quit = true;
        Effect::Quit
    }

    /// Quitting would cut a run or a sign-in short: ask first.
    fn quit_asking(&mut self) -> Effect {
        if self.is_running() || self.signing_in() {
            self.overlay = Some(Overlay::ConfirmQuit);
            Effect::Nothing
        } else {
            self.quit_now()
        }
    }

    /// A sign-in pane is open (a code or a browser page waits for the person).
    pub fn signing_in(&self) -> bool {
        matches!(self.sign_in, SignIn::Waiting(_) | SignIn::InBrowser(_))
    }

    fn start_run(&mut self) -> Effect {
        self.screen = Screen::Checklist;
        Effect::Run(None)
    }

    fn on_welcome(&mut self, action: Action) -> Effect {
        match action {
            Action::Enter => self.start_run(),
            Action::Guided => {
                self.guided = Some(Guided {
                    index: 0,
                    revealed: false,
                });
                self.start_run()
            }
            Action::Back => self.quit_now(),
            _ => Effect::Nothing,
        }
    }

    fn on_checklist(&mut self, action: Action) -> Effect {
        match action {
            Action::Up | Action::Down if self.focus == Focus::Secondary => self.scroll_by(action),
            Action::Up => self.select(self.selected.saturating_sub(1)),
            Action::Down => self.select(self.selected + 1),
            Action::Right | Action::Enter if self.guided.is_some() => self.guided_forward(),
            Action::Left if self.guided.is_some() => self.guided_back(),
            Action::Enter => {
                self.screen = Screen::Detail;
                self.focus = Focus::Primary;
                self.reset_scroll();
                Effect::Nothing
            }
            Action::Guided => {
                self.guided = match self.guided {
                    Some(_) => None,
                    None => Some(Guided {
                        index: self.selected,
                        revealed: false,
                    }),
                };
                Effect::Nothing
            }
            Action::Back if self.guided.is_some() => {
                self.guided = None;
                Effect::Nothing
            }
            Action::Back => self.quit_asking(),
            other => self.common(other),
        }
    }

    fn on_detail(&mut self, action: Action) -> Effect {
        match action {
            Action::Up | Action::Down => self.scroll_by(action),
            Action::Back => {
                self.screen = Screen::Checklist;
                self.focus = Focus::Primary;
                self.reset_scroll();
                Effect::Nothing
            }
            other => self.common(other),
        }
    }

    fn on_summary(&mut self, action: Action) -> Effect {
        match action {
            Action::Up | Action::Down => self.scroll_by(action),
            Action::Back => {
                self.screen = Screen::Checklist;
                self.reset_scroll();
                Effect::Nothing
            }
            other => self.common(other),
        }
    }

    fn on_export(&mut self, action: Action) -> Effect {
        match action {
            Action::Tab => {
                self.export.format = match self.export.format {
                    ExportFormat::Markdown => ExportFormat::Json,
                    ExportFormat::Json => ExportFormat::Markdown,
                };
                let path = swap_extension(self.export.path.value(), self.export.format.extension());
                self.export.path = Input::new(path);
                Effect::Nothing
            }
            Action::Enter => {
                let path = self.export.path.value().trim();
                if path.is_empty() {
                    self.notice = Some(self.tr("Type a file name first."));
                    return Effect::Nothing;
                }
                Effect::WriteExport {
                    format: self.export.format,
                    path: PathBuf::from(path),
                }
            }
            Action::Back => {
                self.screen = self.export.return_to;
                Effect::Nothing
            }
            _ => Effect::Nothing,
        }
    }

    /// Keys that mean the same on the checklist, detail and summary screens.
    fn common(&mut self, action: Action) -> Effect {
        match action {
            Action::Tab => {
                self.focus = match self.focus {
                    Focus::Primary => Focus::Secondary,
                    Focus::Secondary => Focus::Primary,
                };
                // Each pane keeps where it was scrolled to.
                std::mem::swap(&mut self.scroll, &mut self.other_scroll);
                Effect::Nothing
            }
            Action::Rerun => self.rerun_selected(),
            Action::RerunAll if self.is_running() => self.wait_notice(),
            Action::RerunAll => {
                self.report = None;
                self.start_run()
            }
            Action::Summary => {
                self.screen = Screen::Summary;
                self.reset_scroll();
                Effect::Nothing
            }
            Action::Export if self.report.is_none() => self.wait_notice(),
            Action::Export => {
                self.export.return_to = self.screen;
                self.screen = Screen::Export;
                Effect::Nothing
            }
            Action::Copy if self.report.is_none() => self.wait_notice(),
            Action::Copy => Effect::Copy,
            _ => Effect::Nothing,
        }
    }

    fn wait_notice(&mut self) -> Effect {
        self.notice =
            Some("The checks are still running; try again when they have finished.".into());
        Effect::Nothing
    }

    fn rerun_selected(&mut self) -> Effect {
        if self.is_running() {
            return self.wait_notice();
        }
        let step = self.selected_step().spec;
        // Re-deciding one step re-decides what it can block and what blocks those: say so,
        // or six spinners for one `r` look like a mistake.
        let others = crate::checks::rerun_of(step.id).len().saturating_sub(1);
        if others > 0 {
            self.notice = Some(crate::i18n::tr_fill(
                self.lang,
                "Re-checking {} and the {} steps it depends on or decides.",
                &[&self.tr(step.title), &others.to_string()],
            ));
        }
        Effect::Run(Some(step.id))
    }

    fn select(&mut self, index: usize) -> Effect {
        self.selected = index.min(self.steps.len() - 1);
        self.reset_scroll();
        Effect::Nothing
    }

    /// Both panes back to their top (another step, another screen).
    fn reset_scroll(&mut self) {
        self.scroll = 0;
        self.other_scroll = 0;
    }

    fn scroll_by(&mut self, action: Action) -> Effect {
        self.scroll = match action {
            Action::Up => self.scroll.saturating_sub(1),
            _ => self.scroll.saturating_add(1),
        };
        Effect::Nothing
    }

    fn guided_forward(&mut self) -> Effect {
        let Some(mut guided) = self.guided else {
            return Effect::Nothing;
        };
        if !guided.revealed {
            guided.revealed = true;
        } else if guided.index + 1 < self.steps.len() {
            guided = Guided {
                index: guided.index + 1,
                revealed: false,
            };
        } else {
            self.guided = None;
            self.screen = Screen::Summary;
            return Effect::Nothing;
        }
        self.selected = guided.index;
        self.guided = Some(guided);
        Effect::Nothing
    }

    fn guided_back(&mut self) -> Effect {
        if let Some(guided) = self.guided {
            let index = guided.index.saturating_sub(1);
            self.guided = Some(Guided {
                index,
                revealed: guided.index == 0 && guided.revealed,
            });
            self.selected = index;
        }
        Effect::Nothing
    }
}

/// `report.md` ↔ `report.json`; other names get the extension appended.
fn swap_extension(path: &str, extension: &str) -> String {
    let stem = path
        .strip_suffix(".md")
        .or_else(|| path.strip_suffix(".json"))
        .unwrap_or(path);
    format!("{stem}.{extension}")
}
