//! What do Edge itself (edge://sync-internals) and the Windows sync event logs report?
//!
//! The last link of the chain: it is blocked by any earlier Edge-sync failure, because Edge's
//! own status then only repeats it.

use crate::facts::event_log::{Event, EventLog};
use crate::facts::sync_internals::SyncInternals;
use crate::facts::windows_errors;
use crate::facts::{Facts, Gathered};
use crate::model::{CheckId, CheckResult, Feature, Finding, Severity, SkipKind, evidence};
use serde_json::{Map, Value};

const ID: CheckId = CheckId::SyncHealth;
pub const CODES: &[&str] = &[
    "SYNC_CRYPTOGRAPHER_ERROR",
    "SYNC_DISABLED_BY_ADMIN",
    "SYNC_DISABLED_BY_POLICY",
    "SYNC_NOT_SIGNED_IN",
    "SYNC_UNRECOVERABLE_ERROR",
    "SYNC_AUTH_ERROR",
    "SYNC_SERVER_ERROR",
    "SYNC_PASSPHRASE_REQUIRED",
    "SYNC_PAUSED",
    "SYNC_TYPE_ERRORS",
    "SYNC_DUMP_INVALID",
    "EVENT_LOG_UNREADABLE",
    "EVENT_6013_MDM_SIDELOADED_APPS",
    "EVENT_6065_ACCOUNT_DISABLED",
    "EVENT_1098_TOKEN_BROKER",
    "EVENT_DEVICE_REGISTRATION_ERROR",
    "EVENT_AAD_SIGN_IN_ERROR",
];

const EDGE: &[Feature] = &[Feature::EdgeSync];
const WINDOWS: &[Feature] = &[Feature::WindowsSettings];

pub fn decide(facts: &Facts) -> CheckResult {
    let mut evidence = Map::new();
    let mut findings = Vec::new();
    match &facts.sync_internals {
        Gathered::Found(dump) => {
            evidence.extend(dump_evidence(dump));
            dump_findings(dump, &mut findings);
        }
        Gathered::Unreadable(message) => findings.push(Finding::new(
            "SYNC_DUMP_INVALID",
            Severity::Warn,
            EDGE,
            message.clone(),
        )),
        _ => {}
    }
    match &facts.event_log {
        Gathered::Found(log) => {
            // The exports that could be read are used; each one that could not is named.
            for reason in &log.unreadable {
                findings.push(Finding::new(
                    "EVENT_LOG_UNREADABLE",
                    Severity::Warn,
                    WINDOWS,
                    reason.clone(),
                ));
            }
            event_findings(log, &mut evidence, &mut findings);
        }
        Gathered::Unreadable(message) => findings.push(Finding::new(
            "EVENT_LOG_UNREADABLE",
            Severity::Warn,
            WINDOWS,
            message.clone(),
        )),
        _ => {}
    }
    let has_failure = findings.iter().any(|f| f.severity == Severity::Fail);
    let unreadable_at = findings.iter().position(|f| {
        matches!(
            f.code.as_str(),
            "SYNC_DUMP_INVALID" | "EVENT_LOG_UNREADABLE"
        )
    });
    match (&facts.sync_internals, unreadable_at) {
        _ if has_failure => CheckResult::decided(ID, evidence, findings),
        // Evidence present but unusable (the dump, or the event logs beside a dump) leaves
        // the check undecided, never passing.
        (Gathered::Found(_) | Gathered::Unreadable(_), Some(at)) => {
            CheckResult::undecided_by(ID, evidence, findings, at)
        }
        (Gathered::Found(_), None) => CheckResult::decided(ID, evidence, findings),
        (Gathered::Missing(reason) | Gathered::NotApplicable(reason), _) => {
            let mut result = CheckResult::skipped(
                ID,
                SkipKind::Missing,
                format!("edge://sync-internals dump: {reason}"),
            );
            result.evidence = evidence;
            // What the event logs say (or that they could not be read) is said even without a
            // dump to decide by.
            result.findings = findings
                .into_iter()
                .filter(|f| f.code.starts_with("EVENT_"))
                .collect();
            result
        }
        _ => CheckResult::error(ID, "the sync-internals dump was never gathered"),
    }
}

