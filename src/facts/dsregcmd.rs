//! `dsregcmd /status` text → device join, WAM, PRT and SettingsUrl facts.
//!
//! Reads the modern boxed-section layout and the pre-1803 single-block layout, whatever the
//! alignment, indentation, prompt or banner around it. Truncated input yields what is there;
//! fields that never appeared stay `None` and the checks call them unknown.

use super::windows_state::WinHttpProxy;
use base64::Engine;
use serde::Deserialize;

/// One `| Title |` section and its `key : value` lines, in order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Section {
    pub title: String,
    pub entries: Vec<(String, String)>,
}

impl Section {
    /// The first value of `key` in this section (case-insensitive).
    pub fn get(&self, key: &str) -> Option<&str> {
        self.entries
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v.as_str())
    }
}

/// How the device is joined, per the dsregcmd join-type table of Microsoft's docs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JoinType {
    EntraJoined,
    HybridJoined,
    DomainJoined,
    /// `EnterpriseJoined : YES`: registered with on-premises DRS (AD FS), not with Entra ID.
    OnPremisesDrs,
    WorkplaceRegistered,
    NotJoined,
    Unknown,
}

impl JoinType {
    /// The stable `join_type` evidence value of DESIGN.md.
    pub fn as_str(self) -> &'static str {
        match self {
            JoinType::EntraJoined => "entra_joined",
            JoinType::HybridJoined => "hybrid_joined",
            JoinType::DomainJoined | JoinType::OnPremisesDrs => "domain_joined",
            JoinType::WorkplaceRegistered => "workplace_registered",
            JoinType::NotJoined => "not_joined",
            JoinType::Unknown => "unknown",
        }
    }
}

/// Everything read from one `dsregcmd /status` capture.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DsregStatus {
    pub sections: Vec<Section>,
}

/// The entry provider a `WamDefaultGUID` names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WamProvider {
    AzureAd,
    MicrosoftAccount,
    Other,
}

