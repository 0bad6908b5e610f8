//! Reading each fact source out of evidence files in the bundle layout.
//!
//! The readers are pure over `EvidenceFiles`: a missing file is `Missing` with the source's
//! reason, a broken one `Unreadable` with a message that names the file and the fault. On this
//! device, `gather` first runs the source's commands and reads its files (`sources::device`),
//! and `device_identity` / `device_id` may run dsregcmd to learn whose device it is.

use crate::cloud::live::{CloudAnswers, DeviceTenant};
use crate::evidence::layout;
use crate::evidence::{EvidenceFiles, FactSource, Platform};
use crate::facts::reach;
use crate::facts::tenant::{AnswerError, esr, graph, openid, powershell, rms};
use crate::facts::*;
use crate::i18n::fill;
use crate::model::SkipKind;
use crate::reasons;
use crate::sources::LoadedSource;
use std::collections::BTreeMap;
use std::sync::Arc;

/// No failed live calls: recorded answers only.
static NO_FAILURES: BTreeMap<String, AnswerError> = BTreeMap::new();

/// Gathers one fact source: from the loaded files, or live from this device; with what went
/// wrong while gathering on the device (a command not found, a file refused).
pub fn gather(source: FactSource, loaded: &LoadedSource) -> (FactUpdate, Vec<String>) {
    match &loaded.device {
        Some(ctx) => {
            let live = crate::sources::device::gather(ctx, source);
            let missing = live.missing.as_deref().unwrap_or(loaded.missing_reason);
            (
                read_facts(source, loaded, &live.files, missing),
                live.errors,
            )
        }
        None => (
            read_facts(source, loaded, &loaded.files, loaded.missing_reason),
            Vec::new(),
        ),
    }
}

/// The facts of `source` read from `files`, or why they cannot be.
fn read_facts(
    source: FactSource,
    loaded: &LoadedSource,
    files: &EvidenceFiles,
    missing_reason: &str,
) -> FactUpdate {
    if let Some(reason) = unusable(files, source) {
        return FactUpdate::unreadable(source, reason);
    }
    let missing = || missing_reason.to_owned();
    match source {
        FactSource::EdgeVersion => FactUpdate::EdgeVersion(edge_versions(files, missing())),
        FactSource::EdgeProfile => FactUpdate::EdgeProfile(edge_profiles(files, missing())),
        FactSource::EdgePolicy => FactUpdate::EdgePolicy(edge_policies(files, missing())),
        FactSource::SyncInternals => FactUpdate::SyncInternals(sync_dump(files, missing())),
        FactSource::EventLog => FactUpdate::EventLog(events(files, loaded.platform, missing())),
        FactSource::Dsregcmd => FactUpdate::Dsregcmd(dsreg(files, loaded.platform, missing())),
        FactSource::WindowsState => {
            FactUpdate::WindowsState(windows(files, loaded.platform, missing()))
        }
        FactSource::Graph => {
            FactUpdate::Graph(Box::new(graph_facts(Answers::recorded(files), missing())))
        }
        FactSource::Esr => FactUpdate::Esr(esr_facts(Answers::recorded(files), missing())),
        FactSource::Rms => {
            FactUpdate::Rms(Box::new(rms_facts(Answers::recorded(files), missing())))
        }
        FactSource::Network => FactUpdate::Network(match &loaded.device {
            Some(ctx) if ctx.offline => {
                Gathered::Missing("--offline: no network connection was made".into())
            }
            _ => network(files, missing()),
        }),
    }
}

/// Files of `source` that exist but cannot be used (refused when read, empty, or not the
/// capture they should be), as one sentence naming each. A source with one of its files
/// unusable is unusable as a whole: what was read may look healthy only because the telling
/// part is missing.
fn unusable(files: &EvidenceFiles, source: FactSource) -> Option<String> {
    let refused = files
        .refused()
        .filter(|(path, _)| layout::source_of(path) == Some(source))
        .map(|(path, reason)| fill(reasons::FILE_NOT_READ, &[path, reason]));
    let not_captures = files
        .paths()
        .filter(|path| layout::source_of(path) == Some(source))
        .filter_map(|path| not_a_capture(path, &files.text(path).unwrap_or_default()));
    let named: Vec<String> = refused.chain(not_captures).collect();
    (!named.is_empty()).then(|| named.join("; "))
}

