//! The real device gatherers against a temporary tree with fake commands on PATH: Linux as it
//! is, and Windows through fake `reg`, `dsregcmd` and `wevtutil` that print captured text.
//! Then `collect` → `check --from` must give the same verdicts, and `--redact` must leave none
//! of the original identifiers in the bundle.
#![cfg(unix)]

mod common;

use esr_doctor::collect::collect;
use esr_doctor::evidence::Platform;
use esr_doctor::facts::proxy::ProxySettings;
use esr_doctor::model::{CheckId, Report, Status};
use esr_doctor::network::probe::{ProbeSettings, Target};
use esr_doctor::runner::{RunOptions, run};
use esr_doctor::sources::device::DeviceContext;
use esr_doctor::sources::{LoadedSource, bundle};
use std::io::Read;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

const PERSONAL_LOCAL_STATE: &str = r#"{"profile":{"last_used":"Default","info_cache":{"Default":{"user_name":"jana.novak77@outlook.com","edge_account_type":1,"edge_account_tenant_id":"9188040d-6c67-4c5b-b112-36a304b66dad","edge_account_oid":"6b1f2e0c-93a4-4d71-8c55-0f3e2d9a7b21"}}}}"#;

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap_or(Path::new(".")))
        .unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(path, text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

fn script(dir: &Path, name: &str, body: &str) {
    let path = dir.join(name);
    write(&path, &format!("#!/bin/sh\n{body}\n"));
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))
        .unwrap_or_else(|e| panic!("{e}"));
}

fn context(root: &Path, platform: Platform) -> DeviceContext {
    DeviceContext {
        platform,
        home: root.join("home/jnovak"),
        app_data: root.join("home/jnovak/.config"),
        policy_root: root.join("etc/opt/edge/policies"),
        install_root: root.join("opt/microsoft"),
        path: Some(root.join("bin").into_os_string()),
        command_timeout: Duration::from_secs(5),
        offline: true,
    }
}

/// A Linux user with Edge 76, a SyncDisabled policy and a personal account.
fn linux_tree(root: &Path) -> DeviceContext {
    script(
        &root.join("bin"),
        "microsoft-edge",
        "echo 'Microsoft Edge 76.0.182.22'",
    );
    write(
        &root.join("etc/opt/edge/policies/managed/sync.json"),
        r#"{"SyncDisabled": true}"#,
    );
    write(
        &root.join("etc/opt/edge/policies/recommended/ui.json"),
        r#"{"ShowHomeButton": true}"#,
    );
    write(
        &root.join("home/jnovak/.config/microsoft-edge/Local State"),
        PERSONAL_LOCAL_STATE,
    );
    write(
        &root.join("home/jnovak/.config/microsoft-edge/Default/Preferences"),
        r#"{"account_info":[{"email":"jana.novak77@outlook.com","edge_account_type":1}]}"#,
    );
    context(root, Platform::Linux)
}

async fn check(source: impl Into<esr_doctor::runner::Inputs>) -> Report {
    run(source, RunOptions::default(), None).await
}

#[tokio::test]
async fn linux_device_is_read_from_its_real_places() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let report = check(LoadedSource::device(linux_tree(dir.path()))).await;
    assert_eq!(report.codes(CheckId::EdgeVersion), ["EDGE_TOO_OLD"]);
    assert!(
        report
            .codes(CheckId::EdgePolicy)
            .contains(&"POLICY_SYNC_DISABLED")
    );
    let account = report
        .check(CheckId::AccountType)
        .map(|c| c.evidence["account_kind"].clone());
    assert_eq!(account, Some("personal".into()));
    let network = report
        .check(CheckId::Network)
        .map(|c| (c.status, c.reason.clone()));
    assert_eq!(
        network,
        Some((
            Status::Skipped,
            Some("--offline: no network connection was made".into())
        ))
    );
    let device = report.check(CheckId::DeviceRegistration).map(|c| c.status);
    assert_eq!(
        device,
        Some(Status::Skipped),
        "dsregcmd does not apply on Linux"
    );
}

#[tokio::test]
async fn no_edge_at_all_is_reported_as_not_installed() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    std::fs::create_dir_all(dir.path().join("bin")).unwrap_or_else(|e| panic!("{e}"));
    let report = check(LoadedSource::device(context(dir.path(), Platform::Linux))).await;
    assert_eq!(report.codes(CheckId::EdgeVersion), ["EDGE_NOT_INSTALLED"]);
    let reason = report
        .check(CheckId::AccountType)
        .and_then(|c| c.reason.clone())
        .unwrap_or_default();
    assert!(reason.contains("no Microsoft Edge profile"), "{reason}");
}

