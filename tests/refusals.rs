//! Every AADSTS refusal at every stage it can come at (the device-code poll, the browser
//! flow's code redemption, a refresh), and each audience refused alone: the tenant emulator
//! answers as Entra words it (`error`, `error_codes`, `AADSTSnnnn:` description) and the report
//! names the refusal and leaves only the checks that needed that token undecided.

mod common;

use common::{Events, browser_config, emulator_for, fast_config, scenario_source, session};
use esr_doctor::cloud::auth::SignInEvent;
use esr_doctor::cloud::auth::refusals::{REFUSALS, RefusalKind};
use esr_doctor::cloud::live::CloudConfig;
use esr_doctor::emulator::Emulator;
use esr_doctor::emulator::oauth::{Refusal, Stage};
use esr_doctor::model::{CheckId, Report, Status};
use esr_doctor::runner::{RunOptions, run};

const TENANT_CHECKS: [CheckId; 3] = [CheckId::TenantEsr, CheckId::License, CheckId::Rms];

/// The healthy tenant refusing with `refusal`, signed in as `config` says.
async fn refused(
    refusal: Refusal,
    config: impl Fn(&Emulator) -> CloudConfig,
) -> (Report, Events, Emulator) {
    let source = scenario_source("healthy");
    let emulator = emulator_for(&source).await;
    emulator.configure(|c| c.sign_in.refusal = Some(refusal));
    let events = Events::default();
    let source = esr_doctor::runner::Inputs::live(source, session(config(&emulator), &events));
    let report = run(source, RunOptions::default(), None).await;
    (report, events, emulator)
}

fn reason(report: &Report, id: CheckId) -> String {
    report
        .check(id)
        .and_then(|c| c.reason.clone())
        .unwrap_or_default()
}

/// The refusals that end a sign-in (not "still pending").
fn refusals() -> impl Iterator<Item = &'static esr_doctor::cloud::auth::refusals::Refusal> {
    REFUSALS.iter().filter(|r| r.kind != RefusalKind::Progress)
}

#[tokio::test]
async fn each_refusal_at_the_device_code_poll_and_the_code_redemption_is_named() {
    for (stage, config) in [
        (Stage::Poll, fast_config as fn(&Emulator) -> CloudConfig),
        (Stage::Redemption, browser_config),
    ] {
        for known in refusals() {
            let refusal = Refusal {
                code: known.code,
                stage,
                audience: None,
            };
            let (report, events, _emulator) = refused(refusal, config).await;
            let case = format!("AADSTS{} at {stage:?}", known.code);
            let code = format!("AADSTS{}", known.code);
            common::assert_tenant_checks_signed_out(&report, &[&code, known.what]);
            assert!(
                matches!(events.all().last(), Some(SignInEvent::Failed(why)) if why.contains(known.instead)),
                "{case}: {:?}",
                events.all().last()
            );
        }
    }
}

#[tokio::test]
async fn each_refusal_at_a_refresh_leaves_graph_decided() {
    for known in refusals() {
        let refusal = Refusal {
            code: known.code,
            stage: Stage::Refresh,
            audience: None,
        };
        let (report, _, _emulator) = refused(refusal, fast_config).await;
        let case = format!("AADSTS{} at a refresh", known.code);
        // The sign-in was for Graph: the licence check is decided from its answers.
        assert_eq!(
            report.check(CheckId::License).map(|c| c.status),
            Some(Status::Pass),
            "{case}"
        );
        for id in [CheckId::TenantEsr, CheckId::Rms] {
            let reason = reason(&report, id);
            assert_eq!(
                report.check(id).map(|c| c.status),
                Some(Status::Skipped),
                "{case}: {id}: {reason}"
            );
            assert!(
                reason.contains(&format!("AADSTS{}", known.code)),
                "{case}: {id}: {reason}"
            );
        }
    }
}

