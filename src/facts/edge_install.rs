//! Edge version text → installed Edge versions and channels.
//!
//! Accepts what each platform gives: `reg query` output of `BLBeacon` (`version`) or EdgeUpdate
//! `Clients\{GUID}` (`pv`), `Microsoft Edge 131.0.2903.86` from `--version` (with the channel
//! after the version on Linux and macOS), macOS's Info.plist (XML, `defaults read`, `plutil -p`),
//! Windows' `VersionInfo` of msedge.exe (table or list), paths with a version, or a bare version.
//! The WebView2 runtime shares EdgeUpdate with the browser and is ignored.

use regex::Regex;
use std::cmp::Ordering;
use std::fmt;
use std::sync::LazyLock;

/// A dotted Edge version; missing parts compare as zero (`98.0` = `98.0.0.0`).
#[derive(Debug, Clone, Eq)]
pub struct Version {
    pub parts: Vec<u32>,
}

impl Version {
    pub fn parse(text: &str) -> Option<Version> {
        let parts: Option<Vec<u32>> = text.trim().split('.').map(|p| p.parse().ok()).collect();
        let parts = parts?;
        (!parts.is_empty() && parts.len() <= 4).then_some(Version { parts })
    }

    pub fn major(&self) -> u32 {
        self.parts.first().copied().unwrap_or(0)
    }

    fn part(&self, index: usize) -> u32 {
        self.parts.get(index).copied().unwrap_or(0)
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        (0..4)
            .map(|i| self.part(i).cmp(&other.part(i)))
            .find(|o| o.is_ne())
            .unwrap_or(Ordering::Equal)
    }
}

impl PartialEq for Version {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other).is_eq()
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text: Vec<String> = self.parts.iter().map(u32::to_string).collect();
        f.write_str(&text.join("."))
    }
}

/// Edge release channel, told apart by registry key, EdgeUpdate GUID or product name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Channel {
    Stable,
    Beta,
    Dev,
    Canary,
    Unknown,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Stable => "stable",
            Channel::Beta => "beta",
            Channel::Dev => "dev",
            Channel::Canary => "canary",
            Channel::Unknown => "unknown",
        }
    }

    /// Dev and Canary are not supported by Microsoft for production use.
    pub fn is_supported(self) -> bool {
        !matches!(self, Channel::Dev | Channel::Canary)
    }
}

/// One installed Edge found in the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EdgeInstall {
    pub version: Version,
    pub channel: Channel,
}

/// All installs found, plus the raw text for display when nothing was recognised.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct EdgeVersions {
    pub installs: Vec<EdgeInstall>,
    pub raw: String,
}

impl EdgeVersions {
    /// The install sync would run in: Stable when present, else the newest other channel.
    pub fn primary(&self) -> Option<&EdgeInstall> {
        self.installs
            .iter()
            .filter(|i| i.channel == Channel::Stable)
            .max_by(|a, b| a.version.cmp(&b.version))
            .or_else(|| {
                self.installs
                    .iter()
                    .max_by(|a, b| a.version.cmp(&b.version))
            })
    }

    /// The text says Edge is not there (`reg query`'s error in any language, `command not
    /// found`, empty).
    pub fn says_not_installed(&self) -> bool {
        let lower = self.raw.to_ascii_lowercase();
        self.raw.trim().is_empty()
            || super::registry::is_reg_error(&self.raw)
            || lower.contains("unable to find")
            || lower.contains("not found")
            || lower.contains("no such file")
    }
}

const WEBVIEW2_GUID: &str = "f3017226-fe2a-4295-8bdf-00c3a9a7e4c5";
const CHANNEL_GUIDS: [(&str, Channel); 4] = [
    ("56eb18f8-b008-4cbd-b6d2-8c97fe7e9062", Channel::Stable),
    ("2cd8a007-e189-409d-a2c8-9af4ef3c72aa", Channel::Beta),
    ("0d50bfec-cd6a-4f9a-964c-c7416e3acb10", Channel::Dev),
    ("65c35b14-6c1d-4122-ac46-7148cc9d6497", Channel::Canary),
];

