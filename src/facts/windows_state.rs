//! Windows settings-sync state and the context esr-doctor ran in.
//!
//! - `reg query` of `HKCU\...\CurrentVersion\SettingSync` (the user's "Sync your settings"
//!   switch and its groups), `HKLM\SOFTWARE\Policies\Microsoft\Windows\SettingSync` (the
//!   "Do not sync" Group Policy: `DisableSettingSync` = 2) and the MDM policy
//!   `PolicyManager\current\device\Experience` (`AllowSyncMySettings` = 0).
//! - `whoami /user /groups`: an elevated or SYSTEM context sees device state, not the user's
//!   WAM and SSO state, so dsregcmd's user sections are then not the user's.

use super::registry;
use serde_json::Value;

/// What blocks or limits Windows settings sync on this device.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SettingSyncState {
    /// `DisableSettingSync` from Group Policy (2 = sync prevented).
    pub policy_disable: Option<i64>,
    /// `AllowSyncMySettings` from MDM (0 = not allowed).
    pub mdm_allow: Option<i64>,
    /// The user's own switch: `SyncPolicy` = 5 means "Sync your settings" is off.
    pub user_sync_policy: Option<i64>,
    /// Setting groups the user turned off (`Groups\<name>\Enabled` = 0).
    pub groups_off: Vec<String>,
}

impl SettingSyncState {
    pub fn blocked_by_policy(&self) -> bool {
        self.policy_disable == Some(2) || self.mdm_allow == Some(0)
    }

    pub fn turned_off_by_user(&self) -> bool {
        self.user_sync_policy == Some(5)
    }
}

pub fn parse_setting_sync(text: &str) -> SettingSyncState {
    let mut state = SettingSyncState::default();
    for row in registry::parse(text) {
        let path = row.path_lower();
        let number = row
            .value
            .as_i64()
            .or_else(|| row.value.as_str().and_then(registry::number));
        match row.name.to_ascii_lowercase().as_str() {
            "disablesettingsync" if path.contains("policies\\microsoft\\windows\\settingsync") => {
                state.policy_disable = number;
            }
            "allowsyncmysettings" => state.mdm_allow = number,
            "syncpolicy" if path.ends_with("currentversion\\settingsync") => {
                state.user_sync_policy = number;
            }
            "enabled" if path.contains("settingsync\\groups\\") && number == Some(0) => {
                if let Some(group) = path.rsplit('\\').next() {
                    state.groups_off.push(group_name(&row.key, group));
                }
            }
            _ => {}
        }
    }
    state
}

/// The group's name as Windows spells it (the key text keeps its case).
fn group_name(key: &str, lower: &str) -> String {
    key.rsplit('\\')
        .next()
        .filter(|n| n.eq_ignore_ascii_case(lower))
        .unwrap_or(lower)
        .to_owned()
}

/// Who esr-doctor ran as.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RunContext {
    pub user: Option<String>,
    /// Running as `NT AUTHORITY\SYSTEM` (S-1-5-18).
    pub system: bool,
    /// Running with a high (administrator) or system integrity level.
    pub elevated: bool,
}

/// Reads `whoami /user /groups` (English or not: SIDs are the same everywhere).
pub fn parse_whoami(text: &str) -> RunContext {
    let system = text.contains("S-1-5-18");
    let elevated = system || text.contains("S-1-16-12288") || text.contains("S-1-16-16384");
    // The user row: `domain\name S-1-5-21-...` under the USER INFORMATION header.
    let user = text
        .lines()
        .map(str::trim)
        .find(|l| {
            ["S-1-5-21-", "S-1-12-1-", "S-1-5-18"]
                .iter()
                .any(|sid| l.contains(sid))
                && l.contains('\\')
        })
        .and_then(|l| l.split_whitespace().next())
        .map(str::to_owned);
    RunContext {
        user,
        system,
        elevated,
    }
}

/// Both files of the Windows state fact source.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct WindowsState {
    pub setting_sync: Option<SettingSyncState>,
    pub context: Option<RunContext>,
    /// The machine's WinHTTP proxy (`netsh winhttp show proxy`): Windows settings roaming
    /// runs in the background and connects through it, not through the user's proxy.
    pub winhttp: Option<WinHttpProxy>,
    /// The user's WinINet proxy or PAC script (what Edge and the user's apps use).
    pub user_proxy: Option<String>,
}

/// `netsh winhttp show proxy`.
#[derive(Debug, Clone, PartialEq)]
pub enum WinHttpProxy {
    Direct,
    Proxy(String),
}