#[tokio::test]
async fn each_audience_refused_alone_leaves_only_its_checks_undecided() {
    let cases = [
        // No Azure RMS service principal in the tenant.
        ("aadrm", 500011, CheckId::Rms),
        // Nobody consented to the portal resource.
        ("74658136", 65001, CheckId::TenantEsr),
        // MFA for the RMS service only.
        ("aadrm", 50076, CheckId::Rms),
        // Conditional Access on the portal resource only.
        ("74658136", 53003, CheckId::TenantEsr),
    ];
    for (audience, code, lost) in cases {
        let refusal = Refusal {
            code,
            stage: Stage::Refresh,
            audience: Some(audience.into()),
        };
        let (report, _, _emulator) = refused(refusal, fast_config).await;
        for id in TENANT_CHECKS {
            let check = report.check(id).unwrap_or_else(|| panic!("{id}"));
            if id == lost {
                assert_eq!(check.status, Status::Skipped, "{audience}/{code}: {id}");
                assert!(
                    reason(&report, id).contains(&format!("AADSTS{code}")),
                    "{audience}/{code}: {}",
                    reason(&report, id)
                );
            } else {
                assert_eq!(
                    check.status,
                    Status::Pass,
                    "{audience}/{code}: {id} {:?}",
                    check.reason
                );
            }
        }
        assert_eq!(report.exit_code(), 3, "{audience}/{code}: incomplete");
    }
}

/// Graph refused alone: with a stored sign-in, each audience is redeemed from it, and Graph's
/// refusal (Conditional Access on Graph) loses only the licence check.
#[tokio::test]
async fn graph_refused_alone_leaves_the_portal_and_rms_read() {
    let store = keyring_core::mock::Store::new().unwrap_or_else(|e| panic!("{e}"));
    keyring_core::set_default_store(store);
    let source = scenario_source("healthy");
    let emulator = emulator_for(&source).await;
    let config = CloudConfig {
        no_cache: false,
        ..fast_config(&emulator)
    };
    let first = source.clone();
    let first =
        esr_doctor::runner::Inputs::live(first, session(config.clone(), &Events::default()));
    assert_eq!(run(first, RunOptions::default(), None).await.exit_code(), 0);

    emulator.configure(|c| {
        c.sign_in.refusal = Some(Refusal {
            code: 53003,
            stage: Stage::Refresh,
            audience: Some("graph".into()),
        });
    });
    let second = source;
    let second = esr_doctor::runner::Inputs::live(second, session(config, &Events::default()));
    let report = run(second, RunOptions::default(), None).await;
    assert_eq!(
        report.check(CheckId::License).map(|c| c.status),
        Some(Status::Skipped)
    );
    assert!(reason(&report, CheckId::License).contains("AADSTS53003"));
    for id in [CheckId::TenantEsr, CheckId::Rms] {
        assert_eq!(
            report.check(id).map(|c| c.status),
            Some(Status::Pass),
            "{id}"
        );
    }
}

#[tokio::test]
async fn a_code_pending_for_long_says_a_policy_may_block_it() {
    let source = scenario_source("healthy");
    let emulator = emulator_for(&source).await;
    emulator.configure(|c| c.sign_in.pending_polls = 30);
    let mut config = fast_config(&emulator);
    config.device_code.pending_notice_after = std::time::Duration::from_millis(100);
    let events = Events::default();
    let source = esr_doctor::runner::Inputs::live(source, session(config, &events));
    let report = run(source, RunOptions::default(), None).await;
    assert_eq!(report.exit_code(), 0);
    let notices: Vec<String> = events
        .all()
        .into_iter()
        .filter_map(|e| match e {
            SignInEvent::Code(prompt) => prompt.notice,
            _ => None,
        })
        .collect();
    assert_eq!(notices.len(), 1, "said once: {notices:?}");
    assert!(notices[0].contains("--auth browser") && notices[0].contains("policy"));
}
