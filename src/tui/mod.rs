//! The interactive wizard: a ratatui state machine over the runner's live events.
//!
//! `app` is the state machine, `keys` the wizard's key map, `view` draws, `effects` writes files and
//! the clipboard, and this file is the event loop: it redraws only when something changed,
//! ticks a spinner at most ten times a second while checks run, and sleeps otherwise.

pub mod app;
pub mod effects;
mod events;
pub mod keys;
pub mod setup;
pub mod state;
pub mod theme;
mod update;
pub mod view;

use crate::cloud::auth::SignInEvent;
use crate::emulator::Emulator;
use crate::emulator::break_fix::BREAKAGES;
use crate::model::CheckId;
use crate::report::text;
use crate::runner::Inputs;
use crate::runner::{self, Event as RunnerEvent, RunOptions};
use app::App;
use ratatui::DefaultTerminal;
use ratatui::crossterm::event::{self, Event as TermEvent, KeyEventKind};
use state::Effect;
use std::sync::Arc;
use std::time::{Duration, Instant};
use theme::Theme;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};

/// How the wizard starts.
#[derive(Debug, Clone, Copy)]
pub struct WizardOptions {
    pub guided: bool,
    /// Presenter view: guided, identifiers hidden, high contrast, generous spacing.
    pub present: bool,
    pub ascii: bool,
    /// The colours chosen in the config file.
    pub theme: crate::config::ThemeName,
    /// When the process started, for the time-to-first-frame figure.
    pub started: Instant,
}

/// Everything the loop listens to.
enum Message {
    Terminal(TermEvent),
    Runner(RunnerEvent),
    RunDone(Box<crate::model::Report>),
    SignIn(SignInEvent),
}

const TICK: Duration = Duration::from_millis(100);

/// What the wizard leaves behind: the plain-text summary for the scrollback (if a run
/// finished) and its exit code.
#[derive(Debug)]
pub struct WizardEnd {
    pub summary: Option<String>,
    pub exit_code: u8,
}

/// Runs the wizard until the user quits; returns the summary to leave in the scrollback and
/// the exit code. `sign_in` carries the tenant sign-in's progress.
pub fn run(
    runtime: tokio::runtime::Runtime,
    inputs: Inputs,
    description: String,
    options: WizardOptions,
    sign_in: UnboundedReceiver<SignInEvent>,
    emulator: Option<Emulator>,
) -> Result<WizardEnd, TuiError> {
    let mut theme = Theme::chosen(options.ascii, options.theme);
    // The presenter view reads on a projector whatever theme is configured.
    theme.high_contrast |= options.present;
    let export_path = format!(
        "esr-doctor-report-{}.md",
        chrono::Local::now().format("%Y%m%d-%H%M")
    );
    let source = &inputs.source;
    let mut app = App::new(
        source.info.clone(),
        description,
        theme,
        export_path,
        Instant::now(),
    );
    app.hyperlinks = view::links::terminal_supports();
    if options.present {
        app.presenter = Some(crate::redact::Redactor::learning_from(&source.files));
    }
    let mut terminal = take_terminal("the wizard", "esr-doctor check")?;
    let mut checked = Checked { inputs, emulator };
    let outcome = runtime.block_on(event_loop(
        &mut terminal,
        &mut app,
        &mut checked,
        options,
        sign_in,
    ));
    ratatui::restore();
    // Quitting mid-run must not wait for a device command still running in the background.
    runtime.shutdown_background();
    outcome?;
    Ok(WizardEnd {
        summary: scrollback(&app),
        exit_code: app.exit_code(),
    })
}

/// The plain summary left in the scrollback: the last finished run's, headed by a line that
/// says so when a run was cut short.
fn scrollback(app: &App) -> Option<String> {
    let brief = app
        .report
        .as_ref()
        .map(|r| anstream::adapter::strip_str(&text::brief(r)).to_string());
    if !app.ending.mid_run {
        return brief;
    }
    let cut_short = if app.ending.by_ctrl_c {
        "Interrupted (Ctrl-C) while checks were running"
    } else {
        "Quit while checks were running"
    };
    let said = if brief.is_some() {
        "the verdict below is the last finished run's, not the interrupted one's."
    } else {
        "no run finished, so there is no verdict."
    };
    Some(format!(
        "esr-doctor: {}: {}\n{}",
        app.tr(cut_short),
        app.tr(said),
        brief.unwrap_or_default()
    ))
}