/// Reads `netsh winhttp show proxy` by its structure, in whatever display language Windows
/// printed it: a heading naming WinHTTP, then either one sentence (direct access) or
/// `label : value` lines, the proxy server first and the bypass list second. `None` when the
/// text has neither shape.
pub fn parse_winhttp(text: &str) -> Option<WinHttpProxy> {
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    // The heading; a pasted capture may start with the prompt and the command.
    let heading = lines
        .iter()
        .position(|l| l.contains("WinHTTP") && l.ends_with([':', '：']));
    let english = text.contains("Proxy Server(s)") || text.contains("Direct access");
    if heading.is_none() && !english {
        return None;
    }
    if let Some(server) = labelled_values(text).first() {
        return Some(WinHttpProxy::Proxy((*server).to_owned()));
    }
    let says_something = heading.is_some_and(|at| at + 1 < lines.len());
    (text.contains("Direct access") || says_something).then_some(WinHttpProxy::Direct)
}

/// The bypass list `netsh winhttp show proxy` names after the proxy server, if any.
pub fn parse_winhttp_bypass(text: &str) -> Option<String> {
    labelled_values(text).get(1).map(|list| (*list).to_owned())
}

/// The values of netsh's `label : value` lines, in order (the labels are in the display
/// language; a value never starts with a space, a label never holds a colon).
fn labelled_values(text: &str) -> Vec<&str> {
    text.lines()
        .filter_map(|line| {
            let (label, value) = line
                .split_once([':', '：'])
                .filter(|(_, value)| value.starts_with(char::is_whitespace))?;
            let value = value.trim();
            (!label.trim().is_empty() && !value.is_empty()).then_some(value)
        })
        .collect()
}

/// The user's proxy or PAC script from `reg query` of Internet Settings, if one is set.
pub fn parse_user_proxy(reg_text: &str) -> Option<String> {
    let settings = crate::facts::proxy::from_wininet(reg_text);
    settings
        .pac_url
        .map(|pac| format!("PAC script {pac}"))
        .or_else(|| settings.proxy.map(|p| p.to_string()))
}