fn comparable(report: &Report) -> Vec<(CheckId, Status, Vec<String>)> {
    report
        .checks
        .iter()
        .map(|c| {
            (
                c.id,
                c.status,
                c.findings.iter().map(|f| f.code.clone()).collect(),
            )
        })
        .collect()
}

#[tokio::test]
async fn collect_then_check_from_gives_the_same_verdicts() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let mut ctx = linux_tree(dir.path());
    // Live probes, against a refused port on loopback standing in for edge.microsoft.com.
    let refused = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .and_then(|l| l.local_addr())
        .unwrap_or_else(|e| panic!("{e}"));
    ctx.offline = false;
    let probes = ProbeSettings {
        targets: vec![Target {
            host: "edge.microsoft.com".into(),
            port: refused.port(),
            path: "/".into(),
            connect_to: Some(refused),
            via: None,
        }],
        proxy: ProxySettings::default(),
        phase_timeout: Duration::from_millis(500),
    };
    let live = check(esr_doctor::runner::Inputs {
        probes: probes.clone(),
        ..LoadedSource::device(ctx.clone()).into()
    })
    .await;
    let zip = dir.path().join("bundle.zip");
    let collected = collect(&ctx, &probes, None, &zip, false, Duration::from_secs(20))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        collected.files.contains(&"edge/version.txt".to_owned()),
        "{:?}",
        collected.files
    );
    assert!(
        collected.files.contains(&"cloud/network.json".to_owned()),
        "{:?}",
        collected.files
    );
    let from_bundle = check(bundle::load(&zip).unwrap_or_else(|e| panic!("{e}"))).await;
    assert!(
        live.codes(CheckId::Network).contains(&"NET_BLOCKED"),
        "{:?}",
        live.codes(CheckId::Network)
    );
    assert_eq!(comparable(&from_bundle), comparable(&live));
    assert_eq!(from_bundle.verdict, live.verdict);
}

fn zip_text(path: &Path) -> String {
    let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("{e}"));
    let mut archive = zip::ZipArchive::new(file).unwrap_or_else(|e| panic!("{e}"));
    let mut all = String::new();
    for index in 0..archive.len() {
        let mut entry = archive.by_index(index).unwrap_or_else(|e| panic!("{e}"));
        all.push_str(
            &entry
                .name()
                .map(std::borrow::Cow::into_owned)
                .unwrap_or_default(),
        );
        let _ = entry.read_to_string(&mut all);
    }
    all
}

#[tokio::test]
async fn redacted_bundle_holds_none_of_the_identifiers_and_still_decides() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let ctx = windows_tree(dir.path());
    let zip = dir.path().join("redacted.zip");
    collect(
        &ctx,
        &ProbeSettings::global(),
        None,
        &zip,
        true,
        Duration::from_secs(20),
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    let text = zip_text(&zip);
    for secret in [
        "maxhomeuser1",
        "26992f3d-01a1-4b80-9e61-6877d1114bad",
        "DESKTOP-TL1HME1",
        "10c4cee9-278d-4cea-8b09-4ce12c41e15b",
        "jnovak",
        "10.20.30.40",
        "00-15-5D-01-02-03",
    ] {
        assert!(!text.contains(secret), "{secret} survived redaction");
    }
    assert!(text.contains("user1@redacted.invalid") || text.contains("<id-1>"));
    let report = check(bundle::load(&zip).unwrap_or_else(|e| panic!("{e}"))).await;
    let device = report.check(CheckId::DeviceRegistration);
    assert_eq!(
        device.map(|c| c.evidence["join_type"].clone()),
        Some("entra_joined".into())
    );
    assert_eq!(
        report.codes(CheckId::EdgePolicy),
        ["POLICY_BROWSER_SIGNIN_DISABLED"],
        "registry paths survive redaction"
    );
}