/// Why a text capture is not what its path says it is, for the captures whose parsers accept
/// anything (so that garbage would otherwise read as "nothing set").
fn not_a_capture(path: &str, text: &str) -> Option<String> {
    let trimmed = text.trim();
    // An empty wevtutil capture is a channel with no events.
    if trimmed.is_empty() && !path.starts_with("windows/events/") {
        return Some(fill(reasons::FILE_EMPTY, &[path]));
    }
    let registry = path.ends_with(".reg.txt");
    let fault = match path {
        _ if registry && !trimmed.contains("HKEY_") && !registry::is_reg_error(trimmed) => {
            "holds no registry key: it is not `reg query` output or a regedit export"
        }
        layout::WHOAMI if !trimmed.contains("S-1-") => {
            "holds no SID: it is not `whoami /user /groups` output"
        }
        layout::WINHTTP_PROXY if windows_state::parse_winhttp(text).is_none() => {
            "has neither a WinHTTP heading nor a proxy line: it is not `netsh winhttp show proxy` output"
        }
        layout::EDGE_VERSION
            if edge_install::parse(text).installs.is_empty() && !says_not_found(trimmed) =>
        {
            "holds no Edge version, and does not say Edge is missing either"
        }
        _ => return None,
    };
    let start = crate::evidence::text::how_it_starts(trimmed, 160);
    Some(format!("`{path}` {fault} (it {start})"))
}

/// True when a capture says, in the words of `reg`, a shell or a gatherer, that Edge is absent.
fn says_not_found(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    registry::is_reg_error(text)
        || ["not found", "unable to find", "cannot find", "no such file"]
            .iter()
            .any(|words| lower.contains(words))
}

fn one_file<T, E: ToString>(
    files: &EvidenceFiles,
    path: &str,
    missing: String,
    parse: impl Fn(&str, &str) -> Result<T, E>,
) -> Gathered<T> {
    match files.text(path) {
        None => Gathered::Missing(missing),
        Some(text) => match parse(path, &text) {
            Ok(value) => Gathered::Found(value),
            Err(e) => Gathered::Unreadable(e.to_string()),
        },
    }
}

fn edge_versions(files: &EvidenceFiles, missing: String) -> Gathered<edge_install::EdgeVersions> {
    match files.text(layout::EDGE_VERSION) {
        None => Gathered::Missing(missing),
        Some(text) => Gathered::Found(edge_install::parse(&text)),
    }
}

/// `edge/Local State` plus every `edge/<Profile>/Preferences`.
fn edge_profiles(files: &EvidenceFiles, missing: String) -> Gathered<edge_profile::EdgeProfiles> {
    let local_state = files.text(layout::EDGE_LOCAL_STATE);
    let preferences: Vec<(String, String)> = files
        .under("edge")
        .filter_map(|path| {
            let dir = path.strip_prefix("edge/")?.strip_suffix("/Preferences")?;
            Some((dir.to_owned(), files.text(path)?))
        })
        .collect();
    if local_state.is_none() && preferences.is_empty() {
        return Gathered::Missing(missing);
    }
    match edge_profile::parse(local_state.as_deref(), &preferences) {
        Ok(profiles) => Gathered::Found(profiles),
        Err(e) => Gathered::Unreadable(e.to_string()),
    }
}

/// `edge/policies.json` and/or `edge/policies.reg.txt`, merged.
fn edge_policies(files: &EvidenceFiles, missing: String) -> Gathered<edge_policy::EdgePolicies> {
    let json = files.text(layout::EDGE_POLICIES_JSON);
    let reg = files.text(layout::EDGE_POLICIES_REG);
    if json.is_none() && reg.is_none() {
        return Gathered::Missing(missing);
    }
    let mut policies = edge_policy::EdgePolicies::default();
    if let Some(text) = json {
        match edge_policy::parse_json(
            layout::EDGE_POLICIES_JSON,
            &text,
            edge_policy::PolicyLevel::Mandatory,
        ) {
            Ok(found) => policies.merge(found),
            Err(e) => return Gathered::Unreadable(e.to_string()),
        }
    }
    if let Some(text) = reg {
        policies.merge(edge_policy::parse_reg(&text));
    }
    Gathered::Found(policies)
}

