//! Do Edge policies turn sync off or limit it?
//!
//! Only mandatory values block: a recommended `SyncDisabled` is a default the user can change.

use super::need;
use crate::facts::Facts;
use crate::facts::edge_policy::{EdgePolicies, PolicyLevel, as_bool, as_int};
use crate::model::{CheckId, CheckResult, Feature, Finding, Severity, evidence};
use regex::Regex;
use serde_json::{Map, Value};

const ID: CheckId = CheckId::EdgePolicy;
pub const CODES: &[&str] = &[
    "POLICY_SYNC_DISABLED",
    "POLICY_SYNC_DISABLED_RECOMMENDED",
    "POLICY_BROWSER_SIGNIN_DISABLED",
    "POLICY_SIGNIN_PATTERN_MISMATCH",
    "POLICY_SIGNIN_PATTERN_UNCHECKED",
    "POLICY_SYNC_TYPES_LIMITED",
    "POLICY_HISTORY_SYNC_OFF",
    "POLICY_ON_PREMISES_PROFILE",
    "POLICY_ROAMING_PROFILE",
];

/// Policies that matter for sync, shown as evidence when set.
const RELEVANT: [&str; 11] = [
    "SyncDisabled",
    "BrowserSignin",
    "RestrictSigninToPattern",
    "SyncTypesListDisabled",
    "ForceSync",
    "ForceSyncTypes",
    "SavingBrowserHistoryDisabled",
    "AllowDeletingBrowserHistory",
    "ConfigureOnPremisesAccountAutoSignIn",
    "OnlyOnPremisesImplicitSigninEnabled",
    "RoamingProfileSupportEnabled",
];

const EDGE: &[Feature] = &[Feature::EdgeSync];

pub fn decide(facts: &Facts) -> CheckResult {
    let policies = need!(ID, &facts.edge_policies);
    let shown: Map<String, Value> = RELEVANT
        .iter()
        .filter_map(|name| {
            let policy = policies.get(name)?;
            let level = match policy.level {
                PolicyLevel::Mandatory => "mandatory",
                PolicyLevel::Recommended => "recommended",
            };
            Some((
                policy.name.clone(),
                serde_json::json!({"value": policy.value, "level": level}),
            ))
        })
        .collect();
    let user = facts
        .edge_profiles
        .found()
        .and_then(|p| p.active())
        .and_then(|a| a.user_name.clone());
    let findings = findings(policies, user.as_deref());
    let evidence = evidence([("policies", Value::Object(shown))]);
    // A pattern that could not be evaluated leaves the check undecided unless something fails.
    let unchecked = findings
        .iter()
        .position(|f| f.code == "POLICY_SIGNIN_PATTERN_UNCHECKED");
    match unchecked {
        Some(at) if !findings.iter().any(|f| f.severity == Severity::Fail) => {
            CheckResult::undecided_by(ID, evidence, findings, at)
        }
        _ => CheckResult::decided(ID, evidence, findings),
    }
}

fn mandatory_bool(policies: &EdgePolicies, name: &str) -> Option<bool> {
    policies.mandatory(name).and_then(as_bool)
}

