//! Is Azure Rights Management (AIP) activated for the tenant, and not scoped away from the user?
//!
//! Edge encrypts synced data with the tenant's RMS key, so without RMS Edge reports
//! `DISABLED_BY_ADMIN`. The admin view (`FunctionalState`) and the user view (service discovery)
//! are both used; either one is enough to decide. The admin view also tells whether the
//! onboarding control policy limits RMS to a group the user is not in, and whether the IPCv3
//! service Edge needs is on.

use super::{cloud_offer, conditional_access, need, onboarding, unanswered, unless_unanswered};
use crate::facts::tenant::rms::{Discovery, FunctionalState, Ipcv3State, OnboardingPolicy};
use crate::facts::{Facts, failed};
use crate::model::{CheckId, CheckResult, Feature, Finding, Severity, evidence};
use serde_json::Value;

const ID: CheckId = CheckId::Rms;
pub const CODES: &[&str] = &[
    "RMS_NOT_ACTIVATED",
    "RMS_USER_SCOPED_OUT",
    "RMS_PLATFORM_DISABLED",
    "RMS_UNKNOWN_TENANT",
    "RMS_STATE_UNKNOWN",
    "RMS_SCOPE_UNVERIFIED",
    "RMS_IPCV3_DISABLED",
    "RMS_USER_NOT_LICENSED",
    "EDGE_SYNC_NOT_OFFERED",
    "EDGE_SYNC_OFFER_UNCLEAR",
];

pub fn decide(facts: &Facts) -> CheckResult {
    if let Some(not_offered) = cloud_offer::edge_sync_not_offered(ID, facts) {
        return not_offered;
    }
    let rms = need!(ID, &facts.rms);
    let discovery = rms.discovery.as_ref().and_then(|d| d.as_ref().ok());
    let state = rms.functional_state.as_ref().and_then(|s| s.as_ref().ok());
    if discovery.is_none() && state.is_none() {
        let failure = [
            rms.discovery.as_ref().and_then(|d| d.as_ref().err()),
            rms.functional_state.as_ref().and_then(|s| s.as_ref().err()),
        ]
        .into_iter()
        .flatten()
        .next();
        return match failure {
            Some(e) => unanswered(ID, e),
            None => CheckResult::error(ID, "no RMS answers were recorded"),
        };
    }
    // The admin's view decides where it knows; else the user's discovery tells.
    let activation = match (state, discovery) {
        (Some(s @ (FunctionalState::Enabled | FunctionalState::Disabled)), _) => s.clone(),
        (_, Some(Discovery::Services(_))) => FunctionalState::Enabled,
        (_, Some(Discovery::TenantNotActivated)) => FunctionalState::Disabled,
        _ => FunctionalState::Unknown(Value::Null),
    };
    let not_activated = activation == FunctionalState::Disabled;
    let edge = &[Feature::EdgeSync];
    let mut findings: Vec<Finding> = cloud_offer::edge_sync_offer_unclear(facts)
        .into_iter()
        .collect();
    if not_activated {
        findings.push(Finding::new(
            "RMS_NOT_ACTIVATED",
            Severity::Fail,
            edge,
            "Azure Rights Management is not activated for the tenant; Edge cannot encrypt synced data and reports DISABLED_BY_ADMIN.".into(),
        ));
    }
    if let Some(FunctionalState::Unknown(raw)) = state {
        findings.push(Finding::new(
            "RMS_STATE_UNKNOWN",
            Severity::Warn,
            edge,
            format!("The RMS FunctionalState has a value esr-doctor does not know: {raw}."),
        ));
    }
    let onboarding = rms.onboarding.as_ref().and_then(|p| p.as_ref().ok());
    let limiting_group = onboarding.and_then(|p| p.limiting_group());
    findings.extend(discovery.and_then(|d| discovery_finding(d, limiting_group, facts)));
    if let Some(policy) = onboarding
        && discovery != Some(&Discovery::UserScopedOut)
    {
        let groups = super::user_group_ids(facts);
        let label = limiting_group.map(|g| named_group(facts, g));
        findings.extend(onboarding::findings(
            policy,
            facts,
            groups.as_deref(),
            label.as_deref(),
        ));
    }
    let ipcv3 = rms.ipcv3.as_ref().and_then(|s| s.as_ref().ok());
    // A tenant that never activated RMS has IPCv3 off too; activating comes first.
    if ipcv3 == Some(&Ipcv3State::Disabled) && !not_activated {
        findings.push(Finding::new(
            "RMS_IPCV3_DISABLED",
            Severity::Fail,
            edge,
            "The Azure RMS IPCv3 service is disabled for the tenant (IPCv3ServiceFunctionalState = Disabled); Edge sync needs it.".into(),
        ));
    }
    findings.extend(conditional_access::findings(facts));
    let evidence = rms_evidence(&activation, discovery, onboarding, ipcv3, facts);
    // The admin's view is the only place some failures show (a failing service locator is
    // recorded against FunctionalState): losing it leaves the check unconfirmed.
    // Conditional Access that could not be read may block sync; so may a policy asking a
    // device whose object could not be read.
    let graph = facts.graph.found();
    let policies_lost = graph.and_then(|g| failed(&g.conditional_access));
    let device_lost = findings
        .iter()
        .any(|f| f.code == "CA_MAY_BLOCK_SYNC")
        .then(|| graph.and_then(|g| failed(&g.devices)))
        .flatten();
    let unconfirmed = [
        rms.functional_state.as_ref().and_then(|a| a.as_ref().err()),
        rms.onboarding.as_ref().and_then(|a| a.as_ref().err()),
        rms.ipcv3.as_ref().and_then(|a| a.as_ref().err()),
        policies_lost,
        device_lost,
    ];
    unless_unanswered(CheckResult::decided(ID, evidence, findings), unconfirmed)
}

