//! (Windows settings roaming) Is the device Entra or hybrid joined, with the WAM default
//! account set, a primary refresh token and a provisioned SettingsUrl?
//!
//! An empty `SettingsUrl` is the classic ESR symptom: ESR was not provisioned for this user
//! and device (enabled after the user's last sign-in, user not in scope, or a bad device cert).

use super::{device_object, join_failure, need};
use crate::facts::Facts;
use crate::facts::dsregcmd::{DsregStatus, JoinType, WamProvider, yes_no};
use crate::facts::join_diagnostics::JoinDiagnostics;
use crate::facts::windows_state::{self, WinHttpProxy, WindowsState};
use crate::model::{CheckId, CheckResult, Feature, Finding, Severity, SkipKind, evidence};
use serde_json::Value;

const ID: CheckId = CheckId::DeviceRegistration;
pub const CODES: &[&str] = &[
    "DEVICE_NOT_JOINED",
    "DEVICE_HYBRID_JOIN_MISSING",
    "DEVICE_ON_PREMISES_DRS",
    "DEVICE_AUTH_FAILED",
    "SETTINGS_URL_EMPTY",
    "WAM_DEFAULT_NOT_SET",
    "WAM_DEFAULT_ERROR",
    "WAM_DEFAULT_PERSONAL",
    "PRT_MISSING",
    "DSREG_PARTIAL",
    "DSREG_ELEVATED_CONTEXT",
    "WINDOWS_SYNC_BLOCKED_BY_POLICY",
    "WINDOWS_SYNC_OFF_FOR_USER",
    "WINDOWS_SYNC_GROUPS_OFF",
    "WINHTTP_PROXY_MISSING",
];

const WINDOWS: &[Feature] = &[Feature::WindowsSettings];

fn opt(value: Option<impl Into<Value>>) -> Value {
    value.map_or(Value::Null, Into::into)
}

pub fn decide(facts: &Facts) -> CheckResult {
    let status = need!(ID, &facts.dsregcmd);
    let join = status.join_type();
    let settings_url = status.settings_url();
    let mut evidence = evidence([
        ("join_type", Value::from(join.as_str())),
        ("wam_default_set", opt(status.flag("WamDefaultSet"))),
        (
            "settings_url_present",
            opt(settings_url.map(|u| !u.is_empty())),
        ),
        ("prt_present", opt(status.flag("AzureAdPrt"))),
        ("settings_uris", opt(status.settings_uris())),
        ("tenant_id", opt(status.get("TenantId"))),
        ("tenant_name", opt(status.get("TenantName"))),
        ("device_name", opt(status.get("Device Name"))),
        ("device_auth_status", opt(status.get("DeviceAuthStatus"))),
        ("wam_default_raw", opt(status.get("WamDefaultSet"))),
        ("legacy_format", Value::from(status.is_legacy_format())),
        ("os", opt(facts.os.clone())),
    ]);
    let mut findings = Vec::new();
    let join_failure = join_failure::finding(status, &mut evidence);
    match join {
        // A capture holding only dsregcmd's diagnosis still says the hybrid join failed.
        JoinType::Unknown if join_failure.is_some() => {
            findings.extend(join_failure);
            findings.push(Finding::new(
                "DSREG_PARTIAL",
                Severity::Warn,
                WINDOWS,
                "The dsregcmd capture holds its diagnostic data but no Device State section; the rest of the device's state is unknown.".into(),
            ));
        }
        JoinType::Unknown => {
            let mut result = CheckResult::skipped(
                ID,
                SkipKind::Missing,
                "the dsregcmd capture has no Device State section, so the join state is unknown; capture the whole `dsregcmd /status` output",
            );
            result.evidence = evidence;
            result.findings.push(Finding::new(
                "DSREG_PARTIAL",
                Severity::Warn,
                WINDOWS,
                "The dsregcmd capture is partial: the Device State section is missing.".into(),
            ));
            return result;
        }
        JoinType::NotJoined | JoinType::WorkplaceRegistered => findings.push(Finding::new(
            "DEVICE_NOT_JOINED",
            Severity::Fail,
            WINDOWS,
            format!("The device is {}; Windows settings roaming needs an Entra joined or hybrid joined device.", describe(join)),
        )),
        JoinType::DomainJoined => findings.push(join_failure.unwrap_or_else(|| hybrid_join_missing(status))),
        JoinType::OnPremisesDrs => findings.push(Finding::new(
            "DEVICE_ON_PREMISES_DRS",
            Severity::Fail,
            WINDOWS,
            "The device is registered with an on-premises device registration service (EnterpriseJoined), not with Entra ID.".into(),
        )),
        JoinType::EntraJoined | JoinType::HybridJoined => joined_device_findings(status, &mut findings),
    }
    findings.extend(device_object::findings(status, facts, &mut evidence));
    let windows = facts.windows.found();
    if let Some(windows) = windows {
        windows_findings(windows, &mut evidence, &mut findings);
    }
    let winhttp = windows
        .and_then(|w| w.winhttp.clone())
        .or_else(|| status.winhttp_proxy());
    let user_proxy = windows
        .and_then(|w| w.user_proxy.clone())
        .or_else(|| status.user_proxy());
    winhttp_finding(
        winhttp.as_ref(),
        user_proxy.as_deref(),
        &mut evidence,
        &mut findings,
    );
    capture_context_finding(status, &mut evidence, &mut findings);
    // Captured outside the user's session (Intune runs as SYSTEM), the user's WAM and PRT
    // state is not there to judge: said once, not failed on.
    if findings.iter().any(|f| f.code == "DSREG_ELEVATED_CONTEXT") {
        findings.retain(|f| !USER_STATE.contains(&f.code.as_str()));
        evidence.insert("user_state_judged".into(), Value::Bool(false));
    }
    CheckResult::decided(ID, evidence, findings)
}

