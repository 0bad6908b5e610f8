//! `setup --demo new-tenant`: a tenant nobody set up yet, where the emulator plays the admin's
//! change. When the trainer presses the key that stands for "the admin ran it", the fix lands
//! in the emulated tenant a while later (as Microsoft's services take a while), so the watch
//! visibly re-checks before the step turns green.

use super::STEPS;
use crate::emulator::Emulator;
use crate::evidence::EvidenceFiles;
use crate::evidence::layout;
use crate::facts::tenant::Api;
use crate::sources::scenario;
use serde_json::Value;
use std::time::Duration;

/// The demo tenant setup starts from.
pub const SCENARIO: &str = "new-tenant";

/// How long after "the admin ran it" the change shows in the emulated tenant.
pub const LANDS_AFTER: Duration = Duration::from_secs(3);

/// What one fix changes: a file as `healthy` has it, or only some fields of a JSON answer
/// (one answer can hold several steps' settings, as RMS's configuration does).
#[derive(Debug, Clone, Copy)]
enum Change {
    File(&'static str),
    Fields(&'static str, &'static [&'static str]),
}

/// What each of [`STEPS`]' fixes changes, in the same order.
const CHANGES: [&[Change]; STEPS.len()] = [
    &[
        Change::File("cloud/licenseDetails.json"),
        Change::File("cloud/subscribedSkus.json"),
        Change::File("cloud/organization.json"),
    ],
    &[
        Change::File("cloud/rmsFunctionalState.json"),
        Change::File("cloud/rmsServiceDiscovery.json"),
        Change::Fields(
            "cloud/rmsConfiguration.json",
            &[
                "FunctionalState",
                "LicensingIntranetDistributionPointUrl",
                "LicensingExtranetDistributionPointUrl",
                "CertificationIntranetDistributionPointUrl",
                "CertificationExtranetDistributionPointUrl",
                "CurrentLicensorCertificateGuid",
            ],
        ),
        Change::File(layout::SYNC_INTERNALS),
    ],
    &[Change::Fields(
        "cloud/rmsConfiguration.json",
        &["IPCv3ServiceFunctionalState"],
    )],
    &[Change::File("cloud/rmsOnboardingPolicy.json")],
    &[Change::File("cloud/roamingSettings.json")],
    &[Change::File(layout::NETWORK)],
];

/// Applies the fix of step `index` to the running demo: the emulated tenant, and the device's
/// evidence for what a device sees (the network).
pub fn apply(index: usize, emulator: &Emulator, files: &mut EvidenceFiles) {
    let Some(changes) = CHANGES.get(index) else {
        return;
    };
    let healthy = scenario::load(scenario::DEFAULT)
        .map(|s| s.files)
        .unwrap_or_default();
    for change in *changes {
        match *change {
            Change::File(path) => {
                emulator.put(files, path, healthy.bytes(path).map(<[u8]>::to_vec));
            }
            Change::Fields(path, fields) => {
                let Some(api) = Api::recorded_at(path) else {
                    continue;
                };
                let target = healthy
                    .text(path)
                    .and_then(|t| serde_json::from_str(&t).ok());
                emulator.configure(|c| {
                    let (_, body) = c.tenant.answer(api);
                    if let (Ok(Value::Object(mut now)), Some(Value::Object(target))) =
                        (serde_json::from_str::<Value>(&body), target.clone())
                    {
                        for field in fields {
                            if let Some(value) = target.get(*field) {
                                now.insert((*field).to_owned(), value.clone());
                            }
                        }
                        c.tenant.set_answer(api, &Value::Object(now).to_string());
                    }
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_step_has_a_fix_and_every_file_exists_in_both_tenants() {
        let healthy = scenario::load(scenario::DEFAULT)
            .map(|s| s.files)
            .unwrap_or_default();
        let new = scenario::load(SCENARIO)
            .map(|s| s.files)
            .unwrap_or_default();
        for changes in CHANGES {
            assert!(!changes.is_empty());
            for change in changes {
                let (Change::File(path) | Change::Fields(path, _)) = *change;
                assert!(healthy.bytes(path).is_some(), "{path} in healthy");
                assert!(new.bytes(path).is_some(), "{path} in {SCENARIO}");
            }
        }
    }
}
