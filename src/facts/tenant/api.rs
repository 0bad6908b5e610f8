//! Every Microsoft endpoint esr-doctor reads, as evidence: its name, the file a bundle records
//! its answer in, the fact source it feeds, and who may read it. `cloud::api` adds where each is
//! called (host, path, audience); the live clients build requests from the two and the tenant
//! emulator recognises requests by them, so they cannot drift apart.

use crate::evidence::{FactSource, layout};

/// One endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Api {
    OpenIdConfiguration,
    /// The sign-in page of the browser flow (the browser calls it, not esr-doctor).
    Authorize,
    DeviceCode,
    Token,
    Me,
    LicenseDetails,
    Organization,
    SubscribedSkus,
    MemberOf,
    /// The device's own object in Entra ID, looked up by the id dsregcmd names.
    Devices,
    ConditionalAccess,
    /// The group an onboarding control policy limits RMS to, for its display name.
    OnboardingGroup,
    RoamingSettings,
    RmsDiscovery,
    RmsServiceLocator,
    RmsFunctionalState,
    RmsOnboardingPolicy,
    RmsConfiguration,
}

impl Api {
    pub const ALL: [Api; 18] = [
        Api::OpenIdConfiguration,
        Api::Authorize,
        Api::DeviceCode,
        Api::Token,
        Api::Me,
        Api::LicenseDetails,
        Api::Organization,
        Api::SubscribedSkus,
        Api::MemberOf,
        Api::Devices,
        Api::ConditionalAccess,
        Api::OnboardingGroup,
        Api::RoamingSettings,
        Api::RmsDiscovery,
        Api::RmsServiceLocator,
        Api::RmsFunctionalState,
        Api::RmsOnboardingPolicy,
        Api::RmsConfiguration,
    ];

    /// How the endpoint is named in messages, logs and the emulator's request log.
    pub fn name(self) -> &'static str {
        match self {
            Api::OpenIdConfiguration => "openid-configuration",
            Api::Authorize => "authorize",
            Api::DeviceCode => "devicecode",
            Api::Token => "token",
            Api::Me => "graph /me",
            Api::LicenseDetails => "graph licenseDetails",
            Api::Organization => "graph /organization",
            Api::SubscribedSkus => "graph /subscribedSkus",
            Api::MemberOf => "graph transitiveMemberOf",
            Api::Devices => "graph /devices",
            Api::ConditionalAccess => "graph conditionalAccess/policies",
            Api::OnboardingGroup => "graph /groups",
            Api::RoamingSettings => "portal RoamingSettings",
            Api::RmsDiscovery => "rms servicediscovery",
            Api::RmsServiceLocator => "rms ServiceLocator",
            Api::RmsFunctionalState => "rms FunctionalState",
            Api::RmsOnboardingPolicy => "rms OnboardingControlPolicy",
            Api::RmsConfiguration => "rms Configuration",
        }
    }

    /// The fact source whose facts this answer feeds (the tenant's cloud travels with Graph's,
    /// the onboarding policy's group with RMS's); sign-in feeds none.
    pub fn fact_source(self) -> Option<FactSource> {
        match self.recorded_file() {
            Some(file) => layout::source_of(file),
            None => (self == Api::RmsServiceLocator).then_some(FactSource::Rms),
        }
    }

    /// The endpoint whose answer a bundle records at `path`, if any.
    pub fn recorded_at(path: &str) -> Option<Api> {
        Api::ALL
            .into_iter()
            .find(|api| api.recorded_file() == Some(path))
    }

    /// Where a bundle records this answer.
    pub fn recorded_file(self) -> Option<&'static str> {
        Some(match self {
            Api::Me => layout::CLOUD_ME,
            Api::LicenseDetails => layout::CLOUD_LICENSE_DETAILS,
            Api::Organization => layout::CLOUD_ORGANIZATION,
            Api::SubscribedSkus => layout::CLOUD_SUBSCRIBED_SKUS,
            Api::MemberOf => layout::CLOUD_MEMBER_OF,
            Api::Devices => layout::CLOUD_DEVICES,
            Api::ConditionalAccess => layout::CLOUD_CONDITIONAL_ACCESS,
            Api::OnboardingGroup => layout::CLOUD_ONBOARDING_GROUP,
            Api::RoamingSettings => layout::CLOUD_ROAMING_SETTINGS,
            Api::RmsDiscovery => layout::CLOUD_RMS_DISCOVERY,
            Api::RmsFunctionalState => layout::CLOUD_RMS_FUNCTIONAL_STATE,
            Api::RmsOnboardingPolicy => layout::CLOUD_RMS_ONBOARDING_POLICY,
            Api::RmsConfiguration => layout::CLOUD_RMS_CONFIGURATION,
            Api::OpenIdConfiguration => layout::CLOUD_OPEN_ID_CONFIGURATION,
            Api::Authorize | Api::DeviceCode | Api::Token | Api::RmsServiceLocator => {
                return None;
            }
        })
    }

    /// Who may read this endpoint, and what an admin runs when the operator may not.
    pub fn needs(self) -> &'static str {
        match self {
            // microsoft-graph-docs-contrib `rbac-company-subscriptions-subscribedskus-apis.md`.
            Api::SubscribedSkus => {
                "reading the tenant's subscriptions needs Global Reader or Directory Readers"
            }
            Api::Me | Api::LicenseDetails | Api::MemberOf | Api::Organization => {
                "reading another user's licences and groups needs User Administrator, License Administrator or Global Reader"
            }
            // Graph's "List devices" (`rbac-devices-apis-read.md`): member users may (the Users
            // role), unless the tenant restricts default user permissions.
            Api::Devices => {
                "reading the device object needs a member account (guests may not, nor users where the tenant restricts default user permissions), Directory Readers, Global Reader or Security Reader"
            }
            // Graph's "Get group": member users read groups under the default user permissions.
            Api::OnboardingGroup => {
                "reading a group's name needs GroupMember.Read.All: a member user may, unless the tenant restricts default user permissions; otherwise Global Reader or Groups Administrator"
            }
            // Graph's "List policies" (`rbac-conditionalaccess-apis-read.md`).
            Api::ConditionalAccess => {
                "reading Conditional Access policies needs Global Reader, Security Reader, Security Administrator, Conditional Access Administrator or Global Secure Access Administrator"
            }
            Api::RoamingSettings => {
                "Microsoft documents no role that may read the ESR switch; Global Administrator can, Global Reader and Cloud Device Administrator usually can"
            }
            Api::RmsServiceLocator
            | Api::RmsFunctionalState
            | Api::RmsOnboardingPolicy
            | Api::RmsConfiguration => {
                "reading the RMS activation state needs Azure Information Protection Administrator, Compliance Administrator or Global Administrator"
            }
            Api::RmsDiscovery => {
                "Azure RMS refused the signed-in user's token; sign in as the affected user"
            }
            Api::OpenIdConfiguration | Api::Authorize | Api::DeviceCode | Api::Token => {
                "the sign-in was refused; check the tenant and client id"
            }
        }
    }
}