/// Findings about the signed-in user's own state, which a SYSTEM or elevated capture lacks.
const USER_STATE: [&str; 4] = [
    "WAM_DEFAULT_NOT_SET",
    "WAM_DEFAULT_ERROR",
    "WAM_DEFAULT_PERSONAL",
    "PRT_MISSING",
];

/// Windows settings roam from a background task that connects through the machine's WinHTTP
/// proxy; when that says "direct" while the user needs a proxy, the settings cannot leave.
/// The proxies come from `netsh winhttp show proxy` and Internet Settings when captured, else
/// from dsregcmd's own proxy sections.
fn winhttp_finding(
    winhttp: Option<&WinHttpProxy>,
    user_proxy: Option<&str>,
    evidence: &mut serde_json::Map<String, Value>,
    findings: &mut Vec<Finding>,
) {
    let Some(winhttp) = winhttp else {
        return;
    };
    let shown = match winhttp {
        WinHttpProxy::Direct => "direct".to_owned(),
        WinHttpProxy::Proxy(server) => server.clone(),
    };
    evidence.insert("winhttp_proxy".into(), Value::from(shown));
    if let (WinHttpProxy::Direct, Some(user_proxy)) = (winhttp, user_proxy) {
        evidence.insert("user_proxy".into(), Value::from(user_proxy));
        findings.push(Finding::new(
            "WINHTTP_PROXY_MISSING",
            Severity::Warn,
            WINDOWS,
            format!("The user's connections go through {user_proxy}, but the machine's WinHTTP proxy is direct access: Windows settings roaming connects through WinHTTP and fails where direct connections are blocked."),
        ));
    }
}

/// dsregcmd says itself whose session it ran in (`User Context` in its diagnostic data): a
/// capture made as SYSTEM or elevated shows another account's WAM, PRT and SSO state.
fn capture_context_finding(
    status: &DsregStatus,
    evidence: &mut serde_json::Map<String, Value>,
    findings: &mut Vec<Finding>,
) {
    let Some(context) = status.get("User Context") else {
        return;
    };
    evidence.insert("capture_context".into(), Value::from(context));
    let as_the_user = context.to_ascii_uppercase().starts_with("UN-ELEVATED");
    let already_said = findings.iter().any(|f| f.code == "DSREG_ELEVATED_CONTEXT");
    if !as_the_user && !already_said {
        findings.push(Finding::new(
            "DSREG_ELEVATED_CONTEXT",
            Severity::Warn,
            WINDOWS,
            format!("dsregcmd was captured in the context {context:?}, not the signed-in user's own session: its user, WAM and SSO state are not the user's; capture it again in the user's session."),
        ));
    }
}

/// The run context and the settings-sync switches (policy, MDM, the user's own).
fn windows_findings(
    windows: &WindowsState,
    evidence: &mut serde_json::Map<String, Value>,
    findings: &mut Vec<Finding>,
) {
    if let Some(context) = &windows.context {
        evidence.insert("run_elevated".into(), Value::Bool(context.elevated));
        if context.elevated {
            let who = if context.system {
                "as SYSTEM"
            } else {
                "elevated (as administrator)"
            };
            findings.push(Finding::new(
                "DSREG_ELEVATED_CONTEXT",
                Severity::Warn,
                WINDOWS,
                format!("esr-doctor ran {who}: dsregcmd's user, WAM and SSO state are then not the signed-in user's; run it again in the user's own session."),
            ));
        }
    }
    let Some(sync) = &windows.setting_sync else {
        return;
    };
    evidence.insert("windows_sync".into(), windows_state::evidence(sync));
    if sync.blocked_by_policy() {
        let source = if sync.policy_disable == Some(2) {
            "the Group Policy \"Do not sync\" (DisableSettingSync = 2)"
        } else {
            "the MDM policy Experience/AllowSyncMySettings = 0"
        };
        findings.push(Finding::new(
            "WINDOWS_SYNC_BLOCKED_BY_POLICY",
            Severity::Fail,
            WINDOWS,
            format!("Settings sync is turned off by {source}."),
        ));
    }
    if sync.turned_off_by_user() {
        findings.push(Finding::new(
            "WINDOWS_SYNC_OFF_FOR_USER",
            Severity::Fail,
            WINDOWS,
            "The user has turned \"Sync your settings\" off (SyncPolicy = 5).".into(),
        ));
    }
    if !sync.groups_off.is_empty() {
        findings.push(Finding::new(
            "WINDOWS_SYNC_GROUPS_OFF",
            Severity::Warn,
            WINDOWS,
            format!(
                "These setting groups do not sync because the user turned them off: {}.",
                sync.groups_off.join(", ")
            ),
        ));
    }
}