fn sync_dump(files: &EvidenceFiles, missing: String) -> Gathered<sync_internals::SyncInternals> {
    one_file(files, layout::SYNC_INTERNALS, missing, |_, text| {
        sync_internals::parse(text)
    })
}

fn events(
    files: &EvidenceFiles,
    platform: Platform,
    missing: String,
) -> Gathered<event_log::EventLog> {
    let paths: Vec<&str> = files.under("windows/events").collect();
    if paths.is_empty() {
        return not_on_this_platform(platform, "Windows event logs", missing);
    }
    let mut log = event_log::EventLog::default();
    for path in &paths {
        match event_export::read(path, files.bytes(path).unwrap_or_default()) {
            Ok(found) => log.events.extend(found.events),
            Err(e) => log.unreadable.push(e.to_string()),
        }
    }
    // Each export that cannot be read is named; only when none can is the whole log unusable.
    if log.unreadable.len() == paths.len() {
        return Gathered::Unreadable(log.unreadable.join("; "));
    }
    Gathered::Found(log)
}

fn dsreg(
    files: &EvidenceFiles,
    platform: Platform,
    missing: String,
) -> Gathered<dsregcmd::DsregStatus> {
    let Some(text) = files.text(layout::DSREGCMD) else {
        return not_on_this_platform(platform, "dsregcmd", missing);
    };
    let status = dsregcmd::parse(&text);
    if status.is_recognised() {
        Gathered::Found(status)
    } else {
        let shown = crate::evidence::text::how_it_starts(&text, 60);
        Gathered::Unreadable(format!(
            "dsregcmd.txt holds no `dsregcmd /status` output (it {shown}); capture it with `dsregcmd /status > dsregcmd.txt` in the user's own, non-elevated session"
        ))
    }
}

/// `windows/settingsync.reg.txt` and `windows/whoami.txt`.
fn windows(
    files: &EvidenceFiles,
    platform: Platform,
    missing: String,
) -> Gathered<windows_state::WindowsState> {
    let state = windows_state::WindowsState {
        setting_sync: files
            .text(layout::SETTING_SYNC_REG)
            .map(|t| windows_state::parse_setting_sync(&t)),
        context: files
            .text(layout::WHOAMI)
            .map(|t| windows_state::parse_whoami(&t)),
        winhttp: files
            .text(layout::WINHTTP_PROXY)
            .and_then(|t| windows_state::parse_winhttp(&t)),
        user_proxy: files
            .text(layout::INTERNET_SETTINGS_REG)
            .and_then(|t| windows_state::parse_user_proxy(&t)),
    };
    if state == windows_state::WindowsState::default() {
        not_on_this_platform(platform, "Windows settings sync", missing)
    } else {
        Gathered::Found(state)
    }
}

fn not_on_this_platform<T>(platform: Platform, what: &str, missing: String) -> Gathered<T> {
    match platform {
        Platform::Linux | Platform::Macos => {
            Gathered::NotApplicable(fill(reasons::ONLY_ON_WINDOWS, &[what, platform.as_str()]))
        }
        _ => Gathered::Missing(missing),
    }
}

/// Whose device the evidence describes, read before a tenant sign-in: the work account of its
/// Edge profile (whose licences and groups are read when someone else signs in) and the tenant
/// that account, or else the device's join, belongs to (signed in to, and held against the
/// tenant signed in to).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DeviceIdentity {
    pub account: Option<String>,
    pub tenant: Option<DeviceTenant>,
}

