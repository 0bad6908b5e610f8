//! Every endpoint × every fault the emulator can inject (168 cases), over loopback: each run
//! ends within its deadline, never panics, and says what happened in the right status —
//! `skipped` for a refused caller (needs_role for data, needs_sign_in for sign-in), `error`
//! naming the endpoint and status for a failing service, a single 429/503 retried away, and
//! an answer only one way of deciding needs listed as a problem while the check still decides.

mod common;

use common::{Events, emulator_for, fast_config, scenario_source, session};
use esr_doctor::emulator::{Emulator, Fault};
use esr_doctor::facts::tenant::Api;
use esr_doctor::model::{CheckId, Report, SkipKind, Status};
use esr_doctor::runner::{RunOptions, run};
use std::time::{Duration, Instant};

/// Longest a faulty run may take: the request timeout (400 ms) and call budgets (3 s) of
/// `fast_config`, with room for a shared machine.
const RUN_DEADLINE: Duration = Duration::from_secs(8);

const TENANT_CHECKS: [CheckId; 3] = [CheckId::TenantEsr, CheckId::License, CheckId::Rms];

/// ESR on for the "ESR pilot" group, which the healthy user is in: the group lookup decides.
const SELECTED: &str = r#"{"syncSetting":1,"isAdminConfigurable":true,"isRoamingSettingChanged":false,"syncSelectedUsers":[{"id":"a4c81e3f-6b2d-4d59-9f07-3e8b1c6a2d95","email":null,"displayName":"ESR pilot","type":2,"hasThumbnail":false,"imageUrl":null}]}"#;

/// The checks a failure of `api` leaves undecided (none: another answer decides them). The
/// admin's view of RMS (onboarding policy, IPCv3) is the only place some failures show: its
/// loss leaves RMS undecided, unless the caller was merely refused (no admin role).
fn decided_by(api: Api, fault: Fault) -> &'static [CheckId] {
    let refused_caller = matches!(fault, Fault::Status(401 | 403));
    match api {
        Api::RmsServiceLocator
        | Api::RmsFunctionalState
        | Api::RmsOnboardingPolicy
        | Api::RmsConfiguration
            if !refused_caller =>
        {
            &[CheckId::Rms]
        }
        Api::OpenIdConfiguration | Api::Authorize | Api::DeviceCode | Api::Token => &TENANT_CHECKS,
        Api::LicenseDetails => &[CheckId::License],
        Api::MemberOf | Api::RoamingSettings => &[CheckId::TenantEsr],
        // Policies that could not be read may block sync: RMS access is unconfirmed.
        Api::ConditionalAccess if !refused_caller => &[CheckId::Rms],
        Api::Me
        | Api::Organization
        | Api::SubscribedSkus
        | Api::RmsDiscovery
        | Api::RmsServiceLocator
        | Api::RmsFunctionalState
        | Api::RmsOnboardingPolicy
        | Api::RmsConfiguration
        // The device object adds findings; dsregcmd decides device registration, and the
        // healthy tenant's device policy is met by the hybrid join dsregcmd reports.
        | Api::Devices
        | Api::ConditionalAccess
        | Api::OnboardingGroup => &[],
    }
}

/// The endpoints a fault reaches: a refused connection takes the whole host down.
fn reached(api: Api, fault: Fault) -> Vec<Api> {
    if fault == Fault::Refused {
        Api::ALL
            .into_iter()
            .filter(|a| a.host() == api.host())
            .collect()
    } else {
        vec![api]
    }
}

/// How the report must describe the fault.
fn description(fault: Fault) -> &'static str {
    match fault {
        Fault::Status(404) => "HTTP 404",
        Fault::Status(500) => "HTTP 500",
        Fault::MalformedJson | Fault::HtmlPage | Fault::EmptyBody => "HTTP 200",
        // The limit that ran out, named as it is (fast_config: 400 ms per request).
        Fault::Stall => "no answer within 400 ms",
        Fault::Reset => "connection",
        Fault::Refused => "cannot connect",
        Fault::EchoCredentials => "HTTP 400",
        Fault::Status(status) => {
            if status == 401 {
                "HTTP 401"
            } else {
                "HTTP 403"
            }
        }
        Fault::TooManyRequests { .. } | Fault::Unavailable { .. } => "",
    }
}

async fn run_case(api: Api, fault: Fault) -> (Report, Emulator, Duration) {
    let source = scenario_source("healthy");
    let emulator = emulator_for(&source).await;
    emulator.configure(|c| c.tenant.set_answer(Api::RoamingSettings, SELECTED));
    let once = matches!(
        fault,
        Fault::TooManyRequests { .. } | Fault::Unavailable { .. }
    );
    emulator.set_fault(api, fault, once.then_some(1));
    let mut config = fast_config(&emulator);
    // A named tenant makes the run detect its cloud first (the OpenID configuration).
    config.tenant = Some("fabrikam.com".into());
    let source = esr_doctor::runner::Inputs::live(source, session(config, &Events::default()));
    let started = Instant::now();
    let report = tokio::time::timeout(RUN_DEADLINE, run(source, RunOptions::default(), None))
        .await
        .unwrap_or_else(|_| {
            panic!("{api:?} × {fault:?}: the run did not end within {RUN_DEADLINE:?}")
        });
    (report, emulator, started.elapsed())
}

