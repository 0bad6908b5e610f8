//! Built-in demo tenants (`assets/scenarios/<name>/`), compiled into the binary.
//!
//! A scenario is a bundle plus `scenario.toml`: a description, the outcome it must produce (the
//! tests hold every scenario to it), a latency per fact source so the wizard shows probes
//! progressing as on a real device, and optionally `extends = "<other>"` to start from another
//! scenario's files and replace or `remove` some.

use super::LoadedSource;
use crate::evidence::EvidenceFiles;
use crate::evidence::{FactSource, Platform};
use crate::model::{SourceInfo, SourceKind};
use include_dir::{Dir, include_dir};
use serde::Deserialize;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

static SCENARIOS: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/assets/scenarios");

/// The scenario used when `--demo` names none.
pub const DEFAULT: &str = "healthy";

/// `scenario.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioSpec {
    pub description: String,
    /// The description for a German or Dutch room (the English one where missing).
    #[serde(default)]
    pub description_de: Option<String>,
    #[serde(default)]
    pub description_nl: Option<String>,
    #[serde(default)]
    pub extends: Option<String>,
    #[serde(default)]
    pub remove: Vec<String>,
    #[serde(default)]
    pub platform: Option<Platform>,
    #[serde(default)]
    pub latency_ms: HashMap<FactSource, u64>,
    pub expect: Expectation,
}

impl ScenarioSpec {
    /// The description in `lang`. Kept beside the scenario, not in the UI strings: its names
    /// (Fabrikam, "RMS pilot") are the demo tenant's identifiers, never the product's words.
    pub fn description_in(&self, lang: crate::i18n::Lang) -> &str {
        let translated = match lang {
            crate::i18n::Lang::En => None,
            crate::i18n::Lang::De => self.description_de.as_deref(),
            crate::i18n::Lang::Nl => self.description_nl.as_deref(),
        };
        translated.unwrap_or(&self.description)
    }
}

/// What a scenario must produce.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expectation {
    pub verdict: String,
    pub exit: i32,
    #[serde(default)]
    pub checks: Vec<ExpectedCheck>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpectedCheck {
    pub id: String,
    pub status: String,
    #[serde(default)]
    pub codes: Vec<String>,
    #[serde(default)]
    pub evidence: BTreeMap<String, Value>,
}

#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    #[error("unknown demo scenario {name:?}; choose one of: {}", .known.join(", "))]
    Unknown { name: String, known: Vec<String> },
    #[error("demo scenario {name:?} is broken: {detail}")]
    Broken { name: String, detail: String },
}

/// Names of all built-in scenarios, sorted.
pub fn names() -> Vec<String> {
    let mut names: Vec<String> = SCENARIOS
        .dirs()
        .filter(|d| d.get_file(d.path().join("scenario.toml")).is_some())
        .filter_map(|d| {
            d.path()
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
        })
        .collect();
    names.sort();
    names
}

/// A scenario's `scenario.toml`.
pub fn spec(name: &str) -> Result<ScenarioSpec, ScenarioError> {
    let dir = SCENARIOS
        .get_dir(name)
        .ok_or_else(|| ScenarioError::Unknown {
            name: name.to_owned(),
            known: names(),
        })?;
    let text = dir
        .get_file(dir.path().join("scenario.toml"))
        .and_then(|f| f.contents_utf8())
        .ok_or_else(|| ScenarioError::Unknown {
            name: name.to_owned(),
            known: names(),
        })?;
    toml::from_str(text).map_err(|e| ScenarioError::Broken {
        name: name.to_owned(),
        detail: e.to_string(),
    })
}

/// Loads a scenario's evidence, following `extends`.
pub fn load(name: &str) -> Result<LoadedSource, ScenarioError> {
    let spec = spec(name)?;
    let mut files = EvidenceFiles::default();
    let mut latency = HashMap::new();
    collect(name, &mut files, &mut latency, 0)?;
    let info = SourceInfo {
        kind: SourceKind::Demo,
        name: name.to_owned(),
    };
    let mut source = LoadedSource::from_files(
        info,
        files,
        spec.platform.unwrap_or(Platform::Windows),
        "not in this demo scenario",
    );
    source.latency = latency;
    Ok(source)
}

/// Gathers files and latencies along the `extends` chain; the named scenario wins.
fn collect(
    name: &str,
    files: &mut EvidenceFiles,
    latency: &mut HashMap<FactSource, Duration>,
    depth: usize,
) -> Result<(), ScenarioError> {
    let broken = |detail: String| ScenarioError::Broken {
        name: name.to_owned(),
        detail,
    };
    if depth > 4 {
        return Err(broken("`extends` goes more than four levels deep".into()));
    }
    let spec = spec(name)?;
    if let Some(base) = &spec.extends {
        collect(base, files, latency, depth + 1)?;
    }
    for (source, ms) in &spec.latency_ms {
        latency.insert(*source, Duration::from_millis(*ms));
    }
    for path in &spec.remove {
        files.remove(path);
    }
    let dir = SCENARIOS
        .get_dir(name)
        .ok_or_else(|| broken("folder vanished".into()))?;
    add_files(dir, dir.path(), files);
    Ok(())
}

fn add_files(dir: &Dir<'_>, root: &std::path::Path, files: &mut EvidenceFiles) {
    for file in dir.files() {
        let relative = file.path().strip_prefix(root).unwrap_or(file.path());
        if relative != std::path::Path::new("scenario.toml") {
            files.insert(&relative.to_string_lossy(), file.contents().to_vec());
        }
    }
    for sub in dir.dirs() {
        add_files(sub, root, files);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_scenario_loads() {
        assert!(names().contains(&DEFAULT.to_owned()));
        for name in names() {
            let loaded = load(&name).unwrap_or_else(|e| panic!("{e}"));
            assert!(!loaded.files.is_empty(), "{name}");
            assert!(loaded.files.bytes("scenario.toml").is_none());
        }
    }

    #[test]
    fn unknown_names_list_the_valid_ones() {
        let error = load("nope")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            error.contains("healthy") && error.contains("rms-not-activated"),
            "{error}"
        );
    }
}
