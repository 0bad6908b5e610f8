//! Windows: Edge versions from the registry (BLBeacon per channel, EdgeUpdate `Clients`
//! including WOW6432Node and per-user installs), profiles under `%LOCALAPPDATA%`, policies from
//! HKLM and HKCU (mandatory and Recommended), `dsregcmd /status` in the user's context, and the
//! SettingSync, SettingSync-Azure, AAD and CloudStore event logs. All through documented
//! commands (`reg`, `dsregcmd`, `wevtutil`), so the same text parsers read a live device and a
//! bundle, and tests feed captured text through fake commands.

use super::{DeviceContext, Gathering, copy_user_data, first_user_data};
use crate::evidence::FactSource;
use crate::evidence::layout;

/// Registry keys whose values name Edge versions (the parser skips the WebView2 runtime).
const VERSION_KEYS: [&str; 7] = [
    r"HKCU\Software\Microsoft\Edge\BLBeacon",
    r"HKCU\Software\Microsoft\Edge Beta\BLBeacon",
    r"HKCU\Software\Microsoft\Edge Dev\BLBeacon",
    r"HKCU\Software\Microsoft\Edge SxS\BLBeacon",
    r"HKLM\SOFTWARE\WOW6432Node\Microsoft\EdgeUpdate\Clients",
    r"HKLM\SOFTWARE\Microsoft\EdgeUpdate\Clients",
    r"HKCU\SOFTWARE\Microsoft\EdgeUpdate\Clients",
];

/// The user's "Sync your settings" switch, the Group Policy and the MDM policy for it.
const SETTING_SYNC_KEYS: [&str; 3] = [
    r"HKCU\Software\Microsoft\Windows\CurrentVersion\SettingSync",
    r"HKLM\SOFTWARE\Policies\Microsoft\Windows\SettingSync",
    r"HKLM\SOFTWARE\Microsoft\PolicyManager\current\device\Experience",
];

const INTERNET_SETTINGS: &str = r"HKCU\Software\Microsoft\Windows\CurrentVersion\Internet Settings";

const POLICY_KEYS: [&str; 2] = [
    r"HKLM\SOFTWARE\Policies\Microsoft\Edge",
    r"HKCU\SOFTWARE\Policies\Microsoft\Edge",
];

/// (channel log, file in the bundle), per Microsoft's ESR troubleshooting articles.
const EVENT_LOGS: [(&str, &str); 5] = [
    (
        "Microsoft-Windows-SettingSync/Operational",
        "windows/events/settingsync.xml",
    ),
    (
        "Microsoft-Windows-SettingSync/Debug",
        "windows/events/settingsync-debug.xml",
    ),
    (
        "Microsoft-Windows-SettingSync-Azure/Operational",
        "windows/events/settingsync-azure.xml",
    ),
    (
        "Microsoft-Windows-AAD/Operational",
        "windows/events/aad.xml",
    ),
    (
        "Microsoft-Windows-CloudStore/Operational",
        "windows/events/cloudstore.xml",
    ),
];

/// The newest events read per log (bounded: logs can hold tens of thousands).
const EVENTS_PER_LOG: &str = "/c:200";

pub fn gather(ctx: &DeviceContext, source: FactSource, gathering: &mut Gathering) {
    match source {
        FactSource::EdgeVersion => {
            reg_queries(ctx, &VERSION_KEYS, layout::EDGE_VERSION, gathering);
            file_versions(ctx, gathering);
        }
        FactSource::EdgePolicy => {
            reg_queries(ctx, &POLICY_KEYS, layout::EDGE_POLICIES_REG, gathering);
        }
        FactSource::EdgeProfile => {
            let dirs: Vec<_> = ["Edge", "Edge Beta", "Edge Dev", "Edge SxS"]
                .iter()
                .map(|channel| {
                    ctx.app_data
                        .join("Microsoft")
                        .join(channel)
                        .join("User Data")
                })
                .collect();
            if let Some(dir) = first_user_data(&dirs) {
                copy_user_data(dir, gathering);
            }
        }
        FactSource::Dsregcmd => {
            gathering.capture(ctx, layout::DSREGCMD, "dsregcmd", &["/status"]);
        }
        FactSource::WindowsState => {
            reg_queries(ctx, &SETTING_SYNC_KEYS, layout::SETTING_SYNC_REG, gathering);
            gathering.capture(ctx, layout::WHOAMI, "whoami", &["/user", "/groups"]);
            // Background sync services use WinHTTP's proxy, Edge the user's WinINet one.
            gathering.capture(
                ctx,
                layout::WINHTTP_PROXY,
                "netsh",
                &["winhttp", "show", "proxy"],
            );
            if let Ok(output) = super::run(ctx, "reg", &["query", INTERNET_SETTINGS]) {
                gathering.add(layout::INTERNET_SETTINGS_REG, output.stdout);
            }
        }
        FactSource::EventLog => {
            for (log, file) in EVENT_LOGS {
                match super::run(
                    ctx,
                    "wevtutil",
                    &["qe", log, EVENTS_PER_LOG, "/rd:true", "/f:xml"],
                ) {
                    Ok(output) if output.status == Some(0) => gathering.add(file, output.stdout),
                    // A disabled or missing channel is normal (Debug logs are off by default).
                    Ok(output) => gathering.errors.push(format!(
                        "wevtutil qe {log}: {}",
                        String::from_utf8_lossy(&output.stderr).trim()
                    )),
                    Err(e) => gathering.errors.push(e.to_string()),
                }
            }
        }
        _ => {}
    }
}