fn check_case(api: Api, fault: Fault, report: &Report, emulator: &Emulator) {
    let case = format!("{api:?} × {fault:?}");
    assert_eq!(report.checks.len(), 9, "{case}");
    let retried = matches!(
        fault,
        Fault::TooManyRequests { .. } | Fault::Unavailable { .. }
    );
    if retried {
        let statuses: Vec<Option<u16>> = emulator
            .log()
            .iter()
            .filter(|e| e.endpoint == api.name())
            .map(|e| e.status)
            .collect();
        let refused = Some(if matches!(fault, Fault::TooManyRequests { .. }) {
            429
        } else {
            503
        });
        // The OpenID configuration is asked of three login hosts at once, and the log is kept
        // in the order answers went out: the faulted answer is not always the first entry,
        // but the retry that succeeds always comes after it.
        let faulted = statuses.iter().position(|s| *s == refused);
        assert!(
            faulted.is_some_and(|at| statuses[at + 1..].contains(&Some(200))),
            "{case}: retried: {statuses:?}"
        );
        assert!(
            report.checks.iter().all(|c| c.status == Status::Pass),
            "{case}: {:#?}",
            report.checks
        );
        return;
    }
    let reached = reached(api, fault);
    let names: Vec<&str> = reached.iter().map(|a| a.name()).collect();
    let words = description(fault);
    let undecided: Vec<CheckId> = reached
        .iter()
        .flat_map(|a| decided_by(*a, fault).iter().copied())
        .collect();
    let sign_in = reached.iter().any(|a| a.audience().is_none());
    for check in &report.checks {
        let reason = check.reason.clone().unwrap_or_default();
        if !undecided.contains(&check.id) {
            assert_eq!(check.status, Status::Pass, "{case}: {} {reason}", check.id);
            continue;
        }
        match fault {
            Fault::Status(401 | 403) => {
                let kind = if sign_in {
                    SkipKind::NeedsSignIn
                } else {
                    SkipKind::NeedsRole
                };
                assert_eq!(
                    (check.status, check.skip_kind),
                    (Status::Skipped, Some(kind)),
                    "{case}: {} {reason}",
                    check.id
                );
            }
            _ => assert_eq!(check.status, Status::Error, "{case}: {} {reason}", check.id),
        }
        assert!(
            names.iter().any(|n| reason.contains(n)),
            "{case}: {} does not name {names:?}: {reason}",
            check.id
        );
        assert!(
            reason.contains(words),
            "{case}: {} lacks {words:?}: {reason}",
            check.id
        );
    }
    if undecided.is_empty() {
        let named = report
            .problems
            .iter()
            .any(|p| names.iter().any(|n| p.source.as_str() == *n) && p.message.contains(words));
        assert!(named, "{case}: no problem names it: {:#?}", report.problems);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_endpoint_under_every_fault_ends_in_the_right_status() {
    let mut cases = 0;
    // The browser calls /authorize, not esr-doctor; a device-code run never reaches it. The
    // onboarding policy's group is looked up only when a policy names one (tests/directory.rs).
    let called = |a: &Api| !matches!(a, Api::Authorize | Api::OnboardingGroup);
    for api in Api::ALL.into_iter().filter(called) {
        for fault in Fault::MATRIX {
            let (report, emulator, took) = run_case(api, fault).await;
            assert!(took < RUN_DEADLINE, "{api:?} × {fault:?} took {took:?}");
            check_case(api, fault, &report, &emulator);
            cases += 1;
        }
    }
    assert!(cases >= 60, "{cases} cases");
}

#[tokio::test]
async fn a_persistent_503_gives_up_within_the_deadline_and_names_the_endpoint() {
    let (report, emulator, took) = {
        let source = scenario_source("healthy");
        let emulator = emulator_for(&source).await;
        emulator.set_fault(
            Api::LicenseDetails,
            Fault::Unavailable {
                retry_after_secs: 1,
            },
            None,
        );
        let source = esr_doctor::runner::Inputs::live(
            source,
            session(fast_config(&emulator), &Events::default()),
        );
        let started = Instant::now();
        let report = run(source, RunOptions::default(), None).await;
        (report, emulator, started.elapsed())
    };
    assert!(took < Duration::from_secs(6), "{took:?}");
    let tries = emulator
        .log()
        .iter()
        .filter(|e| e.endpoint == "graph licenseDetails")
        .count();
    assert!(
        (2..=4).contains(&tries),
        "retried a bounded number of times: {tries}"
    );
    for face in [
        esr_doctor::report::text::render(&report),
        esr_doctor::report::markdown::render(&report),
    ] {
        assert!(
            face.contains("Evidence that could not be used") && face.contains("licenseDetails"),
            "every face lists the failed call: {face}"
        );
    }
    let license = report.check(CheckId::License).map(|c| c.reason.clone());
    assert!(
        license
            .flatten()
            .is_some_and(|r| r.contains("graph licenseDetails") && r.contains("HTTP 503")),
        "{:#?}",
        report.check(CheckId::License)
    );
}
