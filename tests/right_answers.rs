//! The report says the right thing or says why it cannot: one test per fault found in the
//! field (issue 9), each on evidence the test builds from a demo scenario.

mod common;

use esr_doctor::evidence::EvidenceFiles;
use esr_doctor::model::{CheckId, Report, Status, Verdict};
use esr_doctor::runner::{RunOptions, run};
use esr_doctor::sources::{bundle, scenario};

/// A demo scenario's evidence with `changes` applied (`None` removes the file).
fn evidence(name: &str, changes: &[(&str, Option<&[u8]>)]) -> EvidenceFiles {
    let source = scenario::load(name).unwrap_or_else(|e| panic!("{e}"));
    let mut files = source.files.clone();
    for (path, bytes) in changes {
        match bytes {
            Some(bytes) => files.insert(path, bytes.to_vec()),
            None => files.remove(path),
        }
    }
    files
}

async fn check_with(files: &EvidenceFiles, options: RunOptions) -> Report {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    common::write_bundle(files, dir.path());
    let source = bundle::load(dir.path()).unwrap_or_else(|e| panic!("{e}"));
    run(source, options, None).await
}

async fn check(name: &str, changes: &[(&str, Option<&[u8]>)]) -> Report {
    check_with(&evidence(name, changes), RunOptions::default()).await
}

/// Everything the report says about its problems and checks, for "does it name X".
fn said(report: &Report) -> String {
    serde_json::to_string(report).unwrap_or_default()
}

fn assert_not_pass(case: &str, report: &Report) {
    assert_ne!(report.verdict, Verdict::Pass, "{case}: {}", said(report));
    assert_ne!(report.exit_code(), 0, "{case}");
}

#[tokio::test]
async fn corrupt_member_of_never_turns_a_selected_scope_into_a_pass() {
    for bytes in [&b""[..], b"{not json", b"[]", b"{\"value\": 3}"] {
        let report = check(
            "esr-selected-not-member",
            &[("cloud/memberOf.json", Some(bytes))],
        )
        .await;
        let case = format!("memberOf.json = {:?}", String::from_utf8_lossy(bytes));
        assert_not_pass(&case, &report);
        assert!(
            said(&report).contains("memberOf.json"),
            "{case}: {}",
            said(&report)
        );
    }
}

#[tokio::test]
async fn an_empty_network_answer_is_not_a_reachable_network() {
    for bytes in [&b"[]"[..], b"{\"endpoints\": []}"] {
        let report = check("firewall-blocked", &[("cloud/network.json", Some(bytes))]).await;
        let network = report.check(CheckId::Network).map(|c| c.status);
        assert_ne!(network, Some(Status::Pass), "{}", said(&report));
        assert_not_pass("network.json = []", &report);
        assert!(said(&report).contains("network.json"));
    }
}

#[tokio::test]
async fn every_unusable_cloud_answer_is_named() {
    for path in [
        "cloud/licenseDetails.json",
        "cloud/subscribedSkus.json",
        "cloud/me.json",
        "cloud/organization.json",
        "cloud/rmsServiceDiscovery.json",
        "cloud/rmsFunctionalState.json",
        "cloud/rmsOnboardingPolicy.json",
        "cloud/rmsConfiguration.json",
    ] {
        let report = check("healthy", &[(path, Some(b"<html>oops</html>"))]).await;
        let named = report
            .problems
            .iter()
            .any(|p| p.source.as_str().contains(path) || p.message.contains(path));
        assert!(named, "{path} is not named: {:?}", report.problems);
    }
}

#[tokio::test]
async fn an_unreadable_event_log_is_named() {
    let report = check(
        "healthy",
        &[("windows/events/aad.xml", Some(b"<Event><System>"))],
    )
    .await;
    assert!(
        report
            .problems
            .iter()
            .any(|p| p.message.contains("windows/events/aad.xml")),
        "{:?}",
        report.problems
    );
    assert_not_pass("truncated event log", &report);
}

#[tokio::test]
async fn a_signin_pattern_that_cannot_be_compiled_is_not_ignored() {
    let reg = b"\nHKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Microsoft\\Edge\n    RestrictSigninToPattern    REG_SZ    .*@(fabrikam\\.com\n\n";
    let report = check("healthy", &[("edge/policies.reg.txt", Some(reg))]).await;
    let policy = report.check(CheckId::EdgePolicy);
    assert_ne!(
        policy.map(|c| c.status),
        Some(Status::Pass),
        "{}",
        said(&report)
    );
    assert!(said(&report).contains("RestrictSigninToPattern"));
}

#[tokio::test]
async fn an_empty_version_file_in_a_bundle_is_not_a_missing_edge() {
    let report = check("healthy", &[("edge/version.txt", Some(b""))]).await;
    let version = report.check(CheckId::EdgeVersion);
    let text = said(&report);
    assert!(
        !text.contains("not found on this device")
            && !report
                .codes(CheckId::EdgeVersion)
                .contains(&"EDGE_NOT_INSTALLED"),
        "{text}"
    );
    assert_ne!(version.map(|c| c.status), Some(Status::Pass));
    assert!(text.contains("edge/version.txt"), "{text}");
}

#[tokio::test]
async fn a_manifest_of_another_schema_is_named() {
    let manifest = br#"{"schema":"someone-else/bundle/v7","os":"windows"}"#;
    let report = check("healthy", &[("manifest.json", Some(manifest))]).await;
    assert!(
        report
            .problems
            .iter()
            .any(|p| p.message.contains("someone-else/bundle/v7")),
        "{:?}",
        report.problems
    );
}

