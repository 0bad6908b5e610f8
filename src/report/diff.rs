//! `esr-doctor diff BEFORE.json AFTER.json`: what changed per check between two reports, for a
//! ticket ("after the admin's change, RMS is fixed and nothing broke").

use crate::i18n::{self, Lang, tr};
use crate::model::{CheckId, Report, Status};
use std::fmt::Write;

/// How one check moved between the two reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// It failed before and passes (perhaps with a warning) now.
    Fixed,
    /// It fails now and did not before.
    NewlyBroken,
    /// Its status or findings changed in another way.
    Changed,
    Unchanged,
    /// In only one of the reports (e.g. a run with `--only`).
    OnlyBefore,
    OnlyAfter,
}

impl Change {
    pub fn label(self) -> &'static str {
        match self {
            Change::Fixed => "fixed",
            Change::NewlyBroken => "newly broken",
            Change::Changed => "changed",
            Change::Unchanged => "unchanged",
            Change::OnlyBefore => "only before",
            Change::OnlyAfter => "only after",
        }
    }
}

/// One check's before and after.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckChange {
    pub id: CheckId,
    pub before: Option<Status>,
    pub after: Option<Status>,
    pub change: Change,
    /// Finding codes that went away, and that appeared.
    pub gone: Vec<String>,
    pub new: Vec<String>,
}

/// Every check of either report, in catalogue order.
pub fn compare(before: &Report, after: &Report) -> Vec<CheckChange> {
    CheckId::ALL
        .iter()
        .filter_map(|id| {
            let old = before.check(*id);
            let now = after.check(*id);
            if old.is_none() && now.is_none() {
                return None;
            }
            let codes = |r: Option<&crate::model::CheckResult>| -> Vec<String> {
                r.map(|c| c.codes().into_iter().map(str::to_owned).collect())
                    .unwrap_or_default()
            };
            let (old_codes, new_codes) = (codes(old), codes(now));
            let gone: Vec<String> = old_codes
                .iter()
                .filter(|c| !new_codes.contains(c))
                .cloned()
                .collect();
            let new: Vec<String> = new_codes
                .iter()
                .filter(|c| !old_codes.contains(c))
                .cloned()
                .collect();
            let (before_status, after_status) = (old.map(|c| c.status), now.map(|c| c.status));
            let change = match (before_status, after_status) {
                (None, _) => Change::OnlyAfter,
                (_, None) => Change::OnlyBefore,
                (Some(b), Some(a)) if a == Status::Fail && b != Status::Fail => Change::NewlyBroken,
                (Some(Status::Fail), Some(Status::Pass | Status::Warn)) => Change::Fixed,
                (Some(b), Some(a)) if a != b || !gone.is_empty() || !new.is_empty() => {
                    Change::Changed
                }
                _ => Change::Unchanged,
            };
            Some(CheckChange {
                id: *id,
                before: before_status,
                after: after_status,
                change,
                gone,
                new,
            })
        })
        .collect()
}

/// The comparison as text, in the language of this run: the verdicts, then one line per
/// check.
pub fn render(before: &Report, after: &Report, changes: &[CheckChange]) -> String {
    render_in(before, after, changes, crate::i18n::current())
}

/// `render` in `lang`: labels, titles and statuses translated, codes as they are.
pub fn render_in(before: &Report, after: &Report, changes: &[CheckChange], lang: Lang) -> String {
    let plain = super::sanitise::plain;
    let verdict = |report: &Report| tr(lang, report.verdict.label()).to_uppercase();
    let (said_before, said_after) = (tr(lang, "Before"), tr(lang, "After"));
    let label_width = i18n::widest([said_before.as_str(), said_after.as_str()]) + 2;
    let mut out = String::new();
    for (label, report) in [(said_before, before), (said_after, after)] {
        let _ = writeln!(
            out,
            "{}{} ({}, {})",
            i18n::pad(&format!("{label}:"), label_width),
            verdict(report),
            plain(&report.source.name),
            report.generated_at.format("%Y-%m-%d %H:%M"),
        );
    }
    out.push('\n');
    let titles: Vec<String> = changes
        .iter()
        .map(|c| tr(lang, crate::checks::spec(c.id).title))
        .collect();
    let labels: Vec<String> = changes.iter().map(|c| tr(lang, c.change.label())).collect();
    let title_width = i18n::widest(titles.iter().map(String::as_str));
    let change_width = i18n::widest(labels.iter().map(String::as_str)).max(13);
    for ((change, title), label) in changes.iter().zip(&titles).zip(&labels) {
        let status = |s: Option<Status>| s.map_or_else(|| "—".to_owned(), |s| tr(lang, s.as_str()));
        let mut line = format!(
            "{} {}  {} → {}",
            i18n::pad(label, change_width),
            i18n::pad(title, title_width),
            status(change.before),
            status(change.after),
        );
        // Codes come from the JSON files compared, which anyone may have written.
        let codes = |codes: &[String]| {
            codes
                .iter()
                .map(|c| plain(c))
                .collect::<Vec<_>>()
                .join(", ")
        };
        if !change.gone.is_empty() {
            let _ = write!(line, "; {} {}", tr(lang, "resolved"), codes(&change.gone));
        }
        if !change.new.is_empty() {
            let _ = write!(line, "; {} {}", tr(lang, "new"), codes(&change.new));
        }
        let _ = writeln!(out, "{}", line.trim_end());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{CheckResult, Feature, Finding, Severity};
    use serde_json::Map;

    fn report(rms_fails: bool) -> Report {
        let findings = if rms_fails {
            vec![Finding::new(
                "RMS_NOT_ACTIVATED",
                Severity::Fail,
                &[Feature::EdgeSync],
                String::new(),
            )]
        } else {
            vec![]
        };
        let checks = vec![
            CheckResult::decided(CheckId::License, Map::new(), vec![]),
            CheckResult::decided(CheckId::Rms, Map::new(), findings),
        ];
        let (verdict, features) = crate::verdict::decide(&checks);
        Report {
            schema: crate::model::REPORT_SCHEMA.into(),
            tool_version: "0".into(),
            generated_at: chrono::Local::now().fixed_offset(),
            source: crate::model::SourceInfo {
                kind: crate::model::SourceKind::Demo,
                name: "t".into(),
            },
            verdict,
            features,
            duration_ms: 0,
            problems: vec![],
            notes: vec![],
            checks,
        }
    }

    #[test]
    fn a_fix_and_a_break_are_told_apart() {
        let changes = compare(&report(true), &report(false));
        let rms = changes.iter().find(|c| c.id == CheckId::Rms);
        assert_eq!(rms.map(|c| c.change), Some(Change::Fixed));
        assert_eq!(
            rms.map(|c| c.gone.clone()),
            Some(vec!["RMS_NOT_ACTIVATED".into()])
        );
        let back = compare(&report(false), &report(true));
        assert_eq!(
            back.iter().find(|c| c.id == CheckId::Rms).map(|c| c.change),
            Some(Change::NewlyBroken)
        );
        assert_eq!(
            back.iter()
                .find(|c| c.id == CheckId::License)
                .map(|c| c.change),
            Some(Change::Unchanged)
        );
    }
}
