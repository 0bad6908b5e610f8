//! No token, refresh token or device code ever leaves memory: not on stdout or stderr, not in
//! the log file, not in a JSON, markdown or text report, not in a collected bundle.

mod common;

use common::{Events, emulator_for, fast_config, scenario_source, session};
use esr_doctor::collect::collect;
use esr_doctor::evidence::Platform;
use esr_doctor::network::probe::ProbeSettings;
use esr_doctor::report::{json, markdown, text};
use esr_doctor::runner::{RunOptions, run};
use esr_doctor::sources::device::DeviceContext;
use std::io::Read;
use std::path::Path;
use std::time::Duration;

/// What the emulator's secrets look like: JWTs, and its refresh tokens and device codes.
const SHAPES: [&str; 3] = ["eyJ", "emurt", "emudc"];

fn assert_clean(what: &str, text: &str, secrets: &[String]) {
    for secret in secrets {
        assert!(!text.contains(secret.as_str()), "{what} holds a secret");
    }
    for shape in SHAPES {
        assert!(
            !text.contains(shape),
            "{what} holds something shaped like a token ({shape})"
        );
    }
}

#[test]
fn the_binary_prints_and_logs_no_token() {
    let state = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    for format in ["json", "markdown", "text"] {
        let output = assert_cmd::Command::cargo_bin("esr-doctor")
            .unwrap_or_else(|e| panic!("{e}"))
            .args(["check", "--demo", "healthy", "-vv", "--format", format])
            .env("XDG_STATE_HOME", state.path())
            .env("XDG_CACHE_HOME", state.path())
            .env_remove("ESR_DOCTOR_ENDPOINTS")
            .timeout(Duration::from_secs(60))
            .output()
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(output.status.code(), Some(0), "{format}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains("cloud call") && stderr.contains("signed in"),
            "the sign-in and the calls are logged: {stderr}"
        );
        assert_clean(
            &format!("{format} stdout"),
            &String::from_utf8_lossy(&output.stdout),
            &[],
        );
        assert_clean(&format!("{format} stderr"), &stderr, &[]);
    }
    let log = std::fs::read_to_string(state.path().join("esr-doctor/esr-doctor.log"))
        .unwrap_or_else(|e| panic!("no log file: {e}"));
    assert!(log.contains("client_request_id"), "{log}");
    assert_clean("the log file", &log, &[]);
}

fn quiet_device(root: &Path) -> DeviceContext {
    DeviceContext {
        platform: Platform::Linux,
        home: root.to_path_buf(),
        app_data: root.join(".config"),
        policy_root: root.join("policies"),
        install_root: root.join("opt"),
        path: Some(root.join("bin").into_os_string()),
        command_timeout: Duration::from_secs(2),
        offline: true,
    }
}

#[tokio::test]
async fn reports_and_a_collected_bundle_hold_no_token() {
    let source = scenario_source("healthy");
    let emulator = emulator_for(&source).await;
    let cloud = session(fast_config(&emulator), &Events::default());
    let source = esr_doctor::runner::Inputs::live(source, std::sync::Arc::clone(&cloud));
    let report = run(source, RunOptions::default(), None).await;
    let secrets = emulator.secrets();
    assert!(secrets.len() >= 4, "tokens were minted: {}", secrets.len());
    assert_clean("json", &json::render(&report).unwrap_or_default(), &secrets);
    assert_clean("markdown", &markdown::render(&report), &secrets);
    assert_clean("text", &text::render(&report), &secrets);

    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    for redact in [false, true] {
        let zip_path = dir.path().join(format!("bundle-{redact}.zip"));
        collected(&cloud, dir.path(), &zip_path, redact).await;
        let mut names = Vec::new();
        for (name, body) in zip_files(&zip_path) {
            assert_clean(&name, &body, &secrets);
            if redact {
                assert!(!body.contains("jana.novak@fabrikam.com"), "{name}");
            }
            names.push(name);
        }
        for recorded in [
            "cloud/licenseDetails.json",
            "cloud/roamingSettings.json",
            "cloud/rmsFunctionalState.json",
        ] {
            assert!(
                names.iter().any(|n| n == recorded),
                "{recorded} in {names:?}"
            );
        }
    }
}

