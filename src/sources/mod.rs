//! Where raw evidence comes from: an evidence bundle (folder or zip) or a built-in demo
//! scenario. Both produce the same `EvidenceFiles`, in the bundle layout of DESIGN.md, so the
//! same parsers and checks decide either.

pub mod bundle;
pub mod device;
pub mod scenario;

use crate::evidence::{EvidenceFiles, FactSource, Platform, layout};
use crate::model::{ProblemSource, SourceInfo};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

/// Evidence ready for gathering, with how the source behaves.
#[derive(Debug, Clone)]
pub struct LoadedSource {
    pub info: SourceInfo,
    pub files: EvidenceFiles,
    pub platform: Platform,
    /// The operating system as the evidence describes it (`manifest.json`'s `os`).
    pub os: Option<String>,
    /// Reason given for facts this source does not hold (`not in bundle`, ...).
    pub missing_reason: &'static str,
    /// How long each fact source takes to arrive (demo scenarios imitate a real device).
    pub latency: HashMap<FactSource, Duration>,
    /// Set when the facts are gathered live from this device rather than read from `files`.
    pub device: Option<Arc<device::DeviceContext>>,
}

impl LoadedSource {
    /// Evidence already in hand (a bundle, a scenario, a test).
    pub fn from_files(
        info: SourceInfo,
        files: EvidenceFiles,
        platform: Platform,
        missing_reason: &'static str,
    ) -> LoadedSource {
        LoadedSource {
            info,
            os: manifest_os(&files),
            files,
            platform,
            missing_reason,
            latency: HashMap::new(),
            device: None,
        }
    }

    /// This device, gathered live as each fact source is needed.
    pub fn device(ctx: device::DeviceContext) -> LoadedSource {
        let name = device::host_names().into_iter().next().unwrap_or_default();
        LoadedSource {
            info: SourceInfo {
                kind: crate::model::SourceKind::Device,
                name,
            },
            files: EvidenceFiles::default(),
            platform: ctx.platform,
            os: Some(std::env::consts::OS.to_owned()),
            missing_reason: "not gathered on this device",
            latency: HashMap::new(),
            device: Some(Arc::new(ctx)),
        }
    }
}

/// The bundle layout this version reads (`manifest.json`'s `schema`).
pub const BUNDLE_SCHEMA: &str = "esr-doctor/bundle/v1";

/// What is wrong with the evidence as a whole, beyond any one fact source: a manifest that
/// cannot be read or is of another layout, the errors `collect` met on the device, and files
/// refused that belong to no fact source.
pub fn evidence_problems(files: &EvidenceFiles) -> Vec<crate::model::Problem> {
    let problem = |message: String| crate::model::Problem {
        source: ProblemSource::File(layout::MANIFEST.to_owned()),
        message,
    };
    let mut problems = Vec::new();
    if let Some(text) = files.text(layout::MANIFEST) {
        match crate::evidence::json::parse(layout::MANIFEST, &text) {
            Err(e) => problems.push(problem(e.to_string())),
            Ok(manifest) => {
                match manifest.get("schema").and_then(serde_json::Value::as_str) {
                    Some(BUNDLE_SCHEMA) => {}
                    Some(other) => problems.push(problem(format!(
                        "`manifest.json` declares the layout {other:?}; this esr-doctor reads {BUNDLE_SCHEMA}, so files may be missed or misread"
                    ))),
                    None => problems.push(problem(format!(
                        "`manifest.json` names no layout (`schema`); this esr-doctor reads {BUNDLE_SCHEMA}"
                    ))),
                }
                let errors = manifest.get("errors").and_then(serde_json::Value::as_array);
                for error in errors.into_iter().flatten().filter_map(|e| e.as_str()) {
                    problems.push(problem(format!("when it was collected: {error}")));
                }
            }
        }
    }
    for (path, reason) in files.refused() {
        if crate::evidence::layout::source_of(path).is_none() {
            problems.push(crate::model::Problem {
                source: ProblemSource::File(path.to_owned()),
                message: format!("`{path}` was not read: {reason}"),
            });
        }
    }
    problems
}

/// `manifest.json`'s `collected_at`, when the evidence has a readable one.
pub fn manifest_collected_at(files: &EvidenceFiles) -> Option<chrono::DateTime<chrono::Utc>> {
    let text = files.text(layout::MANIFEST)?;
    let manifest: serde_json::Value = serde_json::from_str(&text).ok()?;
    let at = manifest.get("collected_at")?.as_str()?;
    chrono::DateTime::parse_from_rfc3339(at)
        .ok()
        .map(|t| t.with_timezone(&chrono::Utc))
}

/// `manifest.json`'s `os` text, when the evidence has a readable manifest.
pub fn manifest_os(files: &EvidenceFiles) -> Option<String> {
    let manifest =
        crate::evidence::json::parse(layout::MANIFEST, &files.text(layout::MANIFEST)?).ok()?;
    manifest.get("os")?.as_str().map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_normalised_and_a_common_root_is_dropped() {
        let mut files = EvidenceFiles::default();
        files.insert("bundle\\dsregcmd.txt", b"x".to_vec());
        files.insert("./bundle/edge/Local State", b"y".to_vec());
        let files = files.without_common_root();
        assert_eq!(files.bytes("dsregcmd.txt"), Some(&b"x"[..]));
        assert_eq!(
            files.under("edge").collect::<Vec<_>>(),
            ["edge/Local State"]
        );
    }

    #[test]
    fn a_layout_folder_is_not_mistaken_for_a_root() {
        let mut files = EvidenceFiles::default();
        files.insert("edge/version.txt", b"1".to_vec());
        let files = files.without_common_root();
        assert!(files.bytes("edge/version.txt").is_some());
    }
}
