//! The device's own tenant over loopback: signed in to when nothing else is named, held
//! against the tenant the token comes from (a helpdesk agent at an MSP or a guest who signs in
//! to the wrong directory reads nothing from it), and the helpdesk's split run: a bundle
//! collected on the user's PC with the tenant read live here.

mod common;

use common::{
    Events, assert_tenant_checks_signed_out, emulator_for, endpoints, fast_config, scenario_source,
    session,
};
use esr_doctor::cloud::live::CloudConfig;
use esr_doctor::emulator::Emulator;
use esr_doctor::facts::tenant::Api;
use esr_doctor::model::{CheckId, Report, Status};
use esr_doctor::runner::gather::device_identity;
use esr_doctor::runner::{RunOptions, run};
use std::time::Duration;

/// The tenant the healthy scenario's dsregcmd and Edge profile name.
const DEVICE_TENANT: &str = "3f2a8c41-7d5e-4b9a-9c1e-2a6d8f0b4e17";
const OTHER_TENANT: &str = "a1b2c3d4-0000-4000-8000-00000000c0de";

/// Makes the emulator another tenant (Contoso, `contoso.example`) than the device's.
fn become_contoso(emulator: &Emulator) {
    emulator.configure(|c| {
        c.tenant.tenant_id = OTHER_TENANT.into();
        c.tenant.domains = vec!["contoso.example".into()];
        c.tenant.set_answer(
            Api::Organization,
            &serde_json::json!({"value": [{"id": OTHER_TENANT, "displayName": "Contoso", "assignedPlans": []}]})
                .to_string(),
        );
    });
}

async fn run_healthy(config: CloudConfig) -> Report {
    let source = scenario_source("healthy");
    let config = CloudConfig {
        device_tenant: device_identity(&source).tenant,
        ..config
    };
    let source = esr_doctor::runner::Inputs::live(source, session(config, &Events::default()));
    run(source, RunOptions::default(), None).await
}

#[tokio::test]
async fn the_evidence_names_the_devices_tenant_and_its_name() {
    let identity = device_identity(&scenario_source("healthy"));
    let tenant = identity.tenant.unwrap_or_else(|| panic!("no tenant"));
    assert_eq!(tenant.id, DEVICE_TENANT);
    assert_eq!(tenant.name.as_deref(), Some("Fabrikam Ltd"));
    assert_eq!(identity.account.as_deref(), Some("jana.novak@fabrikam.com"));
}

#[tokio::test]
async fn without_tenant_or_user_the_sign_in_goes_to_the_devices_tenant() {
    let source = scenario_source("healthy");
    let emulator = emulator_for(&source).await;
    let report = run_healthy(fast_config(&emulator)).await;
    assert_eq!(report.exit_code(), 0, "{report:?}");
    let sign_in: Vec<String> = emulator
        .log()
        .iter()
        .filter(|e| matches!(e.endpoint, "devicecode" | "token" | "openid-configuration"))
        .map(|e| e.path.clone())
        .collect();
    assert!(!sign_in.is_empty());
    assert!(
        sign_in.iter().all(|p| p
            .trim_start_matches("/usgov")
            .trim_start_matches("/china")
            .starts_with(&format!("/{DEVICE_TENANT}/"))),
        "{sign_in:?}"
    );
}

#[tokio::test]
async fn a_token_from_another_tenant_decides_no_tenant_check_and_names_both() {
    let source = scenario_source("healthy");
    let emulator = emulator_for(&source).await;
    become_contoso(&emulator);
    // The agent names a user of the wrong directory: the sign-in goes there.
    let config = CloudConfig {
        subject: Some("agent@contoso.example".into()),
        ..fast_config(&emulator)
    };
    let report = run_healthy(config).await;
    assert_tenant_checks_signed_out(
        &report,
        &[
            "Contoso",
            OTHER_TENANT,
            "Fabrikam Ltd",
            DEVICE_TENANT,
            "--tenant",
        ],
    );
    let read = endpoints(&emulator);
    for data in [
        "graph licenseDetails",
        "graph transitiveMemberOf",
        "portal RoamingSettings",
        "rms servicediscovery",
        "rms FunctionalState",
    ] {
        assert!(
            !read.contains(&data),
            "{data} was read from the wrong tenant: {read:?}"
        );
    }
    assert_eq!(report.exit_code(), 3, "undecided, never a pass");
}

