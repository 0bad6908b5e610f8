//! Every demo scenario produces exactly the outcome it promises (its `scenario.toml`, and the
//! table of the issue that introduced them), and nothing else fails — read from its recorded
//! files, and read live through the tenant emulator as `--demo` does.

use esr_doctor::emulator::demo::{self, DemoPacing};
use esr_doctor::model::{CheckId, Report, Status};
use esr_doctor::runner::{RunOptions, run};
use esr_doctor::sources::scenario;
use std::sync::Arc;

async fn report_of(name: &str) -> Report {
    let mut source = scenario::load(name).unwrap_or_else(|e| panic!("{e}"));
    source.latency.clear(); // the outcome must not depend on timing
    run(source, RunOptions::default(), None).await
}

/// The scenario as `--demo` runs it: its tenant served by the emulator, read over loopback.
async fn live_report_of(name: &str) -> Report {
    let mut source = scenario::load(name).unwrap_or_else(|e| panic!("{e}"));
    source.latency.clear();
    let (_emulator, session) = demo::attach(
        &source,
        Some(demo::DemoSignIn::DeviceCode),
        None,
        DemoPacing::report(),
        Arc::new(|_| {}),
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    run(
        esr_doctor::runner::Inputs::live(source, session),
        RunOptions::default(),
        None,
    )
    .await
}

fn evidence(report: &Report, id: CheckId, key: &str) -> serde_json::Value {
    report
        .check(id)
        .and_then(|c| c.evidence.get(key).cloned())
        .unwrap_or_default()
}

#[tokio::test]
async fn every_scenario_meets_its_own_expectation_from_recorded_files() {
    for name in scenario::names() {
        meets_expectation(&name, &report_of(&name).await);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_scenario_meets_its_own_expectation_through_the_emulator() {
    for name in scenario::names() {
        let report = live_report_of(&name).await;
        meets_expectation(&name, &report);
        let tenant = report.check(CheckId::Rms).map(|c| c.evidence.clone());
        assert!(
            tenant.is_some_and(|e| e.contains_key("requests")),
            "{name}: the tenant was read over HTTP"
        );
    }
}

fn meets_expectation(name: &str, report: &Report) {
    let spec = scenario::spec(name).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        report.verdict.as_str(),
        spec.expect.verdict,
        "{name}: verdict"
    );
    assert_eq!(report.exit_code(), spec.expect.exit, "{name}: exit code");
    let expected: Vec<&str> = spec.expect.checks.iter().map(|c| c.id.as_str()).collect();
    for want in &spec.expect.checks {
        let id = CheckId::parse(&want.id).unwrap_or_else(|| panic!("{name}: bad id {}", want.id));
        let got = report
            .check(id)
            .unwrap_or_else(|| panic!("{name}: {} missing", want.id));
        assert_eq!(
            got.status.as_str(),
            want.status,
            "{name}/{}: {:?}",
            want.id,
            got
        );
        if !want.codes.is_empty() {
            assert_eq!(report.codes(id), want.codes, "{name}/{}", want.id);
        }
        for (key, value) in &want.evidence {
            assert_eq!(
                &evidence(report, id, key),
                value,
                "{name}/{}.{key}",
                want.id
            );
        }
    }
    // Every other check passes, or is skipped because an earlier failure blocks it.
    for check in report
        .checks
        .iter()
        .filter(|c| !expected.contains(&c.id.as_str()))
    {
        let blocked = check.status == Status::Skipped
            && check
                .reason
                .as_deref()
                .is_some_and(|r| r.starts_with("blocked by"));
        assert!(
            check.status == Status::Pass || blocked,
            "{name}/{}: {:?} {:?}",
            check.id,
            check.status,
            check.reason
        );
    }
}

#[tokio::test]
async fn healthy_passes_all_nine_checks_in_design_order() {
    let report = report_of("healthy").await;
    let ids: Vec<CheckId> = report.checks.iter().map(|c| c.id).collect();
    assert_eq!(ids, CheckId::ALL);
    assert!(
        report.checks.iter().all(|c| c.status == Status::Pass),
        "{:#?}",
        report.checks
    );
    assert_eq!(report.exit_code(), 0);
}

/// The table of issue #2, asserted independently of the scenario files.
#[tokio::test]
async fn the_demo_table() {
    let fail = |r: &Report, id| r.check(id).map(|c| c.status) == Some(Status::Fail);
    let r = report_of("edge-too-old").await;
    assert!(fail(&r, CheckId::EdgeVersion) && r.codes(CheckId::EdgeVersion) == ["EDGE_TOO_OLD"]);
    assert_eq!(evidence(&r, CheckId::EdgeVersion, "major"), 76);
    let r = report_of("personal-account").await;
    assert!(fail(&r, CheckId::AccountType));
    assert_eq!(
        evidence(&r, CheckId::AccountType, "account_kind"),
        "personal"
    );
    let r = report_of("esr-disabled").await;
    assert!(fail(&r, CheckId::TenantEsr));
    assert_eq!(evidence(&r, CheckId::TenantEsr, "sync_setting"), "none");
    let r = report_of("esr-selected-not-member").await;
    assert!(fail(&r, CheckId::TenantEsr));
    assert_eq!(evidence(&r, CheckId::TenantEsr, "sync_setting"), "selected");
    assert_eq!(evidence(&r, CheckId::TenantEsr, "user_in_scope"), false);
    let r = report_of("no-eligible-license").await;
    assert!(fail(&r, CheckId::License) && r.codes(CheckId::License) == ["LICENSE_NONE_ELIGIBLE"]);
    let r = report_of("rms-not-activated").await;
    assert!(fail(&r, CheckId::Rms));
    assert_eq!(evidence(&r, CheckId::Rms, "functional_state"), "disabled");
    let rms = r
        .check(CheckId::Rms)
        .and_then(|c| c.findings.first())
        .and_then(|f| f.fix.clone());
    assert!(rms.is_some_and(|fix| fix.commands.iter().any(|c| c.contains("Enable-AipService"))));
    let r = report_of("firewall-blocked").await;
    assert!(fail(&r, CheckId::Network));
    assert_eq!(
        evidence(&r, CheckId::Network, "blocked"),
        serde_json::json!(["edge.microsoft.com", "api.aadrm.com"])
    );
    let r = report_of("sync-disabled-by-policy").await;
    assert!(
        fail(&r, CheckId::EdgePolicy) && r.codes(CheckId::EdgePolicy) == ["POLICY_SYNC_DISABLED"]
    );
    let r = report_of("settings-url-empty").await;
    assert!(fail(&r, CheckId::DeviceRegistration));
    assert_eq!(
        evidence(&r, CheckId::DeviceRegistration, "settings_url_present"),
        false
    );
    let r = report_of("cryptographer-error").await;
    assert!(
        fail(&r, CheckId::SyncHealth)
            && r.codes(CheckId::SyncHealth) == ["SYNC_CRYPTOGRAPHER_ERROR"]
    );
}

#[tokio::test]
async fn a_workplace_feature_split_is_reported_per_feature() {
    let report = report_of("esr-disabled").await;
    let verdicts: Vec<(&str, &str)> = report
        .features
        .iter()
        .map(|f| (f.id.as_str(), f.verdict.as_str()))
        .collect();
    assert_eq!(
        verdicts,
        [("edge_sync", "pass"), ("windows_settings", "fail")]
    );
    assert_eq!(report.features[1].failed_by, [CheckId::TenantEsr]);
}

/// A trainer's room reads the demo's description in its own language.
#[test]
fn every_scenario_is_described_in_german_and_dutch() {
    use esr_doctor::i18n::Lang;
    for name in scenario::names() {
        let spec = scenario::spec(&name).unwrap_or_else(|e| panic!("{name}: {e}"));
        for lang in [Lang::De, Lang::Nl] {
            assert_ne!(
                spec.description_in(lang),
                spec.description,
                "{name} has no {lang:?} description"
            );
        }
    }
}
