//! The wizard's state machine: screens, overlays, guided mode and the live state of each step.
//!
//! Pure: it takes actions, keys and runner events and returns the side effect the event loop
//! must carry out (start a run, write a file, copy, quit). It computes no verdict of its own;
//! results and verdicts come from the runner's events and `Report`.

use super::keys::{Action, action_for};
use super::theme::Theme;
use crate::checks::{CATALOGUE, CheckSpec};
use crate::cloud::auth::{BrowserPrompt, SignInEvent, SignInPrompt};
use crate::emulator::break_fix::BREAKAGES;
use crate::model::{CheckId, CheckResult, Report, SourceInfo, Status};
use crate::redact::Redactor;
use crate::report::sanitise;
use crate::runner::Event;
use crate::verdict;
use ratatui::crossterm::event::{Event as TermEvent, KeyCode, KeyEvent, KeyModifiers};
use std::path::PathBuf;
use std::time::Instant;
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    Welcome,
    Checklist,
    Detail,
    Summary,
    Export,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overlay {
    Help,
    ConfirmQuit,
    /// The trainer's list of prerequisites to break or fix, with the one selected.
    BreakFix(usize),
}

/// Which pane of a two-pane screen receives scrolling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    Primary,
    Secondary,
}

#[derive(Debug, Clone, PartialEq)]
pub enum StepState {
    Waiting,
    Running { since: Instant },
    Done(Box<CheckResult>),
}

/// One prerequisite as the wizard shows it.
#[derive(Clone)]
pub struct Step {
    pub spec: &'static CheckSpec,
    pub state: StepState,
}

impl Step {
    pub fn result(&self) -> Option<&CheckResult> {
        match &self.state {
            StepState::Done(result) => Some(result),
            _ => None,
        }
    }
}

/// Guided mode: the step being explained, and whether its result is shown yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Guided {
    pub index: usize,
    pub revealed: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Markdown,
    Json,
}

impl ExportFormat {
    pub fn extension(self) -> &'static str {
        match self {
            ExportFormat::Markdown => "md",
            ExportFormat::Json => "json",
        }
    }
}

/// The export screen's form.
#[derive(Debug, Clone)]
pub struct ExportForm {
    pub format: ExportFormat,
    pub path: Input,
    pub return_to: Screen,
}

/// What the event loop must do after an input.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    Nothing,
    /// Run all checks (`None`) or re-run one.
    Run(Option<CheckId>),
    WriteExport {
        format: ExportFormat,
        path: PathBuf,
    },
    Copy,
    /// Put this text (the sign-in code) on the clipboard.
    CopyText(String),
    /// Stop waiting for the tenant sign-in.
    CancelSignIn,
    /// Break (or fix again) this prerequisite of the demo (an index into `BREAKAGES`).
    ToggleBreakage(usize),
    Quit,
}

/// Where the tenant sign-in stands, as the sign-in pane shows it.
#[derive(Debug, Clone, PartialEq)]
pub enum SignIn {
    /// No sign-in asked for (yet).
    Idle,
    /// A code waits to be entered.
    Waiting(SignInPrompt),
    /// The sign-in page is out in the browser.
    InBrowser(BrowserPrompt),
    SignedIn,
    /// It ended without a token; the words say why (cancelled, declined, ...).
    Ended(String),
}

pub struct App {
    pub source: SourceInfo,
    pub description: String,
    pub theme: Theme,
    /// The language the wizard speaks (the run's, from `--lang`, config or the system).
    pub lang: crate::i18n::Lang,
    pub screen: Screen,
    pub overlay: Option<Overlay>,
    pub steps: Vec<Step>,
    pub selected: usize,
    pub focus: Focus,
    pub scroll: u16,
    pub guided: Option<Guided>,
    /// The report as the runner made it (exports and copies pass it through their faces,
    /// which sanitise it); the steps hold the sanitised results the screens show.
    pub report: Option<Report>,
    pub export: ExportForm,
    /// A one-line message about the last thing done ("Wrote ...", "Copied ...").
    pub notice: Option<String>,
    pub runs_in_flight: usize,
    pub sign_in: SignIn,
    /// In a live demo: which of `BREAKAGES` are broken now (`None` on a device or bundle:
    /// there is nothing to break).
    pub broken: Option<Vec<bool>>,
    /// Presenter view: identifiers are replaced before anything is shown (a room watches).
    pub presenter: Option<Redactor>,
    pub now: Instant,
    pub frame: usize,
    pub quit: bool,
}