/// A Windows user seen through fake `reg`, `dsregcmd` and `wevtutil` printing captured text.
fn windows_tree(root: &Path) -> DeviceContext {
    let bin = root.join("bin");
    let fixture = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/dsregcmd/aadj-empty-settingsurl-transcribed.txt");
    script(
        &bin,
        "dsregcmd",
        &format!(
            "cat '{}'\necho '    Client IP : 10.20.30.40 (MAC 00-15-5D-01-02-03)'",
            fixture.display()
        ),
    );
    script(
        &bin,
        "reg",
        r#"case "$2" in
  'HKCU\Software\Microsoft\Edge\BLBeacon') printf 'HKEY_CURRENT_USER\\Software\\Microsoft\\Edge\\BLBeacon\r\n    version    REG_SZ    131.0.2903.86\r\n' ;;
  'HKCU\Software\Microsoft\Windows\CurrentVersion\Internet Settings') printf 'HKEY_CURRENT_USER\\Software\\Microsoft\\Windows\\CurrentVersion\\Internet Settings\r\n    ProxyEnable    REG_DWORD    0x1\r\n    ProxyServer    REG_SZ    proxy.fabrikam.com:8080\r\n    AutoConfigURL    REG_SZ    http://wpad.fabrikam.com/proxy.pac\r\n' ;;
  'HKLM\SOFTWARE\Policies\Microsoft\Edge') printf 'HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Microsoft\\Edge\r\n    BrowserSignin    REG_DWORD    0x0\r\n' ;;
  *) echo 'ERROR: The system was unable to find the specified registry key or value.' >&2; exit 1 ;;
esac"#,
    );
    script(
        &bin,
        "wevtutil",
        r#"case "$2" in
  'Microsoft-Windows-SettingSync/Debug') printf "<Event><System><EventID>6065</EventID><Channel>Microsoft-Windows-SettingSync/Debug</Channel><TimeCreated SystemTime='2026-11-20T08:00:00Z'/></System><EventData><Data>0x80070533 jnovak</Data></EventData></Event>\n" ;;
  *) echo 'The specified channel could not be found.' >&2; exit 15007 ;;
esac"#,
    );
    script(
        &bin,
        "whoami",
        "echo 'fabrikam\\jnovak S-1-5-21-1-2-3-1104'; echo 'Mandatory Label\\High Mandatory Level Label S-1-16-12288'",
    );
    script(&bin, "powershell", "echo 132.0.2957.26");
    write(
        &root.join("Program Files (x86)/Microsoft/Edge Beta/Application/msedge.exe"),
        "MZ",
    );
    write(
        &root.join("home/jnovak/.config/Microsoft/Edge/User Data/Local State"),
        PERSONAL_LOCAL_STATE,
    );
    let mut ctx = context(root, Platform::Windows);
    ctx.app_data = root.join("home/jnovak/.config");
    ctx.install_root = root.join("Program Files (x86)");
    ctx
}

#[tokio::test]
async fn windows_gatherers_read_captured_command_output() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let report = check(LoadedSource::device(windows_tree(dir.path()))).await;
    let version = report
        .check(CheckId::EdgeVersion)
        .map(|c| (c.status, c.evidence["version"].clone()));
    assert_eq!(
        version,
        Some((Status::Pass, "131.0.2903.86".into())),
        "Stable from the registry wins"
    );
    let installs = report
        .check(CheckId::EdgeVersion)
        .map(|c| c.evidence["installs"].to_string())
        .unwrap_or_default();
    assert!(
        installs.contains(r#"{"version":"132.0.2957.26","channel":"beta"}"#),
        "msedge.exe file version: {installs}"
    );
    assert_eq!(
        report.codes(CheckId::EdgePolicy),
        ["POLICY_BROWSER_SIGNIN_DISABLED"]
    );
    // No netsh capture here: dsregcmd's own WinHTTP section (DIRECT) beside the user's proxy
    // from Internet Settings is the roaming-proxy warning.
    assert_eq!(
        report.codes(CheckId::DeviceRegistration),
        [
            "SETTINGS_URL_EMPTY",
            "DSREG_ELEVATED_CONTEXT",
            "WINHTTP_PROXY_MISSING"
        ]
    );
    assert_eq!(
        report
            .check(CheckId::AccountType)
            .map(|c| c.evidence["account_kind"].clone()),
        Some("personal".into())
    );
    // sync_health is blocked by the account and policy failures, so read the events directly.
    let (facts, _) = esr_doctor::runner::gather::gather(
        esr_doctor::evidence::FactSource::EventLog,
        &LoadedSource::device(windows_tree(dir.path())),
    );
    let esr_doctor::facts::FactUpdate::EventLog(esr_doctor::facts::Gathered::Found(log)) = facts
    else {
        panic!("event logs not gathered");
    };
    assert_eq!(
        log.matched_signatures().first().map(|(s, _)| s.code),
        Some("EVENT_6065_ACCOUNT_DISABLED")
    );
}

