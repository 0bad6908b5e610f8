//! The verdicts of a run, decided by one rule in one place (the README states it):
//!
//! - a feature **fails** when a failing finding affects it (a check that failed without such a
//!   finding fails every feature it serves);
//! - otherwise it is **incomplete** when a check it needs did not run (`--only`), could not
//!   decide (`error`) or was skipped for want of facts, a sign-in or a role;
//! - a feature is **not applicable** when a check that serves it alone does not apply where the
//!   evidence comes from (Windows settings roaming, whose device registration is Windows-only,
//!   on Linux or macOS), whatever else was found about it;
//! - otherwise it **passes** (a check that does not apply here does not hold it back);
//! - the overall verdict is the worst feature verdict, and the exit code follows from it.

use crate::model::{CheckResult, Feature, FeatureVerdict, Severity, Status, Verdict};

/// The overall verdict and one verdict per feature.
pub fn decide(checks: &[CheckResult]) -> (Verdict, Vec<FeatureVerdict>) {
    let features: Vec<FeatureVerdict> = Feature::ALL
        .iter()
        .map(|feature| feature_verdict(*feature, checks))
        .collect();
    let overall = features
        .iter()
        .map(|f| f.verdict)
        .filter(|v| *v != Verdict::NotApplicable)
        .max_by_key(|v| severity(*v))
        .unwrap_or(Verdict::Pass);
    (overall, features)
}

fn severity(verdict: Verdict) -> u8 {
    match verdict {
        Verdict::Pass | Verdict::NotApplicable => 0,
        Verdict::Incomplete => 1,
        Verdict::Fail => 2,
    }
}

/// True when `check` fails `feature`.
fn fails(check: &CheckResult, feature: Feature) -> bool {
    let failing = |f: &&crate::model::Finding| f.severity == Severity::Fail;
    let by_finding = check
        .findings
        .iter()
        .filter(failing)
        .any(|f| f.affects.contains(&feature));
    let unattributed = check.status == Status::Fail
        && !check
            .findings
            .iter()
            .filter(failing)
            .any(|f| !f.affects.is_empty())
        && crate::checks::spec(check.id).serves.contains(&feature);
    by_finding || unattributed
}

fn feature_verdict(feature: Feature, checks: &[CheckResult]) -> FeatureVerdict {
    let failed_by: Vec<_> = checks
        .iter()
        .filter(|c| fails(c, feature))
        .map(|c| c.id)
        .collect();
    let incomplete = crate::checks::CATALOGUE
        .iter()
        .filter(|s| s.serves.contains(&feature))
        .any(|s| {
            checks
                .iter()
                .find(|c| c.id == s.id)
                .is_none_or(CheckResult::is_incomplete)
        });
    let not_applicable = crate::checks::CATALOGUE
        .iter()
        .filter(|s| s.serves == [feature])
        .any(|s| {
            checks.iter().any(|c| {
                c.id == s.id
                    && c.status == Status::Skipped
                    && c.skip_kind == Some(crate::model::SkipKind::NotApplicable)
            })
        });
    let (verdict, failed_by) = if not_applicable {
        (Verdict::NotApplicable, Vec::new())
    } else if !failed_by.is_empty() {
        (Verdict::Fail, failed_by)
    } else if incomplete {
        (Verdict::Incomplete, failed_by)
    } else {
        (Verdict::Pass, failed_by)
    };
    FeatureVerdict {
        id: feature,
        verdict,
        failed_by,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{CheckId, Finding, SkipKind};
    use serde_json::Map;

    fn pass(id: CheckId) -> CheckResult {
        CheckResult::decided(id, Map::new(), vec![])
    }

    #[test]
    fn a_windows_only_failure_leaves_edge_sync_passing() {
        let mut checks: Vec<CheckResult> = CheckId::ALL.iter().map(|id| pass(*id)).collect();
        checks[6] = CheckResult::decided(
            CheckId::DeviceRegistration,
            Map::new(),
            vec![Finding::new(
                "DEVICE_NOT_JOINED",
                Severity::Fail,
                &[Feature::WindowsSettings],
                String::new(),
            )],
        );
        let (overall, features) = decide(&checks);
        assert_eq!(features[0].verdict, Verdict::Pass);
        assert_eq!(
            (features[1].verdict, features[1].failed_by.clone()),
            (Verdict::Fail, vec![CheckId::DeviceRegistration])
        );
        assert_eq!(overall, Verdict::Fail);
    }

    #[test]
    fn missing_facts_make_a_feature_incomplete() {
        let mut checks: Vec<CheckResult> = CheckId::ALL.iter().map(|id| pass(*id)).collect();
        checks[2] = CheckResult::skipped(CheckId::TenantEsr, SkipKind::Missing, "not in bundle");
        let (overall, features) = decide(&checks);
        assert_eq!(overall, Verdict::Incomplete);
        assert_eq!(features[1].verdict, Verdict::Incomplete);
        assert_eq!(features[0].verdict, Verdict::Pass);
    }

    #[test]
    fn off_windows_windows_settings_are_not_applicable_and_hold_nothing_back() {
        let mut checks: Vec<CheckResult> = CheckId::ALL.iter().map(|id| pass(*id)).collect();
        checks[6] = CheckResult::skipped(
            CheckId::DeviceRegistration,
            SkipKind::NotApplicable,
            "linux",
        );
        // Whatever the tenant's ESR switch says, this device has no Windows settings.
        checks[2] = CheckResult::decided(
            CheckId::TenantEsr,
            Map::new(),
            vec![Finding::new(
                "ESR_DISABLED",
                Severity::Fail,
                &[Feature::WindowsSettings],
                String::new(),
            )],
        );
        let (overall, features) = decide(&checks);
        assert_eq!(
            (features[1].verdict, features[1].failed_by.clone()),
            (Verdict::NotApplicable, vec![])
        );
        assert_eq!(
            (overall, features[0].verdict),
            (Verdict::Pass, Verdict::Pass)
        );
        checks[2] = CheckResult::skipped(CheckId::TenantEsr, SkipKind::Missing, "offline");
        assert_eq!(decide(&checks).0, Verdict::Pass, "not incomplete either");
    }

    #[test]
    fn checks_that_did_not_run_leave_their_features_incomplete_never_passing() {
        let only = [pass(CheckId::Rms), pass(CheckId::License)];
        let (overall, features) = decide(&only);
        assert!(features.iter().all(|f| f.verdict == Verdict::Incomplete));
        assert_eq!(overall, Verdict::Incomplete);
    }

    #[test]
    fn a_failed_check_without_an_attributed_finding_fails_what_it_serves() {
        let mut failed = pass(CheckId::Network);
        failed.status = crate::model::Status::Fail;
        let (overall, features) = decide(&[failed]);
        assert_eq!(overall, Verdict::Fail);
        assert_eq!(features[0].failed_by, vec![CheckId::Network]);
    }
}
