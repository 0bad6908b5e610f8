//! Live probes against servers on loopback only: a refused port, a TLS server whose certificate
//! comes from a test "inspection" CA, one from a Microsoft-named CA, an HTTP proxy answering
//! 407, and a server that stalls past the timeout. Each yields its own finding, in time.

mod common;

use esr_doctor::facts::proxy::{Proxy, ProxySettings};
use esr_doctor::facts::reach::{Phase, Reach, ReachFacts};
use esr_doctor::facts::{Facts, Gathered};
use esr_doctor::model::{CheckId, CheckResult};
use esr_doctor::network::probe::{ProbeSettings, Target, probe_all};
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

const TIMEOUT: Duration = Duration::from_millis(400);

/// A TLS server on loopback for `edge.microsoft.com`, signed by a CA called `ca_name`, that
/// answers every request with 404.
async fn tls_server(ca_name: &str) -> SocketAddr {
    let ca_key = KeyPair::generate().unwrap_or_else(|e| panic!("{e}"));
    let mut ca_params =
        CertificateParams::new(Vec::<String>::new()).unwrap_or_else(|e| panic!("{e}"));
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, ca_name);
    let issuer = Issuer::new(ca_params, ca_key);
    let leaf_key = KeyPair::generate().unwrap_or_else(|e| panic!("{e}"));
    let leaf = CertificateParams::new(vec!["edge.microsoft.com".to_owned()])
        .and_then(|p| p.signed_by(&leaf_key, &issuer))
        .unwrap_or_else(|e| panic!("{e}"));
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der()));
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .and_then(|b| {
        b.with_no_client_auth()
            .with_single_cert(vec![leaf.der().clone()], key)
    })
    .unwrap_or_else(|e| panic!("{e}"));
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let (listener, address) = loopback().await;
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(stream).await else {
                    return;
                };
                let mut buffer = [0u8; 4096];
                let _ = tls.read(&mut buffer).await;
                let _ = tls
                    .write_all(
                        b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                    )
                    .await;
                let _ = tls.shutdown().await;
            });
        }
    });
    address
}

/// A listener on a free loopback port, and its address.
async fn loopback() -> (TcpListener, SocketAddr) {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let address = listener.local_addr().unwrap_or_else(|e| panic!("{e}"));
    (listener, address)
}

/// A server that accepts connections and then says nothing at all.
async fn stalling_server() -> SocketAddr {
    let (listener, address) = loopback().await;
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((stream, _)) = listener.accept().await {
            held.push(stream);
        }
    });
    address
}

/// An HTTP proxy that demands authentication for every CONNECT.
async fn proxy_requiring_auth() -> SocketAddr {
    let (listener, address) = loopback().await;
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut request = Vec::new();
                let mut buffer = [0u8; 1024];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                    match stream.read(&mut buffer).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => request.extend_from_slice(&buffer[..n]),
                    }
                }
                let _ = stream
                    .write_all(b"HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Negotiate\r\nContent-Length: 0\r\n\r\n")
                    .await;
            });
        }
    });
    address
}

async fn refused_port() -> SocketAddr {
    // The listener is dropped on return, so connections to the port are refused.
    loopback().await.1
}

/// Probes `edge.microsoft.com`, connecting to `address` instead of resolving it.
async fn probe_edge_at(address: SocketAddr, proxy: ProxySettings) -> (Reach, Duration) {
    let settings = ProbeSettings {
        targets: vec![Target {
            host: "edge.microsoft.com".into(),
            port: address.port(),
            path: "/".into(),
            connect_to: Some(address),
            via: None,
        }],
        proxy,
        phase_timeout: TIMEOUT,
    };
    let started = Instant::now();
    let facts = probe_all(&settings).await;
    let reach = facts
        .results
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("no result"));
    (reach, started.elapsed())
}

/// The network check's findings for edge.microsoft.com alone.
fn edge_findings(reach: Reach) -> Vec<String> {
    let facts = Facts {
        reach: Gathered::Found(ReachFacts {
            results: vec![reach],
            pac_url: None,
        }),
        ..Facts::default()
    };
    let result: CheckResult = (esr_doctor::checks::spec(CheckId::Network).decide)(&facts);
    result
        .findings
        .iter()
        .filter(|f| f.message.contains("edge.microsoft.com"))
        .map(|f| f.code.clone())
        .collect()
}

