//! A stored sign-in is found again by the next run on headless Linux (no D-Bus, so no Secret
//! Service: kernel keyutils). Two runs of the real binary against the emulator over loopback:
//! the first signs in with a device code, the second asks nothing.

#![cfg(target_os = "linux")]

mod common;

use common::{emulator_for, endpoints, scenario_source};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stored_sign_in_is_found_again_without_dbus() {
    if let Err(e) = linux_keyutils::KeyRing::from_special_id(
        linux_keyutils::KeyRingIdentifier::UserSession,
        false,
    ) {
        // A sandbox that forbids the keyutils system calls (e.g. a seccomp profile) has no
        // keyring to find a sign-in in; esr-doctor then says so and signs in each run.
        eprintln!("skipped: this kernel or sandbox offers no keyutils ({e})");
        return;
    }
    let source = scenario_source("healthy");
    let emulator = emulator_for(&source).await;
    let home = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let file = home.path().join("endpoints.toml");
    common::write_endpoints_file(&emulator, &file);
    // A client id of this run only, so the entry is this test's alone.
    let client = uuid::Uuid::new_v4().to_string();
    let check: Vec<String> = [
        "check",
        "--format",
        "json",
        "--only",
        "tenant_esr,license,rms",
        "--auth",
        "device-code",
        "--client-id",
        &client,
        "--endpoints",
        &file.display().to_string(),
    ]
    .iter()
    .map(|s| (*s).to_string())
    .collect();
    for round in ["first", "second"] {
        let before = emulator.log().len();
        let output = common::run_binary_at(home.path(), check.clone()).await;
        let stderr = String::from_utf8_lossy(&output.stderr);
        let report: serde_json::Value = serde_json::from_slice(&output.stdout)
            .unwrap_or_else(|e| panic!("{round} run: {e}: {stderr}"));
        assert_eq!(
            common::statuses(&report),
            ["pass", "pass", "pass"],
            "{round} run: {stderr}"
        );
        let asked = endpoints(&emulator)[before..].contains(&"devicecode");
        assert_eq!(
            asked,
            round == "first",
            "{round} run asked for a device code: {asked}; {stderr}"
        );
        assert_eq!(
            stderr.contains("enter the code"),
            round == "first",
            "{stderr}"
        );
    }
    let signout = common::run_binary_at(home.path(), vec!["signout".into()]).await;
    assert_eq!(signout.status.code(), Some(0));
}