#[allow(
    clippy::expect_used,
    reason = "a constant pattern: every parser test compiles it"
)]
static VERSION_TOKEN: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b(\d{1,5}(?:\.\d{1,6}){1,3})\b").expect("static regex"));

/// Parses version text already decoded to text.
pub fn parse(text: &str) -> EdgeVersions {
    let mut installs = match plist_install(text) {
        Some(install) => vec![install],
        None => version_info_installs(text).unwrap_or_else(|| line_installs(text)),
    };
    // A table prints ProductVersion and FileVersion side by side: one install, not two.
    let mut seen = Vec::new();
    installs.retain(|i: &EdgeInstall| {
        let new = !seen.contains(i);
        seen.push(i.clone());
        new
    });
    EdgeVersions {
        installs,
        raw: text.trim().to_owned(),
    }
}

/// macOS `Info.plist` in any of the forms it is read in (the XML file, `defaults read`,
/// `plutil -p`): the version after `CFBundleShortVersionString`, the channel from the bundle
/// id (`com.microsoft.edgemac` is Stable, `.Beta`, `.Dev`, `.Canary` the others).
fn plist_install(text: &str) -> Option<EdgeInstall> {
    let after = |key: &str| text.find(key).map(|at| &text[at + key.len()..]);
    let rest = after("CFBundleShortVersionString")?;
    let window: String = rest.chars().take(120).collect();
    let version = VERSION_TOKEN
        .captures(&window)
        .and_then(|c| c.get(1))
        .and_then(|m| Version::parse(m.as_str()))?;
    // The bundle's own id is the value after CFBundleIdentifier; other keys name helpers.
    let lower = after("CFBundleIdentifier")
        .map_or(text, |rest| rest.get(..rest.len().min(120)).unwrap_or(rest))
        .to_ascii_lowercase();
    let channel = match lower.find("com.microsoft.edgemac") {
        Some(at) => match lower[at + "com.microsoft.edgemac".len()..]
            .strip_prefix('.')
            .map(|suffix| suffix.split(|c: char| !c.is_ascii_alphanumeric()).next())
        {
            Some(Some("beta")) => Channel::Beta,
            Some(Some("dev")) => Channel::Dev,
            Some(Some("canary")) => Channel::Canary,
            Some(_) => Channel::Unknown,
            None => Channel::Stable,
        },
        None => Channel::Unknown,
    };
    Some(EdgeInstall { version, channel })
}

/// `(Get-Item …\msedge.exe).VersionInfo | Format-List`: blank-line separated records whose
/// `FileName` (or product name) tells the channel and whose `ProductVersion` is the version.
fn version_info_installs(text: &str) -> Option<Vec<EdgeInstall>> {
    let is_list = text.lines().any(|l| {
        l.split_once(" : ")
            .is_some_and(|(key, _)| key.trim().eq_ignore_ascii_case("ProductVersion"))
    });
    if !is_list {
        return None;
    }
    let mut installs = Vec::new();
    for record in text.split("\n\n").filter(|r| !r.trim().is_empty()) {
        let lower = record.to_ascii_lowercase();
        if lower.contains("webview") {
            continue;
        }
        let value_of = |wanted: &str| {
            record.lines().find_map(|l| {
                let (key, value) = l.split_once(" : ")?;
                key.trim()
                    .eq_ignore_ascii_case(wanted)
                    .then(|| value.trim())
            })
        };
        let version = value_of("ProductVersion")
            .or_else(|| value_of("FileVersion"))
            .and_then(|v| v.split_whitespace().next())
            .and_then(Version::parse)
            .filter(|v| v.parts.len() >= 3);
        if let Some(version) = version {
            installs.push(EdgeInstall {
                version,
                channel: channel_from_context(&lower),
            });
        }
    }
    Some(installs)
}

