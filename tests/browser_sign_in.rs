//! The browser sign-in (authorization code with PKCE on a loopback redirect) against the tenant
//! emulator over loopback, the emulator playing the person's browser: the whole flow, a
//! decline, an answer with another `state`, a browser that never comes back, a cancel, and
//! `auto` falling back to a device code when no browser starts.

mod common;

use common::{Events, browser_config, emulator_for, endpoints, scenario_source, session};
use esr_doctor::cloud::auth::SignInEvent;
use esr_doctor::cloud::auth::browser::Opener;
use esr_doctor::emulator::oauth::SignInOutcome;
use esr_doctor::model::{CheckId, Status};
use esr_doctor::runner::{RunOptions, run};
use std::sync::{Arc, Mutex};
use std::time::Duration;

fn query(url: &str) -> std::collections::HashMap<String, String> {
    url::Url::parse(url)
        .unwrap_or_else(|e| panic!("{url}: {e}"))
        .query_pairs()
        .into_owned()
        .collect()
}

#[tokio::test]
async fn the_browser_signs_in_with_pkce_on_a_loopback_redirect() {
    let source = scenario_source("healthy");
    let emulator = emulator_for(&source).await;
    let events = Events::default();
    let source =
        esr_doctor::runner::Inputs::live(source, session(browser_config(&emulator), &events));
    let report = run(source, RunOptions::default(), None).await;
    assert!(
        report.checks.iter().all(|c| c.status == Status::Pass),
        "{:#?}",
        report.checks
    );
    let events = events.all();
    let Some(SignInEvent::Browser(prompt)) = events.first() else {
        panic!("no browser prompt: {events:?}");
    };
    assert!(prompt.opened);
    let asked = query(&prompt.url);
    assert_eq!(asked["response_type"], "code");
    assert_eq!(asked["code_challenge_method"], "S256");
    assert_eq!(asked["code_challenge"].len(), 43, "BASE64URL(SHA-256)");
    assert!(asked["scope"].starts_with("https://graph.microsoft.com/.default"));
    assert!(asked["scope"].contains("offline_access"));
    let redirect = url::Url::parse(&asked["redirect_uri"]).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        (redirect.scheme(), redirect.host_str()),
        ("http", Some("localhost"))
    );
    assert!(redirect.port().is_some_and(|p| p != 0));
    assert_eq!(events.last(), Some(&SignInEvent::SignedIn));
    let calls = endpoints(&emulator);
    assert_eq!(calls.iter().filter(|e| **e == "authorize").count(), 1);
    assert!(!calls.contains(&"devicecode"), "{calls:?}");
    // The code redemption (Graph), then one refresh each for the portal and Azure RMS.
    assert_eq!(
        calls.iter().filter(|e| **e == "token").count(),
        3,
        "{calls:?}"
    );
}

#[tokio::test]
async fn a_declined_browser_sign_in_skips_the_tenant_checks_and_says_so() {
    let source = scenario_source("healthy");
    let emulator = emulator_for(&source).await;
    emulator.configure(|c| c.sign_in.outcome = SignInOutcome::Decline);
    let events = Events::default();
    let source =
        esr_doctor::runner::Inputs::live(source, session(browser_config(&emulator), &events));
    let report = run(source, RunOptions::default(), None).await;
    common::assert_tenant_checks_signed_out(&report, &["declined"]);
    assert!(
        !endpoints(&emulator).contains(&"token"),
        "no code, no redemption"
    );
}

/// An answer with another `state` reaching the loopback address is refused (400) and does not
/// end the sign-in; the browser's own answer then does.
#[tokio::test]
async fn an_answer_with_another_state_is_refused_and_the_real_one_still_signs_in() {
    let source = scenario_source("healthy");
    let emulator = emulator_for(&source).await;
    let refused = Arc::new(Mutex::new(None));
    let seen = Arc::clone(&refused);
    let browser = esr_doctor::emulator::browser::opener(Duration::from_millis(50));
    let opener: Opener = Arc::new(move |url: String| {
        let redirect = query(&url)["redirect_uri"].clone();
        let seen = Arc::clone(&seen);
        tokio::spawn(async move {
            let forged = format!("{redirect}/?code=forged&state=not-this-sign-in");
            let answer = esr_doctor::emulator::browser::get(&forged)
                .await
                .map_err(|e| e.to_string());
            if let Ok(mut slot) = seen.lock() {
                *slot = Some(answer);
            }
        });
        browser(url)
    });
    let mut config = browser_config(&emulator);
    config.browser.opener = opener;
    let source = esr_doctor::runner::Inputs::live(source, session(config, &Events::default()));
    let report = run(source, RunOptions::default(), None).await;
    assert!(report.checks.iter().all(|c| c.status == Status::Pass));
    let answer = refused.lock().ok().and_then(|a| a.clone());
    assert_eq!(answer.map(|a| a.map(|(status, _)| status)), Some(Ok(400)));
    let redeemed: Vec<String> = emulator
        .log()
        .iter()
        .filter(|e| e.endpoint == "token")
        .map(|e| e.path.clone())
        .collect();
    assert_eq!(redeemed.len(), 3, "the forged code was never redeemed");
}

