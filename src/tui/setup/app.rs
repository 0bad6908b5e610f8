//! The setup screen's state: each tenant step's state and watch, the selection, the admin's
//! sign-in, and what a key asks the loop to do. No terminal and no tenant in here, so tests
//! drive it directly.

use crate::cloud::auth::SignInEvent;
use crate::i18n::{Lang, tr, tr_with};
use crate::model::{CheckId, Report};
use crate::prerequisites::watch::{Backoff, Watch};
use crate::prerequisites::{PrerequisiteState, STEPS, script};
use crate::tui::keys::{Action, SETUP_BINDINGS, SetupScreen, action_in};
use crate::tui::theme::Theme;
use ratatui::crossterm::event::KeyEvent;
use std::time::Instant;

/// One step on screen.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub state: PrerequisiteState,
    pub watch: Option<Watch>,
}

/// Where the admin's sign-in stands.
#[derive(Debug, Clone, PartialEq)]
pub enum SignIn {
    NotNeeded,
    /// Open this page and enter this code.
    Code {
        uri: String,
        code: String,
    },
    /// The sign-in page is out in the browser (at this address, if it did not open).
    Browser(String),
    SignedIn,
    Failed(String),
}

/// What the loop does for a key or a tick.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    Nothing,
    Quit,
    /// Run these checks (each decided on its own facts).
    Run(Vec<CheckId>),
    /// The admin says the fix of this step was applied (the demo then plays it).
    AdminRan(usize),
    /// Write the script of pending fixes to this file.
    Export(String),
    /// Put the script of pending fixes on the clipboard.
    Copy(String),
}

pub struct SetupApp {
    pub rows: Vec<Row>,
    pub selected: usize,
    /// How far the selected step's fix is scrolled.
    pub scroll: u16,
    pub backoff: Backoff,
    pub theme: Theme,
    pub lang: Lang,
    /// What is being set up, for the header (`demo tenant new-tenant`, `this tenant`).
    pub subject: String,
    pub sign_in: SignIn,
    /// The last thing done, for the status line.
    pub status: Option<String>,
    /// Where `e` writes the script.
    pub script_path: String,
    pub now: Instant,
    /// The help overlay is open.
    pub help: bool,
    pub quit: bool,
}

impl SetupApp {
    pub fn new(subject: String, theme: Theme, backoff: Backoff, script_path: String) -> SetupApp {
        SetupApp {
            rows: STEPS
                .iter()
                .map(|_| Row {
                    state: PrerequisiteState::Checking,
                    watch: None,
                })
                .collect(),
            selected: 0,
            scroll: 0,
            backoff,
            theme,
            lang: crate::i18n::current(),
            subject,
            sign_in: SignIn::NotNeeded,
            status: None,
            script_path,
            now: Instant::now(),
            help: false,
            quit: false,
        }
    }

    /// The first run: every step's check.
    pub fn start(&self) -> Effect {
        Effect::Run(crate::prerequisites::checks())
    }

    pub fn done_count(&self) -> usize {
        self.rows.iter().filter(|r| r.state.is_done()).count()
    }

    /// Handles a key through setup's key map (`keys::SETUP_BINDINGS`); with the help open,
    /// only closing it (or Ctrl-C) does anything.
    pub fn handle_key(&mut self, key: KeyEvent) -> Effect {
        let Some(action) = action_in(&SETUP_BINDINGS, key, SetupScreen::Steps) else {
            return Effect::Nothing;
        };
        if self.help {
            match action {
                Action::Quit => return self.quit(),
                Action::Help | Action::Back => self.help = false,
                _ => {}
            }
            return Effect::Nothing;
        }
        match action {
            Action::Quit | Action::Back => self.quit(),
            Action::Help => {
                self.help = true;
                Effect::Nothing
            }
            Action::Down => self.select((self.selected + 1).min(self.rows.len().saturating_sub(1))),
            Action::Up => self.select(self.selected.saturating_sub(1)),
            Action::ScrollDown => {
                self.scroll = self.scroll.saturating_add(5);
                Effect::Nothing
            }
            Action::ScrollUp => {
                self.scroll = self.scroll.saturating_sub(5);
                Effect::Nothing
            }
            Action::AdminRan => self.admin_ran(),
            Action::StopWatching => {
                if let Some(row) = self.rows.get_mut(self.selected)
                    && row.watch.take().is_some()
                {
                    self.status = Some(tr_with(
                        self.lang,
                        "Stopped watching step {}.",
                        &(self.selected + 1).to_string(),
                    ));
                }
                Effect::Nothing
            }
            Action::RerunAll => {
                self.status = Some(tr(self.lang, "Re-checking every step."));
                for row in &mut self.rows {
                    row.state = PrerequisiteState::Checking;
                }
                self.start()
            }
            Action::Export => Effect::Export(self.script()),
            Action::Copy => Effect::Copy(self.script()),
            _ => Effect::Nothing,
        }
    }

    fn select(&mut self, index: usize) -> Effect {
        if index != self.selected {
            self.scroll = 0;
        }
        self.selected = index;
        Effect::Nothing
    }

    fn quit(&mut self) -> Effect {
        self.quit = true;
        Effect::Quit
    }

    /// `a`: the selected step's fix was applied; watch it.
    fn admin_ran(&mut self) -> Effect {
        let index = self.selected;
        let Some(row) = self.rows.get_mut(index) else {
            return Effect::Nothing;
        };
        if row.state.is_done() {
            self.status = Some(tr_with(
                self.lang,
                "Step {} is already in place.",
                &(index + 1).to_string(),
            ));
            return Effect::Nothing;
        }
        row.watch = Some(Watch::start(self.now, self.backoff));
        self.status = Some(tr_with(
            self.lang,
            "Watching step {}: it re-checks on its own until it turns green (s stops).",
            &(index + 1).to_string(),
        ));
        Effect::AdminRan(index)
    }

