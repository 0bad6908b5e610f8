//! `esr-doctor setup`'s screen: the event loop over keys, the admin's sign-in, check runs and
//! a tick that starts the watches' re-checks when they are due.

pub mod app;
pub mod view;

use crate::cloud::auth::SignInEvent;
use crate::emulator::Emulator;
use crate::model::{CheckId, Report};
use crate::prerequisites::watch::Backoff;
use crate::prerequisites::{PrerequisiteState, STEPS, demo};
use crate::runner::Inputs;
use crate::runner::{self, RunOptions};
use crate::tui::effects;
use crate::tui::theme::Theme;
use app::{Effect, SetupApp};
use ratatui::DefaultTerminal;
use ratatui::crossterm::event::{Event as TermEvent, KeyEventKind};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};

/// How the setup screen starts.
#[derive(Debug, Clone)]
pub struct SetupOptions {
    pub ascii: bool,
    /// The colours chosen in the config file.
    pub theme: crate::config::ThemeName,
    /// What is being set up, for the header.
    pub subject: String,
}

enum Message {
    Terminal(TermEvent),
    SignIn(SignInEvent),
    RunDone(Box<Report>),
    /// The demo's emulated admin change of this step reached the tenant.
    Landed(usize),
}

const TICK: Duration = Duration::from_millis(250);

/// `ESR_DOCTOR_EMULATOR_LOG=FILE`: where a demo writes its emulator's request log on quitting
/// (the end-to-end test reads the watch's re-checks from it).
const EMULATOR_LOG: &str = "ESR_DOCTOR_EMULATOR_LOG";

/// Runs setup until the admin quits; returns the plain summary to leave in the scrollback.
pub fn run(
    runtime: tokio::runtime::Runtime,
    inputs: Inputs,
    options: SetupOptions,
    sign_in: UnboundedReceiver<SignInEvent>,
    emulator: Option<Emulator>,
) -> Result<String, crate::tui::TuiError> {
    let backoff = if emulator.is_some() {
        Backoff::DEMO
    } else {
        Backoff::TENANT
    };
    let script_path = format!(
        "esr-doctor-setup-{}.ps1",
        chrono::Local::now().format("%Y%m%d-%H%M")
    );
    let mut app = SetupApp::new(
        options.subject,
        Theme::chosen(options.ascii, options.theme),
        backoff,
        script_path,
    );
    let mut terminal = crate::tui::take_terminal(
        "setup",
        "esr-doctor check --only license,rms,tenant_esr,network",
    )?;
    let mut inputs = inputs;
    let outcome = runtime.block_on(event_loop(
        &mut terminal,
        &mut app,
        &mut inputs,
        emulator.as_ref(),
        sign_in,
    ));
    ratatui::restore();
    runtime.shutdown_background();
    if let (Some(emulator), Some(path)) = (&emulator, std::env::var_os(EMULATOR_LOG)) {
        let log = serde_json::to_string_pretty(&emulator.log())?;
        crate::output::write_new(std::path::Path::new(&path), &log)?;
    }
    outcome?;
    Ok(summary(&app))
}

