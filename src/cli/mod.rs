//! The command-line edge: arguments (`args`), the connection policy (`connect`) and one function
//! per command (`commands`). `main.rs` parses, sets up logging and the language, and calls
//! [`run`]; errors are `anyhow` here and nowhere below.

pub mod args;
mod commands;
mod connect;
mod man;

use anyhow::Context;
use args::{Cli, Command, ConfigAction};
use std::io::Write;

/// The tool itself could not run (DESIGN.md exit code 2).
pub const EXIT_USAGE: u8 = 2;

/// Runs the mode `cli` names with the config file's defaults under its flags; the exit code.
pub fn run(
    cli: Cli,
    config: &crate::config::Config,
    started: std::time::Instant,
) -> anyhow::Result<u8> {
    let ascii = cli.ascii || config.ascii.unwrap_or(false);
    crate::i18n::set_ascii_only(ascii);
    match cli.command {
        Some(Command::Check {
            demo,
            from,
            format,
            only,
            offline,
            redact,
            cloud,
        }) => commands::check(
            demo,
            from,
            offline,
            format,
            &only,
            redact,
            &cloud.or_config(config),
        ),
        Some(Command::Collect {
            out,
            redact,
            offline,
            cloud,
        }) => commands::collect(&out, redact, offline, &cloud.or_config(config)),
        Some(Command::Config {
            action: ConfigAction::Path,
        }) => commands::config_path(),
        Some(Command::Setup { demo, cloud }) => commands::setup(
            demo,
            ascii,
            config.theme.unwrap_or_default(),
            &cloud.or_config(config),
        ),
        Some(Command::Signout) => commands::signout(),
        Some(Command::Scenarios) => commands::scenarios(),
        Some(Command::Diff { before, after }) => commands::diff(&before, &after),
        Some(Command::Completions { shell }) => commands::completions(shell),
        Some(Command::Man) => commands::man(),
        Some(Command::Explain { code, list }) => match code {
            Some(code) if !list => commands::explain(&code),
            _ => commands::explain_list(),
        },
        None => {
            let options = crate::tui::WizardOptions {
                guided: cli.guided,
                present: cli.present,
                ascii,
                theme: config.theme.unwrap_or_default(),
                started,
            };
            let cloud = cli.cloud.or_config(config);
            commands::wizard(cli.demo, cli.from, cli.offline, &cloud, options)
        }
    }
}

/// Says `text` on stderr, after the program's name (in ASCII under `--ascii`): progress and
/// problems, never the report.
pub fn say(text: &str) {
    eprintln!("esr-doctor: {}", crate::i18n::spelled(text));
}

/// Writes `text` to stdout (colours only on a terminal that wants them; ASCII only under
/// `--ascii`). A reader that stops early (`esr-doctor scenarios | head -1`) is not an error:
/// the program ends quietly, as Unix tools do, instead of panicking as `print!` would.
pub fn write_stdout(text: &str) -> anyhow::Result<()> {
    let text = crate::i18n::spelled(text);
    let mut stdout = anstream::stdout();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other.context("cannot write to stdout"),
    }
}