/// For an admin's setup: the IPCv3 service is off although the result reports only that RMS
/// is not activated (a user must activate first, so `decide` names that alone; an admin sees
/// both steps at once).
pub fn ipcv3_off_behind_activation(result: &CheckResult) -> Option<Finding> {
    let off = result.evidence.get("ipcv3_service").and_then(Value::as_str) == Some("disabled");
    off.then(|| {
        Finding::new(
            "RMS_IPCV3_DISABLED",
            Severity::Fail,
            &[Feature::EdgeSync],
            format!("{} reports ipcv3_service = disabled.", result.title),
        )
    })
}

/// What the user's RMS service discovery says besides activation: scoped out, a refused
/// platform, an unknown tenant or an error esr-doctor does not know.
fn discovery_finding(
    discovery: &Discovery,
    limiting_group: Option<&str>,
    facts: &Facts,
) -> Option<Finding> {
    let edge = &[Feature::EdgeSync];
    match discovery {
        Discovery::UserScopedOut => Some(Finding::new(
            "RMS_USER_SCOPED_OUT",
            Severity::Fail,
            edge,
            match limiting_group {
                Some(id) => format!(
                    "Azure RMS is active but disabled for this user: the onboarding control policy limits it to the group {}.",
                    named_group(facts, id)
                ),
                None => "Azure RMS is active but disabled for this user (an onboarding control policy scopes it to other users).".into(),
            },
        )),
        Discovery::PlatformDisabled(code) => Some(Finding::new(
            "RMS_PLATFORM_DISABLED",
            Severity::Fail,
            edge,
            format!("Azure RMS refuses this device platform or application ({code})."),
        )),
        Discovery::UnknownTenant => Some(Finding::new(
            "RMS_UNKNOWN_TENANT",
            Severity::Fail,
            edge,
            "Azure RMS does not know the user's tenant (no cloud RMS tenant, or an on-premises AD RMS setup).".into(),
        )),
        Discovery::OtherError { code, message } => Some(Finding::new(
            "RMS_STATE_UNKNOWN",
            Severity::Warn,
            edge,
            format!("RMS service discovery answered with an error esr-doctor does not know: {code}: {message}"),
        )),
        _ => None,
    }
}

