//! Evidence bundles: a folder or a .zip in the bundle layout of DESIGN.md.
//!
//! Every file is optional. Reading is bounded so a hostile or mistaken bundle yields a clear
//! answer, not a hang: a file over the size limits (`read.rs`) or one that is not a regular
//! file is refused and named in the report; a bundle with too many files or folders too deep (a
//! home folder, say) is refused as a whole.

use super::LoadedSource;
use crate::evidence::EvidenceFiles;
use crate::evidence::Platform;
use crate::evidence::layout;
use crate::evidence::read::{Budget, MAX_FILE_BYTES, ReadError, read_regular};
use crate::model::{SourceInfo, SourceKind};
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

const MAX_FILES: usize = 5_000;
const MAX_DEPTH: usize = 6;

#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    #[error("no such file or folder: {0}")]
    NotFound(PathBuf),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0} is neither a folder nor a .zip file")]
    NotABundle(PathBuf),
    #[error("{path} cannot be a bundle: {source}")]
    Unreadable { path: PathBuf, source: ReadError },
    #[error("{path} is not a readable zip file ({detail})")]
    BadZip { path: PathBuf, detail: String },
    #[error("{path} is too large to be an evidence bundle ({detail})")]
    TooLarge { path: PathBuf, detail: String },
    #[error(
        "{0} holds no evidence files (expected e.g. dsregcmd.txt, edge/, windows/events/, cloud/)"
    )]
    Empty(PathBuf),
}

/// Loads a bundle from a folder or a zip file.
pub fn load(path: &Path) -> Result<LoadedSource, BundleError> {
    let metadata = fs::metadata(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => BundleError::NotFound(path.to_owned()),
        _ => BundleError::Io {
            path: path.to_owned(),
            source: e,
        },
    })?;
    let files = if metadata.is_dir() {
        let mut files = EvidenceFiles::default();
        let mut count = 0;
        read_dir(
            path,
            path,
            0,
            &mut files,
            &mut count,
            &mut Budget::default(),
        )?;
        files
    } else if !metadata.is_file() {
        // A FIFO or device given as `--from` is never opened: that could block for ever.
        let source = read_regular(path)
            .err()
            .unwrap_or(ReadError::NotRegular("not a file"));
        return Err(BundleError::Unreadable {
            path: path.to_owned(),
            source,
        });
    } else if is_zip(path)? {
        read_zip(path)?
    } else {
        return Err(BundleError::NotABundle(path.to_owned()));
    };
    let mut files = files.without_common_root();
    refused_at_collection(&mut files);
    if files.is_empty() {
        return Err(BundleError::Empty(path.to_owned()));
    }
    let os = super::manifest_os(&files);
    let platform = platform_of(&files, os.as_deref());
    let info = SourceInfo {
        kind: SourceKind::Bundle,
        name: path.display().to_string(),
    };
    Ok(LoadedSource::from_files(
        info,
        files,
        platform,
        "not in bundle",
    ))
}

/// Files `collect` found on the device but refused (a FIFO, a file too large), as its
/// manifest lists them: still unusable evidence, not missing evidence.
fn refused_at_collection(files: &mut EvidenceFiles) {
    let Some(text) = files.text(layout::MANIFEST) else {
        return;
    };
    let Ok(manifest) = crate::evidence::json::parse(layout::MANIFEST, &text) else {
        return;
    };
    let Some(refused) = manifest.get("refused").and_then(|r| r.as_object()) else {
        return;
    };
    // Also when a file of that path is present: it was built without the refused part (the
    // policy files merged into `edge/policies.json`, say), so it cannot be trusted alone.
    for (path, reason) in refused {
        let reason = reason.as_str().unwrap_or("refused when it was collected");
        files.refuse(path, format!("when it was collected: {reason}"));
    }
}

/// `manifest.json`'s `os`, else guessed from what the bundle holds.
fn platform_of(files: &EvidenceFiles, os: Option<&str>) -> Platform {
    match os.map(Platform::from_os_text) {
        Some(platform) if platform != Platform::Unknown => platform,
        _ if files.bytes(layout::DSREGCMD).is_some() || files.under("windows").next().is_some() => {
            Platform::Windows
        }
        _ => Platform::Unknown,
    }
}

/// Counts files, refusing a bundle that holds more than any evidence bundle would.
fn count_file(path: &Path, count: &mut usize) -> Result<(), BundleError> {
    *count += 1;
    if *count > MAX_FILES {
        return Err(BundleError::TooLarge {
            path: path.to_owned(),
            detail: format!("more than {MAX_FILES} files"),
        });
    }
    Ok(())
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> BundleError + '_ {
    move |source| BundleError::Io {
        path: path.to_owned(),
        source,
    }
}

