//! The emulated person's browser, for the browser sign-in in demos and tests: after a moment
//! it opens the sign-in address as a browser would (a plain GET), is redirected back to
//! esr-doctor's loopback address, and follows that redirect. It speaks only plain HTTP to
//! loopback hosts, so it can reach nothing but the emulator and esr-doctor itself.

use crate::cloud::auth::browser::Opener;
use crate::evidence::hosts::is_loopback_name;
use http_body_util::Empty;
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpStream;

/// Redirects followed before the browser gives up (Entra's page sends one).
const MAX_REDIRECTS: usize = 3;

/// An opener that plays the person: signs in `after` this long.
pub fn opener(after: Duration) -> Opener {
    Arc::new(move |url: String| {
        let runtime = tokio::runtime::Handle::try_current()
            .map_err(|_| "the emulated browser needs the async runtime".to_owned())?;
        runtime.spawn(async move {
            tokio::time::sleep(after).await;
            if let Err(e) = visit(url).await {
                tracing::warn!("the emulated browser stopped: {e}");
            }
        });
        Ok(())
    })
}

/// Opens `url` and follows its redirects.
async fn visit(mut url: String) -> Result<(), String> {
    for _ in 0..MAX_REDIRECTS {
        match get(&url).await? {
            (status, Some(location)) if (300..400).contains(&status) => url = location,
            _ => return Ok(()),
        }
    }
    Err(format!("more than {MAX_REDIRECTS} redirects"))
}

/// One GET: the status and the `Location` header.
pub async fn get(url: &str) -> Result<(u16, Option<String>), String> {
    let parsed = url::Url::parse(url).map_err(|e| format!("{url:?} is not a URL: {e}"))?;
    let host = parsed.host_str().unwrap_or_default().to_owned();
    if parsed.scheme() != "http" || !is_loopback_name(&host) {
        return Err(format!(
            "{host:?}: the emulated browser only visits loopback over http"
        ));
    }
    let port = parsed.port_or_known_default().unwrap_or(80);
    let stream = TcpStream::connect((host.as_str(), port))
        .await
        .map_err(|e| format!("cannot connect to {host}:{port}: {e}"))?;
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| e.to_string())?;
    tokio::spawn(connection);
    let request = hyper::Request::get(&parsed[url::Position::BeforePath..])
        .header(hyper::header::HOST, format!("{host}:{port}"))
        .body(Empty::<Bytes>::new())
        .map_err(|e| e.to_string())?;
    let response = sender
        .send_request(request)
        .await
        .map_err(|e| e.to_string())?;
    let location = response
        .headers()
        .get(hyper::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    Ok((response.status().as_u16(), location))
}
