//! Where each endpoint of `facts::tenant::Api` is called: its host, path and token audience. The live clients build requests from this
//! table and the tenant emulator recognises requests by it, so the two cannot drift apart.

use super::endpoints::{Audience, Host};
use crate::facts::tenant::Api;

/// The Graph API version every Graph call uses.
pub const GRAPH_VERSION: &str = "/v1.0";

impl Api {
    pub fn host(self) -> Host {
        match self {
            Api::OpenIdConfiguration | Api::Authorize | Api::DeviceCode | Api::Token => {
                Host::Authority
            }
            Api::Me
            | Api::LicenseDetails
            | Api::Organization
            | Api::SubscribedSkus
            | Api::MemberOf
            | Api::Devices
            | Api::ConditionalAccess
            | Api::OnboardingGroup => Host::Graph,
            Api::RoamingSettings => Host::Portal,
            Api::RmsDiscovery => Host::Rms,
            // The admin calls live at the URL the locator returns; the locator's host is the
            // best name for them when that URL is not known yet.
            Api::RmsServiceLocator
            | Api::RmsFunctionalState
            | Api::RmsOnboardingPolicy
            | Api::RmsConfiguration => Host::RmsDiscovery,
        }
    }

    /// The token audience a data endpoint needs (`None` for sign-in itself).
    pub fn audience(self) -> Option<Audience> {
        match self.host() {
            Host::Graph => Some(Audience::Graph),
            Host::Portal => Some(Audience::Portal),
            Host::Rms | Host::RmsDiscovery => Some(Audience::Rms),
            Host::Authority => None,
        }
    }

    /// The path of a Graph call for the subject: `/me/...` or `/users/{upn}/...`.
    pub fn graph_path(self, subject: Option<&str>) -> Option<String> {
        let user = match subject {
            Some(upn) => format!("/users/{}", encode_segment(upn)),
            None => "/me".to_owned(),
        };
        let path = match self {
            Api::Me => user,
            Api::LicenseDetails => format!("{user}/licenseDetails"),
            Api::MemberOf => format!("{user}/transitiveMemberOf?$select=id,displayName"),
            Api::Organization => "/organization".to_owned(),
            Api::SubscribedSkus => "/subscribedSkus".to_owned(),
            Api::ConditionalAccess => "/identity/conditionalAccess/policies".to_owned(),
            _ => return None,
        };
        Some(format!("{GRAPH_VERSION}{path}"))
    }
}

/// `GET /devices?$filter=deviceId eq '…'` for a device id that is a GUID (it comes from
/// evidence and is never put into a URL otherwise).
pub fn devices_path(device_id: &str) -> Option<String> {
    let id = uuid::Uuid::parse_str(device_id.trim()).ok()?;
    let filter = format!("deviceId eq '{}'", id.hyphenated());
    let select = "id,deviceId,displayName,accountEnabled,trustType,approximateLastSignInDateTime,isCompliant,isManaged";
    Some(format!(
        "{GRAPH_VERSION}/devices?$filter={}&$select={select}",
        encode_segment(&filter)
    ))
}

/// `GET /groups/{id}?$select=id,displayName` for a group id that is a GUID.
pub fn group_path(group_id: &str) -> Option<String> {
    let id = uuid::Uuid::parse_str(group_id.trim()).ok()?;
    Some(format!(
        "{GRAPH_VERSION}/groups/{}?$select=id,displayName",
        id.hyphenated()
    ))
}

/// Percent-encodes one path segment (a UPN holds `@` and may hold `#` or `'`).
pub fn encode_segment(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}

/// The path on the authority for `tenant`.
pub fn authority_path(api: Api, tenant: &str) -> Option<String> {
    let tenant = encode_segment(tenant);
    Some(match api {
        Api::OpenIdConfiguration => format!("/{tenant}/v2.0/.well-known/openid-configuration"),
        Api::Authorize => format!("/{tenant}/oauth2/v2.0/authorize"),
        Api::DeviceCode => format!("/{tenant}/oauth2/v2.0/devicecode"),
        Api::Token => format!("/{tenant}/oauth2/v2.0/token"),
        _ => return None,
    })
}

/// `GET /api/RoamingSettings?ESRV2=true` on the portal host.
pub const ROAMING_SETTINGS_PATH: &str = "/api/RoamingSettings?ESRV2=true";
/// `GET /my/v1/servicediscovery` on the RMS host.
pub const RMS_DISCOVERY_PATH: &str = "/my/v1/servicediscovery";
/// `POST` the SOAP request for the admin service's URL here, on the RMS discovery host.
pub const RMS_LOCATOR_PATH: &str = "/_wmcs/oauth2/certification/ServiceLocator.asmx";