pub fn device_identity(loaded: &LoadedSource) -> DeviceIdentity {
    let profile = match gather(FactSource::EdgeProfile, loaded).0 {
        FactUpdate::EdgeProfile(Gathered::Found(profiles)) => profiles
            .active()
            .filter(|p| p.kind == edge_profile::AccountKind::WorkOrSchool)
            .cloned(),
        _ => None,
    };
    let account = profile
        .as_ref()
        .and_then(|p| p.user_name.clone())
        .filter(|name| name.contains('@'));
    let profile_tenant = profile
        .and_then(|p| p.tenant_id)
        .and_then(|id| openid::tenant_id(&id));
    // On this device dsregcmd is a command that takes seconds, and the run gathers it anyway:
    // it is asked here only for a tenant the Edge profile does not name. Recorded evidence
    // is read for the tenant's name too.
    let joined = if loaded.device.is_some() && profile_tenant.is_some() {
        None
    } else {
        joined_tenant(loaded)
    };
    let tenant = match (profile_tenant, joined) {
        (Some(id), Some(joined)) if joined.id == id => Some(joined),
        (Some(id), _) => Some(DeviceTenant { id, name: None }),
        (None, joined) => joined,
    };
    DeviceIdentity { account, tenant }
}

/// The tenant the device is joined to, as dsregcmd names it.
fn joined_tenant(loaded: &LoadedSource) -> Option<DeviceTenant> {
    let FactUpdate::Dsregcmd(Gathered::Found(status)) = gather(FactSource::Dsregcmd, loaded).0
    else {
        return None;
    };
    let field = |key: &str| status.get(key).map(str::trim).map(str::to_owned);
    let id = openid::tenant_id(&field("TenantId")?)?;
    Some(DeviceTenant {
        id,
        name: field("TenantName").filter(|n| !n.is_empty()),
    })
}

/// The Entra device id the device's dsregcmd names, when it is a GUID. On this device that
/// runs `dsregcmd /status` (seconds), so callers ask it beside the sign-in, not before.
pub fn device_id(loaded: &LoadedSource) -> Option<String> {
    let FactUpdate::Dsregcmd(Gathered::Found(status)) = gather(FactSource::Dsregcmd, loaded).0
    else {
        return None;
    };
    device_id_of(&status)
}

/// The `DeviceId` a dsregcmd capture names, when it is a GUID.
pub fn device_id_of(status: &dsregcmd::DsregStatus) -> Option<String> {
    let id = uuid::Uuid::parse_str(status.get("DeviceId")?.trim()).ok()?;
    Some(id.hyphenated().to_string())
}

/// [`device_id`] started now on a blocking thread, for the tenant's Graph reader to await.
pub fn device_id_lookup(loaded: Arc<LoadedSource>) -> crate::cloud::live::DeviceIdLookup {
    let task = tokio::task::spawn_blocking(move || device_id(&loaded));
    Box::pin(async move { task.await.ok().flatten() })
}

/// The DeviceId a run's own dsregcmd gathering hands over on `heard`, waited for no longer than
/// that gathering may take (`within`), for the tenant's Graph reader to await.
pub fn device_id_heard(
    heard: tokio::sync::oneshot::Receiver<Option<String>>,
    within: std::time::Duration,
) -> crate::cloud::live::DeviceIdLookup {
    Box::pin(async move {
        tokio::time::timeout(within, heard)
            .await
            .ok()
            .and_then(Result::ok)
            .flatten()
    })
}

/// The tenant's answers as fetched live: the same parsers as recorded files, and a sign-in
/// that did not happen is a skip (`needs_sign_in`) or, when a service failed, an error.
pub fn live_answers(source: FactSource, answers: &CloudAnswers) -> FactUpdate {
    if let Some(error) = &answers.sign_in {
        return match source {
            FactSource::Graph => FactUpdate::Graph(Box::new(signed_out(error))),
            FactSource::Esr => FactUpdate::Esr(signed_out(error)),
            _ => FactUpdate::Rms(Box::new(signed_out(error))),
        };
    }
    let answers = Answers {
        files: &answers.files,
        failures: &answers.failures,
    };
    let missing = || "the tenant gave no answer".to_owned();
    match source {
        FactSource::Graph => FactUpdate::Graph(Box::new(graph_facts(answers, missing()))),
        FactSource::Esr => FactUpdate::Esr(esr_facts(answers, missing())),
        _ => FactUpdate::Rms(Box::new(rms_facts(answers, missing()))),
    }
}

