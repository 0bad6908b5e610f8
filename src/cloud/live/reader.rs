//! The data calls of one fact source with its audience's token: Graph with every page, the
//! portal's ESR setting, RMS discovery and the RMS admin calls behind their locator.

use super::*;

/// The data calls of one fact source, with the token of its audience.
pub(super) struct Reader<'a> {
    pub(super) http: &'a CloudHttp,
    pub(super) endpoints: &'a Endpoints,
    pub(super) token: &'a str,
    pub(super) deadline: Instant,
    /// Whose data is read (`None`: the signed-in user's own, `/me`).
    pub(super) subject: Option<&'a str>,
    /// Who signed in, as the token names them.
    pub(super) operator: Option<&'a str>,
}

impl Reader<'_> {
    /// A Graph answer, every page of it (see [`paging`]).
    pub(super) async fn graph(&self, api: Api) -> (Api, Result<Option<String>, AnswerError>) {
        let path = api.graph_path(self.subject).unwrap_or_default();
        (api, self.graph_pages(api, &path).await)
    }

    pub(super) async fn graph_pages(
        &self,
        api: Api,
        path: &str,
    ) -> Result<Option<String>, AnswerError> {
        let base = self.endpoints.base(Host::Graph);
        let Some(first) = self
            .get_json(api, &self.endpoints.url(api.host(), path))
            .await?
        else {
            return Ok(None);
        };
        let (mut pages, mut next) = paging::Pages::start(api.name(), first, base)?;
        loop {
            match next {
                paging::Next::Done(body) => return Ok(Some(body)),
                paging::Next::Follow(url) => {
                    let page = self.get_json(api, &url).await?.unwrap_or_default();
                    next = pages.add(&page, base)?;
                }
            }
        }
    }

    /// The device object with the id `device_id` names; nothing when no id is known.
    pub(super) async fn device(
        &self,
        device_id: DeviceIdLookup,
    ) -> (Api, Result<Option<String>, AnswerError>) {
        let Some(path) = device_id.await.as_deref().and_then(api::devices_path) else {
            return (Api::Devices, Ok(None));
        };
        (Api::Devices, self.graph_pages(Api::Devices, &path).await)
    }

    pub(super) async fn roaming(&self) -> Result<Option<String>, AnswerError> {
        let url = self.endpoints.url(Host::Portal, api::ROAMING_SETTINGS_PATH);
        self.get_json(Api::RoamingSettings, &url).await
    }

    /// Service discovery as Microsoft's RMS SDK asks it: for the user's e-mail, with the
    /// platform header (AzureAD/rms-sdk-for-cpp `ServiceDiscoveryClient.cpp`,
    /// `RestHttpClient.cpp`; reference/real-tenant.md).
    pub(super) async fn rms_discovery(&self) -> Result<Option<String>, AnswerError> {
        let mut url = self.endpoints.url(Host::Rms, api::RMS_DISCOVERY_PATH);
        if let Some(user) = self.subject.or(self.operator) {
            url = format!("{url}?email={}", api::encode_segment(user));
        }
        self.get_json(Api::RmsDiscovery, &url).await
    }

    /// `GET` a JSON answer at `url` with the bearer token (the portal also wants
    /// `X-Requested-With`).
    pub(super) async fn get_json(
        &self,
        api: Api,
        url: &str,
    ) -> Result<Option<String>, AnswerError> {
        let bearer = format!("Bearer {}", self.token);
        let portal = api.host() == Host::Portal;
        let reply = self
            .http
            .send(api, self.deadline, |c| {
                let request = c
                    .get(url)
                    .header("Authorization", &bearer)
                    .header("Accept", "application/json");
                match api.host() {
                    _ if portal => request.header("X-Requested-With", "XMLHttpRequest"),
                    Host::Rms => request.header("x-ms-rms-platform-id", rms_platform_id()),
                    _ => request,
                }
            })
            .await;
        // RMS tells its state (NotSignedUpException, ...) in error bodies; those are answers.
        json_answer(api, reply, api == Api::RmsDiscovery)
    }

    /// The admin view: the service locator names the admin URL, which answers the
    /// FunctionalState, the onboarding control policy and the configuration (IPCv3Service).
    /// A failing locator is recorded once, against FunctionalState.
    pub(super) async fn rms_admin(&self) -> Vec<(Api, Result<Option<String>, AnswerError>)> {
        let admin_url = match self.rms_admin_url().await {
            Ok(url) => url,
            Err(e) => return vec![(Api::RmsFunctionalState, Err(e))],
        };
        let (state, onboarding, configuration) = tokio::join!(
            self.rms_admin_get(Api::RmsFunctionalState, &admin_url, "FunctionalState"),
            self.rms_admin_get(
                Api::RmsOnboardingPolicy,
                &admin_url,
                "OnboardingControlPolicy"
            ),
            self.rms_admin_get(Api::RmsConfiguration, &admin_url, "Configuration"),
        );
        vec![
            (Api::RmsFunctionalState, state),
            (Api::RmsOnboardingPolicy, onboarding),
            (Api::RmsConfiguration, configuration),
        ]
    }

    pub(super) async fn rms_admin_url(&self) -> Result<String, AnswerError> {
        let url = self
            .endpoints
            .url(Host::RmsDiscovery, api::RMS_LOCATOR_PATH);
        let msoid = format!("MSOID {}", self.token);
        let reply = self
            .http
            .send(Api::RmsServiceLocator, self.deadline, |c| {
                c.post(&url)
                    .header("Authorization", &msoid)
                    .header("Content-Type", "text/xml; charset=utf-8")
                    .body(LOCATOR_REQUEST)
            })
            .await;
        let reply = reply.map_err(|e| call_failure(Api::RmsServiceLocator, &e))?;
        if !reply.is_success() {
            return Err(status_failure(Api::RmsServiceLocator, &reply));
        }
        let admin_url = locator_url(&reply.body).ok_or_else(|| AnswerError::Http {
            endpoint: Api::RmsServiceLocator.name().to_owned(),
            status: Some(reply.status),
            detail: "the answer names no admin service URL".into(),
        })?;
        self.endpoints
            .rms_admin_url(&admin_url)
            .map_err(|detail| AnswerError::Http {
                endpoint: Api::RmsServiceLocator.name().to_owned(),
                status: Some(reply.status),
                detail: detail.to_string(),
            })
    }

    pub(super) async fn rms_admin_get(
        &self,
        api: Api,
        admin_url: &str,
        leaf: &str,
    ) -> Result<Option<String>, AnswerError> {
        let url = format!("{admin_url}/{leaf}");
        let msoid = format!("MSOID {}", self.token);
        let reply = self
            .http
            .send(api, self.deadline, |c| {
                c.get(&url)
                    .header("Authorization", &msoid)
                    .header("Accept", "application/json")
            })
            .await;
        json_answer(api, reply, false)
    }
}

