//! Is Enterprise State Roaming on for this user ("Users may sync settings and app data across
//! devices" = All, or Selected with the user in scope)?
//!
//! Windows settings roaming always needs it. Edge sync needs it only in the two cases Edge's
//! troubleshooting guide names: the tenant's eligibility comes from Entra ID P1/P2 alone (ESR
//! then supplies the RMS piece), or RMS is active but Edge still reports `DISABLED_BY_ADMIN`.

use super::{cloud_offer, need, unanswered};
use crate::facts::Facts;
use crate::facts::tenant::AnswerError;
use crate::facts::tenant::esr::SyncSetting;
use crate::facts::tenant::licensing::PlanTable;
use crate::model::{CheckId, CheckResult, Feature, Finding, Severity, evidence};
use serde_json::Value;

const ID: CheckId = CheckId::TenantEsr;
pub const CODES: &[&str] = &[
    "ESR_DISABLED",
    "ESR_USER_NOT_IN_SCOPE",
    "ESR_SCOPE_UNVERIFIED",
    "ESR_SETTING_UNKNOWN",
    "ESR_NOT_OFFERED",
];

pub fn decide(facts: &Facts) -> CheckResult {
    if let Some(not_offered) = cloud_offer::esr_not_offered(ID, facts) {
        return not_offered;
    }
    let settings = need!(ID, &facts.esr);
    let raw = settings.raw_setting.clone();
    let scope_names: Vec<Value> = settings
        .selected
        .iter()
        .map(|p| Value::from(p.display_name.clone().unwrap_or_else(|| p.id.clone())))
        .collect();
    let in_scope = match user_in_scope(facts, settings) {
        // Only a Selected scope needs the user's groups; a failed lookup then leaves it open.
        Err(e) if settings.sync_setting == SyncSetting::Selected => return unanswered(ID, e),
        Err(_) => None,
        Ok(known) => known,
    };
    let mut evidence = evidence([
        ("sync_setting", Value::from(settings.sync_setting.as_str())),
        ("sync_setting_raw", raw.clone()),
        ("selected", Value::Array(scope_names.clone())),
        ("user_in_scope", in_scope.map_or(Value::Null, Value::from)),
    ]);
    let affects = affected_features(facts);
    let findings = match &settings.sync_setting {
        SyncSetting::All => Vec::new(),
        SyncSetting::None => vec![Finding::new(
            "ESR_DISABLED",
            Severity::Fail,
            &affects,
            "Enterprise State Roaming is off for the whole tenant (\"Users may sync settings and app data across devices\" = None).".into(),
        )],
        SyncSetting::Selected => match in_scope {
            Some(true) => Vec::new(),
            Some(false) => vec![Finding::new(
                "ESR_USER_NOT_IN_SCOPE",
                Severity::Fail,
                &affects,
                format!("Enterprise State Roaming is on only for selected groups ({}), and this user is in none of them.", join(&scope_names)),
            )],
            None => vec![Finding::new(
                "ESR_SCOPE_UNVERIFIED",
                Severity::Warn,
                &affects,
                format!("Enterprise State Roaming is on for selected groups ({}); the user's group memberships were not available to confirm they are in scope.", join(&scope_names)),
            )],
        },
        SyncSetting::Unknown(_) => vec![Finding::new(
            "ESR_SETTING_UNKNOWN",
            Severity::Warn,
            &affects,
            format!("The ESR setting has a value esr-doctor does not know: syncSetting = {raw}."),
        )],
    };
    if affects.contains(&Feature::EdgeSync) {
        evidence.insert("edge_sync_needs_esr".into(), Value::Bool(true));
    }
    CheckResult::decided(ID, evidence, findings)
}

fn join(names: &[Value]) -> String {
    names
        .iter()
        .filter_map(Value::as_str)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Whether the signed-in user (or one of their groups) is in the Selected scope; unknown
/// without the user's memberships, and the failure when looking them up failed.
fn user_in_scope<'f>(
    facts: &'f Facts,
    settings: &crate::facts::tenant::esr::RoamingSettings,
) -> Result<Option<bool>, &'f AnswerError> {
    let Some(graph) = facts.graph.found() else {
        return Ok(None);
    };
    let user_id = graph
        .me
        .as_ref()
        .and_then(|m| m.as_ref().ok())
        .map(|u| u.id.as_str());
    let groups = match &graph.member_of {
        None => return Ok(None),
        Some(Err(e)) => return Err(e),
        Some(Ok(groups)) => groups,
    };
    let group_ids: Vec<&str> = groups.iter().map(|g| g.id.as_str()).collect();
    Ok(Some(settings.includes(user_id, &group_ids)))
}

/// Windows settings always; Edge sync too when the Edge guide says ESR matters for it.
fn affected_features(facts: &Facts) -> Vec<Feature> {
    let disabled_by_admin = facts
        .sync_internals
        .found()
        .is_some_and(|d| d.mentions("DISABLED_BY_ADMIN"));
    if disabled_by_admin || eligible_only_through_entra_premium(facts) {
        vec![Feature::EdgeSync, Feature::WindowsSettings]
    } else {
        vec![Feature::WindowsSettings]
    }
}

