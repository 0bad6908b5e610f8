//! Entra's OAuth endpoints through the `oauth2` crate: the client for one sign-in target, the
//! transport that sends oauth2's requests through esr-doctor's own HTTP client (proxy rules,
//! deadlines, retries, client-request-ids), Entra's error answer with its AADSTS codes, and
//! the mapping from any failed token request to a [`SignInError`].

use super::SignInError;
use super::refusals::{self, RefusalKind};
use crate::cloud::api::authority_path;
use crate::cloud::endpoints::{Endpoints, Host};
use crate::cloud::http::{CallError, CloudHttp};
use crate::facts::tenant::Api;
use oauth2::basic::{
    BasicRevocationErrorResponse, BasicTokenIntrospectionResponse, BasicTokenResponse,
};
use oauth2::{
    AuthUrl, ClientId, DeviceAuthorizationUrl, EndpointNotSet, EndpointSet, RedirectUrl,
    RequestTokenError, StandardRevocableToken, TokenUrl,
};
use serde::{Deserialize, Serialize};
use std::sync::Mutex;
use std::time::Instant;

/// Who signs in where.
#[derive(Debug, Clone)]
pub struct SignInTarget {
    pub endpoints: Endpoints,
    /// `organizations`, a tenant id or a verified domain.
    pub tenant: String,
    pub client_id: String,
    /// The scope of the first token, asked for when the person signs in; every other
    /// audience is then redeemed from its refresh token, each on its own.
    pub first_scope: String,
    /// `--user`: offered to the sign-in page as the account to use.
    pub login_hint: Option<String>,
}

impl SignInTarget {
    /// The URL of `api` on this target's authority, for its tenant.
    pub fn url(&self, api: Api) -> String {
        let path = authority_path(api, &self.tenant).unwrap_or_default();
        self.endpoints.url(Host::Authority, &path)
    }

    /// The oauth2 client for this target (`redirect`: the browser flow's loopback address).
    pub fn client(&self, redirect: Option<&str>) -> Result<EntraClient, SignInError> {
        let bad = |what: &str, e: url::ParseError| {
            SignInError::Credential(format!(
                "the sign-in {what} is not a URL ({e}); check the endpoints file"
            ))
        };
        let client = oauth2::Client::new(ClientId::new(self.client_id.clone()))
            .set_auth_uri(AuthUrl::new(self.url(Api::Authorize)).map_err(|e| bad("page", e))?)
            .set_device_authorization_url(
                DeviceAuthorizationUrl::new(self.url(Api::DeviceCode))
                    .map_err(|e| bad("device-code endpoint", e))?,
            )
            .set_token_uri(
                TokenUrl::new(self.url(Api::Token)).map_err(|e| bad("token endpoint", e))?,
            );
        match redirect {
            Some(redirect) => Ok(client.set_redirect_uri(
                RedirectUrl::new(redirect.to_owned()).map_err(|e| bad("redirect", e))?,
            )),
            None => Ok(client),
        }
    }
}

/// An oauth2 client with Entra's error answer and the three endpoints esr-doctor uses.
pub type EntraClient = oauth2::Client<
    EntraError,
    BasicTokenResponse,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    EndpointSet,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointSet,
>;

/// Entra's OAuth error answer: RFC 6749's `error` and `error_description`, and the AADSTS
/// numbers in `error_codes` (Entra `reference-error-codes.md`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EntraError {
    pub error: String,
    #[serde(default)]
    pub error_description: Option<String>,
    #[serde(default)]
    pub error_codes: Vec<i64>,
}

impl std::fmt::Display for EntraError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.error)
    }
}

impl oauth2::ErrorResponse for EntraError {}

impl EntraError {
    /// The AADSTS number: the first of `error_codes`, else the `AADSTSnnnn` the description
    /// starts with (every Entra description does; some proxies drop `error_codes`).
    pub fn aadsts(&self) -> Option<u32> {
        self.error_codes
            .iter()
            .find_map(|c| u32::try_from(*c).ok())
            .or_else(|| {
                let description = self.error_description.as_deref()?;
                let digits: String = description
                    .trim_start()
                    .strip_prefix("AADSTS")?
                    .chars()
                    .take_while(char::is_ascii_digit)
                    .collect();
                digits.parse().ok()
            })
    }

    /// The description's first line, with any credential it echoed removed.
    pub fn first_line(&self) -> String {
        crate::evidence::secrets::strip_bearer_material(
            self.error_description
                .as_deref()
                .and_then(|d| d.lines().next())
                .unwrap_or(""),
        )
    }

    /// What this answer means: a named refusal when its AADSTS code is known, else Entra's own
    /// words with the OAuth error code.
    pub fn into_sign_in_error(self, api: Api, status: u16) -> SignInError {
        if let Some(code) = self.aadsts()
            && refusals::find(code).is_some_and(|r| r.kind != RefusalKind::Progress)
        {
            return SignInError::Entra {
                code,
                description: self.first_line(),
            };
        }
        SignInError::Refused {
            api: api.name(),
            status,
            code: self.error.clone(),
            description: self.first_line(),
        }
    }
}

