//! Reach results per endpoint: which phase failed (DNS, TCP, TLS, HTTP, proxy), how long it
//! took, and the TLS issuer seen (to spot TLS inspection).

use crate::evidence::Cloud;
use crate::facts::tenant::AnswerError;
use crate::model::Feature;
use serde::{Deserialize, Serialize};

/// An endpoint the sync chain needs, and what breaks without it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Endpoint {
    pub host: &'static str,
    pub url: &'static str,
    pub purpose: &'static str,
    pub affects: &'static [Feature],
    /// Current Edge needs it; the others are on Microsoft's allow-lists for older builds, and
    /// a block there is a warning.
    pub required: bool,
}

const SYNC: &[Feature] = &[Feature::EdgeSync];
const BOTH: &[Feature] = &[Feature::EdgeSync, Feature::WindowsSettings];

/// Endpoints of the global cloud: the sync, Azure Information Protection and sign-in hosts of
/// Edge's sync troubleshooting doc ("Couldn't connect to the sync server") and security
/// endpoints list (section "Sync"), and the two hosts the enterprise sync doc still lists
/// (MicrosoftDocs/Edge-Enterprise `microsoft-edge-troubleshoot-enterprise-sync.md`,
/// `microsoft-edge-security-endpoints.md`, `microsoft-edge-enterprise-sync.md`;
/// reference/microsoft-apis.md section 5.1).
pub const GLOBAL_ENDPOINTS: [Endpoint; 5] = [
    Endpoint {
        host: "edge.microsoft.com",
        url: "https://edge.microsoft.com",
        purpose: "Edge sync service",
        affects: SYNC,
        required: true,
    },
    Endpoint {
        host: "api.aadrm.com",
        url: "https://api.aadrm.com/my/v1/servicediscovery",
        purpose: "Azure Rights Management (encrypts synced data)",
        affects: SYNC,
        required: true,
    },
    Endpoint {
        host: "login.microsoftonline.com",
        url: "https://login.microsoftonline.com/common/v2.0/.well-known/openid-configuration",
        purpose: "Entra ID sign-in and tokens",
        affects: BOTH,
        required: true,
    },
    Endpoint {
        host: "edge-enterprise.activity.windows.com",
        url: "https://edge-enterprise.activity.windows.com",
        purpose: "Edge enterprise sync (listed in Microsoft's enterprise sync doc)",
        affects: SYNC,
        required: false,
    },
    Endpoint {
        host: "edge.activity.windows.com",
        url: "https://edge.activity.windows.com",
        purpose: "Edge sync (listed in Microsoft's enterprise sync doc)",
        affects: SYNC,
        required: false,
    },
];

/// The US Government cloud (GCC High, DoD): no Edge sync is offered there, but sign-in and
/// Azure RMS (`api.aadrm.us`) still decide Windows settings and protected content.
pub const USGOV_ENDPOINTS: [Endpoint; 2] = [
    Endpoint {
        host: "api.aadrm.us",
        url: "https://api.aadrm.us/my/v1/servicediscovery",
        purpose: "Azure Rights Management (US Government)",
        affects: SYNC,
        required: true,
    },
    Endpoint {
        host: "login.microsoftonline.us",
        url: "https://login.microsoftonline.us/organizations/v2.0/.well-known/openid-configuration",
        purpose: "Entra ID sign-in and tokens (US Government)",
        affects: BOTH,
        required: true,
    },
];

/// Microsoft Azure operated by 21Vianet (`api.aadrm.cn` per Edge's endpoint list).
pub const CHINA_ENDPOINTS: [Endpoint; 2] = [
    Endpoint {
        host: "api.aadrm.cn",
        url: "https://api.aadrm.cn/my/v1/servicediscovery",
        purpose: "Azure Rights Management (21Vianet)",
        affects: SYNC,
        required: true,
    },
    Endpoint {
        host: "login.partner.microsoftonline.cn",
        url: "https://login.partner.microsoftonline.cn/organizations/v2.0/.well-known/openid-configuration",
        purpose: "Entra ID sign-in and tokens (21Vianet)",
        affects: BOTH,
        required: true,
    },
];

/// The endpoints a device in `cloud` needs.
pub fn endpoints(cloud: Cloud) -> &'static [Endpoint] {
    match cloud {
        Cloud::Global => &GLOBAL_ENDPOINTS,
        Cloud::UsGov => &USGOV_ENDPOINTS,
        Cloud::China => &CHINA_ENDPOINTS,
    }
}

/// The cloud whose login host a sign-in URL names (dsregcmd's or the registry's
/// `AuthCodeUrl`); `None` for a host of no cloud esr-doctor knows.
pub fn cloud_of_login_url(url: &str) -> Option<Cloud> {
    let host = url::Url::parse(url.trim())
        .ok()?
        .host_str()?
        .to_ascii_lowercase();
    match host.as_str() {
        "login.microsoftonline.com" | "login.windows.net" | "login.microsoft.com" => {
            Some(Cloud::Global)
        }
        "login.microsoftonline.us" => Some(Cloud::UsGov),
        "login.partner.microsoftonline.cn" | "login.chinacloudapi.cn" => Some(Cloud::China),
        _ => None,
    }
}

/// The cloud a set of probe results was taken for: the one whose sign-in host it holds.
pub fn cloud_of(facts: &ReachFacts) -> Cloud {
    [Cloud::UsGov, Cloud::China, Cloud::Global]
        .into_iter()
        .find(|cloud| {
            endpoints(*cloud)
                .iter()
                .any(|e| e.host.starts_with("login.") && facts.result(e.host).is_some())
        })
        .unwrap_or(Cloud::Global)
}

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
    /// The proxy the probe went through (`host:port`), and where that setting comes from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proxy: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proxy_origin: Option<String>,
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
    let value = crate::facts::tenant::parse_answer(file, text)?;
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
    fn the_login_host_names_the_cloud() {
        for (url, cloud) in [
            (
                "https://login.microsoftonline.com/3f2a/oauth2/authorize",
                Some(Cloud::Global),
            ),
            (
                "https://login.microsoftonline.us/x/oauth2/authorize",
                Some(Cloud::UsGov),
            ),
            (
                "https://login.partner.microsoftonline.cn/x/oauth2/authorize",
                Some(Cloud::China),
            ),
            ("https://login.evil.example/x", None),
            ("not a url", None),
        ] {
            assert_eq!(cloud_of_login_url(url), cloud, "{url}");
        }
        let usgov = ReachFacts {
            results: vec![Reach {
                host: "login.microsoftonline.us".into(),
                reachable: true,
                failed_phase: None,
                error: None,
                http_status: Some(200),
                tls_issuer: None,
                tls_inspected: false,
                elapsed_ms: None,
                ipv4: None,
                ipv6: None,
                proxy: None,
                proxy_origin: None,
            }],
            pac_url: None,
        };
        assert_eq!(cloud_of(&usgov), Cloud::UsGov);
        assert_eq!(cloud_of(&ReachFacts::default()), Cloud::Global);
    }

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
