//! Can this device reach the sync, RMS and sign-in endpoints?
//!
//! An endpoint counts as reachable when TLS completes and any HTTP status comes back; DNS,
//! TCP or TLS failures, timeouts and proxy refusals count as blocked.

use super::need;
use crate::facts::Facts;
use crate::model::{CheckId, CheckResult, Feature, Finding, Severity, evidence};
use crate::network::reach::{GLOBAL_ENDPOINTS, Phase, Reach};
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
];

pub fn decide(facts: &Facts) -> CheckResult {
    let reach = need!(ID, &facts.reach);
    let mut findings = Vec::new();
    let mut rows = Vec::new();
    let mut blocked = Vec::new();
    for endpoint in GLOBAL_ENDPOINTS {
        let Some(result) = reach.result(endpoint.host) else {
            findings.push(Finding::new(
                "NET_NOT_PROBED",
                Severity::Warn,
                endpoint.affects,
                format!("{} ({}) was not probed.", endpoint.host, endpoint.purpose),
            ));
            continue;
        };
        rows.push(row(result));
        let judged = judge(result, endpoint.purpose, endpoint.affects);
        if judged.iter().any(|f| f.severity == Severity::Fail) {
            blocked.push(Value::from(endpoint.host));
        }
        findings.extend(judged);
    }
    // Other endpoints in the recording (national clouds, WNS) are judged too.
    for result in reach.results.iter().filter(|r| {
        !GLOBAL_ENDPOINTS
            .iter()
            .any(|e| e.host.eq_ignore_ascii_case(&r.host))
    }) {
        rows.push(row(result));
        let judged = judge(result, "recorded endpoint", &[Feature::EdgeSync]);
        if judged.iter().any(|f| f.severity == Severity::Fail) {
            blocked.push(Value::from(result.host.clone()));
        }
        findings.extend(judged);
    }
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
    let proxy_auth = result.http_status == Some(407)
        || result.error.as_deref().is_some_and(|e| e.contains("(407)"));
    let mut findings = Vec::new();
    if proxy_auth {
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
    use crate::model::Status;
    use crate::network::reach;

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
}
