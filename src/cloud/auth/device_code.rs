//! Sign-in with a device code (Entra v2; azure_identity 1.x has no such credential): show a
//! code, poll the token endpoint until the person approves it on any device, then redeem the
//! refresh token for every other audience so there is one prompt per run — or none, when the
//! keyring still holds a refresh token from an earlier run.
//!
//! Every way the flow ends has its own message: declined, expired, a code the service does not
//! know, Conditional Access blocking the device-code flow, cancelled by the person, or the
//! endpoint failing (named, with its status).

use super::token_store::TokenStore;
use super::{PromptSink, SignInError, SignInEvent, SignInPrompt};
use crate::cloud::api::{Api, authority_path};
use crate::cloud::endpoints::{Endpoints, Host};
use crate::cloud::http::{CloudHttp, Reply};
use azure_core::credentials::{AccessToken, Secret, TokenCredential, TokenRequestOptions};
use serde::Deserialize;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{Mutex, OnceCell, watch};

/// How the flow paces itself (tests and the demo shorten the waits).
#[derive(Debug, Clone)]
pub struct DeviceCodeOptions {
    /// Poll this often instead of the `interval` the service asks for.
    pub poll_interval: Option<Duration>,
    /// Added to the interval on `slow_down` (RFC 8628 says five seconds).
    pub slow_down_step: Duration,
    /// Longest wait for any one sign-in call (retries included).
    pub call_budget: Duration,
}

impl Default for DeviceCodeOptions {
    fn default() -> Self {
        DeviceCodeOptions {
            poll_interval: None,
            slow_down_step: Duration::from_secs(5),
            call_budget: Duration::from_secs(30),
        }
    }
}

/// Who signs in where.
#[derive(Debug, Clone)]
pub struct SignInTarget {
    pub endpoints: Endpoints,
    /// `organizations`, a tenant id or a verified domain.
    pub tenant: String,
    pub client_id: String,
    /// The scope of the first token, asked for with the device code; every other audience is
    /// then redeemed from its refresh token.
    pub first_scope: String,
}

/// The device-code credential.
pub struct DeviceCodeCredential {
    http: Arc<CloudHttp>,
    target: SignInTarget,
    store: TokenStore,
    prompt: PromptSink,
    cancel: watch::Receiver<bool>,
    options: DeviceCodeOptions,
    refresh: Mutex<Option<Secret>>,
    loaded: OnceCell<()>,
    signed_in: OnceCell<Result<AccessToken, SignInError>>,
}

impl std::fmt::Debug for DeviceCodeCredential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeviceCodeCredential")
            .field("tenant", &self.target.tenant)
            .field("client_id", &self.target.client_id)
            .finish_non_exhaustive()
    }
}

/// `POST /devicecode`'s answer.
#[derive(Debug, Deserialize)]
struct DeviceCodeAnswer {
    device_code: String,
    user_code: String,
    #[serde(alias = "verification_url")]
    verification_uri: String,
    #[serde(default = "default_expiry")]
    expires_in: u64,
    #[serde(default)]
    interval: Option<u64>,
    #[serde(default)]
    message: Option<String>,
}

/// Bounds on what a device-code answer may say, in seconds.
const MIN_CODE_LIFETIME_S: u64 = 60;
const MAX_CODE_LIFETIME_S: u64 = 1800;
const MAX_POLL_INTERVAL_S: u64 = 30;

/// How long the code is waited for: 15 minutes as Entra says (reference/microsoft-apis.md §3),
/// and an answer that says 0 or a thousand years held to sane bounds, so a sign-in always ends.
fn code_lifetime(said: u64) -> Duration {
    Duration::from_secs(said.clamp(MIN_CODE_LIFETIME_S, MAX_CODE_LIFETIME_S))
}

/// How often the token endpoint is polled: RFC 8628 §3.5's 5 s unless the service says
/// otherwise, never 0 (a busy loop) nor so long that the code expires between two polls.
fn poll_interval(said: Option<u64>) -> Duration {
    Duration::from_secs(said.unwrap_or(5).clamp(1, MAX_POLL_INTERVAL_S))
}