/// The `x-ms-rms-platform-id` header, in the `Key=Value;` form Microsoft's clients send.
fn rms_platform_id() -> String {
    let platform = if cfg!(windows) {
        "Windows"
    } else if cfg!(target_os = "macos") {
        "Mac"
    } else {
        "Linux"
    };
    format!(
        "AppName=esr-doctor;AppVersion={};DevicePlatform={platform};",
        env!("CARGO_PKG_VERSION")
    )
}

/// The SOAP request for the admin service's URL (what the AIPService module sends).
const LOCATOR_REQUEST: &str = concat!(
    r#"<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>"#,
    r#"<FindServiceLocationsForUser xmlns="http://microsoft.com/DRM/ServiceLocatorService"><ServiceNames><ServiceLocationRequest><Type>AdminV2Service</Type></ServiceLocationRequest></ServiceNames></FindServiceLocationsForUser>"#,
    r#"</soap:Body></soap:Envelope>"#
);

/// `//ServiceLocationResponse/Url` of the locator's SOAP answer.
fn locator_url(xml: &str) -> Option<String> {
    let document = roxmltree::Document::parse(xml).ok()?;
    document
        .descendants()
        .filter(|n| n.has_tag_name("ServiceLocationResponse"))
        .flat_map(|n| n.children())
        .find(|n| n.has_tag_name("Url"))
        .and_then(|n| n.text())
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty())
}

/// Turns a reply into an answer body or a failure that names the endpoint and status.
/// `service_errors_are_answers`: RMS reports its state (`NotSignedUpException`, ...) as a 4xx/5xx
/// with a `{"Code": ...}` body; that body is the answer.
pub(super) fn json_answer(
    api: Api,
    reply: Result<Reply, crate::cloud::http::CallError>,
    service_errors_are_answers: bool,
) -> Result<Option<String>, AnswerError> {
    let reply = reply.map_err(|e| call_failure(api, &e))?;
    let json: Option<serde_json::Value> = serde_json::from_str(&reply.body).ok();
    if reply.is_success() {
        return match json {
            Some(_) => Ok(Some(reply.body)),
            None => Err(AnswerError::Http {
                endpoint: api.name().to_owned(),
                status: Some(reply.status),
                detail: format!("the answer is not JSON: {}", auth::excerpt(&reply.body)),
            }),
        };
    }
    let is_rms_exception = json
        .as_ref()
        .and_then(|v| v.get("Code"))
        .and_then(serde_json::Value::as_str)
        .is_some_and(|code| code.ends_with("Exception"));
    if service_errors_are_answers && is_rms_exception && !matches!(reply.status, 401 | 403) {
        return Ok(Some(reply.body));
    }
    Err(status_failure(api, &reply))
}

fn status_failure(api: Api, reply: &Reply) -> AnswerError {
    let service = crate::facts::tenant::parse_answer(api.name(), &reply.body)
        .err()
        .and_then(|e| match e {
            AnswerError::Service { code, message, .. } => Some(format!(
                "{code}: {}",
                crate::evidence::secrets::strip_bearer_material(&message)
            )),
            _ => None,
        });
    let detail = match reply.status {
        401 | 403 => format!(
            "{}{}",
            api.needs(),
            service.map(|s| format!(" ({s})")).unwrap_or_default()
        ),
        _ => service.unwrap_or_else(|| auth::excerpt(&reply.body)),
    };
    AnswerError::Http {
        endpoint: api.name().to_owned(),
        status: Some(reply.status),
        detail: format!("{detail} [client-request-id {}]", reply.client_request_id),
    }
}

fn call_failure(api: Api, error: &crate::cloud::http::CallError) -> AnswerError {
    AnswerError::Http {
        endpoint: api.name().to_owned(),
        status: None,
        detail: error.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_locator_answer_names_the_admin_url() {
        let xml = r#"<?xml version="1.0"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><FindServiceLocationsForUserResponse xmlns="http://microsoft.com/DRM/ServiceLocatorService"><FindServiceLocationsForUserResult><ServiceLocationResponse><Type>AdminV2Service</Type><Url>https://admin.eu.aadrm.com/admin/v2</Url></ServiceLocationResponse></FindServiceLocationsForUserResult></FindServiceLocationsForUserResponse></soap:Body></soap:Envelope>"#;
        assert_eq!(
            locator_url(xml).as_deref(),
            Some("https://admin.eu.aadrm.com/admin/v2")
        );
        assert_eq!(locator_url("<a/>"), None);
        assert_eq!(locator_url("not xml"), None);
    }
}
