//! Sign-in in the browser: the authorization code flow with PKCE (S256) on a loopback redirect,
//! as Azure PowerShell and the Azure CLI do it (reference/real-tenant.md). It works where
//! security defaults or Conditional Access block device codes, and a device-based policy can
//! see the device, because the browser on this computer does the sign-in.
//!
//! The redirect is `http://localhost:<random port>`, listened on at 127.0.0.1 only. The first
//! answer that carries this sign-in's `state` ends the wait; anything else is refused. The URL
//! is always shown too, since in a remote session the browser that opens may not be the one
//! the person sees.

use super::entra::{EntraError, Transport};
use super::interactive::Context;
use super::{SignInError, SignInEvent};
use crate::facts::tenant::Api;
use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use oauth2::basic::BasicTokenResponse;
use oauth2::{AuthorizationCode, CsrfToken, PkceCodeChallenge};
use std::net::Ipv4Addr;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::net::TcpListener;
use tokio::sync::mpsc;

/// Opens a URL in the person's browser; `Err` says why it could not.
pub type Opener = Arc<dyn Fn(String) -> Result<(), Unopened> + Send + Sync>;

/// Why no browser opened (no display, no thread to start it on, no runtime).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Unopened(pub String);

impl From<&str> for Unopened {
    fn from(why: &str) -> Unopened {
        Unopened(why.to_owned())
    }
}

/// How the browser sign-in runs.
#[derive(Clone)]
pub struct BrowserOptions {
    /// The longest wait for the browser to come back.
    pub deadline: Duration,
    pub opener: Opener,
}

impl std::fmt::Debug for BrowserOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BrowserOptions")
            .field("deadline", &self.deadline)
            .finish_non_exhaustive()
    }
}

impl Default for BrowserOptions {
    fn default() -> Self {
        BrowserOptions {
            deadline: Duration::from_secs(300),
            opener: Arc::new(system_browser),
        }
    }
}

/// The system's default browser (the `webbrowser` crate), started without waiting for it.
fn system_browser(url: String) -> Result<(), Unopened> {
    std::thread::Builder::new()
        .name("open-browser".into())
        .spawn(move || {
            if let Err(e) = webbrowser::open(&url) {
                tracing::warn!("the browser did not open: {e}");
            }
        })
        .map(drop)
        .map_err(|e| Unopened(format!("cannot start the browser: {e}")))
}

/// What the sign-in pane shows while the browser is out.
#[derive(Debug, Clone, PartialEq)]
pub struct BrowserPrompt {
    /// The sign-in page, to open by hand when the browser did not.
    pub url: String,
    /// Whether a browser was started.
    pub opened: bool,
    pub expires_at: Instant,
}

/// The page the browser shows once it is back: nothing from the answer is echoed.
const DONE_PAGE: &str = "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>esr-doctor</title></head><body><p>The sign-in is done. You can close this tab and return to esr-doctor in the terminal.</p></body></html>";
const REFUSED_PAGE: &str = "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>esr-doctor</title></head><body><p>This answer does not belong to the sign-in esr-doctor is waiting for.</p></body></html>";

/// What came back to the loopback address.
enum Returned {
    Code(String),
    Refused(EntraError),
}