/// Hosts of Microsoft's device-login pages: `microsoft.com/devicelogin` (and its US Government
/// and China variants, `deviceloginus`, `deviceloginchina`), `aka.ms/devicelogin`, and the
/// authorities' own `…/oauth2/deviceauth`.
const DEVICE_LOGIN_HOSTS: [&str; 7] = [
    "microsoft.com",
    "www.microsoft.com",
    "aka.ms",
    "login.microsoftonline.com",
    "login.microsoftonline.us",
    "login.chinacloudapi.cn",
    "login.partner.microsoftonline.cn",
];

/// True when `uri` is a Microsoft device-login page over https: the person is told to type a
/// code there, so a service (or whatever answered in its place) must not choose another page.
fn is_microsoft_device_login(uri: &str) -> bool {
    reqwest::Url::parse(uri.trim()).is_ok_and(|url| {
        url.scheme() == "https"
            && url.username().is_empty()
            && url.password().is_none()
            && url.port().is_none()
            && url
                .host_str()
                .is_some_and(|h| DEVICE_LOGIN_HOSTS.contains(&h.to_ascii_lowercase().as_str()))
            && {
                let path = url.path().to_ascii_lowercase();
                path.contains("devicelogin") || path.contains("deviceauth")
            }
    })
}

fn default_expiry() -> u64 {
    900
}

/// A token endpoint answer: tokens, or an OAuth error.
#[derive(Deserialize)]
struct TokenAnswer {
    #[serde(default)]
    access_token: Option<String>,
    #[serde(default)]
    refresh_token: Option<String>,
    #[serde(default)]
    expires_in: Option<serde_json::Value>,
    #[serde(default)]
    error: Option<String>,
    #[serde(default)]
    error_description: Option<String>,
    #[serde(default)]
    error_codes: Vec<i64>,
}

impl DeviceCodeCredential {
    pub fn new(
        http: Arc<CloudHttp>,
        target: SignInTarget,
        store: TokenStore,
        prompt: PromptSink,
        cancel: watch::Receiver<bool>,
        options: DeviceCodeOptions,
    ) -> DeviceCodeCredential {
        DeviceCodeCredential {
            http,
            target,
            store,
            prompt,
            cancel,
            options,
            refresh: Mutex::new(None),
            loaded: OnceCell::new(),
            signed_in: OnceCell::new(),
        }
    }

    /// A token for `scope`: redeemed from a refresh token when one is held, else after the one
    /// device-code sign-in of this run.
    pub async fn token_for(&self, scope: &str) -> Result<AccessToken, SignInError> {
        self.loaded
            .get_or_init(|| async {
                if let Some(token) = self.store.load().await {
                    crate::redact::secrets::remember(&token);
                    *self.refresh.lock().await = Some(Secret::new(token));
                }
            })
            .await;
        let held = self.refresh.lock().await.clone();
        if let Some(refresh) = held {
            match self.redeem(scope, &refresh).await {
                Err(SignInError::RefreshRejected) => {
                    tracing::info!("the stored sign-in was refused; signing in anew");
                    let mut slot = self.refresh.lock().await;
                    if slot.as_ref().map(Secret::secret) == Some(refresh.secret()) {
                        *slot = None;
                        self.store.forget().await;
                    }
                }
                other => return other,
            }
        }
        let first = self
            .signed_in
            .get_or_init(|| async {
                let outcome = self.device_flow().await;
                match &outcome {
                    Ok(_) => tracing::info!(tenant = %self.target.tenant, "signed in with a device code"),
                    Err(e) => tracing::warn!(tenant = %self.target.tenant, "device-code sign-in ended: {e}"),
                }
                (self.prompt)(match &outcome {
                    Ok(_) => SignInEvent::SignedIn,
                    Err(e) => SignInEvent::Failed(e.to_string()),
                });
                outcome
            })
            .await
            .clone()?;
        if scope == self.target.first_scope {
            return Ok(first);
        }
        let refresh = self
            .refresh
            .lock()
            .await
            .clone()
            .ok_or(SignInError::NoRefreshToken)?;
        match self.redeem(scope, &refresh).await {
            Err(SignInError::RefreshRejected) => Err(SignInError::NoRefreshToken),
            other => other,
        }
    }

    fn url(&self, api: Api) -> String {
        let path = authority_path(api, &self.target.tenant).unwrap_or_default();
        self.target.endpoints.url(Host::Authority, &path)
    }