fn dump_evidence(dump: &SyncInternals) -> Map<String, Value> {
    let stat = |name: &str| dump.stat(name).map_or(Value::Null, Value::from);
    let failing: Vec<Value> = dump
        .failing_types()
        .map(|t| Value::from(t.name.clone()))
        .collect();
    evidence([
        ("transport_state", stat("Transport State")),
        (
            "disable_reasons",
            Value::Array(
                dump.disable_reasons()
                    .into_iter()
                    .map(Value::from)
                    .collect(),
            ),
        ),
        ("sync_account_type", stat("Sync Account Type")),
        ("auth_error", stat("Auth Error")),
        ("server_connection", stat("Server Connection")),
        ("last_synced", stat("Last Synced")),
        ("failing_types", Value::Array(failing)),
    ])
}

fn push_once(
    findings: &mut Vec<Finding>,
    code: &str,
    severity: Severity,
    affects: &[Feature],
    message: String,
) {
    if !findings.iter().any(|f| f.code == code) {
        findings.push(Finding::new(code, severity, affects, message));
    }
}

fn dump_findings(dump: &SyncInternals, findings: &mut Vec<Finding>) {
    dump_refusals(dump, findings);
    dump_session_errors(dump, findings);
}

/// Edge's data cannot be decrypted with the current key.
fn has_crypto_error(dump: &SyncInternals) -> bool {
    dump.mentions("cryptographer error") || dump.mentions("GenerateCryptoErrorsForTypes")
}

/// Why Edge says sync is off: a cryptographer error, the service's or a policy's refusal, no
/// sign-in, an unrecoverable error.
fn dump_refusals(dump: &SyncInternals, findings: &mut Vec<Finding>) {
    if has_crypto_error(dump) {
        let mip = dump
            .stat("Last MIP Result")
            .map(|r| format!(" Last MIP Result: {r}."))
            .unwrap_or_default();
        push_once(
            findings,
            "SYNC_CRYPTOGRAPHER_ERROR",
            Severity::Fail,
            EDGE,
            format!(
                "Edge reports a cryptographer error: synced data cannot be decrypted with the current key.{mip}"
            ),
        );
    }
    if dump.mentions("DISABLED_BY_ADMIN") {
        push_once(findings, "SYNC_DISABLED_BY_ADMIN", Severity::Fail, EDGE, "Edge reports DISABLED_BY_ADMIN: the sync service refuses this account (licence, Azure RMS or ESR on the tenant side).".into());
    }
    for reason in dump.disable_reasons() {
        let lower = reason.to_ascii_lowercase();
        if lower.contains("enterprise policy") {
            push_once(
                findings,
                "SYNC_DISABLED_BY_POLICY",
                Severity::Fail,
                EDGE,
                "Edge reports sync disabled by enterprise policy.".into(),
            );
        } else if lower.contains("not signed in") {
            push_once(
                findings,
                "SYNC_NOT_SIGNED_IN",
                Severity::Fail,
                EDGE,
                "Edge reports sync disabled because the profile is not signed in.".into(),
            );
        } else if lower.contains("unrecoverable") {
            push_once(
                findings,
                "SYNC_UNRECOVERABLE_ERROR",
                Severity::Fail,
                EDGE,
                "Edge reports an unrecoverable sync error.".into(),
            );
        }
    }
    if let Some(message) = &dump.unrecoverable_error {
        push_once(
            findings,
            "SYNC_UNRECOVERABLE_ERROR",
            Severity::Fail,
            EDGE,
            format!("Edge reports an unrecoverable sync error: {message}"),
        );
    }
}

/// What goes wrong in a running sync session: tokens, the server, a passphrase, a pause,
/// data types in error.
fn dump_session_errors(dump: &SyncInternals, findings: &mut Vec<Finding>) {
    let auth = dump
        .stat("Auth Error")
        .filter(|a| !a.is_empty() && !a.to_ascii_lowercase().starts_with("ok"));
    let token = dump
        .stats
        .iter()
        .find(|s| s.name.eq_ignore_ascii_case("Last Token Error") && !s.value.is_empty() && s.bad);
    let actionable = dump.stat("User Actionable Error").unwrap_or("");
    if let Some(detail) = auth
        .map(str::to_owned)
        .or_else(|| token.map(|t| t.value.clone()))
    {
        push_once(
            findings,
            "SYNC_AUTH_ERROR",
            Severity::Fail,
            EDGE,
            format!("Edge cannot get a token for sync: {detail}"),
        );
    } else if actionable.eq_ignore_ascii_case("Sign-in needs update") {
        push_once(
            findings,
            "SYNC_AUTH_ERROR",
            Severity::Fail,
            EDGE,
            "Edge asks the user to sign in again (Sign-in needs update).".into(),
        );
    }
    if let Some(server) = dump
        .stat("Server Connection")
        .filter(|s| s.to_ascii_lowercase().starts_with("server error"))
    {
        push_once(
            findings,
            "SYNC_SERVER_ERROR",
            Severity::Fail,
            EDGE,
            format!("The sync server returned errors: {server}"),
        );
    }
    if actionable.to_ascii_lowercase().contains("passphrase") {
        push_once(
            findings,
            "SYNC_PASSPHRASE_REQUIRED",
            Severity::Warn,
            EDGE,
            format!("Edge needs the user to act: {actionable}."),
        );
    }
    if dump
        .stat("Transport State")
        .is_some_and(|s| s.eq_ignore_ascii_case("Paused"))
    {
        push_once(
            findings,
            "SYNC_PAUSED",
            Severity::Warn,
            EDGE,
            "Sync is paused in this profile.".into(),
        );
    }
    let failing: Vec<&str> = dump.failing_types().map(|t| t.name.as_str()).collect();
    if !failing.is_empty() && !has_crypto_error(dump) {
        push_once(
            findings,
            "SYNC_TYPE_ERRORS",
            Severity::Fail,
            EDGE,
            format!(
                "These data types are in an error state: {}.",
                failing.join(", ")
            ),
        );
    }
}