/// One line per step, for the scrollback.
fn summary(app: &SetupApp) -> String {
    use crate::i18n::{tr, tr_fill};
    let lang = app.lang;
    let mut out = format!(
        "esr-doctor setup: {}\n",
        tr_fill(
            lang,
            "{}/{} tenant steps in place",
            &[&app.done_count().to_string(), &STEPS.len().to_string()],
        )
    );
    let titles: Vec<String> = STEPS.iter().map(|s| tr(lang, s.title)).collect();
    let column = crate::i18n::widest(titles.iter().map(String::as_str));
    for (i, (row, title)) in app.rows.iter().zip(&titles).enumerate() {
        let state = match &row.state {
            PrerequisiteState::Done => tr(lang, "done"),
            PrerequisiteState::ToDo(findings) => format!(
                "{} ({})",
                tr(lang, "to do"),
                findings
                    .iter()
                    .map(|f| f.code.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            PrerequisiteState::Unknown(_) => tr(lang, "cannot tell"),
            PrerequisiteState::Checking => tr(lang, "not checked"),
        };
        out.push_str(&format!(
            "  {}. {} {state}\n",
            i + 1,
            crate::i18n::pad(title, column)
        ));
    }
    out
}

async fn event_loop(
    terminal: &mut DefaultTerminal,
    app: &mut SetupApp,
    inputs: &mut Inputs,
    emulator: Option<&Emulator>,
    sign_in: UnboundedReceiver<SignInEvent>,
) -> Result<(), crate::tui::TuiError> {
    let (tx, mut rx) = unbounded_channel::<Message>();
    crate::tui::listen(tx.clone(), sign_in, Message::Terminal, Message::SignIn);
    let first = app.start();
    apply(first, app, inputs, emulator, &tx, terminal)?;
    let mut ticker = tokio::time::interval(TICK);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    while !app.quit {
        terminal.draw(|frame| view::render(frame, app))?;
        let effect = tokio::select! {
            message = rx.recv() => on_message(message, app, inputs, emulator),
            _ = ticker.tick() => app.tick(Instant::now()),
        };
        apply(effect, app, inputs, emulator, &tx, terminal)?;
    }
    Ok(())
}

fn on_message(
    message: Option<Message>,
    app: &mut SetupApp,
    inputs: &mut Inputs,
    emulator: Option<&Emulator>,
) -> Effect {
    app.now = Instant::now();
    match message {
        None => {
            app.quit = true;
            Effect::Quit
        }
        Some(Message::Terminal(TermEvent::Key(key))) if key.kind != KeyEventKind::Release => {
            app.handle_key(key)
        }
        Some(Message::Terminal(_)) => Effect::Nothing,
        Some(Message::SignIn(event)) => {
            app.on_sign_in(event);
            Effect::Nothing
        }
        Some(Message::RunDone(report)) => {
            app.run_finished(&report);
            Effect::Nothing
        }
        Some(Message::Landed(index)) => {
            if let Some(emulator) = emulator {
                demo::apply(
                    index,
                    emulator,
                    &mut Arc::make_mut(&mut inputs.source).files,
                );
                app.status = Some(crate::i18n::tr_with(
                    app.lang,
                    "Demo: the admin's change of step {} has now reached the tenant.",
                    &(index + 1).to_string(),
                ));
            }
            Effect::Nothing
        }
    }
}

fn apply(
    effect: Effect,
    app: &mut SetupApp,
    inputs: &Inputs,
    emulator: Option<&Emulator>,
    tx: &UnboundedSender<Message>,
    terminal: &mut DefaultTerminal,
) -> Result<(), crate::tui::TuiError> {
    match effect {
        Effect::Nothing | Effect::Quit => {}
        Effect::Run(checks) => spawn_run(inputs.clone(), checks, tx.clone()),
        Effect::AdminRan(index) => {
            if emulator.is_some() {
                let tx = tx.clone();
                tokio::spawn(async move {
                    tokio::time::sleep(demo::LANDS_AFTER).await;
                    let _ = tx.send(Message::Landed(index));
                });
            }
        }
        Effect::Export(script) => {
            let path = std::path::PathBuf::from(&app.script_path);
            let shown = path.display().to_string();
            // UTF-8 with a byte-order mark: Windows PowerShell 5.1 reads a file without one
            // as ANSI, and the comments are not ASCII in every language.
            let written = crate::output::write_new_numbered(&path, &format!("\u{feff}{script}"));
            app.status = Some(match written {
                Ok(written) => crate::i18n::tr_with(
                    app.lang,
                    "Wrote {}: review it, then run it as a tenant admin.",
                    &written.display().to_string(),
                ),
                Err(crate::output::OutputError::Exists(_)) => crate::i18n::tr_with(
                    app.lang,
                    "{} already exists; nothing was overwritten (choose another name or remove it)",
                    &shown,
                ),
                Err(crate::output::OutputError::Io { source, .. }) => crate::i18n::tr_fill(
                    app.lang,
                    "Cannot write {}: {}",
                    &[&shown, &source.to_string()],
                ),
            });
        }
        Effect::Copy(script) => {
            // Each line of the script is made inert already; its line breaks must stay.
            effects::copy(&script, terminal.backend_mut())?;
            app.status = Some(crate::i18n::tr(
                app.lang,
                "Copied the script to the clipboard (OSC 52).",
            ));
        }
    }
    Ok(())
}

fn spawn_run(inputs: Inputs, checks: Vec<CheckId>, tx: UnboundedSender<Message>) {
    tokio::spawn(async move {
        let options = RunOptions {
            only: Some(checks),
            unblocked: true,
            ..RunOptions::default()
        };
        let report = runner::run(inputs, options, None).await;
        let _ = tx.send(Message::RunDone(Box::new(report)));
    });
}
