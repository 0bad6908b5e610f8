//! Graph's paging over loopback: the emulator pages lists at 100 objects like Graph
//! (learn.microsoft.com/graph/paging), the client reads every page, and a next link to another
//! host is refused before the token goes there.

mod common;

use common::{Capture, Events, emulator_for, fast_config, scenario_source, session};
use esr_doctor::emulator::Emulator;
use esr_doctor::facts::tenant::Api;
use esr_doctor::model::{CheckId, Report, Status};
use esr_doctor::runner::{RunOptions, run};

/// ESR on for one selected group.
const SELECTED: &str = r#"{"syncSetting":1,"isAdminConfigurable":true,"isRoamingSettingChanged":false,"syncSelectedUsers":[{"id":"a4c81e3f-6b2d-4d59-9f07-3e8b1c6a2d95","email":null,"displayName":"ESR pilot","type":2,"hasThumbnail":false,"imageUrl":null}]}"#;

/// A user in 1,000 groups, the ESR group among the last page's.
fn thousand_groups() -> String {
    let groups: Vec<serde_json::Value> = (0..1000)
        .map(|i| {
            let id = if i == 950 {
                "a4c81e3f-6b2d-4d59-9f07-3e8b1c6a2d95".to_owned()
            } else {
                format!("00000000-0000-4000-8000-{i:012}")
            };
            serde_json::json!({"@odata.type": "#microsoft.graph.group", "id": id, "displayName": format!("Group {i}")})
        })
        .collect();
    serde_json::json!({"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#directoryObjects", "value": groups})
        .to_string()
}

async fn run_large_organisation(change: impl FnOnce(&Emulator)) -> (Report, Emulator) {
    let source = scenario_source("healthy");
    let emulator = emulator_for(&source).await;
    emulator.configure(|c| {
        c.tenant.set_answer(Api::RoamingSettings, SELECTED);
        c.tenant.set_answer(Api::MemberOf, &thousand_groups());
    });
    change(&emulator);
    let source = esr_doctor::runner::Inputs::live(
        source,
        session(fast_config(&emulator), &Events::default()),
    );
    let report = run(source, RunOptions::default(), None).await;
    (report, emulator)
}

#[tokio::test]
async fn a_user_in_a_thousand_groups_is_found_in_the_esr_group_on_a_late_page() {
    let (report, emulator) = run_large_organisation(|_| {}).await;
    let esr = report
        .check(CheckId::TenantEsr)
        .unwrap_or_else(|| panic!("no ESR"));
    assert_eq!(esr.status, Status::Pass, "{esr:?}");
    assert_eq!(esr.evidence["user_in_scope"], true);
    let pages = emulator
        .log()
        .iter()
        .filter(|e| e.endpoint == Api::MemberOf.name())
        .count();
    assert_eq!(pages, 10, "1,000 groups at 100 a page");
}

#[tokio::test]
async fn a_next_link_to_another_host_is_refused_and_named() {
    let elsewhere = Capture::start();
    let base = format!("http://127.0.0.1:{}", elsewhere.port);
    let (report, _) = run_large_organisation(|emulator| {
        emulator.configure(|c| c.next_link_base = Some(base.clone()));
    })
    .await;
    let esr = report
        .check(CheckId::TenantEsr)
        .unwrap_or_else(|| panic!("no ESR"));
    assert_eq!(
        esr.status,
        Status::Error,
        "undecided, never a pass: {esr:?}"
    );
    let reason = esr.reason.clone().unwrap_or_default();
    assert!(
        reason.contains("points away from the Graph host"),
        "{reason}"
    );
    assert_eq!(
        elsewhere.connections(),
        0,
        "the token never left for another host"
    );
}