fn findings(policies: &EdgePolicies, user: Option<&str>) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut add = |code: &str, severity, message: String| {
        out.push(Finding::new(code, severity, EDGE, message));
    };
    if mandatory_bool(policies, "SyncDisabled") == Some(true) {
        add("POLICY_SYNC_DISABLED", Severity::Fail, "The SyncDisabled policy is set: Edge shows \"Sync has been turned off by your administrator\".".into());
    } else if policies.get("SyncDisabled").and_then(|p| as_bool(&p.value)) == Some(true) {
        add(
            "POLICY_SYNC_DISABLED_RECOMMENDED",
            Severity::Info,
            "SyncDisabled is set as a recommended policy only; users can still turn sync on."
                .into(),
        );
    }
    if policies.mandatory("BrowserSignin").and_then(as_int) == Some(0) {
        add(
            "POLICY_BROWSER_SIGNIN_DISABLED",
            Severity::Fail,
            "BrowserSignin = 0 (Disable): users cannot sign in to Edge, so nothing can sync."
                .into(),
        );
    }
    if let (Some(pattern), Some(user)) = (
        policies
            .mandatory("RestrictSigninToPattern")
            .and_then(Value::as_str),
        user,
    ) {
        // Edge matches the whole account name against the pattern, case-sensitively.
        match Regex::new(&format!("^(?:{pattern})$")) {
            Ok(re) if !re.is_match(user) => add(
                "POLICY_SIGNIN_PATTERN_MISMATCH",
                Severity::Fail,
                format!(
                    "RestrictSigninToPattern ({pattern}) does not match the signed-in account {user}; Edge blocks or signs out that account."
                ),
            ),
            Ok(_) => {}
            Err(e) => add(
                "POLICY_SIGNIN_PATTERN_UNCHECKED",
                Severity::Warn,
                format!(
                    "RestrictSigninToPattern ({pattern}) could not be evaluated ({}); whether it admits {user} must be checked by hand.",
                    e.to_string()
                        .lines()
                        .last()
                        .unwrap_or("not a regular expression")
                        .trim()
                ),
            ),
        }
    }
    if let Some(Value::Array(types)) = policies.mandatory("SyncTypesListDisabled")
        && !types.is_empty()
    {
        let list: Vec<String> = types
            .iter()
            .map(|t| t.as_str().map_or_else(|| t.to_string(), str::to_owned))
            .collect();
        add(
            "POLICY_SYNC_TYPES_LIMITED",
            Severity::Warn,
            format!(
                "SyncTypesListDisabled stops these types from syncing: {}.",
                list.join(", ")
            ),
        );
    }
    let history_off = mandatory_bool(policies, "SavingBrowserHistoryDisabled") == Some(true)
        || mandatory_bool(policies, "AllowDeletingBrowserHistory") == Some(false);
    if history_off {
        add("POLICY_HISTORY_SYNC_OFF", Severity::Warn, "A history policy (SavingBrowserHistoryDisabled = 1 or AllowDeletingBrowserHistory = 0) turns history and open-tabs sync off.".into());
    }
    let on_prem = policies
        .mandatory("ConfigureOnPremisesAccountAutoSignIn")
        .and_then(as_int)
        == Some(1)
        || mandatory_bool(policies, "OnlyOnPremisesImplicitSigninEnabled") == Some(true);
    if on_prem {
        add("POLICY_ON_PREMISES_PROFILE", Severity::Warn, "A policy signs Edge in with the Active Directory account; such a profile cannot use cloud sync.".into());
    }
    if mandatory_bool(policies, "RoamingProfileSupportEnabled") == Some(true) {
        add("POLICY_ROAMING_PROFILE", Severity::Warn, "RoamingProfileSupportEnabled is on: Active Directory profiles roam through a file share instead of cloud sync.".into());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::{Gathered, edge_policy};
    use crate::model::Status;

    fn run(json: &str, user: Option<&str>) -> CheckResult {
        let policies =
            edge_policy::parse_json("p", json, PolicyLevel::Mandatory).unwrap_or_default();
        let mut facts = Facts {
            edge_policies: Gathered::Found(policies),
            ..Facts::default()
        };
        if let Some(user) = user {
            let state = format!(
                r#"{{"profile":{{"info_cache":{{"Default":{{"user_name":"{user}","edge_account_type":2}}}}}}}}"#
            );
            facts.edge_profiles = Gathered::Found(
                crate::facts::edge_profile::parse(Some(&state), &[]).unwrap_or_default(),
            );
        }
        decide(&facts)
    }

    #[test]
    fn sync_disabled_blocks_only_when_mandatory() {
        assert_eq!(
            run(r#"{"SyncDisabled": true}"#, None).codes(),
            ["POLICY_SYNC_DISABLED"]
        );
        let recommended = run(r#"{"recommended": {"SyncDisabled": true}}"#, None);
        assert_eq!(
            (recommended.status, recommended.codes()),
            (Status::Pass, vec!["POLICY_SYNC_DISABLED_RECOMMENDED"])
        );
        assert_eq!(
            run(r#"{"SyncDisabled": false, "ForceSync": true}"#, None).status,
            Status::Pass
        );
    }

    #[test]
    fn limits_and_sign_in_pattern() {
        let result = run(
            r#"{"SyncTypesListDisabled": ["passwords"], "BrowserSignin": 0, "RestrictSigninToPattern": ".*@fabrikam\\.com", "AllowDeletingBrowserHistory": false}"#,
            Some("ann@contoso.com"),
        );
        assert_eq!(
            result.codes(),
            [
                "POLICY_BROWSER_SIGNIN_DISABLED",
                "POLICY_SIGNIN_PATTERN_MISMATCH",
                "POLICY_SYNC_TYPES_LIMITED",
                "POLICY_HISTORY_SYNC_OFF"
            ]
        );
        let matching = run(
            r#"{"RestrictSigninToPattern": ".*@fabrikam\\.com"}"#,
            Some("ann@fabrikam.com"),
        );
        assert_eq!(matching.status, Status::Pass);
        assert!(
            matching
                .evidence
                .get("policies")
                .is_some_and(|p| p.get("RestrictSigninToPattern").is_some())
        );
    }
}
