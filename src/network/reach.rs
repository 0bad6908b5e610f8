//! Reach results per endpoint: which phase failed (DNS, TCP, TLS, HTTP, proxy), how long it
//! took, and the TLS issuer seen (to spot TLS inspection).

use crate::cloud::AnswerError;
use crate::model::Feature;
use serde::{Deserialize, Serialize};

/// An endpoint the sync chain needs, and what breaks without it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Endpoint {
    pub host: &'static str,
    pub url: &'static str,
    pub purpose: &'static str,
    pub affects: &'static [Feature],
}

/// Endpoints of the global cloud (Microsoft's Edge endpoint list, section "Sync").
pub const GLOBAL_ENDPOINTS: [Endpoint; 3] = [
    Endpoint {
        host: "edge.microsoft.com",
        url: "https://edge.microsoft.com",
        purpose: "Edge sync service",
        affects: &[Feature::EdgeSync],
    },
    Endpoint {
        host: "api.aadrm.com",
        url: "https://api.aadrm.com/my/v1/servicediscovery",
        purpose: "Azure Rights Management (encrypts synced data)",
        affects: &[Feature::EdgeSync],
    },
    Endpoint {
        host: "login.microsoftonline.com",
        url: "https://login.microsoftonline.com/common/v2.0/.well-known/openid-configuration",
        purpose: "Entra ID sign-in and tokens",
        affects: &[Feature::EdgeSync, Feature::WindowsSettings],
    },
];

/// The phase a probe failed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    Dns,
    Tcp,
    Tls,
    Http,
    Proxy,
    Timeout,
}

/// One probe result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reach {
    pub host: String,
    pub reachable: bool,
    #[serde(default)]
    pub failed_phase: Option<Phase>,
    #[serde(default)]
    pub error: Option<String>,
    #[serde(default)]
    pub http_status: Option<u16>,
    /// Issuer of the certificate the endpoint presented.
    #[serde(default)]
    pub tls_issuer: Option<String>,
    /// The chain was not issued by the CA the Microsoft endpoint uses.
    #[serde(default)]
    pub tls_inspected: bool,
    #[serde(default)]
    pub elapsed_ms: Option<u64>,
    /// Whether a TCP connection over IPv4 / IPv6 succeeded (`None`: no such address).
    #[serde(default)]
    pub ipv4: Option<bool>,
    #[serde(default)]
    pub ipv6: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct ReachFacts {
    #[serde(rename = "endpoints")]
    pub results: Vec<Reach>,
    /// The proxy auto-config script in force, which the probes could not evaluate.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pac_url: Option<String>,
}

impl ReachFacts {
    pub fn result(&self, host: &str) -> Option<&Reach> {
        self.results
            .iter()
            .find(|r| r.host.eq_ignore_ascii_case(host))
    }
}

/// Parses `network.json`: `{"endpoints":[...]}` or a bare list of results.
pub fn parse(file: &str, text: &str) -> Result<ReachFacts, AnswerError> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Shape {
        Wrapped {
            endpoints: Vec<Reach>,
            #[serde(default)]
            pac_url: Option<String>,
        },
        Bare(Vec<Reach>),
    }
    let value = crate::cloud::parse_answer(file, text)?;
    let shape: Shape = serde_json::from_value(value).map_err(|e| AnswerError::Shape {
        file: file.to_owned(),
        detail: e.to_string(),
    })?;
    Ok(match shape {
        Shape::Wrapped { endpoints, pac_url } => ReachFacts {
            results: endpoints,
            pac_url,
        },
        Shape::Bare(endpoints) => ReachFacts {
            results: endpoints,
            pac_url: None,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapped_and_bare_lists() {
        let text = r#"{"endpoints":[{"host":"edge.microsoft.com","reachable":false,"failed_phase":"tcp","error":"connection refused"},{"host":"api.aadrm.com","reachable":true,"http_status":401,"elapsed_ms":80}]}"#;
        let facts = parse("n", text).unwrap_or_default();
        assert_eq!(
            facts.result("EDGE.microsoft.com").map(|r| r.failed_phase),
            Some(Some(Phase::Tcp))
        );
        assert_eq!(
            facts.result("api.aadrm.com").and_then(|r| r.http_status),
            Some(401)
        );
        let bare = parse("n", r#"[{"host":"a","reachable":true}]"#).map(|f| f.results.len());
        assert_eq!(bare, Ok(1));
        assert!(matches!(
            parse("n", r#"{"endpoints":[{"reachable":true}]}"#),
            Err(AnswerError::Shape { .. })
        ));
        assert!(parse("n", "{").is_err());
    }
}
