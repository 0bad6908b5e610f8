//! The tenant emulator: a real HTTP server on 127.0.0.1 that answers every endpoint esr-doctor
//! calls (sign-in, Graph, the portal's ESR API, Azure RMS) from a scenario's recorded answers,
//! with per-endpoint latency and faults. `--demo` and the tests reach it through the endpoint
//! override with the same clients as a real run; only the base URLs differ.
//!
//! It checks what the real services check — a token it minted, for the right audience — so a
//! client that sends the wrong token fails here as it would against Microsoft.

mod answer;
pub mod break_fix;
pub mod browser;
pub mod demo;
pub mod log;
pub mod oauth;
pub mod tenant;

use crate::cloud::api;

use crate::cloud::endpoints::{Host, Overrides};
use crate::facts::tenant::Api;
use answer::{
    Answer, CLOUD_PREFIXES, answer, echo_credentials, faulty, names_a_platform,
    platform_not_recognised,
};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use log::{CriticalPath, LogEntry};
use oauth::{OAuthState, SignInBehaviour};
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
                // Out of file descriptors (or another accept error): wait for open
                // connections to end instead of spinning on the failing accept.
                let Ok((stream, _)) = listener.accept().await else {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    while connections.try_join_next().is_some() {}
                    continue;
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
        .map_or_else(|| "/".into(), |p| p.as_str().to_owned());
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
        .map(http_body_util::Collected::to_bytes)
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
