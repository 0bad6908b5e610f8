//! What the wizard is showing and doing: its screens, overlays, focus, each step's state, the
//! export form, the sign-in pane and the side effects it asks the event loop for.

use crate::checks::CheckSpec;
use crate::cloud::auth::{BrowserPrompt, SignInPrompt};
use crate::model::{CheckId, CheckResult};
use std::path::PathBuf;
use std::time::Instant;
use tui_input::Input;

/// The smallest terminal the wizard draws in (a common remote-session size).
pub const MIN_WIDTH: u16 = 80;
pub const MIN_HEIGHT: u16 = 24;

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

/// How the wizard ended, for its exit code and the summary it leaves in the scrollback.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Ending {
    /// Ctrl-C ended it (exit 130, as for any interrupted program).
    pub by_ctrl_c: bool,
    /// Checks were still running: the answer is incomplete.
    pub mid_run: bool,
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
