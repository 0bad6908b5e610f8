//! The one step between evidence and every face that shows text: strings that came from a
//! bundle, a device or a service (messages, reasons, evidence values, names) lose their control
//! characters (C0, DEL and C1, where escape sequences start) and bidirectional overrides, so
//! nothing in evidence can move the cursor, set a title, rewrite the clipboard or reorder what
//! a person reads. JSON is not sanitised: serde escapes it exactly.
//!
//! Guidance (fix steps, commands, links) is ours and passes unchanged.

pub use crate::evidence::plain::plain;
use crate::model::{CheckResult, Finding, Problem, Report, SourceInfo};
use serde_json::Value;

/// The report as faces may show it.
pub fn report(report: &Report) -> Report {
    Report {
        source: source(&report.source),
        problems: report
            .problems
            .iter()
            .map(|p| Problem {
                source: p.source.map_words(plain),
                message: plain(&p.message),
            })
            .collect(),
        notes: report.notes.iter().map(|n| plain(n)).collect(),
        checks: report.checks.iter().map(check).collect(),
        ..report.clone()
    }
}

/// One check as faces may show it.
pub fn check(result: &CheckResult) -> CheckResult {
    CheckResult {
        reason: result.reason.as_deref().map(plain),
        evidence: result
            .evidence
            .iter()
            .map(|(k, v)| (plain(k), value(v)))
            .collect(),
        findings: result.findings.iter().map(finding).collect(),
        ..result.clone()
    }
}

pub fn source(info: &SourceInfo) -> SourceInfo {
    SourceInfo {
        name: plain(&info.name),
        ..info.clone()
    }
}

fn finding(finding: &Finding) -> Finding {
    Finding {
        message: plain(&finding.message),
        ..finding.clone()
    }
}

fn value(value: &Value) -> Value {
    match value {
        Value::String(s) => Value::String(plain(s)),
        Value::Array(items) => Value::Array(items.iter().map(self::value).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (plain(k), self::value(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{CheckId, Feature, Severity, evidence};

    const HOSTILE: &str = "ann\u{1b}]52;c;aGk=\u{7}@x\u{1b}[2J\u{9b}31m\u{202e}gpj.exe";

    fn clean(text: &str) -> bool {
        !text.chars().any(|c| c.is_control() || c == '\u{202e}')
    }

    #[test]
    fn plain_text_has_no_escape_sequences() {
        let shown = plain(HOSTILE);
        assert!(clean(&shown), "{shown:?}");
        assert!(shown.contains("ann") && shown.contains("gpj.exe"));
    }

    #[test]
    fn every_string_of_a_check_is_made_plain() {
        let mut result = CheckResult::decided(
            CheckId::AccountType,
            evidence([
                ("user", Value::from(HOSTILE)),
                ("nested", serde_json::json!({"list": [HOSTILE], "n": 3})),
            ]),
            vec![Finding::new(
                "X",
                Severity::Fail,
                &[Feature::EdgeSync],
                HOSTILE.to_owned(),
            )],
        );
        result.reason = Some(HOSTILE.to_owned());
        let shown = check(&result);
        let all = serde_json::to_string(&shown).unwrap_or_default();
        // serde writes control characters as \u escapes; none may be left to escape.
        assert!(
            !all.contains("\\u001b") && !all.contains("\\u0007"),
            "{all}"
        );
        assert!(clean(shown.reason.as_deref().unwrap_or("")));
        assert!(clean(&shown.findings[0].message));
        assert_eq!(shown.evidence["nested"]["n"], 3);
    }
}
