//! This device as a source: raw evidence gathered live, in the bundle layout, one fact source
//! at a time (so the runner gathers them concurrently and the wizard shows each arrive).
//!
//! Every root (home, config folders, policy folders) and every command comes from one
//! `DeviceContext`, so tests run the real gatherers against a temporary tree with fake
//! commands on `PATH`. What each platform captures is in `linux.rs`, `macos.rs` and
//! `windows.rs`; the parsing of what they capture is the platform-neutral code in `facts/`.

mod command;
mod linux;
mod macos;
mod windows;

use crate::evidence::EvidenceFiles;
use crate::evidence::layout;
use crate::evidence::read::Budget;
use crate::evidence::{FactSource, Platform};
use crate::i18n::fill;
use crate::reasons;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub use command::{CommandError, Output, run};
pub use windows::{joined_cloud, winhttp_proxy, wininet_proxy};

/// Where this device keeps what esr-doctor reads, and how commands are found.
#[derive(Debug, Clone)]
pub struct DeviceContext {
    pub platform: Platform,
    pub home: PathBuf,
    /// Linux `$XDG_CONFIG_HOME` (`~/.config`); Windows `%LOCALAPPDATA%`; macOS
    /// `~/Library/Application Support`.
    pub app_data: PathBuf,
    /// Linux `/etc/opt/edge/policies`; macOS `/Library/Managed Preferences`.
    pub policy_root: PathBuf,
    /// Linux `/opt/microsoft`; macOS `/Applications`; Windows `%ProgramFiles(x86)%`.
    pub install_root: PathBuf,
    /// The `PATH` commands are looked up in.
    pub path: Option<OsString>,
    /// Longest one command may run.
    pub command_timeout: Duration,
    /// `--offline`: make no network connection at all.
    pub offline: bool,
}

impl DeviceContext {
    /// The context of the machine and user esr-doctor runs as.
    pub fn this_device() -> DeviceContext {
        let home = std::env::var_os(if cfg!(windows) { "USERPROFILE" } else { "HOME" })
            .map(PathBuf::from)
            .unwrap_or_default();
        let platform = if cfg!(windows) {
            Platform::Windows
        } else if cfg!(target_os = "macos") {
            Platform::Macos
        } else {
            Platform::Linux
        };
        // Intune runs scripts as SYSTEM: then the user to diagnose is the one who used Edge
        // last, not SYSTEM's own (empty) profile.
        let home = match platform {
            Platform::Windows if running_as_system() => {
                let drive = std::env::var("SystemDrive").unwrap_or_else(|_| "C:".into());
                most_recent_edge_user(&PathBuf::from(format!("{drive}\\Users"))).unwrap_or(home)
            }
            _ => home,
        };
        let app_data = match platform {
            Platform::Windows if running_as_system() => home.join("AppData/Local"),
            Platform::Windows => std::env::var_os("LOCALAPPDATA")
                .map_or_else(|| home.join("AppData/Local"), PathBuf::from),
            Platform::Macos => home.join("Library/Application Support"),
            _ => std::env::var_os("XDG_CONFIG_HOME")
                .map_or_else(|| home.join(".config"), PathBuf::from),
        };
        let (policy_root, install_root) = match platform {
            Platform::Macos => (
                PathBuf::from("/Library/Managed Preferences"),
                PathBuf::from("/Applications"),
            ),
            // Policies come from the registry there; Edge installs system-wide under here.
            Platform::Windows => (
                PathBuf::new(),
                std::env::var_os("ProgramFiles(x86)")
                    .map_or_else(|| PathBuf::from(r"C:\Program Files (x86)"), PathBuf::from),
            ),
            _ => (
                PathBuf::from("/etc/opt/edge/policies"),
                PathBuf::from("/opt/microsoft"),
            ),
        };
        DeviceContext {
            platform,
            home,
            app_data,
            policy_root,
            install_root,
            path: std::env::var_os("PATH"),
            command_timeout: Duration::from_secs(20),
            offline: false,
        }
    }

    /// Finds `program` on the context's `PATH` (with `.exe`/`.cmd` on Windows).
    pub fn find_program(&self, program: &str) -> Option<PathBuf> {
        if program.contains('/') || program.contains('\\') {
            return Path::new(program).is_file().then(|| PathBuf::from(program));
        }
        let path = self.path.as_ref()?;
        let suffixes: &[&str] = if cfg!(windows) {
            &["", ".exe", ".cmd", ".bat"]
        } else {
            &[""]
        };
        std::env::split_paths(path)
            .flat_map(|dir| {
                suffixes
                    .iter()
                    .map(move |s| dir.join(format!("{program}{s}")))
            })
            .find(|candidate| candidate.is_file())
    }
}

/// True when esr-doctor runs as Windows' SYSTEM account (its profile is `systemprofile`, its
/// user name the machine's, ending in `$`).
fn running_as_system() -> bool {
    let profile = std::env::var("USERPROFILE").unwrap_or_default();
    let user = std::env::var("USERNAME").unwrap_or_default();
    profile.to_ascii_lowercase().contains("systemprofile") || user.ends_with('$')
}

/// The user folder under `users_root` whose Edge was used last (its `Local State` written
/// most recently): the signed-in user, for a run as SYSTEM.
pub fn most_recent_edge_user(users_root: &Path) -> Option<PathBuf> {
    std::fs::read_dir(users_root)
        .ok()?
        .flatten()
        .filter_map(|entry| {
            let local_state = entry
                .path()
                .join("AppData/Local/Microsoft/Edge/User Data/Local State");
            let written = local_state.metadata().and_then(|m| m.modified()).ok()?;
            Some((written, entry.path()))
        })
        .max_by_key(|(written, _)| *written)
        .map(|(_, home)| home)
}

