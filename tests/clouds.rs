//! The tenant's national cloud, found over loopback from the emulator's OpenID configuration as
//! each of the three login hosts answers it: where the sign-in goes, which Graph host and scope
//! are used, and which prerequisites Microsoft does not offer there (reference/real-tenant.md
//! "Which tenant, which cloud").

mod common;

use common::{Events, emulator_for, endpoints, fast_config, scenario_source, session};
use esr_doctor::cloud::auth::SignInEvent;
use esr_doctor::cloud::live::CloudConfig;
use esr_doctor::emulator::Emulator;
use esr_doctor::emulator::tenant::EmulatedCloud;
use esr_doctor::model::{CheckId, Report, Severity, Status};
use esr_doctor::runner::{RunOptions, run};

/// Runs the healthy tenant placed in `cloud`, signed in to it by name.
async fn healthy_in(cloud: EmulatedCloud) -> (Report, Events, Emulator) {
    let source = scenario_source("healthy");
    let emulator = emulator_for(&source).await;
    emulator.configure(|c| c.tenant.cloud = cloud);
    let config = CloudConfig {
        tenant: Some("fabrikam.com".into()),
        ..fast_config(&emulator)
    };
    let events = Events::default();
    let source = esr_doctor::runner::Inputs::live(source, session(config, &events));
    let report = run(source, RunOptions::default(), None).await;
    (report, events, emulator)
}

/// The login host (`global`, `usgov`, `china`) each request of `endpoint` went to.
fn hosts_of(emulator: &Emulator, endpoint: &str) -> Vec<&'static str> {
    emulator
        .log()
        .iter()
        .filter(|e| e.endpoint == endpoint)
        .map(|e| {
            if e.path.starts_with("/usgov/") {
                "usgov"
            } else if e.path.starts_with("/china/") {
                "china"
            } else {
                "global"
            }
        })
        .collect()
}

fn graph_audiences(emulator: &Emulator) -> Vec<String> {
    emulator
        .log()
        .iter()
        .filter(|e| e.endpoint.starts_with("graph"))
        .filter_map(|e| e.audience.clone())
        .collect()
}

/// The finding `code` of check `id`, with its fix's words (steps and commands) in one string.
fn finding(report: &Report, id: CheckId, code: &str) -> Option<(Severity, String, String)> {
    let check = report.check(id)?;
    let found = check.findings.iter().find(|f| f.code == code)?;
    let fix = found
        .fix
        .as_ref()
        .map(|f| {
            format!(
                "{} {} {}",
                f.steps.join(" "),
                f.commands.join(" "),
                f.docs.join(" ")
            )
        })
        .unwrap_or_default();
    Some((found.severity, found.message.clone(), fix))
}

/// A "not offered" finding names its cloud and Microsoft's page, and no fix turns anything on.
fn assert_not_offered(report: &Report, id: CheckId, code: &str, cloud: &str, page: &str) {
    let check = report.check(id).unwrap_or_else(|| panic!("{id} missing"));
    assert_eq!(check.status, Status::Fail, "{id}: {check:?}");
    let (severity, message, fix) =
        finding(report, id, code).unwrap_or_else(|| panic!("{id} lacks {code}: {check:?}"));
    assert_eq!(severity, Severity::Fail);
    assert!(
        message.contains(cloud) && message.contains(page),
        "{message}"
    );
    assert!(fix.contains(page), "{fix}");
    for turn_on in ["Enable-", "Set-Aip", "turn the service on", "switch it on"] {
        assert!(
            !fix.contains(turn_on),
            "{code}'s fix says {turn_on:?}: {fix}"
        );
    }
    assert_eq!(check.findings.len(), 1, "only the cloud decides: {check:?}");
}

/// The device code asked for beside the cloud lookup went to the global host and was never
/// shown: the person saw one code, from the tenant's own cloud, and signed in there.
fn assert_one_code_from_the_host(events: &Events, emulator: &Emulator, host: &str) {
    let codes = hosts_of(emulator, "devicecode");
    assert_eq!(codes.last(), Some(&host), "{codes:?}");
    assert!(codes.len() <= 2 && codes[..codes.len() - 1].iter().all(|h| *h == "global"));
    let shown = events
        .all()
        .iter()
        .filter(|e| matches!(e, SignInEvent::Code(_)))
        .count();
    assert_eq!(shown, 1);
    assert!(hosts_of(emulator, "token").iter().all(|h| *h == host));
}

const FAQ: &str = "microsoft-edge-enterprise-sync-faq";
const AVAILABILITY: &str = "feature-availability";

#[tokio::test]
async fn a_commercial_tenant_signs_in_at_the_global_host_and_passes() {
    let (report, _, emulator) = healthy_in(EmulatedCloud::commercial()).await;
    assert_eq!(report.exit_code(), 0, "{report:?}");
    assert_eq!(hosts_of(&emulator, "devicecode"), ["global"]);
    assert!(
        graph_audiences(&emulator)
            .iter()
            .all(|a| a == "https://graph.microsoft.com/.default")
    );
    // The hosts are asked at once and the first that knows the tenant answers; the others
    // may be given up before they answer.
    let asked = hosts_of(&emulator, "openid-configuration");
    assert!(asked.contains(&"global") && asked.len() <= 3, "{asked:?}");
}