/// Registry exports, `--version` lines, paths with a version and bare versions, line by line.
fn line_installs(text: &str) -> Vec<EdgeInstall> {
    let mut installs = Vec::new();
    let mut key_channel: Option<Channel> = None;
    let mut in_webview = false;
    for line in text.lines() {
        let trimmed = line.trim();
        if trimmed.to_ascii_uppercase().starts_with("HKEY_") {
            let lower = trimmed.to_ascii_lowercase();
            in_webview = lower.contains(WEBVIEW2_GUID) || lower.contains("webview");
            key_channel = Some(channel_from_context(&lower));
            continue;
        }
        // Registry values are indented; any other non-empty line ends the key's block.
        if !trimmed.is_empty() && !line.starts_with(char::is_whitespace) {
            key_channel = None;
            in_webview = false;
        }
        if in_webview {
            continue;
        }
        if let Some(channel) = key_channel {
            if let Some(version) = registry_version_value(trimmed) {
                installs.push(EdgeInstall { version, channel });
            }
            continue;
        }
        let lower = trimmed.to_ascii_lowercase();
        if lower.contains("webview") {
            continue;
        }
        for token in VERSION_TOKEN.captures_iter(trimmed) {
            let Some(found) = token.get(1) else { continue };
            if let Some(version) = Version::parse(found.as_str()).filter(|v| v.parts.len() >= 3) {
                // Linux and macOS `--version` name a channel other than Stable after the
                // version (`Microsoft Edge 133.0.3014.0 dev`).
                let channel = channel_after(&lower[found.end()..])
                    .unwrap_or_else(|| channel_from_context(&lower));
                installs.push(EdgeInstall { version, channel });
            }
        }
    }
    installs
}

/// `    version    REG_SZ    131.0.2903.86` (or `pv`) → the version.
fn registry_version_value(line: &str) -> Option<Version> {
    let mut fields = line.split_whitespace();
    let name = fields.next()?;
    let kind = fields.next()?;
    let data = fields.next()?;
    let wanted = name.eq_ignore_ascii_case("version") || name.eq_ignore_ascii_case("pv");
    (wanted && kind.eq_ignore_ascii_case("REG_SZ"))
        .then(|| Version::parse(data))
        .flatten()
}

/// The channel a `--version` line names right after its version, if any.
fn channel_after(rest: &str) -> Option<Channel> {
    match rest.split_whitespace().next()? {
        "beta" => Some(Channel::Beta),
        "dev" => Some(Channel::Dev),
        "canary" => Some(Channel::Canary),
        _ => None,
    }
}

