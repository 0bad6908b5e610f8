//! Opening an HTTPS tunnel (CONNECT) through the proxy `facts::proxy` chose.

use hyper::body::Bytes;
use hyper_util::rt::TokioIo;
use std::fmt;

/// Why a tunnel could not be opened.
#[derive(Debug, Clone, PartialEq)]
pub enum TunnelError {
    /// 407: the proxy wants credentials.
    AuthRequired,
    Refused(String),
}

/// Asks the proxy (already connected on `stream`) for a tunnel to `host:port`.
pub async fn connect_tunnel(
    stream: tokio::net::TcpStream,
    host: &str,
    port: u16,
) -> Result<TokioIo<hyper::upgrade::Upgraded>, TunnelError> {
    let failed = |e: &dyn fmt::Display| TunnelError::Refused(e.to_string());
    let (mut sender, connection) = hyper::client::conn::http1::handshake::<
        _,
        http_body_util::Empty<Bytes>,
    >(TokioIo::new(stream))
    .await
    .map_err(|e| failed(&e))?;
    tokio::spawn(connection.with_upgrades());
    let authority = format!("{host}:{port}");
    let request = hyper::Request::connect(authority.as_str())
        .header(hyper::header::HOST, authority.as_str())
        .body(http_body_util::Empty::new())
        .map_err(|e| failed(&e))?;
    let response = sender.send_request(request).await.map_err(|e| failed(&e))?;
    match response.status().as_u16() {
        200..=299 => hyper::upgrade::on(response)
            .await
            .map(TokioIo::new)
            .map_err(|e| failed(&e)),
        407 => Err(TunnelError::AuthRequired),
        status => Err(TunnelError::Refused(format!(
            "the proxy answered {status} to CONNECT {authority}"
        ))),
    }
}