#[tokio::test]
async fn a_browser_that_never_comes_back_ends_at_the_deadline_naming_the_alternative() {
    let source = scenario_source("healthy");
    let emulator = emulator_for(&source).await;
    let mut config = browser_config(&emulator);
    config.browser.deadline = Duration::from_millis(300);
    config.browser.opener = Arc::new(|_| Ok(()));
    let events = Events::default();
    let source = esr_doctor::runner::Inputs::live(source, session(config, &events));
    let report = tokio::time::timeout(
        Duration::from_secs(10),
        run(source, RunOptions::default(), None),
    )
    .await
    .unwrap_or_else(|_| panic!("the run did not end"));
    let reason = report
        .check(CheckId::License)
        .and_then(|c| c.reason.clone())
        .unwrap_or_default();
    assert!(reason.contains("--auth device-code"), "{reason}");
    assert_eq!(report.exit_code(), 3);
}

#[tokio::test]
async fn auto_uses_a_device_code_when_no_browser_can_start() {
    let source = scenario_source("healthy");
    let emulator = emulator_for(&source).await;
    let mut config = browser_config(&emulator);
    config.browser.opener = Arc::new(|_| Err("no display".into()));
    config.auth = esr_doctor::cloud::auth::AuthMode::Auto;
    config.desktop_session = true;
    let events = Events::default();
    let source = esr_doctor::runner::Inputs::live(source, session(config, &events));
    let report = run(source, RunOptions::default(), None).await;
    assert!(report.checks.iter().all(|c| c.status == Status::Pass));
    assert!(
        matches!(events.all().first(), Some(SignInEvent::Code(_))),
        "{:?}",
        events.all()
    );
    assert!(endpoints(&emulator).contains(&"devicecode"));
}

#[tokio::test]
async fn an_explicit_browser_sign_in_without_a_browser_still_shows_the_address() {
    let source = scenario_source("healthy");
    let emulator = emulator_for(&source).await;
    let mut config = browser_config(&emulator);
    config.browser.deadline = Duration::from_millis(200);
    config.browser.opener = Arc::new(|_| Err("no display".into()));
    let events = Events::default();
    let source = esr_doctor::runner::Inputs::live(source, session(config, &events));
    let _ = run(source, RunOptions::default(), None).await;
    assert!(
        matches!(events.all().first(), Some(SignInEvent::Browser(p)) if !p.opened && p.url.contains("/oauth2/v2.0/authorize")),
        "{:?}",
        events.all()
    );
    assert!(!endpoints(&emulator).contains(&"devicecode"));
}

#[test]
fn a_desktop_session_is_told_from_ssh_and_headless_machines() {
    use esr_doctor::cloud::auth::has_desktop_session;
    let env = |vars: &'static [(&'static str, &'static str)]| {
        move |name: &str| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| std::ffi::OsString::from(v))
        }
    };
    assert!(!has_desktop_session(env(&[
        ("DISPLAY", ":0"),
        ("SSH_CONNECTION", "10.0.0.1 5 10.0.0.2 22")
    ])));
    assert!(!has_desktop_session(env(&[
        ("WAYLAND_DISPLAY", "wayland-0"),
        ("SSH_TTY", "/dev/pts/1")
    ])));
    if cfg!(any(windows, target_os = "macos")) {
        assert!(has_desktop_session(env(&[])));
    } else {
        assert!(has_desktop_session(env(&[("DISPLAY", ":0")])));
        assert!(has_desktop_session(env(&[(
            "WAYLAND_DISPLAY",
            "wayland-0"
        )])));
        assert!(!has_desktop_session(env(&[("DISPLAY", "")])));
        assert!(!has_desktop_session(env(&[])));
    }
}
