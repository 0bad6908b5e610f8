//! The nine checks: pure decisions from `Facts` to a `CheckResult`.
//!
//! This file is the catalogue — order, titles, which fact sources each check needs, which
//! features its verdict serves and which earlier failures block it. To add a check: write its
//! `decide` in a file of its own, add a row here, and add guidance for every code it emits.

mod account_type;
mod cloud_offer;
mod conditional_access;
mod device_object;
mod device_registration;
mod edge_policy;
mod edge_version;
mod join_failure;
mod license;
mod network;
mod onboarding;
mod rms;
mod sync_health;
mod tenant_esr;

pub use rms::ipcv3_off_behind_activation;

use crate::evidence::FactSource;
use crate::facts::{Facts, Gathered};
use crate::model::{CheckId, CheckResult, Feature, SkipKind};

/// One row of the catalogue.
#[derive(Clone, Copy)]
pub struct CheckSpec {
    pub id: CheckId,
    pub title: &'static str,
    /// What a trainer says this step is for (shown before its result in guided mode).
    pub question: &'static str,
    /// Why this prerequisite exists (guided mode tells it before showing the result).
    pub why: &'static str,
    pub needs: &'static [FactSource],
    /// Sources that add findings when they come (waited for, like `needs`) but whose loss
    /// does not weaken the check: its own sources decide it.
    pub enriched_by: &'static [FactSource],
    /// Features whose verdict cannot be complete without this check.
    pub serves: &'static [Feature],
    /// Earlier checks whose failure makes this one meaningless.
    pub blockers: &'static [CheckId],
    pub decide: fn(&Facts) -> CheckResult,
    /// The finding codes `decide` emits of its own (a test holds the guidance catalogue to them).
    pub codes: &'static [&'static str],
    /// The codes of the parts `decide` draws on (the device object, Conditional Access).
    pub part_codes: &'static [&'static [&'static str]],
}

impl CheckSpec {
    /// Every finding code `decide` can emit.
    pub fn all_codes(&self) -> impl Iterator<Item = &'static str> {
        self.codes
            .iter()
            .chain(self.part_codes.iter().flat_map(|codes| codes.iter()))
            .copied()
    }
}

use crate::model::EVIDENCE_UNUSABLE;
use FactSource as S;
use Feature::{EdgeSync, WindowsSettings};

/// Codes the runner may add to any check, besides each check's own `codes`.
pub const ANY_CHECK_CODES: [&str; 1] = [EVIDENCE_UNUSABLE];

