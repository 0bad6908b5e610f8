//! What the emulator answers to each recognised request: the sign-in endpoints through
//! `oauth`, the tenant's data from `tenant` (paged and filtered as Graph does), the RMS
//! locator, and the faults a test asks for.

use super::oauth::{Minted, OAuthState, TokenRequest, TokenSubject};
use super::{EmulatorConfig, Fault, State, lock};
use crate::cloud::endpoints::Host;
use crate::evidence::Cloud;
use crate::facts::tenant::Api;
use std::collections::HashMap;

/// What a request produced: status, content type, body, extra headers, dependencies.
pub(super) struct Answer {
    pub(super) status: u16,
    pub(super) content_type: &'static str,
    pub(super) body: String,
    pub(super) headers: Vec<(&'static str, String)>,
    pub(super) depends_on: Vec<u64>,
    pub(super) audience: Option<String>,
}

impl Answer {
    pub(super) fn json(status: u16, body: String) -> Answer {
        Answer {
            status,
            content_type: "application/json; charset=utf-8",
            body,
            headers: Vec::new(),
            depends_on: Vec::new(),
            audience: None,
        }
    }
}

/// The answer of a faulty endpoint.
pub(super) fn faulty(fault: Fault) -> Answer {
    let graph_error = |status: u16, code: &str, message: &str| {
        Answer::json(
            status,
            format!(r#"{{"error":{{"code":"{code}","message":"{message}"}}}}"#),
        )
    };
    match fault {
        Fault::Status(401) => graph_error(401, "InvalidAuthenticationToken", "Access token validation failure."),
        Fault::Status(403) => graph_error(403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation."),
        Fault::Status(404) => graph_error(404, "Request_ResourceNotFound", "Resource does not exist."),
        Fault::Status(status) => Answer {
            content_type: "text/plain",
            ..Answer::json(status, format!("{status} Internal Server Error"))
        },
        Fault::TooManyRequests { retry_after_secs } | Fault::Unavailable { retry_after_secs } => {
            let status = if matches!(fault, Fault::TooManyRequests { .. }) { 429 } else { 503 };
            Answer {
                headers: vec![("Retry-After", retry_after_secs.to_string())],
                ..graph_error(status, "TooManyRequests", "Please retry after the time in Retry-After.")
            }
        }
        Fault::MalformedJson => Answer::json(200, r#"{"value": [{"id": "0d6a2f81", "displayName": "#.into()),
        Fault::HtmlPage => Answer {
            content_type: "text/html",
            ..Answer::json(200, "<!DOCTYPE html><html><head><title>Network login required</title></head><body><h1>Please sign in to the guest network</h1></body></html>".into())
        },
        Fault::EmptyBody => Answer::json(200, String::new()),
        Fault::Stall | Fault::Reset | Fault::Refused | Fault::EchoCredentials => {
            Answer::json(500, String::new())
        }
    }
}

/// [`Fault::EchoCredentials`]: an OAuth error from the sign-in endpoints, an RMS exception from
/// RMS, a Graph error elsewhere, each naming what the request presented.
pub(super) fn echo_credentials(api: Option<Api>, authorization: &str, body: &[u8]) -> Answer {
    let form: HashMap<String, String> = url::form_urlencoded::parse(body).into_owned().collect();
    let mut presented: Vec<String> = ["device_code", "refresh_token", "client_secret"]
        .iter()
        .filter_map(|k| form.get(*k).map(|v| format!("{k}={v}")))
        .collect();
    if !authorization.is_empty() {
        presented.push(format!("Authorization: {authorization}"));
    }
    let said = format!("the request presented {}", presented.join(", "));
    let escaped = serde_json::Value::String(said.clone()).to_string();
    match api.map(Api::host) {
        Some(Host::Authority) => Answer::json(
            400,
            serde_json::json!({"error": "invalid_request", "error_description": format!("AADSTS900144: {said}")})
                .to_string(),
        ),
        Some(Host::Rms | Host::RmsDiscovery) => Answer::json(
            400,
            format!(r#"{{"Code":"Microsoft.RightsManagement.Exceptions.InvalidTokenException","Message":{escaped}}}"#),
        ),
        _ => Answer::json(
            400,
            format!(r#"{{"error":{{"code":"BadRequest","message":{escaped}}}}}"#),
        ),
    }
}

/// The normal answer of `api`.
pub(super) fn answer(
    state: &State,
    id: u64,
    api: Api,
    path: &str,
    query: &str,
    authorization: &str,
    body: &[u8],
) -> Answer {
    let config = lock(&state.config).clone();
    let form: HashMap<String, String> = url::form_urlencoded::parse(body).into_owned().collect();
    let mut oauth = lock(&state.oauth);
    match api {
        Api::OpenIdConfiguration => openid(&config, path),
        Api::Authorize => {
            let query: HashMap<String, String> = url::form_urlencoded::parse(query.as_bytes())
                .into_owned()
                .collect();
            match oauth.authorize(id, &query, &config.sign_in) {
                Ok(location) => Answer {
                    content_type: "text/html; charset=utf-8",
                    headers: vec![("Location", location)],
                    ..Answer::json(302, String::new())
                },
                Err((status, page)) => Answer {
                    content_type: "text/plain; charset=utf-8",
                    ..Answer::json(status, page)
                },
            }
        }
        Api::DeviceCode => {
            let (status, body) = oauth.issue_code(
                id,
                form.get("scope").map_or("", String::as_str),
                &config.sign_in,
            );
            Answer::json(status, body)
        }
        Api::Token => {
            let subject = TokenSubject {
                tenant_id: config.tenant.tenant_id.clone(),
                upn: config.tenant.user_principal_name.clone(),
            };
            let ((status, body), minted_by) = oauth.token(&TokenRequest {
                request: id,
                form: &form,
                behaviour: &config.sign_in,
                subject: &subject,
            });
            Answer {
                depends_on: minted_by.into_iter().collect(),
                ..Answer::json(status, body)
            }
        }
        data => match authorised(&oauth, authorization, data) {
            Ok(minted) => tenant_data(state, &config, id, data, path, query, minted),
            Err(refused) => refused,
        },
    }
}

/// The token a data request carries, when this tenant issued it for the endpoint's audience;
/// else Graph's 401 answer.
fn authorised(oauth: &OAuthState, authorization: &str, data: Api) -> Result<Minted, Answer> {
    let Some(minted) = oauth.access_token(authorization).cloned() else {
        return Err(Answer::json(
            401,
            r#"{"error":{"code":"InvalidAuthenticationToken","message":"Access token is empty or was not issued by this tenant."}}"#.into(),
        ));
    };
    if !audience_fits(data, &minted.scope) {
        return Err(Answer::json(
            401,
            format!(
                r#"{{"error":{{"code":"InvalidAuthenticationToken","message":"Access token has the wrong audience for {}."}}}}"#,
                data.name()
            ),
        ));
    }
    Ok(minted)
}

/// A data endpoint's answer: paged and filtered as Graph does, the RMS admin calls behind
/// their locator.
fn tenant_data(
    state: &State,
    config: &EmulatorConfig,
    id: u64,
    data: Api,
    path: &str,
    query: &str,
    minted: Minted,
) -> Answer {
    let mut depends_on = vec![minted.by_request];
    let (status, body, content_type) = match data {
        Api::RmsServiceLocator => (
            200,
            locator_answer(&format!(
                "{}/admin/r{id}/v2",
                config.rms_admin_base.as_deref().unwrap_or(&state.base)
            )),
            "text/xml; charset=utf-8",
        ),
        Api::RmsFunctionalState | Api::RmsOnboardingPolicy | Api::RmsConfiguration => {
            depends_on.extend(locator_request(path));
            let (status, body) = config.tenant.answer(data);
            (status, body, "application/json; charset=utf-8")
        }
        Api::OnboardingGroup => {
            let (status, body) = group_at(config.tenant.answer(data), path);
            (status, body, "application/json; charset=utf-8")
        }
        _ => {
            let (status, body) = config.tenant.answer(data);
            let base = config.next_link_base.as_deref().unwrap_or(&state.base);
            let body = match data {
                Api::MemberOf
                | Api::LicenseDetails
                | Api::SubscribedSkus
                | Api::ConditionalAccess => graph_page(body, base, path, query),
                Api::Devices => graph_page(devices_matching(body, query), base, path, query),
                _ => body,
            };
            (status, body, "application/json; charset=utf-8")
        }
    };
    Answer {
        content_type,
        depends_on,
        audience: Some(minted.scope),
        ..Answer::json(status, body)
    }
}

/// Graph's page size when the request names no `$top` (learn.microsoft.com/graph/paging).
const GRAPH_PAGE: usize = 100;

/// One page of a Graph list as Graph serves it: at most [`GRAPH_PAGE`] objects, and an absolute
/// `@odata.nextLink` (on `base`) while more follow. The skip token is opaque to clients; here
/// it is the index of the page's first object.
fn graph_page(body: String, base: &str, path: &str, query: &str) -> String {
    let Ok(mut answer) = serde_json::from_str::<serde_json::Value>(&body) else {
        return body;
    };
    let Some(all) = answer.get_mut("value").and_then(|v| v.as_array_mut()) else {
        return body;
    };
    let start: usize = url::form_urlencoded::parse(query.as_bytes())
        .find(|(key, _)| key == "$skiptoken")
        .and_then(|(_, value)| value.parse().ok())
        .unwrap_or(0);
    let total = all.len();
    let page: Vec<serde_json::Value> = all.drain(..).skip(start).take(GRAPH_PAGE).collect();
    answer["value"] = serde_json::Value::Array(page);
    if start + GRAPH_PAGE < total {
        answer["@odata.nextLink"] =
            format!("{base}{path}?$skiptoken={}", start + GRAPH_PAGE).into();
    }
    answer.to_string()
}

/// The recorded devices that `$filter=deviceId eq '…'` selects, as Graph's `/devices` answers
/// it: an empty list when none has the id (learn.microsoft.com/graph/api/device-list, "Get a
/// device using its deviceId"); every device without a filter.
fn devices_matching(body: String, query: &str) -> String {
    let Ok(mut answer) = serde_json::from_str::<serde_json::Value>(&body) else {
        return body;
    };
    let filter = url::form_urlencoded::parse(query.as_bytes())
        .find(|(key, _)| key == "$filter")
        .map(|(_, value)| value.into_owned());
    let Some(filter) = filter else { return body };
    let wanted = filter
        .split_once("deviceId eq '")
        .and_then(|(_, rest)| rest.split_once('\''))
        .map(|(id, _)| id.to_ascii_lowercase());
    if let Some(all) = answer.get_mut("value").and_then(|v| v.as_array_mut()) {
        all.retain(|device| {
            let id = device.get("deviceId").and_then(|v| v.as_str());
            wanted
                .as_deref()
                .is_some_and(|w| id.is_some_and(|id| id.eq_ignore_ascii_case(w)))
        });
    }
    answer.to_string()
}

/// Whether an `x-ms-rms-platform-id` header names the caller's platform, as Microsoft's RMS
/// SDK sends it (`AppName=…;AppVersion=…;DevicePlatform=…;`, AzureAD/rms-sdk-for-cpp
/// `RestHttpClient.cpp`; reference/real-tenant.md "Azure RMS").
pub(super) fn names_a_platform(header: Option<&str>) -> bool {
    header.is_some_and(|h| {
        h.split(';').any(|pair| {
            pair.split_once('=').is_some_and(|(key, value)| {
                key.trim().eq_ignore_ascii_case("DevicePlatform") && !value.trim().is_empty()
            })
        })
    })
}

/// RMS's answer to a discovery request whose platform it cannot tell: an exception about the
/// caller, not the tenant (reference/real-tenant.md: `DevicePlatformNotRecognizedException`).
pub(super) fn platform_not_recognised() -> Answer {
    Answer::json(
        400,
        r#"{"Code":"Microsoft.RightsManagement.Exceptions.DevicePlatformNotRecognizedException","Message":"The device platform of the request is not recognized."}"#.into(),
    )
}

/// `GET /groups/{id}` as Graph answers it: the recorded group when the path names its id,
/// else 404 `Request_ResourceNotFound` with the message Graph gives for an unknown object
/// (learn.microsoft.com/graph/errors; the wording Graph sends for a missing directory object).
fn group_at((status, body): (u16, String), path: &str) -> (u16, String) {
    let asked = path.rsplit('/').next().unwrap_or_default();
    let recorded = serde_json::from_str::<serde_json::Value>(&body)
        .ok()
        .and_then(|v| v.get("id").and_then(|id| id.as_str()).map(str::to_owned));
    match recorded {
        Some(id) if !id.eq_ignore_ascii_case(asked) => (
            404,
            format!(
                r#"{{"error":{{"code":"Request_ResourceNotFound","message":"Resource '{asked}' does not exist or one of its queried reference-property objects are not present."}}}}"#
            ),
        ),
        _ => (status, body),
    }
}

/// Whether a token minted for `scope` is accepted by `api`'s service.
fn audience_fits(api: Api, scope: &str) -> bool {
    match api.host() {
        Host::Graph => scope.contains("graph"),
        Host::Portal => scope.starts_with("74658136") || scope.starts_with("ee62de39"),
        Host::Rms | Host::RmsDiscovery => scope.contains("aadrm"),
        Host::Authority => true,
    }
}

/// `/admin/r{N}/v2/FunctionalState` → the locator request `N` that named this URL.
fn locator_request(path: &str) -> Option<u64> {
    path.split('/')
        .find_map(|segment| segment.strip_prefix('r')?.parse().ok())
}

/// The OpenID configuration as the login host `path` was asked at (the path's first segment,
/// `usgov` or `china`, stands for that cloud's host) answers it for this tenant.
fn openid(config: &EmulatorConfig, path: &str) -> Answer {
    let (asked, path) = asked_cloud(path);
    let tenant = path.trim_start_matches('/').split('/').next().unwrap_or("");
    let cloud = &config.tenant.cloud;
    if !config.tenant.knows(tenant) || !cloud.known_at(asked) {
        return Answer::json(
            400,
            r#"{"error":"invalid_tenant","error_description":"AADSTS90002: Tenant not found."}"#
                .into(),
        );
    }
    let id = &config.tenant.tenant_id;
    let login = match asked {
        Cloud::Global => "login.microsoftonline.com",
        Cloud::UsGov => "login.microsoftonline.us",
        Cloud::China => "login.partner.microsoftonline.cn",
    };
    Answer::json(
        200,
        serde_json::json!({
            "token_endpoint": format!("https://{login}/{id}/oauth2/v2.0/token"),
            "issuer": format!("https://{login}/{id}/v2.0"),
            "tenant_region_scope": if cloud.home() == Cloud::Global { "EU" } else { "NA" },
            "tenant_region_sub_scope": cloud.sub_scope,
            "cloud_instance_name": cloud.instance,
            "msgraph_host": cloud.graph_host,
        })
        .to_string(),
    )
}

/// The path prefix that stands for each non-global cloud's login host.
pub(super) const CLOUD_PREFIXES: [(Cloud, &str); 2] =
    [(Cloud::UsGov, "/usgov"), (Cloud::China, "/china")];

/// Which cloud's login host a path was sent to, and the path without the prefix.
fn asked_cloud(path: &str) -> (Cloud, &str) {
    CLOUD_PREFIXES
        .iter()
        .find_map(|(cloud, prefix)| {
            path.strip_prefix(prefix)
                .filter(|rest| rest.starts_with('/'))
                .map(|rest| (*cloud, rest))
        })
        .unwrap_or((Cloud::Global, path))
}

fn locator_answer(url: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><FindServiceLocationsForUserResponse xmlns="http://microsoft.com/DRM/ServiceLocatorService"><FindServiceLocationsForUserResult><ServiceLocationResponse><Type>AdminV2Service</Type><Url>{url}</Url></ServiceLocationResponse></FindServiceLocationsForUserResult></FindServiceLocationsForUserResponse></soap:Body></soap:Envelope>"#
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn discovery_wants_the_platform_the_sdk_names() {
        assert!(names_a_platform(Some(
            "AppName=esr-doctor;AppVersion=0.1.0;DevicePlatform=Windows;"
        )));
        for header in [None, Some(""), Some("AppName=x;"), Some("DevicePlatform=;")] {
            assert!(!names_a_platform(header), "{header:?}");
        }
        // The refusal is about the caller: never a tenant whose platform is disabled.
        let refusal = platform_not_recognised();
        assert_eq!(refusal.status, 400);
        let read = crate::facts::tenant::rms::parse_discovery("d", &refusal.body);
        assert!(read.is_err(), "{read:?}");
    }
}
