//! The device-code sign-in against the tenant emulator over loopback: every way it can end,
//! cancelling it, one token per audience, and the refresh token kept in the keyring (the
//! keyring's mock store) so the next run needs no prompt.

mod common;

use common::{Events, emulator_for, endpoints, fast_config, scenario_source, session};
use esr_doctor::cloud::auth::SignInEvent;
use esr_doctor::emulator::Emulator;
use esr_doctor::emulator::oauth::SignInOutcome;
use esr_doctor::model::{CheckId, Report, SkipKind, Status};
use esr_doctor::runner::{RunOptions, run};
use std::time::{Duration, Instant};

const TENANT_CHECKS: [CheckId; 3] = [CheckId::TenantEsr, CheckId::License, CheckId::Rms];

/// Runs the healthy demo tenant with a sign-in that ends in `outcome` after `pending` polls.
async fn healthy_with(outcome: SignInOutcome, pending: u32) -> (Report, Events, Emulator) {
    let source = scenario_source("healthy");
    let emulator = emulator_for(&source).await;
    emulator.configure(|c| {
        c.sign_in.outcome = outcome;
        c.sign_in.pending_polls = pending;
    });
    let events = Events::default();
    let source = esr_doctor::runner::Inputs::live(source, session(fast_config(&emulator), &events));
    let report = run(source, RunOptions::default(), None).await;
    (report, events, emulator)
}

fn count(emulator: &Emulator, endpoint: &str) -> usize {
    endpoints(emulator)
        .iter()
        .filter(|e| **e == endpoint)
        .count()
}

#[tokio::test]
async fn pending_then_approved_reads_every_endpoint_once_per_audience() {
    let (report, events, emulator) = healthy_with(SignInOutcome::Approve, 2).await;
    let statuses: Vec<Status> = report.checks.iter().map(|c| c.status).collect();
    assert_eq!(statuses, [Status::Pass; 9], "{:#?}", report.checks);
    let events = events.all();
    assert!(matches!(events.first(), Some(SignInEvent::Code(p)) if !p.user_code.is_empty()));
    assert_eq!(events.last(), Some(&SignInEvent::SignedIn));
    assert_eq!(count(&emulator, "devicecode"), 1);
    // Two polls pending, one approved, then one refresh each for Graph and the portal.
    assert_eq!(count(&emulator, "token"), 5);
    let audiences: Vec<String> = emulator
        .log()
        .iter()
        .filter_map(|e| e.audience.clone())
        .collect();
    for endpoint in [
        "graph /me",
        "graph licenseDetails",
        "graph /organization",
        "graph /subscribedSkus",
        "graph transitiveMemberOf",
        "portal RoamingSettings",
        "rms servicediscovery",
        "rms ServiceLocator",
        "rms FunctionalState",
        "rms OnboardingControlPolicy",
        "rms Configuration",
    ] {
        assert_eq!(count(&emulator, endpoint), 1, "{endpoint}");
    }
    for audience in ["graph.microsoft.com", "74658136", "aadrm.com"] {
        assert!(
            audiences.iter().any(|a| a.contains(audience)),
            "{audience}: {audiences:?}"
        );
    }
    let rms = report.check(CheckId::Rms).map(|c| c.evidence.clone());
    let requests = rms
        .and_then(|e| e.get("requests").cloned())
        .unwrap_or_default();
    assert!(
        requests.to_string().contains("client_request_id"),
        "{requests}"
    );
}

#[tokio::test]
async fn every_refused_sign_in_skips_the_tenant_checks_with_its_own_words() {
    let cases = [
        (SignInOutcome::Decline, "declined"),
        (SignInOutcome::Expire, "expired"),
        (SignInOutcome::BadCode, "bad_verification_code"),
        (SignInOutcome::ConditionalAccess, "Conditional Access"),
    ];
    for (outcome, words) in cases {
        let (report, events, emulator) = healthy_with(outcome, 1).await;
        for id in TENANT_CHECKS {
            let check = report.check(id).unwrap_or_else(|| panic!("{id} missing"));
            assert_eq!(
                (check.status, check.skip_kind),
                (Status::Skipped, Some(SkipKind::NeedsSignIn)),
                "{outcome:?}/{id}"
            );
            let reason = check.reason.clone().unwrap_or_default();
            assert!(reason.contains(words), "{outcome:?}: {reason}");
        }
        assert!(
            matches!(events.all().last(), Some(SignInEvent::Failed(why)) if why.contains(words)),
            "{outcome:?}"
        );
        assert!(
            emulator.log().iter().all(|e| e.audience.is_none()),
            "{outcome:?}: no tenant data may be read without a token"
        );
        assert_eq!(report.exit_code(), 3, "{outcome:?}: incomplete, not failed");
    }
}

