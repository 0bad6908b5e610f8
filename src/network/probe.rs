//! Live reach probes: DNS (A and AAAA), TCP per address family, TLS handshake and an HTTP
//! status, each phase timed and bounded, through the proxy the user's Edge would use. All
//! endpoints are probed concurrently. An endpoint counts as reachable once TLS completes and
//! any HTTP status comes back.

use super::tls::{IssuerRecorder, is_microsoft_issuer};
use super::tunnel::{TunnelError, connect_tunnel};
use crate::facts::proxy::ProxySettings;
use crate::facts::reach::{Endpoint, Phase, Reach, ReachFacts};
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio::task::JoinSet;

/// One endpoint to probe.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    /// The name used for TLS (SNI), the `Host` header and the results.
    pub host: String,
    pub port: u16,
    pub path: String,
    /// Connect here instead of resolving `host` (tests point real names at loopback).
    pub connect_to: Option<SocketAddr>,
    /// Go through these proxy settings instead of the probe's own (the machine's WinHTTP
    /// proxy, which Windows settings roaming uses, beside the user's).
    pub via: Option<ProxySettings>,
}

impl Target {
    /// `https://host[:port]/path` of a catalogue endpoint.
    pub fn from_endpoint(endpoint: &Endpoint) -> Target {
        let rest = endpoint.url.trim_start_matches("https://");
        let (authority, path) = rest
            .split_once('/')
            .map_or((rest, "/".to_owned()), |(a, p)| (a, format!("/{p}")));
        let (host, port) = authority
            .rsplit_once(':')
            .and_then(|(h, p)| p.parse().ok().map(|p| (h, p)))
            .unwrap_or((authority, 443));
        Target {
            host: host.to_owned(),
            port,
            path,
            connect_to: None,
            via: None,
        }
    }
}

/// What to probe and how long each phase may take.
#[derive(Debug, Clone)]
pub struct ProbeSettings {
    pub targets: Vec<Target>,
    pub proxy: ProxySettings,
    pub phase_timeout: Duration,
}

impl ProbeSettings {
    /// The global cloud's sync, RMS and sign-in endpoints, through the environment's proxy.
    pub fn global() -> ProbeSettings {
        ProbeSettings {
            targets: targets_of(crate::evidence::Cloud::Global),
            proxy: ProxySettings::from_env(),
            phase_timeout: Duration::from_secs(4),
        }
    }

    /// Probes `cloud`'s endpoints instead, when these settings probe the global cloud's (set
    /// targets, as tests give, are kept).
    pub fn in_cloud(mut self, cloud: crate::evidence::Cloud) -> ProbeSettings {
        if self.targets == targets_of(crate::evidence::Cloud::Global) {
            self.targets = targets_of(cloud);
        }
        self
    }
}

/// The probe targets of a cloud's endpoint catalogue.
pub fn targets_of(cloud: crate::evidence::Cloud) -> Vec<Target> {
    crate::facts::reach::endpoints(cloud)
        .iter()
        .map(Target::from_endpoint)
        .collect()
}

impl ProbeSettings {}

/// Probes every target concurrently; results come back in target order.
pub async fn probe_all(settings: &ProbeSettings) -> ReachFacts {
    let mut tasks = JoinSet::new();
    for (index, target) in settings.targets.iter().cloned().enumerate() {
        let settings = settings.clone();
        tasks.spawn(async move { (index, probe(&target, &settings).await) });
    }
    let mut results: Vec<(usize, Reach)> = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        if let Ok(result) = joined {
            results.push(result);
        }
    }
    results.sort_by_key(|(index, _)| *index);
    ReachFacts {
        results: results.into_iter().map(|(_, reach)| reach).collect(),
        pac_url: settings.proxy.pac_url.clone(),
    }
}

/// A failed phase, with the words for the report.
struct Failure {
    phase: Phase,
    error: String,
}

fn failure(phase: Phase, error: impl ToString) -> Failure {
    Failure {
        phase,
        error: error.to_string(),
    }
}

/// Runs one phase within the timeout; a timeout is reported as such, naming the phase.
async fn phase<T, E: ToString>(
    name: &str,
    timeout: Duration,
    phase: Phase,
    work: impl Future<Output = Result<T, E>>,
) -> Result<T, Failure> {
    match tokio::time::timeout(timeout, work).await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(e)) => Err(failure(phase, e)),
        Err(_) => Err(failure(
            Phase::Timeout,
            format!("{name}: no answer within {} ms", timeout.as_millis()),
        )),
    }
}

/// The facts gathered on the way, kept even when a later phase fails.
#[derive(Default)]
struct Seen {
    ipv4: Option<bool>,
    ipv6: Option<bool>,
    issuer: Option<String>,
}

async fn probe(target: &Target, settings: &ProbeSettings) -> Reach {
    let started = Instant::now();
    let mut seen = Seen::default();
    let outcome = run_phases(target, settings, &mut seen).await;
    let inspected = seen
        .issuer
        .as_deref()
        .is_some_and(|issuer| !is_microsoft_issuer(issuer));
    let proxies = target.via.as_ref().unwrap_or(&settings.proxy);
    let proxy = proxies.for_host(&target.host);
    let (reachable, failed_phase, error, http_status) = match outcome {
        Ok(status) => (true, None, None, Some(status)),
        Err(f) => (false, Some(f.phase), Some(f.error), None),
    };
    Reach {
        host: target.host.clone(),
        reachable,
        failed_phase,
        error,
        http_status,
        tls_issuer: seen.issuer,
        tls_inspected: inspected,
        elapsed_ms: Some(u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX)),
        ipv4: seen.ipv4,
        ipv6: seen.ipv6,
        proxy: proxy.map(ToString::to_string),
        proxy_origin: proxy.and(proxies.origin).map(str::to_owned),
    }
}

