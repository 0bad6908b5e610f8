//! The man page: clap's sections for the synopsis and options, then what clap cannot know —
//! each command on this page (no per-command pages exist), the exit codes, the files and the
//! environment esr-doctor reads.

use super::args::Cli;
use clap::CommandFactory;
use roff::{Roff, bold, roman};

/// Exit codes, as DESIGN.md sets them and every mode follows them.
const EXIT_STATUS: [(&str, &str); 5] = [
    (
        "0",
        "Pass: every prerequisite of every applicable feature is in place (also quitting the wizard before any run).",
    ),
    (
        "1",
        "Fail: a prerequisite is missing; for diff, something is newly broken.",
    ),
    (
        "2",
        "esr-doctor could not run: bad arguments, an unreadable bundle or config file.",
    ),
    (
        "3",
        "Incomplete: some facts could not be read (no sign-in, a role, an unreadable file), or the wizard was quit while checks ran.",
    ),
    ("130", "The wizard was interrupted with Ctrl-C."),
];

/// Files it reads and writes, where each is on every platform (the page may be read on another
/// machine than the one it was made on).
const FILES: [(&str, &str); 3] = [
    (
        "config.toml",
        "The config file of defaults (auth, client_id, tenant, ascii, lang, theme): ~/.config/esr-doctor/ on Linux, ~/Library/Application Support/esr-doctor/ on macOS, %APPDATA%\\esr-doctor\\config\\ on Windows. esr-doctor config path prints where it is read from.",
    ),
    (
        "esr-doctor.log",
        "The log (what was gathered and called, never a token), started afresh past 1 MiB: ~/.local/state/esr-doctor/ on Linux, ~/Library/Caches/esr-doctor/ on macOS, %LOCALAPPDATA%\\esr-doctor\\cache\\ on Windows. -v names it.",
    ),
    (
        "the OS keyring",
        "Sign-ins kept between runs (refresh tokens only); esr-doctor signout removes them.",
    ),
];

const ENVIRONMENT: [(&str, &str); 6] = [
    (
        "ESR_DOCTOR_CONFIG",
        "The config file to read instead of the default one.",
    ),
    (
        "ESR_DOCTOR_ENDPOINTS",
        "A TOML file pointing Microsoft's hosts at other base URLs (as --endpoints).",
    ),
    (
        "HTTPS_PROXY, ALL_PROXY, NO_PROXY",
        "The proxy for the tenant and network checks, as curl reads them (loopback never goes through it).",
    ),
    (
        "LC_ALL, LC_MESSAGES, LANG",
        "The language when neither --lang nor the config file names one (English, German or Dutch).",
    ),
    ("NO_COLOR", "No colours in any face."),
    (
        "ESR_DOCTOR_EMULATOR_LOG",
        "Demos only: write the emulated tenant's request log to this file (for tests and trainers).",
    ),
];

/// The whole page, as roff.
pub fn page() -> std::io::Result<Vec<u8>> {
    let command = Cli::command();
    let man = clap_mangen::Man::new(command.clone());
    let mut out = Vec::new();
    man.render_title(&mut out)?;
    man.render_name_section(&mut out)?;
    man.render_synopsis_section(&mut out)?;
    man.render_description_section(&mut out)?;
    man.render_options_section(&mut out)?;
    let mut roff = Roff::new();
    roff.control("SH", ["COMMANDS"]);
    for sub in command.get_subcommands().filter(|s| !s.is_hide_set()) {
        roff.control("TP", []);
        roff.text([bold(format!("esr-doctor {}", sub.get_name()))]);
        let about = sub.get_about().map(ToString::to_string).unwrap_or_default();
        roff.text([roman(format!(
            "{about} (esr-doctor {} --help lists its options.)",
            sub.get_name()
        ))]);
    }
    for (title, rows) in [
        ("EXIT STATUS", &EXIT_STATUS[..]),
        ("FILES", &FILES[..]),
        ("ENVIRONMENT", &ENVIRONMENT[..]),
    ] {
        roff.control("SH", [title]);
        for (term, text) in rows {
            roff.control("TP", []);
            roff.text([bold(*term)]);
            roff.text([roman(*text)]);
        }
    }
    roff.to_writer(&mut out)?;
    man.render_version_section(&mut out)?;
    Ok(out)
}