#[tokio::test]
async fn slow_down_lengthens_the_polling_interval_and_still_signs_in() {
    let (report, _, emulator) = healthy_with(SignInOutcome::SlowDownThenApprove, 1).await;
    assert!(report.checks.iter().all(|c| c.status == Status::Pass));
    let polls: Vec<f64> = emulator
        .log()
        .iter()
        .filter(|e| e.endpoint == "token" && e.depends_on.len() == 1)
        .map(|e| e.started_ms)
        .collect();
    assert!(polls.len() >= 2, "{polls:?}");
    // fast_config polls every 10 ms and adds 200 ms per slow_down.
    assert!(polls[1] - polls[0] >= 200.0, "{polls:?}");
}

#[tokio::test]
async fn cancelling_a_waiting_sign_in_ends_the_run_promptly() {
    let source = scenario_source("healthy");
    let emulator = emulator_for(&source).await;
    emulator.configure(|c| c.sign_in.decide_after = Duration::from_secs(3600));
    let events = Events::default();
    let cloud = session(fast_config(&emulator), &events);
    let source = esr_doctor::runner::Inputs::live(source, std::sync::Arc::clone(&cloud));
    let running = tokio::spawn(run(source, RunOptions::default(), None));
    let waiting_since = Instant::now();
    while !events
        .all()
        .iter()
        .any(|e| matches!(e, SignInEvent::Code(_)))
    {
        assert!(
            waiting_since.elapsed() < Duration::from_secs(5),
            "no code shown"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let cancelled_at = Instant::now();
    cloud.cancel_sign_in();
    let report = tokio::time::timeout(Duration::from_secs(3), running)
        .await
        .unwrap_or_else(|_| panic!("the run did not end after cancelling"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(cancelled_at.elapsed() < Duration::from_secs(2));
    for id in TENANT_CHECKS {
        let check = report.check(id).unwrap_or_else(|| panic!("{id}"));
        assert_eq!(check.skip_kind, Some(SkipKind::NeedsSignIn), "{id}");
        assert!(
            check
                .reason
                .as_deref()
                .is_some_and(|r| r.contains("cancelled"))
        );
    }
    assert_eq!(
        report.check(CheckId::EdgeVersion).map(|c| c.status),
        Some(Status::Pass),
        "device checks are decided regardless"
    );
}

#[tokio::test]
async fn a_refresh_token_in_the_keyring_spares_the_next_run_a_prompt() {
    let store = keyring_core::mock::Store::new().unwrap_or_else(|e| panic!("{e}"));
    keyring_core::set_default_store(store);
    let source = scenario_source("healthy");
    let emulator = emulator_for(&source).await;
    let config = esr_doctor::cloud::live::CloudConfig {
        no_cache: false,
        ..fast_config(&emulator)
    };
    let key = format!(
        "refresh-token:global:organizations:{}:*",
        esr_doctor::cloud::auth::DEFAULT_CLIENT_ID
    );
    let entry = keyring_core::Entry::new("esr-doctor", &key).unwrap_or_else(|e| panic!("{e}"));
    // A stale token from an earlier tenant: rejected, forgotten, and replaced after a sign-in.
    entry
        .set_password("stale-refresh-token")
        .unwrap_or_else(|e| panic!("{e}"));

    let first = Events::default();
    let run_one = source.clone();
    let run_one = esr_doctor::runner::Inputs::live(run_one, session(config.clone(), &first));
    let report = run(run_one, RunOptions::default(), None).await;
    assert!(report.checks.iter().all(|c| c.status == Status::Pass));
    assert!(matches!(first.all().first(), Some(SignInEvent::Code(_))));
    let stored = entry.get_password().unwrap_or_default();
    assert!(
        stored.starts_with("emurt"),
        "the new refresh token is kept: {stored}"
    );
    assert!(emulator.secrets().contains(&stored));

    let before = emulator.log().len();
    let second = Events::default();
    let run_two = source.clone();
    let run_two = esr_doctor::runner::Inputs::live(run_two, session(config, &second));
    let report = run(run_two, RunOptions::default(), None).await;
    assert!(report.checks.iter().all(|c| c.status == Status::Pass));
    assert!(second.all().is_empty(), "no prompt: {:?}", second.all());
    let later: Vec<&str> = endpoints(&emulator)[before..].to_vec();
    assert!(!later.contains(&"devicecode"), "{later:?}");
    assert_eq!(
        later.iter().filter(|e| **e == "token").count(),
        3,
        "one refresh per audience: {later:?}"
    );
    assert!(esr_doctor::cloud::auth::token_store::sign_out_everywhere().is_ok_and(|n| n >= 1));
    assert!(matches!(
        entry.get_password(),
        Err(keyring_core::Error::NoEntry)
    ));
}

#[tokio::test]
async fn auth_none_contacts_no_sign_in_or_tenant_endpoint() {
    let source = scenario_source("healthy");
    let emulator = emulator_for(&source).await;
    let config = esr_doctor::cloud::live::CloudConfig {
        auth: esr_doctor::cloud::auth::AuthMode::None,
        ..fast_config(&emulator)
    };
    let source = esr_doctor::runner::Inputs::live(source, session(config, &Events::default()));
    let report = run(source, RunOptions::default(), None).await;
    assert!(emulator.log().is_empty(), "{:?}", endpoints(&emulator));
    for id in TENANT_CHECKS {
        assert_eq!(
            report.check(id).and_then(|c| c.skip_kind),
            Some(SkipKind::NeedsSignIn)
        );
    }
}

/// Runs the real binary on "this device" (an empty temporary home) with the tenant's hosts
/// pointed at `emulator` through an endpoints file.
async fn binary_against(emulator: &Emulator, extra: &[&str], use_env: bool) -> serde_json::Value {
    let home = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let file = home.path().join("endpoints.toml");
    common::write_endpoints_file(emulator, &file);
    let mut args: Vec<String> = [
        "check",
        "--format",
        "json",
        "--auth",
        "device-code",
        "--no-cache",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    if !use_env {
        args.extend(["--endpoints".to_owned(), file.display().to_string()]);
    }
    args.extend(extra.iter().map(|s| (*s).to_owned()));
    let home_path = home.path().to_path_buf();
    let output = tokio::task::spawn_blocking(move || {
        let mut command =
            assert_cmd::Command::cargo_bin("esr-doctor").unwrap_or_else(|e| panic!("{e}"));
        command
            .args(&args)
            .env("HOME", &home_path)
            .env("XDG_CONFIG_HOME", home_path.join(".config"))
            .env("XDG_STATE_HOME", &home_path)
            .env("PATH", home_path.join("bin"))
            .timeout(Duration::from_secs(60));
        if use_env {
            command.env("ESR_DOCTOR_ENDPOINTS", home_path.join("endpoints.toml"));
        } else {
            command.env_remove("ESR_DOCTOR_ENDPOINTS");
        }
        command.output()
    })
    .await
    .unwrap_or_else(|e| panic!("{e}"))
    .unwrap_or_else(|e| panic!("{e}"));
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&output.stderr)))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offline_makes_no_connection_and_the_endpoints_override_reaches_the_emulator() {
    let source = scenario_source("healthy");
    let emulator = emulator_for(&source).await;
    let only = ["--only", "tenant_esr,license,rms"];
    let offline: Vec<&str> = only.iter().copied().chain(["--offline"]).collect();
    let report = binary_against(&emulator, &offline, false).await;
    assert!(emulator.log().is_empty(), "{:?}", endpoints(&emulator));
    let checks = report["checks"].as_array().cloned().unwrap_or_default();
    assert_eq!(checks.len(), 3);
    for check in &checks {
        assert_eq!(check["status"], "skipped", "{check}");
        assert!(
            check["reason"]
                .as_str()
                .is_some_and(|r| r.contains("--offline")),
            "{check}"
        );
    }
    // The same run online, with the file named by ESR_DOCTOR_ENDPOINTS: the tenant is read.
    let report = binary_against(&emulator, &only, true).await;
    assert_eq!(
        common::statuses(&report),
        ["pass", "pass", "pass"],
        "{report}"
    );
    assert!(endpoints(&emulator).contains(&"devicecode"));
}

#[tokio::test]
async fn an_operator_who_is_not_the_edge_user_reads_that_users_licences_and_groups() {
    for operator in ["it.admin@fabrikam.com", "Jana.Novak@fabrikam.com"] {
        let source = scenario_source("healthy");
        let emulator = emulator_for(&source).await;
        emulator.configure(|c| c.tenant.user_principal_name = operator.to_owned());
        let config = esr_doctor::cloud::live::CloudConfig {
            device_account: esr_doctor::runner::gather::device_identity(&source).account,
            ..fast_config(&emulator)
        };
        let source = esr_doctor::runner::Inputs::live(source, session(config, &Events::default()));
        let report = run(source, RunOptions::default(), None).await;
        assert!(
            report.checks.iter().all(|c| c.status == Status::Pass),
            "{operator}"
        );
        let licences: Vec<String> = emulator
            .log()
            .iter()
            .filter(|e| e.endpoint == "graph licenseDetails")
            .map(|e| e.path.clone())
            .collect();
        let evidence = report
            .check(CheckId::License)
            .map(|c| c.evidence.clone())
            .unwrap_or_default();
        assert_eq!(evidence["read_as"], operator, "{operator}");
        assert_eq!(
            evidence["subject"]
                .as_str()
                .map(str::to_ascii_lowercase)
                .as_deref(),
            Some("jana.novak@fabrikam.com")
        );
        let want = if operator.starts_with("it.") {
            "/v1.0/users/jana.novak%40fabrikam.com/licenseDetails"
        } else {
            "/v1.0/me/licenseDetails"
        };
        assert_eq!(licences, [want], "{operator}");
    }
}

#[tokio::test]
async fn a_failed_sign_in_is_offered_again_on_the_next_run() {
    let source = scenario_source("healthy");
    let emulator = emulator_for(&source).await;
    emulator.configure(|c| c.sign_in.outcome = SignInOutcome::Decline);
    let events = Events::default();
    let cloud = session(fast_config(&emulator), &events);
    let first = source.clone();
    let first = esr_doctor::runner::Inputs::live(first, std::sync::Arc::clone(&cloud));
    let declined = run(first, RunOptions::default(), None).await;
    assert_eq!(declined.exit_code(), 3);

    emulator.configure(|c| c.sign_in.outcome = SignInOutcome::Approve);
    cloud.forget_failed_sign_in();
    let second = source.clone();
    let second = esr_doctor::runner::Inputs::live(second, std::sync::Arc::clone(&cloud));
    let report = run(second, RunOptions::default(), None).await;
    assert!(report.checks.iter().all(|c| c.status == Status::Pass));
    assert_eq!(count(&emulator, "devicecode"), 2);

    // A sign-in that gave tokens is kept: no third prompt.
    cloud.forget_failed_sign_in();
    let third = source;
    let third = esr_doctor::runner::Inputs::live(third, cloud);
    let again = run(third, RunOptions::default(), None).await;
    assert_eq!(again.exit_code(), 0);
    assert_eq!(count(&emulator, "devicecode"), 2);
}

/// A device-code answer that names another page than Microsoft's device login is refused
/// before the person is shown anything, with a message that says why.
#[tokio::test]
async fn a_sign_in_page_that_is_not_microsofts_is_never_shown() {
    let source = scenario_source("healthy");
    let emulator = emulator_for(&source).await;
    emulator.configure(|c| {
        c.sign_in.verification_uri = "https://login.evil.example/devicelogin".into();
    });
    let events = Events::default();
    let source = esr_doctor::runner::Inputs::live(source, session(fast_config(&emulator), &events));
    let report = run(source, RunOptions::default(), None).await;
    assert!(
        !events
            .all()
            .iter()
            .any(|e| matches!(e, SignInEvent::Code(_))),
        "the code was shown: {:?}",
        events.all()
    );
    let json = serde_json::to_string(&report).unwrap_or_default();
    assert!(json.contains("not Microsoft's device-login page"), "{json}");
    for id in TENANT_CHECKS {
        assert_ne!(
            report.check(id).map(|c| c.status),
            Some(Status::Pass),
            "{id:?}"
        );
    }
    assert_eq!(count(&emulator, "token"), 0, "no poll for a refused code");
}

/// `interval: 0` would poll without pause: the client waits at least a second between polls.
#[tokio::test]
async fn an_interval_of_zero_still_pauses_between_polls() {
    let source = scenario_source("healthy");
    let emulator = emulator_for(&source).await;
    emulator.configure(|c| {
        c.sign_in.interval_secs = 0;
        c.sign_in.pending_polls = 2;
    });
    let config = esr_doctor::cloud::live::CloudConfig {
        device_code: esr_doctor::cloud::auth::device_code::DeviceCodeOptions {
            poll_interval: None,
            ..fast_config(&emulator).device_code
        },
        ..fast_config(&emulator)
    };
    let source = esr_doctor::runner::Inputs::live(source, session(config, &Events::default()));
    let report = run(source, RunOptions::default(), None).await;
    assert!(report.checks.iter().all(|c| c.status == Status::Pass));
    let polls: Vec<f64> = emulator
        .log()
        .iter()
        .filter(|e| e.endpoint == "token")
        .map(|e| e.started_ms)
        .take(3)
        .collect();
    assert_eq!(polls.len(), 3, "two pending polls and the approved one");
    for pair in polls.windows(2) {
        assert!(
            pair[1] - pair[0] >= 900.0,
            "polled without pause: {polls:?}"
        );
    }
}