/// JSON evidence of the state, for reports.
pub fn evidence(state: &SettingSyncState) -> Value {
    serde_json::json!({
        "policy_disable_setting_sync": state.policy_disable,
        "mdm_allow_sync_my_settings": state.mdm_allow,
        "user_sync_policy": state.user_sync_policy,
        "groups_off": state.groups_off,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::text::{decode, variants};

    const SYNC: &str = "
HKEY_CURRENT_USER\\Software\\Microsoft\\Windows\\CurrentVersion\\SettingSync
    SyncPolicy    REG_DWORD    0x5

HKEY_CURRENT_USER\\Software\\Microsoft\\Windows\\CurrentVersion\\SettingSync\\Groups\\Personalization
    Enabled    REG_DWORD    0x0

HKEY_CURRENT_USER\\Software\\Microsoft\\Windows\\CurrentVersion\\SettingSync\\Groups\\Language
    Enabled    REG_DWORD    0x1

HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Microsoft\\Windows\\SettingSync
    DisableSettingSync    REG_DWORD    0x2
    DisableSettingSyncUserOverride    REG_DWORD    0x1

HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\PolicyManager\\current\\device\\Experience
    AllowSyncMySettings    REG_DWORD    0x1
";

    #[test]
    fn winhttp_direct_or_a_proxy() {
        let direct =
            "\nCurrent WinHTTP proxy settings:\n\n    Direct access (no proxy server).\n\n";
        assert_eq!(parse_winhttp(direct), Some(WinHttpProxy::Direct));
        let proxy = "Current WinHTTP proxy settings:\n\n    Proxy Server(s) :  proxy.contoso.com:8080\n    Bypass List     :  <local>\n";
        assert_eq!(
            parse_winhttp(proxy),
            Some(WinHttpProxy::Proxy("proxy.contoso.com:8080".into()))
        );
        assert_eq!(parse_winhttp("garbage"), None);
        assert_eq!(parse_winhttp(""), None);
        assert_eq!(parse_winhttp_bypass(proxy).as_deref(), Some("<local>"));
    }

    /// Windows prints netsh in its display language. No localized capture with a source could
    /// be found, so these follow the layout Microsoft documents for `netsh winhttp show proxy`
    /// (a heading, then one sentence or `label : value` lines) with the words of each language.
    #[test]
    fn winhttp_in_another_display_language_is_read_by_its_structure() {
        let proxies = [
            "Aktuelle WinHTTP-Proxyeinstellungen:\n\n    Proxyserver:  proxy.fabrikam.de:8080\n    Umgehungsliste:  <local>\n",
            "Paramètres actuels du proxy WinHTTP :\n\n    Serveur(s) proxy :  proxy.fabrikam.fr:3128\n    Liste de contournement :  *.fabrikam.fr;<local>\n",
            "Configuración actual del proxy de WinHTTP:\n\n    Servidores proxy:  proxy.fabrikam.es:8080\n    Lista de omisión:  <local>\n",
            "現在の WinHTTP プロキシ設定:\n\n    プロキシ サーバー:  proxy.fabrikam.jp:8080\n    バイパス一覧     :  <local>\n",
            "当前的 WinHTTP 代理服务器设置:\n\n    代理服务器:  http=proxy.fabrikam.cn:80;https=proxy.fabrikam.cn:443\n    绕过列表:  <local>\n",
        ];
        for text in proxies {
            for (name, bytes) in variants::encodings(text) {
                let decoded = decode(&bytes);
                let Some(WinHttpProxy::Proxy(server)) = parse_winhttp(&decoded) else {
                    panic!("{name}: {text}");
                };
                assert!(server.contains("proxy.fabrikam."), "{name}: {server}");
                assert!(
                    parse_winhttp_bypass(&decoded).is_some_and(|b| b.contains("<local>")),
                    "{name}: {text}"
                );
            }
        }
        let prompted = "C:\\> netsh winhttp show proxy\n\nCurrent WinHTTP proxy settings:\n\n    Direct access (no proxy server).\n";
        assert_eq!(parse_winhttp(prompted), Some(WinHttpProxy::Direct));
        let directs = [
            "Aktuelle WinHTTP-Proxyeinstellungen:\n\n    Direkter Zugriff (kein Proxyserver).\n",
            "Paramètres actuels du proxy WinHTTP :\n\n    Accès direct (pas de serveur proxy).\n",
            "現在の WinHTTP プロキシ設定:\n\n    直接アクセス (プロキシ サーバーなし)。\n",
        ];
        for text in directs {
            for (name, bytes) in variants::encodings(text) {
                assert_eq!(
                    parse_winhttp(&decode(&bytes)),
                    Some(WinHttpProxy::Direct),
                    "{name}: {text}"
                );
            }
        }
        // Not netsh: no WinHTTP heading and no labelled lines, or a heading and nothing after.
        for text in [
            "Der Befehl wurde nicht gefunden.",
            "Aktuelle WinHTTP-Proxyeinstellungen:",
            "{\"a\": 1}",
        ] {
            assert_eq!(parse_winhttp(text), None, "{text}");
        }
    }

    #[test]
    fn policies_user_switch_and_groups() {
        for (name, bytes) in variants::encodings(SYNC) {
            let state = parse_setting_sync(&decode(&bytes));
            assert_eq!(state.policy_disable, Some(2), "{name}");
            assert!(state.blocked_by_policy() && state.turned_off_by_user());
            assert_eq!(state.groups_off, ["Personalization"]);
            assert_eq!(state.mdm_allow, Some(1));
        }
        let mdm = parse_setting_sync(
            "HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\PolicyManager\\current\\device\\Experience\n    AllowSyncMySettings    REG_DWORD    0x0\n",
        );
        assert!(mdm.blocked_by_policy() && !mdm.turned_off_by_user());
        assert_eq!(parse_setting_sync("garbage"), SettingSyncState::default());
        assert!(
            parse_setting_sync(variants::truncated(SYNC, 20))
                .policy_disable
                .is_none()
        );
    }

    #[test]
    fn whoami_contexts() {
        let user = "USER INFORMATION\n----------------\n\nUser Name        SID\n================ ==============================================\nfabrikam\\jnovak  S-1-5-21-1004336348-1177238915-682003330-1104\n\nGROUP INFORMATION\n-----------------\nMandatory Label\\Medium Mandatory Level Label S-1-16-8192\n";
        assert_eq!(
            parse_whoami(user),
            RunContext {
                user: Some("fabrikam\\jnovak".into()),
                system: false,
                elevated: false
            }
        );
        let entra =
            parse_whoami("azuread\\jananovak S-1-12-1-1805581836-1299353508-1309545868-564238349");
        assert_eq!(entra.user.as_deref(), Some("azuread\\jananovak"));
        let admin = user.replace("S-1-16-8192", "S-1-16-12288");
        assert!(parse_whoami(&admin).elevated);
        let system = "nt authority\\system S-1-5-18\nMandatory Label\\System Mandatory Level Label S-1-16-16384";
        let context = parse_whoami(system);
        assert!(context.system && context.elevated);
        assert_eq!(parse_whoami("\u{fffd}garbage"), RunContext::default());
    }
}
