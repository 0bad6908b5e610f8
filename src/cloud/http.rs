//! The one HTTP client every cloud call goes through: rustls with ring (no OpenSSL, no aws-lc),
//! a timeout per request, retries on 429/503/504 that honour `Retry-After` within the caller's
//! deadline, a bounded answer size, and a `client-request-id` per call that Microsoft support
//! can trace. Tokens pass through headers only; nothing here logs or returns them.

use crate::facts::tenant::Api;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;

/// How patient the client is.
#[derive(Debug, Clone)]
pub struct HttpLimits {
    /// Longest one attempt may take (connect to last byte).
    pub request_timeout: Duration,
    /// Retries after a 429, 503 or 504.
    pub max_retries: u32,
    /// The first backoff when the service gives no `Retry-After`; it doubles each time.
    pub backoff: Duration,
    /// Largest answer read; a larger one is an error, never a truncated "success".
    pub max_body: usize,
    /// `Some(1)` sends one request at a time (the benchmark's baseline).
    pub max_in_flight: Option<usize>,
}

impl HttpLimits {
    /// Longest a connection may take to open: the request's timeout, at most 10 s.
    pub fn connect_timeout(&self) -> Duration {
        self.request_timeout.min(Duration::from_secs(10))
    }
}

impl Default for HttpLimits {
    fn default() -> Self {
        HttpLimits {
            request_timeout: Duration::from_secs(15),
            max_retries: 3,
            backoff: Duration::from_millis(500),
            max_body: 4 * 1024 * 1024,
            max_in_flight: None,
        }
    }
}

/// An answer with any status: the caller decides what a 4xx body means.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    pub status: u16,
    pub body: String,
    pub client_request_id: String,
}

