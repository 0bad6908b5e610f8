//! One line per check, and the facts a support ticket needs, shared by every face.

use crate::i18n::{Lang, tr, tr_with};
use crate::model::{CheckId, CheckResult, Finding, Report, Severity, Status};
use serde_json::Value;

fn text<'a>(check: &'a CheckResult, key: &str) -> Option<&'a str> {
    check.evidence.get(key).and_then(Value::as_str)
}

/// What the check found, in one line: the worst finding, the reason it did not run, or the
/// key evidence when it passed, in `lang`.
pub fn one_line_in(check: &CheckResult, lang: Lang) -> String {
    if matches!(check.status, Status::Skipped | Status::Error)
        && let Some(reason) = super::localise::reason(check, lang)
    {
        return reason;
    }
    if let Some(worst) = check.findings.iter().max_by_key(|f| f.severity)
        && worst.severity.status() != Status::Pass
    {
        // In another language the line names the finding in that language; what was
        // recorded (in English) follows under "What to do".
        return match crate::guidance::Guidance::for_lang(lang).entry(&worst.code) {
            Some(entry) if lang != Lang::En => entry.title.clone(),
            _ => worst.message.clone(),
        };
    }
    passed_summary(check, lang)
}

fn passed_summary(check: &CheckResult, lang: Lang) -> String {
    let ev = |key| text(check, key).unwrap_or("?");
    let with = |template: &str, value: &str| tr_with(lang, template, value);
    match check.id {
        CheckId::EdgeVersion => format!("Edge {} ({})", ev("version"), ev("channel")),
        CheckId::AccountType => with("signed in as {} (work or school)", ev("user")),
        CheckId::TenantEsr => {
            if ev("sync_setting") == "all" {
                tr(lang, "ESR on for all users")
            } else {
                tr(lang, "ESR on for selected users")
            }
        }
        CheckId::License => {
            let plans: Vec<&str> = check
                .evidence
                .get("user_plans")
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            if plans.is_empty() {
                tr(lang, "the tenant holds an eligible plan")
            } else {
                with("user holds {}", &plans.join(", "))
            }
        }
        CheckId::Rms => tr(lang, "Azure Rights Management is active"),
        CheckId::Network => {
            let count = check
                .evidence
                .get("endpoints")
                .and_then(Value::as_array)
                .map_or(0, Vec::len);
            with("{} endpoints reachable", &count.to_string())
        }
        CheckId::DeviceRegistration => with(
            "{}, SettingsUrl provisioned, PRT present",
            &tr(lang, &ev("join_type").replace('_', " ")),
        ),
        CheckId::EdgePolicy => tr(lang, "no policy blocks sync"),
        CheckId::SyncHealth => match text(check, "transport_state") {
            Some(state) => with("Edge sync is {}", &state.to_ascii_lowercase()),
            None => tr(lang, "no known failure in the event logs"),
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

/// The facts Microsoft support asks for, as (label, value) rows; the words of the values in
/// `lang` (the labels are translated where they are shown).
pub fn support_facts(report: &Report, lang: Lang) -> Vec<(&'static str, String)> {
    let unknown = || tr(lang, "unknown");
    let evidence = |id: CheckId, key: &str| {
        report
            .check(id)
            .and_then(|c| text(c, key))
            .map(str::to_owned)
    };
    let user = evidence(CheckId::AccountType, "user").unwrap_or_else(unknown);
    let join = evidence(CheckId::DeviceRegistration, "join_type").unwrap_or_else(unknown);
    let device = evidence(CheckId::DeviceRegistration, "device_name")
        .unwrap_or_else(|| tr(lang, "unknown device"));
    let os = evidence(CheckId::DeviceRegistration, "os")
        .unwrap_or_else(|| tr(lang, "OS build not recorded"));
    let edge = evidence(CheckId::EdgeVersion, "version").map_or_else(unknown, |v| {
        format!(
            "{v} ({})",
            evidence(CheckId::EdgeVersion, "channel").unwrap_or_default()
        )
    });
    let tenant = evidence(CheckId::DeviceRegistration, "tenant_name")
        .or_else(|| evidence(CheckId::AccountType, "tenant_id"))
        .unwrap_or_else(unknown);
    let error = report
        .checks
        .iter()
        .flat_map(|c| &c.findings)
        .find(|f| f.severity == Severity::Fail)
        .map_or_else(
            || tr(lang, "none"),
            |f| format!("{}: {}", f.code, f.message),
        );
    vec![
        ("Error as seen", error),
        ("Affected user", user),
        (
            "Device",
            format!("{device}, {}", tr(lang, &join.replace('_', " "))),
        ),
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
            format!(
                "{} {}",
                tr(lang, source_kind(&report.source)),
                report.source.name
            ),
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