/// Appends each installed `msedge.exe`'s file version (the most reliable value: the registry
/// beacon is only written when Edge starts) to `edge/version.txt`, one line per channel.
fn file_versions(ctx: &DeviceContext, gathering: &mut Gathering) {
    let system = ["Edge", "Edge Beta", "Edge Dev"].map(|channel| {
        ctx.install_root
            .join("Microsoft")
            .join(channel)
            .join("Application")
            .join("msedge.exe")
    });
    let canary = ctx
        .app_data
        .join("Microsoft")
        .join("Edge SxS")
        .join("Application")
        .join("msedge.exe");
    let mut lines = String::new();
    for exe in system
        .iter()
        .chain(std::iter::once(&canary))
        .filter(|p| p.is_file())
    {
        let script = format!(
            "(Get-Item -LiteralPath '{}').VersionInfo.FileVersion",
            exe.display()
        );
        match super::run(
            ctx,
            "powershell",
            &["-NoProfile", "-NonInteractive", "-Command", &script],
        ) {
            Ok(output) => lines.push_str(&format!(
                "{}: {}\n",
                exe.display(),
                String::from_utf8_lossy(&output.stdout).trim()
            )),
            Err(e) => gathering.errors.push(e.to_string()),
        }
    }
    if lines.is_empty() {
        return;
    }
    let mut text = gathering
        .files
        .text(layout::EDGE_VERSION)
        .unwrap_or_default();
    if text.contains("unable to find") {
        text.clear(); // the registry knew nothing, the files do
    }
    text.push_str(&lines);
    gathering.add(layout::EDGE_VERSION, text.into_bytes());
}

/// Where Windows keeps the joined tenant's sign-in URLs (`AuthCodeUrl`, `AccessTokenUrl`:
/// Microsoft's "AzureAdPrt is NO" troubleshooting article names this key).
const TENANT_INFO: &str = r"HKLM\SYSTEM\CurrentControlSet\Control\CloudDomainJoin\TenantInfo";

/// The cloud the device is joined in, from its tenant's `AuthCodeUrl` (a quick registry read,
/// not `dsregcmd`): the network probes test that cloud's hosts.
pub fn joined_cloud(ctx: &DeviceContext) -> Option<crate::evidence::Cloud> {
    let output = super::run(ctx, "reg", &["query", TENANT_INFO, "/s"]).ok()?;
    let values = crate::facts::registry::parse(&crate::evidence::text::decode(&output.stdout));
    values
        .iter()
        .filter(|v| v.name.eq_ignore_ascii_case("AuthCodeUrl"))
        .find_map(|v| {
            v.value
                .as_str()
                .and_then(crate::facts::reach::cloud_of_login_url)
        })
}

/// The machine's WinHTTP proxy, when `netsh winhttp show proxy` names one.
pub fn winhttp_proxy(ctx: &DeviceContext) -> Option<crate::facts::proxy::ProxySettings> {
    use crate::facts::windows_state::{WinHttpProxy, parse_winhttp, parse_winhttp_bypass};
    let output = super::run(ctx, "netsh", &["winhttp", "show", "proxy"]).ok()?;
    let text = crate::evidence::text::decode(&output.stdout);
    let Some(WinHttpProxy::Proxy(server)) = parse_winhttp(&text) else {
        return None;
    };
    let bypass = parse_winhttp_bypass(&text);
    let settings = crate::facts::proxy::from_winhttp(&server, bypass.as_deref());
    settings.proxy.is_some().then_some(settings)
}

/// The user's WinINet proxy, when one (or a PAC script) is configured.
pub fn wininet_proxy(ctx: &DeviceContext) -> Option<crate::facts::proxy::ProxySettings> {
    let output = super::run(ctx, "reg", &["query", INTERNET_SETTINGS]).ok()?;
    let settings =
        crate::facts::proxy::from_wininet(&crate::evidence::text::decode(&output.stdout));
    (settings.proxy.is_some() || settings.pac_url.is_some()).then_some(settings)
}

/// `reg query KEY /s` for each key, concatenated into `to`; keys that do not exist are left
/// out, and no key at all leaves the registry's own "unable to find" answer.
fn reg_queries(ctx: &DeviceContext, keys: &[&str], to: &str, gathering: &mut Gathering) {
    let mut text = String::new();
    for key in keys {
        match super::run(ctx, "reg", &["query", key, "/s"]) {
            Ok(output) if output.status == Some(0) => {
                text.push_str(&crate::evidence::text::decode(&output.stdout));
            }
            Ok(_) => {} // "ERROR: The system was unable to find the specified registry key"
            Err(e) => gathering.errors.push(e.to_string()),
        }
    }
    if text.is_empty() {
        text = "ERROR: The system was unable to find the specified registry key or value.\n".into();
    }
    gathering.add(to, text.into_bytes());
}
