//! Which proxy a request to a host goes through: from `HTTPS_PROXY` / `NO_PROXY` (the variables
//! Edge and most tools honour on Linux and macOS), the user's WinINet settings and the machine's
//! WinHTTP proxy. `network::tunnel` opens a tunnel through it.

use std::fmt;

/// An HTTP proxy that tunnels HTTPS with CONNECT.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proxy {
    pub host: String,
    pub port: u16,
}

impl fmt::Display for Proxy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.host, self.port)
    }
}

/// The proxy settings in force: a proxy, and the hosts that bypass it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProxySettings {
    pub proxy: Option<Proxy>,
    pub no_proxy: Vec<String>,
    /// A proxy auto-config script decides the proxy (Windows `AutoConfigURL`); the probes
    /// cannot run it, so they say so.
    pub pac_url: Option<String>,
    /// Where the proxy setting comes from, for the person who must fix it.
    pub origin: Option<&'static str>,
}

/// The origins a proxy setting can have.
pub const FROM_ENVIRONMENT: &str = "the HTTPS_PROXY environment variable";
pub const FROM_WINHTTP: &str =
    "the machine's WinHTTP proxy (netsh winhttp show proxy), which Windows settings roaming uses";
pub const FROM_WININET: &str =
    "the user's Windows proxy settings (WinINet: Settings > Network & internet > Proxy)";

impl ProxySettings {
    /// Reads `HTTPS_PROXY`/`https_proxy` and `NO_PROXY`/`no_proxy`.
    pub fn from_env() -> ProxySettings {
        ProxySettings {
            pac_url: None,
            origin: Some(FROM_ENVIRONMENT),
            proxy: env_var(["HTTPS_PROXY", "https_proxy"]).and_then(|url| parse_proxy_url(&url)),
            no_proxy: env_var(["NO_PROXY", "no_proxy"])
                .map_or_else(Vec::new, |list| host_list(&list, ',')),
        }
    }

    /// The proxy a request to `host` goes through, if any; never for loopback.
    pub fn for_host(&self, host: &str) -> Option<&Proxy> {
        if crate::evidence::hosts::is_loopback_name(host) {
            return None;
        }
        let host = host.to_ascii_lowercase();
        let bypassed = self.no_proxy.iter().any(|entry| {
            let suffix = entry.trim_start_matches("*.").trim_start_matches('.');
            entry == "*"
                || (entry == "<local>" && !host.contains('.'))
                || host == suffix
                || host.ends_with(&format!(".{suffix}"))
        });
        if bypassed { None } else { self.proxy.as_ref() }
    }
}

/// The first of a proxy variable's spellings (`HTTPS_PROXY`, `https_proxy`) that is set and
/// not blank.
pub fn env_var(names: [&str; 2]) -> Option<String> {
    names
        .iter()
        .find_map(|n| std::env::var(n).ok().filter(|v| !v.trim().is_empty()))
}

/// The user's WinINet proxy (what Edge uses on Windows), from `reg query` of
/// `HKCU\Software\Microsoft\Windows\CurrentVersion\Internet Settings`.
pub fn from_wininet(reg_text: &str) -> ProxySettings {
    let values = crate::facts::registry::parse(reg_text);
    let get = |name: &str| {
        values
            .iter()
            .find(|v| v.name.eq_ignore_ascii_case(name))
            .map(|v| v.value.clone())
    };
    let enabled = get("ProxyEnable").and_then(|v| v.as_i64()) == Some(1);
    let server = get("ProxyServer")
        .and_then(|v| v.as_str().map(str::to_owned))
        .filter(|_| enabled);
    let proxy = server.as_deref().and_then(wininet_https_proxy);
    ProxySettings {
        origin: proxy.is_some().then_some(FROM_WININET),
        proxy,
        no_proxy: get("ProxyOverride")
            .and_then(|v| v.as_str().map(|list| host_list(list, ';')))
            .unwrap_or_default(),
        pac_url: get("AutoConfigURL")
            .and_then(|v| v.as_str().map(str::to_owned))
            .filter(|u| !u.trim().is_empty()),
    }
}

/// The machine's WinHTTP proxy from `netsh winhttp show proxy`'s server and bypass list
/// (the same `host:port` or `scheme=host:port;…` forms as WinINet's).
pub fn from_winhttp(server: &str, bypass: Option<&str>) -> ProxySettings {
    let proxy = wininet_https_proxy(server);
    ProxySettings {
        origin: proxy.is_some().then_some(FROM_WINHTTP),
        proxy,
        no_proxy: bypass.map_or_else(Vec::new, |list| host_list(list, ';')),
        pac_url: None,
    }
}