/// `collect` on a quiet device under `root` with the tenant of `cloud`, written to `zip`.
async fn collected(
    cloud: &esr_doctor::cloud::live::CloudSession,
    root: &Path,
    zip: &Path,
    redact: bool,
) {
    collect(
        &quiet_device(root),
        &ProbeSettings::global(),
        Some(cloud),
        zip,
        redact,
        Duration::from_secs(20),
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"));
}

/// Every file of the zip at `path`, by name.
fn zip_files(path: &Path) -> Vec<(String, String)> {
    let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("{e}"));
    let mut archive = zip::ZipArchive::new(file).unwrap_or_else(|e| panic!("{e}"));
    (0..archive.len())
        .map(|index| {
            let mut entry = archive.by_index(index).unwrap_or_else(|e| panic!("{e}"));
            let name = entry
                .name()
                .map(std::borrow::Cow::into_owned)
                .unwrap_or_default();
            let mut body = String::new();
            let _ = entry.read_to_string(&mut body);
            (name, body)
        })
        .collect()
}

/// A service that echoes the request's credentials in its error (the device code at the token
/// endpoint, the bearer token at Graph and the portal, the RMS token inside an RMS exception)
/// reaches no report face and no collected bundle: secrets are scrubbed by value.
#[tokio::test]
async fn credentials_a_service_echoes_reach_no_face_and_no_bundle() {
    use esr_doctor::emulator::Fault;
    use esr_doctor::facts::tenant::Api;
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    for (api, echoed_in) in [
        (Api::Token, "AADSTS900144"),
        (Api::Me, "the request presented"),
        (Api::RoamingSettings, "the request presented"),
        (Api::RmsDiscovery, "InvalidTokenException"),
        (Api::RmsFunctionalState, "the request presented"),
    ] {
        let source = scenario_source("healthy");
        let emulator = emulator_for(&source).await;
        emulator.set_fault(api, Fault::EchoCredentials, None);
        let cloud = session(fast_config(&emulator), &Events::default());
        let source = esr_doctor::runner::Inputs::live(source, std::sync::Arc::clone(&cloud));
        let report = run(source, RunOptions::default(), None).await;
        let zip_path = dir
            .path()
            .join(format!("{}.zip", api.name().replace([' ', '/'], "-")));
        collected(&cloud, dir.path(), &zip_path, false).await;
        let secrets = emulator.secrets();
        let json = json::render(&report).unwrap_or_default();
        let mut shown = vec![
            ("json".to_owned(), json),
            ("markdown".to_owned(), markdown::render(&report)),
            ("text".to_owned(), text::render(&report)),
        ];
        shown.extend(zip_files(&zip_path));
        assert!(
            shown.iter().any(|(_, body)| body.contains(echoed_in)),
            "{}: the echoing error reached no face, so this case proves nothing",
            api.name()
        );
        for (face, body) in &shown {
            assert_clean(&format!("{}: {face}", api.name()), body, &secrets);
        }
    }
}

/// A refresh token from the keyring that the token endpoint echoes back when it refuses it is
/// scrubbed from the refusal: it never reaches a report face.
#[tokio::test]
async fn a_stored_refresh_token_echoed_in_a_refusal_reaches_no_face() {
    use esr_doctor::emulator::Fault;
    use esr_doctor::facts::tenant::Api;
    const STORED: &str = "stored-refresh-token-0123456789";
    let store = keyring_core::mock::Store::new().unwrap_or_else(|e| panic!("{e}"));
    keyring_core::set_default_store(store);
    let key = format!(
        "refresh-token:global:organizations:{}:*",
        esr_doctor::cloud::auth::DEFAULT_CLIENT_ID
    );
    keyring_core::Entry::new("esr-doctor", &key)
        .and_then(|entry| entry.set_password(STORED))
        .unwrap_or_else(|e| panic!("{e}"));
    let source = scenario_source("healthy");
    let emulator = emulator_for(&source).await;
    emulator.set_fault(Api::Token, Fault::EchoCredentials, None);
    let config = esr_doctor::cloud::live::CloudConfig {
        no_cache: false,
        ..fast_config(&emulator)
    };
    let source = esr_doctor::runner::Inputs::live(source, session(config, &Events::default()));
    let report = run(source, RunOptions::default(), None).await;
    let json = json::render(&report).unwrap_or_default();
    assert!(
        json.contains("AADSTS900144"),
        "the refusal is reported: {json}"
    );
    for (face, shown) in [
        ("json", json),
        ("markdown", markdown::render(&report)),
        ("text", text::render(&report)),
    ] {
        assert_clean(face, &shown, &[STORED.to_owned()]);
    }
}