#[tokio::test]
async fn refused_connection_is_blocked_at_tcp() {
    let (reach, took) = probe_edge_at(refused_port().await, ProxySettings::default()).await;
    assert_eq!(
        (reach.reachable, reach.failed_phase, reach.ipv4),
        (false, Some(Phase::Tcp), Some(false))
    );
    assert!(took < TIMEOUT * 3, "took {took:?}");
    assert_eq!(edge_findings(reach), ["NET_BLOCKED"]);
}

#[tokio::test]
async fn inspection_ca_is_detected_and_named() {
    let (reach, _) = probe_edge_at(
        tls_server("Contoso TLS Inspection CA").await,
        ProxySettings::default(),
    )
    .await;
    assert!(reach.reachable, "{reach:?}");
    assert_eq!(reach.http_status, Some(404));
    assert!(reach.tls_inspected);
    assert!(
        reach
            .tls_issuer
            .as_deref()
            .is_some_and(|i| i.contains("Contoso TLS Inspection CA"))
    );
    assert_eq!(edge_findings(reach), ["NET_TLS_INSPECTED"]);
}

#[tokio::test]
async fn microsoft_issued_certificate_is_reachable_and_clean() {
    let (reach, _) = probe_edge_at(
        tls_server("Microsoft Azure RSA TLS Issuing CA 04").await,
        ProxySettings::default(),
    )
    .await;
    assert!(reach.reachable && !reach.tls_inspected, "{reach:?}");
    assert_eq!(reach.http_status, Some(404));
    assert!(edge_findings(reach).is_empty());
}

#[tokio::test]
async fn proxy_answering_407_asks_for_authentication() {
    let proxy = proxy_requiring_auth().await;
    let settings = ProxySettings {
        proxy: Some(Proxy {
            host: "127.0.0.1".into(),
            port: proxy.port(),
        }),
        no_proxy: Vec::new(),
        pac_url: None,
        origin: None,
    };
    let (reach, took) = probe_edge_at(refused_port().await, settings).await;
    assert_eq!(
        (reach.reachable, reach.failed_phase),
        (false, Some(Phase::Proxy))
    );
    assert!(
        reach.error.as_deref().is_some_and(|e| e.contains("407")),
        "{reach:?}"
    );
    assert!(took < TIMEOUT * 3, "took {took:?}");
    assert_eq!(edge_findings(reach), ["NET_PROXY_AUTH_REQUIRED"]);
}

#[tokio::test]
async fn no_proxy_bypasses_the_proxy() {
    let proxy = proxy_requiring_auth().await;
    let settings = ProxySettings {
        proxy: Some(Proxy {
            host: "127.0.0.1".into(),
            port: proxy.port(),
        }),
        no_proxy: vec![".microsoft.com".into()],
        pac_url: None,
        origin: None,
    };
    let (reach, _) = probe_edge_at(
        tls_server("Microsoft Azure RSA TLS Issuing CA 04").await,
        settings,
    )
    .await;
    assert!(reach.reachable, "{reach:?}");
}

#[tokio::test]
async fn stalling_server_times_out_within_the_limit() {
    let (reach, took) = probe_edge_at(stalling_server().await, ProxySettings::default()).await;
    assert_eq!(
        (reach.reachable, reach.failed_phase),
        (false, Some(Phase::Timeout))
    );
    assert!(
        reach
            .error
            .as_deref()
            .is_some_and(|e| e.starts_with("TLS handshake")),
        "{reach:?}"
    );
    assert!(took >= TIMEOUT && took < TIMEOUT * 3, "took {took:?}");
    assert_eq!(edge_findings(reach), ["NET_TIMEOUT"]);
}

#[test]
fn a_pac_script_is_named_because_the_probes_cannot_follow_it() {
    let facts = Facts {
        reach: Gathered::Found(ReachFacts {
            results: Vec::new(),
            pac_url: Some("http://wpad.corp/proxy.pac".into()),
        }),
        ..Facts::default()
    };
    let result = (esr_doctor::checks::spec(CheckId::Network).decide)(&facts);
    let pac = result.findings.iter().find(|f| f.code == "NET_PAC_IN_USE");
    assert!(pac.is_some_and(|f| f.message.contains("http://wpad.corp/proxy.pac")));
    assert_eq!(
        result.evidence.get("pac_url"),
        Some(&serde_json::Value::from("http://wpad.corp/proxy.pac"))
    );
}

