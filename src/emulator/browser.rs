//! The emulated person's browser, for the browser sign-in in demos and tests: after a moment
//! it opens the sign-in address as a browser would (a plain GET), is redirected back to
//! esr-doctor's loopback address, and follows that redirect. It speaks only plain HTTP to
//! loopback hosts, so it can reach nothing but the emulator and esr-doctor itself.

use crate::cloud::auth::browser::{Opener, Unopened};
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
            .map_err(|_| Unopened::from("the emulated browser needs the async runtime"))?;
        runtime.spawn(async move {
            tokio::time::sleep(after).await;
            if let Err(e) = visit(url).await {
                tracing::warn!("the emulated browser stopped: {e}");
            }
        });
        Ok(())
    })
}

/// Why the emulated browser stopped.
#[derive(Debug, thiserror::Error)]
pub enum VisitError {
    #[error("{url:?} is not a URL: {source}")]
    NotAUrl {
        url: String,
        source: url::ParseError,
    },
    #[error("{0:?}: the emulated browser only visits loopback over http")]
    NotLoopback(String),
    #[error("cannot connect to {host}:{port}: {source}")]
    Connect {
        host: String,
        port: u16,
        source: std::io::Error,
    },
    #[error("{0}")]
    Http(#[from] hyper::Error),
    #[error("{0}")]
    Request(#[from] hyper::http::Error),
    #[error("more than {MAX_REDIRECTS} redirects")]
    TooManyRedirects,
}

/// Opens `url` and follows its redirects.
async fn visit(mut url: String) -> Result<(), VisitError> {
    for _ in 0..MAX_REDIRECTS {
        match get(&url).await? {
            (status, Some(location)) if (300..400).contains(&status) => url = location,
            _ => return Ok(()),
        }
    }
    Err(VisitError::TooManyRedirects)
}

/// One GET: the status and the `Location` header.
pub async fn get(url: &str) -> Result<(u16, Option<String>), VisitError> {
    let parsed = url::Url::parse(url).map_err(|source| VisitError::NotAUrl {
        url: url.to_owned(),
        source,
    })?;
    let host = parsed.host_str().unwrap_or_default().to_owned();
    if parsed.scheme() != "http" || !is_loopback_name(&host) {
        return Err(VisitError::NotLoopback(host));
    }
    let port = parsed.port_or_known_default().unwrap_or(80);
    let stream = TcpStream::connect((host.as_str(), port))
        .await
        .map_err(|source| VisitError::Connect {
            host: host.clone(),
            port,
            source,
        })?;
    let (mut sender, connection) =
        hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(connection);
    let request = hyper::Request::get(&parsed[url::Position::BeforePath..])
        .header(hyper::header::HOST, format!("{host}:{port}"))
        .body(Empty::<Bytes>::new())?;
    let response = sender.send_request(request).await?;
    let location = response
        .headers()
        .get(hyper::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    Ok((response.status().as_u16(), location))
}