/// The user's active eligible plans are all Entra ID P1/P2 (no RMS plan).
fn eligible_only_through_entra_premium(facts: &Facts) -> bool {
    let Some(Ok(skus)) = facts.graph.found().and_then(|g| g.license_details.as_ref()) else {
        return false;
    };
    let table = PlanTable::builtin();
    let eligible: Vec<_> = skus
        .iter()
        .flat_map(|s| &s.service_plans)
        .filter(|p| p.is_active())
        .filter_map(|p| table.plan(&p.service_plan_id))
        .collect();
    !eligible.is_empty() && eligible.iter().all(|p| PlanTable::is_entra_premium(p))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::tenant::{esr, graph};
    use crate::facts::{Gathered, GraphFacts, sync_internals};
    use crate::model::Status;

    const P1_ONLY: &str = r#"{"value":[{"skuId":"078d2b04-f1bd-4111-bbd4-b4b1b354cef4","skuPartNumber":"AAD_PREMIUM","servicePlans":[{"servicePlanId":"41781fb2-bc02-4b7c-bd55-b576c07bb09d","servicePlanName":"AAD_PREMIUM","provisioningStatus":"Success"}]}]}"#;

    fn facts(esr_text: &str, groups: Option<&str>, licences: Option<&str>) -> Facts {
        Facts {
            esr: Gathered::Found(esr::parse("r", esr_text).unwrap_or_else(|e| panic!("{e}"))),
            graph: Gathered::Found(GraphFacts {
                me: Some(graph::parse_me("m", r#"{"id":"u-1"}"#)),
                member_of: groups.map(|g| graph::parse_member_of("g", g)),
                license_details: licences.map(|l| graph::parse_license_details("l", l)),
                ..GraphFacts::default()
            }),
            ..Facts::default()
        }
    }

    const SELECTED: &str = r#"{"syncSetting":1,"syncSelectedUsers":[{"id":"g-esr","displayName":"ESR users","type":2}]}"#;

    #[test]
    fn all_passes_none_fails_for_windows_settings_only() {
        assert_eq!(
            decide(&facts(r#"{"syncSetting":0}"#, None, None)).status,
            Status::Pass
        );
        let none = decide(&facts(r#"{"syncSetting":2}"#, None, None));
        assert_eq!(none.status, Status::Fail);
        assert_eq!(
            none.evidence.get("sync_setting"),
            Some(&Value::from("none"))
        );
        assert_eq!(none.findings[0].affects, [Feature::WindowsSettings]);
    }

    #[test]
    fn entra_premium_only_tenants_need_esr_for_edge_sync_too() {
        let none = decide(&facts(r#"{"syncSetting":2}"#, None, Some(P1_ONLY)));
        assert_eq!(
            none.findings[0].affects,
            [Feature::EdgeSync, Feature::WindowsSettings]
        );
    }

    #[test]
    fn disabled_by_admin_in_edge_pulls_edge_sync_in() {
        let mut f = facts(r#"{"syncSetting":2}"#, None, None);
        let dump = r#"{"details":[{"title":"Summary","data":[{"stat_name":"Transport State","stat_value":"DISABLED_BY_ADMIN"}]}]}"#;
        f.sync_internals = Gathered::Found(sync_internals::parse(dump).unwrap_or_default());
        assert!(decide(&f).findings[0].affects.contains(&Feature::EdgeSync));
    }

    #[test]
    fn selected_scope() {
        let member = decide(&facts(
            SELECTED,
            Some(r#"{"value":[{"id":"g-esr"}]}"#),
            None,
        ));
        assert_eq!(member.status, Status::Pass);
        assert_eq!(
            member.evidence.get("user_in_scope"),
            Some(&Value::Bool(true))
        );
        let outsider = decide(&facts(
            SELECTED,
            Some(r#"{"value":[{"id":"g-other"}]}"#),
            None,
        ));
        assert_eq!(
            (outsider.status, outsider.findings[0].code.as_str()),
            (Status::Fail, "ESR_USER_NOT_IN_SCOPE")
        );
        assert_eq!(
            outsider.evidence.get("sync_setting"),
            Some(&Value::from("selected"))
        );
        let unknown = decide(&facts(SELECTED, None, None));
        assert_eq!(unknown.findings[0].code, "ESR_SCOPE_UNVERIFIED");
    }

    #[test]
    fn unknown_values_are_shown_raw() {
        let odd = decide(&facts(r#"{"syncSetting":5}"#, None, None));
        assert_eq!(
            odd.evidence.get("sync_setting"),
            Some(&Value::from("unknown"))
        );
        assert_eq!(odd.evidence.get("sync_setting_raw"), Some(&Value::from(5)));
        assert!(odd.findings[0].message.contains("syncSetting = 5"));
    }
}