#[test]
fn windows_probes_use_the_users_wininet_proxy() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let settings =
        esr_doctor::runner::probe_settings(&windows_tree(dir.path()), &ProbeSettings::global());
    assert_eq!(
        settings.proxy.proxy.map(|p| (p.host, p.port)),
        Some(("proxy.fabrikam.com".to_owned(), 8080))
    );
    assert_eq!(
        settings.proxy.pac_url.as_deref(),
        Some("http://wpad.fabrikam.com/proxy.pac")
    );
}

#[test]
fn windows_probes_test_the_hosts_of_the_cloud_the_device_is_joined_in() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let hosts = |ctx: &DeviceContext| -> Vec<String> {
        esr_doctor::runner::probe_settings(ctx, &ProbeSettings::global())
            .targets
            .into_iter()
            .map(|t| t.host)
            .collect()
    };
    let ctx = windows_tree(dir.path());
    // No TenantInfo key (the fake reg has none): the global cloud's hosts.
    assert!(hosts(&ctx).contains(&"edge.microsoft.com".to_owned()));
    // A GCC High device: its tenant's AuthCodeUrl is on the US Government login host.
    script(
        &dir.path().join("bin"),
        "reg",
        r#"case "$2" in
  'HKLM\SYSTEM\CurrentControlSet\Control\CloudDomainJoin\TenantInfo') printf 'HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Control\\CloudDomainJoin\\TenantInfo\\7c1f0e2a-1111-4222-8333-944455556666\r\n    DisplayName    REG_SZ    Fabrikam Federal\r\n    AuthCodeUrl    REG_SZ    https://login.microsoftonline.us/7c1f0e2a-1111-4222-8333-944455556666/oauth2/authorize\r\n' ;;
  *) echo 'ERROR: The system was unable to find the specified registry key or value.' >&2; exit 1 ;;
esac"#,
    );
    assert_eq!(hosts(&ctx), ["api.aadrm.us", "login.microsoftonline.us"]);
}

#[test]
fn sign_in_is_probed_through_the_machines_winhttp_proxy_too() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let ctx = windows_tree(dir.path());
    script(
        &dir.path().join("bin"),
        "netsh",
        "printf 'Current WinHTTP proxy settings:\\r\\n\\r\\n    Proxy Server(s) :  old-proxy.fabrikam.com:3128\\r\\n    Bypass List     :  <local>\\r\\n'",
    );
    let settings = esr_doctor::runner::probe_settings(&ctx, &ProbeSettings::global());
    let through_winhttp: Vec<(String, Option<String>)> = settings
        .targets
        .iter()
        .filter_map(|t| {
            let via = t.via.as_ref()?;
            Some((t.host.clone(), via.proxy.as_ref().map(ToString::to_string)))
        })
        .collect();
    assert_eq!(
        through_winhttp,
        [(
            "login.microsoftonline.com".to_owned(),
            Some("old-proxy.fabrikam.com:3128".to_owned())
        )]
    );
}

/// A Mac with Edge Beta only, its profile, and a managed preferences plist read through a fake
/// `plutil` (every Mac has the real one).
#[tokio::test]
async fn macos_gatherers_read_info_plist_profiles_and_managed_preferences() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let root = dir.path();
    let mut ctx = context(root, Platform::Macos);
    ctx.install_root = root.join("Applications");
    ctx.app_data = root.join("home/jnovak/Library/Application Support");
    ctx.policy_root = root.join("Library/Managed Preferences");
    write(
        &ctx.install_root
            .join("Microsoft Edge Beta.app/Contents/Info.plist"),
        "<plist><dict><key>LSMinimumSystemVersion</key><string>10.15.0</string><key>CFBundleShortVersionString</key><string>80.0.361.48</string></dict></plist>",
    );
    write(
        &ctx.app_data.join("Microsoft Edge Beta/Local State"),
        PERSONAL_LOCAL_STATE,
    );
    write(
        &ctx.policy_root.join("com.microsoft.Edge.plist"),
        "bplist00",
    );
    script(
        &root.join("bin"),
        "plutil",
        "echo '{\"SyncTypesListDisabled\": [\"passwords\"]}'",
    );
    let report = check(LoadedSource::device(ctx)).await;
    let version = report
        .check(CheckId::EdgeVersion)
        .map(|c| (c.evidence["version"].clone(), c.evidence["channel"].clone()));
    assert_eq!(version, Some(("80.0.361.48".into(), "beta".into())));
    assert_eq!(
        report.codes(CheckId::EdgeVersion),
        [
            "EDGE_NO_TABS_HISTORY_SYNC",
            "EDGE_BELOW_TROUBLESHOOTING_MINIMUM"
        ]
    );
    assert_eq!(
        report.codes(CheckId::EdgePolicy),
        ["POLICY_SYNC_TYPES_LIMITED"]
    );
    assert_eq!(report.codes(CheckId::AccountType), ["ACCOUNT_PERSONAL_MSA"]);
}