#[tokio::test]
async fn naming_the_other_tenant_reads_it_on_purpose() {
    let source = scenario_source("healthy");
    let emulator = emulator_for(&source).await;
    become_contoso(&emulator);
    let config = CloudConfig {
        tenant: Some("contoso.example".into()),
        ..fast_config(&emulator)
    };
    let report = run_healthy(config).await;
    let esr = report.check(CheckId::TenantEsr).map(|c| c.status);
    assert_eq!(esr, Some(Status::Pass), "{report:?}");
}

#[tokio::test]
async fn a_bundle_is_read_with_the_tenant_live_for_its_user_and_tenant() {
    let source = scenario_source("healthy");
    let emulator = emulator_for(&source).await;
    let home = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let bundle = home.path().join("bundle");
    // The bundle as `collect` on the user's PC writes it without a sign-in: no tenant answers.
    let mut files = esr_doctor::evidence::EvidenceFiles::default();
    for path in source
        .files
        .paths()
        .filter(|p| !p.starts_with("cloud/") || *p == "cloud/network.json")
    {
        files.insert(path, source.files.bytes(path).unwrap_or_default().to_vec());
    }
    common::write_bundle(&files, &bundle);
    let endpoints_file = home.path().join("endpoints.toml");
    common::write_endpoints_file(&emulator, &endpoints_file);
    let run = |extra: &[&str]| {
        let mut args: Vec<String> = [
            "check",
            "--from",
            &bundle.display().to_string(),
            "--live",
            "--auth",
            "device-code",
            "--no-cache",
            "--format",
            "json",
            "--endpoints",
            &endpoints_file.display().to_string(),
        ]
        .iter()
        .map(|s| (*s).to_string())
        .collect();
        args.extend(extra.iter().map(|s| (*s).to_string()));
        common::run_binary_at(home.path(), args)
    };
    let output = run(&[]).await;
    let stderr = String::from_utf8_lossy(&output.stderr);
    let report: serde_json::Value =
        serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("{e}: {stderr}"));
    assert_eq!(output.status.code(), Some(0), "{stderr}\n{report:#}");
    let esr = common::check_in(&report, "tenant_esr");
    assert_eq!(esr["status"], "pass");
    assert!(esr["evidence"]["requests"].is_array(), "read live: {esr:#}");
    assert_eq!(
        report["notes"],
        serde_json::Value::Null,
        "no other user named"
    );
    let sign_in = emulator
        .log()
        .into_iter()
        .find(|e| e.endpoint == "devicecode")
        .map(|e| e.path)
        .unwrap_or_default();
    assert!(
        sign_in.starts_with(&format!("/{DEVICE_TENANT}/")),
        "{sign_in}"
    );

    // Another user named: the device checks are the bundle's device's, and the report says so.
    let output = run(&["--user", "it.admin@fabrikam.com"]).await;
    let report: serde_json::Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&output.stderr)));
    let notes = report["notes"].to_string();
    assert!(
        notes.contains("it.admin@fabrikam.com") && notes.contains("jana.novak@fabrikam.com"),
        "{notes}"
    );
}

#[test]
fn live_is_refused_for_a_demo_and_offline() {
    for args in [
        vec!["check", "--demo", "healthy", "--live"],
        vec!["check", "--from", ".", "--live", "--offline"],
    ] {
        let output = assert_cmd::Command::cargo_bin("esr-doctor")
            .unwrap_or_else(|e| panic!("{e}"))
            .args(&args)
            .env("ESR_DOCTOR_CONFIG", "/nonexistent/none.toml")
            .timeout(Duration::from_secs(30))
            .output()
            .unwrap_or_else(|e| panic!("{e}"));
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains("--live"), "{stderr}");
    }
}