#[tokio::test]
async fn gcc_decides_as_usual_and_says_microsofts_pages_disagree() {
    let (report, _, _) = healthy_in(EmulatedCloud::gcc()).await;
    let (severity, message, _) = finding(&report, CheckId::Rms, "EDGE_SYNC_OFFER_UNCLEAR")
        .unwrap_or_else(|| panic!("{:?}", report.check(CheckId::Rms)));
    assert_eq!(severity, Severity::Warn);
    assert!(message.contains("GCC High and DoD") && message.contains("DoD and GCC"));
    assert_eq!(
        report.check(CheckId::TenantEsr).map(|c| c.status),
        Some(Status::Pass)
    );
    assert_eq!(report.exit_code(), 0);
}

#[tokio::test]
async fn gcc_high_signs_in_at_the_us_government_host_and_offers_neither() {
    let (report, events, emulator) = healthy_in(EmulatedCloud::gcc_high()).await;
    assert_one_code_from_the_host(&events, &emulator, "usgov");
    assert!(hosts_of(&emulator, "token").iter().all(|h| *h == "usgov"));
    assert!(
        graph_audiences(&emulator)
            .iter()
            .all(|a| a == "https://graph.microsoft.us/.default"),
        "{:?}",
        graph_audiences(&emulator)
    );
    assert!(
        emulator
            .log()
            .iter()
            .filter(|e| e.endpoint.starts_with("rms"))
            .filter_map(|e| e.audience.clone())
            .all(|a| a == "https://aadrm.us/.default")
    );
    assert_not_offered(
        &report,
        CheckId::Rms,
        "EDGE_SYNC_NOT_OFFERED",
        "GCC High",
        FAQ,
    );
    assert_not_offered(
        &report,
        CheckId::TenantEsr,
        "ESR_NOT_OFFERED",
        "GCC High",
        AVAILABILITY,
    );
    assert_eq!(report.exit_code(), 1);
}

#[tokio::test]
async fn dod_reads_graph_at_the_dod_host_its_configuration_names() {
    let (report, events, emulator) = healthy_in(EmulatedCloud::dod()).await;
    assert_one_code_from_the_host(&events, &emulator, "usgov");
    let audiences = graph_audiences(&emulator);
    assert!(!audiences.is_empty());
    assert!(
        audiences
            .iter()
            .all(|a| a == "https://dod-graph.microsoft.us/.default"),
        "{audiences:?}"
    );
    assert_not_offered(&report, CheckId::Rms, "EDGE_SYNC_NOT_OFFERED", "DoD", FAQ);
    assert_not_offered(
        &report,
        CheckId::TenantEsr,
        "ESR_NOT_OFFERED",
        "DoD",
        AVAILABILITY,
    );
}

#[tokio::test]
async fn a_china_tenant_is_found_only_by_the_china_host() {
    let (report, events, emulator) = healthy_in(EmulatedCloud::china()).await;
    assert_one_code_from_the_host(&events, &emulator, "china");
    let answered: Vec<(Option<u16>, &str)> = emulator
        .log()
        .iter()
        .filter(|e| e.endpoint == "openid-configuration")
        .map(|e| {
            (
                e.status,
                if e.path.starts_with("/china/") {
                    "china"
                } else {
                    "other"
                },
            )
        })
        .collect();
    assert!(answered.contains(&(Some(200), "china")), "{answered:?}");
    assert!(
        answered
            .iter()
            .all(|(status, host)| (*host == "china") == (*status == Some(200))),
        "{answered:?}"
    );
    assert!(
        graph_audiences(&emulator)
            .iter()
            .all(|a| a == "https://microsoftgraph.chinacloudapi.cn/.default")
    );
    assert_not_offered(
        &report,
        CheckId::Rms,
        "EDGE_SYNC_NOT_OFFERED",
        "21Vianet",
        FAQ,
    );
    // ESR is not listed as missing in 21Vianet: it is decided from the switch.
    assert_eq!(
        report.check(CheckId::TenantEsr).map(|c| c.status),
        Some(Status::Pass)
    );
}

#[tokio::test]
async fn an_unknown_cloud_is_named_raw_and_nobody_is_asked_to_sign_in() {
    let mut cloud = EmulatedCloud::commercial();
    cloud.instance = "example.invalid".into();
    let (report, events, emulator) = healthy_in(cloud).await;
    let reason = report
        .check(CheckId::License)
        .and_then(|c| c.reason.clone())
        .unwrap_or_default();
    assert!(
        reason.contains("does not support") && reason.contains("\"example.invalid\""),
        "{reason}"
    );
    assert!(
        !events
            .all()
            .iter()
            .any(|e| matches!(e, SignInEvent::Code(_))),
        "a code asked for beside the lookup is never shown"
    );
    assert!(!endpoints(&emulator).contains(&"token"));
}