impl DsregStatus {
    /// First value of `key` (case-insensitive) outside the per-account `Work Account N` sections.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.sections
            .iter()
            .filter(|s| !s.title.to_ascii_lowercase().starts_with("work account"))
            .flat_map(|s| s.entries.iter())
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v.as_str())
    }

    /// The first section whose title starts with `title` (case-insensitive).
    pub fn section(&self, title: &str) -> Option<&Section> {
        self.sections.iter().find(|s| {
            s.title
                .get(..title.len())
                .is_some_and(|t| t.eq_ignore_ascii_case(title))
        })
    }

    /// `YES` → true, `NO` → false; anything else (ERROR, empty, absent) is unknown.
    pub fn flag(&self, key: &str) -> Option<bool> {
        yes_no(self.get(key)?)
    }

    /// True when at least one dsregcmd field was recognised.
    pub fn is_recognised(&self) -> bool {
        self.sections.iter().any(|s| !s.entries.is_empty())
    }

    /// Pre-1803 output: one `Device State` block holding device and tenant fields.
    pub fn is_legacy_format(&self) -> bool {
        self.sections.iter().any(|s| {
            s.title.eq_ignore_ascii_case("Device State")
                && s.entries.iter().any(|(k, _)| {
                    k.eq_ignore_ascii_case("TenantId") || k.eq_ignore_ascii_case("dmComplianceUrl")
                })
        })
    }

    pub fn join_type(&self) -> JoinType {
        let Some(aad) = self.flag("AzureAdJoined") else {
            return JoinType::Unknown;
        };
        let enterprise = self.flag("EnterpriseJoined").unwrap_or(false);
        let domain = self.flag("DomainJoined");
        match (aad, enterprise, domain) {
            (true, _, Some(true)) => JoinType::HybridJoined,
            (true, _, _) => JoinType::EntraJoined,
            (false, true, _) => JoinType::OnPremisesDrs,
            (false, false, Some(true)) => JoinType::DomainJoined,
            (false, false, domain) => {
                if self.flag("WorkplaceJoined") == Some(true) || self.work_account_count() > 0 {
                    JoinType::WorkplaceRegistered
                } else if domain.is_some() {
                    JoinType::NotJoined
                } else {
                    JoinType::Unknown
                }
            }
        }
    }

    fn work_account_count(&self) -> usize {
        self.sections
            .iter()
            .filter(|s| s.title.to_ascii_lowercase().starts_with("work account"))
            .count()
    }

    /// `MdmComplianceUrl`, or the misspelt `dmComplianceUrl` of legacy output.
    pub fn mdm_compliance_url(&self) -> Option<&str> {
        self.get("MdmComplianceUrl")
            .or_else(|| self.get("dmComplianceUrl"))
    }

    /// The raw `SettingsUrl` value; `Some("")` when the key is there but empty.
    pub fn settings_url(&self) -> Option<&str> {
        self.get("SettingsUrl")
    }

    /// The URIs inside a populated SettingsUrl (base64 of `{"Uris":[...]}`), when it decodes.
    pub fn settings_uris(&self) -> Option<Vec<String>> {
        decode_settings_url(self.settings_url()?)
    }

    pub fn wam_provider(&self) -> Option<WamProvider> {
        let guid = self.get("WamDefaultGUID")?;
        let lower = guid.to_ascii_lowercase();
        Some(if lower.contains("(azuread)") {
            WamProvider::AzureAd
        } else if lower.contains("(microsoftaccount)") {
            WamProvider::MicrosoftAccount
        } else {
            WamProvider::Other
        })
    }

    /// The machine's WinHTTP proxy as dsregcmd prints it (`WinHttp Default Proxy Config`).
    pub fn winhttp_proxy(&self) -> Option<WinHttpProxy> {
        let section = self.section("WinHttp Default Proxy Config")?;
        let listed = section.get("Proxy Server List").filter(|p| !p.is_empty());
        match (listed, section.get("Access Type")) {
            (Some(proxy), _) => Some(WinHttpProxy::Proxy(proxy.to_owned())),
            (None, Some(access)) if access.eq_ignore_ascii_case("DIRECT") => {
                Some(WinHttpProxy::Direct)
            }
            _ => None,
        }
    }

    /// The proxy or PAC script of the user dsregcmd ran as (`IE Proxy Config for Current
    /// User`), when one is set.
    pub fn user_proxy(&self) -> Option<String> {
        let section = self.section("IE Proxy Config for Current User")?;
        let set = |key: &str| section.get(key).filter(|v| !v.is_empty());
        set("Proxy Server List")
            .map(str::to_owned)
            .or_else(|| set("Auto-Configuration URL").map(|pac| format!("PAC script {pac}")))
    }

    /// The user dsregcmd ran as (`Executing Account Name`), when shown.
    pub fn executing_account(&self) -> Option<&str> {
        self.get("Executing Account Name").filter(|v| !v.is_empty())
    }
}

/// Interprets dsregcmd's `YES`/`NO` values; everything else is unknown.
pub fn yes_no(value: &str) -> Option<bool> {
    match value.trim().to_ascii_uppercase().as_str() {
        "YES" => Some(true),
        "NO" => Some(false),
        _ => None,
    }
}

/// Decodes a SettingsUrl value: base64 (padding optional) of a JSON object with `Uris`.
pub fn decode_settings_url(value: &str) -> Option<Vec<String>> {
    #[derive(Deserialize)]
    struct Settings {
        #[serde(rename = "Uris")]
        uris: Vec<String>,
    }
    let engine = base64::engine::GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        base64::engine::GeneralPurposeConfig::new()
            .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent),
    );
    let bytes = engine.decode(value.trim()).ok()?;
    serde_json::from_slice::<Settings>(&bytes)
        .ok()
        .map(|s| s.uris)
}

/// Keys read even before any section title: Microsoft's troubleshooting pages (and people
/// after them) paste the "Previous Registration" block of Diagnostic Data on its own.
const HEADLESS_KEYS: &[&str] = &[
    "Previous Registration",
    "Registration Type",
    "Error Phase",
    "Client ErrorCode",
    "Server ErrorCode",
    "Server Message",
    "Https Status",
    "Request Id",
];

