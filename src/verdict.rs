//! The overall and per-feature verdicts of a set of check results.
//!
//! A feature fails when any failing finding affects it; it is incomplete when a check it needs
//! did not run or could not decide; otherwise it passes.

use crate::model::{CheckResult, Feature, FeatureVerdict, Severity, Status, Verdict};

pub fn overall(checks: &[CheckResult]) -> Verdict {
    if checks.iter().any(|c| c.status == Status::Fail) {
        Verdict::Fail
    } else if checks.iter().any(CheckResult::is_incomplete) {
        Verdict::Incomplete
    } else {
        Verdict::Pass
    }
}

pub fn per_feature(checks: &[CheckResult]) -> Vec<FeatureVerdict> {
    Feature::ALL
        .iter()
        .map(|feature| feature_verdict(*feature, checks))
        .collect()
}

fn feature_verdict(feature: Feature, checks: &[CheckResult]) -> FeatureVerdict {
    let blocked_by: Vec<_> = checks
        .iter()
        .filter(|c| {
            c.findings
                .iter()
                .any(|f| f.severity == Severity::Fail && f.affects.contains(&feature))
        })
        .map(|c| c.id)
        .collect();
    let serving = crate::checks::CATALOGUE
        .iter()
        .filter(|s| s.serves.contains(&feature));
    let incomplete = serving.clone().any(|s| {
        checks
            .iter()
            .find(|c| c.id == s.id)
            .is_none_or(CheckResult::is_incomplete)
    });
    let verdict = if !blocked_by.is_empty() {
        Verdict::Fail
    } else if incomplete {
        Verdict::Incomplete
    } else {
        Verdict::Pass
    };
    FeatureVerdict {
        id: feature,
        verdict,
        blocked_by,
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
        let features = per_feature(&checks);
        assert_eq!(features[0].verdict, Verdict::Pass);
        assert_eq!(
            (features[1].verdict, features[1].blocked_by.clone()),
            (Verdict::Fail, vec![CheckId::DeviceRegistration])
        );
        assert_eq!(overall(&checks), Verdict::Fail);
    }

    #[test]
    fn missing_facts_make_a_feature_incomplete_but_not_applicable_does_not() {
        let mut checks: Vec<CheckResult> = CheckId::ALL.iter().map(|id| pass(*id)).collect();
        checks[6] = CheckResult::skipped(
            CheckId::DeviceRegistration,
            SkipKind::NotApplicable,
            "linux",
        );
        assert_eq!(overall(&checks), Verdict::Pass);
        assert_eq!(per_feature(&checks)[1].verdict, Verdict::Pass);
        checks[2] = CheckResult::skipped(CheckId::TenantEsr, SkipKind::Missing, "not in bundle");
        assert_eq!(overall(&checks), Verdict::Incomplete);
        assert_eq!(per_feature(&checks)[1].verdict, Verdict::Incomplete);
        assert_eq!(per_feature(&checks)[0].verdict, Verdict::Pass);
    }
}
