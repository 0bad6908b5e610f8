//! Evidence bundles: a folder or a .zip in the bundle layout of DESIGN.md.
//!
//! Every file is optional. Reading is bounded (file size, total size, file count, depth) so a
//! hostile or mistaken bundle (a zip bomb, a home folder) yields a clear error, not a hang.

use super::{EvidenceFiles, LoadedSource};
use crate::facts::Platform;
use crate::model::{SourceInfo, SourceKind};
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;
const MAX_TOTAL_BYTES: u64 = 512 * 1024 * 1024;
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
        let mut budget = Budget::default();
        read_dir(path, path, 0, &mut files, &mut budget)?;
        files
    } else if is_zip(path)? {
        read_zip(path)?
    } else {
        return Err(BundleError::NotABundle(path.to_owned()));
    };
    let files = files.without_common_root();
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

/// `manifest.json`'s `os`, else guessed from what the bundle holds.
fn platform_of(files: &EvidenceFiles, os: Option<&str>) -> Platform {
    match os.map(Platform::from_os_text) {
        Some(platform) if platform != Platform::Unknown => platform,
        _ if files.bytes("dsregcmd.txt").is_some() || files.under("windows").next().is_some() => {
            Platform::Windows
        }
        _ => Platform::Unknown,
    }
}

#[derive(Default)]
struct Budget {
    files: usize,
    bytes: u64,
}

impl Budget {
    fn take(&mut self, path: &Path, size: u64) -> Result<(), BundleError> {
        self.files += 1;
        self.bytes += size;
        let too_large = |detail: String| {
            Err(BundleError::TooLarge {
                path: path.to_owned(),
                detail,
            })
        };
        if size > MAX_FILE_BYTES {
            return too_large(format!(
                "one file is {} MiB; the limit is {} MiB",
                size >> 20,
                MAX_FILE_BYTES >> 20
            ));
        }
        if self.files > MAX_FILES {
            return too_large(format!("more than {MAX_FILES} files"));
        }
        if self.bytes > MAX_TOTAL_BYTES {
            return too_large(format!("more than {} MiB in all", MAX_TOTAL_BYTES >> 20));
        }
        Ok(())
    }
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> BundleError + '_ {
    move |source| BundleError::Io {
        path: path.to_owned(),
        source,
    }
}

fn read_dir(
    root: &Path,
    dir: &Path,
    depth: usize,
    files: &mut EvidenceFiles,
    budget: &mut Budget,
) -> Result<(), BundleError> {
    if depth > MAX_DEPTH {
        return Ok(());
    }
    for entry in fs::read_dir(dir).map_err(io(dir))? {
        let entry = entry.map_err(io(dir))?;
        let path = entry.path();
        let kind = entry.file_type().map_err(io(&path))?;
        if kind.is_dir() {
            read_dir(root, &path, depth + 1, files, budget)?;
        } else if kind.is_file() {
            let size = entry.metadata().map_err(io(&path))?.len();
            budget.take(&path, size)?;
            let relative = path
                .strip_prefix(root)
                .unwrap_or(&path)
                .to_string_lossy()
                .into_owned();
            files.insert(&relative, fs::read(&path).map_err(io(&path))?);
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
    for index in 0..archive.len() {
        let mut entry = archive.by_index(index).map_err(|e| bad(e.to_string()))?;
        if entry.is_dir() {
            continue;
        }
        let Some(name) = entry.enclosed_name() else {
            continue; // absolute or `..` paths: never trusted
        };
        budget.take(path, entry.size())?;
        let mut bytes = Vec::new();
        // The declared size can lie; never read more than the limit.
        (&mut entry)
            .take(MAX_FILE_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| bad(e.to_string()))?;
        if bytes.len() as u64 > MAX_FILE_BYTES {
            return Err(BundleError::TooLarge {
                path: path.to_owned(),
                detail: format!(
                    "{} inflates past {} MiB",
                    name.display(),
                    MAX_FILE_BYTES >> 20
                ),
            });
        }
        files.insert(&name.to_string_lossy(), bytes);
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