fn signed_out<T>(error: &crate::cloud::auth::SignInError) -> Gathered<T> {
    if error.is_refusal() {
        Gathered::Skipped(
            SkipKind::NeedsSignIn,
            fill(reasons::NO_SIGN_IN, &[&error.to_string()]),
        )
    } else {
        Gathered::Unreadable(fill(reasons::SIGN_IN_FAILED, &[&error.to_string()]))
    }
}

/// Cloud answers by their bundle path: recorded bodies, and the live calls that failed.
#[derive(Clone, Copy)]
struct Answers<'a> {
    files: &'a EvidenceFiles,
    failures: &'a BTreeMap<String, AnswerError>,
}

impl<'a> Answers<'a> {
    fn recorded(files: &'a EvidenceFiles) -> Answers<'a> {
        Answers {
            files,
            failures: &NO_FAILURES,
        }
    }

    fn get<T>(
        &self,
        path: &str,
        parse: impl Fn(&str, &str) -> Result<T, AnswerError>,
    ) -> Option<Result<T, AnswerError>> {
        if let Some(failure) = self.failures.get(path) {
            return Some(Err(failure.clone()));
        }
        if let Some(text) = self.files.text(path) {
            return Some(parse(path, &text).map_err(|e| e.with_excerpt(&text)));
        }
        self.powershell(path, parse)
    }

    /// The PowerShell text that stands in for the answer at `path`, read as its JSON would be.
    fn powershell<T>(
        &self,
        path: &str,
        parse: impl Fn(&str, &str) -> Result<T, AnswerError>,
    ) -> Option<Result<T, AnswerError>> {
        let (_, text_path) = layout::POWERSHELL_ANSWERS
            .iter()
            .find(|(answer, _)| *answer == path)?;
        let text = self.files.text(text_path)?;
        let value = match powershell::answer(path, &text) {
            Ok(value) => value,
            Err(detail) => {
                return Some(Err(AnswerError::Shape {
                    file: (*text_path).to_owned(),
                    detail,
                }
                .with_excerpt(&text)));
            }
        };
        Some(parse(text_path, &value.to_string()).map_err(|e| e.with_excerpt(&text)))
    }
}

fn graph_facts(answers: Answers<'_>, missing: String) -> Gathered<GraphFacts> {
    let facts = GraphFacts {
        license_details: answers.get("cloud/licenseDetails.json", graph::parse_license_details),
        subscribed_skus: answers.get("cloud/subscribedSkus.json", graph::parse_subscribed_skus),
        organization: answers.get("cloud/organization.json", graph::parse_organization),
        me: answers.get("cloud/me.json", graph::parse_me),
        member_of: answers.get("cloud/memberOf.json", graph::parse_member_of),
        devices: answers.get("cloud/devices.json", graph::parse_devices),
        conditional_access: answers.get(
            "cloud/conditionalAccessPolicies.json",
            crate::facts::tenant::conditional_access::parse_policies,
        ),
        cloud: answers.get("cloud/openidConfiguration.json", openid::parse),
    };
    if facts == GraphFacts::default() {
        Gathered::Missing(missing)
    } else {
        Gathered::Found(facts)
    }
}

/// The ESR switch: one answer decides it, so a refused call skips it for want of a role.
fn esr_facts(answers: Answers<'_>, missing: String) -> Gathered<esr::RoamingSettings> {
    match answers.get("cloud/roamingSettings.json", esr::parse) {
        None => Gathered::Missing(missing),
        Some(Ok(settings)) => Gathered::Found(settings),
        Some(Err(e)) if e.is_access_denied() => {
            Gathered::Skipped(SkipKind::NeedsRole, e.needs_role_reason())
        }
        Some(Err(e)) => Gathered::Unreadable(e.to_string()),
    }
}

fn rms_facts(answers: Answers<'_>, missing: String) -> Gathered<RmsFacts> {
    let facts = RmsFacts {
        discovery: answers.get("cloud/rmsServiceDiscovery.json", rms::parse_discovery),
        functional_state: answers.get("cloud/rmsFunctionalState.json", rms::parse_functional_state),
        onboarding: answers.get(
            "cloud/rmsOnboardingPolicy.json",
            rms::parse_onboarding_policy,
        ),
        ipcv3: answers.get("cloud/rmsConfiguration.json", rms::parse_configuration),
        onboarding_group: answers.get("cloud/onboardingGroup.json", graph::parse_group),
    };
    if facts == RmsFacts::default() {
        Gathered::Missing(missing)
    } else {
        Gathered::Found(facts)
    }
}

fn network(files: &EvidenceFiles, missing: String) -> Gathered<reach::ReachFacts> {
    let path = if files.bytes(layout::NETWORK).is_some() {
        layout::NETWORK
    } else {
        layout::NETWORK_AT_ROOT
    };
    // No result at all is no evidence of reach, not a network where nothing failed.
    let no_results = |facts: &reach::ReachFacts| facts.results.is_empty();
    match one_file(files, path, missing, reach::parse) {
        Gathered::Found(facts) if no_results(&facts) => Gathered::Unreadable(format!(
            "`{path}` holds no probe results; collect it again, or run esr-doctor on the device"
        )),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::text::variants;
    use crate::model::{SourceInfo, SourceKind};

    fn loaded(files: &[(&str, Vec<u8>)], platform: Platform) -> LoadedSource {
        let mut evidence = EvidenceFiles::default();
        for (path, bytes) in files {
            evidence.insert(path, bytes.clone());
        }
        LoadedSource::from_files(
            SourceInfo {
                kind: SourceKind::Bundle,
                name: "t".into(),
            },
            evidence,
            platform,
            "not in bundle",
        )
    }

    #[test]
    fn recorded_cloud_answers_read_in_every_encoding() {
        let esr = "{\n  \"syncSetting\": 1,\n  \"syncSelectedUsers\": []\n}\n";
        let network = "{\"endpoints\":[{\"host\":\"edge.microsoft.com\",\"reachable\":true}]}\n";
        for ((name, esr_bytes), (_, network_bytes)) in variants::encodings(esr)
            .into_iter()
            .zip(variants::encodings(network))
        {
            let source = loaded(
                &[
                    ("cloud/roamingSettings.json", esr_bytes),
                    ("cloud/network.json", network_bytes),
                ],
                Platform::Windows,
            );
            let FactUpdate::Esr(Gathered::Found(settings)) = gather(FactSource::Esr, &source).0
            else {
                panic!("{name}: ESR answer not read");
            };
            assert_eq!(settings.sync_setting.as_str(), "selected", "{name}");
            assert!(
                matches!(gather(FactSource::Network, &source).0, FactUpdate::Network(Gathered::Found(f)) if f.results.len() == 1),
                "{name}"
            );
        }
    }

    #[test]
    fn missing_files_say_why_and_windows_only_sources_do_not_apply_elsewhere() {
        let empty = loaded(&[], Platform::Windows);
        assert_eq!(
            gather(FactSource::Dsregcmd, &empty).0,
            FactUpdate::Dsregcmd(Gathered::Missing("not in bundle".into()))
        );
        let linux = loaded(&[], Platform::Linux);
        assert!(matches!(
            gather(FactSource::Dsregcmd, &linux).0,
            FactUpdate::Dsregcmd(Gathered::NotApplicable(_))
        ));
        assert!(matches!(
            gather(FactSource::EventLog, &linux).0,
            FactUpdate::EventLog(Gathered::NotApplicable(_))
        ));
    }

    #[test]
    fn garbage_dsregcmd_is_unreadable_with_a_hint() {
        let source = loaded(
            &[("dsregcmd.txt", b"Access is denied.\r\n".to_vec())],
            Platform::Windows,
        );
        let FactUpdate::Dsregcmd(Gathered::Unreadable(message)) =
            gather(FactSource::Dsregcmd, &source).0
        else {
            panic!("garbage accepted");
        };
        assert!(message.contains("\"Access is denied.\"") && message.contains("dsregcmd /status"));
    }
}
