//! The device object and Conditional Access over loopback: the device is looked up in Graph by
//! the `DeviceId` dsregcmd names (`$filter=deviceId eq '…'`, answered as Graph answers a
//! filter: only matching objects, an empty list for none), and the tenant's policies are read
//! from `/identity/conditionalAccess/policies`; a refusal of either names the roles that may
//! read it and fails nothing. The group an onboarding control policy limits RMS to is named
//! by `GET /groups/{id}` (Graph's token, not RMS's), 404 `Request_ResourceNotFound` when Graph
//! holds no such group.

mod common;

use common::{Events, emulator_for, fast_config, scenario_source, session};
use esr_doctor::facts::tenant::Api;
use esr_doctor::model::{CheckId, Report, Status};
use esr_doctor::runner::{RunOptions, run};
use serde_json::Value;

/// The healthy laptop's id, as its dsregcmd names it.
const LAPTOP: &str = "c1d4e7a2-5b3f-4e8d-9a60-7f2b1c9e3d58";

/// The user's phone first, the laptop second: only the filter finds the laptop.
fn phone_then_laptop(laptop_trust: &str) -> String {
    format!(
        r#"{{"value":[
          {{"id":"o-2","deviceId":"2f6e91b4-7a3c-4d05-8e12-b9c0a4d7e351","displayName":"Jana's iPhone","accountEnabled":true,"trustType":"Workplace","approximateLastSignInDateTime":"2026-11-20T18:02:44Z","isCompliant":true}},
          {{"id":"o-1","deviceId":"{LAPTOP}","displayName":"FAB-LT-0423","accountEnabled":true,"trustType":"{laptop_trust}","approximateLastSignInDateTime":"2026-11-19T07:41:09Z","isCompliant":true}}
        ]}}"#
    )
}

async fn run_with(answers: &[(Api, String)]) -> Report {
    let source = scenario_source("healthy");
    let emulator = emulator_for(&source).await;
    emulator.configure(|c| {
        for (api, body) in answers {
            c.tenant.set_answer(*api, body);
        }
    });
    let source = esr_doctor::runner::Inputs::live(
        source,
        session(fast_config(&emulator), &Events::default()),
    );
    let report = run(source, RunOptions::default(), None).await;
    let asked = emulator
        .log()
        .iter()
        .filter(|e| e.endpoint == Api::Devices.name())
        .count();
    assert_eq!(asked, 1, "the device object is asked for once");
    report
}

fn codes(report: &Report, id: CheckId) -> (Status, Vec<String>) {
    let check = report.check(id).unwrap_or_else(|| panic!("no {id:?}"));
    (
        check.status,
        check.findings.iter().map(|f| f.code.clone()).collect(),
    )
}

#[tokio::test]
async fn the_device_is_found_by_the_id_dsregcmd_names() {
    let report = run_with(&[(Api::Devices, phone_then_laptop("ServerAd"))]).await;
    let device = report
        .check(CheckId::DeviceRegistration)
        .unwrap_or_else(|| panic!("no device check"));
    assert_eq!(device.status, Status::Pass, "{device:?}");
    assert_eq!(
        device.evidence.get("device_object"),
        Some(&Value::from("found"))
    );
    let report = run_with(&[(Api::Devices, phone_then_laptop("AzureAd"))]).await;
    assert_eq!(
        codes(&report, CheckId::DeviceRegistration),
        (Status::Fail, vec!["DEVICE_TRUST_MISMATCH".to_owned()])
    );
}

#[tokio::test]
async fn a_device_entra_no_longer_holds_is_missing() {
    let phone_only =
        phone_then_laptop("ServerAd").replace(LAPTOP, "0c0c0c0c-0000-4000-8000-000000000000");
    let report = run_with(&[(Api::Devices, phone_only)]).await;
    assert_eq!(
        codes(&report, CheckId::DeviceRegistration),
        (Status::Fail, vec!["DEVICE_OBJECT_MISSING".to_owned()])
    );
    // Windows settings fail; Edge sync is not this check's to fail.
    assert_eq!(report.verdict.as_str(), "fail");
}

/// Graph's answer to a caller without Policy.Read.All (learn.microsoft.com/graph/errors:
/// 403 Forbidden, `accessDenied`; the message Graph gives for missing scopes).
const CA_DENIED: &str = r#"{"error":{"code":"AccessDenied","message":"You cannot perform the requested operation, required scopes are missing in the token."}}"#;

