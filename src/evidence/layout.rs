//! The bundle layout: where each kind of evidence lives in a bundle (README "Evidence bundles").
//! Every writer (`collect`, the device gatherers) and every reader (`runner::gather`, the bundle
//! loader) names files from here, so the layout is written once.

use super::FactSource;

pub const MANIFEST: &str = "manifest.json";
pub const DSREGCMD: &str = "dsregcmd.txt";
pub const EDGE_VERSION: &str = "edge/version.txt";
pub const EDGE_LOCAL_STATE: &str = "edge/Local State";
pub const EDGE_POLICIES_JSON: &str = "edge/policies.json";
pub const EDGE_POLICIES_REG: &str = "edge/policies.reg.txt";
pub const SYNC_INTERNALS: &str = "edge/sync-internals.json";
pub const SETTING_SYNC_REG: &str = "windows/settingsync.reg.txt";
pub const WHOAMI: &str = "windows/whoami.txt";
pub const WINHTTP_PROXY: &str = "windows/winhttp-proxy.txt";
pub const INTERNET_SETTINGS_REG: &str = "windows/internet-settings.reg.txt";
pub const NETWORK: &str = "cloud/network.json";
/// Where bundles of an earlier layout kept the probe results.
pub const NETWORK_AT_ROOT: &str = "network.json";
pub const CLOUD_ME: &str = "cloud/me.json";
pub const CLOUD_LICENSE_DETAILS: &str = "cloud/licenseDetails.json";
pub const CLOUD_ORGANIZATION: &str = "cloud/organization.json";
pub const CLOUD_SUBSCRIBED_SKUS: &str = "cloud/subscribedSkus.json";
pub const CLOUD_MEMBER_OF: &str = "cloud/memberOf.json";
pub const CLOUD_DEVICES: &str = "cloud/devices.json";
pub const CLOUD_CONDITIONAL_ACCESS: &str = "cloud/conditionalAccessPolicies.json";
pub const CLOUD_ONBOARDING_GROUP: &str = "cloud/onboardingGroup.json";
pub const CLOUD_ROAMING_SETTINGS: &str = "cloud/roamingSettings.json";
pub const CLOUD_RMS_DISCOVERY: &str = "cloud/rmsServiceDiscovery.json";
pub const CLOUD_RMS_FUNCTIONAL_STATE: &str = "cloud/rmsFunctionalState.json";
pub const CLOUD_RMS_ONBOARDING_POLICY: &str = "cloud/rmsOnboardingPolicy.json";
pub const CLOUD_RMS_CONFIGURATION: &str = "cloud/rmsConfiguration.json";
pub const CLOUD_OPEN_ID_CONFIGURATION: &str = "cloud/openidConfiguration.json";

/// Every recorded tenant answer, with the fact source it feeds (the tenant's cloud travels
/// with Graph's answers, the onboarding policy's group with RMS's).
pub const RECORDED_ANSWERS: [(&str, FactSource); 14] = [
    (CLOUD_ME, FactSource::Graph),
    (CLOUD_LICENSE_DETAILS, FactSource::Graph),
    (CLOUD_ORGANIZATION, FactSource::Graph),
    (CLOUD_SUBSCRIBED_SKUS, FactSource::Graph),
    (CLOUD_MEMBER_OF, FactSource::Graph),
    (CLOUD_DEVICES, FactSource::Graph),
    (CLOUD_CONDITIONAL_ACCESS, FactSource::Graph),
    (CLOUD_ONBOARDING_GROUP, FactSource::Rms),
    (CLOUD_ROAMING_SETTINGS, FactSource::Esr),
    (CLOUD_RMS_DISCOVERY, FactSource::Rms),
    (CLOUD_RMS_FUNCTIONAL_STATE, FactSource::Rms),
    (CLOUD_RMS_ONBOARDING_POLICY, FactSource::Rms),
    (CLOUD_RMS_CONFIGURATION, FactSource::Rms),
    (CLOUD_OPEN_ID_CONFIGURATION, FactSource::Graph),
];

/// PowerShell text output an admin has that stands in for a recorded answer: the answer's
/// path and the text's (how each is read: `facts::tenant::powershell`).
pub const POWERSHELL_ANSWERS: [(&str, &str); 5] = [
    (CLOUD_RMS_FUNCTIONAL_STATE, "cloud/rmsFunctionalState.txt"),
    (CLOUD_RMS_ONBOARDING_POLICY, "cloud/rmsOnboardingPolicy.txt"),
    (CLOUD_RMS_CONFIGURATION, "cloud/rmsConfiguration.txt"),
    (CLOUD_LICENSE_DETAILS, "cloud/licenseDetails.txt"),
    (CLOUD_SUBSCRIBED_SKUS, "cloud/subscribedSkus.txt"),
];

/// The fact source a bundle path belongs to (see DESIGN.md's bundle layout).
pub fn source_of(path: &str) -> Option<FactSource> {
    Some(match path {
        EDGE_VERSION => FactSource::EdgeVersion,
        EDGE_LOCAL_STATE => FactSource::EdgeProfile,
        p if p.starts_with("edge/") && p.ends_with("/Preferences") => FactSource::EdgeProfile,
        EDGE_POLICIES_JSON | EDGE_POLICIES_REG => FactSource::EdgePolicy,
        SYNC_INTERNALS => FactSource::SyncInternals,
        p if p.starts_with("windows/events/") => FactSource::EventLog,
        DSREGCMD => FactSource::Dsregcmd,
        SETTING_SYNC_REG | WHOAMI | WINHTTP_PROXY | INTERNET_SETTINGS_REG => {
            FactSource::WindowsState
        }
        NETWORK | NETWORK_AT_ROOT => FactSource::Network,
        _ => {
            let answer = POWERSHELL_ANSWERS
                .iter()
                .find(|(_, text)| *text == path)
                .map_or(path, |(answer, _)| answer);
            return RECORDED_ANSWERS
                .iter()
                .find(|(file, _)| *file == answer)
                .map(|(_, source)| *source);
        }
    })
}