/// What the check read: activation, discovery, the onboarding policy's scope and IPCv3.
fn rms_evidence(
    activation: &FunctionalState,
    discovery: Option<&Discovery>,
    onboarding: Option<&OnboardingPolicy>,
    ipcv3: Option<&Ipcv3State>,
    facts: &Facts,
) -> serde_json::Map<String, Value> {
    let limiting_group = onboarding.and_then(|p| p.limiting_group());
    let discovery_text = discovery.map(|d| match d {
        Discovery::Services(list) => format!("services: {}", list.join(", ")),
        Discovery::TenantNotActivated => "NotSignedUpException".into(),
        Discovery::UserScopedOut => "ServiceDisabledException".into(),
        Discovery::PlatformDisabled(code) => code.clone(),
        Discovery::UnknownTenant => "UnknownTenantException".into(),
        Discovery::OtherError { code, .. } => code.clone(),
    });
    let mut evidence = evidence([
        ("functional_state", Value::from(activation.as_str())),
        (
            "service_discovery",
            discovery_text.map_or(Value::Null, Value::from),
        ),
        (
            "onboarding_group",
            limiting_group.map_or(Value::Null, Value::from),
        ),
        (
            "onboarding_scope",
            onboarding
                .and_then(|p| p.scope.clone())
                .map_or(Value::Null, Value::from),
        ),
        (
            "ipcv3_service",
            match ipcv3 {
                Some(Ipcv3State::Enabled) => Value::from("enabled"),
                Some(Ipcv3State::Disabled) => Value::from("disabled"),
                Some(Ipcv3State::Unknown(raw)) => raw.clone(),
                None => Value::Null,
            },
        ),
    ]);
    if let Some(policy) = onboarding.filter(|p| p.limits()) {
        let reach = onboarding::reach(policy, facts.platform).as_str();
        evidence.insert("onboarding_reach".into(), Value::from(reach));
        if policy.use_rms_user_license == Some(true) {
            evidence.insert("onboarding_licensed_only".into(), Value::Bool(true));
        }
    }
    evidence
}

/// `"Name" (id)`, or the id when no name is known.
fn named_group(facts: &Facts, id: &str) -> String {
    match group_name(facts, id) {
        Some(name) => format!("\"{name}\" ({id})"),
        None => id.to_owned(),
    }
}

