//! Can this device reach the sync, RMS and sign-in endpoints?
//!
//! An endpoint counts as reachable when TLS completes and any HTTP status comes back; DNS,
//! TCP or TLS failures, timeouts and proxy refusals count as blocked.

use super::need;
use crate::facts::Facts;
use crate::facts::reach::{self, Phase, Reach};
use crate::model::{CheckId, CheckResult, Feature, Finding, Severity, evidence};
use serde_json::{Value, json};

const ID: CheckId = CheckId::Network;
pub const CODES: &[&str] = &[
    "NET_BLOCKED",
    "NET_TIMEOUT",
    "NET_PROXY_AUTH_REQUIRED",
    "NET_TLS_INSPECTED",
    "NET_IPV6_FAILS",
    "NET_NOT_PROBED",
    "NET_PAC_IN_USE",
    "NET_NO_DNS",
    "NET_PROXY_UNREACHABLE",
    "NET_DOC_ENDPOINT_BLOCKED",
];

pub fn decide(facts: &Facts) -> CheckResult {
    let reach = need!(ID, &facts.reach);
    let mut findings = Vec::new();
    let mut rows = Vec::new();
    let mut blocked = Vec::new();
    let expected = reach::endpoints(reach::cloud_of(reach));
    for endpoint in expected {
        let Some(result) = reach.result(endpoint.host) else {
            // A recording from before a listed-only host was probed lacks nothing current
            // Edge needs.
            if !endpoint.required {
                continue;
            }
            findings.push(Finding::new(
                "NET_NOT_PROBED",
                Severity::Warn,
                endpoint.affects,
                format!("{} ({}) was not probed.", endpoint.host, endpoint.purpose),
            ));
            continue;
        };
        rows.push(row(result));
        let mut judged = judge(result, endpoint.purpose, endpoint.affects);
        if !endpoint.required {
            judged = judged.into_iter().map(only_listed).collect();
        }
        if !result.reachable {
            blocked.push(Value::from(endpoint.host));
        }
        findings.extend(judged);
    }
    // Other endpoints in the recording (another cloud's, WNS) are judged too.
    for result in reach.results.iter().filter(|r| {
        !expected
            .iter()
            .any(|e| e.host.eq_ignore_ascii_case(&r.host))
    }) {
        rows.push(row(result));
        findings.extend(judge(result, "recorded endpoint", &[Feature::EdgeSync]));
        if !result.reachable {
            blocked.push(Value::from(result.host.clone()));
        }
    }
    findings.extend(unreachable_proxies(&reach.results));
    if let Some(pac) = &reach.pac_url {
        findings.push(Finding::new(
            "NET_PAC_IN_USE",
            Severity::Warn,
            &[Feature::EdgeSync, Feature::WindowsSettings],
            format!("A proxy auto-config script ({pac}) chooses Edge's proxy; esr-doctor cannot run it, so these results may not follow the route Edge takes."),
        ));
    }
    let probed: Vec<&Reach> = reach.results.iter().collect();
    let no_dns = !probed.is_empty() && probed.iter().all(|r| r.failed_phase == Some(Phase::Dns));
    let findings = if no_dns {
        // Not one name resolved: the device has no DNS (or no network), no firewall rule.
        let mut findings: Vec<Finding> = findings
            .into_iter()
            .filter(|f| f.code != "NET_BLOCKED")
            .collect();
        findings.insert(0, Finding::new(
            "NET_NO_DNS",
            Severity::Fail,
            &[Feature::EdgeSync, Feature::WindowsSettings],
            format!("No endpoint name could be resolved (DNS failed for all {} hosts probed): this device has no working DNS or no network connection at all; no firewall rule is to blame yet.", probed.len()),
        ));
        findings
    } else {
        findings
    };
    let evidence = evidence([
        ("blocked", Value::Array(blocked)),
        ("endpoints", Value::Array(rows)),
        (
            "pac_url",
            reach.pac_url.clone().map_or(Value::Null, Value::from),
        ),
    ]);
    CheckResult::decided(ID, evidence, one_per_code(findings))
}

