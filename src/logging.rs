//! The log: every gathering step, cloud call (endpoint, status, client-request-id) and error,
//! to a file under the platform's state directory (or cache directory where there is none), and
//! with `-v`/`-vv` to stderr too. Tokens travel only in headers and form bodies, which are
//! never logged, and every service message is stripped of bearer material before it is.

use std::path::PathBuf;
use std::sync::Mutex;
use tracing_subscriber::Layer;
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

/// The log file is started afresh once it grows past this.
const MAX_LOG_BYTES: u64 = 1024 * 1024;

/// Where the log file lives on this platform.
pub fn log_file() -> Option<PathBuf> {
    let dirs = directories::ProjectDirs::from("", "", "esr-doctor")?;
    let dir = dirs
        .state_dir()
        .map_or_else(|| dirs.cache_dir().to_path_buf(), PathBuf::from);
    Some(dir.join("esr-doctor.log"))
}

/// Starts logging; returns the log file when one could be opened (a run goes on without).
pub fn init(verbosity: u8) -> Option<PathBuf> {
    use std::io::IsTerminal;
    let stderr_level = match verbosity {
        0 => LevelFilter::OFF,
        1 => LevelFilter::INFO,
        _ => LevelFilter::DEBUG,
    };
    let colour = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let stderr = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_ansi(colour)
        .with_target(false)
        .without_time()
        .with_filter(ours(stderr_level));
    let path = log_file();
    let file = path.as_ref().and_then(|path| open(path).ok()).map(|file| {
        tracing_subscriber::fmt::layer()
            .with_writer(Mutex::new(file))
            .with_ansi(false)
            .with_target(false)
            .with_filter(ours(LevelFilter::DEBUG))
    });
    let opened = file.is_some();
    let _ = tracing_subscriber::registry()
        .with(stderr)
        .with(file)
        .try_init();
    path.filter(|_| opened)
}

/// esr-doctor's own events at `level`; the libraries' (HTTP, TLS) only when they warn.
fn ours(level: LevelFilter) -> Targets {
    Targets::new()
        .with_target("esr_doctor", level)
        .with_default(level.min(LevelFilter::WARN))
}

fn open(path: &std::path::Path) -> std::io::Result<std::fs::File> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let too_big = std::fs::metadata(path).is_ok_and(|m| m.len() > MAX_LOG_BYTES);
    crate::output::open_log(path, too_big)
}