    async fn device_flow(&self) -> Result<AccessToken, SignInError> {
        let scope = format!("{} offline_access openid profile", self.target.first_scope);
        let form = [
            ("client_id", self.target.client_id.as_str()),
            ("scope", scope.as_str()),
        ];
        let url = self.url(Api::DeviceCode);
        let reply = self
            .http
            .send(Api::DeviceCode, self.deadline(), |c| {
                c.post(&url).form(&form)
            })
            .await?;
        if !reply.is_success() {
            let answer: Option<TokenAnswer> = serde_json::from_str(&reply.body).ok();
            return Err(match answer {
                Some(a) if a.error.is_some() => oauth_error(Api::DeviceCode, reply.status, &a),
                _ => SignInError::status(Api::DeviceCode, reply.status, &reply.body),
            });
        }
        let code: DeviceCodeAnswer =
            serde_json::from_str(&reply.body).map_err(|e| SignInError::Malformed {
                api: Api::DeviceCode.name(),
                status: reply.status,
                detail: e.to_string(),
            })?;
        crate::redact::secrets::remember(&code.device_code);
        if !is_microsoft_device_login(&code.verification_uri) {
            return Err(SignInError::Malformed {
                api: Api::DeviceCode.name(),
                status: reply.status,
                detail: format!(
                    "the sign-in page it names ({:?}) is not Microsoft's device-login page; not shown",
                    code.verification_uri.chars().take(120).collect::<String>()
                ),
            });
        }
        let expires_at = Instant::now() + code_lifetime(code.expires_in);
        tracing::info!(
            expires_in_s = code.expires_in,
            "device code issued; waiting for the person to sign in"
        );
        (self.prompt)(SignInEvent::Code(SignInPrompt {
            user_code: code.user_code.clone(),
            verification_uri: code.verification_uri.clone(),
            expires_at,
            message: code.message.clone().unwrap_or_default(),
        }));
        let mut interval = self
            .options
            .poll_interval
            .unwrap_or_else(|| poll_interval(code.interval));
        let token_url = self.url(Api::Token);
        let device_code = code.device_code;
        loop {
            self.wait_or_cancel(interval).await?;
            if Instant::now() >= expires_at {
                return Err(SignInError::Expired);
            }
            let form = [
                ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
                ("client_id", self.target.client_id.as_str()),
                ("device_code", device_code.as_str()),
            ];
            let reply = self
                .http
                .send(Api::Token, self.deadline(), |c| {
                    c.post(&token_url).form(&form)
                })
                .await?;
            let answer = token_answer(&reply)?;
            match answer.error.as_deref() {
                None if reply.is_success() => return self.accept(answer).await,
                Some("authorization_pending") => {}
                Some("slow_down") => interval += self.options.slow_down_step,
                Some("authorization_declined") => return Err(SignInError::Declined),
                Some("expired_token") => return Err(SignInError::Expired),
                Some("bad_verification_code") => return Err(SignInError::BadCode),
                Some(_) => return Err(oauth_error(Api::Token, reply.status, &answer)),
                None => return Err(SignInError::status(Api::Token, reply.status, &reply.body)),
            }
        }
    }

    /// Exchanges a refresh token for a token of `scope`.
    async fn redeem(&self, scope: &str, refresh: &Secret) -> Result<AccessToken, SignInError> {
        let scope = format!("{scope} offline_access");
        let form = [
            ("grant_type", "refresh_token"),
            ("client_id", self.target.client_id.as_str()),
            ("refresh_token", refresh.secret()),
            ("scope", scope.as_str()),
        ];
        let url = self.url(Api::Token);
        let reply = self
            .http
            .send(Api::Token, self.deadline(), |c| c.post(&url).form(&form))
            .await?;
        let answer = token_answer(&reply)?;
        match answer.error.as_deref() {
            None if reply.is_success() => self.accept(answer).await,
            Some("invalid_grant" | "interaction_required") if !is_conditional_access(&answer) => {
                Err(SignInError::RefreshRejected)
            }
            Some(_) => Err(oauth_error(Api::Token, reply.status, &answer)),
            None => Err(SignInError::status(Api::Token, reply.status, &reply.body)),
        }
    }

