//! Is the Edge profile signed in with a work or school (Entra ID) account?
//!
//! Enterprise sync works only for Entra ID accounts: a personal Microsoft account syncs to the
//! consumer service, an Active Directory (on-premises) profile cannot cloud-sync at all.

use super::need;
use crate::facts::edge_profile::{AccountKind, ProfileAccount};
use crate::facts::{Facts, Gathered};
use crate::model::{CheckId, CheckResult, Feature, Finding, Severity, SkipKind, evidence};
use serde_json::{Value, json};

const ID: CheckId = CheckId::AccountType;
pub const CODES: &[&str] = &[
    "ACCOUNT_PERSONAL_MSA",
    "ACCOUNT_NOT_SIGNED_IN",
    "ACCOUNT_ON_PREMISES",
    "ACCOUNT_TYPE_UNKNOWN",
    "ACCOUNT_TENANT_MISMATCH",
    "ACCOUNT_SYNC_NOT_TURNED_ON",
];

/// What edge://sync-internals says the synced account is (`Sync Account Type`: `AAD`, `MSA`).
fn synced_account_type(facts: &Facts) -> Option<&str> {
    facts
        .sync_internals
        .found()?
        .stat("Sync Account Type")
        .filter(|t| !t.trim().is_empty())
}

/// Without profile files, the sync-internals dump still tells whose account syncs.
fn from_sync_dump(account_type: &str) -> CheckResult {
    let edge = &[Feature::EdgeSync];
    let (kind, findings) = match account_type.to_ascii_uppercase().as_str() {
        "AAD" => ("work_or_school", vec![]),
        "MSA" => ("personal", vec![Finding::new(
            "ACCOUNT_PERSONAL_MSA",
            Severity::Fail,
            edge,
            "edge://sync-internals says the account that syncs is a personal Microsoft account (Sync Account Type: MSA); enterprise sync needs a work or school account.".into(),
        )]),
        _ => ("unknown", vec![Finding::new(
            "ACCOUNT_TYPE_UNKNOWN",
            Severity::Warn,
            edge,
            format!("edge://sync-internals names an account type esr-doctor does not know (Sync Account Type: {account_type}); check edge://settings/profiles."),
        )]),
    };
    CheckResult::decided(
        ID,
        evidence([
            ("account_kind", Value::from(kind)),
            ("sync_account_type", Value::from(account_type)),
            (
                "read_from",
                Value::from("edge://sync-internals (no profile files)"),
            ),
        ]),
        findings,
    )
}

pub fn decide(facts: &Facts) -> CheckResult {
    let synced = synced_account_type(facts);
    let no_profile_files = matches!(facts.edge_profiles, Gathered::Missing(_));
    if let (true, Some(account_type)) = (no_profile_files, synced) {
        return from_sync_dump(account_type);
    }
    let profiles = need!(ID, &facts.edge_profiles);
    if !profiles.is_edge {
        return CheckResult::skipped(
            ID,
            SkipKind::Missing,
            "the profile files are from Chromium or Google Chrome, not Microsoft Edge (no edge_* keys); collect them from the Edge user-data folder",
        );
    }
    let edge = &[Feature::EdgeSync];
    let Some(active) = profiles.active() else {
        let finding = Finding::new(
            "ACCOUNT_NOT_SIGNED_IN",
            Severity::Fail,
            edge,
            "Edge has no profile.".into(),
        );
        return CheckResult::decided(
            ID,
            evidence([("account_kind", Value::from("not_signed_in"))]),
            vec![finding],
        );
    };
    let all_profiles: Vec<Value> = profiles
        .profiles
        .iter()
        .map(|p| json!({"profile": p.dir, "account_kind": p.kind.as_str(), "user": p.user_name}))
        .collect();
    let evidence = evidence([
        ("account_kind", Value::from(active.kind.as_str())),
        (
            "tenant_id",
            active.tenant_id.clone().map_or(Value::Null, Value::from),
        ),
        (
            "user",
            active.user_name.clone().map_or(Value::Null, Value::from),
        ),
        ("profile", Value::from(active.dir.clone())),
        (
            "edge_account_type",
            active.raw_account_type.clone().unwrap_or(Value::Null),
        ),
        ("profiles", Value::Array(all_profiles)),
    ]);
    let mut findings = profile_findings(active, facts);
    // The dump says what actually syncs, whatever the profile files suggest.
    let personal_sync = synced.is_some_and(|t| t.eq_ignore_ascii_case("MSA"));
    if personal_sync && !findings.iter().any(|f| f.code == "ACCOUNT_PERSONAL_MSA") {
        findings.push(Finding::new(
            "ACCOUNT_PERSONAL_MSA",
            Severity::Fail,
            edge,
            "edge://sync-internals says the account that syncs is a personal Microsoft account (Sync Account Type: MSA); enterprise sync needs a work or school account.".into(),
        ));
    }
    CheckResult::decided(ID, evidence, findings)
}

