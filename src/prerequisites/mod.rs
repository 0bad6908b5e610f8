//! `esr-doctor setup`: the admin's tenant-first path. Only the tenant's prerequisites, in the
//! order an admin sets them up, each decided by the same checks a user's run uses (so setup
//! and the helpdesk never disagree), with the exact fix, a watch that re-checks after the
//! admin applied it, and every pending fix as one PowerShell script to review.
//!
//! Setup only reads: it never writes to the tenant.

pub mod demo;
pub mod script;
pub mod watch;

use crate::evidence::Platform;
use crate::guidance::Guidance;
use crate::model::{CheckId, CheckResult, Finding, Report, Status};

/// One tenant prerequisite, and how its check's result says whether it is in place.
#[derive(Debug, Clone, Copy)]
pub struct Prerequisite {
    pub title: &'static str,
    /// Why an admin sets it up (shown above the fix).
    pub why: &'static str,
    pub check: CheckId,
    /// The check's findings that mean this step is still to do.
    pub codes: &'static [&'static str],
    /// The check's findings that mean it could not tell.
    pub unsure: &'static [&'static str],
    /// What the check, for a user, reports under an earlier finding but an admin does at
    /// once (IPCv3 is off in a tenant that never activated RMS): the check's own reading of
    /// its result, so no rule is decided here.
    pub behind: Option<fn(&CheckResult) -> Option<Finding>>,
}

/// The tenant prerequisites, in the order an admin sets them up.
pub const STEPS: [Prerequisite; 6] = [
    Prerequisite {
        title: "Licences in the tenant",
        why: "The sync service accepts an account only when the tenant owns a plan with Azure Rights Management or Entra ID P1/P2.",
        check: CheckId::License,
        codes: &["LICENSE_NONE_ELIGIBLE"],
        unsure: &[],
        behind: None,
    },
    Prerequisite {
        title: "Azure RMS activated",
        why: "Edge encrypts synced data with the tenant's Azure Rights Management key; without it Edge reports DISABLED_BY_ADMIN.",
        check: CheckId::Rms,
        codes: &["RMS_NOT_ACTIVATED", "RMS_UNKNOWN_TENANT"],
        unsure: &["RMS_STATE_UNKNOWN"],
        behind: None,
    },
    Prerequisite {
        title: "IPCv3 service on",
        why: "Edge talks to Azure RMS through the IPCv3 service; with it off, sync fails although RMS is active.",
        check: CheckId::Rms,
        codes: &["RMS_IPCV3_DISABLED"],
        unsure: &[],
        behind: Some(crate::checks::ipcv3_off_behind_activation),
    },
    Prerequisite {
        title: "Onboarding control policy",
        why: "An AIP onboarding control policy can limit RMS to one group; everyone outside it cannot sync.",
        check: CheckId::Rms,
        codes: &["RMS_USER_SCOPED_OUT"],
        unsure: &["RMS_SCOPE_UNVERIFIED"],
        behind: None,
    },
    Prerequisite {
        title: "Enterprise State Roaming switch",
        why: "Needed where Windows settings should roam, and for tenants licensed only through Entra ID P1/P2; Edge sync on an RMS plan does not need it.",
        check: CheckId::TenantEsr,
        codes: &["ESR_DISABLED"],
        unsure: &["ESR_SETTING_UNKNOWN"],
        behind: None,
    },
    Prerequisite {
        title: "Network endpoints (firewall team)",
        why: "Devices must reach the sync service, Azure RMS and Entra sign-in over HTTPS; a firewall, proxy or TLS inspection in the way stops sync.",
        check: CheckId::Network,
        codes: &[
            "NET_BLOCKED",
            "NET_TIMEOUT",
            "NET_PROXY_AUTH_REQUIRED",
            "NET_TLS_INSPECTED",
            "NET_IPV6_FAILS",
            "NET_NO_DNS",
        ],
        unsure: &["NET_NOT_PROBED"],
        behind: None,
    },
];

/// Where one step stands.
#[derive(Debug, Clone, PartialEq)]
pub enum PrerequisiteState {
    /// Its check has not answered yet.
    Checking,
    /// In place.
    Done,
    /// Still to do: what is wrong, each with its fix.
    ToDo(Vec<Finding>),
    /// Its check could not tell; why.
    Unknown(String),
}

