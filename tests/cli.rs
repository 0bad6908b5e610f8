//! The command-line contract of DESIGN.md, driven through the real binary.

mod common;

use assert_cmd::Command;
use serde_json::Value;
use std::io::Write;
use std::path::Path;

const DESIGN_ORDER: [&str; 9] = [
    "edge_version",
    "account_type",
    "tenant_esr",
    "license",
    "rms",
    "network",
    "device_registration",
    "edge_policy",
    "sync_health",
];

fn esr_doctor() -> Command {
    let mut cmd = Command::cargo_bin("esr-doctor").unwrap_or_else(|e| panic!("{e}"));
    // No config file of the machine's user may change what the tests see.
    cmd.env("NO_COLOR", "1").env_remove("CLICOLOR_FORCE").env(
        "ESR_DOCTOR_CONFIG",
        "/nonexistent/esr-doctor-tests/config.toml",
    );
    // Nor may the machine's language: English unless a test asks for another.
    cmd.env("LANG", "C.UTF-8")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env_remove("LANGUAGE");
    cmd
}

/// Runs `command` to the end.
fn output_of(command: &mut Command) -> std::process::Output {
    command.output().unwrap_or_else(|e| panic!("{e}"))
}

fn json_of(output: &std::process::Output) -> Value {
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("stdout is not one JSON document: {e}"))
}