/// A host only Microsoft's older allow-list names (current Edge syncs through
/// edge.microsoft.com): a block there is a warning of its own.
fn only_listed(finding: Finding) -> Finding {
    if finding.code != "NET_BLOCKED" && finding.code != "NET_TIMEOUT" {
        return finding;
    }
    Finding::new(
        "NET_DOC_ENDPOINT_BLOCKED",
        Severity::Warn,
        &finding.affects,
        format!(
            "{} Current Edge syncs through edge.microsoft.com; Microsoft's enterprise sync doc still lists this host for the allow-list.",
            finding.message
        ),
    )
}

/// One finding per proxy that refuses or cannot be reached, naming it, where its setting
/// comes from and every host that could not pass it: the fix is the proxy's, not a firewall's.
fn unreachable_proxies(results: &[Reach]) -> Vec<Finding> {
    let mut by_proxy: Vec<(String, Option<&str>, Vec<&Reach>)> = Vec::new();
    for result in results.iter().filter(|r| proxy_failed(r)) {
        let proxy = result
            .proxy
            .clone()
            .unwrap_or_else(|| "the proxy".to_owned());
        match by_proxy.iter_mut().find(|(p, ..)| *p == proxy) {
            Some((.., hosts)) => hosts.push(result),
            None => by_proxy.push((proxy, result.proxy_origin.as_deref(), vec![result])),
        }
    }
    by_proxy
        .into_iter()
        .map(|(proxy, origin, hosts)| {
            let names: Vec<&str> = hosts.iter().map(|r| r.host.as_str()).collect();
            let why = hosts[0].error.as_deref().unwrap_or("no answer");
            let from = origin.map(|o| format!(" (set by {o})")).unwrap_or_default();
            let mut affects = Vec::new();
            for feature in hosts.iter().flat_map(|r| features_of(r)) {
                if !affects.contains(feature) {
                    affects.push(*feature);
                }
            }
            Finding::new(
                "NET_PROXY_UNREACHABLE",
                Severity::Fail,
                &affects,
                format!("The proxy {proxy}{from} refuses or cannot be reached, so {} cannot be reached through it: {why}.", names.join(", ")),
            )
        })
        .collect()
}

/// A probe that failed at its proxy for another reason than the proxy asking to log in.
fn proxy_failed(result: &Reach) -> bool {
    result.failed_phase == Some(Phase::Proxy) && !asks_proxy_login(result)
}

fn asks_proxy_login(result: &Reach) -> bool {
    result.http_status == Some(407) || result.error.as_deref().is_some_and(|e| e.contains("(407)"))
}

/// What a probe's host serves, by the endpoint catalogues (sync, when it is in none); through
/// the machine's WinHTTP proxy, only Windows settings roaming goes.
fn features_of(result: &Reach) -> &'static [Feature] {
    if result.proxy_origin.as_deref() == Some(crate::facts::proxy::FROM_WINHTTP) {
        return &[Feature::WindowsSettings];
    }
    let host = result.host.as_str();
    crate::evidence::Cloud::ALL
        .into_iter()
        .flat_map(reach::endpoints)
        .find(|e| e.host.eq_ignore_ascii_case(host))
        .map_or(&[Feature::EdgeSync], |e| e.affects)
}

/// One finding per code, naming every endpoint it concerns, so each fix is given once.
fn one_per_code(findings: Vec<Finding>) -> Vec<Finding> {
    let mut merged: Vec<Finding> = Vec::new();
    for finding in findings {
        match merged.iter_mut().find(|m| m.code == finding.code) {
            Some(same) => {
                same.message = format!("{} {}", same.message, finding.message);
                for feature in finding.affects {
                    if !same.affects.contains(&feature) {
                        same.affects.push(feature);
                    }
                }
            }
            None => merged.push(finding),
        }
    }
    merged
}

