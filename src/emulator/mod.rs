//! The tenant emulator: a real HTTP server on 127.0.0.1 that answers every endpoint esr-doctor
//! calls (sign-in, Graph, the portal's ESR API, Azure RMS) from a scenario's recorded answers,
//! with per-endpoint latency and faults. `--demo` and the tests reach it through the endpoint
//! override with the same clients as a real run; only the base URLs differ.
//!
//! It checks what the real services check — a token it minted, for the right audience — so a
//! client that sends the wrong token fails here as it would against Microsoft.

pub mod break_fix;
pub mod browser;
pub mod demo;
pub mod log;
pub mod oauth;
pub mod tenant;

use crate::cloud::api;

use crate::cloud::endpoints::{Host, Overrides};
use crate::evidence::Cloud;
use crate::facts::tenant::Api;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use log::{CriticalPath, LogEntry};
use oauth::{OAuthState, SignInBehaviour, TokenSubject};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tenant::TenantData;
use tokio::net::TcpListener;
use tokio::task::{JoinHandle, JoinSet};

/// A way an endpoint misbehaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Fault {
    /// This status with the service's usual error body (401, 403, 404, 500, ...).
    Status(u16),
    /// 429 with `Retry-After`.
    TooManyRequests { retry_after_secs: u64 },
    /// 503 with `Retry-After`.
    Unavailable { retry_after_secs: u64 },
    /// 200 with JSON cut off in the middle.
    MalformedJson,
    /// 200 with an HTML page (a proxy's or captive portal's).
    HtmlPage,
    /// 200 with no body at all.
    EmptyBody,
    /// Accepts the request and never answers.
    Stall,
    /// Reads the request, then drops the connection.
    Reset,
    /// The endpoint's host refuses connections.
    Refused,
    /// An error whose message repeats the credentials the request carried (its form fields
    /// and `Authorization` header), in the endpoint's own error shape: what a misbehaving
    /// service or proxy may do. No Microsoft service is documented to; no face may depend on
    /// that (issue 15 saw a JWT inside an RMS exception's message).
    EchoCredentials,
}

impl Fault {
    /// Every fault the emulator can inject, as the tests' fault matrix uses them.
    pub const MATRIX: [Fault; 12] = [
        Fault::Status(401),
        Fault::Status(403),
        Fault::Status(404),
        Fault::TooManyRequests {
            retry_after_secs: 0,
        },
        Fault::Status(500),
        Fault::Unavailable {
            retry_after_secs: 0,
        },
        Fault::MalformedJson,
        Fault::HtmlPage,
        Fault::EmptyBody,
        Fault::Stall,
        Fault::Reset,
        Fault::Refused,
    ];
}

/// How the emulated tenant behaves.
#[derive(Debug, Clone)]
pub struct EmulatorConfig {
    pub tenant: TenantData,
    pub sign_in: SignInBehaviour,
    /// How long every endpoint takes to answer, unless `latency_of` says otherwise.
    pub latency: Duration,
    pub latency_of: HashMap<Api, Duration>,
    /// The base of the admin URL the RMS service locator names (`None`: this emulator); a
    /// hostile or misconfigured locator, for the tests that the client does not follow it.
    pub rms_admin_base: Option<String>,
    /// The base of the `@odata.nextLink` Graph's pages name (`None`: this emulator); another
    /// host, for the tests that the client never sends its token there.
    pub next_link_base: Option<String>,
}

impl EmulatorConfig {
    pub fn new(tenant: TenantData) -> EmulatorConfig {
        EmulatorConfig {
            tenant,
            sign_in: SignInBehaviour::default(),
            latency: Duration::ZERO,
            latency_of: HashMap::new(),
            rms_admin_base: None,
            next_link_base: None,
        }
    }
}

/// A fault and how many more requests it applies to (`None`: all).
#[derive(Debug, Clone, Copy)]
struct ActiveFault {
    fault: Fault,
    remaining: Option<u32>,
}

struct State {
    config: Mutex<EmulatorConfig>,
    faults: Mutex<HashMap<Api, ActiveFault>>,
    oauth: Mutex<OAuthState>,
    log: Mutex<Vec<LogEntry>>,
    next_id: AtomicU64,
    started: Instant,
    base: String,
}

/// A running emulator; dropping it stops the server and every open connection.
pub struct Emulator {
    state: Arc<State>,
    server: JoinHandle<()>,
    /// A loopback address nothing listens on, for `Fault::Refused`.
    refused_base: String,
}