#[tokio::test]
async fn only_two_checks_give_an_incomplete_verdict_that_agrees_everywhere() {
    let options = RunOptions {
        only: Some(vec![CheckId::Rms, CheckId::License]),
        ..RunOptions::default()
    };
    let report = check_with(&evidence("healthy", &[]), options).await;
    assert!(
        report
            .features
            .iter()
            .all(|f| f.verdict == Verdict::Incomplete)
    );
    assert_eq!(report.verdict, Verdict::Incomplete);
    assert_eq!(report.exit_code(), 3);
}

#[tokio::test]
async fn a_report_read_back_from_json_gives_the_same_exit_code() {
    for name in scenario::names() {
        let report = check(&name, &[]).await;
        let json = serde_json::to_string(&report).unwrap_or_default();
        let back: Report = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(back.exit_code(), report.exit_code(), "{name}");
        assert_eq!(
            esr_doctor::verdict::decide(&back.checks).0,
            report.verdict,
            "{name}: the verdict follows from the checks read back"
        );
    }
}

#[tokio::test]
async fn a_check_takes_as_long_as_its_own_facts() {
    let mut source = scenario::load("healthy").unwrap_or_else(|e| panic!("{e}"));
    source.latency.clear();
    source.latency.insert(
        esr_doctor::evidence::FactSource::SyncInternals,
        std::time::Duration::from_millis(600),
    );
    let report = run(source, RunOptions::default(), None).await;
    let took = |id| report.check(id).map_or(0, |c| c.duration_ms);
    assert!(
        took(CheckId::SyncHealth) >= 600,
        "{}",
        took(CheckId::SyncHealth)
    );
    assert!(
        took(CheckId::EdgeVersion) < 300,
        "{}",
        took(CheckId::EdgeVersion)
    );
}

#[tokio::test]
async fn only_a_blocked_check_still_names_its_blocker() {
    let options = RunOptions {
        only: Some(vec![CheckId::SyncHealth]),
        ..RunOptions::default()
    };
    let report = check_with(&evidence("rms-not-activated", &[]), options).await;
    let health = report.check(CheckId::SyncHealth);
    assert_eq!(
        health.map(|c| c.status),
        Some(Status::Skipped),
        "{}",
        said(&report)
    );
    assert!(
        health
            .and_then(|c| c.reason.clone())
            .is_some_and(|r| r.contains("RMS_NOT_ACTIVATED")),
        "{}",
        said(&report)
    );
    assert_eq!(report.codes(CheckId::Rms), ["RMS_NOT_ACTIVATED"]);
}

/// What the report says outside the evidence: its problems, and each check's reason and
/// findings. "The report names the file" must be true here, not merely in `evidence.files`.
fn told(report: &Report) -> String {
    let mut told = serde_json::to_string(&report.problems).unwrap_or_default();
    for check in &report.checks {
        told.push_str(check.reason.as_deref().unwrap_or_default());
        told.push_str(&serde_json::to_string(&check.findings).unwrap_or_default());
    }
    told
}

/// The evidence files `check` was decided from.
fn files_of(check: &esr_doctor::model::CheckResult) -> Vec<String> {
    check
        .evidence
        .get("files")
        .and_then(serde_json::Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|f| f.as_str().map(str::to_owned))
        .collect()
}

/// True when `bytes` at `path` is evidence that cannot be used, so the checks reading it must
/// not pass on it. An empty wevtutil export is no events (wevtutil prints nothing when none
/// match); a line-based capture cut in half is still a shorter capture, which can decide; and
/// a cut that only drops trailing white space (`1\n` → `1`) changes nothing.
fn unusable(path: &str, how: &str, original: &str, bytes: &[u8]) -> bool {
    if String::from_utf8_lossy(bytes).trim() == original.trim() {
        return false;
    }
    let structured = path.ends_with(".json")
        || path.ends_with(".xml")
        || path.ends_with("Local State")
        || path.ends_with("/Preferences");
    match how {
        "empty" => !path.starts_with("windows/events/"),
        "truncated" => structured,
        _ => true,
    }
}

/// What is wrong with a report on an unusable file at `path`: a check that reads it passing,
/// or no problem or finding naming it.
fn unusable_but_used(case: &str, path: &str, readers: &[CheckId], report: &Report) -> Vec<String> {
    let mut wrong: Vec<String> = readers
        .iter()
        .filter(|id| report.check(**id).map(|c| c.status) == Some(Status::Pass))
        .map(|id| format!("{case}: {id:?} read it and still passes"))
        .collect();
    if !told(report).contains(path) {
        wrong.push(format!("{case}: no problem or finding names the file"));
    }
    wrong
}