    /// A tick: the checks whose watched steps are due for a re-check, once each.
    pub fn tick(&mut self, now: Instant) -> Effect {
        self.now = now;
        let mut due: Vec<CheckId> = Vec::new();
        for (row, step) in self.rows.iter_mut().zip(STEPS.iter()) {
            if let Some(watch) = &mut row.watch
                && watch.due(now)
            {
                watch.running = true;
                if !due.contains(&step.check) {
                    due.push(step.check);
                }
            }
        }
        if due.is_empty() {
            Effect::Nothing
        } else {
            Effect::Run(due)
        }
    }

    /// A run finished: every step of the checks it ran takes its new state, and a watch
    /// that was waiting for it counts the re-check (and ends when the step is green).
    pub fn run_finished(&mut self, report: &Report) {
        for (row, step) in self.rows.iter_mut().zip(STEPS.iter()) {
            let Some(state) = step.assess(report) else {
                continue;
            };
            let done = state.is_done();
            row.state = state;
            if let Some(watch) = &mut row.watch {
                if watch.running {
                    watch.checked(self.now, done, self.backoff);
                } else if done && watch.green_at.is_none() {
                    watch.green_at = Some(self.now);
                }
            }
        }
    }

    pub fn on_sign_in(&mut self, event: SignInEvent) {
        self.sign_in = match event {
            SignInEvent::Code(prompt) => SignIn::Code {
                uri: prompt.verification_uri,
                code: prompt.user_code,
            },
            SignInEvent::Browser(prompt) => SignIn::Browser(prompt.url),
            SignInEvent::SignedIn => SignIn::SignedIn,
            SignInEvent::Failed(why) => SignIn::Failed(why),
        };
    }

    /// The script of every pending fix, in step order.
    pub fn script(&self) -> String {
        let pending: Vec<script::Pending<'_>> = self
            .rows
            .iter()
            .zip(STEPS.iter())
            .enumerate()
            .filter_map(|(i, (row, step))| match &row.state {
                PrerequisiteState::ToDo(findings) => Some((i + 1, step, findings.as_slice())),
                _ => None,
            })
            .collect();
        script::render(
            &pending,
            &chrono::Local::now().format("%Y-%m-%d %H:%M").to_string(),
            self.lang,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::crossterm::event::{KeyCode, KeyModifiers};
    use std::time::Duration;

    fn app() -> SetupApp {
        let theme = Theme {
            color: false,
            ascii: true,
            high_contrast: false,
        };
        SetupApp::new("t".into(), theme, Backoff::DEMO, "s.ps1".into())
    }

    fn key(c: char) -> KeyEvent {
        KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)
    }

    #[test]
    fn with_the_help_open_only_closing_it_or_ctrl_c_acts() {
        let mut app = app();
        assert_eq!(app.handle_key(key('?')), Effect::Nothing);
        assert!(app.help);
        assert_eq!(
            app.handle_key(key('e')),
            Effect::Nothing,
            "no export behind the help"
        );
        assert_eq!(app.handle_key(key('q')), Effect::Nothing);
        assert!(!app.help && !app.quit, "q closes the help first");
        assert!(matches!(app.handle_key(key('e')), Effect::Export(_)));
        app.help = true;
        let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(app.handle_key(ctrl_c), Effect::Quit);
    }

    #[test]
    fn watches_on_one_check_share_a_single_recheck() {
        let mut app = app();
        let start = app.now;
        // Steps 2 and 3 are both decided by the RMS check.
        for step in [1, 2] {
            app.selected = step;
            assert_eq!(app.handle_key(key('a')), Effect::AdminRan(step));
        }
        assert_eq!(app.tick(start), Effect::Nothing, "not due yet");
        let due = start + Backoff::DEMO.first;
        assert_eq!(app.tick(due), Effect::Run(vec![CheckId::Rms]));
        assert_eq!(app.tick(due), Effect::Nothing, "one re-check at a time");
        assert!(
            app.rows[1..3]
                .iter()
                .all(|r| r.watch.as_ref().is_some_and(|w| w.running))
        );
    }

    #[test]
    fn a_done_step_is_not_watched_and_s_stops_a_watch() {
        let mut app = app();
        app.rows[0].state = PrerequisiteState::Done;
        assert_eq!(app.handle_key(key('a')), Effect::Nothing);
        assert!(app.rows[0].watch.is_none());
        app.selected = 4;
        app.handle_key(key('a'));
        assert!(app.rows[4].watch.is_some());
        app.handle_key(key('s'));
        assert!(app.rows[4].watch.is_none());
        assert_eq!(
            app.tick(app.now + Duration::from_secs(60)),
            Effect::Nothing,
            "a stopped watch never re-checks"
        );
    }

    #[test]
    fn the_script_holds_only_pending_steps() {
        let mut app = app();
        let finding = crate::model::Finding::new(
            "ESR_DISABLED",
            crate::model::Severity::Fail,
            &[crate::model::Feature::WindowsSettings],
            "off".into(),
        );
        app.rows[4].state = PrerequisiteState::ToDo(vec![finding]);
        app.rows[1].state = PrerequisiteState::Done;
        let Effect::Export(script) = app.handle_key(key('e')) else {
            panic!("e exports");
        };
        assert!(script.contains("Step 5: Enterprise State Roaming switch"));
        assert!(!script.contains("Step 2:"));
    }
}