impl<'c> oauth2::AsyncHttpClient<'c> for Transport<'_> {
    type Error = CallError;
    type Future = Sent<'c>;

    fn call(&'c self, request: oauth2::HttpRequest) -> Self::Future {
        Box::pin(self.send(request))
    }
}

/// One request on its way through [`CloudHttp`].
type Sent<'a> =
    std::pin::Pin<Box<dyn Future<Output = Result<oauth2::HttpResponse, CallError>> + Send + 'a>>;

/// Sends oauth2's requests for one endpoint through [`CloudHttp`], keeping the status of the
/// last answer (oauth2's error does not carry it).
pub struct Transport<'a> {
    http: &'a CloudHttp,
    api: Api,
    deadline: Instant,
    status: Mutex<u16>,
}

impl<'a> Transport<'a> {
    pub fn new(http: &'a CloudHttp, api: Api, deadline: Instant) -> Self {
        Transport {
            http,
            api,
            deadline,
            status: Mutex::new(0),
        }
    }

    /// The status of the last answer (0 before any).
    pub fn status(&self) -> u16 {
        *self
            .status
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    async fn send(&self, request: oauth2::HttpRequest) -> Result<oauth2::HttpResponse, CallError> {
        let (parts, body) = request.into_parts();
        let url = parts.uri.to_string();
        let reply = self
            .http
            .send(self.api, self.deadline, |c| {
                let mut builder = c.request(parts.method.clone(), &url).body(body.clone());
                for (name, value) in &parts.headers {
                    builder = builder.header(name, value);
                }
                builder
            })
            .await?;
        *self
            .status
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = reply.status;
        // No Content-Type is passed on: a body that is not Entra's JSON is named by its status
        // and an excerpt below, not by oauth2's content-type complaint.
        let mut response = http::Response::new(reply.body.into_bytes());
        *response.status_mut() =
            http::StatusCode::from_u16(reply.status).unwrap_or(http::StatusCode::BAD_GATEWAY);
        Ok(response)
    }

    /// What a failed oauth2 request means.
    pub fn error(&self, error: RequestTokenError<CallError, EntraError>) -> SignInError {
        let status = self.status();
        match error {
            RequestTokenError::ServerResponse(answer) => {
                answer.into_sign_in_error(self.api, status)
            }
            RequestTokenError::Request(call) => SignInError::Call(call),
            RequestTokenError::Parse(e, body) => {
                if (200..300).contains(&status) {
                    SignInError::Malformed {
                        api: self.api.name(),
                        status,
                        detail: crate::evidence::secrets::strip_bearer_material(&e.to_string()),
                    }
                } else {
                    SignInError::status(self.api, status, &String::from_utf8_lossy(&body))
                }
            }
            RequestTokenError::Other(detail) => SignInError::Malformed {
                api: self.api.name(),
                status,
                detail,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_aadsts_code_comes_from_error_codes_or_the_description() {
        let listed = EntraError {
            error: "invalid_grant".into(),
            error_description: Some("AADSTS1: x".into()),
            error_codes: vec![530035],
        };
        assert_eq!(listed.aadsts(), Some(530035));
        let described = EntraError {
            error: "invalid_grant".into(),
            error_description: Some("AADSTS53003: Access has been blocked".into()),
            error_codes: vec![],
        };
        assert_eq!(described.aadsts(), Some(53003));
        assert_eq!(EntraError::default().aadsts(), None);
        let garbage = EntraError {
            error_description: Some("AADSTSxyz".into()),
            error_codes: vec![-1],
            ..EntraError::default()
        };
        assert_eq!(garbage.aadsts(), None);
    }

    #[test]
    fn a_known_code_is_named_and_an_unknown_one_keeps_entras_words() {
        let blocked = EntraError {
            error: "invalid_grant".into(),
            error_description: Some(
                "AADSTS530035: Access has been blocked by security defaults.\r\nTrace ID: x".into(),
            ),
            error_codes: vec![530035],
        };
        let named = blocked.into_sign_in_error(Api::Token, 400);
        assert!(
            matches!(named, SignInError::Entra { code: 530035, .. }),
            "{named:?}"
        );
        assert!(named.to_string().contains("--auth browser"), "{named}");
        let unknown = EntraError {
            error: "invalid_request".into(),
            error_description: Some("AADSTS12345678: something new".into()),
            error_codes: vec![12_345_678],
        };
        let shown = unknown.into_sign_in_error(Api::Token, 400).to_string();
        assert!(
            shown.contains("invalid_request") && shown.contains("something new"),
            "{shown}"
        );
    }
}
