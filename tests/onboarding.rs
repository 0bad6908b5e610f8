//! The AIP onboarding control policy over loopback, every `Scope` × `UseRmsUserLicense` ×
//! group combination, decided as `Set-AipServiceOnboardingControlPolicy`'s help documents it
//! (reference/real-tenant.md "Azure RMS"): a group limits RMS to its members, the licence
//! switch to users holding an RMS plan, and `Scope` applies the limit only to that kind of
//! client — a `MobileApp` scope does not touch Edge on a Windows desktop.

mod common;

use common::{Events, emulator_for, fast_config, scenario_source, session};
use esr_doctor::facts::tenant::Api;
use esr_doctor::model::{CheckId, Status};
use esr_doctor::runner::{RunOptions, run};

/// A group the healthy user is not in.
const OTHER_GROUP: &str = "c3e9a1d4-58b2-4f60-9d7e-1b4a6f2c8e05";

/// Entra ID P1 only: a licence that allows sync but holds no Azure RMS plan.
const ENTRA_P1_ONLY: &str = r#"{"value":[{"id":"l-1","skuId":"078d2b04-f1bd-4111-bbd4-b4b1b354cef4","skuPartNumber":"AAD_PREMIUM","servicePlans":[{"servicePlanId":"41781fb2-bc02-4b7c-bd55-b576c07bb09d","servicePlanName":"AAD_PREMIUM","provisioningStatus":"Success","appliesTo":"User"}]}]}"#;

fn policy(scope: Option<&str>, licence_only: bool, group: bool) -> String {
    let mut policy = serde_json::json!({
        "UseRmsUserLicense": licence_only,
        "SecurityGroupObjectId": if group { serde_json::Value::from(OTHER_GROUP) } else { serde_json::Value::Null },
    });
    if let Some(scope) = scope {
        policy["Scope"] = scope.into();
    }
    policy.to_string()
}

async fn rms_codes(policy: &str, licensed: bool) -> (Status, Vec<String>) {
    let source = scenario_source("healthy");
    let emulator = emulator_for(&source).await;
    emulator.configure(|c| {
        c.tenant.set_answer(Api::RmsOnboardingPolicy, policy);
        if !licensed {
            c.tenant.set_answer(Api::LicenseDetails, ENTRA_P1_ONLY);
        }
    });
    let source = esr_doctor::runner::Inputs::live(
        source,
        session(fast_config(&emulator), &Events::default()),
    );
    let report = run(source, RunOptions::default(), None).await;
    let rms = report
        .check(CheckId::Rms)
        .unwrap_or_else(|| panic!("no rms"));
    let codes = rms
        .findings
        .iter()
        .map(|f| f.code.clone())
        .filter(|c| c.starts_with("RMS_"))
        .collect();
    (rms.status, codes)
}

#[tokio::test]
async fn every_scope_licence_and_group_combination_decides_as_microsoft_documents() {
    let mut cases = 0;
    for scope in [None, Some("All"), Some("WindowsApp"), Some("MobileApp")] {
        for licence_only in [false, true] {
            for group in [false, true] {
                for licensed in [true, false] {
                    let case = format!(
                        "Scope {scope:?}, UseRmsUserLicense {licence_only}, group {group}, licensed {licensed}"
                    );
                    let (status, codes) =
                        rms_codes(&policy(scope, licence_only, group), licensed).await;
                    // Edge on a Windows desktop is not a mobile app.
                    let applies = scope != Some("MobileApp");
                    let mut expected = Vec::new();
                    if applies && group {
                        expected.push("RMS_USER_SCOPED_OUT".to_owned());
                    }
                    if applies && licence_only && !licensed {
                        expected.push("RMS_USER_NOT_LICENSED".to_owned());
                    }
                    assert_eq!(codes, expected, "{case}");
                    let failed = !expected.is_empty();
                    assert_eq!(status == Status::Fail, failed, "{case}: {status:?}");
                    cases += 1;
                }
            }
        }
    }
    assert_eq!(cases, 32);
}