/// The checks in wizard order.
pub static CATALOGUE: [CheckSpec; 9] = [
    CheckSpec {
        id: CheckId::EdgeVersion,
        title: "Edge version",
        question: "Is Edge installed, on which channel, and new enough for sync (77), tabs and history (88) and the troubleshooting guide (98.0.1108.43)?",
        why: "Enterprise sync arrived in Edge 77; older builds cannot sync a work account at all, and Microsoft's troubleshooting starts by updating to 98.0.1108.43 or later.",
        needs: &[S::EdgeVersion],
        enriched_by: &[],
        serves: &[EdgeSync],
        blockers: &[],
        decide: edge_version::decide,
        codes: edge_version::CODES,
        part_codes: &[],
    },
    CheckSpec {
        id: CheckId::AccountType,
        title: "Account type",
        question: "Is the Edge profile signed in with a work or school (Entra ID) account?",
        why: "Edge syncs work data only for a profile signed in with an Entra ID (work or school) account; a personal Microsoft account syncs to the consumer service instead.",
        needs: &[S::EdgeProfile, S::Dsregcmd, S::SyncInternals],
        enriched_by: &[],
        serves: &[EdgeSync],
        blockers: &[],
        decide: account_type::decide,
        codes: account_type::CODES,
        part_codes: &[],
    },
    CheckSpec {
        id: CheckId::TenantEsr,
        title: "Tenant ESR setting",
        question: "Is \"Users may sync settings and app data across devices\" set to All, or to Selected with this user in scope?",
        why: "Windows settings roam only when the tenant's Enterprise State Roaming switch includes the user; tenants licensed only through Entra ID P1/P2 also need it for Edge sync.",
        needs: &[S::Esr, S::Graph, S::SyncInternals],
        enriched_by: &[],
        serves: &[WindowsSettings],
        blockers: &[],
        decide: tenant_esr::decide,
        codes: tenant_esr::CODES,
        part_codes: &[],
    },
    CheckSpec {
        id: CheckId::License,
        title: "Licence",
        question: "Do the user and the tenant hold a service plan that enables sync (Entra ID P1/P2 or an Azure RMS plan)?",
        why: "The sync service checks for a plan that includes Azure Rights Management or Entra ID P1/P2; without one it refuses the account.",
        needs: &[S::Graph, S::Rms],
        enriched_by: &[],
        serves: &[EdgeSync, WindowsSettings],
        blockers: &[],
        decide: license::decide,
        codes: license::CODES,
        part_codes: &[],
    },
    CheckSpec {
        id: CheckId::Rms,
        title: "Azure RMS activation",
        question: "Is Azure Rights Management (AIP) activated for the tenant and not scoped away from this user?",
        why: "Edge encrypts synced data with the tenant's Azure Rights Management key; if RMS is not activated, Edge reports DISABLED_BY_ADMIN.",
        needs: &[S::Rms, S::Graph],
        enriched_by: &[],
        serves: &[EdgeSync],
        blockers: &[CheckId::License],
        decide: rms::decide,
        codes: rms::CODES,
        part_codes: &[&conditional_access::CODES],
    },
    CheckSpec {
        id: CheckId::Network,
        title: "Network reach",
        question: "Can this device reach the sync, RMS and sign-in endpoints?",
        why: "Sync talks to edge.microsoft.com, Azure RMS at api.aadrm.com and Entra sign-in; a firewall or proxy that blocks one of them stops sync.",
        needs: &[S::Network],
        enriched_by: &[],
        serves: &[EdgeSync, WindowsSettings],
        blockers: &[],
        decide: network::decide,
        codes: network::CODES,
        part_codes: &[],
    },
    CheckSpec {
        id: CheckId::DeviceRegistration,
        title: "Device registration",
        question: "Is the device Entra or hybrid joined, with the WAM default account set, a PRT, a provisioned SettingsUrl, and settings sync allowed?",
        why: "Windows settings roaming needs an Entra or hybrid joined device with a primary refresh token and a provisioned SettingsUrl.",
        needs: &[S::Dsregcmd, S::WindowsState],
        // The device object in Entra (dsregcmd's DeviceId looked up in Graph).
        enriched_by: &[S::Graph],
        serves: &[WindowsSettings],
        blockers: &[],
        decide: device_registration::decide,
        codes: device_registration::CODES,
        part_codes: &[&device_object::CODES, &join_failure::CODES],
    },
    CheckSpec {
        id: CheckId::EdgePolicy,
        title: "Edge policies",
        question: "Do Edge policies turn sync off or limit it?",
        why: "Administrators can turn sync off or limit it with Edge policies; that is configuration, not a fault, and only they can change it.",
        needs: &[S::EdgePolicy, S::EdgeProfile],
        enriched_by: &[],
        serves: &[EdgeSync],
        blockers: &[],
        decide: edge_policy::decide,
        codes: edge_policy::CODES,
        part_codes: &[],
    },
    CheckSpec {
        id: CheckId::SyncHealth,
        title: "Sync health",
        question: "What do Edge (edge://sync-internals) and the Windows sync event logs say?",
        why: "Edge's own status (edge://sync-internals) and the Windows sync logs show what is left once every prerequisite is in place.",
        needs: &[S::SyncInternals, S::EventLog],
        enriched_by: &[],
        serves: &[EdgeSync],
        blockers: &[
            CheckId::EdgeVersion,
            CheckId::AccountType,
            CheckId::License,
            CheckId::Rms,
            CheckId::Network,
            CheckId::EdgePolicy,
        ],
        decide: sync_health::decide,
        codes: sync_health::CODES,
        part_codes: &[],
    },
];

impl CheckSpec {
    /// Every source the check waits for before it is decided.
    pub fn waits_for(&self) -> impl Iterator<Item = FactSource> + '_ {
        self.needs.iter().chain(self.enriched_by).copied()
    }
}

/// The ids of the user's groups, when Graph gave them.
pub(crate) fn user_group_ids(facts: &Facts) -> Option<Vec<&str>> {
    let groups = facts.graph.found()?.member_of.as_ref()?.as_ref().ok()?;
    Some(groups.iter().map(|g| g.id.as_str()).collect())
}

/// The catalogue row of `id`.
pub fn spec(id: CheckId) -> &'static CheckSpec {
    // The catalogue holds every id in enum order; a test keeps it so.
    &CATALOGUE[CheckId::ALL.iter().position(|c| *c == id).unwrap_or(0)]
}

/// The checks a run of `ids` decides: those and, transitively, every check that can block
/// them, so that no check is decided without its blockers (`--only sync_health` on a tenant
/// without RMS says RMS is the cause, not the symptom). In catalogue order.
pub fn with_blockers(ids: &[CheckId]) -> Vec<CheckId> {
    closure(ids, |check, chosen| {
        chosen
            .iter()
            .any(|id| spec(*id).blockers.contains(&check.id))
    })
}