#[test]
fn healthy_demo_prints_a_v1_report_with_nine_passing_checks() {
    let output = esr_doctor()
        .args(["check", "--demo", "healthy", "--format", "json"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(output.status.code(), Some(0));
    let report = json_of(&output);
    assert_eq!(report["schema"], "esr-doctor/report/v1");
    assert_eq!(
        report["source"],
        serde_json::json!({"kind": "demo", "name": "healthy"})
    );
    let ids: Vec<&str> = report["checks"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["id"].as_str())
        .collect();
    assert_eq!(ids, DESIGN_ORDER);
    assert!(
        report["checks"]
            .as_array()
            .into_iter()
            .flatten()
            .all(|c| c["status"] == "pass")
    );
    assert_eq!(report["verdict"], "pass");
    for key in ["version", "channel", "major"] {
        assert!(
            report["checks"][0]["evidence"].get(key).is_some(),
            "edge_version.evidence.{key}"
        );
    }
    for key in [
        "join_type",
        "wam_default_set",
        "settings_url_present",
        "prt_present",
    ] {
        assert!(
            report["checks"][6]["evidence"].get(key).is_some(),
            "device_registration.evidence.{key}"
        );
    }
}

#[test]
fn every_scenario_exits_as_its_verdict_says() {
    let listing = esr_doctor()
        .arg("scenarios")
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let names: Vec<String> = String::from_utf8_lossy(&listing.stdout)
        .lines()
        .filter_map(|l| l.split_whitespace().next().map(str::to_owned))
        .collect();
    assert_eq!(names.len(), 19, "{names:?}");
    // Where everything works, or only a warning is left (a stale device object).
    let passing = [
        "healthy",
        "large-organisation",
        "mobile-only-scope",
        "stale-device",
    ];
    for name in &names {
        let output = esr_doctor()
            .args(["check", "--demo", name, "--format", "json"])
            .output()
            .unwrap_or_else(|e| panic!("{e}"));
        let (code, verdict) = if passing.contains(&name.as_str()) {
            (0, "pass")
        } else {
            (1, "fail")
        };
        assert_eq!(output.status.code(), Some(code), "{name}");
        assert_eq!(json_of(&output)["verdict"], verdict, "{name}");
    }
}

fn dsregcmd_only_bundle(dir: &Path) {
    let text = include_str!("fixtures/dsregcmd/aadj-empty-settingsurl-transcribed.txt");
    std::fs::write(dir.join("dsregcmd.txt"), text).unwrap_or_else(|e| panic!("{e}"));
}

fn comparable(mut report: Value) -> Value {
    for key in ["generated_at", "duration_ms", "source"] {
        report.as_object_mut().map(|o| o.remove(key));
    }
    for check in report["checks"].as_array_mut().into_iter().flatten() {
        check.as_object_mut().map(|o| o.remove("duration_ms"));
    }
    report
}

#[test]
fn a_folder_with_only_dsregcmd_decides_device_registration_and_its_zip_agrees() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let bundle = dir.path().join("bundle");
    std::fs::create_dir(&bundle).unwrap_or_else(|e| panic!("{e}"));
    dsregcmd_only_bundle(&bundle);
    let folder = esr_doctor()
        .args(["check", "--format", "json", "--from"])
        .arg(&bundle)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(matches!(folder.status.code(), Some(1 | 3)));
    let report = json_of(&folder);
    let device = &report["checks"][6];
    assert_eq!(device["id"], "device_registration");
    assert_eq!(device["evidence"]["join_type"], "entra_joined");
    assert_eq!(device["status"], "fail");
    for check in report["checks"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|c| c["id"] != "device_registration")
    {
        assert_eq!(check["status"], "skipped", "{}", check["id"]);
        assert!(
            check["reason"]
                .as_str()
                .is_some_and(|r| r.ends_with("not in bundle")),
            "{}",
            check["id"]
        );
    }

    let zip_path = dir.path().join("bundle.zip");
    let mut zip =
        zip::ZipWriter::new(std::fs::File::create(&zip_path).unwrap_or_else(|e| panic!("{e}")));
    zip.start_file(
        "bundle/dsregcmd.txt",
        zip::write::SimpleFileOptions::default(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    zip.write_all(&std::fs::read(bundle.join("dsregcmd.txt")).unwrap_or_default())
        .unwrap_or_else(|e| panic!("{e}"));
    zip.finish().unwrap_or_else(|e| panic!("{e}"));
    let zipped = esr_doctor()
        .args(["check", "--format", "json", "--from"])
        .arg(&zip_path)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(zipped.status.code(), folder.status.code());
    assert_eq!(comparable(json_of(&zipped)), comparable(report));
}

#[test]
fn bad_input_exits_two_with_a_clear_message() {
    let cases: [&[&str]; 5] = [
        &["check", "--from", "/no/such/path"],
        &["check", "--demo", "nope"],
        &["check", "--demo", "healthy", "--only", "edge_version,bogus"],
        &["explain", "NOT_A_CODE"],
        &["check", "--format", "yaml", "--demo", "healthy"],
    ];
    let expected = [
        "no such file or folder: /no/such/path",
        "choose one of: ca-blocks-sync, cryptographer-error",
        "invalid value 'bogus'",
        "explain accepts a finding code",
        "invalid value 'yaml'",
    ];
    for (args, message) in cases.iter().zip(expected) {
        let output = esr_doctor()
            .args(*args)
            .output()
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(message), "{args:?}: {stderr}");
        assert!(output.stdout.is_empty(), "{args:?} printed to stdout");
    }
}

#[test]
fn explain_knows_codes_event_ids_and_hresults() {
    for (query, needle) in [
        ("ESR_DISABLED", "Enterprise State Roaming"),
        ("6065", "EVENT_6065_ACCOUNT_DISABLED"),
        ("0xCAA5001C", "EVENT_1098_TOKEN_BROKER"),
        ("rms_not_activated", "Enable-AipService"),
        // HRESULTs as Windows and people write them: event 6013's without 0x, negative, decimal.
        ("80070259", "EVENT_6013_MDM_SIDELOADED_APPS"),
        ("-2147024295", "EVENT_6013_MDM_SIDELOADED_APPS"),
        ("2147943001", "EVENT_6013_MDM_SIDELOADED_APPS"),
        ("caa5001c", "EVENT_1098_TOKEN_BROKER"),
        ("net_blocked", "page dated 2024-10-03"),
        // Sign-in answers, with or without their prefix.
        ("AADSTS530035", "--auth browser"),
        ("aadsts500011", "Enable-AipService"),
        ("AADSTS53003", "Conditional Access"),
        // Hybrid join and PRT codes, hex or Microsoft's signed decimal.
        ("0x801c001d", "DSREG_AUTOJOIN_ADCONFIG_READ_FAILED"),
        ("-2145648611", "service connection point"),
        ("0xCAA90017", "WS-Trust"),
        ("c000006d", "STATUS_LOGON_FAILURE"),
        // What Edge shows, as a user reads it out.
        (
            "Sync is not available for this account.",
            "SYNC_DISABLED_BY_ADMIN",
        ),
        ("DISABLED_BY_ADMIN", "Enable-AipService"),
        ("EDGE_AUTH_ERROR: 3, 54, 3ea", "SYNC_AUTH_ERROR"),
        // The error events of the device registration and AAD logs.
        ("304", "EVENT_DEVICE_REGISTRATION_ERROR"),
        ("1081", "EVENT_AAD_SIGN_IN_ERROR"),
        ("5514", "AzureAdPrt"),
    ] {
        let output = esr_doctor()
            .args(["explain", query])
            .output()
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(output.status.code(), Some(0), "{query}");
        assert!(
            String::from_utf8_lossy(&output.stdout).contains(needle),
            "{query}"
        );
    }
}

#[test]
fn explain_list_prints_every_code() {
    let output = esr_doctor()
        .args(["explain", "--list"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(output.status.code(), Some(0));
    let listed = String::from_utf8_lossy(&output.stdout);
    for id in esr_doctor::model::CheckId::ALL {
        for code in esr_doctor::checks::spec(id).all_codes() {
            assert!(listed.contains(code), "{code} is not listed");
        }
    }
    assert!(listed.contains("6013") && listed.contains("0xCAA5001C"));
    for error in esr_doctor::facts::windows_errors::WINDOWS_ERRORS {
        assert!(listed.contains(error.name), "{}", error.name);
    }
    for refusal in esr_doctor::cloud::auth::refusals::REFUSALS {
        assert!(
            listed.contains(&format!("AADSTS{}", refusal.code)),
            "AADSTS{}",
            refusal.code
        );
    }
}

/// `explain` in German and Dutch holds no English for any entry of its reference tables (every
/// event id, HRESULT, hybrid join and PRT code, AADSTS answer) nor in `--list`.
#[test]
fn explain_in_german_and_dutch_holds_no_english_for_any_entry() {
    use esr_doctor::i18n::Lang;
    let english = esr_doctor::guidance::Guidance::builtin();
    let mut queries: Vec<String> = english.events.keys().cloned().collect();
    queries.extend(english.hresults.keys().cloned());
    queries.extend(
        esr_doctor::facts::windows_errors::WINDOWS_ERRORS
            .iter()
            .map(|e| format!("0x{:08x}", e.code)),
    );
    queries.extend(
        esr_doctor::cloud::auth::refusals::REFUSALS
            .iter()
            .map(|r| format!("AADSTS{}", r.code)),
    );
    for lang in [Lang::De, Lang::Nl] {
        let guidance = esr_doctor::guidance::Guidance::for_lang(lang);
        let mut faces = vec![("--list".to_owned(), esr_doctor::report::explain::list(lang))];
        for query in &queries {
            let Some(explanation) = guidance.explain(query) else {
                panic!("{query} is explained");
            };
            let text = esr_doctor::report::explain::render(&explanation, guidance, lang);
            faces.push((query.clone(), text));
        }
        for (query, mut text) in faces {
            // What Edge shows is quoted as an English Edge words it, as evidence is.
            for message in esr_doctor::facts::edge_messages::EDGE_MESSAGES {
                text = text.replace(message.shown, "");
            }
            let left = common::english::english_on(&text);
            assert!(
                left.is_empty(),
                "{lang:?} explain {query}:\n{}",
                left.join("\n")
            );
        }
    }
}

#[test]
fn check_help_lists_every_sign_in_mode() {
    let output = output_of(esr_doctor().args(["check", "--help"]));
    let help = String::from_utf8_lossy(&output.stdout);
    let modes = ["auto", "browser", "device-code", "azure-cli", "app", "none"];
    let places: Vec<Option<usize>> = modes
        .iter()
        .map(|m| help.find(&format!("- {m}:")))
        .collect();
    assert!(places.iter().all(Option::is_some), "{help}");
    assert!(
        places.windows(2).all(|w| w[0] < w[1]),
        "in this order: {help}"
    );
    assert!(help.contains("[default: auto on a terminal"), "{help}");
}

#[test]
fn a_demo_signs_in_with_the_browser_or_a_device_code_and_refuses_another_user() {
    for (auth, told) in [
        ("browser", "open in your browser"),
        ("device-code", "enter the code"),
    ] {
        let output = output_of(esr_doctor().args([
            "check", "--demo", "healthy", "--format", "json", "--auth", auth,
        ]));
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(0), "{auth}: {stderr}");
        assert!(stderr.contains(told), "{auth}: {stderr}");
        assert_eq!(json_of(&output)["checks"][3]["status"], "pass", "{auth}");
    }
    let output = output_of(esr_doctor().args([
        "check",
        "--demo",
        "healthy",
        "--user",
        "someone.else@contoso.com",
    ]));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("--user someone.else@contoso.com cannot be read in a demo"),
        "{stderr}"
    );
    assert!(output.stdout.is_empty());
}

#[test]
fn only_two_checks_of_a_healthy_tenant_are_incomplete_everywhere() {
    let text = esr_doctor()
        .args(["check", "--demo", "healthy", "--only", "rms,license"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(text.status.code(), Some(3));
    let stdout = String::from_utf8_lossy(&text.stdout);
    assert!(
        stdout.contains("INCOMPLETE") && !stdout.contains("PASS"),
        "{stdout}"
    );
}

#[test]
fn only_runs_the_named_checks() {
    let output = esr_doctor()
        .args([
            "check",
            "--demo",
            "rms-not-activated",
            "--only",
            "rms,license",
            "--format",
            "json",
        ])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(output.status.code(), Some(1));
    let ids: Vec<String> = json_of(&output)["checks"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["id"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(ids, ["license", "rms"]);
}

#[test]
fn text_without_a_terminal_has_no_colour_and_markdown_is_ticket_ready() {
    let text = esr_doctor()
        .args(["check", "--demo", "rms-not-activated"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let stdout = String::from_utf8_lossy(&text.stdout);
    assert!(!stdout.contains('\u{1b}'), "escape codes in piped output");
    assert!(stdout.contains("✗ Azure RMS activation") && stdout.contains("Enable-AipService"));
    let md = esr_doctor()
        .args([
            "check",
            "--demo",
            "rms-not-activated",
            "--format",
            "markdown",
        ])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let md = String::from_utf8_lossy(&md.stdout);
    for needle in [
        "## esr-doctor report: FAIL",
        "| Affected user | jana.novak@fabrikam.com |",
        "| Device |",
        "| Checked at |",
        "#### ✗ `RMS_NOT_ACTIVATED`",
        "```powershell\nInstall-Module -Name AIPService",
    ] {
        assert!(md.contains(needle), "markdown lacks {needle:?}\n{md}");
    }
}

#[test]
fn redact_removes_identifiers() {
    let output = esr_doctor()
        .args(["check", "--demo", "healthy", "--format", "json", "--redact"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(output.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&output.stdout);
    for secret in [
        "jana.novak@fabrikam.com",
        "3f2a8c41-7d5e-4b9a-9c1e-2a6d8f0b4e17",
        "FAB-LT-0423",
        "FABRIKAM\\\\jnovak",
    ] {
        assert!(!stdout.contains(secret), "{secret} survived redaction");
    }
    assert!(stdout.contains("user1@redacted.invalid"));
}

/// Per-check status and finding codes of a JSON report, and its verdicts.
fn decisions(report: &Value) -> Value {
    let checks: Vec<Value> = report["checks"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| {
            let codes: Vec<&Value> = c["findings"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|f| &f["code"])
                .collect();
            serde_json::json!([c["id"], c["status"], codes])
        })
        .collect();
    serde_json::json!({"verdict": report["verdict"], "features": report["features"], "checks": checks})
}

#[test]
fn every_demo_decides_the_same_with_redact() {
    let names: Vec<String> =
        String::from_utf8_lossy(&output_of(esr_doctor().arg("scenarios")).stdout)
            .lines()
            .filter_map(|l| l.split_whitespace().next().map(str::to_owned))
            .collect();
    assert!(names.len() >= 15, "{names:?}");
    let decided = |name: &str, redact: bool| {
        let mut command = esr_doctor();
        command.args(["check", "--demo", name, "--format", "json"]);
        if redact {
            command.arg("--redact");
        }
        let output = output_of(&mut command);
        (output.status.code(), decisions(&json_of(&output)))
    };
    std::thread::scope(|scope| {
        for chunk in names.chunks(names.len().div_ceil(4)) {
            scope.spawn(move || {
                for name in chunk {
                    assert_eq!(decided(name, true), decided(name, false), "{name}");
                }
            });
        }
    });
    let text = output_of(esr_doctor().args(["check", "--demo", "healthy", "--redact"]));
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("ESR on for all users"), "{text}");
}

/// A demo never asks the Azure CLI or an app registration for a real token: a fake `az` on
/// PATH records every call, and app credentials are in the environment.
#[cfg(unix)]
#[test]
fn a_demo_signs_in_to_its_emulator_whatever_auth_says() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let calls = dir.path().join("az-calls");
    let az = dir.path().join("az");
    std::fs::write(
        &az,
        format!(
            "#!/bin/sh\necho \"$@\" >> '{}'\necho '{{\"accessToken\":\"real-token\",\"expiresOn\":\"2099-01-01 00:00:00.000000\"}}'\n",
            calls.display()
        ),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    std::fs::set_permissions(&az, std::fs::Permissions::from_mode(0o755))
        .unwrap_or_else(|e| panic!("{e}"));
    let config = dir.path().join("config.toml");
    std::fs::write(&config, "auth = \"azure-cli\"\n").unwrap_or_else(|e| panic!("{e}"));
    let path = format!(
        "{}:{}",
        dir.path().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    for (case, flag, told) in [
        ("--auth azure-cli", Some("azure-cli"), true),
        ("--auth app", Some("app"), true),
        ("auth = azure-cli in the config file", None, false),
    ] {
        let mut command = esr_doctor();
        command
            .args(["check", "--demo", "healthy", "--format", "json"])
            .env("PATH", &path)
            .env("ESR_DOCTOR_CONFIG", &config)
            .env("AZURE_TENANT_ID", "11111111-1111-1111-1111-111111111111")
            .env("AZURE_CLIENT_ID", "22222222-2222-2222-2222-222222222222")
            .env("AZURE_CLIENT_SECRET", "a-real-secret");
        if let Some(flag) = flag {
            command.args(["--auth", flag]);
        }
        let output = output_of(&mut command);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(0), "{case}: {stderr}");
        assert_eq!(
            json_of(&output)["checks"][2]["status"],
            "pass",
            "{case}: the demo tenant was read"
        );
        assert!(!calls.exists(), "{case}: the demo called az");
        assert_eq!(
            stderr.contains("a demo signs in to its own emulated tenant"),
            told,
            "{case}: {stderr}"
        );
    }
}

/// `collect --out` creates its bundle new and owner-only: an existing file or a planted
/// symlink is refused with a clear message before anything is gathered, and left as it was.
#[cfg(unix)]
#[test]
fn collect_never_overwrites_or_writes_through_a_symlink() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let victim = dir.path().join("victim.txt");
    std::fs::write(&victim, "keep me").unwrap_or_else(|e| panic!("{e}"));
    let planted = dir.path().join("planted.zip");
    std::os::unix::fs::symlink(&victim, &planted).unwrap_or_else(|e| panic!("{e}"));
    for existing in [&victim, &planted] {
        let output = output_of(
            esr_doctor()
                .args(["collect", "--offline", "--out"])
                .arg(existing),
        );
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{stderr}");
        assert!(
            stderr.contains("already exists; nothing was overwritten"),
            "{stderr}"
        );
    }
    assert_eq!(
        std::fs::read_to_string(&victim).ok().as_deref(),
        Some("keep me")
    );
    let fresh = dir.path().join("bundle.zip");
    let output = output_of(
        esr_doctor()
            .args(["collect", "--offline", "--out"])
            .arg(&fresh),
    );
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let mode = std::fs::metadata(&fresh).map(|m| m.permissions().mode() & 0o777);
    assert_eq!(mode.ok(), Some(0o600));
}

/// `diff` and `--endpoints` read as evidence is read: a FIFO or `/dev/zero` is refused at
/// once with a clear message, never read until memory or patience runs out.
#[cfg(unix)]
#[test]
fn diff_and_endpoints_refuse_what_is_no_regular_file() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let fifo = dir.path().join("fifo");
    let c_path = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes())
        .unwrap_or_else(|e| panic!("{e}"));
    // SAFETY: mkfifo reads a valid NUL-terminated path and touches no memory of ours.
    assert_eq!(unsafe { libc::mkfifo(c_path.as_ptr(), 0o600) }, 0);
    let report = dir.path().join("report.json");
    let healthy = output_of(esr_doctor().args(["check", "--demo", "healthy", "--format", "json"]));
    std::fs::write(&report, &healthy.stdout).unwrap_or_else(|e| panic!("{e}"));
    for special in [fifo.as_path(), Path::new("/dev/zero")] {
        for args in [
            vec![
                "diff".into(),
                special.as_os_str().to_owned(),
                report.as_os_str().to_owned(),
            ],
            vec![
                "check".into(),
                "--format".into(),
                "json".into(),
                "--endpoints".into(),
                special.as_os_str().to_owned(),
            ],
        ] {
            let output = esr_doctor()
                .args(&args)
                .timeout(std::time::Duration::from_secs(30))
                .output()
                .unwrap_or_else(|e| panic!("{e}"));
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
            assert!(stderr.contains("not a regular file"), "{args:?}: {stderr}");
        }
    }
    let deep = dir.path().join("deep.json");
    std::fs::write(&deep, format!("[{}]", vec!["{}"; 300_000].join(",")))
        .unwrap_or_else(|e| panic!("{e}"));
    let output = output_of(esr_doctor().arg("diff").arg(&deep).arg(&report));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("JSON values"), "{stderr}");
}

/// `esr-doctor scenarios | head -1`: a reader that closes its end early ends the program
/// quietly (exit 0), never with a panic.
#[test]
fn a_closed_stdout_ends_every_command_quietly() {
    let binary = assert_cmd::cargo::cargo_bin!("esr-doctor");
    for args in [
        &["scenarios"][..],
        &["explain", "--list"],
        &["explain", "ESR_DISABLED"],
        &["completions", "bash"],
        &["man"],
        &["check", "--demo", "healthy", "--format", "json"],
        &["config", "path"],
    ] {
        let mut child = std::process::Command::new(binary)
            .args(args)
            .env(
                "ESR_DOCTOR_CONFIG",
                "/nonexistent/esr-doctor-tests/config.toml",
            )
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("{e}"));
        drop(child.stdout.take());
        let output = child.wait_with_output().unwrap_or_else(|e| panic!("{e}"));
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert_eq!(output.status.code(), Some(0), "{args:?}: {stderr}");
    }
}

#[test]
fn the_wizard_without_a_terminal_says_so_instead_of_panicking() {
    let output = esr_doctor()
        .args(["--demo", "healthy"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("needs an interactive terminal"));
    assert!(output.stdout.is_empty(), "no escape codes on a pipe");
}

#[test]
fn a_redacted_device_report_does_not_name_the_machine() {
    let output = esr_doctor()
        .args(["check", "--offline", "--redact", "--format", "json"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        matches!(output.status.code(), Some(1 | 3)),
        "{:?}",
        output.status
    );
    let report = json_of(&output);
    assert_eq!(
        report["source"],
        serde_json::json!({"kind": "device", "name": "<device-1>"})
    );
    let network = common::check_in(&report, "network");
    assert_eq!(
        network["reason"],
        "--offline: no network connection was made"
    );
}

#[test]
fn diff_names_what_a_change_broke_and_what_it_fixed() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let mut paths = Vec::new();
    for name in ["healthy", "rms-not-activated"] {
        let output = esr_doctor()
            .args(["check", "--demo", name, "--format", "json"])
            .output()
            .unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join(format!("{name}.json"));
        std::fs::write(&path, &output.stdout).unwrap_or_else(|e| panic!("{e}"));
        paths.push(path.display().to_string());
    }
    let broke = esr_doctor()
        .args(["diff", &paths[0], &paths[1]])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let text = String::from_utf8_lossy(&broke.stdout);
    assert_eq!(broke.status.code(), Some(1), "{text}");
    let rms = text
        .lines()
        .find(|l| l.contains("Azure RMS activation"))
        .unwrap_or_default();
    assert!(
        rms.starts_with("newly broken") && rms.contains("RMS_NOT_ACTIVATED"),
        "{text}"
    );
    let fixed = esr_doctor()
        .args(["diff", &paths[1], &paths[0]])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(fixed.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&fixed.stdout).contains("fixed"));
    let garbage = dir.path().join("notes.txt");
    std::fs::write(&garbage, "hello").unwrap_or_else(|e| panic!("{e}"));
    let bad = esr_doctor()
        .args(["diff", &paths[0], &garbage.display().to_string()])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("is not an esr-doctor JSON report"));
}

#[cfg(unix)]
#[test]
fn bash_completions_source_cleanly() {
    let script = format!(
        "source <({} completions bash) && complete -p esr-doctor",
        env!("CARGO_BIN_EXE_esr-doctor")
    );
    let output = std::process::Command::new("bash")
        .args(["-c", &script])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        output.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[cfg(unix)]
#[test]
fn the_man_page_renders() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let page = dir.path().join("esr-doctor.1");
    let roff = esr_doctor()
        .arg("man")
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(roff.status.code(), Some(0));
    std::fs::write(&page, &roff.stdout).unwrap_or_else(|e| panic!("{e}"));
    // .ci/run installs man-db; a machine without `man` cannot render it, only check the roff.
    let rendered = std::process::Command::new("man")
        .arg("-l")
        .arg(&page)
        .env("MANPAGER", "cat")
        .env("MANWIDTH", "80")
        .output();
    match rendered {
        Ok(output) => {
            assert_eq!(output.status.code(), Some(0));
            let text = String::from_utf8_lossy(&output.stdout);
            assert!(
                text.contains("esr-doctor") && text.contains("check"),
                "{text}"
            );
            for section in ["COMMANDS", "EXIT STATUS", "FILES", "ENVIRONMENT"] {
                assert!(text.contains(section), "{section} missing:\n{text}");
            }
            for said in [
                "130",
                "ESR_DOCTOR_CONFIG",
                "config.toml",
                "esr-doctor explain",
            ] {
                assert!(text.contains(said), "{said} missing:\n{text}");
            }
            // Only one page is generated, so it names no per-command pages.
            assert!(!text.contains("esr-doctor-check(1)"), "{text}");
        }
        Err(_) => assert!(String::from_utf8_lossy(&roff.stdout).contains(".TH esr-doctor")),
    }
}

#[test]
fn intune_output_is_one_short_line_and_exits_one_only_when_something_must_be_fixed() {
    for name in esr_doctor::sources::scenario::names() {
        let spec = esr_doctor::sources::scenario::spec(&name).unwrap_or_else(|e| panic!("{e}"));
        // stdin closed: nothing may wait for input.
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_esr-doctor"))
            .args(["check", "--demo", &name, "--format", "intune"])
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap_or_else(|e| panic!("{e}"));
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert_eq!(stdout.lines().count(), 1, "{name}: {stdout}");
        assert!(stdout.trim_end().chars().count() <= 2048, "{name}");
        assert!(
            output.stderr.is_empty(),
            "{name}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let must_fix = spec.expect.verdict == "fail";
        assert_eq!(
            output.status.code(),
            Some(i32::from(must_fix)),
            "{name}: {stdout}"
        );
        if must_fix {
            assert!(
                stdout.contains("failing: ")
                    && stdout.contains("| fix ")
                    && stdout.contains("| esr-doctor explain "),
                "{name}: {stdout}"
            );
            assert!(
                !stdout.contains('`'),
                "no command out of its fix's context: {stdout}"
            );
        }
    }
}

#[test]
fn junit_output_is_one_test_case_per_check() {
    let output = esr_doctor()
        .args(["check", "--demo", "firewall-blocked", "--format", "junit"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let xml = String::from_utf8_lossy(&output.stdout);
    let doc = roxmltree::Document::parse(&xml).unwrap_or_else(|e| panic!("{e}: {xml}"));
    let cases: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    assert_eq!(cases.len(), 9);
    let network = cases
        .iter()
        .find(|c| c.attribute("name") == Some("network"));
    assert!(network.is_some_and(|c| c.children().any(|n| n.has_tag_name("failure"))));
}

#[test]
fn the_config_file_gives_defaults_that_flags_override() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let file = dir.path().join("config.toml");
    let with_config = |args: &[&str]| {
        esr_doctor()
            .env("ESR_DOCTOR_CONFIG", &file)
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("{e}"))
    };
    let path = with_config(&["config", "path"]);
    assert_eq!(
        String::from_utf8_lossy(&path.stdout).trim(),
        file.display().to_string()
    );

    // No sign-in by default: the demo's tenant checks are skipped, the run incomplete.
    std::fs::write(&file, "auth = \"none\"\n").unwrap_or_else(|e| panic!("{e}"));
    let healthy = ["check", "--demo", "healthy", "--format", "json"];
    assert_eq!(with_config(&healthy).status.code(), Some(3));
    let mut signed_in = healthy.to_vec();
    signed_in.extend(["--auth", "device-code"]);
    assert_eq!(
        with_config(&signed_in).status.code(),
        Some(0),
        "a flag wins"
    );

    std::fs::write(&file, "auth = \"sometimes\"\n").unwrap_or_else(|e| panic!("{e}"));
    let wrong = with_config(&healthy);
    assert_eq!(wrong.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&wrong.stderr);
    assert!(stderr.contains(&file.display().to_string()), "{stderr}");
}

#[test]
fn lang_de_text_report_is_german_and_keeps_the_commands() {
    let output =
        output_of(esr_doctor().args(["check", "--demo", "rms-not-activated", "--lang", "de"]));
    assert_eq!(output.status.code(), Some(1));
    let text = String::from_utf8_lossy(&output.stdout);
    for german in [
        "Ergebnis: FEHLGESCHLAGEN",
        "Aktivierung von Azure RMS",
        "Azure Rights Management ist nicht aktiviert",
        "Was zu tun ist",
        "Wer es behebt: Administrator",
        "Den Dienst mit Enable-AipService aktivieren",
        "blockiert durch Aktivierung von Azure RMS",
    ] {
        assert!(text.contains(german), "{german:?} missing:\n{text}");
    }
    for command in [
        "> Install-Module -Name AIPService",
        "> Connect-AipService",
        "> Enable-AipService",
    ] {
        assert!(text.contains(command), "{command:?} changed:\n{text}");
    }
    for english in [
        "What to do",
        "Who fixes it",
        "Verdict:",
        "Activate the service",
    ] {
        assert!(
            !text.contains(english),
            "{english:?} left in English:\n{text}"
        );
    }
}

#[test]
fn lang_comes_from_the_flag_the_config_or_the_system_and_json_stays_english() {
    let dutch = output_of(esr_doctor().args([
        "check",
        "--demo",
        "esr-disabled",
        "--lang",
        "nl",
        "--format",
        "markdown",
    ]));
    let markdown = String::from_utf8_lossy(&dutch.stdout);
    assert!(
        markdown.contains("## esr-doctor-rapport: MISLUKT"),
        "{markdown}"
    );
    assert!(
        markdown.contains("Ga naar Entra ID > Apparaten > Overzicht > Enterprise State Roaming.")
    );

    let system = esr_doctor()
        .env("LANG", "de_DE.UTF-8")
        .args(["check", "--demo", "esr-disabled"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(String::from_utf8_lossy(&system.stdout).contains("Was zu tun ist"));

    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let config = dir.path().join("config.toml");
    std::fs::write(&config, "lang = \"nl\"\n").unwrap_or_else(|e| panic!("{e}"));
    let configured = esr_doctor()
        .env("ESR_DOCTOR_CONFIG", &config)
        .env("LANG", "de_DE.UTF-8")
        .args(["check", "--demo", "esr-disabled"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        String::from_utf8_lossy(&configured.stdout).contains("Wat te doen"),
        "config beats the system"
    );

    let json = output_of(esr_doctor().args([
        "check",
        "--demo",
        "esr-disabled",
        "--lang",
        "de",
        "--format",
        "json",
    ]));
    let report = json_of(&json);
    let esr = &report["checks"][2];
    assert_eq!(esr["title"], "Tenant ESR setting");
    assert_eq!(
        esr["findings"][0]["fix"]["steps"][1],
        "Go to Entra ID > Devices > Overview > Enterprise State Roaming."
    );
}

#[test]
fn setup_without_a_terminal_says_what_to_run_instead() {
    // stdout is a pipe here, as in a script.
    let output = output_of(esr_doctor().args(["setup", "--demo", "new-tenant"]));
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("setup needs an interactive terminal")
            && stderr.contains("esr-doctor check --only license,rms,tenant_esr,network"),
        "{stderr}"
    );
}

/// A report that is not there is said once (issue 20): the OS error used to be printed twice,
/// once as the message and once as its own cause.
#[test]
fn diff_of_a_missing_report_says_the_os_error_once() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let missing = dir.path().join("nonexist.json");
    let output = esr_doctor()
        .args(["diff".as_ref(), missing.as_os_str(), missing.as_os_str()])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("cannot read"), "{stderr}");
    assert_eq!(stderr.matches("os error").count(), 1, "{stderr}");
}

/// The default client is Azure PowerShell's (1950a258-…), as `--help` now says; it named the
/// Azure CLI (issue 20).
#[test]
fn check_help_names_the_default_client_rightly() {
    let output = esr_doctor()
        .args(["check", "--help"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let help = String::from_utf8_lossy(&output.stdout);
    assert!(help.contains("Azure PowerShell's public client"), "{help}");
    assert!(
        help.contains(esr_doctor::cloud::auth::DEFAULT_CLIENT_ID),
        "{help}"
    );
    assert!(!help.contains("Azure CLI's public client"), "{help}");
}

/// An invalid config file still stops the commands that read it, but not `config path`,
/// which is how a person finds the file to mend (issue 20); and `-v` names the log file as a
/// path, not as Rust's `Some("…")`.
#[test]
fn an_invalid_config_file_does_not_hide_its_own_path() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let bad = dir.path().join("config.toml");
    std::fs::write(&bad, "auth = [unclosed").unwrap_or_else(|e| panic!("{e}"));
    let path = esr_doctor()
        .env("ESR_DOCTOR_CONFIG", &bad)
        .args(["config", "path"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(path.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&path.stdout).contains("config.toml"));
    assert!(String::from_utf8_lossy(&path.stderr).contains("is not valid"));
    let check = esr_doctor()
        .env("ESR_DOCTOR_CONFIG", &bad)
        .args(["check", "--demo", "healthy", "--format", "json"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(check.status.code(), Some(2));

    let verbose = esr_doctor()
        .args([
            "check", "-v", "--demo", "healthy", "--format", "json", "--auth", "none",
        ])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let log = String::from_utf8_lossy(&verbose.stderr);
    let started = log
        .lines()
        .find(|l| l.contains("esr-doctor started"))
        .unwrap_or_default();
    assert!(started.contains("log="), "{log}");
    assert!(!started.contains("Some("), "{started}");
}

/// `--ascii` is accepted by every command and holds for every byte it writes: the text and
/// markdown reports transliterated, JSON with its non-ASCII characters escaped (the same
/// values), `explain` and `scenarios` too.
#[test]
fn ascii_means_ascii_bytes_in_every_face() {
    let demo = ["check", "--demo", "rms-not-activated", "--offline"];
    for (args, code) in [
        (&["--format", "text", "--lang", "de"][..], 1),
        (&["--format", "markdown", "--lang", "nl"][..], 1),
        (&["--format", "json"][..], 1),
    ] {
        let out = esr_doctor()
            .args(demo)
            .args(args)
            .arg("--ascii")
            .output()
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(out.status.code(), Some(code), "{args:?}");
        assert!(
            out.stdout.is_ascii(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stdout)
        );
        assert!(out.stderr.is_ascii(), "{args:?} stderr");
    }
    let json = |ascii: bool| {
        let mut cmd = esr_doctor();
        cmd.args(demo).args(["--format", "json"]);
        if ascii {
            cmd.arg("--ascii");
        }
        let out = cmd.output().unwrap_or_else(|e| panic!("{e}"));
        let mut value: serde_json::Value =
            serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}"));
        for volatile in ["generated_at", "duration_ms"] {
            value[volatile] = serde_json::Value::Null;
        }
        for check in value["checks"].as_array_mut().into_iter().flatten() {
            check["duration_ms"] = serde_json::Value::Null;
        }
        value
    };
    assert_eq!(json(true), json(false), "the same JSON values");
    for args in [
        &["explain", "RMS_NOT_ACTIVATED", "--lang", "de"][..],
        &["scenarios", "--lang", "de"][..],
    ] {
        let out = esr_doctor()
            .args(args)
            .arg("--ascii")
            .output()
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(out.status.success() && out.stdout.is_ascii(), "{args:?}");
    }
}
