//! Do the user and the tenant hold a service plan that enables sync?
//!
//! Decided by service plan id (never SKU name) against the table derived from Microsoft's
//! licensing CSV. Edge sync accepts Entra ID P1/P2 or an Azure RMS plan; Windows settings
//! roaming needs Entra ID P1/P2. When RMS is active for the tenant, every user can Edge-sync
//! regardless of their own licence, so a missing per-user licence is then only a warning.

use super::{need, unanswered};
use crate::facts::tenant::graph::Sku;
use crate::facts::tenant::licensing::{EligiblePlan, PlanTable};
use crate::facts::tenant::rms::{Discovery, FunctionalState};
use crate::facts::{Facts, Gathered};
use crate::model::{CheckId, CheckResult, Feature, Finding, Severity, evidence};
use serde_json::Value;

const ID: CheckId = CheckId::License;
pub const CODES: &[&str] = &[
    "LICENSE_NONE_ELIGIBLE",
    "LICENSE_USER_NOT_ASSIGNED",
    "LICENSE_PLAN_DISABLED",
    "LICENSE_NO_ENTRA_PREMIUM",
];

/// Eligible plans in `skus`: (active ones, assigned-but-disabled ones).
fn eligible<'t>(
    table: &'t PlanTable,
    skus: &[Sku],
) -> (Vec<&'t EligiblePlan>, Vec<&'t EligiblePlan>) {
    let mut active = Vec::new();
    let mut disabled = Vec::new();
    for sku in skus.iter().filter(|s| s.is_usable()) {
        for plan in &sku.service_plans {
            if let Some(known) = table.plan(&plan.service_plan_id) {
                let list = if plan.is_active() {
                    &mut active
                } else {
                    &mut disabled
                };
                if !list.contains(&known) {
                    list.push(known);
                }
            }
        }
    }
    (active, disabled)
}

fn names(plans: &[&EligiblePlan]) -> Value {
    Value::Array(plans.iter().map(|p| Value::from(p.name.clone())).collect())
}

fn any_enables(plans: &[&EligiblePlan], feature: Feature) -> bool {
    plans.iter().any(|p| PlanTable::enables(p, feature))
}

/// RMS is known to be active for the tenant (either view says so).
pub(crate) fn rms_active(facts: &Facts) -> Option<bool> {
    let Gathered::Found(rms) = &facts.rms else {
        return None;
    };
    let discovery = rms.discovery.as_ref().and_then(|d| d.as_ref().ok());
    let state = rms.functional_state.as_ref().and_then(|s| s.as_ref().ok());
    match (discovery, state) {
        (Some(Discovery::Services(_)), _) | (_, Some(FunctionalState::Enabled)) => Some(true),
        (Some(Discovery::TenantNotActivated), _) | (_, Some(FunctionalState::Disabled)) => {
            Some(false)
        }
        _ => None,
    }
}