/// Takes over the terminal for a full-screen mode (`who`), or says why not and what prints to
/// stdout instead (`instead`). ratatui's try_init installs a panic hook that restores the
/// terminal before the message prints.
pub(crate) fn take_terminal(
    who: &'static str,
    instead: &'static str,
) -> Result<DefaultTerminal, TuiError> {
    use std::io::IsTerminal;
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        return Err(TuiError::NotATerminal { who, instead });
    }
    ratatui::try_init().map_err(|e| {
        let _ = ratatui::crossterm::terminal::disable_raw_mode();
        TuiError::NoTakeover {
            detail: e.to_string(),
            instead,
        }
    })
}

/// Why a full-screen mode could not run or ended early.
#[derive(Debug, thiserror::Error)]
pub enum TuiError {
    #[error("{who} needs an interactive terminal; for a report on stdout use `{instead}`")]
    NotATerminal {
        who: &'static str,
        instead: &'static str,
    },
    #[error("cannot take over the terminal ({detail}); for a report on stdout use `{instead}`")]
    NoTakeover {
        detail: String,
        instead: &'static str,
    },
    #[error(transparent)]
    Terminal(#[from] std::io::Error),
    #[error(transparent)]
    Output(#[from] crate::output::OutputError),
    #[error("cannot record the emulator's log: {0}")]
    Log(#[from] serde_json::Error),
}

/// What the wizard runs: its inputs (the run handle), and the demo's emulator (which must outlive every run,
/// and which break and fix change).
struct Checked {
    inputs: Inputs,
    emulator: Option<Emulator>,
}

async fn event_loop(
    terminal: &mut DefaultTerminal,
    app: &mut App,
    checked: &mut Checked,
    options: WizardOptions,
    sign_in: UnboundedReceiver<SignInEvent>,
) -> Result<(), TuiError> {
    let (tx, mut rx) = unbounded_channel::<Message>();
    listen(tx.clone(), sign_in, Message::Terminal, Message::SignIn);
    let figures = Figures::from_env(options.started);
    let size = terminal.size()?;
    app.resized(size.width, size.height);
    terminal.draw(|frame| view::render(frame, app))?;
    figures.first_frame();
    // Breaking and fixing needs a demo's emulator; a demo may start with some faults. Finding
    // them reads every breakage's scenario, so it waits until the welcome screen is up (no key
    // is handled before it is done).
    if checked.emulator.is_some() {
        let files = &checked.inputs.source.files;
        app.broken = Some(BREAKAGES.iter().map(|b| b.is_broken_in(files)).collect());
    }
    if options.guided || options.present {
        let effect = app.handle(keys::Action::Guided);
        apply(effect, app, checked, &tx, terminal)?;
        terminal.draw(|frame| view::render(frame, app))?;
    }
    let mut ticker = tokio::time::interval(TICK);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    while !app.quit {
        let redraw = if app.is_running() {
            tokio::select! {
                message = rx.recv() => handle(message, app, checked, &tx, terminal)?,
                _ = ticker.tick() => app.tick(Instant::now()),
            }
        } else {
            // Nothing runs: sleep until a key (or resize) arrives.
            handle(rx.recv().await, app, checked, &tx, terminal)?
        };
        if redraw && !app.quit {
            terminal.draw(|frame| view::render(frame, app))?;
        }
    }
    Ok(())
}

/// Feeds a screen's loop: terminal events, read on a thread of their own (crossterm's read
/// blocks), and the sign-in's progress, each wrapped as the loop's message.
pub(crate) fn listen<M: Send + 'static>(
    tx: UnboundedSender<M>,
    mut sign_in: UnboundedReceiver<SignInEvent>,
    terminal: fn(TermEvent) -> M,
    signed: fn(SignInEvent) -> M,
) {
    let forward = tx.clone();
    std::thread::spawn(move || {
        while let Ok(event) = event::read() {
            if forward.send(terminal(event)).is_err() {
                break;
            }
        }
    });
    tokio::spawn(async move {
        while let Some(event) = sign_in.recv().await {
            if tx.send(signed(event)).is_err() {
                break;
            }
        }
    });
}

/// Applies one message; true when the screen changed.
fn handle(
    message: Option<Message>,
    app: &mut App,
    checked: &mut Checked,
    tx: &UnboundedSender<Message>,
    terminal: &mut DefaultTerminal,
) -> Result<bool, TuiError> {
    app.now = Instant::now();
    match message {
        None => {
            app.quit = true;
            Ok(false)
        }
        Some(Message::Terminal(TermEvent::Key(key))) if key.kind != KeyEventKind::Release => {
            let effect = app.handle_key(key);
            apply(effect, app, checked, tx, terminal)?;
            Ok(true)
        }
        Some(Message::Terminal(TermEvent::Resize(width, height))) => {
            app.resized(width, height);
            Ok(true)
        }
        Some(Message::Terminal(_)) => Ok(false),
        Some(Message::Runner(event)) => {
            app.on_runner_event(event);
            Ok(true)
        }
        Some(Message::RunDone(report)) => {
            app.run_finished(*report);
            Ok(true)
        }
        Some(Message::SignIn(event)) => {
            app.on_sign_in(event);
            Ok(true)
        }
    }
}

fn apply(
    effect: Effect,
    app: &mut App,
    checked: &mut Checked,
    tx: &UnboundedSender<Message>,
    terminal: &mut DefaultTerminal,
) -> Result<(), TuiError> {
    let inputs = &mut checked.inputs;
    match effect {
        Effect::Nothing | Effect::Quit => {}
        Effect::Run(only) => {
            // A full re-run offers the sign-in again if the last one ended without a token.
            if let (None, Some(session)) = (only, &inputs.tenant) {
                session.forget_failed_sign_in();
            }
            app.run_started(only);
            spawn_run(inputs.clone(), only, tx.clone());
        }
        Effect::ToggleBreakage(index) => {
            let (Some(emulator), Some(breakage)) = (&checked.emulator, BREAKAGES.get(index)) else {
                return Ok(());
            };
            let broken = app.broken.as_ref().and_then(|b| b.get(index).copied());
            // The breakage changes the evidence the next runs read (a clone, if a run still
            // holds the old one).
            let source = Arc::make_mut(&mut inputs.source);
            if broken == Some(true) {
                breakage.apply(emulator, &mut source.files);
            } else {
                breakage.fix(emulator, &mut source.files, &source.info.name);
            }
            app.run_started(None);
            spawn_run(inputs.clone(), None, tx.clone());
        }
        Effect::WriteExport { format, path } => {
            if let Some(report) = &app.report {
                let outcome = effects::write_export(report, format, &path);
                app.export_done(outcome);
            }
        }
        Effect::Copy => {
            if let Some(report) = &app.report {
                effects::copy_summary(report, terminal.backend_mut())?;
                app.copied();
            }
        }
        Effect::CopyText(text) => effects::copy_text(&text, terminal.backend_mut())?,
        Effect::CancelSignIn => {
            if let Some(session) = &inputs.tenant {
                session.cancel_sign_in();
            }
        }
    }
    Ok(())
}

fn spawn_run(inputs: Inputs, only: Option<CheckId>, tx: UnboundedSender<Message>) {
    let (events_tx, mut events_rx): (UnboundedSender<RunnerEvent>, UnboundedReceiver<RunnerEvent>) =
        unbounded_channel();
    let forward = tx.clone();
    tokio::spawn(async move {
        while let Some(event) = events_rx.recv().await {
            if forward.send(Message::Runner(event)).is_err() {
                break;
            }
        }
    });
    tokio::spawn(async move {
        let options = RunOptions {
            only: only.map(crate::checks::rerun_of),
            ..RunOptions::default()
        };
        let report = runner::run(inputs, options, Some(events_tx)).await;
        let _ = tx.send(Message::RunDone(Box::new(report)));
    });
}

/// `ESR_DOCTOR_FIGURES=FILE` records the time to first frame for `scripts/tui-figures.sh`.
struct Figures {
    file: Option<std::path::PathBuf>,
    started: Instant,
}

impl Figures {
    fn from_env(started: Instant) -> Figures {
        Figures {
            file: std::env::var_os("ESR_DOCTOR_FIGURES").map(Into::into),
            started,
        }
    }

    fn first_frame(&self) {
        if let Some(file) = &self.file {
            let line = format!(
                "first_frame_ms={:.1}\n",
                self.started.elapsed().as_secs_f64() * 1000.0
            );
            let _ = std::fs::write(file, line);
        }
    }
}