/// The display name of a group: from the user's memberships, else as Graph named the
/// onboarding policy's group.
fn group_name<'f>(facts: &'f Facts, id: &str) -> Option<&'f str> {
    let memberships = facts
        .graph
        .found()
        .and_then(|g| g.member_of.as_ref())
        .and_then(|m| m.as_ref().ok())
        .into_iter()
        .flatten();
    let looked_up = facts
        .rms
        .found()
        .and_then(|r| r.onboarding_group.as_ref())
        .and_then(|g| g.as_ref().ok());
    memberships
        .chain(looked_up)
        .find(|g| g.id.eq_ignore_ascii_case(id))
        .map(|g| g.display_name.as_str())
        .filter(|name| !name.trim().is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::Platform;
    use crate::facts::tenant::rms as answers;
    use crate::facts::{Gathered, RmsFacts};
    use crate::model::Status;

    fn run(discovery: Option<&str>, state: Option<&str>) -> CheckResult {
        let facts = Facts {
            rms: Gathered::Found(RmsFacts {
                discovery: discovery.map(|t| answers::parse_discovery("d", t)),
                functional_state: state.map(|t| answers::parse_functional_state("f", t)),
                ..RmsFacts::default()
            }),
            ..Facts::default()
        };
        decide(&facts)
    }

    #[test]
    fn either_view_decides_activation() {
        let enabled = run(Some(r#"[{"Name":"enduserlicenses","Uri":"u"}]"#), None);
        assert_eq!(
            (enabled.status, enabled.evidence.get("functional_state")),
            (Status::Pass, Some(&Value::from("enabled")))
        );
        let disabled = run(None, Some("0"));
        assert_eq!(disabled.findings[0].code, "RMS_NOT_ACTIVATED");
        assert_eq!(
            disabled.evidence.get("functional_state"),
            Some(&Value::from("disabled"))
        );
        let not_signed_up = run(
            Some(
                r#"{"Code":"Microsoft.RightsManagement.Exceptions.NotSignedUpException","Message":"m"}"#,
            ),
            Some("\"Disabled\""),
        );
        assert_eq!(
            not_signed_up.findings.len(),
            1,
            "one finding although both views agree"
        );
    }

    #[test]
    fn scoping_and_unknown_values() {
        let scoped = run(
            Some(
                r#"{"Code":"Microsoft.RightsManagement.Exceptions.ServiceDisabledException","Message":"m"}"#,
            ),
            Some("1"),
        );
        assert_eq!(
            (scoped.status, scoped.findings[0].code.as_str()),
            (Status::Fail, "RMS_USER_SCOPED_OUT")
        );
        let odd = run(None, Some("\"Paused\""));
        assert_eq!(
            (odd.status, odd.evidence.get("functional_state")),
            (Status::Warn, Some(&Value::from("unknown")))
        );
        let broken = run(Some("<html>"), None);
        assert_eq!(broken.status, Status::Error);
        // A platform complaint is about esr-doctor's request: never a tenant fail.
        let ours = r#"{"Code":"Microsoft.RightsManagement.Exceptions.DevicePlatformNotRecognizedException","Message":"m"}"#;
        assert_eq!(run(Some(ours), None).status, Status::Error);
        assert_eq!(run(Some(ours), Some("1")).status, Status::Pass);
    }

    fn admin(onboarding: &str, configuration: &str, groups: Option<&str>) -> CheckResult {
        let facts = Facts {
            rms: Gathered::Found(RmsFacts {
                functional_state: Some(answers::parse_functional_state("f", "1")),
                onboarding: Some(answers::parse_onboarding_policy("o", onboarding)),
                ipcv3: Some(answers::parse_configuration("c", configuration)),
                ..RmsFacts::default()
            }),
            graph: Gathered::Found(crate::facts::GraphFacts {
                member_of: groups.map(|g| crate::facts::tenant::graph::parse_member_of("g", g)),
                ..crate::facts::GraphFacts::default()
            }),
            ..Facts::default()
        };
        decide(&facts)
    }

    const LIMITED: &str =
        r#"{"UseRmsUserLicense":false,"SecurityGroupObjectId":"g-rms","Scope":"All"}"#;
    const OPEN: &str = r#"{"UseRmsUserLicense":false,"SecurityGroupObjectId":null,"Scope":"All"}"#;
    const IPC_ON: &str = r#"{"IPCv3ServiceFunctionalState":"Enabled"}"#;

    #[test]
    fn the_onboarding_policy_scopes_users_out_by_group() {
        let outside = admin(LIMITED, IPC_ON, Some(r#"{"value":[{"id":"g-other"}]}"#));
        assert_eq!(outside.codes(), ["RMS_USER_SCOPED_OUT"]);
        assert_eq!(
            outside.evidence.get("onboarding_group"),
            Some(&Value::from("g-rms"))
        );
        let inside = admin(LIMITED, IPC_ON, Some(r#"{"value":[{"id":"G-RMS"}]}"#));
        assert_eq!(inside.status, Status::Pass);
        let unknown = admin(LIMITED, IPC_ON, None);
        assert_eq!(
            (unknown.status, unknown.codes()),
            (Status::Warn, vec!["RMS_SCOPE_UNVERIFIED"])
        );
        assert_eq!(admin(OPEN, IPC_ON, None).status, Status::Pass);
        // A group limit for mobile apps does not touch Edge on a desktop.
        let mobile =
            r#"{"UseRmsUserLicense":false,"SecurityGroupObjectId":"g-rms","Scope":"MobileApp"}"#;
        let desktop = admin(mobile, IPC_ON, Some(r#"{"value":[{"id":"g-other"}]}"#));
        assert_eq!(desktop.status, Status::Pass);
        assert_eq!(
            desktop.evidence.get("onboarding_reach"),
            Some(&Value::from("does_not_apply"))
        );
    }

    /// The policy's meaning for each `Scope` × `UseRmsUserLicense` × platform × licence, as
    /// Set-AipServiceOnboardingControlPolicy's help documents it.
    #[test]
    fn each_scope_and_licence_rule_decides_as_documented() {
        const RMS_PLAN: &str = r#"{"value":[{"skuId":"s","skuPartNumber":"SPE_E3","servicePlans":[{"servicePlanId":"bea4c11e-220a-4e6d-8eb8-8ea15d019f90","servicePlanName":"RMS_S_ENTERPRISE","provisioningStatus":"Success"}]}]}"#;
        const NO_PLAN: &str = r#"{"value":[{"skuId":"s","skuPartNumber":"X","servicePlans":[]}]}"#;
        for scope in [None, Some("All"), Some("WindowsApp"), Some("MobileApp")] {
            for licence_rule in [true, false] {
                for platform in [Platform::Windows, Platform::Linux] {
                    for licensed in [true, false] {
                        let policy = serde_json::json!({
                            "UseRmsUserLicense": licence_rule,
                            "SecurityGroupObjectId": null,
                            "Scope": scope,
                        })
                        .to_string();
                        let licences = if licensed { RMS_PLAN } else { NO_PLAN };
                        let facts = Facts {
                            platform,
                            rms: Gathered::Found(RmsFacts {
                                functional_state: Some(answers::parse_functional_state("f", "1")),
                                onboarding: Some(answers::parse_onboarding_policy("o", &policy)),
                                ..RmsFacts::default()
                            }),
                            graph: Gathered::Found(crate::facts::GraphFacts {
                                license_details: Some(
                                    crate::facts::tenant::graph::parse_license_details(
                                        "l", licences,
                                    ),
                                ),
                                ..crate::facts::GraphFacts::default()
                            }),
                            ..Facts::default()
                        };
                        let reaches_edge = match scope {
                            Some("MobileApp") => Some(false),
                            Some("WindowsApp") if platform != Platform::Windows => None,
                            _ => Some(true),
                        };
                        let want: Vec<&str> = match (reaches_edge, licence_rule, licensed) {
                            (_, false, _) | (Some(false), _, _) | (Some(true), true, true) => {
                                vec![]
                            }
                            (None, true, _) => vec!["RMS_SCOPE_UNVERIFIED"],
                            (Some(true), true, false) => vec!["RMS_USER_NOT_LICENSED"],
                        };
                        let case = format!(
                            "{scope:?} licence={licence_rule} {platform:?} licensed={licensed}"
                        );
                        assert_eq!(decide(&facts).codes(), want, "{case}");
                    }
                }
            }
        }
    }

    #[test]
    fn a_disabled_ipcv3_service_fails_edge_sync() {
        let off = admin(OPEN, r#"{"IPCv3ServiceFunctionalState":"Disabled"}"#, None);
        assert_eq!(off.codes(), ["RMS_IPCV3_DISABLED"]);
        assert_eq!(
            off.evidence.get("ipcv3_service"),
            Some(&Value::from("disabled"))
        );
        let never_activated = Facts {
            rms: Gathered::Found(RmsFacts {
                functional_state: Some(answers::parse_functional_state("f", "0")),
                ipcv3: Some(answers::parse_configuration(
                    "c",
                    r#"{"IPCv3ServiceFunctionalState":"Disabled"}"#,
                )),
                ..RmsFacts::default()
            }),
            ..Facts::default()
        };
        assert_eq!(decide(&never_activated).codes(), ["RMS_NOT_ACTIVATED"]);
        let odd = admin(OPEN, r#"{"IPCv3ServiceFunctionalState":"Paused"}"#, None);
        assert_eq!(odd.status, Status::Pass);
        assert_eq!(
            odd.evidence.get("ipcv3_service"),
            Some(&Value::from("Paused")),
            "an unknown value is shown raw"
        );
    }
}