impl PrerequisiteState {
    pub fn is_done(&self) -> bool {
        matches!(self, PrerequisiteState::Done)
    }
}

impl Prerequisite {
    /// This step's state in `report` (`None` when the report did not run its check).
    pub fn assess(&self, report: &Report) -> Option<PrerequisiteState> {
        let result = report.checks.iter().find(|c| c.id == self.check)?;
        Some(self.assess_result(result))
    }

    fn assess_result(&self, result: &CheckResult) -> PrerequisiteState {
        let to_do: Vec<Finding> = result
            .findings
            .iter()
            .filter(|f| self.codes.contains(&f.code.as_str()))
            .cloned()
            .collect();
        if !to_do.is_empty() {
            return PrerequisiteState::ToDo(to_do);
        }
        if let Some(mut finding) = self.behind.and_then(|behind| behind(result)) {
            // Tenant fixes are the admin's PowerShell, the same from any platform.
            Guidance::builtin().attach(std::slice::from_mut(&mut finding), Platform::Unknown);
            return PrerequisiteState::ToDo(vec![finding]);
        }
        if let Some(unsure) = result
            .findings
            .iter()
            .find(|f| self.unsure.contains(&f.code.as_str()))
        {
            return PrerequisiteState::Unknown(unsure.message.clone());
        }
        match result.status {
            Status::Pass | Status::Warn | Status::Fail => PrerequisiteState::Done,
            Status::Skipped | Status::Error => PrerequisiteState::Unknown(
                result
                    .reason
                    .clone()
                    .unwrap_or_else(|| format!("{} was not decided", result.title)),
            ),
        }
    }
}

/// The checks setup runs: each step's, once, in catalogue order.
pub fn checks() -> Vec<CheckId> {
    CheckId::ALL
        .into_iter()
        .filter(|id| STEPS.iter().any(|s| s.check == *id))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Feature, Severity, evidence};
    use serde_json::Value;

    fn result(status_findings: Vec<Finding>, ipcv3: &str) -> CheckResult {
        let mut result = CheckResult::decided(
            CheckId::Rms,
            evidence([("ipcv3_service", Value::from(ipcv3))]),
            status_findings,
        );
        result.title = "Azure RMS activation".into();
        result
    }

    fn finding(code: &str) -> Finding {
        Finding::new(code, Severity::Fail, &[Feature::EdgeSync], code.into())
    }

    #[test]
    fn each_step_reads_its_own_codes_from_a_shared_check() {
        let not_activated = result(vec![finding("RMS_NOT_ACTIVATED")], "disabled");
        let [_, rms, ipcv3, onboarding, ..] = STEPS;
        assert!(matches!(
            rms.assess_result(&not_activated),
            PrerequisiteState::ToDo(f) if f[0].code == "RMS_NOT_ACTIVATED"
        ));
        // The user's check leaves IPCv3 to after activation; the admin sees it at once.
        match ipcv3.assess_result(&not_activated) {
            PrerequisiteState::ToDo(f) => {
                assert_eq!(f[0].code, "RMS_IPCV3_DISABLED");
                assert!(f[0].fix.is_some(), "the fix is attached");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            onboarding.assess_result(&not_activated),
            PrerequisiteState::Done
        );
        let healthy = result(Vec::new(), "enabled");
        assert!(
            STEPS[1..4]
                .iter()
                .all(|s| s.assess_result(&healthy) == PrerequisiteState::Done)
        );
    }

    #[test]
    fn undecided_checks_and_unsure_findings_are_never_done() {
        let skipped = CheckResult::error(CheckId::Rms, "no RMS answers were recorded");
        assert!(matches!(
            STEPS[1].assess_result(&skipped),
            PrerequisiteState::Unknown(_)
        ));
        let unsure = result(vec![finding("RMS_SCOPE_UNVERIFIED")], "enabled");
        assert!(matches!(
            STEPS[3].assess_result(&unsure),
            PrerequisiteState::Unknown(_)
        ));
    }

    #[test]
    fn setup_runs_each_check_once() {
        assert_eq!(
            checks(),
            [
                CheckId::TenantEsr,
                CheckId::License,
                CheckId::Rms,
                CheckId::Network
            ]
        );
    }
}