impl App {
    /// `english` in the wizard's language.
    pub fn tr(&self, english: &str) -> String {
        crate::i18n::tr(self.lang, english)
    }

    pub fn new(
        source: SourceInfo,
        description: String,
        theme: Theme,
        export_path: String,
        now: Instant,
    ) -> App {
        App {
            source: sanitise::source(&source),
            description,
            theme,
            lang: crate::i18n::current(),
            screen: Screen::Welcome,
            overlay: None,
            steps: CATALOGUE
                .iter()
                .map(|spec| Step {
                    spec,
                    state: StepState::Waiting,
                })
                .collect(),
            selected: 0,
            focus: Focus::Primary,
            scroll: 0,
            guided: None,
            report: None,
            export: ExportForm {
                format: ExportFormat::Markdown,
                path: Input::new(export_path),
                return_to: Screen::Checklist,
            },
            notice: None,
            runs_in_flight: 0,
            sign_in: SignIn::Idle,
            broken: None,
            presenter: None,
            now,
            frame: 0,
            quit: false,
        }
    }

    /// Something is still being gathered or decided (the spinner turns only then).
    pub fn is_running(&self) -> bool {
        self.runs_in_flight > 0
            || self
                .steps
                .iter()
                .any(|s| matches!(s.state, StepState::Running { .. }))
    }

    pub fn selected_step(&self) -> &Step {
        &self.steps[self.selected.min(self.steps.len() - 1)]
    }

    pub fn finished_count(&self) -> usize {
        self.steps.iter().filter(|s| s.result().is_some()).count()
    }