/// Every file of every demo scenario, the healthy one included, replaced by empty, truncated
/// and garbage content. A failing scenario never turns into a pass; where the content is
/// unusable, no check that reads the file passes (it is undecided, or a warning naming the
/// file when other facts decided it) and the report's problems or findings name the file.
#[tokio::test]
async fn corruption_sweep() {
    let mut failures = Vec::new();
    for name in scenario::names() {
        let original = evidence(&name, &[]);
        let baseline = check_with(&original, RunOptions::default()).await;
        for path in original.paths() {
            let readers: Vec<CheckId> = baseline
                .checks
                .iter()
                .filter(|c| files_of(c).iter().any(|f| f == path))
                .map(|c| c.id)
                .collect();
            let text = original.text(path).unwrap_or_default();
            let mut cut = text.len() / 2;
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            let variants: [(&str, Vec<u8>); 3] = [
                ("empty", Vec::new()),
                ("truncated", text.as_bytes()[..cut].to_vec()),
                ("garbage", b"\x00\xff garbage \x1b[2J {[<".to_vec()),
            ];
            for (how, bytes) in variants {
                let report = check(&name, &[(path, Some(&bytes))]).await;
                let case = format!("{name}: {path} {how}");
                if baseline.verdict != Verdict::Pass && report.verdict == Verdict::Pass {
                    failures.push(format!("{case}: turned into a pass"));
                }
                if unusable(path, how, &text, &bytes) {
                    failures.extend(unusable_but_used(&case, path, &readers, &report));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} cases:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// A scenario file's text with `from` replaced by `to`.
fn replaced(name: &str, path: &str, from: &str, to: &str) -> Vec<u8> {
    let files = evidence(name, &[]);
    let text = files.text(path).unwrap_or_default();
    assert!(text.contains(from), "{path} lacks {from:?}");
    text.replace(from, to).into_bytes()
}

#[tokio::test]
async fn a_regedit_export_of_the_policies_is_read() {
    let export = "Windows Registry Editor Version 5.00\n\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Microsoft\\Edge]\n\"SyncDisabled\"=dword:00000001\n\"HideFirstRunExperience\"=dword:00000001\n";
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(export.encode_utf16().flat_map(u16::to_le_bytes));
    for bytes in [export.as_bytes().to_vec(), utf16] {
        let report = check("healthy", &[("edge/policies.reg.txt", Some(&bytes))]).await;
        assert_eq!(report.codes(CheckId::EdgePolicy), ["POLICY_SYNC_DISABLED"]);
    }
}

#[tokio::test]
async fn an_rms_token_complaint_is_a_sign_in_problem_not_a_bad_shape() {
    let token = br#"{"Message":"The authorization token is not well-formed."}"#;
    let report = check(
        "healthy",
        &[
            ("cloud/rmsServiceDiscovery.json", Some(token)),
            ("cloud/rmsFunctionalState.json", None),
        ],
    )
    .await;
    let rms = report.check(CheckId::Rms);
    assert_eq!(
        rms.map(|c| (c.status, c.skip_kind)),
        Some((
            Status::Skipped,
            Some(esr_doctor::model::SkipKind::NeedsSignIn)
        )),
        "{}",
        said(&report)
    );
    let reason = rms.and_then(|c| c.reason.clone()).unwrap_or_default();
    assert!(
        reason.contains("token") && !reason.contains("shape"),
        "{reason}"
    );
}

#[tokio::test]
async fn a_dsregcmd_captured_as_system_says_so() {
    let dsreg = replaced(
        "healthy",
        "dsregcmd.txt",
        "| Diagnostic Data",
        "| Diagnostic Data                                                      |\n+----+\n\n                  User Context : SYSTEM\n\n| Diagnostic Data",
    );
    // As SYSTEM there is no user PRT: that is said once, not failed on.
    let dsreg = String::from_utf8_lossy(&dsreg)
        .replace("AzureAdPrt : YES", "AzureAdPrt : NO")
        .into_bytes();
    let report = check(
        "healthy",
        &[("dsregcmd.txt", Some(&dsreg)), ("windows/whoami.txt", None)],
    )
    .await;
    assert!(
        !report
            .codes(CheckId::DeviceRegistration)
            .contains(&"PRT_MISSING")
    );
    assert_ne!(report.verdict, Verdict::Fail, "{}", said(&report));
    let device = report.check(CheckId::DeviceRegistration);
    assert!(
        report
            .codes(CheckId::DeviceRegistration)
            .contains(&"DSREG_ELEVATED_CONTEXT"),
        "{}",
        said(&report)
    );
    assert_eq!(
        device.map(|c| c.evidence["capture_context"].clone()),
        Some("SYSTEM".into())
    );
}

#[tokio::test]
async fn a_personal_account_in_the_sync_dump_is_noticed_without_profile_files() {
    let dump = replaced(
        "healthy",
        "edge/sync-internals.json",
        "\"stat_value\": \"AAD\"",
        "\"stat_value\": \"MSA\"",
    );
    let report = check(
        "healthy",
        &[
            ("edge/sync-internals.json", Some(&dump)),
            ("edge/Local State", None),
            ("edge/Default/Preferences", None),
        ],
    )
    .await;
    assert_eq!(
        report.codes(CheckId::AccountType),
        ["ACCOUNT_PERSONAL_MSA"],
        "{}",
        said(&report)
    );
    assert_eq!(report.verdict, Verdict::Fail);
}

/// A direct WinHTTP proxy under a user proxy, in English and as a German Windows prints it
/// (netsh speaks the display language; the German one used to be called "not netsh output").
#[tokio::test]
async fn a_direct_winhttp_proxy_under_a_user_proxy_is_a_roaming_problem() {
    let wininet = b"\r\nHKEY_CURRENT_USER\\Software\\Microsoft\\Windows\\CurrentVersion\\Internet Settings\r\n    ProxyEnable    REG_DWORD    0x1\r\n    ProxyServer    REG_SZ    proxy.fabrikam.com:8080\r\n\r\n";
    for winhttp in [
        "\r\nCurrent WinHTTP proxy settings:\r\n\r\n    Direct access (no proxy server).\r\n\r\n",
        "\r\nAktuelle WinHTTP-Proxyeinstellungen:\r\n\r\n    Direkter Zugriff (kein Proxyserver).\r\n\r\n",
    ] {
        let report = check(
            "healthy",
            &[
                ("windows/winhttp-proxy.txt", Some(winhttp.as_bytes())),
                ("windows/internet-settings.reg.txt", Some(wininet)),
            ],
        )
        .await;
        assert!(
            report
                .codes(CheckId::DeviceRegistration)
                .contains(&"WINHTTP_PROXY_MISSING"),
            "{winhttp}: {}",
            said(&report)
        );
        assert!(
            report.problems.is_empty(),
            "{winhttp}: {:?}",
            report.problems
        );
    }
}

#[tokio::test]
async fn an_unreadable_event_export_is_named_without_a_dump() {
    let report = check(
        "healthy",
        &[
            ("edge/sync-internals.json", None),
            (
                "windows/events/aad.xml",
                Some(b"\x00\x01 not an event export <Event"),
            ),
        ],
    )
    .await;
    let sync = report.check(CheckId::SyncHealth);
    assert_eq!(
        sync.map(|c| c.status),
        Some(Status::Skipped),
        "{}",
        said(&report)
    );
    assert_eq!(report.codes(CheckId::SyncHealth), ["EVENT_LOG_UNREADABLE"]);
}

/// `microsoft-edge-dev --version` names its channel after the version; a Dev Edge used to be
/// reported as Stable.
#[tokio::test]
async fn a_dev_edge_from_its_version_line_is_named_unsupported() {
    let report = check(
        "healthy",
        &[(
            "edge/version.txt",
            Some(b"Microsoft Edge 133.0.3014.0 dev\n"),
        )],
    )
    .await;
    let edge = report.check(CheckId::EdgeVersion);
    assert_eq!(
        edge.map(|c| c.evidence["channel"].clone()),
        Some("dev".into()),
        "{}",
        said(&report)
    );
    assert_eq!(
        report.codes(CheckId::EdgeVersion),
        ["EDGE_CHANNEL_UNSUPPORTED"]
    );
}

#[tokio::test]
async fn tenant_plans_come_from_organization_when_subscribed_skus_is_absent() {
    let report = check("healthy", &[("cloud/subscribedSkus.json", None)]).await;
    let license = report.check(CheckId::License);
    assert_eq!(
        license.map(|c| c.evidence["tenant_plans_from"].clone()),
        Some("organization assignedPlans".into()),
        "{}",
        said(&report)
    );
}

#[tokio::test]
async fn linux_is_not_told_to_use_winget() {
    let manifest = br#"{"schema":"esr-doctor/bundle/v1","os":"linux"}"#;
    let files = [
        ("manifest.json", Some(&manifest[..])),
        (
            "edge/version.txt",
            Some(&b"microsoft-edge: command not found\n"[..]),
        ),
    ];
    let report = check("healthy", &files).await;
    let fix = report
        .check(CheckId::EdgeVersion)
        .and_then(|c| c.findings.first())
        .and_then(|f| f.fix.clone());
    let (commands, docs) = fix.map(|f| (f.commands, f.docs)).unwrap_or_default();
    assert!(
        !commands.is_empty() && commands.iter().all(|c| !c.contains("winget")),
        "{commands:?}"
    );
    // A fresh machine has no Microsoft repository: its key and source come before the install.
    let first = |text: &str| commands.iter().position(|c| c.contains(text));
    assert!(
        first("packages.microsoft.com/keys/microsoft.asc") < first("apt install")
            && first("packages.microsoft.com/repos/edge") < first("apt install")
            && first("yumrepos/edge") < first("dnf install"),
        "{commands:?}"
    );
    assert!(
        docs.iter().all(|d| !d.contains("configuration-manager")) && !docs.is_empty(),
        "Linux links: {docs:?}"
    );
}

/// Off Windows there are no Windows settings to roam: that feature is not applicable, never
/// incomplete, and it holds back no verdict.
#[tokio::test]
async fn off_windows_windows_settings_roaming_is_not_applicable() {
    let manifest = br#"{"schema":"esr-doctor/bundle/v1","os":"linux"}"#;
    // A Linux device's bundle: no dsregcmd, no Windows registry or event logs.
    let files = [
        ("manifest.json", Some(&manifest[..])),
        ("dsregcmd.txt", None),
        ("windows/settingsync.reg.txt", None),
        ("windows/whoami.txt", None),
        ("windows/events/aad.xml", None),
        ("windows/events/settingsync-azure.xml", None),
    ];
    let report = check("healthy", &files).await;
    let windows = report
        .features
        .iter()
        .find(|f| f.id == esr_doctor::model::Feature::WindowsSettings)
        .map(|f| f.verdict);
    assert_eq!(
        windows,
        Some(esr_doctor::model::Verdict::NotApplicable),
        "{}",
        said(&report)
    );
    assert_eq!(
        report.verdict,
        esr_doctor::model::Verdict::Pass,
        "{}",
        said(&report)
    );
    let json = esr_doctor::report::json::render(&report).unwrap_or_default();
    assert!(json.contains("\"not_applicable\""), "{json}");
    assert!(esr_doctor::report::text::render(&report).contains("not applicable"));
}

#[tokio::test]
async fn no_dns_at_all_is_no_network_not_a_firewall_task() {
    let network = br#"{"endpoints":[
        {"host":"edge.microsoft.com","reachable":false,"failed_phase":"dns","error":"no such host"},
        {"host":"api.aadrm.com","reachable":false,"failed_phase":"dns","error":"no such host"},
        {"host":"login.microsoftonline.com","reachable":false,"failed_phase":"dns","error":"no such host"}]}"#;
    let report = check("healthy", &[("cloud/network.json", Some(network))]).await;
    assert_eq!(
        report.codes(CheckId::Network),
        ["NET_NO_DNS"],
        "{}",
        said(&report)
    );
    let fix = report
        .check(CheckId::Network)
        .and_then(|c| c.findings.first())
        .and_then(|f| f.fix.clone());
    assert_eq!(
        fix.map(|f| f.audience),
        Some(esr_doctor::model::Audience::Helpdesk)
    );
}

#[tokio::test]
async fn one_fix_block_per_code_names_every_blocked_host() {
    let report = check("firewall-blocked", &[]).await;
    let network = report.check(CheckId::Network);
    let blocked: Vec<_> = network
        .map(|c| {
            c.findings
                .iter()
                .filter(|f| f.code == "NET_BLOCKED")
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(blocked.len(), 1);
    assert!(
        blocked[0].message.contains("edge.microsoft.com")
            && blocked[0].message.contains("api.aadrm.com")
    );
    let markdown = esr_doctor::report::markdown::render(&report);
    assert_eq!(markdown.matches("`NET_BLOCKED` —").count(), 1, "{markdown}");
}

#[tokio::test]
async fn the_wizard_summary_lists_unusable_evidence_like_the_reports() {
    use esr_doctor::tui::app::App;
    use esr_doctor::tui::keys::Action;
    use esr_doctor::tui::state::Screen;
    let report = check(
        "healthy",
        &[("cloud/rmsConfiguration.json", Some(b"<html>"))],
    )
    .await;
    assert!(!report.problems.is_empty());
    let mut app = App::new(
        report.source.clone(),
        String::new(),
        esr_doctor::tui::theme::Theme {
            color: false,
            ascii: true,
            high_contrast: false,
        },
        "r.md".into(),
        std::time::Instant::now(),
    );
    app.handle(Action::Enter);
    app.run_started(None);
    app.run_finished(report);
    app.screen = Screen::Summary;
    let shown = common::screen_text(&app);
    assert!(
        shown.contains("Evidence that could not be used")
            && shown.contains("rmsConfiguration.json"),
        "{shown}"
    );
}

#[test]
fn a_rerun_re_decides_what_the_step_blocks_and_what_blocks_it() {
    use esr_doctor::checks::rerun_of;
    assert!(
        rerun_of(CheckId::Rms).contains(&CheckId::SyncHealth),
        "RMS blocks sync health"
    );
    assert!(
        rerun_of(CheckId::Rms).contains(&CheckId::License),
        "the licence blocks RMS"
    );
    assert!(rerun_of(CheckId::SyncHealth).contains(&CheckId::Rms));
    assert!(!rerun_of(CheckId::TenantEsr).contains(&CheckId::SyncHealth));
}

/// The field's case: a garbled `settingsync.reg.txt` left `device_registration` passing. Now
/// dsregcmd still decides it, as a warning that names the file it could not use.
#[tokio::test]
async fn a_garbled_settingsync_capture_leaves_device_registration_a_named_warning() {
    let report = check(
        "healthy",
        &[("windows/settingsync.reg.txt", Some(b"\x00\xff garbage {[<"))],
    )
    .await;
    let Some(device) = report.check(CheckId::DeviceRegistration) else {
        panic!("no device_registration");
    };
    assert_eq!(device.status, Status::Warn, "{}", said(&report));
    let named = device
        .findings
        .iter()
        .any(|f| f.code == "EVIDENCE_UNUSABLE" && f.message.contains("settingsync.reg.txt"));
    assert!(named, "{:?}", device.findings);
}

/// Real captures of a failed hybrid join (issue 19): dsregcmd's own diagnosis names the phase
/// and the code, and the report says both with Microsoft's meaning, instead of only "not
/// hybrid joined"; a paste holding only the Previous Registration block is read for it.
#[tokio::test]
async fn a_failed_hybrid_join_is_named_by_its_phase_and_code() {
    let scp = include_bytes!(
        "fixtures/dsregcmd/domain-joined-discover-failed-scp-unreadable-indented.txt"
    );
    let system = include_bytes!(
        "fixtures/dsregcmd/domain-joined-as-system-discover-failed-wrapped-line.txt"
    );
    for (name, capture) in [("scp", &scp[..]), ("as SYSTEM", &system[..])] {
        let report = check("healthy", &[("dsregcmd.txt", Some(capture))]).await;
        let codes = report.codes(CheckId::DeviceRegistration);
        assert!(
            codes.contains(&"HYBRID_JOIN_DISCOVER_FAILED"),
            "{name}: {codes:?}"
        );
        assert!(
            !codes.contains(&"DEVICE_HYBRID_JOIN_MISSING"),
            "{name}: {codes:?}"
        );
        let told = said(&report);
        assert!(
            told.contains("0x801c001d DSREG_AUTOJOIN_ADCONFIG_READ_FAILED")
                && told.contains("service connection point"),
            "{name}: {told}"
        );
        assert_eq!(
            report.check(CheckId::DeviceRegistration).map(|c| c.status),
            Some(Status::Fail)
        );
        assert_not_pass(name, &report);
    }
    let system_report = check("healthy", &[("dsregcmd.txt", Some(&system[..]))]).await;
    assert!(
        system_report
            .codes(CheckId::DeviceRegistration)
            .contains(&"DSREG_ELEVATED_CONTEXT")
    );

    let docs = include_str!("fixtures/dsregcmd/hybrid-join-diagnostics-msdocs2024.txt");
    let block = docs.split("\n\n\n").next().unwrap_or_default();
    let report = check("healthy", &[("dsregcmd.txt", Some(block.as_bytes()))]).await;
    let codes = report.codes(CheckId::DeviceRegistration);
    assert!(
        codes.contains(&"HYBRID_JOIN_REGISTRATION_FAILED"),
        "{codes:?}"
    );
    assert!(codes.contains(&"DSREG_PARTIAL"), "{codes:?}");
    assert!(said(&report).contains("DirectoryError: The device object"));
    assert_not_pass("Previous Registration block only", &report);
}

/// Event exports in the forms admins have (issue 19): a `Get-WinEvent | Format-List` text of
/// the AAD log is read like wevtutil's XML, and an export that cannot be read is named while
/// the others still count.
#[tokio::test]
async fn every_event_export_form_is_read_and_an_unreadable_one_is_named() {
    let listed = "\r\nTimeCreated  : 20.11.2026 08:00:00\r\nProviderName : Microsoft-Windows-AAD\r\nId           : 1098\r\nMessage      : Error: 0xCAA5001C Token broker operation failed.\r\n\r\nTimeCreated  : 20.11.2026 08:00:01\r\nProviderName : Microsoft-Windows-AAD\r\nId           : 1104\r\nMessage      : AAD Cloud AP plugin call Get token returned error: 0xC000005F\r\n";
    let report = check(
        "healthy",
        &[
            ("windows/events/aad.xml", None),
            (
                "windows/events/aad-format-list.txt",
                Some(listed.as_bytes()),
            ),
            (
                "windows/events/notes.txt",
                Some(b"user says sync broke on monday"),
            ),
        ],
    )
    .await;
    let codes = report.codes(CheckId::SyncHealth);
    assert!(codes.contains(&"EVENT_1098_TOKEN_BROKER"), "{codes:?}");
    assert!(codes.contains(&"EVENT_LOG_UNREADABLE"), "{codes:?}");
    assert!(said(&report).contains("notes.txt"), "{}", said(&report));
    assert_not_pass("an AAD log as Format-List text", &report);
}

/// The corruption sweep over the forms pasted from the field (issue 19), which no demo
/// scenario holds: each is put into the healthy scenario, then emptied, cut in half and
/// replaced by garbage. Garbage never turns the run into a pass (an emptied or shortened
/// export is a capture of fewer events, which may rightly pass); an unusable one is named and
/// leaves no check that reads it passing.
#[tokio::test]
async fn corruption_sweep_over_the_forms_the_field_pastes() {
    // Each form, and the recorded answer it stands in for (which would win if left).
    let forms: [(&str, &[u8], Option<&str>); 6] = [
        (
            "dsregcmd.txt",
            include_bytes!("fixtures/dsregcmd/domain-joined-as-system-discover-failed-wrapped-line.txt"),
            None,
        ),
        (
            "windows/events/aad-format-list.txt",
            b"TimeCreated  : 20.11.2026 08:00:00\nProviderName : Microsoft-Windows-AAD\nId           : 1098\nMessage      : Error: 0xCAA5001C Token broker operation failed.\n\nTimeCreated  : 20.11.2026 08:00:01\nProviderName : Microsoft-Windows-AAD\nId           : 1104\nMessage      : AAD Cloud AP plugin call Get token returned error: 0xC000005F\n",
            None,
        ),
        (
            "windows/events/aad-wevtutil.txt",
            b"Event[0]:\n  Log Name: Microsoft-Windows-AAD/Operational\n  Source: Microsoft-Windows-AAD\n  Event ID: 1098\n  Description: \nError: 0xCAA5001C Token broker operation failed.\n\nEvent[1]:\n  Log Name: Microsoft-Windows-AAD/Operational\n  Source: Microsoft-Windows-AAD\n  Event ID: 1104\n  Description: \nAAD Cloud AP plugin call Get token returned error: 0xC000005F\n",
            None,
        ),
        (
            "windows/events/languagepack.evtx",
            include_bytes!("fixtures/events/Microsoft-Windows-LanguagePackSetup%4Operational.evtx"),
            None,
        ),
        (
            "cloud/rmsConfiguration.txt",
            b"FunctionalState                          : Enabled\r\nIPCv3ServiceFunctionalState              : Enabled\r\n",
            Some("cloud/rmsConfiguration.json"),
        ),
        (
            "cloud/rmsOnboardingPolicy.txt",
            b"UseRmsUserLicense SecurityGroupObjectId Scope\n----------------- --------------------- -----\n            False                       All\n",
            Some("cloud/rmsOnboardingPolicy.json"),
        ),
    ];
    let mut failures = Vec::new();
    for (path, content, stands_in_for) in forms {
        let with = |bytes: &[u8]| {
            let mut changes = vec![(path, Some(bytes.to_vec()))];
            changes.extend(stands_in_for.map(|answer| (answer, None)));
            changes
        };
        let changes = with(content);
        let changes: Vec<(&str, Option<&[u8]>)> =
            changes.iter().map(|(p, b)| (*p, b.as_deref())).collect();
        let baseline = check("healthy", &changes).await;
        assert!(
            baseline
                .checks
                .iter()
                .any(|c| files_of(c).iter().any(|f| f == path)),
            "{path}: no check says it read the file"
        );
        let readers: Vec<CheckId> = baseline
            .checks
            .iter()
            .filter(|c| files_of(c).iter().any(|f| f == path))
            .map(|c| c.id)
            .collect();
        let original = String::from_utf8_lossy(content).into_owned();
        let variants: [(&str, Vec<u8>); 3] = [
            ("empty", Vec::new()),
            ("truncated", content[..content.len() / 2].to_vec()),
            ("garbage", b"\x00\xff garbage \x1b[2J {[<".to_vec()),
        ];
        for (how, bytes) in variants {
            let changes = with(&bytes);
            let changes: Vec<(&str, Option<&[u8]>)> =
                changes.iter().map(|(p, b)| (*p, b.as_deref())).collect();
            let report = check("healthy", &changes).await;
            let case = format!("{path} {how}");
            if how == "garbage" && report.verdict == Verdict::Pass {
                failures.push(format!("{case}: turned into a pass"));
            }
            if unusable(path, how, &original, &bytes) {
                failures.extend(unusable_but_used(&case, path, &readers, &report));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A Dev Edge found by its macOS Info.plist or by the path of a Windows msedge.exe is not
/// reported as Stable (issue 19): Dev and Canary are channels Microsoft does not support for
/// production use, which the check says.
#[tokio::test]
async fn an_unsupported_channel_is_found_in_every_platforms_version_text() {
    let plist = b"<plist version=\"1.0\"><dict><key>CFBundleIdentifier</key><string>com.microsoft.edgemac.Dev</string><key>CFBundleShortVersionString</key><string>133.0.3014.0</string><key>LSMinimumSystemVersion</key><string>10.15.0</string></dict></plist>";
    let version_info = b"FileVersion      : 133.0.3014.0\r\nFileName         : C:\\Program Files (x86)\\Microsoft\\Edge Dev\\Application\\msedge.exe\r\nProductVersion   : 133.0.3014.0\r\n";
    for (form, text) in [
        ("Info.plist", &plist[..]),
        ("VersionInfo", &version_info[..]),
    ] {
        let report = check("healthy", &[("edge/version.txt", Some(text))]).await;
        let codes = report.codes(CheckId::EdgeVersion);
        assert!(
            codes.contains(&"EDGE_CHANNEL_UNSUPPORTED"),
            "{form}: {codes:?}"
        );
    }
}

/// The RMS cmdlets' PowerShell text, which is what admins have, decides as the recorded JSON
/// does (issue 19): `Get-AipServiceConfiguration | Format-List`, `Get-AipServiceIPCv3`'s one
/// word, `Get-AipService`'s one word and the onboarding policy's table; text that is none of
/// these is named and never passes.
#[tokio::test]
async fn powershell_text_of_the_rms_cmdlets_decides_as_the_json_does() {
    type Changes<'a> = Vec<(&'a str, Option<Vec<u8>>)>;
    let configuration = |ipcv3: &str, state: &str| {
        format!(
            "PS C:\\> Get-AipServiceConfiguration\r\n\r\nBPOSId                                   : 3f2a8c41-7d5e-4b9a-9c1e-2a6d8f0b4e17\r\nCertificationExtranetDistributionPointUrl: https://3f2a8c41.rms.eu.aadrm.com/_wmcs/certification\r\nTemplates                                : {{}}\r\nFunctionalState                          : {state}\r\nSuperUsersEnabled                        : Disabled\r\nProvisioningDate                         : 11.03.2019 09:12:44\r\nIPCv3ServiceFunctionalState              : {ipcv3}\r\nDevicePlatformState                      : {{Windows -> True, WindowsStore -> True, WindowsPhone -> True, Mac -> True...}}\r\n"
        )
        .into_bytes()
    };
    let onboarding = b"\nUseRmsUserLicense SecurityGroupObjectId                Scope\n----------------- ---------------------                -----\n             True c3e9a1d4-58b2-4f60-9d7e-1b4a6f2c8e05   All\n".to_vec();
    let cases: Vec<(&str, Changes)> = vec![
        (
            "ipcv3-disabled",
            vec![
                ("cloud/rmsConfiguration.json", None),
                (
                    "cloud/rmsConfiguration.txt",
                    Some(configuration("Disabled", "Enabled")),
                ),
            ],
        ),
        (
            "ipcv3-disabled",
            vec![
                ("cloud/rmsConfiguration.json", None),
                ("cloud/rmsConfiguration.txt", Some(b"Disabled\r\n".to_vec())),
            ],
        ),
        (
            "rms-scoped-out",
            vec![
                ("cloud/rmsOnboardingPolicy.json", None),
                ("cloud/rmsOnboardingPolicy.txt", Some(onboarding)),
            ],
        ),
        (
            "rms-not-activated",
            vec![
                ("cloud/rmsFunctionalState.json", None),
                ("cloud/rmsFunctionalState.txt", Some(b"Disabled\n".to_vec())),
                ("cloud/rmsConfiguration.json", None),
                (
                    "cloud/rmsConfiguration.txt",
                    Some(configuration("Disabled", "Disabled")),
                ),
            ],
        ),
    ];
    for (name, changes) in cases {
        let json = check(name, &[]).await;
        let changes: Vec<(&str, Option<&[u8]>)> =
            changes.iter().map(|(p, b)| (*p, b.as_deref())).collect();
        let text = check(name, &changes).await;
        let rms = |r: &Report| {
            r.check(CheckId::Rms)
                .map(|c| (c.status, c.codes().join(",")))
        };
        assert_eq!(rms(&text), rms(&json), "{name}: {}", said(&text));
        assert_eq!(text.verdict, json.verdict, "{name}");
    }
    let report = check(
        "healthy",
        &[
            ("cloud/rmsConfiguration.json", None),
            (
                "cloud/rmsConfiguration.txt",
                Some(b"the admin said it is probably on"),
            ),
        ],
    )
    .await;
    assert!(
        said(&report).contains("rmsConfiguration.txt"),
        "{}",
        said(&report)
    );
    assert_ne!(
        report.check(CheckId::Rms).map(|c| c.status),
        Some(Status::Pass),
        "{}",
        said(&report)
    );
}

/// Without a netsh capture, dsregcmd's own proxy sections say the same (issue 19): a user
/// behind a proxy on a machine whose WinHTTP goes direct is told Windows settings roaming
/// cannot get out.
#[tokio::test]
async fn dsregcmds_proxy_sections_stand_in_for_netsh() {
    // The healthy capture's own proxy sections: WinHTTP direct, no user proxy; the user now
    // has one.
    let dsreg = evidence("healthy", &[])
        .text("dsregcmd.txt")
        .unwrap_or_default()
        .replacen(
            "Proxy Server List : ",
            "Proxy Server List : proxy.fabrikam.com:8080",
            1,
        );
    assert!(dsreg.contains("proxy.fabrikam.com:8080") && dsreg.contains("Access Type : DIRECT"));
    let report = check(
        "healthy",
        &[
            ("dsregcmd.txt", Some(dsreg.as_bytes())),
            ("windows/winhttp-proxy.txt", None),
            ("windows/internet-settings.reg.txt", None),
        ],
    )
    .await;
    let codes = report.codes(CheckId::DeviceRegistration);
    assert!(codes.contains(&"WINHTTP_PROXY_MISSING"), "{codes:?}");
    assert!(said(&report).contains("proxy.fabrikam.com:8080"));
}

/// `Get-MgUserLicenseDetail … | Select-Object -ExpandProperty ServicePlans`, as PowerShell
/// prints the table, decides the licence as the recorded JSON does (issue 19).
#[tokio::test]
async fn powershell_service_plan_rows_decide_the_licence_as_the_json_does() {
    for name in ["healthy", "no-eligible-license"] {
        let files = evidence(name, &[]);
        let json: serde_json::Value =
            serde_json::from_str(&files.text("cloud/licenseDetails.json").unwrap_or_default())
                .unwrap_or_default();
        let mut table = String::from(
            "\r\nAppliesTo ProvisioningStatus ServicePlanId                        ServicePlanName\r\n--------- ------------------ -------------                        ---------------\r\n",
        );
        for sku in json["value"].as_array().into_iter().flatten() {
            for plan in sku["servicePlans"].as_array().into_iter().flatten() {
                let text = |key: &str| plan[key].as_str().unwrap_or_default().to_owned();
                table.push_str(&format!(
                    "{:<9} {:<18} {:<36} {}\r\n",
                    text("appliesTo"),
                    text("provisioningStatus"),
                    text("servicePlanId"),
                    text("servicePlanName")
                ));
            }
        }
        let from_json = check(name, &[]).await;
        let from_text = check(
            name,
            &[
                ("cloud/licenseDetails.json", None),
                ("cloud/licenseDetails.txt", Some(table.as_bytes())),
            ],
        )
        .await;
        let license = |r: &Report| {
            r.check(CheckId::License)
                .map(|c| (c.status, c.codes().join(",")))
        };
        assert_eq!(license(&from_text), license(&from_json), "{name}: {table}");
        assert_eq!(from_text.verdict, from_json.verdict, "{name}");
    }
}

/// `reg query` of a key that does not exist, on a German Windows (issue 19): the Edge beacon
/// says Edge is missing, and the settings-sync keys say nothing is set, as the English
/// `ERROR:` line does; neither is "not a capture".
#[tokio::test]
async fn regs_error_line_in_another_language_is_read_as_the_english_one() {
    let german =
        "FEHLER: Der angegebene Registrierungsschlüssel bzw. Wert wurde nicht gefunden.\r\n";
    let english = "ERROR: The system was unable to find the specified registry key or value.\r\n";
    for path in ["edge/version.txt", "windows/settingsync.reg.txt"] {
        let de = check("healthy", &[(path, Some(german.as_bytes()))]).await;
        let en = check("healthy", &[(path, Some(english.as_bytes()))]).await;
        let statuses = |r: &Report| {
            r.checks
                .iter()
                .map(|c| (c.id, c.status, c.codes().join(",")))
                .collect::<Vec<_>>()
        };
        assert_eq!(statuses(&de), statuses(&en), "{path}");
        assert!(!said(&de).contains("holds no"), "{path}: {}", said(&de));
    }
}

/// Binary where text belongs is named as binary: quoting it floods a ticket with escapes.
#[tokio::test]
async fn a_binary_file_is_said_to_be_binary_not_quoted() {
    let garbage: Vec<u8> = (0u8..=255).cycle().take(3000).collect();
    let report = check("healthy", &[("dsregcmd.txt", Some(&garbage[..]))]).await;
    let problem = report
        .problems
        .iter()
        .find(|p| p.message.contains("dsregcmd.txt"))
        .map(|p| p.message.clone())
        .unwrap_or_default();
    assert!(problem.contains("holds binary data, not text"), "{problem}");
    assert!(
        problem.len() < 220 && !problem.contains("\\u{"),
        "{problem}"
    );
}