pub fn decide(facts: &Facts) -> CheckResult {
    let graph = need!(ID, &facts.graph);
    let table = PlanTable::builtin();
    let user_skus = graph.license_details.as_ref().and_then(|r| r.as_ref().ok());
    // `/subscribedSkus` needs an admin role; `/organization`'s plans are readable by anyone.
    let subscribed = graph.subscribed_skus.as_ref().and_then(|r| r.as_ref().ok());
    let organization_plans = graph
        .organization
        .as_ref()
        .and_then(|o| o.as_ref().ok())
        .and_then(super::super::facts::tenant::graph::Organization::plans_as_sku);
    let (tenant_skus, tenant_plans_from): (Option<&[Sku]>, &str) =
        match (subscribed, &organization_plans) {
            (Some(skus), _) => (Some(skus.as_slice()), "subscribedSkus"),
            (None, Some(plans)) => (
                Some(std::slice::from_ref(plans)),
                "organization assignedPlans",
            ),
            (None, None) => (None, "none"),
        };
    if user_skus.is_none() && tenant_skus.is_none() {
        let failure = [&graph.license_details, &graph.subscribed_skus]
            .into_iter()
            .flatten()
            .find_map(|r| r.as_ref().err());
        return match failure {
            Some(e) => unanswered(ID, e),
            None => CheckResult::error(
                ID,
                "no licence answers (licenseDetails, subscribedSkus) were recorded",
            ),
        };
    }
    let (user_active, user_disabled) = user_skus.map(|s| eligible(table, s)).unwrap_or_default();
    let (tenant_active, _) = tenant_skus.map(|s| eligible(table, s)).unwrap_or_default();
    let rms_active = rms_active(facts);
    let evidence = evidence([
        (
            "user_skus",
            user_skus.map_or(Value::Null, |s| {
                Value::Array(
                    s.iter()
                        .map(|k| Value::from(k.sku_part_number.clone()))
                        .collect(),
                )
            }),
        ),
        (
            "user_plans",
            user_skus.map_or(Value::Null, |_| names(&user_active)),
        ),
        (
            "tenant_plans",
            tenant_skus.map_or(Value::Null, |_| names(&tenant_active)),
        ),
        ("tenant_plans_from", Value::from(tenant_plans_from)),
        ("rms_active", rms_active.map_or(Value::Null, Value::from)),
    ]);
    let both = [Feature::EdgeSync, Feature::WindowsSettings];
    let tenant_has_none =
        tenant_skus.is_some() && tenant_active.is_empty() && user_active.is_empty();
    // The user's own licences are unknown: only a tenant that owns no eligible plan at all is
    // still decided; anything else would pass on a guess.
    if let Some(Err(user_failure)) = &graph.license_details
        && !tenant_has_none
    {
        return unanswered(ID, user_failure);
    }
    if tenant_has_none {
        let finding = Finding::new(
            "LICENSE_NONE_ELIGIBLE",
            Severity::Fail,
            &both,
            "The tenant has no subscription with a plan that enables sync (Entra ID P1/P2 or an Azure Rights Management plan).".into(),
        );
        return CheckResult::decided(ID, evidence, vec![finding]);
    }
    let findings = if user_skus.is_some() {
        user_findings(&user_active, &user_disabled, rms_active)
    } else {
        Vec::new()
    };
    CheckResult::decided(ID, evidence, findings)
}

/// What the user's own licences lack, given that the tenant owns an eligible plan.
fn user_findings(
    user_active: &[&EligiblePlan],
    user_disabled: &[&EligiblePlan],
    rms_active: Option<bool>,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    if !any_enables(user_active, Feature::EdgeSync) {
        let severity = if rms_active == Some(true) {
            Severity::Warn
        } else {
            Severity::Fail
        };
        let note = if severity == Severity::Warn {
            " Azure RMS is active for the tenant, so Edge sync works regardless; assign the licence to stay compliant."
        } else {
            ""
        };
        let (code, what) = if user_disabled
            .iter()
            .any(|p| PlanTable::enables(p, Feature::EdgeSync))
        {
            (
                "LICENSE_PLAN_DISABLED",
                format!(
                    "The user's licence includes {} but that plan is turned off.",
                    plan_list(user_disabled)
                ),
            )
        } else {
            ("LICENSE_USER_NOT_ASSIGNED", "The user has no licence with a plan that enables Edge sync, although the tenant owns one.".to_owned())
        };
        findings.push(Finding::new(
            code,
            severity,
            &[Feature::EdgeSync],
            format!("{what}{note}"),
        ));
    }
    if !any_enables(user_active, Feature::WindowsSettings) {
        findings.push(Finding::new(
            "LICENSE_NO_ENTRA_PREMIUM",
            Severity::Fail,
            &[Feature::WindowsSettings],
            "Windows settings roaming needs an Entra ID P1 or P2 licence assigned to the user; none is.".into(),
        ));
    }
    findings
}