    /// Keeps the new refresh token (memory and keyring) and returns the access token.
    async fn accept(&self, answer: TokenAnswer) -> Result<AccessToken, SignInError> {
        let access = answer.access_token.ok_or_else(|| SignInError::Malformed {
            api: Api::Token.name(),
            status: 200,
            detail: "the answer has no access_token".into(),
        })?;
        crate::redact::secrets::remember(&access);
        if let Some(refresh) = answer.refresh_token {
            crate::redact::secrets::remember(&refresh);
            *self.refresh.lock().await = Some(Secret::new(refresh.clone()));
            self.store.save(refresh).await;
        }
        let lifetime = answer
            .expires_in
            .and_then(|v| v.as_u64().or_else(|| v.as_str()?.parse().ok()))
            .unwrap_or(3600);
        let expires_on = azure_core::time::OffsetDateTime::now_utc()
            + azure_core::time::Duration::seconds(i64::try_from(lifetime).unwrap_or(3600));
        Ok(AccessToken::new(access, expires_on))
    }

    async fn wait_or_cancel(&self, wait: Duration) -> Result<(), SignInError> {
        let mut cancel = self.cancel.clone();
        if *cancel.borrow() {
            return Err(SignInError::Cancelled);
        }
        tokio::select! {
            () = tokio::time::sleep(wait) => Ok(()),
            _ = cancel.wait_for(|c| *c) => Err(SignInError::Cancelled),
        }
    }

    fn deadline(&self) -> Instant {
        Instant::now() + self.options.call_budget
    }
}

/// The token endpoint's answer; a body that is not one (an error page) is named by its status.
fn token_answer(reply: &Reply) -> Result<TokenAnswer, SignInError> {
    serde_json::from_str(&reply.body)
        .map_err(|_| SignInError::status(Api::Token, reply.status, &reply.body))
}

/// AADSTS53000–53004 and 53011: Conditional Access refused (also for the device-code flow).
fn is_conditional_access(answer: &TokenAnswer) -> bool {
    answer
        .error_codes
        .iter()
        .any(|c| (53000..=53004).contains(c) || *c == 53011)
        || answer
            .error_description
            .as_deref()
            .is_some_and(|d| d.contains("Conditional Access"))
}

fn oauth_error(api: Api, status: u16, answer: &TokenAnswer) -> SignInError {
    // The service's own words, but never a credential it echoed back.
    let description = crate::redact::strip_bearer_material(
        answer
            .error_description
            .as_deref()
            .and_then(|d| d.lines().next())
            .unwrap_or(""),
    );
    if is_conditional_access(answer) {
        return SignInError::ConditionalAccess(description);
    }
    SignInError::Refused {
        api: api.name(),
        status,
        code: answer.error.clone().unwrap_or_default(),
        description,
    }
}

#[async_trait::async_trait]
impl TokenCredential for DeviceCodeCredential {
    async fn get_token(
        &self,
        scopes: &[&str],
        _options: Option<TokenRequestOptions<'_>>,
    ) -> azure_core::Result<AccessToken> {
        self.token_for(&scopes.join(" ")).await.map_err(|e| {
            azure_core::Error::with_message(azure_core::error::ErrorKind::Credential, e.to_string())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_services_interval_and_lifetime_are_held_to_sane_bounds() {
        assert_eq!(poll_interval(None), Duration::from_secs(5));
        assert_eq!(poll_interval(Some(0)), Duration::from_secs(1));
        assert_eq!(
            poll_interval(Some(1_000_000_000_000)),
            Duration::from_secs(30)
        );
        assert_eq!(code_lifetime(900), Duration::from_secs(900));
        assert_eq!(code_lifetime(0), Duration::from_secs(60));
        assert_eq!(code_lifetime(u64::MAX), Duration::from_secs(1800));
    }

    #[test]
    fn only_microsofts_device_login_pages_are_shown() {
        for page in [
            "https://microsoft.com/devicelogin",
            "https://microsoft.com/deviceloginus",
            "https://aka.ms/devicelogin",
            "https://login.microsoftonline.com/common/oauth2/deviceauth",
            "https://login.chinacloudapi.cn/common/oauth2/deviceauth",
        ] {
            assert!(is_microsoft_device_login(page), "{page}");
        }
        for page in [
            "http://microsoft.com/devicelogin",
            "https://microsoft.com.evil.example/devicelogin",
            "https://microsoft.com@evil.example/devicelogin",
            "https://evil.example/devicelogin",
            "https://microsoft.com:8443/devicelogin",
            "https://microsoft.com/phish",
            "not a url",
        ] {
            assert!(!is_microsoft_device_login(page), "{page}");
        }
    }
}