/// Raw evidence of one fact source, and what went wrong while gathering it.
#[derive(Debug, Default)]
pub struct Gathering {
    pub files: EvidenceFiles,
    pub errors: Vec<String>,
    /// Why nothing was found, in words for the person reading the report.
    pub missing: Option<String>,
    /// The same limits a bundle is read with.
    budget: Budget,
}

impl Gathering {
    pub fn add(&mut self, path: &str, bytes: Vec<u8>) {
        self.files.insert(path, bytes);
    }

    /// Reads a file of this device within the evidence limits; `None` when it is absent. A
    /// file that exists but is refused (too large, a FIFO, a device) is recorded under `to`.
    pub fn read(&mut self, from: &Path, to: &str) -> Option<Vec<u8>> {
        match self.budget.read(from) {
            Ok(bytes) => Some(bytes),
            Err(e) if e.is_not_found() => None,
            Err(e) => {
                self.errors.push(format!("{}: {e}", from.display()));
                self.files.refuse(to, format!("{} ({e})", from.display()));
                None
            }
        }
    }

    /// Copies `from` into the bundle at `to` when it exists (see `read`).
    pub fn copy_file(&mut self, from: &Path, to: &str) {
        if let Some(bytes) = self.read(from, to) {
            self.add(to, bytes);
        }
    }

    /// Runs a command and records its output (stdout, or stderr when stdout is empty).
    pub fn capture(
        &mut self,
        ctx: &DeviceContext,
        to: &str,
        program: &str,
        args: &[&str],
    ) -> Option<Output> {
        match run(ctx, program, args) {
            Ok(output) => {
                let bytes = if output.stdout.is_empty() {
                    output.stderr.clone()
                } else {
                    output.stdout.clone()
                };
                self.add(to, bytes);
                Some(output)
            }
            Err(e) => {
                self.errors.push(e.to_string());
                None
            }
        }
    }
}

/// Gathers the raw evidence of one fact source from this device.
pub fn gather(ctx: &DeviceContext, source: FactSource) -> Gathering {
    let mut gathering = Gathering::default();
    match ctx.platform {
        Platform::Windows => windows::gather(ctx, source, &mut gathering),
        Platform::Macos => macos::gather(ctx, source, &mut gathering),
        Platform::Linux | Platform::Unknown => linux::gather(ctx, source, &mut gathering),
    }
    for error in &gathering.errors {
        tracing::warn!(source = source.label(), "gathering on this device: {error}");
    }
    if gathering.files.is_empty() {
        gathering.missing = Some(match source {
            FactSource::EdgeProfile => fill(reasons::NO_EDGE_PROFILE, &[&ctx.app_data.display().to_string()]),
            FactSource::SyncInternals => "Edge shows it only in edge://sync-internals: save its \"Dump status\" text as edge/sync-internals.json in a bundle and use --from".into(),
            FactSource::Graph | FactSource::Esr | FactSource::Rms => {
                "tenant facts need a sign-in to the tenant, and this run makes no network connection (--offline)".into()
            }
            _ => "not gathered on this device".into(),
        });
    }
    gathering
}

/// Every name this machine goes by, most telling first: `COMPUTERNAME` (Windows),
/// `HOSTNAME`, `/etc/hostname`.
pub fn host_names() -> Vec<String> {
    let mut names: Vec<String> = ["COMPUTERNAME", "HOSTNAME"]
        .into_iter()
        .filter_map(|var| std::env::var(var).ok())
        .chain(std::fs::read_to_string("/etc/hostname").ok())
        .map(|name| name.trim().to_owned())
        .filter(|name| !name.is_empty())
        .collect();
    names.dedup();
    names
}

/// Copies a Chromium user-data folder's `Local State` and each profile's `Preferences` into
/// the bundle's `edge/` folder (shared by every platform).
pub(crate) fn copy_user_data(user_data: &Path, gathering: &mut Gathering) {
    gathering.copy_file(&user_data.join("Local State"), layout::EDGE_LOCAL_STATE);
    let Ok(entries) = std::fs::read_dir(user_data) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name == "Default" || name.starts_with("Profile ") {
            gathering.copy_file(
                &entry.path().join("Preferences"),
                &format!("edge/{name}/Preferences"),
            );
        }
    }
}

/// The first user-data folder (in channel order) that holds a `Local State` (of any kind: one
/// that is not a regular file is refused when read, and so named in the report).
pub(crate) fn first_user_data(candidates: &[PathBuf]) -> Option<&PathBuf> {
    candidates
        .iter()
        .find(|dir| dir.join("Local State").symlink_metadata().is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_user_who_used_edge_last_is_the_one_read_as_system() {
        let users = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let edge = "AppData/Local/Microsoft/Edge/User Data";
        for user in ["old", "Public", "recent"] {
            let dir = users.path().join(user).join(edge);
            std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
            if user != "Public" {
                std::fs::write(dir.join("Local State"), "{}").unwrap_or_else(|e| panic!("{e}"));
            }
            std::thread::sleep(std::time::Duration::from_millis(30));
        }
        assert_eq!(
            most_recent_edge_user(users.path()),
            Some(users.path().join("recent"))
        );
        assert_eq!(most_recent_edge_user(&users.path().join("none")), None);
    }
}