/// Which endpoint a request path names (the emulator's router; the inverse of the builders).
pub fn recognise(method: &str, path_and_query: &str) -> Option<Api> {
    let path = path_and_query
        .split_once('?')
        .map_or(path_and_query, |(p, _)| p);
    let post = method.eq_ignore_ascii_case("POST");
    if path.ends_with("/v2.0/.well-known/openid-configuration") {
        return Some(Api::OpenIdConfiguration);
    }
    if !post && path.ends_with("/oauth2/v2.0/authorize") {
        return Some(Api::Authorize);
    }
    if post && path.ends_with("/oauth2/v2.0/devicecode") {
        return Some(Api::DeviceCode);
    }
    if post && path.ends_with("/oauth2/v2.0/token") {
        return Some(Api::Token);
    }
    if post && path.eq_ignore_ascii_case(RMS_LOCATOR_PATH) {
        return Some(Api::RmsServiceLocator);
    }
    if path.eq_ignore_ascii_case("/api/RoamingSettings") {
        return Some(Api::RoamingSettings);
    }
    if path == RMS_DISCOVERY_PATH {
        return Some(Api::RmsDiscovery);
    }
    for (suffix, api) in [
        ("/FunctionalState", Api::RmsFunctionalState),
        ("/OnboardingControlPolicy", Api::RmsOnboardingPolicy),
        ("/Configuration", Api::RmsConfiguration),
    ] {
        if path.ends_with(suffix) {
            return Some(api);
        }
    }
    let graph = path.strip_prefix(GRAPH_VERSION)?;
    match graph {
        "/organization" => return Some(Api::Organization),
        "/subscribedSkus" => return Some(Api::SubscribedSkus),
        "/me" => return Some(Api::Me),
        "/devices" => return Some(Api::Devices),
        "/identity/conditionalAccess/policies" => return Some(Api::ConditionalAccess),
        _ => {}
    }
    if graph
        .strip_prefix("/groups/")
        .is_some_and(|id| !id.is_empty() && !id.contains('/'))
    {
        return Some(Api::OnboardingGroup);
    }
    let user_rest = graph.strip_prefix("/me").or_else(|| {
        graph
            .strip_prefix("/users/")
            .map(|r| r.find('/').map_or("", |i| &r[i..]))
    })?;
    match user_rest {
        "" => Some(Api::Me),
        "/licenseDetails" => Some(Api::LicenseDetails),
        "/transitiveMemberOf" => Some(Api::MemberOf),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::FactSource;

    #[test]
    fn built_paths_are_recognised_as_their_endpoint() {
        for subject in [None, Some("o'neil#EXT#@fabrikam.onmicrosoft.com")] {
            for api in [
                Api::Me,
                Api::LicenseDetails,
                Api::Organization,
                Api::SubscribedSkus,
                Api::MemberOf,
                Api::ConditionalAccess,
            ] {
                let path = api.graph_path(subject).unwrap_or_default();
                assert_eq!(recognise("GET", &path), Some(api), "{path}");
            }
        }
        for api in [
            Api::OpenIdConfiguration,
            Api::Authorize,
            Api::DeviceCode,
            Api::Token,
        ] {
            let path = authority_path(api, "fabrikam.com").unwrap_or_default();
            let method = if matches!(api, Api::OpenIdConfiguration | Api::Authorize) {
                "GET"
            } else {
                "POST"
            };
            assert_eq!(recognise(method, &path), Some(api), "{path}");
        }
        assert_eq!(
            recognise("GET", ROAMING_SETTINGS_PATH),
            Some(Api::RoamingSettings)
        );
        assert_eq!(
            recognise("GET", RMS_DISCOVERY_PATH),
            Some(Api::RmsDiscovery)
        );
        assert_eq!(
            recognise("POST", RMS_LOCATOR_PATH),
            Some(Api::RmsServiceLocator)
        );
        assert_eq!(
            recognise("GET", "/admin/r7/FunctionalState"),
            Some(Api::RmsFunctionalState)
        );
        assert_eq!(
            recognise("GET", "/admin/r7/OnboardingControlPolicy"),
            Some(Api::RmsOnboardingPolicy)
        );
        assert_eq!(
            recognise("GET", "/admin/r7/Configuration"),
            Some(Api::RmsConfiguration)
        );
        let devices = devices_path("C1D4E7A2-5b3f-4e8d-9a60-7f2b1c9e3d58").unwrap_or_default();
        assert_eq!(recognise("GET", &devices), Some(Api::Devices));
        assert!(
            devices.contains("deviceId%20eq%20%27c1d4e7a2-5b3f-4e8d-9a60-7f2b1c9e3d58%27"),
            "{devices}"
        );
        let group = group_path("c3e9a1d4-58b2-4f60-9d7e-1b4a6f2c8e05").unwrap_or_default();
        assert_eq!(recognise("GET", &group), Some(Api::OnboardingGroup));
        assert_eq!(group_path("../users"), None);
        // A device id from evidence that is not a GUID never reaches a URL.
        assert_eq!(devices_path("x' or 1 eq 1"), None);
        assert_eq!(recognise("GET", "/v1.0/users/x/drive"), None);
        assert_eq!(recognise("GET", "/"), None);
    }

    #[test]
    fn a_guest_upn_is_one_encoded_segment() {
        let path = Api::LicenseDetails
            .graph_path(Some("ann#EXT#@t.onmicrosoft.com"))
            .unwrap_or_default();
        assert_eq!(
            path,
            "/v1.0/users/ann%23EXT%23%40t.onmicrosoft.com/licenseDetails"
        );
    }

    #[test]
    fn tenant_endpoints_have_a_fact_source_and_sign_in_has_none() {
        for api in Api::ALL {
            // The tenant's OpenID configuration needs no token but travels with Graph's facts.
            let recorded_without_token = api == Api::OpenIdConfiguration;
            assert_eq!(
                api.audience().is_some() || recorded_without_token,
                api.fact_source().is_some(),
                "{api:?}"
            );
        }
        assert_eq!(Api::Token.fact_source(), None);
        assert_eq!(
            Api::OpenIdConfiguration.fact_source(),
            Some(FactSource::Graph)
        );
        assert_eq!(Api::RmsFunctionalState.fact_source(), Some(FactSource::Rms));
    }
}