/// How a device file is replaced by something that must neither block nor be read for ever.
#[derive(Debug, Clone, Copy)]
enum Stuck {
    Fifo,
    DevZero,
}

fn make_stuck(path: &Path, how: Stuck) {
    let _ = std::fs::remove_file(path);
    match how {
        Stuck::Fifo => {
            let made = std::process::Command::new("mkfifo").arg(path).status();
            assert!(made.is_ok_and(|s| s.success()), "mkfifo {}", path.display());
        }
        Stuck::DevZero => {
            std::os::unix::fs::symlink("/dev/zero", path).unwrap_or_else(|e| panic!("{e}"));
        }
    }
}

/// Every file the Linux gatherer reads, relative to the tree, with its bundle path.
const LINUX_DEVICE_FILES: [(&str, &str); 3] = [
    (
        "home/jnovak/.config/microsoft-edge/Local State",
        "edge/Local State",
    ),
    (
        "home/jnovak/.config/microsoft-edge/Default/Preferences",
        "edge/Default/Preferences",
    ),
    (
        "etc/opt/edge/policies/managed/sync.json",
        "edge/policies.json",
    ),
];

/// The run's deadline for one source, and the grace the issue allows on top.
const DEADLINE: Duration = Duration::from_secs(20);
const GRACE: Duration = Duration::from_secs(2);

#[tokio::test]
async fn a_fifo_or_dev_zero_in_place_of_any_device_file_ends_the_run_and_is_named() {
    for (file, bundle_path) in LINUX_DEVICE_FILES {
        for how in [Stuck::Fifo, Stuck::DevZero] {
            let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
            let ctx = linux_tree(dir.path());
            make_stuck(&dir.path().join(file), how);
            let case = format!("{file} as {how:?}");

            let run = check(LoadedSource::device(ctx.clone()));
            let report = tokio::time::timeout(DEADLINE + GRACE, run)
                .await
                .unwrap_or_else(|_| panic!("{case}: check did not end"));
            let problems: Vec<String> = report.problems.iter().map(|p| p.message.clone()).collect();
            assert!(
                problems
                    .iter()
                    .any(|m| m.contains(bundle_path) && m.contains("not a regular file")),
                "{case}: the report names the file: {problems:?}"
            );

            let zip = dir.path().join("bundle.zip");
            let collected = tokio::time::timeout(
                DEADLINE + GRACE,
                collect(&ctx, &ProbeSettings::global(), None, &zip, false, DEADLINE),
            )
            .await
            .unwrap_or_else(|_| panic!("{case}: collect did not end"))
            .unwrap_or_else(|e| panic!("{case}: {e}"));
            assert!(
                collected.errors.iter().any(|e| e.contains(file)),
                "{case}: collect names the file: {:?}",
                collected.errors
            );
            let from_bundle = check(bundle::load(&zip).unwrap_or_else(|e| panic!("{e}"))).await;
            assert!(
                from_bundle
                    .problems
                    .iter()
                    .any(|p| p.message.contains(bundle_path)),
                "{case}: the refusal travels in the bundle: {:?}",
                from_bundle.problems
            );
        }
    }
}

