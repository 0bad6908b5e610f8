//! Files esr-doctor writes: reports, bundles, scripts and its log. They hold identifiers (and
//! a bundle holds a tenant's answers), so each is created new with owner-only permissions
//! (0600 on Unix), never through a symlink someone planted, and never over an existing file
//! without saying so.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Why an output file was not written.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error("{} already exists; nothing was overwritten (choose another name or remove it)", .0.display())]
    Exists(PathBuf),
    #[error("cannot write {}: {source}", .path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Creates `path` as a new file, owner-only. An existing file, or a symlink where the file
/// should be (even a dangling one), is refused.
pub fn create_new(path: &Path) -> Result<File, OutputError> {
    let mut options = OpenOptions::new();
    // `create_new` is O_CREAT|O_EXCL: it fails on any existing entry and never follows a
    // symlink at the final component.
    options.write(true).create_new(true);
    owner_only(&mut options);
    options.open(path).map_err(|source| match source.kind() {
        std::io::ErrorKind::AlreadyExists => OutputError::Exists(path.to_owned()),
        _ => OutputError::Io {
            path: path.to_owned(),
            source,
        },
    })
}

/// Writes `text` to the new file `path`; returns the full path to tell the user (as given
/// when it cannot be resolved).
pub fn write_new(path: &Path, text: &str) -> Result<PathBuf, OutputError> {
    let mut file = create_new(path)?;
    file.write_all(text.as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(|source| OutputError::Io {
            path: path.to_owned(),
            source,
        })?;
    Ok(std::fs::canonicalize(path).unwrap_or_else(|_| path.to_owned()))
}

/// `write_new` to `path`, or, when it exists, to the first free `<stem>-2.<ext>`, `-3`, …
/// (up to 99): a second export never overwrites the first. The path written is returned.
pub fn write_new_numbered(path: &Path, text: &str) -> Result<PathBuf, OutputError> {
    let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned());
    let extension = path.extension().map(|e| e.to_string_lossy().into_owned());
    let mut last = OutputError::Exists(path.to_owned());
    for n in 1..100 {
        let candidate = match (n, &stem) {
            (1, _) | (_, None) => path.to_owned(),
            (n, Some(stem)) => path.with_file_name(match &extension {
                Some(extension) => format!("{stem}-{n}.{extension}"),
                None => format!("{stem}-{n}"),
            }),
        };
        match write_new(&candidate, text) {
            Err(error @ OutputError::Exists(_)) => last = error,
            other => return other,
        }
    }
    Err(last)
}

/// Opens the log at `path` for appending (or anew, truncated, with `truncate`), owner-only and
/// never through a symlink.
pub fn open_log(path: &Path, truncate: bool) -> std::io::Result<File> {
    let mut options = OpenOptions::new();
    options
        .create(true)
        .write(true)
        .append(!truncate)
        .truncate(truncate);
    owner_only(&mut options);
    no_follow(&mut options);
    options.open(path)
}

#[cfg(unix)]
fn owner_only(options: &mut OpenOptions) {
    use std::os::unix::fs::OpenOptionsExt;
    options.mode(0o600);
}

#[cfg(not(unix))]
fn owner_only(_: &mut OpenOptions) {}

#[cfg(unix)]
fn no_follow(options: &mut OpenOptions) {
    use std::os::unix::fs::OpenOptionsExt;
    options.custom_flags(libc::O_NOFOLLOW);
}

/// Not guarded on Windows: the log lives in the user's own profile, and planting a symlink
/// there needs a privilege (or developer mode) that an attacker with such access already has.
#[cfg(not(unix))]
fn no_follow(_: &mut OpenOptions) {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_existing_file_is_never_overwritten() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("report.md");
        assert!(write_new(&path, "first").is_ok());
        assert!(matches!(
            write_new(&path, "second"),
            Err(OutputError::Exists(_))
        ));
        assert_eq!(
            std::fs::read_to_string(&path).ok().as_deref(),
            Some("first")
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_planted_symlink_is_not_written_through_and_files_are_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let victim = dir.path().join("victim");
        std::fs::write(&victim, "keep").unwrap_or_else(|e| panic!("{e}"));
        let planted = dir.path().join("bundle.zip");
        std::os::unix::fs::symlink(&victim, &planted).unwrap_or_else(|e| panic!("{e}"));
        assert!(write_new(&planted, "x").is_err());
        let log = dir.path().join("log");
        std::os::unix::fs::symlink(&victim, &log).unwrap_or_else(|e| panic!("{e}"));
        assert!(open_log(&log, false).is_err());
        assert_eq!(
            std::fs::read_to_string(&victim).ok().as_deref(),
            Some("keep")
        );

        let fresh = dir.path().join("fresh.md");
        assert!(write_new(&fresh, "x").is_ok());
        let mode = std::fs::metadata(&fresh).map(|m| m.permissions().mode() & 0o777);
        assert_eq!(mode.ok(), Some(0o600));
    }
}
