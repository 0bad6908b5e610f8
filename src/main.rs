//! Command line → mode → exit code. Everything else lives in the library (`esr_doctor::cli`).

use clap::Parser;
use esr_doctor::cli::{self, EXIT_USAGE, args::Cli};
use esr_doctor::cloud::auth::token_store;
use std::process::ExitCode;

fn main() -> ExitCode {
    let started = std::time::Instant::now();
    // While this is the only thread: the keyring a sign-in is kept in is per thread.
    token_store::prepare_process_keyring();
    let cli = Cli::parse();
    // The wizard owns the terminal: its log goes to the file only.
    let to_stderr = if cli.command.is_none() {
        0
    } else {
        cli.verbose
    };
    let log = esr_doctor::logging::init(to_stderr);
    tracing::info!(
        version = env!("CARGO_PKG_VERSION"),
        log = %log.as_ref().map_or_else(|| "none".into(), |p| p.display().to_string()),
        "esr-doctor started"
    );
    let config = match esr_doctor::config::load() {
        Ok(config) => config,
        // `config path` and `signout` still work: they are how a broken file is found and left.
        Err(error) if !cli.reads_config() => {
            cli::say(&error.to_string());
            esr_doctor::config::Config::default()
        }
        Err(error) => {
            cli::say(&error.to_string());
            return ExitCode::from(EXIT_USAGE);
        }
    };
    // JSON stays English whatever the language; the faces people read follow it.
    esr_doctor::i18n::set(
        cli.lang
            .or(config.lang)
            .unwrap_or_else(esr_doctor::i18n::Lang::system),
    );
    match cli::run(cli, &config, started) {
        Ok(code) => ExitCode::from(code),
        Err(error) => {
            cli::say(&format!("{error:#}"));
            ExitCode::from(EXIT_USAGE)
        }
    }
}