fn plan_list(plans: &[&EligiblePlan]) -> String {
    plans
        .iter()
        .map(|p| p.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::tenant::{graph, rms};
    use crate::facts::{GraphFacts, RmsFacts};
    use crate::model::Status;

    const E3_USER: &str = r#"{"value":[{"skuId":"05e9a617-0261-4cee-bb44-138d3ef5d965","skuPartNumber":"SPE_E3","servicePlans":[
        {"servicePlanId":"bea4c11e-220a-4e6d-8eb8-8ea15d019f90","servicePlanName":"RMS_S_ENTERPRISE","provisioningStatus":"Success"},
        {"servicePlanId":"41781fb2-bc02-4b7c-bd55-b576c07bb09d","servicePlanName":"AAD_PREMIUM","provisioningStatus":"Success"}]}]}"#;
    const BASIC: &str = r#"{"value":[{"skuId":"3b555118-da6a-4418-894f-7df1e2096870","skuPartNumber":"O365_BUSINESS_ESSENTIALS","capabilityStatus":"Enabled","servicePlans":[
        {"servicePlanId":"57ff2da0-773e-42df-b2af-ffb7a2317929","servicePlanName":"TEAMS1","provisioningStatus":"Success"}]}]}"#;
    const NOTHING: &str = r#"{"value":[]}"#;

    fn run(user: Option<&str>, tenant: Option<&str>, rms_state: Option<&str>) -> CheckResult {
        let facts = Facts {
            graph: Gathered::Found(GraphFacts {
                license_details: user.map(|t| graph::parse_license_details("l", t)),
                subscribed_skus: tenant.map(|t| graph::parse_subscribed_skus("s", t)),
                ..GraphFacts::default()
            }),
            rms: rms_state.map_or(Gathered::Missing("x".into()), |s| {
                Gathered::Found(RmsFacts {
                    functional_state: Some(rms::parse_functional_state("f", s)),
                    ..RmsFacts::default()
                })
            }),
            ..Facts::default()
        };
        decide(&facts)
    }

    fn codes(r: &CheckResult) -> Vec<(&str, Severity)> {
        r.findings
            .iter()
            .map(|f| (f.code.as_str(), f.severity))
            .collect()
    }

    #[test]
    fn e3_user_passes() {
        let result = run(Some(E3_USER), Some(E3_USER), None);
        assert_eq!(result.status, Status::Pass);
        assert_eq!(
            result.evidence.get("user_plans"),
            Some(&serde_json::json!(["RMS_S_ENTERPRISE", "AAD_PREMIUM"]))
        );
    }

    #[test]
    fn tenant_without_any_eligible_plan_fails_both_features() {
        let result = run(Some(BASIC), Some(BASIC), None);
        assert_eq!(codes(&result), [("LICENSE_NONE_ELIGIBLE", Severity::Fail)]);
        assert_eq!(
            result.findings[0].affects,
            [Feature::EdgeSync, Feature::WindowsSettings]
        );
    }

    #[test]
    fn unlicensed_user_is_a_warning_once_rms_is_active() {
        let without_rms = run(Some(NOTHING), Some(E3_USER), Some("0"));
        assert_eq!(
            codes(&without_rms),
            [
                ("LICENSE_USER_NOT_ASSIGNED", Severity::Fail),
                ("LICENSE_NO_ENTRA_PREMIUM", Severity::Fail)
            ]
        );
        let with_rms = run(Some(NOTHING), Some(E3_USER), Some("1"));
        assert_eq!(
            codes(&with_rms)[0],
            ("LICENSE_USER_NOT_ASSIGNED", Severity::Warn)
        );
    }

    #[test]
    fn disabled_plan_is_named() {
        let disabled = E3_USER.replace("\"Success\"", "\"Disabled\"");
        let result = run(Some(&disabled), Some(E3_USER), None);
        assert_eq!(codes(&result)[0].0, "LICENSE_PLAN_DISABLED");
        assert!(result.findings[0].message.contains("RMS_S_ENTERPRISE"));
    }

    #[test]
    fn unreadable_answers_are_an_error_not_a_pass() {
        let result = run(Some("{oops"), None, None);
        assert_eq!(result.status, Status::Error);
        assert!(
            result
                .reason
                .as_deref()
                .is_some_and(|r| r.contains("not valid JSON"))
        );
    }

    #[test]
    fn the_tenant_plans_come_from_organization_when_subscribed_skus_is_refused() {
        let organization = |status: &str| {
            format!(
                r#"{{"value":[{{"id":"t","assignedPlans":[{{"servicePlanId":"bea4c11e-220a-4e6d-8eb8-8ea15d019f90","capabilityStatus":"{status}","service":"RMSOnline"}}]}}]}}"#
            )
        };
        let facts = |status: &str| Facts {
            graph: Gathered::Found(GraphFacts {
                license_details: Some(graph::parse_license_details("l", NOTHING)),
                subscribed_skus: Some(graph::parse_subscribed_skus(
                    "s",
                    r#"{"error":{"code":"Authorization_RequestDenied","message":"Insufficient privileges"}}"#,
                )),
                organization: Some(graph::parse_organization("o", &organization(status))),
                ..GraphFacts::default()
            }),
            ..Facts::default()
        };
        let owned = decide(&facts("Enabled"));
        assert_eq!(
            owned.evidence.get("tenant_plans_from"),
            Some(&Value::from("organization assignedPlans"))
        );
        assert_eq!(codes(&owned)[0].0, "LICENSE_USER_NOT_ASSIGNED");
        let deleted = decide(&facts("Deleted"));
        assert_eq!(codes(&deleted), [("LICENSE_NONE_ELIGIBLE", Severity::Fail)]);
    }
}