fn row(result: &Reach) -> Value {
    json!({
        "host": result.host,
        "reachable": result.reachable,
        "failed_phase": result.failed_phase.map(phase_name),
        "http_status": result.http_status,
        "elapsed_ms": result.elapsed_ms,
        "ipv4": result.ipv4,
        "ipv6": result.ipv6,
        "tls_issuer": result.tls_issuer,
    })
}

fn phase_name(phase: Phase) -> &'static str {
    match phase {
        Phase::Dns => "dns",
        Phase::Tcp => "tcp",
        Phase::Tls => "tls",
        Phase::Http => "http",
        Phase::Proxy => "proxy",
        Phase::Timeout => "timeout",
    }
}

fn judge(result: &Reach, purpose: &str, affects: &[Feature]) -> Vec<Finding> {
    let host = &result.host;
    let detail = result
        .error
        .as_deref()
        .map(|e| format!(": {e}"))
        .unwrap_or_default();
    let finding =
        |code: &str, severity, message: String| Finding::new(code, severity, affects, message);
    let mut findings = Vec::new();
    if proxy_failed(result) {
        // Said once per proxy, by `unreachable_proxies`.
    } else if asks_proxy_login(result) {
        findings.push(finding(
            "NET_PROXY_AUTH_REQUIRED",
            Severity::Fail,
            format!("The proxy demands authentication for {host} ({purpose}){detail}."),
        ));
    } else if result.failed_phase == Some(Phase::Timeout) {
        findings.push(finding(
            "NET_TIMEOUT",
            Severity::Fail,
            format!("{host} ({purpose}) does not answer{detail}."),
        ));
    } else if !result.reachable {
        let phase = result.failed_phase.map_or("connection", phase_name);
        findings.push(finding(
            "NET_BLOCKED",
            Severity::Fail,
            format!("{host} ({purpose}) is not reachable: {phase} failed{detail}."),
        ));
    } else if result.tls_inspected {
        let issuer = result.tls_issuer.as_deref().unwrap_or("an unknown issuer");
        findings.push(finding("NET_TLS_INSPECTED", Severity::Warn, format!("TLS to {host} is intercepted: the certificate was issued by {issuer}, not by the CA Microsoft uses.")));
    }
    if result.ipv4 == Some(true) && result.ipv6 == Some(false) {
        findings.push(finding("NET_IPV6_FAILS", Severity::Warn, format!("{host} is reachable over IPv4 but not over IPv6; clients that try IPv6 first wait for it to time out.")));
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::Gathered;
    use crate::facts::reach;
    use crate::model::Status;

    fn run(text: &str) -> CheckResult {
        let facts = Facts {
            reach: Gathered::Found(reach::parse("n", text).unwrap_or_default()),
            ..Facts::default()
        };
        decide(&facts)
    }

    const ALL_OK: &str = r#"[{"host":"edge.microsoft.com","reachable":true,"http_status":404},{"host":"api.aadrm.com","reachable":true,"http_status":401},{"host":"login.microsoftonline.com","reachable":true,"http_status":200}]"#;

    #[test]
    fn all_reachable_passes() {
        let result = run(ALL_OK);
        assert_eq!(result.status, Status::Pass);
        assert_eq!(result.evidence.get("blocked"), Some(&json!([])));
    }

    #[test]
    fn blocked_proxy_inspected_and_missing_endpoints() {
        let text = r#"[{"host":"edge.microsoft.com","reachable":false,"failed_phase":"tcp","error":"connection refused"},
            {"host":"api.aadrm.com","reachable":false,"http_status":407,"failed_phase":"proxy"},
            {"host":"api.aadrm.de","reachable":false,"failed_phase":"dns"}]"#;
        let result = run(text);
        let codes: Vec<&str> = result.findings.iter().map(|f| f.code.as_str()).collect();
        assert_eq!(
            codes,
            ["NET_BLOCKED", "NET_PROXY_AUTH_REQUIRED", "NET_NOT_PROBED"],
            "one finding per code"
        );
        let blocked = &result.findings[0].message;
        assert!(blocked.contains("edge.microsoft.com") && blocked.contains("api.aadrm.de"));
        assert_eq!(
            result.evidence.get("blocked"),
            Some(&json!([
                "edge.microsoft.com",
                "api.aadrm.com",
                "api.aadrm.de"
            ]))
        );
        assert!(
            result.findings[0]
                .message
                .contains("tcp failed: connection refused")
        );
        let inspected = run(&ALL_OK.replace(
            r#""http_status":200}"#,
            r#""http_status":200,"tls_inspected":true,"tls_issuer":"Contoso Proxy CA"}"#,
        ));
        assert_eq!(inspected.status, Status::Warn);
        assert!(inspected.findings[0].message.contains("Contoso Proxy CA"));
    }

    #[test]
    fn a_host_only_the_doc_lists_is_a_warning_and_each_dead_proxy_one_finding() {
        let listed = ALL_OK.replace(
            ']',
            r#",{"host":"edge.activity.windows.com","reachable":false,"failed_phase":"tcp","error":"connection refused"}]"#,
        );
        let result = run(&listed);
        assert_eq!(result.status, Status::Warn);
        assert_eq!(result.codes(), ["NET_DOC_ENDPOINT_BLOCKED"]);
        let proxied = r#"[
            {"host":"edge.microsoft.com","reachable":false,"failed_phase":"proxy","error":"Connection refused (os error 111)","proxy":"10.0.0.9:3128","proxy_origin":"the HTTPS_PROXY environment variable"},
            {"host":"api.aadrm.com","reachable":false,"failed_phase":"proxy","error":"Connection refused (os error 111)","proxy":"10.0.0.9:3128"},
            {"host":"login.microsoftonline.com","reachable":false,"failed_phase":"proxy","error":"proxy 10.0.0.9:3128: 403 Forbidden","proxy":"10.0.0.8:8080"}]"#;
        let result = run(proxied);
        // One finding (one fix), naming each proxy once with the hosts behind it.
        assert_eq!(result.codes(), ["NET_PROXY_UNREACHABLE"]);
        let message = &result.findings[0].message;
        assert!(
            message.contains("10.0.0.9:3128 (set by the HTTPS_PROXY environment variable)")
                && message.contains("edge.microsoft.com, api.aadrm.com cannot")
                && message.contains("10.0.0.8:8080 refuses"),
            "{message}"
        );
        // Sign-in through the second proxy fails Windows settings too.
        let affects = &result.findings[0].affects;
        assert!(affects.contains(&Feature::WindowsSettings));
        assert_eq!(
            result.evidence.get("blocked"),
            Some(&json!([
                "edge.microsoft.com",
                "api.aadrm.com",
                "login.microsoftonline.com"
            ]))
        );
    }

    #[test]
    fn a_dead_winhttp_proxy_fails_windows_settings_only() {
        let text = format!(
            r#"[{{"host":"edge.microsoft.com","reachable":true,"http_status":404}},{{"host":"api.aadrm.com","reachable":true,"http_status":401}},{{"host":"login.microsoftonline.com","reachable":true,"http_status":200}},
            {{"host":"login.microsoftonline.com","reachable":false,"failed_phase":"proxy","error":"Connection refused (os error 111)","proxy":"old-proxy.fabrikam.com:3128","proxy_origin":"{}"}}]"#,
            crate::facts::proxy::FROM_WINHTTP
        );
        let result = run(&text);
        assert_eq!(result.codes(), ["NET_PROXY_UNREACHABLE"]);
        let finding = &result.findings[0];
        assert_eq!(finding.affects, [Feature::WindowsSettings]);
        assert!(
            finding
                .message
                .contains("old-proxy.fabrikam.com:3128 (set by the machine's WinHTTP proxy"),
            "{}",
            finding.message
        );
    }
}
