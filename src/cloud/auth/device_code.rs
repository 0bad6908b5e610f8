//! Sign-in with a device code (Entra v2, RFC 8628): show a code, poll the token endpoint until
//! the person approves it on any device.
//!
//! The device-authorization request goes through the `oauth2` crate; the polling loop is
//! esr-doctor's own, because oauth2's keeps polling through transport errors until the code
//! expires (a dead token endpoint would hold the prompt for 15 minutes), cannot be cancelled
//! by the person, and cannot say that a code still pending after minutes may be silently
//! blocked by a policy. Each poll's answer is read with oauth2's token and Entra's error types.

use super::entra::{EntraError, Transport};
use super::interactive::Context;
use super::{SignInError, SignInEvent, SignInPrompt};
use crate::cloud::http::Reply;
use crate::facts::tenant::Api;
use oauth2::basic::BasicTokenResponse;
use oauth2::{DeviceAuthorizationResponse, ExtraDeviceAuthorizationFields};
use serde::{Deserialize, Serialize};
use std::time::{Duration, Instant};

/// How the flow paces itself (tests and the demo shorten the waits).
#[derive(Debug, Clone)]
pub struct DeviceCodeOptions {
    /// Poll this often instead of the `interval` the service asks for.
    pub poll_interval: Option<Duration>,
    /// Added to the interval on `slow_down` (RFC 8628 says five seconds).
    pub slow_down_step: Duration,
    /// Longest wait for any one sign-in call (retries included).
    pub call_budget: Duration,
    /// A code still pending this long is shown with a note that a policy may be blocking
    /// device codes silently (field reports: the prompt just stays pending).
    pub pending_notice_after: Duration,
}

impl Default for DeviceCodeOptions {
    fn default() -> Self {
        DeviceCodeOptions {
            poll_interval: None,
            slow_down_step: Duration::from_secs(5),
            call_budget: Duration::from_secs(30),
            pending_notice_after: Duration::from_secs(180),
        }
    }
}

/// The note a long-pending device code gets.
pub const PENDING_NOTICE: &str = "Still waiting after 3 minutes: if the code was entered, a policy (security defaults or Conditional Access) may be blocking device-code sign-ins silently. Press Esc and run again with --auth browser.";
/// The same notice where no wizard is drawn (`check`, `collect`): Ctrl+C ends the wait there.
pub const PENDING_NOTICE_WITHOUT_WIZARD: &str = "Still waiting after 3 minutes: if the code was entered, a policy (security defaults or Conditional Access) may be blocking device-code sign-ins silently. Press Ctrl+C and run again with --auth browser.";

/// Entra's extra field in the device-authorization answer: the sentence to show.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct EntraDeviceFields {
    #[serde(default)]
    message: Option<String>,
}

impl ExtraDeviceAuthorizationFields for EntraDeviceFields {}

/// Bounds on what a device-code answer may say, in seconds.
const MIN_CODE_LIFETIME_S: u64 = 60;
const MAX_CODE_LIFETIME_S: u64 = 1800;
const MAX_POLL_INTERVAL_S: u64 = 30;

/// How long the code is waited for: 15 minutes as Entra says (reference/microsoft-apis.md §3),
/// and an answer that says 0 or a thousand years held to sane bounds, so a sign-in always ends.
fn code_lifetime(said: Duration) -> Duration {
    Duration::from_secs(
        said.as_secs()
            .clamp(MIN_CODE_LIFETIME_S, MAX_CODE_LIFETIME_S),
    )
}