/// A proxy answering every CONNECT with `status_line` (a proxy that refuses the host).
async fn proxy_answering(status_line: &'static [u8]) -> SocketAddr {
    let (listener, address) = loopback().await;
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buffer = [0u8; 1024];
                let _ = stream.read(&mut buffer).await;
                let _ = stream.write_all(status_line).await;
            });
        }
    });
    address
}

fn proxy_at(address: SocketAddr) -> ProxySettings {
    ProxySettings {
        proxy: Some(Proxy {
            host: "127.0.0.1".into(),
            port: address.port(),
        }),
        no_proxy: Vec::new(),
        pac_url: None,
        origin: Some(esr_doctor::facts::proxy::FROM_WININET),
    }
}

/// The network check's findings for these results.
fn findings_of(results: Vec<Reach>) -> Vec<esr_doctor::model::Finding> {
    let facts = Facts {
        reach: Gathered::Found(ReachFacts {
            results,
            pac_url: None,
        }),
        ..Facts::default()
    };
    let mut findings = (esr_doctor::checks::spec(CheckId::Network).decide)(&facts).findings;
    esr_doctor::guidance::Guidance::builtin()
        .attach(&mut findings, esr_doctor::evidence::Platform::Windows);
    findings
}

#[tokio::test]
async fn a_dead_refusing_or_silent_proxy_is_named_not_a_firewall() {
    let dead = refused_port().await;
    let refusing = proxy_answering(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n").await;
    let silent = stalling_server().await;
    for proxy in [dead, refusing, silent] {
        let (reach, took) = probe_edge_at(refused_port().await, proxy_at(proxy)).await;
        assert_eq!(
            (reach.reachable, reach.failed_phase),
            (false, Some(Phase::Proxy)),
            "{reach:?}"
        );
        assert!(took < TIMEOUT * 3, "took {took:?}");
        let shown = format!("127.0.0.1:{}", proxy.port());
        assert_eq!(reach.proxy.as_deref(), Some(shown.as_str()));
        // Only edge.microsoft.com was probed here; the others are "not probed".
        let findings: Vec<_> = findings_of(vec![reach])
            .into_iter()
            .filter(|f| f.code != "NET_NOT_PROBED")
            .collect();
        let codes: Vec<&str> = findings.iter().map(|f| f.code.as_str()).collect();
        assert_eq!(codes, ["NET_PROXY_UNREACHABLE"], "{findings:?}");
        let message = &findings[0].message;
        assert!(
            message.contains(&shown)
                && message.contains("WinINet")
                && message.contains("edge.microsoft.com"),
            "{message}"
        );
        let steps = findings[0]
            .fix
            .as_ref()
            .map(|f| f.steps.join(" "))
            .unwrap_or_default();
        assert!(!steps.to_lowercase().contains("firewall"), "{steps}");
    }
}

#[test]
fn the_binary_names_the_dead_proxy_in_https_proxy() {
    let dead = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .unwrap_or_else(|e| panic!("{e}"));
    let proxy = format!("http://127.0.0.1:{}", dead.port());
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_esr-doctor"))
        .args(["check", "--only", "network", "--format", "json"])
        .env("HTTPS_PROXY", &proxy)
        .env_remove("https_proxy")
        .env_remove("NO_PROXY")
        .env_remove("no_proxy")
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(output.status.code(), Some(1));
    let report: serde_json::Value =
        serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("{e}"));
    let network = common::check_in(&report, "network");
    let codes: Vec<&str> = network["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| f["code"].as_str())
        .collect();
    assert_eq!(codes, ["NET_PROXY_UNREACHABLE"], "{network:#}");
    let message = network["findings"][0]["message"]
        .as_str()
        .unwrap_or_default();
    assert!(
        message.contains(&format!("127.0.0.1:{}", dead.port())) && message.contains("HTTPS_PROXY"),
        "{message}"
    );
}