/// Domain joined, not hybrid joined, and dsregcmd names no phase of Microsoft's: what it does
/// name is said as written.
fn hybrid_join_missing(status: &DsregStatus) -> Finding {
    let diagnosis = JoinDiagnostics::read(status)
        .failure()
        .map(|f| format!(" {}", join_failure::described(&f)))
        .unwrap_or_default();
    Finding::new(
        "DEVICE_HYBRID_JOIN_MISSING",
        Severity::Fail,
        WINDOWS,
        format!(
            "The device is joined to the domain {} but not hybrid joined to Entra ID.{diagnosis}",
            status.get("DomainName").unwrap_or("(unnamed)")
        ),
    )
}

fn describe(join: JoinType) -> &'static str {
    match join {
        JoinType::WorkplaceRegistered => {
            "only Entra registered (a work account was added, the device is not joined)"
        }
        _ => "not joined to Entra ID or a domain",
    }
}

fn joined_device_findings(status: &DsregStatus, findings: &mut Vec<Finding>) {
    if let Some(auth) = status
        .get("DeviceAuthStatus")
        .filter(|a| a.to_ascii_uppercase().starts_with("FAILED"))
    {
        findings.push(Finding::new(
            "DEVICE_AUTH_FAILED",
            Severity::Fail,
            WINDOWS,
            format!("The device cannot authenticate to Entra ID: DeviceAuthStatus = {auth}."),
        ));
    }
    match status.settings_url() {
        Some("") => findings.push(Finding::new(
            "SETTINGS_URL_EMPTY",
            Severity::Fail,
            WINDOWS,
            "SettingsUrl is empty: Enterprise State Roaming is not provisioned for this user on this device.".into(),
        )),
        Some(_) => {}
        None => findings.push(Finding::new(
            "DSREG_PARTIAL",
            Severity::Warn,
            WINDOWS,
            "The capture has no SettingsUrl line, so ESR provisioning could not be checked.".into(),
        )),
    }
    if let Some(raw) = status.get("WamDefaultSet") {
        match yes_no(raw) {
            Some(true) => {}
            Some(false) => findings.push(Finding::new(
                "WAM_DEFAULT_NOT_SET",
                Severity::Fail,
                WINDOWS,
                "WamDefaultSet is NO: Windows has no default work account for single sign-on and sync.".into(),
            )),
            None => findings.push(Finding::new(
                "WAM_DEFAULT_ERROR",
                Severity::Warn,
                WINDOWS,
                format!("WamDefaultSet is {raw:?}: often dsregcmd ran elevated or as SYSTEM; run it in the user's own session."),
            )),
        }
    }
    if status.wam_provider() == Some(WamProvider::MicrosoftAccount) {
        findings.push(Finding::new(
            "WAM_DEFAULT_PERSONAL",
            Severity::Fail,
            WINDOWS,
            "The default WAM account is a personal Microsoft account, not the work account.".into(),
        ));
    }
    if status.flag("AzureAdPrt") == Some(false) {
        findings.push(Finding::new(
            "PRT_MISSING",
            Severity::Fail,
            WINDOWS,
            format!(
                "AzureAdPrt is NO: the user has no primary refresh token, so no token for the sync service.{}",
                join_failure::prt_attempt_words(status)
                    .map(|w| format!(" {w}"))
                    .unwrap_or_default()
            ),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::{Gathered, dsregcmd};
    use crate::model::Status;

    fn run(text: &str) -> CheckResult {
        decide(&Facts {
            dsregcmd: Gathered::Found(dsregcmd::parse(text)),
            ..Facts::default()
        })
    }

    fn is_partial(result: &CheckResult) -> bool {
        result.status == Status::Skipped
            && result.findings.iter().any(|f| f.code == "DSREG_PARTIAL")
    }

    #[test]
    fn fixtures_decide_as_documented() {
        let aadj = run(include_str!(
            "../../tests/fixtures/dsregcmd/aadj-empty-settingsurl-transcribed.txt"
        ));
        assert_eq!(aadj.codes(), ["SETTINGS_URL_EMPTY"]);
        assert_eq!(
            aadj.evidence.get("settings_url_present"),
            Some(&Value::Bool(false))
        );
        assert_eq!(
            aadj.evidence.get("join_type"),
            Some(&Value::from("entra_joined"))
        );
        let legacy = run(include_str!(
            "../../tests/fixtures/dsregcmd/legacy-format-hybrid-healthy-settingsurl-populated-msdocs2017.txt"
        ));
        assert_eq!(legacy.status, Status::Pass);
        assert_eq!(
            legacy.evidence.get("join_type"),
            Some(&Value::from("hybrid_joined"))
        );
        assert_eq!(legacy.evidence.get("prt_present"), Some(&Value::Bool(true)));
        let sso = run(include_str!(
            "../../tests/fixtures/dsregcmd/sso-state-only-aadj-prt-cloudtgt.txt"
        ));
        assert!(is_partial(&sso));
        assert_eq!(sso.evidence.get("join_type"), Some(&Value::from("unknown")));
    }

    #[test]
    fn elevated_context_and_sync_switches() {
        let mut facts = Facts {
            dsregcmd: Gathered::Found(dsregcmd::parse(
                "| Device State |\nAzureAdJoined : YES\nDomainJoined : NO\n| Tenant Details |\nSettingsUrl : eyJVcmlzIjpbXX0=\n",
            )),
            ..Facts::default()
        };
        facts.windows = Gathered::Found(WindowsState {
            setting_sync: Some(windows_state::parse_setting_sync(
                "HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Microsoft\\Windows\\SettingSync\n    DisableSettingSync    REG_DWORD    0x2\n",
            )),
            context: Some(windows_state::parse_whoami("nt authority\\system S-1-5-18")),
            ..WindowsState::default()
        });
        let result = decide(&facts);
        assert_eq!(
            result.codes(),
            ["DSREG_ELEVATED_CONTEXT", "WINDOWS_SYNC_BLOCKED_BY_POLICY"]
        );
        assert_eq!(
            result.evidence.get("run_elevated"),
            Some(&Value::Bool(true))
        );
        assert!(result.findings[0].message.contains("as SYSTEM"));
    }

    #[test]
    fn join_states_and_wam_problems() {
        let wpj = run(
            "| Device State |\nAzureAdJoined : NO\nDomainJoined : NO\n| User State |\nWorkplaceJoined : YES\n",
        );
        assert_eq!(wpj.codes(), ["DEVICE_NOT_JOINED"]);
        assert_eq!(
            wpj.evidence.get("join_type"),
            Some(&Value::from("workplace_registered"))
        );
        let domain = run(
            "| Device State |\nAzureAdJoined : NO\nEnterpriseJoined : NO\nDomainJoined : YES\nDomainName : CONTOSO\n",
        );
        assert_eq!(domain.codes(), ["DEVICE_HYBRID_JOIN_MISSING"]);
        let wam = run(
            "| Device State |\nAzureAdJoined : YES\nDomainJoined : NO\n| Tenant Details |\nSettingsUrl : eyJVcmlzIjpbXX0=\n| User State |\nWamDefaultSet : ERROR (0x80070520)\nWamDefaultGUID : {X} (MicrosoftAccount)\n| SSO State |\nAzureAdPrt : NO\n",
        );
        assert_eq!(
            wam.codes(),
            ["WAM_DEFAULT_ERROR", "WAM_DEFAULT_PERSONAL", "PRT_MISSING"]
        );
        assert_eq!(wam.evidence.get("wam_default_set"), Some(&Value::Null));
    }

    /// Microsoft's documented SSO State of a failed PRT sign-in: the finding names the attempt's
    /// status with its meaning and Entra's own answer.
    #[test]
    fn a_missing_prt_says_why_the_last_attempt_failed() {
        let docs =
            include_str!("../../tests/fixtures/dsregcmd/hybrid-join-diagnostics-msdocs2024.txt");
        let sso = docs.split("\n\n\n").nth(2).unwrap_or_default();
        let text = format!(
            "| Device State |\nAzureAdJoined : YES\nDomainJoined : NO\n| Tenant Details |\nSettingsUrl : eyJVcmlzIjpbXX0=\n| User State |\nWamDefaultSet : YES\n{sso}"
        );
        let result = run(&text);
        let prt = result.findings.iter().find(|f| f.code == "PRT_MISSING");
        let message = prt.map(|f| f.message.as_str()).unwrap_or_default();
        assert!(
            message.contains("0xc000006d STATUS_LOGON_FAILURE"),
            "{message}"
        );
        assert!(message.contains("invalid_grant: AADSTS50126"), "{message}");
    }
}