fn event_findings(log: &EventLog, evidence: &mut Map<String, Value>, findings: &mut Vec<Finding>) {
    let matched = log.matched_signatures();
    evidence.insert("events_read".into(), Value::from(log.events.len()));
    evidence.insert(
        "event_signatures".into(),
        Value::Array(matched.iter().map(|(s, e)| serde_json::json!({"code": s.code, "event_id": s.event_id, "time": e.time})).collect()),
    );
    for (signature, event) in matched {
        let message = format!(
            "Event {} (0x{:08X}) in {} at {}.",
            signature.event_id,
            signature.hresult,
            where_logged(event),
            if event.time.is_empty() {
                "an unknown time"
            } else {
                &event.time
            },
        );
        push_once(findings, signature.code, Severity::Fail, WINDOWS, message);
    }
    let mut said: Vec<(&str, Vec<String>)> = Vec::new();
    for (rule, event, carried) in log.error_events() {
        let mut message = format!(
            "Event {} in {} at {} records {}",
            rule.event_id,
            where_logged(event),
            if event.time.is_empty() {
                "an unknown time"
            } else {
                &event.time
            },
            rule.records
        );
        if let Some(aadsts) = carried.aadsts {
            message.push_str(&format!(
                "; Entra ID answered AADSTS{aadsts} (esr-doctor explain AADSTS{aadsts})"
            ));
        }
        if let Some(code) = carried.hresult {
            message.push_str(&format!("; {}", windows_errors::describe(code)));
        }
        message.push('.');
        match said.iter_mut().find(|(code, _)| *code == rule.code) {
            Some((_, messages)) => messages.push(message),
            None => said.push((rule.code, vec![message])),
        }
    }
    for (code, messages) in said {
        findings.push(Finding::new(
            code,
            Severity::Warn,
            WINDOWS,
            messages.join(" "),
        ));
    }
}