    /// Handles a key: overlays first, then the export form's text field, then the key map.
    pub fn handle_key(&mut self, key: KeyEvent) -> Effect {
        let ctrl_c =
            key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('c');
        if self.overlay == Some(Overlay::ConfirmQuit) && !ctrl_c {
            return match key.code {
                KeyCode::Char('y') | KeyCode::Char('Y') => self.quit_now(),
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
            return self.quit_now();
        }
        if self.overlay == Some(Overlay::Help) {
            if matches!(action, Action::Back | Action::Help) {
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
                    ))
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
                Action::Copy => {
                    let text = text.clone();
                    self.notice = Some(self.tr(copied));
                    return Effect::CopyText(text);
                }
                _ => {}
            }
        }
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
            Action::Back | Action::BreakFix => self.overlay = None,
            _ => {}
        }
        Effect::Nothing
    }

    fn quit_now(&mut self) -> Effect {
        self.quit = true;
        Effect::Quit
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
                self.scroll = 0;
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
            Action::Back if self.is_running() => {
                self.overlay = Some(Overlay::ConfirmQuit);
                Effect::Nothing
            }
            Action::Back => self.quit_now(),
            other => self.common(other),
        }
    }

    fn on_detail(&mut self, action: Action) -> Effect {
        match action {
            Action::Up | Action::Down => self.scroll_by(action),
            Action::Back => {
                self.screen = Screen::Checklist;
                self.focus = Focus::Primary;
                self.scroll = 0;
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
                self.scroll = 0;
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
                self.scroll = 0;
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
                self.scroll = 0;
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
        Effect::Run(Some(self.selected_step().spec.id))
    }

    fn select(&mut self, index: usize) -> Effect {
        self.selected = index.min(self.steps.len() - 1);
        self.scroll = 0;
        Effect::Nothing
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

    /// The event loop started a run (of everything, or a re-run of one check, which also
    /// re-decides the checks it blocks and their blockers).
    pub fn run_started(&mut self, only: Option<CheckId>) {
        self.runs_in_flight += 1;
        let rerun = only.map(crate::checks::rerun_of);
        for step in self
            .steps
            .iter_mut()
            .filter(|s| rerun.as_ref().is_none_or(|ids| ids.contains(&s.spec.id)))
        {
            step.state = StepState::Running { since: self.now };
        }
    }

    pub fn on_runner_event(&mut self, event: Event) {
        match event {
            Event::CheckQueued(id) => {
                if let Some(step) = self.steps.iter_mut().find(|s| s.spec.id == id)
                    && !matches!(step.state, StepState::Running { .. })
                {
                    step.state = StepState::Running { since: self.now };
                }
            }
            Event::CheckFinished(mut result) => {
                if let Some(redactor) = &mut self.presenter {
                    redactor.learn_check(&result);
                    redactor.check(&mut result);
                }
                if let Some(step) = self.steps.iter_mut().find(|s| s.spec.id == result.id) {
                    step.state = StepState::Done(Box::new(sanitise::check(&result)));
                }
            }
            Event::SourceStarted(_) | Event::SourceFinished(_) => {}
        }
    }

    /// A run ended; a re-run of one check replaces that check in the report and the verdicts
    /// are recomputed by the same code the runner uses.
    pub fn run_finished(&mut self, mut finished: Report) {
        self.runs_in_flight = self.runs_in_flight.saturating_sub(1);
        if let Some(redactor) = &mut self.presenter {
            redactor.report(&mut finished);
        }
        for check in &finished.checks {
            if let Some(step) = self.steps.iter_mut().find(|s| s.spec.id == check.id) {
                step.state = StepState::Done(Box::new(sanitise::check(check)));
            }
        }
        let merged = match self.report.take() {
            Some(mut report) if finished.checks.len() < report.checks.len() => {
                for check in finished.checks {
                    if let Some(slot) = report.checks.iter_mut().find(|c| c.id == check.id) {
                        *slot = check;
                    }
                }
                (report.verdict, report.features) = verdict::decide(&report.checks);
                report.generated_at = finished.generated_at;
                report
            }
            _ => finished,
        };
        self.report = Some(merged);
    }

    /// The tenant sign-in moved on.
    pub fn on_sign_in(&mut self, event: SignInEvent) {
        self.sign_in = match event {
            SignInEvent::Code(prompt) => SignIn::Waiting(prompt),
            SignInEvent::Browser(prompt) => SignIn::InBrowser(prompt),
            SignInEvent::SignedIn => SignIn::SignedIn,
            SignInEvent::Failed(why) => SignIn::Ended(why),
        };
    }

    /// Advances the clock; true when the screen must be redrawn (only while something runs).
    pub fn tick(&mut self, now: Instant) -> bool {
        self.now = now;
        if self.is_running() {
            self.frame = self.frame.wrapping_add(1);
            true
        } else {
            false
        }
    }

    pub fn export_done(&mut self, outcome: Result<String, String>) {
        self.notice = Some(match outcome {
            Ok(done) => done,
            Err(error) => format!("{}: {error}", self.tr("Could not write the report")),
        });
    }

    pub fn copied(&mut self) {
        self.notice = Some(self.tr("Copied the markdown summary to the clipboard (OSC 52)."));
    }

    /// Counts of finished checks per status, in status order.
    pub fn counts(&self) -> Vec<(Status, usize)> {
        [
            Status::Pass,
            Status::Warn,
            Status::Fail,
            Status::Skipped,
            Status::Error,
        ]
        .into_iter()
        .map(|status| {
            (
                status,
                self.steps
                    .iter()
                    .filter(|s| s.result().is_some_and(|r| r.status == status))
                    .count(),
            )
        })
        .collect()
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{SourceKind, Verdict};
    use serde_json::Map;

    fn app() -> App {
        let source = SourceInfo {
            kind: SourceKind::Demo,
            name: "healthy".into(),
        };
        App::new(
            source,
            "demo".into(),
            Theme {
                color: false,
                ascii: false,
                high_contrast: false,
            },
            "report.md".into(),
            Instant::now(),
        )
    }

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    fn report_with(statuses: &[(CheckId, bool)]) -> Report {
        let checks: Vec<CheckResult> = statuses
            .iter()
            .map(|(id, pass)| {
                let findings = if *pass {
                    vec![]
                } else {
                    vec![crate::model::Finding::new(
                        "X",
                        crate::model::Severity::Fail,
                        &[crate::model::Feature::EdgeSync],
                        "bad".into(),
                    )]
                };
                CheckResult::decided(*id, Map::new(), findings)
            })
            .collect();
        let (verdict, features) = verdict::decide(&checks);
        Report {
            schema: crate::model::REPORT_SCHEMA.into(),
            tool_version: "0".into(),
            generated_at: chrono::Local::now().fixed_offset(),
            source: SourceInfo {
                kind: SourceKind::Demo,
                name: "t".into(),
            },
            verdict,
            features,
            duration_ms: 0,
            problems: Vec::new(),
            notes: Vec::new(),
            checks,
        }
    }

    fn finish_all(app: &mut App, pass: bool) {
        let all: Vec<(CheckId, bool)> = CheckId::ALL.iter().map(|id| (*id, pass)).collect();
        app.run_finished(report_with(&all));
    }

    #[test]
    fn welcome_starts_a_run_or_guided_mode_or_quits() {
        let mut a = app();
        assert_eq!(a.handle(Action::Enter), Effect::Run(None));
        assert_eq!(a.screen, Screen::Checklist);
        let mut b = app();
        assert_eq!(b.handle(Action::Guided), Effect::Run(None));
        assert_eq!(
            b.guided,
            Some(Guided {
                index: 0,
                revealed: false
            })
        );
        let mut c = app();
        assert_eq!(c.handle(Action::Back), Effect::Quit);
        assert!(c.quit);
    }

    #[test]
    fn checklist_navigation_detail_and_back() {
        let mut a = app();
        a.handle(Action::Enter);
        a.handle(Action::Up);
        assert_eq!(a.selected, 0);
        for _ in 0..20 {
            a.handle(Action::Down);
        }
        assert_eq!(a.selected, 8, "selection stops at the last step");
        a.handle(Action::Enter);
        assert_eq!(a.screen, Screen::Detail);
        a.handle(Action::Down);
        assert_eq!(a.scroll, 1);
        a.handle(Action::Tab);
        assert_eq!((a.focus, a.scroll), (Focus::Secondary, 0));
        a.handle(Action::Back);
        assert_eq!((a.screen, a.focus), (Screen::Checklist, Focus::Primary));
    }

    #[test]
    fn quitting_while_running_asks_first() {
        let mut a = app();
        a.handle(Action::Enter);
        a.run_started(None);
        assert_eq!(a.handle(Action::Back), Effect::Nothing);
        assert_eq!(a.overlay, Some(Overlay::ConfirmQuit));
        assert_eq!(a.handle_key(key(KeyCode::Char('n'))), Effect::Nothing);
        assert_eq!(a.overlay, None);
        a.handle(Action::Back);
        assert_eq!(a.handle_key(key(KeyCode::Char('y'))), Effect::Quit);
        let mut b = app();
        b.handle(Action::Enter);
        finish_all(&mut b, true);
        assert_eq!(
            b.handle(Action::Back),
            Effect::Quit,
            "no question once everything is done"
        );
        let mut c = app();
        c.run_started(None);
        assert_eq!(
            c.handle_key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)),
            Effect::Quit
        );
    }

    #[test]
    fn break_and_fix_opens_only_in_a_live_demo_and_toggles() {
        let mut a = app();
        a.handle(Action::Enter);
        finish_all(&mut a, true);
        assert_eq!(a.handle(Action::BreakFix), Effect::Nothing);
        assert_eq!(a.overlay, None, "no emulator: nothing to break");
        assert!(
            a.notice
                .as_deref()
                .is_some_and(|n| n.contains("live demo (--demo)"))
        );
        a.broken = Some(vec![false; BREAKAGES.len()]);
        a.handle(Action::BreakFix);
        assert_eq!(a.overlay, Some(Overlay::BreakFix(0)));
        a.handle(Action::Down);
        a.handle(Action::Down);
        assert_eq!(a.handle(Action::Enter), Effect::ToggleBreakage(2));
        assert_eq!(a.overlay, None);
        assert_eq!(a.broken.as_ref().map(|b| b[2]), Some(true));
        a.handle(Action::BreakFix);
        assert_eq!(a.handle(Action::Back), Effect::Nothing);
        assert_eq!(a.overlay, None, "Esc closes the list");
    }

    #[test]
    fn help_overlay_opens_anywhere_and_swallows_other_keys() {
        let mut a = app();
        a.handle(Action::Help);
        assert_eq!(a.overlay, Some(Overlay::Help));
        assert_eq!(a.handle(Action::Enter), Effect::Nothing);
        assert_eq!(a.screen, Screen::Welcome);
        a.handle(Action::Back);
        assert_eq!(a.overlay, None);
    }

    #[test]
    fn runner_events_drive_the_steps() {
        let mut a = app();
        a.handle(Action::Enter);
        a.run_started(None);
        assert!(a.is_running());
        let result = CheckResult::decided(CheckId::Rms, Map::new(), vec![]);
        a.on_runner_event(Event::CheckFinished(Box::new(result)));
        assert_eq!(a.steps[4].result().map(|r| r.status), Some(Status::Pass));
        assert_eq!(a.finished_count(), 1);
        assert!(a.tick(Instant::now()), "spinner turns while running");
        finish_all(&mut a, true);
        assert!(!a.is_running());
        assert!(!a.tick(Instant::now()), "no redraw when idle");
        assert_eq!(a.counts()[0], (Status::Pass, 9));
    }

    #[test]
    fn rerun_of_one_check_replaces_it_and_recomputes_the_verdict() {
        let mut a = app();
        a.handle(Action::Enter);
        a.run_started(None);
        finish_all(&mut a, true);
        a.selected = 4;
        assert_eq!(a.handle(Action::Rerun), Effect::Run(Some(CheckId::Rms)));
        a.run_started(Some(CheckId::Rms));
        let running = |a: &App, i: usize| matches!(a.steps[i].state, StepState::Running { .. });
        assert!(running(&a, 4), "the step itself");
        assert!(
            running(&a, 8),
            "sync health, which RMS blocks, is re-decided"
        );
        assert!(running(&a, 3), "and the licence, which blocks RMS");
        assert!(
            a.steps[2].result().is_some() && a.steps[6].result().is_some(),
            "steps unrelated to RMS keep their result"
        );
        let rerun: Vec<(CheckId, bool)> = crate::checks::rerun_of(CheckId::Rms)
            .into_iter()
            .map(|id| (id, id != CheckId::Rms))
            .collect();
        a.run_finished(report_with(&rerun));
        let report = a.report.as_ref();
        assert_eq!(report.map(|r| r.checks.len()), Some(9));
        assert_eq!(report.map(|r| r.verdict), Some(Verdict::Fail));
        assert_eq!(a.handle(Action::RerunAll), Effect::Run(None));
        assert!(a.report.is_none());
    }

    #[test]
    fn rerun_export_and_copy_wait_for_the_run() {
        let mut a = app();
        a.handle(Action::Enter);
        a.run_started(None);
        for action in [
            Action::Rerun,
            Action::RerunAll,
            Action::Export,
            Action::Copy,
        ] {
            assert_eq!(a.handle(action), Effect::Nothing, "{action:?}");
            assert!(a.notice.is_some());
        }
        assert_eq!(a.screen, Screen::Checklist);
    }

    #[test]
    fn summary_export_and_copy() {
        let mut a = app();
        a.handle(Action::Enter);
        finish_all(&mut a, false);
        a.handle(Action::Summary);
        assert_eq!(a.screen, Screen::Summary);
        assert_eq!(a.handle(Action::Copy), Effect::Copy);
        a.handle(Action::Export);
        assert_eq!(a.screen, Screen::Export);
        for c in "-x".chars() {
            a.handle_key(key(KeyCode::Char(c)));
        }
        assert_eq!(a.export.path.value(), "report.md-x");
        a.handle_key(key(KeyCode::Backspace));
        a.handle_key(key(KeyCode::Backspace));
        a.handle_key(key(KeyCode::Tab));
        assert_eq!(
            (a.export.format, a.export.path.value()),
            (ExportFormat::Json, "report.json")
        );
        assert_eq!(
            a.handle_key(key(KeyCode::Char('q'))),
            Effect::Nothing,
            "q is typed, not quit"
        );
        a.handle_key(key(KeyCode::Backspace));
        assert_eq!(
            a.handle_key(key(KeyCode::Enter)),
            Effect::WriteExport {
                format: ExportFormat::Json,
                path: PathBuf::from("report.json")
            }
        );
        a.export_done(Ok("Wrote report.json".into()));
        assert_eq!(a.notice.as_deref(), Some("Wrote report.json"));
        a.handle_key(key(KeyCode::Esc));
        assert_eq!(a.screen, Screen::Summary);
        a.handle(Action::Back);
        assert_eq!(a.screen, Screen::Checklist);
    }

    #[test]
    fn remaining_transitions() {
        let mut a = app();
        a.handle(Action::Enter);
        finish_all(&mut a, true);
        // The preview pane scrolls once it has the focus.
        a.handle(Action::Tab);
        a.handle(Action::Down);
        assert_eq!((a.focus, a.selected, a.scroll), (Focus::Secondary, 0, 1));
        a.handle(Action::Up);
        assert_eq!(a.scroll, 0);
        a.handle(Action::Tab);
        // Summary scrolls, R re-runs everything from there and returns to the checklist.
        a.handle(Action::Summary);
        a.handle(Action::Down);
        assert_eq!(a.scroll, 1);
        assert_eq!(a.handle(Action::RerunAll), Effect::Run(None));
        assert_eq!(a.screen, Screen::Checklist);
        finish_all(&mut a, true);
        // Export refuses an empty file name, and Esc returns where it came from.
        a.handle(Action::Export);
        a.export.path = Input::new("   ".into());
        assert_eq!(a.handle(Action::Enter), Effect::Nothing);
        assert!(a.notice.as_deref().is_some_and(|n| n.contains("file name")));
        a.handle(Action::Back);
        assert_eq!(a.screen, Screen::Checklist);
        // The detail screen reaches the summary, export and copy too.
        a.handle(Action::Enter);
        assert_eq!(a.handle(Action::Copy), Effect::Copy);
        a.handle(Action::Summary);
        assert_eq!(a.screen, Screen::Summary);
        a.handle(Action::Back);
        a.handle(Action::Enter);
        a.handle(Action::Export);
        assert_eq!(
            (a.screen, a.export.return_to),
            (Screen::Export, Screen::Detail)
        );
        a.handle(Action::Back);
        assert_eq!(a.screen, Screen::Detail);
    }

    #[test]
    fn guided_mode_explains_then_reveals_each_step_then_summarises() {
        let mut a = app();
        a.handle(Action::Guided);
        a.handle(Action::Right);
        assert_eq!(
            a.guided,
            Some(Guided {
                index: 0,
                revealed: true
            })
        );
        a.handle(Action::Enter);
        assert_eq!(
            (a.guided, a.selected),
            (
                Some(Guided {
                    index: 1,
                    revealed: false
                }),
                1
            )
        );
        a.handle(Action::Left);
        assert_eq!(
            a.guided,
            Some(Guided {
                index: 0,
                revealed: false
            })
        );
        // Two presses a step (explain, then reveal): 17 from step 1 to step 9 revealed.
        for _ in 0..17 {
            a.handle(Action::Right);
        }
        assert_eq!(
            a.guided,
            Some(Guided {
                index: 8,
                revealed: true
            })
        );
        a.handle(Action::Right);
        assert_eq!((a.guided, a.screen), (None, Screen::Summary));
        let mut b = app();
        b.handle(Action::Enter);
        b.handle(Action::Guided);
        assert!(b.guided.is_some());
        b.handle(Action::Back);
        assert!(b.guided.is_none(), "q leaves guided mode first");
        assert!(!b.quit);
    }
}