async fn run_phases(
    target: &Target,
    settings: &ProbeSettings,
    seen: &mut Seen,
) -> Result<u16, Failure> {
    let timeout = settings.phase_timeout;
    match target
        .via
        .as_ref()
        .unwrap_or(&settings.proxy)
        .for_host(&target.host)
    {
        Some(proxy) => {
            // A proxy that does not answer in time is the proxy's failure, not the host's.
            let at_proxy = |f: Failure| Failure {
                phase: Phase::Proxy,
                ..f
            };
            let tcp = phase(
                "connect to proxy",
                timeout,
                Phase::Proxy,
                TcpStream::connect((proxy.host.as_str(), proxy.port)),
            )
            .await
            .map_err(at_proxy)?;
            let tunnel = phase("proxy CONNECT", timeout, Phase::Proxy, async {
                connect_tunnel(tcp, &target.host, target.port)
                    .await
                    .map_err(|e| match e {
                        TunnelError::AuthRequired => {
                            format!("the proxy {proxy} demands authentication (407)")
                        }
                        TunnelError::Refused(why) => format!("proxy {proxy}: {why}"),
                    })
            })
            .await
            .map_err(at_proxy)?;
            tls_and_http(tunnel, target, timeout, seen).await
        }
        None => {
            let stream = direct_connection(target, timeout, seen).await?;
            tls_and_http(stream, target, timeout, seen).await
        }
    }
}

/// DNS, then a TCP connection per address family; the first family that connects is used.
async fn direct_connection(
    target: &Target,
    timeout: Duration,
    seen: &mut Seen,
) -> Result<TcpStream, Failure> {
    let addresses: Vec<SocketAddr> = match target.connect_to {
        Some(address) => vec![address],
        None => phase(
            "DNS",
            timeout,
            Phase::Dns,
            tokio::net::lookup_host((target.host.as_str(), target.port)),
        )
        .await?
        .collect(),
    };
    if addresses.is_empty() {
        return Err(failure(
            Phase::Dns,
            format!("{} has no A or AAAA record", target.host),
        ));
    }
    let mut first_stream = None;
    let mut last_error = None;
    for family_is_v4 in [true, false] {
        let Some(address) = addresses.iter().find(|a| a.is_ipv4() == family_is_v4) else {
            continue;
        };
        let result = phase(
            "TCP connect",
            timeout,
            Phase::Tcp,
            TcpStream::connect(address),
        )
        .await;
        let ok = result.is_ok();
        if family_is_v4 {
            seen.ipv4 = Some(ok);
        } else {
            seen.ipv6 = Some(ok);
        }
        match result {
            Ok(stream) if first_stream.is_none() => first_stream = Some(stream),
            Ok(_) => {}
            Err(f) => {
                last_error = Some(Failure {
                    error: format!("{address}: {}", f.error),
                    ..f
                });
            }
        }
    }
    first_stream.ok_or_else(|| {
        last_error.unwrap_or_else(|| failure(Phase::Tcp, "no address to connect to"))
    })
}

async fn tls_and_http<S>(
    stream: S,
    target: &Target,
    timeout: Duration,
    seen: &mut Seen,
) -> Result<u16, Failure>
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let recorder = IssuerRecorder::new();
    let config = recorder
        .client_config()
        .map_err(|e| failure(Phase::Tls, e))?;
    let server_name = rustls::pki_types::ServerName::try_from(target.host.clone())
        .map_err(|e| failure(Phase::Tls, e))?;
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let tls = phase(
        "TLS handshake",
        timeout,
        Phase::Tls,
        connector.connect(server_name, stream),
    )
    .await;
    seen.issuer = recorder.issuer();
    let tls = tls?;
    phase(
        "HTTP request",
        timeout,
        Phase::Http,
        http_status(tls, target),
    )
    .await
}

async fn http_status<S>(stream: S, target: &Target) -> Result<u16, hyper::Error>
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let (mut sender, connection) = hyper::client::conn::http1::handshake::<
        _,
        http_body_util::Empty<Bytes>,
    >(TokioIo::new(stream))
    .await?;
    tokio::spawn(connection);
    let request = hyper::Request::get(target.path.as_str())
        .header(hyper::header::HOST, target.host.as_str())
        .header(
            hyper::header::USER_AGENT,
            concat!("esr-doctor/", env!("CARGO_PKG_VERSION")),
        )
        .body(http_body_util::Empty::new());
    // A request built from our own parts cannot be malformed; if it ever were, report 0.
    let Ok(request) = request else { return Ok(0) };
    Ok(sender.send_request(request).await?.status().as_u16())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_from_the_catalogue() {
        let targets: Vec<Target> = crate::facts::reach::GLOBAL_ENDPOINTS
            .iter()
            .map(Target::from_endpoint)
            .collect();
        assert_eq!(
            targets[0],
            Target {
                host: "edge.microsoft.com".into(),
                port: 443,
                path: "/".into(),
                connect_to: None,
                via: None,
            }
        );
        assert_eq!(targets[1].path, "/my/v1/servicediscovery");
    }
}