/// dsregcmd wraps a long value at the console's width: the rest starts in column 0 on the
/// next line, where every key is indented.
const WRAP_WIDTH: usize = 80;

/// Parses dsregcmd output already decoded to text (see `evidence::text::decode`).
pub fn parse(text: &str) -> DsregStatus {
    let mut sections: Vec<Section> = Vec::new();
    let mut previous_was_long_entry = false;
    for raw in text.lines() {
        let line = strip_quote_markers(raw);
        let long_entry = std::mem::take(&mut previous_was_long_entry);
        if is_rule(line) {
            continue;
        }
        if let Some(title) = section_title(line) {
            sections.push(Section {
                title: title.to_owned(),
                entries: Vec::new(),
            });
            continue;
        }
        let in_column_zero = !unquoted(raw).starts_with(char::is_whitespace);
        let wraps = long_entry && in_column_zero && !line.is_empty();
        if wraps && let Some((_, value)) = sections.last_mut().and_then(|s| s.entries.last_mut()) {
            value.push_str(line);
            continue;
        }
        let Some((key, value)) = key_value(line) else {
            continue; // banner, prompt, progress line or anything else
        };
        if sections.is_empty() && HEADLESS_KEYS.iter().any(|k| k.eq_ignore_ascii_case(&key)) {
            sections.push(Section::default());
        }
        let Some(section) = sections.last_mut() else {
            continue;
        };
        previous_was_long_entry = unquoted(raw).trim_end().chars().count() >= WRAP_WIDTH;
        section.entries.push((key, value));
    }
    DsregStatus { sections }
}

/// Removes markdown/email quoting (`> `) and surrounding blanks.
fn strip_quote_markers(line: &str) -> &str {
    let mut rest = line.trim();
    while let Some(stripped) = rest.strip_prefix('>') {
        rest = stripped.trim_start();
    }
    strip_line_number(rest)
}

/// `17. DeviceId : …`: a paste copied from a site that numbers its lines (pastebin's page).
/// No dsregcmd line starts with a number and a dot.
fn strip_line_number(line: &str) -> &str {
    let digits = line.chars().take_while(char::is_ascii_digit).count();
    match line.get(digits..).and_then(|rest| rest.strip_prefix('.')) {
        Some(rest) if digits > 0 && (rest.is_empty() || rest.starts_with(' ')) => rest.trim_start(),
        _ => line,
    }
}

/// The line as the console printed it: quoting removed, its indentation kept.
fn unquoted(line: &str) -> &str {
    let mut rest = line;
    while let Some(stripped) = rest.trim_start().strip_prefix('>') {
        rest = stripped.strip_prefix(' ').unwrap_or(stripped);
    }
    rest
}

fn is_rule(line: &str) -> bool {
    line.len() >= 10 && line.starts_with('+') && line.chars().all(|c| c == '+' || c == '-')
}

fn section_title(line: &str) -> Option<&str> {
    let inner = line.strip_prefix('|')?.strip_suffix('|')?.trim();
    (!inner.is_empty()).then_some(inner)
}

fn key_value(line: &str) -> Option<(String, String)> {
    let (key, value) = line.split_once(':')?;
    let key = key.trim();
    if key.is_empty() || key.len() > 60 || is_prompt(line) {
        return None;
    }
    let key_ok = key
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, ' ' | '-' | '_' | '(' | ')' | '.'));
    if !key_ok || !key.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return None;
    }
    // Legacy output writes `KeySignTest: : MUST Run elevated to test.`
    let value = value.trim();
    let value = value.strip_prefix(':').map_or(value, str::trim);
    Some((key.to_owned(), value.to_owned()))
}