#[tokio::test]
async fn policies_a_user_may_not_read_name_the_roles_and_fail_nothing() {
    let report = run_with(&[(Api::ConditionalAccess, CA_DENIED.to_owned())]).await;
    let rms = report
        .check(CheckId::Rms)
        .unwrap_or_else(|| panic!("no rms"));
    assert_eq!(rms.status, Status::Pass, "{rms:?}");
    let note = rms
        .findings
        .iter()
        .find(|f| f.code == "CA_NOT_READ")
        .unwrap_or_else(|| panic!("{:?}", rms.findings));
    assert!(
        note.message.contains("HTTP 403")
            && note.message.contains("Conditional Access Administrator"),
        "{}",
        note.message
    );
    assert_eq!(report.verdict.as_str(), "pass");
}

#[tokio::test]
async fn a_policy_asking_a_compliant_device_blocks_an_unmanaged_one() {
    let unmanaged = phone_then_laptop("ServerAd").replace(
        r#""trustType":"ServerAd","approximateLastSignInDateTime":"2026-11-19T07:41:09Z","isCompliant":true"#,
        r#""trustType":"ServerAd","approximateLastSignInDateTime":"2026-11-19T07:41:09Z","isCompliant":false"#,
    );
    let policy = r#"{"value":[{"id":"p-9","displayName":"Protected content on compliant devices","state":"enabled","conditions":{"clientAppTypes":["all"],"applications":{"includeApplications":["00000012-0000-0000-c000-000000000000"]},"users":{"includeUsers":["All"]}},"grantControls":{"operator":"AND","builtInControls":["compliantDevice"]}}]}"#;
    let report = run_with(&[
        (Api::Devices, unmanaged),
        (Api::ConditionalAccess, policy.to_owned()),
    ])
    .await;
    assert_eq!(
        codes(&report, CheckId::Rms),
        (Status::Fail, vec!["CA_BLOCKS_SYNC".to_owned()])
    );
}

async fn scoped_out(
    group_answer: Option<&str>,
) -> (Report, Vec<esr_doctor::emulator::log::LogEntry>) {
    let mut source = scenario_source("rms-scoped-out");
    if let Some(body) = group_answer {
        source
            .files
            .insert("cloud/onboardingGroup.json", body.as_bytes().to_vec());
    }
    let emulator = emulator_for(&source).await;
    let source = esr_doctor::runner::Inputs::live(
        source,
        session(fast_config(&emulator), &Events::default()),
    );
    let report = run(source, RunOptions::default(), None).await;
    (report, emulator.log())
}

fn scoped_out_message(report: &Report) -> String {
    let rms = report
        .check(CheckId::Rms)
        .unwrap_or_else(|| panic!("no rms"));
    rms.findings
        .iter()
        .find(|f| f.code == "RMS_USER_SCOPED_OUT")
        .map_or_else(|| panic!("{:?}", rms.findings), |f| f.message.clone())
}

#[tokio::test]
async fn the_onboarding_group_is_named_as_graph_names_it() {
    let (report, log) = scoped_out(None).await;
    let message = scoped_out_message(&report);
    assert!(
        message.contains("\"RMS pilot\" (c3e9a1d4-58b2-4f60-9d7e-1b4a6f2c8e05)"),
        "{message}"
    );
    let lookups: Vec<_> = log
        .iter()
        .filter(|e| e.endpoint == Api::OnboardingGroup.name())
        .collect();
    assert_eq!(lookups.len(), 1, "{lookups:?}");
    assert_eq!(
        lookups[0].path,
        "/v1.0/groups/c3e9a1d4-58b2-4f60-9d7e-1b4a6f2c8e05"
    );
    assert!(
        lookups[0]
            .audience
            .as_deref()
            .is_some_and(|a| a.contains("graph")),
        "asked with Graph's token: {:?}",
        lookups[0].audience
    );
}

#[tokio::test]
async fn a_group_graph_does_not_hold_is_named_by_its_id_and_listed() {
    let other = r#"{"id":"0b0b0b0b-0000-4000-8000-000000000000","displayName":"Someone else's"}"#;
    let (report, _) = scoped_out(Some(other)).await;
    let message = scoped_out_message(&report);
    assert!(
        message.ends_with("the group c3e9a1d4-58b2-4f60-9d7e-1b4a6f2c8e05."),
        "{message}"
    );
    assert!(
        report
            .problems
            .iter()
            .any(|p| p.message.contains("Request_ResourceNotFound")
                || p.message.contains("HTTP 404")),
        "{:#?}",
        report.problems
    );
    // The verdict rests on service discovery, which the lookup does not touch.
    assert_eq!(
        report.check(CheckId::Rms).map(|c| c.status),
        Some(Status::Fail)
    );
}
