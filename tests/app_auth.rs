//! `--auth app` (a client secret from `AZURE_*`) signs in where the authority override points
//! and within the same per-call budget as the device-code sign-in, instead of trying Microsoft's
//! real authority for minutes. Its own test binary: it sets the process's environment.

mod common;

use common::{Capture, Events, fast_config, scenario_source, session};
use esr_doctor::cloud::auth::AuthMode;
use esr_doctor::cloud::endpoints::{Host, Overrides};
use esr_doctor::model::{CheckId, Status};
use esr_doctor::runner::{RunOptions, run};

#[tokio::test]
async fn app_sign_in_honours_the_authority_override_and_the_call_budget() {
    // SAFETY: the only test of this binary, set before any thread of ours reads the variables.
    unsafe {
        std::env::set_var("AZURE_TENANT_ID", "11111111-1111-1111-1111-111111111111");
        std::env::set_var("AZURE_CLIENT_ID", "22222222-2222-2222-2222-222222222222");
        std::env::set_var("AZURE_CLIENT_SECRET", "a-client-secret-of-the-test");
    }
    let authority = Capture::start();
    let source = scenario_source("healthy");
    let emulator = common::emulator_for(&source).await;
    let mut config = fast_config(&emulator);
    config.auth = AuthMode::App;
    let mut overrides = Overrides::default();
    let _ = overrides.set(
        Host::Authority,
        &format!("https://127.0.0.1:{}", authority.port),
    );
    config.overrides = overrides;
    let budget = config.device_code.call_budget;
    let source = esr_doctor::runner::Inputs::live(source, session(config, &Events::default()));
    let started = std::time::Instant::now();
    let report = run(source, RunOptions::default(), None).await;
    assert!(authority.connections() > 0, "the override was not used");
    let license = report.check(CheckId::License).cloned();
    assert_ne!(license.as_ref().map(|c| c.status), Some(Status::Pass));
    let said = serde_json::to_string(&license).unwrap_or_default();
    assert!(!said.contains("a-client-secret-of-the-test"), "{said}");
    // Well under the minutes azure_identity's retries took (a bound on a hang, not a speed
    // target).
    assert!(
        started.elapsed() < budget * 4,
        "{:?}: {said}",
        started.elapsed()
    );
}