/// `PS C:\Users\x> ...` or `C:\Windows\system32>` lines around a paste.
fn is_prompt(line: &str) -> bool {
    let rest = line.strip_prefix("PS ").unwrap_or(line);
    let bytes = rest.as_bytes();
    bytes.len() >= 3 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':' && bytes[2] == b'\\'
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::text::{decode, variants};

    const AADJ: &str =
        include_str!("../../tests/fixtures/dsregcmd/aadj-empty-settingsurl-transcribed.txt");
    const LEGACY: &str = include_str!(
        "../../tests/fixtures/dsregcmd/legacy-format-hybrid-healthy-settingsurl-populated-msdocs2017.txt"
    );
    const SSO_ONLY: &str =
        include_str!("../../tests/fixtures/dsregcmd/sso-state-only-aadj-prt-cloudtgt.txt");

    #[test]
    fn transcribed_entra_joined_capture_shows_an_empty_settings_url() {
        let status = parse(AADJ);
        assert_eq!(status.join_type(), JoinType::EntraJoined);
        assert_eq!(status.settings_url(), Some(""));
        assert_eq!(status.settings_uris(), None);
        assert_eq!(status.flag("WamDefaultSet"), Some(true));
        assert_eq!(status.wam_provider(), Some(WamProvider::AzureAd));
        assert_eq!(status.flag("AzureAdPrt"), Some(true));
        assert_eq!(
            status.get("TenantId"),
            Some("26992f3d-01a1-4b80-9e61-6877d1114bad")
        );
        assert_eq!(status.get("Device Name"), Some("DESKTOP-TL1HME1"));
        assert_eq!(status.get("PreReqResult"), Some("WillProvision"));
        assert!(
            status
                .executing_account()
                .is_some_and(|a| a.contains("maxhomeuser1@"))
        );
        assert!(!status.is_legacy_format());
        assert_eq!(status.sections.len(), 9);
    }

    #[test]
    fn legacy_capture_is_hybrid_with_decodable_settings_url() {
        let status = parse(LEGACY);
        assert!(status.is_legacy_format());
        assert_eq!(status.join_type(), JoinType::HybridJoined);
        assert_eq!(
            status.get("KeySignTest"),
            Some("MUST Run elevated to test.")
        );
        assert_eq!(
            status.mdm_compliance_url(),
            Some("https://portal.manage-beta.microsoft.com/?portalAction=Compliance")
        );
        assert_eq!(
            status.settings_uris(),
            Some(vec![
                "https://kailani.one.microsoft.com/".to_owned(),
                "https://kailani1.one.microsoft.com/".to_owned()
            ])
        );
        assert_eq!(status.flag("AzureAdPrt"), Some(true));
        assert_eq!(status.get("DomainName"), Some("CONTOSO"));
    }

    #[test]
    fn sso_only_paste_leaves_the_join_state_unknown() {
        let status = parse(SSO_ONLY);
        assert_eq!(status.join_type(), JoinType::Unknown);
        assert_eq!(status.flag("AzureAdPrt"), Some(true));
        assert_eq!(status.get("EnterprisePrtAuthority"), Some(""));
        assert_eq!(status.flag("CloudTgt"), Some(true));
        assert_eq!(status.settings_url(), None);
    }

    #[test]
    fn every_fixture_reads_the_same_in_every_encoding() {
        for fixture in [AADJ, LEGACY, SSO_ONLY] {
            let expected = parse(fixture);
            for (name, bytes) in variants::encodings(fixture) {
                assert_eq!(parse(&decode(&bytes)), expected, "variant {name}");
            }
        }
    }

    #[test]
    fn truncated_capture_keeps_what_was_there() {
        let status = parse(variants::truncated(AADJ, 30));
        assert_eq!(status.join_type(), JoinType::EntraJoined);
        assert_eq!(status.settings_url(), None, "SettingsUrl was cut off");
        assert_eq!(status.flag("WamDefaultSet"), None);
    }

    #[test]
    fn prompt_banner_and_quoting_around_a_paste_are_ignored() {
        let paste = format!(
            "Windows PowerShell\nCopyright (C) Microsoft Corporation.\n\nPS C:\\Users\\ann> dsregcmd /status\n{}\nPS C:\\Users\\ann> ",
            AADJ.lines()
                .map(|l| format!("> {l}"))
                .collect::<Vec<_>>()
                .join("\n")
        );
        let status = parse(&paste);
        assert_eq!(status.join_type(), JoinType::EntraJoined);
        assert!(
            status
                .sections
                .iter()
                .all(|s| !s.entries.iter().any(|(k, _)| k.starts_with("PS")))
        );
    }

    #[test]
    fn error_values_and_several_work_accounts_are_kept_raw() {
        let text = "\
| Device State |
 AzureAdJoined : NO
 DomainJoined : NO
| User State |
 WorkplaceJoined : YES
 WamDefaultSet : ERROR (0x80070520)
 WamDefaultGUID : {D7F9888F-E3FC-49B0-9EA6-A85B5F392A4F} (MicrosoftAccount)
| Work Account 1 |
 WorkplaceTenantId : aaaa
| Work Account 2 |
 WorkplaceTenantId : bbbb
| Ngc Prerequisite Check |
 NgcPreReq : ERROR (0xd0020017)
";
        let status = parse(text);
        assert_eq!(status.join_type(), JoinType::WorkplaceRegistered);
        assert_eq!(status.flag("WamDefaultSet"), None);
        assert_eq!(status.get("WamDefaultSet"), Some("ERROR (0x80070520)"));
        assert_eq!(status.wam_provider(), Some(WamProvider::MicrosoftAccount));
        assert_eq!(
            status.get("WorkplaceTenantId"),
            None,
            "per-account keys stay in their section"
        );
        assert_eq!(status.get("NgcPreReq"), Some("ERROR (0xd0020017)"));
    }

    #[test]
    fn garbage_is_not_recognised() {
        assert!(!parse("hello world\n\u{0}\u{1}binary:::\n").is_recognised());
        assert!(!parse("").is_recognised());
    }

    #[test]
    fn join_type_table() {
        let cases = [
            ("YES", "NO", "NO", JoinType::EntraJoined),
            ("YES", "NO", "YES", JoinType::HybridJoined),
            ("NO", "NO", "YES", JoinType::DomainJoined),
            ("NO", "YES", "YES", JoinType::OnPremisesDrs),
            ("NO", "NO", "NO", JoinType::NotJoined),
        ];
        for (aad, ent, dom, want) in cases {
            let text = format!(
                "| Device State |\nAzureAdJoined : {aad}\nEnterpriseJoined : {ent}\nDomainJoined : {dom}\n"
            );
            assert_eq!(parse(&text).join_type(), want, "{aad}/{ent}/{dom}");
        }
    }

    /// dsregcmd prints the proxies itself; real captures show DIRECT, and a proxy or PAC
    /// script set for the user reads as `reg query` of Internet Settings does.
    #[test]
    fn the_proxy_sections_name_the_winhttp_and_the_user_proxy() {
        let direct = parse(include_str!(
            "../../tests/fixtures/dsregcmd/domain-joined-discover-failed-scp-unreadable-indented.txt"
        ));
        assert_eq!(direct.winhttp_proxy(), Some(WinHttpProxy::Direct));
        assert_eq!(direct.user_proxy(), None);
        let proxied = parse(
            "| IE Proxy Config for Current User |\n Auto Detect Settings : NO\n Auto-Configuration URL : http://wpad.fabrikam.com/wpad.dat\n Proxy Server List :\n| WinHttp Default Proxy Config |\n Access Type : NAMED_PROXY\n Proxy Server List : proxy.fabrikam.com:8080\n",
        );
        assert_eq!(
            proxied.winhttp_proxy(),
            Some(WinHttpProxy::Proxy("proxy.fabrikam.com:8080".into()))
        );
        assert_eq!(
            proxied.user_proxy().as_deref(),
            Some("PAC script http://wpad.fabrikam.com/wpad.dat")
        );
    }

    /// A capture copied from a page that numbers its lines, as pastebin shows them (the
    /// field's hybrid capture, pastebin.com/NgRurcvL, 2025).
    #[test]
    fn a_paste_with_line_numbers_reads_as_the_capture() {
        let numbered: String = AADJ
            .lines()
            .enumerate()
            .map(|(n, l)| format!("  {}. {l}\n", n + 1))
            .collect();
        assert_eq!(parse(&numbered), parse(AADJ));
    }
}
