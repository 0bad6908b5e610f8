//! Tokens stay where they belong: loopback never goes through a proxy from the environment,
//! and the RMS admin token follows the service locator only to an Azure RMS host of the
//! session's cloud (or the overridden loopback host), never to another port or host.

mod common;

use common::{Capture, Events, emulator_for, fast_config, scenario_source, session};
use esr_doctor::model::{CheckId, Status};
use esr_doctor::runner::{RunOptions, run};

#[test]
fn a_proxy_in_the_environment_never_sees_the_demos_loopback_traffic() {
    let proxy = Capture::start();
    let url = format!("http://127.0.0.1:{}", proxy.port);
    let output = assert_cmd::Command::cargo_bin("esr-doctor")
        .unwrap_or_else(|e| panic!("{e}"))
        .args(["check", "--demo", "healthy", "--format", "json"])
        .env(
            "ESR_DOCTOR_CONFIG",
            "/nonexistent/esr-doctor-tests/config.toml",
        )
        .env_remove("NO_PROXY")
        .env_remove("no_proxy")
        .env("http_proxy", &url)
        .env("HTTP_PROXY", &url)
        .env("https_proxy", &url)
        .env("HTTPS_PROXY", &url)
        .env("ALL_PROXY", &url)
        .env("all_proxy", &url)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        proxy.connections(),
        0,
        "the proxy was sent: {}",
        proxy.received()
    );
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// The healthy tenant whose service locator names `admin_base` for the admin service.
async fn rms_with_locator_naming(admin_base: &str) -> esr_doctor::model::CheckResult {
    let source = scenario_source("healthy");
    let emulator = emulator_for(&source).await;
    let admin_base = admin_base.to_owned();
    emulator.configure(move |c| c.rms_admin_base = Some(admin_base));
    let source = esr_doctor::runner::Inputs::live(
        source,
        session(fast_config(&emulator), &Events::default()),
    );
    let report = run(source, RunOptions::default(), None).await;
    report
        .check(CheckId::Rms)
        .cloned()
        .unwrap_or_else(|| panic!("no rms check"))
}

#[tokio::test]
async fn the_rms_admin_token_never_follows_the_locator_to_another_host_or_port() {
    let elsewhere = Capture::start();
    for admin_base in [
        // Plain http to a host that is not loopback.
        format!("http://0.0.0.0:{}", elsewhere.port),
        // Loopback, but not the overridden discovery host: a second port.
        format!("http://127.0.0.1:{}", elsewhere.port),
        // https, but no Azure RMS host.
        format!("https://localhost:{}", elsewhere.port),
    ] {
        let rms = rms_with_locator_naming(&admin_base).await;
        assert_ne!(rms.status, Status::Pass, "{admin_base}: {rms:?}");
        let said = serde_json::to_string(&rms).unwrap_or_default();
        assert!(said.contains("not followed"), "{admin_base}: {said}");
    }
    assert_eq!(
        elsewhere.connections(),
        0,
        "the admin token went elsewhere: {}",
        elsewhere.received()
    );
}