fn channel_from_context(lower: &str) -> Channel {
    if let Some((_, channel)) = CHANNEL_GUIDS.iter().find(|(guid, _)| lower.contains(guid)) {
        return *channel;
    }
    if lower.contains("edge sxs") || lower.contains("canary") {
        Channel::Canary
    } else if lower.contains("edge beta") || lower.contains("edge-beta") {
        Channel::Beta
    } else if lower.contains("edge dev") || lower.contains("edge-dev") {
        Channel::Dev
    } else if lower.contains("edge") || lower.contains("56eb18f8") {
        Channel::Stable
    } else {
        Channel::Unknown
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::text::{decode, variants};

    fn v(text: &str) -> Version {
        Version::parse(text).unwrap_or_else(|| panic!("bad test version {text}"))
    }

    /// What `microsoft-edge-dev --version` and its siblings print on Linux (and the macOS
    /// binaries the same way): the channel after the version, none for Stable.
    #[test]
    fn a_channel_named_after_the_version_is_kept() {
        for (text, channel) in [
            ("Microsoft Edge 131.0.2903.86", Channel::Stable),
            ("Microsoft Edge 132.0.2957.26 beta", Channel::Beta),
            ("Microsoft Edge 133.0.3014.0 dev", Channel::Dev),
            ("Microsoft Edge 133.0.3020.0 canary", Channel::Canary),
        ] {
            for (name, bytes) in variants::encodings(text) {
                let installs = parse(&decode(&bytes)).installs;
                assert_eq!(installs.len(), 1, "{name}: {text}");
                assert_eq!(installs[0].channel, channel, "{name}: {text}");
            }
        }
    }

    #[test]
    fn versions_compare_numerically() {
        assert!(v("98.0.1108.43") > v("98.0.1108.9"));
        assert!(v("100.0.0.0") > v("99.9.9999.99"));
        assert_eq!(v("98.0"), v("98.0.0.0"));
        assert_eq!(Version::parse("98.x"), None);
    }

    #[test]
    fn blbeacon_reg_query_is_stable() {
        let text = "\nHKEY_CURRENT_USER\\Software\\Microsoft\\Edge\\BLBeacon\n    version    REG_SZ    131.0.2903.86\n\n";
        for (name, bytes) in variants::encodings(text) {
            let parsed = parse(&decode(&bytes));
            let primary = parsed.primary().cloned();
            assert_eq!(
                primary,
                Some(EdgeInstall {
                    version: v("131.0.2903.86"),
                    channel: Channel::Stable
                }),
                "variant {name}"
            );
        }
    }

    #[test]
    fn edgeupdate_clients_skip_webview2_and_name_channels() {
        let text = "\
HKEY_LOCAL_MACHINE\\SOFTWARE\\WOW6432Node\\Microsoft\\EdgeUpdate\\Clients\\{F3017226-FE2A-4295-8BDF-00C3A9A7E4C5}
    pv    REG_SZ    140.0.1.1

HKEY_LOCAL_MACHINE\\SOFTWARE\\WOW6432Node\\Microsoft\\EdgeUpdate\\Clients\\{2CD8A007-E189-409D-A2C8-9AF4EF3C72AA}
    pv    REG_SZ    132.0.2957.26
    name    REG_SZ    Microsoft Edge Beta
";
        let parsed = parse(text);
        assert_eq!(parsed.installs.len(), 1);
        assert_eq!(parsed.installs[0].channel, Channel::Beta);
        assert_eq!(parsed.installs[0].version, v("132.0.2957.26"));
    }

    #[test]
    fn version_command_output_bare_values_and_plist() {
        let cases = [
            (
                "Microsoft Edge 131.0.2903.86 \n",
                Channel::Stable,
                "131.0.2903.86",
            ),
            (
                "Microsoft Edge Beta 132.0.2957.26",
                Channel::Beta,
                "132.0.2957.26",
            ),
            ("76.0.182.22", Channel::Unknown, "76.0.182.22"),
            (
                "<key>CFBundleShortVersionString</key>\n<string>130.0.2849.80</string>",
                Channel::Unknown,
                "130.0.2849.80",
            ),
        ];
        for (text, channel, version) in cases {
            let parsed = parse(text);
            let primary = parsed.primary();
            assert_eq!(primary.map(|i| i.channel), Some(channel), "{text}");
            assert_eq!(
                primary.map(|i| i.version.to_string()).as_deref(),
                Some(version)
            );
        }
    }

    #[test]
    fn text_after_a_registry_block_is_read_too() {
        let text = "HKEY_CURRENT_USER\\Software\\Microsoft\\Edge\\BLBeacon\n    version    REG_SZ    131.0.2903.86\n\nC:\\Program Files (x86)\\Microsoft\\Edge Beta\\Application\\msedge.exe: 132.0.2957.26\n";
        let channels: Vec<Channel> = parse(text).installs.iter().map(|i| i.channel).collect();
        assert_eq!(channels, [Channel::Stable, Channel::Beta]);
    }

    #[test]
    fn stable_wins_over_a_newer_beta() {
        let parsed = parse("Microsoft Edge Beta 132.0.1.1\nMicrosoft Edge 131.0.2903.86");
        assert_eq!(parsed.primary().map(|i| i.channel), Some(Channel::Stable));
    }

    #[test]
    fn error_text_and_garbage_give_no_version() {
        let missing =
            parse("ERROR: The system was unable to find the specified registry key or value.");
        assert!(missing.installs.is_empty());
        assert!(missing.says_not_installed());
        let garbage = parse("\u{fffd}\u{fffd} zz 12 .. 1.");
        assert!(garbage.installs.is_empty());
        assert!(!garbage.says_not_installed());
        assert!(
            parse(variants::truncated("Microsoft Edge 131.0.29", 100))
                .primary()
                .is_some()
        );
    }

    /// Info.plist as the file, as `defaults read` and as `plutil -p` print it: the bundle id
    /// names the channel (com.microsoft.edgemac, .Beta, .Dev, .Canary, as every browser
    /// launcher lists them); the other version-like values (LSMinimumSystemVersion,
    /// CFBundleVersion) are not Edge's version.
    #[test]
    fn macos_info_plist_in_each_form_names_version_and_channel() {
        let xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<plist version=\"1.0\">\n<dict>\n\t<key>CFBundleIdentifier</key>\n\t<string>com.microsoft.edgemac.Dev</string>\n\t<key>CFBundleName</key>\n\t<string>Microsoft Edge Dev</string>\n\t<key>CFBundleShortVersionString</key>\n\t<string>133.0.3014.0</string>\n\t<key>CFBundleVersion</key>\n\t<string>3014.0</string>\n\t<key>LSMinimumSystemVersion</key>\n\t<string>10.15.0</string>\n</dict>\n</plist>\n";
        let defaults = "{\n    CFBundleIdentifier = \"com.microsoft.edgemac.Beta\";\n    CFBundleShortVersionString = \"132.0.2957.26\";\n    LSMinimumSystemVersion = \"10.15.0\";\n}\n";
        let plutil = "{\n  \"CFBundleIdentifier\" => \"com.microsoft.edgemac\"\n  \"CFBundleShortVersionString\" => \"131.0.2903.86\"\n  \"LSMinimumSystemVersion\" => \"10.15.0\"\n}\n";
        // Cut before its version, a plist names none (never a stray `10.15.0`).
        assert_eq!(parse(variants::truncated(xml, 40)).installs, []);
        for (text, channel, version) in [
            (xml, Channel::Dev, "133.0.3014.0"),
            (defaults, Channel::Beta, "132.0.2957.26"),
            (plutil, Channel::Stable, "131.0.2903.86"),
        ] {
            for (name, bytes) in variants::encodings(text) {
                let installs = parse(&decode(&bytes)).installs;
                assert_eq!(
                    installs,
                    [EdgeInstall {
                        version: v(version),
                        channel
                    }],
                    "{name}: {text}"
                );
            }
        }
    }

    /// `(Get-Item …\\msedge.exe).VersionInfo` as a list and as its default table: the path
    /// names the channel, and ProductVersion beside FileVersion is one install.
    #[test]
    fn windows_file_version_info_names_the_channel_by_its_path() {
        let list = "\nOriginalFilename : msedge.exe\nFileDescription  : Microsoft Edge\nProductName      : Microsoft Edge\nFileVersion      : 133.0.3065.39\nFileName         : C:\\Program Files (x86)\\Microsoft\\Edge Beta\\Application\\msedge.exe\nProductVersion   : 133.0.3065.39\n\nOriginalFilename : msedge.exe\nFileVersion      : 131.0.2903.86\nFileName         : C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe\nProductVersion   : 131.0.2903.86\n";
        let table = "\nProductVersion   FileVersion      FileName\n--------------   -----------      --------\n133.0.3065.39    133.0.3065.39    C:\\Users\\ann\\AppData\\Local\\Microsoft\\Edge SxS\\Application\\msedge.exe\n";
        let channels = |text: &str| -> Vec<(Channel, String)> {
            parse(text)
                .installs
                .iter()
                .map(|i| (i.channel, i.version.to_string()))
                .collect()
        };
        assert_eq!(
            channels(list),
            [
                (Channel::Beta, "133.0.3065.39".to_owned()),
                (Channel::Stable, "131.0.2903.86".to_owned())
            ]
        );
        assert_eq!(
            channels(table),
            [(Channel::Canary, "133.0.3065.39".to_owned())]
        );
        assert_eq!(
            parse(list).primary().map(|i| i.channel),
            Some(Channel::Stable)
        );
    }
}
