//! The user's own defaults: a TOML file in the platform's config directory (`esr-doctor config
//! path` prints where), so an admin need not repeat `--auth`, `--tenant` or `--client-id`.
//!
//! A flag on the command line wins over the file, the file over the built-in default. Unknown
//! keys are an error naming the file, not silently ignored.

use crate::cloud::auth::AuthMode;
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// The colours a person chose (config `theme`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ThemeName {
    /// Colours unless `NO_COLOR` says otherwise.
    #[default]
    Default,
    /// Bright, bold colours for a projector or low vision.
    HighContrast,
    /// No colours at all; the glyphs carry the meaning.
    Monochrome,
}

/// `ESR_DOCTOR_CONFIG` names another file (for tests, or a machine-wide default).
pub const PATH_VARIABLE: &str = "ESR_DOCTOR_CONFIG";

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// `device-code`, `azure-cli`, `app` or `none`.
    pub auth: Option<AuthMode>,
    pub client_id: Option<String>,
    pub tenant: Option<String>,
    /// Draw the wizard with ASCII only.
    pub ascii: Option<bool>,
    /// `en`, `de` or `nl` (the system's UI language when unset).
    pub lang: Option<crate::i18n::Lang>,
    /// `default`, `high-contrast` or `monochrome`.
    pub theme: Option<ThemeName>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read the config file {path}: {source}")]
    Unreadable {
        path: PathBuf,
        source: crate::evidence::read::ReadError,
    },
    #[error("the config file {path} is not valid: {detail}")]
    Invalid { path: PathBuf, detail: String },
}

/// Where the config file is (it need not exist).
pub fn path() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os(PATH_VARIABLE) {
        return Some(PathBuf::from(path));
    }
    directories::ProjectDirs::from("", "", "esr-doctor")
        .map(|dirs| dirs.config_dir().join("config.toml"))
}

/// The config file's settings; none when there is no file.
pub fn load() -> Result<Config, ConfigError> {
    match path() {
        Some(path) => load_from(&path),
        None => Ok(Config::default()),
    }
}

fn load_from(path: &Path) -> Result<Config, ConfigError> {
    let bytes = match crate::evidence::read::read_regular(path) {
        Ok(bytes) => bytes,
        Err(e) if e.is_not_found() => return Ok(Config::default()),
        Err(source) => {
            return Err(ConfigError::Unreadable {
                path: path.to_owned(),
                source,
            });
        }
    };
    let text = crate::evidence::text::decode(&bytes);
    toml::from_str(&text).map_err(|e| ConfigError::Invalid {
        path: path.to_owned(),
        detail: e.message().to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_of_defaults_an_absent_one_and_a_wrong_one() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let file = dir.path().join("config.toml");
        assert_eq!(load_from(&file).ok(), Some(Config::default()));
        std::fs::write(
            &file,
            "auth = \"azure-cli\"\ntenant = \"fabrikam.com\"\nascii = true\nlang = \"nl\"\ntheme = \"high-contrast\"\n",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let config = load_from(&file).unwrap_or_default();
        assert_eq!(config.auth, Some(AuthMode::AzureCli));
        assert_eq!(config.tenant.as_deref(), Some("fabrikam.com"));
        assert_eq!(config.lang, Some(crate::i18n::Lang::Nl));
        assert_eq!(config.theme, Some(ThemeName::HighContrast));
        std::fs::write(&file, "colour = \"pink\"\n").unwrap_or_else(|e| panic!("{e}"));
        let wrong = load_from(&file);
        assert!(
            matches!(&wrong, Err(ConfigError::Invalid { detail, .. }) if detail.contains("colour")),
            "{wrong:?}"
        );
    }
}