/// What re-running `id` must re-decide: it, every check it can block (transitively), and the
/// blockers of all of those.
pub fn rerun_of(id: CheckId) -> Vec<CheckId> {
    let dependents = closure(&[id], |check, chosen| {
        check.blockers.iter().any(|b| chosen.contains(b))
    });
    with_blockers(&dependents)
}

/// `ids` grown by every check `joins` admits, until nothing more joins; in catalogue order.
fn closure(ids: &[CheckId], joins: impl Fn(&CheckSpec, &[CheckId]) -> bool) -> Vec<CheckId> {
    let mut chosen: Vec<CheckId> = ids.to_vec();
    loop {
        let grown: Vec<CheckId> = CATALOGUE
            .iter()
            .filter(|c| chosen.contains(&c.id) || joins(c, &chosen))
            .map(|c| c.id)
            .collect();
        if grown.len() == chosen.len() {
            return grown;
        }
        chosen = grown;
    }
}

/// Unwraps a fact source for a check, or returns the result that explains why it is absent.
pub(crate) fn require<T>(id: CheckId, gathered: &Gathered<T>) -> Result<&T, Box<CheckResult>> {
    let unavailable = match gathered {
        Gathered::Found(value) => return Ok(value),
        Gathered::Missing(reason) => CheckResult::skipped(id, SkipKind::Missing, reason.clone()),
        Gathered::NotApplicable(reason) => {
            CheckResult::skipped(id, SkipKind::NotApplicable, reason.clone())
        }
        Gathered::Unreadable(message) => CheckResult::error(id, message.clone()),
        Gathered::Skipped(kind, reason) => CheckResult::skipped(id, *kind, reason.clone()),
        Gathered::Pending => CheckResult::error(id, "its facts were never gathered"),
    };
    Err(Box::new(unavailable))
}

/// The result of a check whose deciding cloud answer failed: skipped `needs_role` when the
/// service refused the operator (401/403), an `error` naming the endpoint and cause otherwise.
pub(crate) fn unanswered(id: CheckId, error: &crate::facts::tenant::AnswerError) -> CheckResult {
    if error.is_token_problem() {
        CheckResult::skipped(
            id,
            SkipKind::NeedsSignIn,
            format!(
                "{error}; the service rejected the sign-in token, so sign in again (`esr-doctor signout`, then run again)"
            ),
        )
    } else if error.is_access_denied() {
        CheckResult::skipped(id, SkipKind::NeedsRole, error.needs_role_reason())
    } else {
        CheckResult::error(id, error.to_string())
    }
}

/// A decided result that failed answers leave unconfirmed: when nothing in it fails, it cannot
/// pass either, so it becomes `unanswered` for the first failure (findings and evidence kept).
/// A refused caller (401/403) is only listed among the problems: it is expected of an operator
/// without an admin role, and the user's own answers still decide.
pub(crate) fn unless_unanswered<'a>(
    result: CheckResult,
    failures: impl IntoIterator<Item = Option<&'a crate::facts::tenant::AnswerError>>,
) -> CheckResult {
    if result.status == crate::model::Status::Fail {
        return result;
    }
    let Some(first) = failures
        .into_iter()
        .flatten()
        .find(|e| !e.is_access_denied())
    else {
        return result;
    };
    CheckResult {
        evidence: result.evidence,
        findings: result.findings,
        ..unanswered(result.id, first)
    }
}

/// `need!(ID, &facts.slot)`: the found value, or return the skipped/error result explaining why not.
macro_rules! need {
    ($id:expr, $gathered:expr) => {
        match $crate::checks::require($id, $gathered) {
            Ok(value) => value,
            Err(result) => return *result,
        }
    };
}
pub(crate) use need;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_follows_the_design_order() {
        let ids: Vec<CheckId> = CATALOGUE.iter().map(|c| c.id).collect();
        assert_eq!(ids, CheckId::ALL);
        for id in CheckId::ALL {
            assert_eq!(spec(id).id, id);
        }
    }

    #[test]
    fn blocking_checks_come_earlier() {
        for (index, check) in CATALOGUE.iter().enumerate() {
            for blocker in check.blockers {
                let at = CATALOGUE.iter().position(|c| c.id == *blocker);
                assert!(
                    at.is_some_and(|at| at < index),
                    "{} blocked by later {}",
                    check.id,
                    blocker
                );
            }
        }
    }
}
