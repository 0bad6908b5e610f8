//! What the wizard learns while it runs: the runner's progress and report, the sign-in's
//! prompts, the clock, and the outcome of an export or a copy.

use super::app::App;
use super::state::{SignIn, StepState};
use crate::cloud::auth::SignInEvent;
use crate::model::{CheckId, Report, Status};
use crate::report::sanitise;
use crate::runner::Event;
use std::time::Instant;

impl App {
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

    /// A run ended; a re-run of some checks replaces them in the report (`runner::with_rerun`).
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
            Some(report) => crate::runner::with_rerun(report, finished),
            None => {
                self.select_first_problem();
                finished
            }
        };
        self.report = Some(merged);
    }

    /// After a full run the selection goes where the answer is: the first failing step, else
    /// the first that could not be decided, else the first warning (a clean run stays put).
    fn select_first_problem(&mut self) {
        let first = |status: Status| {
            self.steps
                .iter()
                .position(|s| s.result().is_some_and(|r| r.status == status))
        };
        if let Some(index) = first(Status::Fail)
            .or_else(|| first(Status::Error))
            .or_else(|| first(Status::Warn))
        {
            self.selected = index;
            self.scroll = 0;
            self.other_scroll = 0;
        }
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

    pub fn export_done(&mut self, outcome: Result<String, super::effects::ExportError>) {
        self.notice = Some(match outcome {
            Ok(done) => done,
            Err(error) => format!("{}: {error}", self.tr("Could not write the report")),
        });
    }

    pub fn copied(&mut self) {
        self.notice = Some(self.tr("Copied the markdown summary to the clipboard (OSC 52)."));
    }
}
