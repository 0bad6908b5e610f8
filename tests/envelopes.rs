//! Microsoft's error envelopes over loopback: an access denial is "needs a role" in whichever
//! envelope it comes (Graph's `error`, the older `odata.error` of Azure AD Graph and the portal,
//! reference/real-tenant.md "Error envelopes"), live and recorded alike.

mod common;

use common::{Events, emulator_for, fast_config, scenario_source, session};
use esr_doctor::facts::tenant::Api;
use esr_doctor::model::{CheckId, SkipKind, Status};
use esr_doctor::runner::{RunOptions, run};

const ODATA_DENIED: &str = r#"{"odata.error":{"code":"Authorization_RequestDenied","message":{"lang":"en","value":"Insufficient privileges to complete the operation."}}}"#;

/// Runs `source` and asserts the ESR check needs a role; returns its reason.
async fn esr_needs_a_role(source: impl Into<esr_doctor::runner::Inputs>) -> String {
    let report = run(source, RunOptions::default(), None).await;
    let esr = report
        .check(CheckId::TenantEsr)
        .unwrap_or_else(|| panic!("no ESR"));
    assert_eq!(
        (esr.status, esr.skip_kind),
        (Status::Skipped, Some(SkipKind::NeedsRole)),
        "{esr:?}"
    );
    esr.reason.clone().unwrap_or_default()
}

#[tokio::test]
async fn an_older_envelopes_denial_needs_a_role_live() {
    let source = scenario_source("healthy");
    let emulator = emulator_for(&source).await;
    emulator.configure(|c| c.tenant.set_answer(Api::RoamingSettings, ODATA_DENIED));
    let source = esr_doctor::runner::Inputs::live(
        source,
        session(fast_config(&emulator), &Events::default()),
    );
    let reason = esr_needs_a_role(source).await;
    assert!(
        reason.contains("Global Reader") && reason.contains("HTTP 403"),
        "{reason}"
    );
}

#[tokio::test]
async fn an_older_envelopes_denial_needs_a_role_recorded() {
    let mut source = scenario_source("healthy");
    source.files.insert(
        "cloud/roamingSettings.json",
        ODATA_DENIED.as_bytes().to_vec(),
    );
    let reason = esr_needs_a_role(source).await;
    assert!(reason.contains("Authorization_RequestDenied"), "{reason}");
}

/// The emulator answers service discovery only for a request that names its platform, as RMS
/// does (`DevicePlatformNotRecognizedException` otherwise): a healthy run that reads the
/// services proves the request carries the SDK's header, and the services are read.
#[tokio::test]
async fn service_discovery_is_asked_with_the_platform_the_sdk_names() {
    let source = scenario_source("healthy");
    let emulator = emulator_for(&source).await;
    let source = esr_doctor::runner::Inputs::live(
        source,
        session(fast_config(&emulator), &Events::default()),
    );
    let report = run(source, RunOptions::default(), None).await;
    let rms = report
        .check(CheckId::Rms)
        .unwrap_or_else(|| panic!("no rms"));
    let discovery = rms
        .evidence
        .get("service_discovery")
        .and_then(|v| v.as_str())
        .unwrap_or_default();
    assert!(discovery.starts_with("services:"), "{:?}", rms.evidence);
    let asked: Vec<Option<u16>> = emulator
        .log()
        .iter()
        .filter(|e| e.endpoint == Api::RmsDiscovery.name())
        .map(|e| e.status)
        .collect();
    assert_eq!(asked, [Some(200)]);
}

/// The Azure portal's own error body (`errorCode`, `localizedErrorDetails`), as Microsoft's
/// App Proxy troubleshooting doc shows the portal's "Copy error" text.
const PORTAL_FORBIDDEN: &str = r#"{"errorCode":"Forbidden","localizedErrorDetails":{"errorDetail":"You do not have access to this resource."},"operationResults":null,"timeStampUtc":"2026-11-21T08:02:11.465743Z","clientRequestId":"8a2c4e61-0d9b-4f37-a5e2-7c1b9d3f6e08"}"#;

#[tokio::test]
async fn the_portals_own_denial_needs_a_role_live_and_recorded() {
    let source = scenario_source("healthy");
    let emulator = emulator_for(&source).await;
    emulator.configure(|c| c.tenant.set_answer(Api::RoamingSettings, PORTAL_FORBIDDEN));
    let source = esr_doctor::runner::Inputs::live(
        source,
        session(fast_config(&emulator), &Events::default()),
    );
    let live = esr_needs_a_role(source).await;
    assert!(live.contains("HTTP 403"), "{live}");
    let mut recorded = scenario_source("healthy");
    recorded.files.insert(
        "cloud/roamingSettings.json",
        PORTAL_FORBIDDEN.as_bytes().to_vec(),
    );
    let reason = esr_needs_a_role(recorded).await;
    assert!(
        reason.contains("Forbidden") && reason.contains("You do not have access"),
        "{reason}"
    );
}

#[tokio::test]
async fn an_answer_of_no_known_shape_is_shown_raw() {
    let mut source = scenario_source("healthy");
    source.files.insert(
        "cloud/roamingSettings.json",
        br#"{"status":"maintenance","retryAfter":"tomorrow"}"#.to_vec(),
    );
    let report = run(source, RunOptions::default(), None).await;
    let esr = report
        .check(CheckId::TenantEsr)
        .unwrap_or_else(|| panic!("no ESR"));
    assert_ne!(esr.status, Status::Pass);
    let reason = esr.reason.clone().unwrap_or_default();
    assert!(
        reason.contains(r#"the answer begins: {"status":"maintenance","retryAfter":"tomorrow"}"#),
        "{reason}"
    );
}