impl Reply {
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// A call that produced no answer.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CallError {
    #[error("{api}: no answer within {ms} ms")]
    Timeout { api: &'static str, ms: u128 },
    #[error("{api}: {detail}")]
    Transport { api: &'static str, detail: String },
    #[error("{api}: the answer is larger than {limit} bytes")]
    TooLarge { api: &'static str, limit: usize },
}

/// What one call did, for the evidence and the log (never the body or a header).
#[derive(Debug, Clone, PartialEq)]
pub struct CallRecord {
    pub api: Api,
    pub status: Option<u16>,
    pub client_request_id: String,
    pub attempts: u32,
    pub elapsed_ms: u64,
}

/// The shared client and the record of every call made through it.
#[derive(Debug)]
pub struct CloudHttp {
    /// Built at the first call, not with the session: loading the platform's root certificates
    /// takes milliseconds the wizard's first frame should not wait for.
    client: OnceLock<Result<reqwest::Client, ClientError>>,
    limits: HttpLimits,
    gate: Option<Arc<Semaphore>>,
    calls: Mutex<Vec<CallRecord>>,
}

/// The HTTP client could not be built (no TLS provider, a broken proxy setting).
#[derive(Debug, thiserror::Error)]
#[error("cannot set up the HTTP client: {0}")]
pub struct ClientError(reqwest::Error);

/// Builds the reqwest client esr-doctor uses everywhere (also handed to azure_identity).
pub fn build_client(limits: &HttpLimits) -> Result<reqwest::Client, ClientError> {
    // reqwest is built without a default crypto provider; ring is the one the project uses.
    // Installing twice is harmless (the second call reports the first and changes nothing).
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .user_agent(concat!("esr-doctor/", env!("CARGO_PKG_VERSION")))
        .timeout(limits.request_timeout)
        .connect_timeout(limits.connect_timeout())
        .redirect(reqwest::redirect::Policy::none())
        .proxy(environment_proxy())
        .build()
        .map_err(ClientError)
}

/// The proxy of `HTTPS_PROXY`/`HTTP_PROXY`/`ALL_PROXY` (either case) and `NO_PROXY`, as
/// curl reads them, except that loopback never goes through a proxy: the tenant emulator's
/// device code and tokens would otherwise travel to the proxy, in clear text.
fn environment_proxy() -> reqwest::Proxy {
    use crate::facts::proxy::env_var;
    let all = env_var(["ALL_PROXY", "all_proxy"]);
    let https = env_var(["HTTPS_PROXY", "https_proxy"]).or_else(|| all.clone());
    let http = env_var(["http_proxy", "HTTP_PROXY"]).or(all);
    reqwest::Proxy::custom(move |url| {
        if super::endpoints::is_loopback(url) {
            return None;
        }
        match url.scheme() {
            "https" => https.clone(),
            "http" => http.clone(),
            _ => None,
        }
    })
    .no_proxy(reqwest::NoProxy::from_env())
}

impl CloudHttp {
    pub fn new(limits: HttpLimits) -> CloudHttp {
        CloudHttp {
            client: OnceLock::new(),
            gate: limits
                .max_in_flight
                .map(|n| Arc::new(Semaphore::new(n.max(1)))),
            limits,
            calls: Mutex::new(Vec::new()),
        }
    }

    /// The client, built on first use; a client that cannot be built fails `api`'s call.
    pub fn client(&self, api: Api) -> Result<&reqwest::Client, CallError> {
        self.client
            .get_or_init(|| build_client(&self.limits))
            .as_ref()
            .map_err(|e| CallError::Transport {
                api: api.name(),
                detail: e.to_string(),
            })
    }

    /// Every call so far, in the order they finished.
    pub fn calls(&self) -> Vec<CallRecord> {
        self.calls.lock().map(|c| c.clone()).unwrap_or_default()
    }

    /// Sends the request `build` makes (once per attempt), retrying 429/503/504 while the
    /// wait fits before `deadline`.
    pub async fn send(
        &self,
        api: Api,
        deadline: Instant,
        build: impl Fn(&reqwest::Client) -> reqwest::RequestBuilder,
    ) -> Result<Reply, CallError> {
        let started = Instant::now();
        let client = self.client(api)?;
        let client_request_id = uuid::Uuid::new_v4().to_string();
        let mut attempts = 0;
        let outcome = loop {
            attempts += 1;
            let request = build(client)
                .header("client-request-id", &client_request_id)
                .header("x-ms-client-request-id", &client_request_id)
                .header("return-client-request-id", "true");
            let answer = self.attempt(api, request).await;
            let retry_in = match &answer {
                Ok(((status, _), retry_after)) if is_retryable(*status) => {
                    let backoff = self.limits.backoff * 2u32.saturating_pow(attempts - 1);
                    Some(retry_after.unwrap_or(backoff))
                }
                _ => None,
            };
            match retry_in {
                Some(wait)
                    if attempts <= self.limits.max_retries && Instant::now() + wait < deadline =>
                {
                    tokio::time::sleep(wait).await;
                }
                _ => break answer.map(|(reply, _)| reply),
            }
        };
        let record = CallRecord {
            api,
            status: outcome.as_ref().ok().map(|(status, _)| *status),
            client_request_id: client_request_id.clone(),
            attempts,
            elapsed_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
        };
        match &outcome {
            Ok((status, _)) => tracing::info!(
                endpoint = record.api.name(),
                status,
                attempts,
                elapsed_ms = record.elapsed_ms,
                client_request_id = %record.client_request_id,
                "cloud call"
            ),
            Err(error) => tracing::warn!(
                endpoint = record.api.name(),
                attempts,
                client_request_id = %record.client_request_id,
                "cloud call failed: {error}"
            ),
        }
        if let Ok(mut calls) = self.calls.lock() {
            calls.push(record);
        }
        outcome.map(|(status, body)| Reply {
            status,
            body,
            client_request_id,
        })
    }

    /// One attempt: the status, the body (bounded) and any `Retry-After`.
    async fn attempt(
        &self,
        api: Api,
        request: reqwest::RequestBuilder,
    ) -> Result<((u16, String), Option<Duration>), CallError> {
        let _permit = match &self.gate {
            Some(gate) => gate.clone().acquire_owned().await.ok(),
            None => None,
        };
        let timeout = self.limits.request_timeout;
        let work = async {
            let failed = |e: reqwest::Error| transport(api, &e, &self.limits);
            let mut response = request.send().await.map_err(failed)?;
            let status = response.status().as_u16();
            let retry_after = response
                .headers()
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(parse_retry_after);
            let mut body = Vec::new();
            while let Some(chunk) = response.chunk().await.map_err(failed)? {
                if body.len() + chunk.len() > self.limits.max_body {
                    return Err(CallError::TooLarge {
                        api: api.name(),
                        limit: self.limits.max_body,
                    });
                }
                body.extend_from_slice(&chunk);
            }
            let text = crate::evidence::text::decode(&body);
            Ok(((status, text), retry_after))
        };
        match tokio::time::timeout(timeout, work).await {
            Ok(result) => result,
            Err(_) => Err(CallError::Timeout {
                api: api.name(),
                ms: timeout.as_millis(),
            }),
        }
    }
}

fn is_retryable(status: u16) -> bool {
    matches!(status, 429 | 503 | 504)
}

/// `Retry-After` as seconds or an HTTP date; capped at two minutes.
fn parse_retry_after(value: &str) -> Option<Duration> {
    let cap = Duration::from_secs(120);
    if let Ok(seconds) = value.trim().parse::<u64>() {
        return Some(Duration::from_secs(seconds).min(cap));
    }
    let when = chrono::DateTime::parse_from_rfc2822(value.trim()).ok()?;
    let wait = when
        .signed_duration_since(chrono::Utc::now())
        .to_std()
        .ok()?;
    Some(wait.min(cap))
}

/// The words for a failed connection: what happened, and the innermost cause. A timeout
/// names the limit that ran out (opening the connection, or the whole request).
fn transport(api: Api, error: &reqwest::Error, limits: &HttpLimits) -> CallError {
    if error.is_timeout() {
        let limit = if error.is_connect() {
            limits.connect_timeout()
        } else {
            limits.request_timeout
        };
        return CallError::Timeout {
            api: api.name(),
            ms: limit.as_millis(),
        };
    }
    let what = if error.is_connect() {
        "cannot connect"
    } else if error.is_body() || error.is_decode() {
        "the connection broke while reading the answer"
    } else {
        "the request failed"
    };
    let mut cause: &dyn std::error::Error = error;
    while let Some(inner) = cause.source() {
        cause = inner;
    }
    let host = error
        .url()
        .map(|u| format!(" to {}", u.host_str().unwrap_or("?")))
        .unwrap_or_default();
    CallError::Transport {
        api: api.name(),
        detail: format!("{what}{host} ({cause})"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_in_seconds_or_as_a_date() {
        assert_eq!(parse_retry_after("2"), Some(Duration::from_secs(2)));
        assert_eq!(parse_retry_after("99999"), Some(Duration::from_secs(120)));
        let soon = (chrono::Utc::now() + chrono::Duration::seconds(30)).to_rfc2822();
        assert!(parse_retry_after(&soon).is_some_and(|d| d <= Duration::from_secs(30)));
        assert_eq!(parse_retry_after("soon"), None);
        assert!(is_retryable(429) && is_retryable(503) && !is_retryable(500));
    }
}
