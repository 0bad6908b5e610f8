//! What a piece of evidence is about (its fact source) and which operating system it comes from.

use serde::Deserialize;

/// One unit of gathering; the runner reports progress per source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FactSource {
    EdgeVersion,
    EdgeProfile,
    EdgePolicy,
    SyncInternals,
    EventLog,
    Dsregcmd,
    WindowsState,
    Graph,
    Esr,
    Rms,
    Network,
}

impl FactSource {
    pub const ALL: [FactSource; 11] = [
        FactSource::EdgeVersion,
        FactSource::EdgeProfile,
        FactSource::EdgePolicy,
        FactSource::SyncInternals,
        FactSource::EventLog,
        FactSource::Dsregcmd,
        FactSource::WindowsState,
        FactSource::Graph,
        FactSource::Esr,
        FactSource::Rms,
        FactSource::Network,
    ];

    /// What a person is told is being gathered.
    pub fn label(self) -> &'static str {
        match self {
            FactSource::EdgeVersion => "Edge version",
            FactSource::EdgeProfile => "Edge profile",
            FactSource::EdgePolicy => "Edge policies",
            FactSource::SyncInternals => "edge://sync-internals",
            FactSource::EventLog => "Windows event logs",
            FactSource::Dsregcmd => "dsregcmd /status",
            FactSource::WindowsState => "Windows sync settings",
            FactSource::Graph => "Microsoft Graph licences",
            FactSource::Esr => "ESR tenant setting",
            FactSource::Rms => "Azure RMS state",
            FactSource::Network => "network reach",
        }
    }
}

/// The operating system the evidence comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Platform {
    Windows,
    Linux,
    Macos,
    #[default]
    Unknown,
}

impl Platform {
    /// Reads `manifest.json`'s `os` (`windows`, `Windows 11 23H2`, `linux`, `macos`, `darwin`).
    pub fn from_os_text(os: &str) -> Platform {
        let lower = os.to_ascii_lowercase();
        if lower.contains("windows") {
            Platform::Windows
        } else if lower.contains("linux") {
            Platform::Linux
        } else if lower.contains("mac") || lower.contains("darwin") {
            Platform::Macos
        } else {
            Platform::Unknown
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Platform::Windows => "windows",
            Platform::Linux => "linux",
            Platform::Macos => "macos",
            Platform::Unknown => "unknown",
        }
    }
}