/// A bypass list (`NO_PROXY` uses commas, WinINet semicolons) as lower-cased entries.
fn host_list(list: &str, separator: char) -> Vec<String> {
    list.split(separator)
        .map(|s| s.trim().to_ascii_lowercase())
        .filter(|s| !s.is_empty())
        .collect()
}

/// `proxy:8080` or `http=p1:8080;https=p2:8443` → the proxy used for HTTPS.
fn wininet_https_proxy(server: &str) -> Option<Proxy> {
    if !server.contains('=') {
        return parse_proxy_url(server);
    }
    let entries: Vec<(&str, &str)> = server
        .split(';')
        .filter_map(|e| e.split_once('='))
        .collect();
    let pick = |scheme: &str| {
        entries
            .iter()
            .find(|(s, _)| s.trim().eq_ignore_ascii_case(scheme))
            .map(|(_, v)| *v)
    };
    pick("https")
        .or_else(|| pick("http"))
        .and_then(parse_proxy_url)
}

/// `http://user:pass@proxy.corp:8080/` → `proxy.corp:8080` (credentials are not used).
pub fn parse_proxy_url(url: &str) -> Option<Proxy> {
    let rest = url
        .trim()
        .split_once("://")
        .map_or(url.trim(), |(_, rest)| rest);
    let authority = rest.split('/').next()?;
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, hp)| hp);
    let (host, port) = match host_port.rsplit_once(':') {
        Some((host, port)) if !host.ends_with(']') || host.starts_with('[') => {
            (host, port.parse().ok()?)
        }
        _ => (host_port, 80),
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    (!host.is_empty()).then(|| Proxy {
        host: host.to_owned(),
        port,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proxy_urls() {
        let p = |host: &str, port| {
            Some(Proxy {
                host: host.into(),
                port,
            })
        };
        assert_eq!(
            parse_proxy_url("http://proxy.corp:8080/"),
            p("proxy.corp", 8080)
        );
        assert_eq!(
            parse_proxy_url("http://ann:secret@proxy.corp:3128"),
            p("proxy.corp", 3128)
        );
        assert_eq!(parse_proxy_url("proxy.corp"), p("proxy.corp", 80));
        assert_eq!(parse_proxy_url("http://[::1]:8080"), p("::1", 8080));
        assert_eq!(parse_proxy_url("http://"), None);
    }

    #[test]
    fn no_proxy_matching() {
        let settings = ProxySettings {
            proxy: parse_proxy_url("http://proxy:8080"),
            no_proxy: vec![".microsoft.com".into(), "login.microsoftonline.com".into()],
            pac_url: None,
            origin: None,
        };
        assert!(settings.for_host("edge.microsoft.com").is_none());
        for loopback in ["127.0.0.1", "127.8.9.10", "::1", "[::1]", "localhost"] {
            assert!(settings.for_host(loopback).is_none(), "{loopback}");
        }
        assert!(settings.for_host("LOGIN.microsoftonline.com").is_none());
        assert!(settings.for_host("api.aadrm.com").is_some());
        let everything = ProxySettings {
            proxy: parse_proxy_url("http://proxy:8080"),
            no_proxy: vec!["*".into()],
            pac_url: None,
            origin: None,
        };
        assert!(everything.for_host("api.aadrm.com").is_none());
    }

    #[test]
    fn wininet_user_proxy_bypass_and_pac() {
        let text = "HKEY_CURRENT_USER\\Software\\Microsoft\\Windows\\CurrentVersion\\Internet Settings\r\n    ProxyEnable    REG_DWORD    0x1\r\n    ProxyServer    REG_SZ    http=proxy.corp:8080;https=secure.corp:8443\r\n    ProxyOverride    REG_SZ    <local>;*.corp.com\r\n    AutoConfigURL    REG_SZ    http://wpad.corp/proxy.pac\r\n";
        let settings = from_wininet(text);
        assert_eq!(
            settings.proxy,
            Some(Proxy {
                host: "secure.corp".into(),
                port: 8443
            })
        );
        assert!(
            settings.for_host("intranet").is_none() && settings.for_host("app.corp.com").is_none()
        );
        assert!(settings.for_host("edge.microsoft.com").is_some());
        assert_eq!(
            settings.pac_url.as_deref(),
            Some("http://wpad.corp/proxy.pac")
        );
        let disabled = from_wininet(&text.replace("0x1", "0x0"));
        assert_eq!(disabled.proxy, None);
        assert_eq!(from_wininet("garbage"), ProxySettings::default());
    }
}