/// What the active profile's account says about enterprise sync.
fn profile_findings(active: &ProfileAccount, facts: &Facts) -> Vec<Finding> {
    let edge = &[Feature::EdgeSync];
    let user = active.user_name.clone().unwrap_or_default();
    let mut findings = Vec::new();
    match active.kind {
        AccountKind::Personal => findings.push(Finding::new(
            "ACCOUNT_PERSONAL_MSA",
            Severity::Fail,
            edge,
            format!("Edge profile \"{}\" is signed in with a personal Microsoft account ({user}); enterprise sync needs a work or school account.", active.dir),
        )),
        AccountKind::NotSignedIn => findings.push(Finding::new(
            "ACCOUNT_NOT_SIGNED_IN",
            Severity::Fail,
            edge,
            format!("Edge profile \"{}\" is not signed in.", active.dir),
        )),
        AccountKind::OnPremises => findings.push(Finding::new(
            "ACCOUNT_ON_PREMISES",
            Severity::Fail,
            edge,
            format!("Edge profile \"{}\" is signed in with an Active Directory account ({user}), which cannot use cloud sync.", active.dir),
        )),
        AccountKind::Unknown => findings.push(Finding::new(
            "ACCOUNT_TYPE_UNKNOWN",
            Severity::Warn,
            edge,
            format!(
                "Edge profile \"{}\" has an account type esr-doctor does not know (edge_account_type = {}); check edge://settings/profiles.",
                active.dir,
                active.raw_account_type.clone().unwrap_or(Value::Null)
            ),
        )),
        AccountKind::WorkOrSchool => {
            let device_tenant = facts.dsregcmd.found().and_then(|d| d.get("TenantId")).filter(|t| !t.is_empty());
            if let (Some(device), Some(profile)) = (device_tenant, active.tenant_id.as_deref())
                && !device.eq_ignore_ascii_case(profile)
            {
                findings.push(Finding::new(
                    "ACCOUNT_TENANT_MISMATCH",
                    Severity::Warn,
                    edge,
                    format!("The Edge account's tenant ({profile}) is not the tenant the device is registered in ({device}); sync follows the Edge account's tenant."),
                ));
            }
            if active.sync_consented == Some(false) {
                findings.push(Finding::new(
                    "ACCOUNT_SYNC_NOT_TURNED_ON",
                    Severity::Warn,
                    edge,
                    format!("{user} is signed in to Edge but has not turned sync on in this profile."),
                ));
            }
        }
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::{Gathered, dsregcmd, edge_profile};
    use crate::model::Status;

    fn run(entry: &str, dsreg: Option<&str>) -> CheckResult {
        let local_state = format!(r#"{{"profile":{{"info_cache":{{"Default":{entry}}}}}}}"#);
        let profiles = edge_profile::parse(Some(&local_state), &[])
            .map_or_else(|e| Gathered::Unreadable(e.to_string()), Gathered::Found);
        let facts = Facts {
            edge_profiles: profiles,
            dsregcmd: dsreg.map_or(Gathered::Missing("not in bundle".into()), |t| {
                Gathered::Found(dsregcmd::parse(t))
            }),
            ..Facts::default()
        };
        decide(&facts)
    }

    #[test]
    fn work_account_passes_and_reports_its_tenant() {
        let result = run(
            r#"{"user_name":"ann@fabrikam.com","edge_account_type":2,"edge_account_tenant_id":"t-1","is_consented_primary_account":true}"#,
            None,
        );
        assert_eq!(result.status, Status::Pass);
        assert_eq!(
            result.evidence.get("account_kind"),
            Some(&Value::from("work_or_school"))
        );
        assert_eq!(result.evidence.get("tenant_id"), Some(&Value::from("t-1")));
    }

    #[test]
    fn personal_and_signed_out_profiles_fail() {
        let personal = run(
            r#"{"user_name":"ann@outlook.com","edge_account_type":1}"#,
            None,
        );
        assert_eq!(
            (personal.status, personal.findings[0].code.as_str()),
            (Status::Fail, "ACCOUNT_PERSONAL_MSA")
        );
        assert_eq!(
            personal.evidence.get("account_kind"),
            Some(&Value::from("personal"))
        );
        let signed_out = run(r#"{"user_name":"","edge_account_type":0}"#, None);
        assert_eq!(signed_out.findings[0].code, "ACCOUNT_NOT_SIGNED_IN");
    }

    #[test]
    fn unknown_type_is_shown_raw_and_tenant_mismatch_warns() {
        let unknown = run(r#"{"user_name":"a@b.c","edge_account_type":3}"#, None);
        assert_eq!(unknown.status, Status::Warn);
        assert!(
            unknown.findings[0]
                .message
                .contains("edge_account_type = 3")
        );
        let mismatch = run(
            r#"{"user_name":"a@b.c","edge_account_type":2,"edge_account_tenant_id":"t-1","is_consented_primary_account":false}"#,
            Some("| Tenant Details |\n TenantId : t-2\n"),
        );
        let codes: Vec<&str> = mismatch.findings.iter().map(|f| f.code.as_str()).collect();
        assert_eq!(
            codes,
            ["ACCOUNT_TENANT_MISMATCH", "ACCOUNT_SYNC_NOT_TURNED_ON"]
        );
    }

    #[test]
    fn chromium_profile_is_skipped_not_failed() {
        let chromium = r#"{"user_name":"","gaia_id":""}"#;
        let result = run(chromium, None);
        assert_eq!(result.status, Status::Skipped);
        assert!(
            result
                .reason
                .as_deref()
                .is_some_and(|r| r.contains("not Microsoft Edge"))
        );
    }
}
