//! Reading evidence files within limits, the same way for a bundle and for this device.
//!
//! Evidence is untrusted: a `Preferences` that is a FIFO, a symlink to `/dev/zero` or a 60 GB
//! file must neither block nor exhaust memory. Only regular files are read, they are opened so
//! that opening cannot block, and never more than the per-file cap is read. What is refused is
//! kept with its reason, so the report names the file instead of calling it missing.

use std::fs::{self, File, OpenOptions};
use std::io::Read;
use std::path::Path;

/// Largest evidence file read. Real ones are far smaller: a `Preferences` is rarely above
/// 2 MiB, a wevtutil export of the relevant channels a few MiB.
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;
/// Most evidence bytes one source (a bundle, or one gathering on this device) may hold.
pub const MAX_TOTAL_BYTES: u64 = 64 * 1024 * 1024;

/// Why a file was not read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("not a regular file (it is {0}); only regular files are read")]
    NotRegular(&'static str),
    #[error("{} MiB, more than the {} MiB an evidence file may have", .0 >> 20, MAX_FILE_BYTES >> 20)]
    TooLarge(u64),
    #[error("the evidence already holds {} MiB, the most one run reads", MAX_TOTAL_BYTES >> 20)]
    OverTotal,
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

impl ReadError {
    /// True when the file is simply not there (not worth a word in the report).
    pub fn is_not_found(&self) -> bool {
        matches!(self, ReadError::Io(e) if e.kind() == std::io::ErrorKind::NotFound)
    }
}

/// Bytes read so far by one source, against `MAX_TOTAL_BYTES`.
#[derive(Debug, Default)]
pub struct Budget {
    bytes: u64,
}

impl Budget {
    /// Reads one regular file within the per-file cap and what is left of the total.
    pub fn read(&mut self, path: &Path) -> Result<Vec<u8>, ReadError> {
        let bytes = read_regular(path)?;
        self.take(bytes.len() as u64)?;
        Ok(bytes)
    }

    /// Counts `size` bytes against the total; refused once it would pass the total.
    pub fn take(&mut self, size: u64) -> Result<(), ReadError> {
        if self.bytes + size > MAX_TOTAL_BYTES {
            return Err(ReadError::OverTotal);
        }
        self.bytes += size;
        Ok(())
    }
}

/// Reads a regular file of at most `MAX_FILE_BYTES`; anything else is refused without
/// blocking (a FIFO with no writer, a device, a folder).
pub fn read_regular(path: &Path) -> Result<Vec<u8>, ReadError> {
    // Checked before opening, so a device or FIFO is never even opened...
    check_kind(&fs::metadata(path)?)?;
    let file = open_nonblocking(path)?;
    // ...and again on what was opened, in case the path was swapped in between.
    let metadata = file.metadata()?;
    check_kind(&metadata)?;
    if metadata.len() > MAX_FILE_BYTES {
        return Err(ReadError::TooLarge(metadata.len()));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(metadata.len()).unwrap_or(0));
    // A file that grows while it is read is still cut at the cap.
    file.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(ReadError::TooLarge(bytes.len() as u64));
    }
    Ok(bytes)
}

fn check_kind(metadata: &fs::Metadata) -> Result<(), ReadError> {
    if metadata.is_file() {
        return Ok(());
    }
    Err(ReadError::NotRegular(describe(metadata.file_type())))
}

fn describe(kind: fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return "a FIFO";
        }
        if kind.is_char_device() || kind.is_block_device() {
            return "a device";
        }
        if kind.is_socket() {
            return "a socket";
        }
    }
    if kind.is_dir() {
        "a folder"
    } else {
        "not a file"
    }
}

#[cfg(unix)]
fn open_nonblocking(path: &Path) -> std::io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
}

#[cfg(not(unix))]
fn open_nonblocking(path: &Path) -> std::io::Result<File> {
    OpenOptions::new().read(true).open(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regular_files_are_read_and_caps_hold() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let small = dir.path().join("small");
        fs::write(&small, b"evidence").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(read_regular(&small).ok(), Some(b"evidence".to_vec()));

        let large = dir.path().join("large");
        let file = File::create(&large).unwrap_or_else(|e| panic!("{e}"));
        file.set_len(MAX_FILE_BYTES + 1)
            .unwrap_or_else(|e| panic!("{e}"));
        let refused = read_regular(&large);
        assert!(
            matches!(refused, Err(ReadError::TooLarge(n)) if n == MAX_FILE_BYTES + 1),
            "{refused:?}"
        );
        assert!(matches!(
            read_regular(dir.path()),
            Err(ReadError::NotRegular("a folder"))
        ));
        assert!(read_regular(&dir.path().join("absent")).is_err_and(|e| e.is_not_found()));

        let mut budget = Budget::default();
        assert!(budget.take(MAX_TOTAL_BYTES).is_ok());
        assert!(matches!(budget.read(&small), Err(ReadError::OverTotal)));
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_and_a_device_are_refused_without_blocking() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let fifo = dir.path().join("Preferences");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        assert!(made.is_ok_and(|s| s.success()), "mkfifo failed");
        assert!(matches!(
            read_regular(&fifo),
            Err(ReadError::NotRegular("a FIFO"))
        ));
        let zero = dir.path().join("zero");
        std::os::unix::fs::symlink("/dev/zero", &zero).unwrap_or_else(|e| panic!("{e}"));
        assert!(matches!(
            read_regular(&zero),
            Err(ReadError::NotRegular("a device"))
        ));
    }
}