/// Reads a folder bundle: every regular file within the limits; anything else (a FIFO, a
/// device, a symlink to one, a file too large) is refused with its reason.
fn read_dir(
    root: &Path,
    dir: &Path,
    depth: usize,
    files: &mut EvidenceFiles,
    count: &mut usize,
    budget: &mut Budget,
) -> Result<(), BundleError> {
    if depth > MAX_DEPTH {
        return Ok(());
    }
    for entry in fs::read_dir(dir).map_err(io(dir))? {
        let entry = entry.map_err(io(dir))?;
        let path = entry.path();
        if entry.file_type().map_err(io(&path))?.is_dir() {
            read_dir(root, &path, depth + 1, files, count, budget)?;
            continue;
        }
        count_file(&path, count)?;
        let relative = path
            .strip_prefix(root)
            .unwrap_or(&path)
            .to_string_lossy()
            .into_owned();
        match budget.read(&path) {
            Ok(bytes) => files.insert(&relative, bytes),
            Err(refusal) => files.refuse(&relative, refusal),
        }
    }
    Ok(())
}

fn is_zip(path: &Path) -> Result<bool, BundleError> {
    let mut magic = [0u8; 4];
    let mut file = fs::File::open(path).map_err(io(path))?;
    let read = file.read(&mut magic).map_err(io(path))?;
    Ok(read == 4 && magic == *b"PK\x03\x04")
}

fn read_zip(path: &Path) -> Result<EvidenceFiles, BundleError> {
    let bad = |detail: String| BundleError::BadZip {
        path: path.to_owned(),
        detail,
    };
    let file = fs::File::open(path).map_err(io(path))?;
    let mut archive = zip::ZipArchive::new(file).map_err(|e| bad(e.to_string()))?;
    let mut files = EvidenceFiles::default();
    let mut budget = Budget::default();
    let mut count = 0;
    for index in 0..archive.len() {
        let mut entry = archive.by_index(index).map_err(|e| bad(e.to_string()))?;
        if entry.is_dir() {
            continue;
        }
        let Some(name) = entry.enclosed_name() else {
            continue; // absolute or `..` paths: never trusted
        };
        let name = name.to_string_lossy().into_owned();
        count_file(path, &mut count)?;
        if entry.size() > MAX_FILE_BYTES {
            files.refuse(&name, ReadError::TooLarge(entry.size()));
            continue;
        }
        // The declared size can lie; never read more than the limit.
        let mut bytes = Vec::new();
        (&mut entry)
            .take(MAX_FILE_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| bad(e.to_string()))?;
        let taken = if bytes.len() as u64 > MAX_FILE_BYTES {
            Err(ReadError::TooLarge(bytes.len() as u64))
        } else {
            budget.take(bytes.len() as u64)
        };
        match taken {
            Ok(()) => {
                bytes.shrink_to_fit();
                files.insert(&name, bytes);
            }
            Err(refusal) => files.refuse(&name, refusal),
        }
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn folder_and_zip_of_it_load_the_same_files() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        fs::create_dir_all(dir.path().join("edge")).unwrap_or_else(|e| panic!("{e}"));
        fs::write(
            dir.path().join("dsregcmd.txt"),
            b"| Device State |\nAzureAdJoined : YES\n",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        fs::write(
            dir.path().join("edge/version.txt"),
            b"Microsoft Edge 131.0.2903.86",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let folder = load(dir.path()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(folder.platform, Platform::Windows);

        let zip_path = dir.path().join("bundle.zip");
        let mut writer =
            zip::ZipWriter::new(fs::File::create(&zip_path).unwrap_or_else(|e| panic!("{e}")));
        let options = zip::write::SimpleFileOptions::default();
        for name in ["bundle/dsregcmd.txt", "bundle/edge/version.txt"] {
            writer
                .start_file(name, options)
                .unwrap_or_else(|e| panic!("{e}"));
            let local = name.trim_start_matches("bundle/");
            writer
                .write_all(folder.files.bytes(local).unwrap_or_default())
                .unwrap_or_else(|e| panic!("{e}"));
        }
        writer.finish().unwrap_or_else(|e| panic!("{e}"));
        let zipped = load(&zip_path).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            zipped.files.paths().collect::<Vec<_>>(),
            ["dsregcmd.txt", "edge/version.txt"]
        );
        assert_eq!(zipped.files, folder.files.clone().without_common_root());
    }

    #[test]
    fn clear_errors_for_bad_paths() {
        assert!(matches!(
            load(Path::new("/no/such/path")),
            Err(BundleError::NotFound(_))
        ));
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        assert!(matches!(load(dir.path()), Err(BundleError::Empty(_))));
        let text = dir.path().join("notes.txt");
        fs::write(&text, b"hello").unwrap_or_else(|e| panic!("{e}"));
        assert!(matches!(load(&text), Err(BundleError::NotABundle(_))));
        let broken = dir.path().join("broken.zip");
        fs::write(&broken, b"PK\x03\x04garbage").unwrap_or_else(|e| panic!("{e}"));
        assert!(matches!(load(&broken), Err(BundleError::BadZip { .. })));
    }

    #[test]
    fn manifest_names_the_platform() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        fs::write(
            dir.path().join("manifest.json"),
            br#"{"schema":"esr-doctor/bundle/v1","os":"linux"}"#,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            load(dir.path()).map(|s| s.platform).ok(),
            Some(Platform::Linux)
        );
    }
}
