//! One line per check, and the facts a support ticket needs, shared by every face.

use crate::model::{CheckId, CheckResult, Finding, Report, Severity, Status};
use serde_json::Value;

/// A glyph that carries the status without colour.
pub fn glyph(status: Status) -> &'static str {
    match status {
        Status::Pass => "✓",
        Status::Warn => "!",
        Status::Fail => "✗",
        Status::Skipped => "–",
        Status::Error => "?",
    }
}

fn text<'a>(check: &'a CheckResult, key: &str) -> Option<&'a str> {
    check.evidence.get(key).and_then(Value::as_str)
}

/// What the check found, in one line: the worst finding, the reason it did not run, or the
/// key evidence when it passed.
pub fn one_line(check: &CheckResult) -> String {
    if let Some(reason) = check
        .reason
        .as_deref()
        .filter(|_| matches!(check.status, Status::Skipped | Status::Error))
    {
        return reason.to_owned();
    }
    if let Some(worst) = check.findings.iter().max_by_key(|f| f.severity)
        && worst.severity.status() != Status::Pass
    {
        return worst.message.clone();
    }
    passed_summary(check)
}

fn passed_summary(check: &CheckResult) -> String {
    let ev = |key| text(check, key).unwrap_or("?");
    match check.id {
        CheckId::EdgeVersion => format!("Edge {} ({})", ev("version"), ev("channel")),
        CheckId::AccountType => format!("signed in as {} (work or school)", ev("user")),
        CheckId::TenantEsr => format!(
            "ESR on for {} users",
            if ev("sync_setting") == "all" {
                "all"
            } else {
                "selected"
            }
        ),
        CheckId::License => {
            let plans: Vec<&str> = check
                .evidence
                .get("user_plans")
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            if plans.is_empty() {
                "the tenant holds an eligible plan".into()
            } else {
                format!("user holds {}", plans.join(", "))
            }
        }
        CheckId::Rms => "Azure Rights Management is active".into(),
        CheckId::Network => {
            let count = check
                .evidence
                .get("endpoints")
                .and_then(Value::as_array)
                .map_or(0, Vec::len);
            format!("{count} endpoints reachable")
        }
        CheckId::DeviceRegistration => format!(
            "{}, SettingsUrl provisioned, PRT present",
            ev("join_type").replace('_', " ")
        ),
        CheckId::EdgePolicy => "no policy blocks sync".into(),
        CheckId::SyncHealth => match text(check, "transport_state") {
            Some(state) => format!("Edge sync is {}", state.to_ascii_lowercase()),
            None => "no known failure in the event logs".into(),
        },
    }
}

/// Every warning and failure with its check, in report order: what someone has to act on.
pub fn problems(report: &Report) -> Vec<(&CheckResult, &Finding)> {
    report
        .checks
        .iter()
        .flat_map(|c| c.findings.iter().map(move |f| (c, f)))
        .filter(|(_, f)| f.severity != Severity::Info)
        .collect()
}

/// The facts Microsoft support asks for, as (label, value) rows.
pub fn support_facts(report: &Report) -> Vec<(&'static str, String)> {
    let evidence = |id: CheckId, key: &str| {
        report
            .check(id)
            .and_then(|c| text(c, key))
            .map(str::to_owned)
    };
    let user = evidence(CheckId::AccountType, "user").unwrap_or_else(|| "unknown".into());
    let join =
        evidence(CheckId::DeviceRegistration, "join_type").unwrap_or_else(|| "unknown".into());
    let device = evidence(CheckId::DeviceRegistration, "device_name")
        .unwrap_or_else(|| "unknown device".into());
    let os = evidence(CheckId::DeviceRegistration, "os")
        .unwrap_or_else(|| "OS build not recorded".into());
    let edge = evidence(CheckId::EdgeVersion, "version").map_or("unknown".into(), |v| {
        format!(
            "{v} ({})",
            evidence(CheckId::EdgeVersion, "channel").unwrap_or_default()
        )
    });
    let tenant = evidence(CheckId::DeviceRegistration, "tenant_name")
        .or_else(|| evidence(CheckId::AccountType, "tenant_id"))
        .unwrap_or_else(|| "unknown".into());
    let error = report
        .checks
        .iter()
        .flat_map(|c| &c.findings)
        .find(|f| f.severity == Severity::Fail)
        .map_or_else(|| "none".into(), |f| format!("{}: {}", f.code, f.message));
    vec![
        ("Error as seen", error),
        ("Affected user", user),
        ("Device", format!("{device}, {}", join.replace('_', " "))),
        ("Operating system", os),
        ("Edge", edge),
        ("Tenant", tenant),
        (
            "Checked at",
            report
                .generated_at
                .format("%Y-%m-%d %H:%M:%S %:z")
                .to_string(),
        ),
        (
            "Source",
            format!("{} {}", source_kind(&report.source), report.source.name),
        ),
    ]
}

/// How a person names where the facts came from.
pub fn source_kind(source: &crate::model::SourceInfo) -> &'static str {
    match source.kind {
        crate::model::SourceKind::Device => "this device",
        crate::model::SourceKind::Bundle => "bundle",
        crate::model::SourceKind::Demo => "demo scenario",
    }
}