#[tokio::test]
async fn a_command_that_never_ends_or_never_stops_printing_is_given_up() {
    for (name, body) in [("hangs", "sleep 600"), ("floods", "cat /dev/zero")] {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let mut ctx = linux_tree(dir.path());
        script(&dir.path().join("bin"), "microsoft-edge", body);
        ctx.command_timeout = Duration::from_secs(2);
        let report = tokio::time::timeout(DEADLINE + GRACE, check(LoadedSource::device(ctx)))
            .await
            .unwrap_or_else(|_| panic!("{name}: check did not end"));
        let version = report.check(CheckId::EdgeVersion).map(|c| c.status);
        assert_ne!(version, Some(Status::Pass), "{name}");
    }
}

/// The real binary on this device, with its home in `root` and only `root/bin` on the PATH.
fn binary_on(root: &Path) -> assert_cmd::Command {
    let mut command =
        assert_cmd::Command::cargo_bin("esr-doctor").unwrap_or_else(|e| panic!("{e}"));
    command
        .env("HOME", root.join("home/jnovak"))
        .env("XDG_CONFIG_HOME", root.join("home/jnovak/.config"))
        .env("XDG_STATE_HOME", root.join("state"))
        .env("PATH", root.join("bin"))
        .timeout(DEADLINE + GRACE);
    command
}

#[test]
fn the_binary_exits_after_its_report_when_a_device_file_is_a_fifo() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    linux_tree(dir.path());
    make_stuck(&dir.path().join(LINUX_DEVICE_FILES[1].0), Stuck::Fifo);
    let output = binary_on(dir.path())
        .args(["check", "--offline", "--format", "json"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.code().is_some(),
        "the run was killed at its deadline: {stdout}"
    );
    assert!(stdout.contains("edge/Default/Preferences"), "{stdout}");

    let zip = dir.path().join("out.zip");
    let zip_arg = zip.display().to_string();
    let collected = binary_on(dir.path())
        .args(["collect", "--offline", "--out", &zip_arg])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(collected.status.code(), Some(0), "{collected:?}");
    assert!(zip_text(&zip).contains("Preferences"));
}

#[test]
fn from_a_fifo_is_a_clear_error_not_a_hang() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let fifo = dir.path().join("bundle.zip");
    make_stuck(&fifo, Stuck::Fifo);
    let fifo_arg = fifo.display().to_string();
    let output = binary_on(dir.path())
        .args(["check", "--from", &fifo_arg])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(&fifo_arg) && stderr.contains("FIFO"),
        "{stderr}"
    );
}

#[tokio::test]
async fn gathering_errors_on_the_device_reach_the_report() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    std::fs::create_dir_all(dir.path().join("bin")).unwrap_or_else(|e| panic!("{e}"));
    let report = check(LoadedSource::device(context(dir.path(), Platform::Windows))).await;
    assert!(
        report
            .problems
            .iter()
            .any(|p| p.message.contains("dsregcmd: command not found")),
        "{:#?}",
        report.problems
    );
}

#[tokio::test]
async fn collect_runs_dsregcmd_once_and_looks_the_device_object_up_by_its_id() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let mut ctx = windows_tree(dir.path());
    ctx.offline = true;
    let runs = dir.path().join("dsregcmd-runs");
    let fixture = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/dsregcmd/aadj-empty-settingsurl-transcribed.txt");
    script(
        &dir.path().join("bin"),
        "dsregcmd",
        &format!(
            "echo run >> '{}'\ncat '{}'",
            runs.display(),
            fixture.display()
        ),
    );
    let source = common::scenario_source("healthy");
    let emulator = common::emulator_for(&source).await;
    let session = common::session(common::fast_config(&emulator), &common::Events::default());
    let zip = dir.path().join("bundle.zip");
    let collected = collect(
        &ctx,
        &ProbeSettings::global(),
        Some(&session),
        &zip,
        false,
        Duration::from_secs(20),
    )
    .await;
    assert!(
        collected.is_ok(),
        "{:?}",
        collected.err().map(|e| e.to_string())
    );
    let ran = std::fs::read_to_string(&runs).unwrap_or_default();
    assert_eq!(
        ran.lines().count(),
        1,
        "dsregcmd ran {} times",
        ran.lines().count()
    );
    // Graph is asked for the device object only with a DeviceId in hand.
    let looked_up = emulator
        .log()
        .iter()
        .any(|e| e.endpoint == "graph /devices");
    let recorded = collected.is_ok_and(|c| c.files.iter().any(|f| f == "cloud/devices.json"));
    assert!(
        looked_up && recorded,
        "the device object is read by the DeviceId dsregcmd named"
    );
}