/// How often the token endpoint is polled: what the service says (RFC 8628 §3.5's 5 s when
/// it says nothing), never 0 (a busy loop) nor so long that the code expires between polls.
fn poll_interval(said: Duration) -> Duration {
    Duration::from_secs(said.as_secs().clamp(1, MAX_POLL_INTERVAL_S))
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

/// A device code Entra issued, and when: asked for beside the tenant's cloud detection, it is
/// shown only once the cloud is known to be the one it was asked in.
pub struct DeviceAuthorization {
    code: DeviceAuthorizationResponse<EntraDeviceFields>,
    issued: Instant,
}

/// Asks Entra for a device code (nothing is shown yet).
pub async fn authorize(context: &Context) -> Result<DeviceAuthorization, SignInError> {
    let client = context.target.client(None)?;
    let transport = Transport::new(&context.http, Api::DeviceCode, context.deadline());
    let code: DeviceAuthorizationResponse<EntraDeviceFields> = client
        .exchange_device_code()
        .add_scopes(context.sign_in_scopes())
        .request_async(&transport)
        .await
        .map_err(|e| transport.error(e))?;
    crate::evidence::secrets::remember(code.device_code().secret());
    let page = code.verification_uri().as_str();
    if !is_microsoft_device_login(page) {
        return Err(SignInError::Malformed {
            api: Api::DeviceCode.name(),
            status: transport.status(),
            detail: format!(
                "the sign-in page it names ({:?}) is not Microsoft's device-login page; not shown",
                page.chars().take(120).collect::<String>()
            ),
        });
    }
    Ok(DeviceAuthorization {
        code,
        issued: Instant::now(),
    })
}

/// Shows a code (the one asked for ahead, if any) and waits until the person signs in with it
/// (or declines, or it expires).
pub async fn sign_in(context: &Context) -> Result<BasicTokenResponse, SignInError> {
    let ahead = context
        .head_start
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .take();
    let DeviceAuthorization { code, issued } = match ahead {
        Some(asked) => asked?,
        None => authorize(context).await?,
    };
    let page = code.verification_uri().as_str().to_owned();
    let expires_at = issued + code_lifetime(code.expires_in());
    tracing::info!(
        expires_in_s = code.expires_in().as_secs(),
        "device code issued; waiting for the person to sign in"
    );
    let mut prompt = SignInPrompt {
        user_code: code.user_code().secret().clone(),
        verification_uri: page,
        expires_at,
        message: code.extra_fields().message.clone().unwrap_or_default(),
        notice: None,
    };
    (context.prompt)(SignInEvent::Code(prompt.clone()));
    let options = &context.device_code;
    let mut interval = options
        .poll_interval
        .unwrap_or_else(|| poll_interval(code.interval()));
    let token_url = context.target.url(Api::Token);
    let device_code = code.device_code().secret().clone();
    loop {
        context.wait_or_cancel(interval).await?;
        if Instant::now() >= expires_at {
            return Err(SignInError::Expired);
        }
        let form = [
            ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
            ("client_id", context.target.client_id.as_str()),
            ("device_code", device_code.as_str()),
        ];
        let reply = context
            .http
            .send(Api::Token, context.deadline(), |c| {
                c.post(&token_url).form(&form)
            })
            .await?;
        match poll_answer(&reply)? {
            Poll::Signed(tokens) => return Ok(*tokens),
            Poll::Pending => {}
            Poll::SlowDown => interval += options.slow_down_step,
        }
        if prompt.notice.is_none() && issued.elapsed() >= options.pending_notice_after {
            prompt.notice = Some(PENDING_NOTICE.to_owned());
            (context.prompt)(SignInEvent::Code(prompt.clone()));
        }
    }
}

/// What one poll said.
enum Poll {
    Signed(Box<BasicTokenResponse>),
    Pending,
    SlowDown,
}

/// One poll's answer: tokens, "keep waiting", or why the sign-in ended.
fn poll_answer(reply: &Reply) -> Result<Poll, SignInError> {
    if reply.is_success() {
        return serde_json::from_str(&reply.body)
            .map(|tokens| Poll::Signed(Box::new(tokens)))
            .map_err(|e| SignInError::Malformed {
                api: Api::Token.name(),
                status: reply.status,
                detail: e.to_string(),
            });
    }
    let answer: EntraError = serde_json::from_str(&reply.body)
        .map_err(|_| SignInError::status(Api::Token, reply.status, &reply.body))?;
    match answer.error.as_str() {
        "authorization_pending" => Ok(Poll::Pending),
        "slow_down" => Ok(Poll::SlowDown),
        "authorization_declined" | "access_denied" => Err(SignInError::Declined),
        "expired_token" => Err(SignInError::Expired),
        "bad_verification_code" => Err(SignInError::BadCode),
        _ => Err(answer.into_sign_in_error(Api::Token, reply.status)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_services_interval_and_lifetime_are_held_to_sane_bounds() {
        assert_eq!(
            poll_interval(Duration::from_secs(5)),
            Duration::from_secs(5)
        );
        assert_eq!(poll_interval(Duration::ZERO), Duration::from_secs(1));
        assert_eq!(
            poll_interval(Duration::from_secs(1_000_000_000_000)),
            Duration::from_secs(30)
        );
        assert_eq!(
            code_lifetime(Duration::from_secs(900)),
            Duration::from_secs(900)
        );
        assert_eq!(code_lifetime(Duration::ZERO), Duration::from_secs(60));
        assert_eq!(
            code_lifetime(Duration::from_secs(u64::MAX)),
            Duration::from_secs(1800)
        );
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