/// Signs in in the browser. With `give_up_if_unopened`, a browser that cannot be started ends
/// the attempt with [`SignInError::BrowserUnavailable`] (the caller then shows a device code).
pub async fn sign_in(
    context: &Context,
    give_up_if_unopened: bool,
) -> Result<BasicTokenResponse, SignInError> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .await
        .map_err(|e| SignInError::BrowserUnavailable(format!("cannot listen on 127.0.0.1: {e}")))?;
    let port = listener
        .local_addr()
        .map_err(|e| SignInError::BrowserUnavailable(e.to_string()))?
        .port();
    let client = context
        .target
        .client(Some(&format!("http://localhost:{port}")))?;
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let mut request = client
        .authorize_url(CsrfToken::new_random)
        .add_scopes(context.sign_in_scopes())
        .set_pkce_challenge(challenge);
    if let Some(hint) = &context.target.login_hint {
        request = request.add_extra_param("login_hint", hint.clone());
    }
    let (url, state) = request.url();
    let opened = (context.browser.opener)(url.to_string());
    if let Err(why) = &opened {
        tracing::info!("no browser: {why}");
        if give_up_if_unopened {
            return Err(SignInError::BrowserUnavailable(why.to_string()));
        }
    }
    let expires_at = Instant::now() + context.browser.deadline;
    (context.prompt)(SignInEvent::Browser(BrowserPrompt {
        url: url.to_string(),
        opened: opened.is_ok(),
        expires_at,
    }));
    let returned = tokio::select! {
        returned = wait_for_return(listener, state.secret().clone()) => returned?,
        () = tokio::time::sleep_until(expires_at.into()) => {
            return Err(SignInError::BrowserTimeout(context.browser.deadline.as_secs()));
        }
        () = context.cancelled() => return Err(SignInError::Cancelled),
    };
    let code = match returned {
        Returned::Code(code) => code,
        Returned::Refused(answer)
            if answer.aadsts().is_none() && answer.error == "access_denied" =>
        {
            return Err(SignInError::Declined);
        }
        Returned::Refused(answer) => return Err(answer.into_sign_in_error(Api::Authorize, 302)),
    };
    crate::evidence::secrets::remember(&code);
    let transport = Transport::new(&context.http, Api::Token, context.deadline());
    client
        .exchange_code(AuthorizationCode::new(code))
        .set_pkce_verifier(verifier)
        .request_async(&transport)
        .await
        .map_err(|e| transport.error(e))
}

/// Serves the loopback address until an answer with `state` arrives.
async fn wait_for_return(listener: TcpListener, state: String) -> Result<Returned, SignInError> {
    let (tx, mut rx) = mpsc::channel::<Returned>(1);
    let state = Arc::new(state);
    loop {
        tokio::select! {
            returned = rx.recv() => {
                return returned.ok_or_else(|| SignInError::BrowserUnavailable("the loopback listener stopped".into()));
            }
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else {
                    // Out of descriptors or a reset: wait a moment rather than spin.
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                };
                let (tx, state) = (tx.clone(), Arc::clone(&state));
                tokio::spawn(async move {
                    let service = service_fn(move |request| {
                        let (tx, state) = (tx.clone(), Arc::clone(&state));
                        async move { Ok::<_, std::convert::Infallible>(answer(&request, &state, &tx)) }
                    });
                    let _ = http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        }
    }
}

/// The loopback's answer to one request; a request with this sign-in's `state` and a code or
/// an error is passed on (only the first one is read).
fn answer(
    request: &Request<Incoming>,
    state: &str,
    tx: &mpsc::Sender<Returned>,
) -> Response<Full<Bytes>> {
    let params: std::collections::HashMap<String, String> =
        url::form_urlencoded::parse(request.uri().query().unwrap_or("").as_bytes())
            .into_owned()
            .collect();
    let page = |status: u16, body: &'static str| {
        let mut response = Response::new(Full::new(Bytes::from_static(body.as_bytes())));
        *response.status_mut() = hyper::StatusCode::from_u16(status).unwrap_or_default();
        response.headers_mut().insert(
            hyper::header::CONTENT_TYPE,
            hyper::header::HeaderValue::from_static("text/html; charset=utf-8"),
        );
        response
    };
    let carries_answer = params.contains_key("code") || params.contains_key("error");
    if request.uri().path() != "/" || !carries_answer {
        return page(404, REFUSED_PAGE);
    }
    if params.get("state").map(String::as_str) != Some(state) {
        tracing::warn!("an answer with another state reached the loopback address; refused");
        return page(400, REFUSED_PAGE);
    }
    let returned = match params.get("code") {
        Some(code) => Returned::Code(code.clone()),
        None => Returned::Refused(EntraError {
            error: params.get("error").cloned().unwrap_or_default(),
            error_description: params.get("error_description").cloned(),
            error_codes: Vec::new(),
        }),
    };
    let _ = tx.try_send(returned);
    page(200, DONE_PAGE)
}