impl Drop for Emulator {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl Emulator {
    /// Binds 127.0.0.1 on a free port and serves until dropped (needs a tokio runtime).
    pub async fn start(config: EmulatorConfig) -> std::io::Result<Emulator> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let base = format!("http://{}", listener.local_addr()?);
        let refused_base = {
            let spare = TcpListener::bind("127.0.0.1:0").await?;
            format!("http://{}", spare.local_addr()?)
        };
        let state = Arc::new(State {
            config: Mutex::new(config),
            faults: Mutex::new(HashMap::new()),
            oauth: Mutex::new(OAuthState::default()),
            log: Mutex::new(Vec::new()),
            next_id: AtomicU64::new(1),
            started: Instant::now(),
            base,
        });
        let served = Arc::clone(&state);
        let server = tokio::spawn(async move {
            let mut connections = JoinSet::new();
            loop {
                let stream = match listener.accept().await {
                    Ok((stream, _)) => stream,
                    // Out of file descriptors (or another accept error): wait for open
                    // connections to end instead of spinning on the failing accept.
                    Err(_) => {
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        while connections.try_join_next().is_some() {}
                        continue;
                    }
                };
                let state = Arc::clone(&served);
                connections.spawn(async move {
                    let service = service_fn(move |request| serve(Arc::clone(&state), request));
                    let _ = http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
                while connections.try_join_next().is_some() {}
            }
        });
        Ok(Emulator {
            state,
            server,
            refused_base,
        })
    }

    /// The endpoint table that points every host here (a refused host at a closed port).
    pub fn overrides(&self) -> Overrides {
        let refused: Vec<Host> = lock(&self.state.faults)
            .iter()
            .filter(|(_, f)| f.fault == Fault::Refused)
            .map(|(api, _)| api.host())
            .collect();
        let mut overrides = Overrides::default();
        for host in Host::ALL {
            let base = if refused.contains(&host) {
                &self.refused_base
            } else {
                &self.state.base
            };
            // Loopback http is always a valid override.
            let _ = overrides.set(host, base);
            if host == Host::Authority {
                for (cloud, prefix) in CLOUD_PREFIXES {
                    let _ = overrides.set_authority_of(cloud, &format!("{base}{prefix}"));
                }
            }
        }
        overrides
    }

    /// Makes `api` misbehave for the next `times` requests (`None`: until cleared).
    pub fn set_fault(&self, api: Api, fault: Fault, times: Option<u32>) {
        lock(&self.state.faults).insert(
            api,
            ActiveFault {
                fault,
                remaining: times,
            },
        );
    }

    /// Sets one evidence file of a running demo: a tenant answer goes to this emulator,
    /// anything else to the device's `files`; `None` removes it.
    pub fn put(
        &self,
        files: &mut crate::evidence::EvidenceFiles,
        path: &str,
        bytes: Option<Vec<u8>>,
    ) {
        match (Api::recorded_at(path), bytes) {
            (Some(api), Some(body)) => {
                let body = crate::evidence::text::decode(&body);
                self.configure(|c| c.tenant.set_answer(api, &body));
            }
            (Some(api), None) => self.configure(|c| c.tenant.remove_answer(api)),
            (None, Some(bytes)) => files.insert(path, bytes),
            (None, None) => files.remove(path),
        }
    }

    /// Changes the tenant or sign-in behaviour while running.
    pub fn configure(&self, change: impl FnOnce(&mut EmulatorConfig)) {
        change(&mut lock(&self.state.config));
    }

    /// Every request so far, in arrival order.
    pub fn log(&self) -> Vec<LogEntry> {
        let mut log = lock(&self.state.log).clone();
        log.sort_by_key(|e| e.id);
        log
    }

    pub fn critical_path(&self) -> CriticalPath {
        log::critical_path(&self.log())
    }

    /// Every device code, access token and refresh token it minted (for leak tests).
    pub fn secrets(&self) -> Vec<String> {
        lock(&self.state.oauth).secrets()
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Dropping the connection instead of answering.
#[derive(Debug)]
struct Dropped;

impl std::fmt::Display for Dropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by the emulator")
    }
}

impl std::error::Error for Dropped {}

/// What a request produced: status, content type, body, extra headers, dependencies.
struct Answer {
    status: u16,
    content_type: &'static str,
    body: String,
    headers: Vec<(&'static str, String)>,
    depends_on: Vec<u64>,
    audience: Option<String>,
}

impl Answer {
    fn json(status: u16, body: String) -> Answer {
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

async fn serve(
    state: Arc<State>,
    request: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Dropped> {
    let id = state.next_id.fetch_add(1, Ordering::Relaxed);
    let started = state.started.elapsed();
    let started_unix_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
    let method = request.method().as_str().to_owned();
    let path_and_query = request
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "/".into());
    let path = path_and_query
        .split_once('?')
        .map_or(path_and_query.as_str(), |(p, _)| p)
        .to_owned();
    let authorization = request
        .headers()
        .get(hyper::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let platform = request
        .headers()
        .get("x-ms-rms-platform-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body = Limited::new(request.into_body(), 64 * 1024)
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let api = api::recognise(&method, &path_and_query);
    let fault = api.and_then(|a| take_fault(&state, a));
    let latency = {
        let config = lock(&state.config);
        api.and_then(|a| config.latency_of.get(&a).copied())
            .unwrap_or(config.latency)
    };
    tokio::time::sleep(latency).await;
    let record = |status: Option<u16>, answer: Option<&Answer>| {
        let entry = LogEntry {
            id,
            endpoint: api.map_or("unknown", Api::name),
            method: method.clone(),
            path: path.clone(),
            status,
            audience: answer.and_then(|a| a.audience.clone()),
            started_ms: started.as_secs_f64() * 1000.0,
            started_unix_ms,
            finished_ms: state.started.elapsed().as_secs_f64() * 1000.0,
            depends_on: answer.map(|a| a.depends_on.clone()).unwrap_or_default(),
        };
        lock(&state.log).push(entry);
    };
    let answer = match fault {
        Some(Fault::Stall) => {
            record(None, None);
            tokio::time::sleep(Duration::from_secs(3600)).await;
            return Err(Dropped);
        }
        Some(Fault::Reset) => {
            record(None, None);
            return Err(Dropped);
        }
        Some(Fault::EchoCredentials) => echo_credentials(api, &authorization, &body),
        Some(fault) => faulty(fault),
        None => match api {
            Some(Api::RmsDiscovery) if !names_a_platform(platform.as_deref()) => {
                platform_not_recognised()
            }
            Some(api) => {
                let query = path_and_query.split_once('?').map_or("", |(_, q)| q);
                answer(&state, id, api, &path, query, &authorization, &body)
            }
            None => Answer::json(
                404,
                r#"{"error":{"code":"NotFound","message":"The emulator does not serve this path."}}"#
                    .into(),
            ),
        },
    };
    record(Some(answer.status), Some(&answer));
    let mut response = Response::builder()
        .status(answer.status)
        .header(hyper::header::CONTENT_TYPE, answer.content_type);
    for (name, value) in &answer.headers {
        response = response.header(*name, value);
    }
    response
        .body(Full::new(Bytes::from(answer.body)))
        .map_err(|_| Dropped)
}

/// Takes the fault set for `api`, counting it down.
fn take_fault(state: &State, api: Api) -> Option<Fault> {
    let mut faults = lock(&state.faults);
    let active = faults.get_mut(&api)?;
    let fault = active.fault;
    if fault == Fault::Refused {
        return None;
    }
    match &mut active.remaining {
        Some(0) => {
            faults.remove(&api);
            return None;
        }
        Some(n) => *n -= 1,
        None => {}
    }
    Some(fault)
}

/// The answer of a faulty endpoint.
fn faulty(fault: Fault) -> Answer {
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
fn echo_credentials(api: Option<Api>, authorization: &str, body: &[u8]) -> Answer {
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
fn answer(
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
                form.get("scope").map(String::as_str).unwrap_or(""),
                &config.sign_in,
            );
            Answer::json(status, body)
        }
        Api::Token => {
            let subject = TokenSubject {
                tenant_id: config.tenant.tenant_id.clone(),
                upn: config.tenant.user_principal_name.clone(),
            };
            let ((status, body), minted_by) = oauth.token(id, &form, &config.sign_in, &subject);
            Answer {
                depends_on: minted_by.into_iter().collect(),
                ..Answer::json(status, body)
            }
        }
        data => {
            let Some(minted) = oauth.access_token(authorization).cloned() else {
                return Answer::json(
                    401,
                    r#"{"error":{"code":"InvalidAuthenticationToken","message":"Access token is empty or was not issued by this tenant."}}"#.into(),
                );
            };
            if !audience_fits(data, &minted.scope) {
                return Answer::json(
                    401,
                    format!(
                        r#"{{"error":{{"code":"InvalidAuthenticationToken","message":"Access token has the wrong audience for {}."}}}}"#,
                        data.name()
                    ),
                );
            }
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
                        Api::Devices => {
                            graph_page(devices_matching(body, query), base, path, query)
                        }
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
fn names_a_platform(header: Option<&str>) -> bool {
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
fn platform_not_recognised() -> Answer {
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
const CLOUD_PREFIXES: [(Cloud, &str); 2] = [(Cloud::UsGov, "/usgov"), (Cloud::China, "/china")];

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