fn where_logged(event: &Event) -> &str {
    if !event.channel.is_empty() {
        &event.channel
    } else if !event.provider.is_empty() {
        &event.provider
    } else {
        "the event log"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::{event_log, sync_internals};
    use crate::model::Status;

    fn summary(rows: &str) -> String {
        format!(r#"{{"details":[{{"title":"Summary","data":[{rows}]}}]}}"#)
    }

    fn run(dump: Option<&str>, events: Option<&str>) -> CheckResult {
        let facts = Facts {
            sync_internals: dump.map_or(Gathered::Missing("not in bundle".into()), |d| {
                sync_internals::parse(d)
                    .map_or_else(|e| Gathered::Unreadable(e.to_string()), Gathered::Found)
            }),
            event_log: events.map_or(Gathered::Missing("not in bundle".into()), |e| {
                event_log::parse("e.xml", e)
                    .map_or_else(|e| Gathered::Unreadable(e.to_string()), Gathered::Found)
            }),
            ..Facts::default()
        };
        decide(&facts)
    }

    #[test]
    fn healthy_dump_passes() {
        let ok = run(
            Some(&summary(
                r#"{"stat_name":"Transport State","stat_value":"Active","stat_status":""},{"stat_name":"Disable Reasons","stat_value":"None"},{"stat_name":"Auth Error","stat_value":"OK since browser startup"}"#,
            )),
            None,
        );
        assert_eq!(ok.status, Status::Pass);
        assert_eq!(
            ok.evidence.get("transport_state"),
            Some(&Value::from("Active"))
        );
    }

    #[test]
    fn the_fixture_says_not_signed_in() {
        let fixture = include_str!(
            "../../tests/fixtures/sync-internals/chromium-88-linux-not-signed-in-about_sync_data.json"
        );
        assert_eq!(run(Some(fixture), None).codes(), ["SYNC_NOT_SIGNED_IN"]);
    }

    #[test]
    fn errors_in_the_dump() {
        let crypto = r#"{"details":[],"type_status":[{"name":"Passwords","status":"severity_error","message":"GenerateCryptoErrorsForTypes: cryptographer error was encountered"}]}"#;
        assert_eq!(
            run(Some(crypto), None).codes(),
            ["SYNC_CRYPTOGRAPHER_ERROR"]
        );
        let admin = summary(
            r#"{"stat_name":"Transport State","stat_value":"Disabled"},{"stat_name":"Disable Reasons","stat_value":"Enterprise policy"},{"stat_name":"Auth Error","stat_value":"DISABLED_BY_ADMIN since 2026-11-20"}"#,
        );
        assert_eq!(
            run(Some(&admin), None).codes(),
            [
                "SYNC_DISABLED_BY_ADMIN",
                "SYNC_DISABLED_BY_POLICY",
                "SYNC_AUTH_ERROR"
            ]
        );
    }

    #[test]
    fn invalid_dump_is_a_clear_error_and_missing_dump_a_skip() {
        let invalid = run(Some("{ not json"), None);
        assert_eq!(
            (invalid.status, invalid.codes()),
            (Status::Error, vec!["SYNC_DUMP_INVALID"])
        );
        assert!(
            invalid
                .reason
                .as_deref()
                .is_some_and(|r| r.contains("not valid JSON"))
        );
        let missing = run(None, None);
        assert_eq!(missing.status, Status::Skipped);
    }

    #[test]
    fn event_signatures_fail_windows_settings_even_without_a_dump() {
        let events = "<Event><System><EventID>6065</EventID><Channel>Microsoft-Windows-SettingSync/Debug</Channel><TimeCreated SystemTime='2026-11-20T08:00:00Z'/></System><EventData><Data>0x80070533</Data></EventData></Event>";
        let result = run(None, Some(events));
        assert_eq!(
            (result.status, result.codes()),
            (Status::Fail, vec!["EVENT_6065_ACCOUNT_DISABLED"])
        );
        assert_eq!(result.findings[0].affects, WINDOWS);
    }

    /// The error events Microsoft's hybrid-join page names are said with their codes, also
    /// without a dump; one provider's event id is not another's.
    #[test]
    fn error_events_name_their_codes_and_the_provider_they_must_come_from() {
        let aad = "<Event><System><Provider Name='Microsoft-Windows-AAD'/><EventID>1081</EventID><Channel>Microsoft-Windows-AAD/Operational</Channel><TimeCreated SystemTime='2026-11-20T08:00:00Z'/></System><EventData><Data Name='Error'>0xC000006D</Data><Data Name='ServerError'>invalid_grant: AADSTS50126: Error validating credentials.</Data></EventData></Event>";
        let udr = "<Event><System><Provider Name='Microsoft-Windows-User Device Registration'/><EventID>304</EventID><Channel>Microsoft-Windows-User Device Registration/Admin</Channel><TimeCreated SystemTime='2026-11-20T07:00:00Z'/></System><EventData><Data>join</Data><Data>-2145648611</Data></EventData></Event>";
        let other = "<Event><System><Provider Name='Microsoft-Windows-Kernel-Power'/><EventID>1081</EventID></System><EventData><Data>0x80004005</Data></EventData></Event>";
        let result = run(None, Some(&format!("{aad}{udr}{other}")));
        assert_eq!(result.status, Status::Skipped, "no dump to decide by");
        let message = |code: &str| {
            result
                .findings
                .iter()
                .find(|f| f.code == code)
                .map(|f| f.message.clone())
                .unwrap_or_default()
        };
        let sign_in = message("EVENT_AAD_SIGN_IN_ERROR");
        assert!(
            sign_in.contains("AADSTS50126") && sign_in.contains("0xc000006d STATUS_LOGON_FAILURE"),
            "{sign_in}"
        );
        assert!(
            !sign_in.contains("0x80004005"),
            "Kernel-Power's 1081 is not AAD's: {sign_in}"
        );
        let join = message("EVENT_DEVICE_REGISTRATION_ERROR");
        assert!(
            join.contains("0x801c001d DSREG_AUTOJOIN_ADCONFIG_READ_FAILED"),
            "{join}"
        );
        assert!(result.findings.iter().all(|f| f.severity == Severity::Warn));
    }
}
