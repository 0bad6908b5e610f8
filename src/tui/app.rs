//! The wizard's state: the screens, overlays, guided mode and the live state of each step
//! (`update` answers keys, `events` the run; `state` holds the types).
//!
//! Pure: it takes actions, keys and runner events and returns the side effect the event loop
//! must carry out (start a run, write a file, copy, quit). It computes no verdict of its own;
//! results and verdicts come from the runner's events and `Report`.

use super::state::{
    Ending, ExportForm, ExportFormat, Focus, Guided, Overlay, Screen, SignIn, Step, StepState,
};
use super::theme::Theme;
use crate::checks::CATALOGUE;
use crate::model::{Report, SourceInfo, Status};
use crate::redact::Redactor;
use crate::report::sanitise;
use std::time::Instant;
use tui_input::Input;

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
    /// The focused pane's scroll offset; `other_scroll` is the other pane's, kept for Tab.
    pub scroll: u16,
    pub other_scroll: u16,
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
    /// How it ended (meaningful once `quit`).
    pub ending: Ending,
    /// The terminal is below the smallest size: only q and Ctrl-C act.
    pub too_small: bool,
    /// The terminal follows OSC 8 links: documentation addresses are drawn as links.
    pub hyperlinks: bool,
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
            other_scroll: 0,
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
            ending: Ending::default(),
            too_small: false,
            hyperlinks: false,
        }
    }

    /// Where the pane `focus` names is scrolled to: `scroll` while it has the focus, else the
    /// offset it keeps for Tab.
    pub fn scroll_of(&self, focus: Focus) -> u16 {
        if self.focus == focus {
            self.scroll
        } else {
            self.other_scroll
        }
    }

    /// The terminal's size changed (or is first known).
    pub fn resized(&mut self, width: u16, height: u16) {
        self.too_small = width < super::state::MIN_WIDTH || height < super::state::MIN_HEIGHT;
    }

    /// The wizard's exit code, as `check`'s (0 pass, 1 fail, 3 incomplete): quitting while
    /// checks run leaves the answer incomplete (3), Ctrl-C is 130 as for any interrupted
    /// program, and quitting before any run is 0 (nothing was judged).
    pub fn exit_code(&self) -> u8 {
        match self.ending {
            Ending {
                by_ctrl_c: true, ..
            } => 130,
            Ending { mid_run: true, .. } => 3,
            Ending { .. } => self
                .report
                .as_ref()
                .map_or(0, |r| u8::try_from(r.exit_code()).unwrap_or(3)),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emulator::break_fix::BREAKAGES;
    use crate::model::{CheckId, CheckResult, SourceKind, Verdict};
    use crate::runner::Event;
    use crate::tui::keys::Action;
    use crate::tui::state::{Effect, Overlay};
    use crate::verdict;
    use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    use serde_json::Map;
    use std::path::PathBuf;

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
        a.handle(Action::Tab);
        assert_eq!(
            (a.focus, a.scroll),
            (Focus::Primary, 1),
            "Tab keeps each pane's scroll"
        );
        a.handle(Action::Back);
        assert_eq!((a.screen, a.focus), (Screen::Checklist, Focus::Primary));
    }

    #[test]
    fn below_the_smallest_size_only_the_ways_out_act() {
        let mut a = app();
        a.resized(60, 20);
        assert_eq!(a.handle_key(key(KeyCode::Enter)), Effect::Nothing);
        assert_eq!(
            a.screen,
            Screen::Welcome,
            "nothing started behind the message"
        );
        assert_eq!(a.handle_key(key(KeyCode::Char('?'))), Effect::Nothing);
        assert_eq!(a.overlay, None);
        a.resized(80, 24);
        assert_eq!(a.handle_key(key(KeyCode::Enter)), Effect::Run(None));
        a.run_started(None);
        a.resized(79, 30);
        assert_eq!(a.handle_key(key(KeyCode::Char('q'))), Effect::Quit);
        assert_eq!(a.exit_code(), 3, "quit while the run was going: incomplete");
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
