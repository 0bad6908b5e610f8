//! The one data model every face renders: checks → findings → evidence → fix.
//!
//! Serialises to the `esr-doctor/report/v1` JSON schema of DESIGN.md. Nothing here decides
//! anything; checks produce these values and faces only read them.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Part of a check's evidence could not be used, so a pass is only a warning
/// (`CheckResult::at_most_warning`, which the runner applies to every check).
pub const EVIDENCE_UNUSABLE: &str = "EVIDENCE_UNUSABLE";

/// Schema tag written into every JSON report.
pub const REPORT_SCHEMA: &str = "esr-doctor/report/v1";

/// The nine checks, in wizard order (the order of the enum is the order of the report).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckId {
    EdgeVersion,
    AccountType,
    TenantEsr,
    License,
    Rms,
    Network,
    DeviceRegistration,
    EdgePolicy,
    SyncHealth,
}

impl CheckId {
    /// Every check in wizard order.
    pub const ALL: [CheckId; 9] = [
        CheckId::EdgeVersion,
        CheckId::AccountType,
        CheckId::TenantEsr,
        CheckId::License,
        CheckId::Rms,
        CheckId::Network,
        CheckId::DeviceRegistration,
        CheckId::EdgePolicy,
        CheckId::SyncHealth,
    ];

    /// The stable identifier used in reports and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            CheckId::EdgeVersion => "edge_version",
            CheckId::AccountType => "account_type",
            CheckId::TenantEsr => "tenant_esr",
            CheckId::License => "license",
            CheckId::Rms => "rms",
            CheckId::Network => "network",
            CheckId::DeviceRegistration => "device_registration",
            CheckId::EdgePolicy => "edge_policy",
            CheckId::SyncHealth => "sync_health",
        }
    }

    /// Parses a stable identifier (as given to `--only`).
    /// Reads a check id in any case (`RMS`, `sync_health`).
    pub fn parse(text: &str) -> Option<CheckId> {
        CheckId::ALL
            .into_iter()
            .find(|id| id.as_str().eq_ignore_ascii_case(text.trim()))
    }
}

/// `--only` takes check ids in any case, and `--help` lists them.
impl clap::ValueEnum for CheckId {
    fn value_variants<'a>() -> &'a [Self] {
        &CheckId::ALL
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        Some(clap::builder::PossibleValue::new(self.as_str()))
    }
}

impl std::fmt::Display for CheckId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Outcome of one check. Ordered from best to worst, so the worst of several is their `max`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Pass,
    Warn,
    Skipped,
    Error,
    Fail,
}

impl Status {
    /// The one glyph table: a mark that carries the status without colour, in Unicode or, for
    /// `--ascii` and consoles that cannot draw it, ASCII.
    pub fn glyph(self, ascii: bool) -> &'static str {
        match (self, ascii) {
            (Status::Pass, false) => "✓",
            (Status::Pass, true) => "+",
            (Status::Warn, _) => "!",
            (Status::Fail, false) => "✗",
            (Status::Fail, true) => "x",
            (Status::Skipped, false) => "–",
            (Status::Skipped, true) => "-",
            (Status::Error, _) => "?",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Warn => "warn",
            Status::Fail => "fail",
            Status::Skipped => "skipped",
            Status::Error => "error",
        }
    }
}

/// How bad one finding is; a check's status is the worst severity of its findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Info,
    Warn,
    Fail,
}

impl Severity {
    pub fn status(self) -> Status {
        match self {
            Severity::Info => Status::Pass,
            Severity::Warn => Status::Warn,
            Severity::Fail => Status::Fail,
        }
    }
}

/// The two things users call "ESR"; every finding says which of them it breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Feature {
    /// Microsoft Edge sync of favourites, passwords and settings for a work or school account.
    EdgeSync,
    /// Windows 10/11 settings roaming (Enterprise State Roaming proper).
    WindowsSettings,
}

impl Feature {
    pub const ALL: [Feature; 2] = [Feature::EdgeSync, Feature::WindowsSettings];

    pub fn as_str(self) -> &'static str {
        match self {
            Feature::EdgeSync => "edge_sync",
            Feature::WindowsSettings => "windows_settings",
        }
    }

    /// How a person names the feature.
    pub fn label(self) -> &'static str {
        match self {
            Feature::EdgeSync => "Edge sync",
            Feature::WindowsSettings => "Windows settings roaming",
        }
    }
}

/// Who has to act on a finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Audience {
    User,
    Helpdesk,
    Admin,
}

impl Audience {
    pub fn as_str(self) -> &'static str {
        match self {
            Audience::User => "user",
            Audience::Helpdesk => "helpdesk",
            Audience::Admin => "admin",
        }
    }
}

/// What to do about a finding, taken from the guidance catalogue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fix {
    pub audience: Audience,
    pub steps: Vec<String>,
    pub commands: Vec<String>,
    pub docs: Vec<String>,
}

/// One observation a check made, with the fix attached when the report is built.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub code: String,
    pub severity: Severity,
    pub affects: Vec<Feature>,
    pub message: String,
    pub fix: Option<Fix>,
}

impl Finding {
    pub fn new(code: &str, severity: Severity, affects: &[Feature], message: String) -> Self {
        Finding {
            code: code.to_owned(),
            severity,
            affects: affects.to_vec(),
            message,
            fix: None,
        }
    }
}

/// Why a check was not decided. Only `NotApplicable` leaves the verdict complete.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SkipKind {
    /// The check does not apply where it runs (e.g. device registration on Linux).
    NotApplicable,
    /// The facts it needs are not in the evidence (not in the bundle, not gathered, offline).
    Missing,
    /// An earlier failure makes it meaningless.
    Blocked,
    /// Its facts live in the tenant and nobody signed in (declined, cancelled, `--auth none`).
    NeedsSignIn,
    /// The signed-in operator may not read its facts (401/403); the reason names the role.
    NeedsRole,
}

impl SkipKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SkipKind::NotApplicable => "not_applicable",
            SkipKind::Missing => "missing",
            SkipKind::Blocked => "blocked",
            SkipKind::NeedsSignIn => "needs_sign_in",
            SkipKind::NeedsRole => "needs_role",
        }
    }
}

/// The result of one check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckResult {
    pub id: CheckId,
    pub title: String,
    pub status: Status,
    pub reason: Option<String>,
    /// Why a `skipped` check was skipped (null otherwise).
    #[serde(default)]
    pub skip_kind: Option<SkipKind>,
    pub duration_ms: u64,
    pub evidence: Map<String, Value>,
    pub findings: Vec<Finding>,
}

impl CheckResult {
    /// A decided check; its status is the worst severity among its findings.
    pub fn decided(id: CheckId, evidence: Map<String, Value>, findings: Vec<Finding>) -> Self {
        let status = findings
            .iter()
            .map(|f| f.severity.status())
            .max()
            .unwrap_or(Status::Pass);
        CheckResult {
            id,
            title: String::new(),
            status,
            reason: None,
            duration_ms: 0,
            evidence,
            findings,
            skip_kind: None,
        }
    }

    /// A check that could not be decided (missing facts, blocked, or not applicable).
    pub fn skipped(id: CheckId, kind: SkipKind, reason: impl Into<String>) -> Self {
        CheckResult {
            id,
            title: String::new(),
            status: Status::Skipped,
            reason: Some(reason.into()),
            duration_ms: 0,
            evidence: Map::new(),
            findings: Vec::new(),
            skip_kind: Some(kind),
        }
    }

    /// A check that broke while running (a panic, a timeout); the cause goes in `reason`.
    pub fn error(id: CheckId, cause: impl Into<String>) -> Self {
        CheckResult {
            status: Status::Error,
            skip_kind: None,
            ..CheckResult::skipped(id, SkipKind::Missing, cause)
        }
    }

    /// A check whose input was there but could not be interpreted: `error`, with the finding
    /// that says what was wrong so the person can fix the capture.
    pub fn undecidable(id: CheckId, evidence: Map<String, Value>, finding: Finding) -> Self {
        CheckResult {
            status: Status::Error,
            reason: Some(finding.message.clone()),
            evidence,
            findings: vec![finding],
            ..CheckResult::decided(id, Map::new(), Vec::new())
        }
    }

    /// Undecided because of `findings[at]` (evidence that could not be used), which leads;
    /// the other findings are kept.
    pub fn undecided_by(
        id: CheckId,
        evidence: Map<String, Value>,
        mut findings: Vec<Finding>,
        at: usize,
    ) -> Self {
        let first = findings.remove(at);
        let mut result = CheckResult::undecidable(id, evidence, first);
        result.findings.extend(findings);
        result
    }

    /// A pass that rests on evidence part of which could not be used is at most a warning:
    /// each unusable part is named (`EVIDENCE_UNUSABLE`), so unusable input never hides
    /// behind a pass. Other statuses stay as they are.
    pub fn at_most_warning(mut self, unusable: impl IntoIterator<Item = Problem>) -> Self {
        if self.status != Status::Pass {
            return self;
        }
        for problem in unusable {
            self.findings.push(Finding::new(
                EVIDENCE_UNUSABLE,
                Severity::Warn,
                &[],
                format!(
                    "Decided from the rest of the evidence: {} could not be used ({})",
                    problem.source, problem.message
                ),
            ));
            self.status = Status::Warn;
        }
        self
    }

    /// The codes of its findings, in order.
    pub fn codes(&self) -> Vec<&str> {
        self.findings.iter().map(|f| f.code.as_str()).collect()
    }

    /// True when this result leaves the verdict incomplete.
    pub fn is_incomplete(&self) -> bool {
        match self.status {
            Status::Error => true,
            Status::Skipped => self.skip_kind != Some(SkipKind::NotApplicable),
            _ => false,
        }
    }
}

/// Where the facts of a run came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SourceInfo {
    pub kind: SourceKind,
    pub name: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    Device,
    Bundle,
    Demo,
}

/// Overall and per-feature verdicts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Pass,
    Fail,
    Incomplete,
    /// A feature this device cannot have (Windows settings on Linux or macOS); never the
    /// overall verdict.
    NotApplicable,
}

impl Verdict {
    /// 0 pass, 1 fail, 3 incomplete (2 is a usage error).
    pub fn exit_code(self) -> i32 {
        match self {
            Verdict::Pass => 0,
            Verdict::Fail => 1,
            Verdict::Incomplete => 3,
            Verdict::NotApplicable => 0,
        }
    }

    /// The verdict in the words a person reads (translated by the faces).
    pub fn label(self) -> &'static str {
        match self {
            Verdict::NotApplicable => "not applicable",
            other => other.as_str(),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Fail => "fail",
            Verdict::Incomplete => "incomplete",
            Verdict::NotApplicable => "not_applicable",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureVerdict {
    pub id: Feature,
    pub verdict: Verdict,
    /// The checks whose failure fails this feature (`blocked_by` in the JSON report).
    #[serde(rename = "blocked_by")]
    pub failed_by: Vec<CheckId>,
}

/// The single product of a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub schema: String,
    pub tool_version: String,
    pub generated_at: chrono::DateTime<chrono::FixedOffset>,
    pub source: SourceInfo,
    pub verdict: Verdict,
    pub features: Vec<FeatureVerdict>,
    pub duration_ms: u64,
    /// Every evidence source that was present but unusable, and every failed call.
    #[serde(default)]
    pub problems: Vec<Problem>,
    /// What a reader must know to read the checks right (e.g. whose device the device checks
    /// describe when another user's tenant data was read).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    pub checks: Vec<CheckResult>,
}

/// A source of evidence that could not be used, and why.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Problem {
    pub source: ProblemSource,
    pub message: String,
}

/// Where unusable evidence lies. The JSON report carries only its words (`cloud/memberOf.json`,
/// `dsregcmd /status`, `graph /me`), so a report read back knows them as `Recorded`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProblemSource {
    /// A file of the bundle layout (`manifest.json`, `cloud/me.json`).
    File(String),
    /// A fact source as a whole, by its label: gathering it failed.
    Gathering(String),
    /// A tenant endpoint called live, by its name.
    Endpoint(String),
    /// As a report read back from JSON names it.
    Recorded(String),
}

impl ProblemSource {
    /// The words shown and written for it.
    pub fn as_str(&self) -> &str {
        match self {
            ProblemSource::File(s)
            | ProblemSource::Gathering(s)
            | ProblemSource::Endpoint(s)
            | ProblemSource::Recorded(s) => s,
        }
    }

    /// The same kind of place, its words changed by `change` (sanitising, redaction).
    pub fn map_words(&self, change: impl FnOnce(&str) -> String) -> ProblemSource {
        let words = change(self.as_str());
        match self {
            ProblemSource::File(_) => ProblemSource::File(words),
            ProblemSource::Gathering(_) => ProblemSource::Gathering(words),
            ProblemSource::Endpoint(_) => ProblemSource::Endpoint(words),
            ProblemSource::Recorded(_) => ProblemSource::Recorded(words),
        }
    }
}

impl std::fmt::Display for ProblemSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Ordered by its words, as the report lists problems.
impl Ord for ProblemSource {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl PartialOrd for ProblemSource {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Serialize for ProblemSource {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ProblemSource {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(ProblemSource::Recorded)
    }
}

impl Report {
    /// The process exit code DESIGN.md assigns to this report.
    /// The process exit code: it follows from the overall verdict alone (see `verdict.rs`),
    /// so a report read back from JSON gives the same one.
    pub fn exit_code(&self) -> i32 {
        self.verdict.exit_code()
    }

    pub fn check(&self, id: CheckId) -> Option<&CheckResult> {
        self.checks.iter().find(|c| c.id == id)
    }

    /// The finding codes of one check (empty when it did not run).
    pub fn codes(&self, id: CheckId) -> Vec<&str> {
        self.check(id).map(CheckResult::codes).unwrap_or_default()
    }
}

/// Builds an evidence map from `(key, value)` pairs, keeping their order.
pub fn evidence<const N: usize>(pairs: [(&str, Value); N]) -> Map<String, Value> {
    pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_problem_source_is_written_as_its_words_and_read_back_as_recorded() {
        let problem = Problem {
            source: ProblemSource::Endpoint("graph /me".into()),
            message: "HTTP 500".into(),
        };
        let json = serde_json::to_value(&problem).unwrap_or_default();
        assert_eq!(
            json,
            serde_json::json!({"source": "graph /me", "message": "HTTP 500"})
        );
        let back: Problem = serde_json::from_value(json).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(back.source, ProblemSource::Recorded("graph /me".into()));
        let cleaned = ProblemSource::File("cloud/me.json".into()).map_words(str::to_uppercase);
        assert_eq!(cleaned, ProblemSource::File("CLOUD/ME.JSON".into()));
        // Listed by their words, whatever kind of place they are.
        assert!(ProblemSource::Gathering("a".into()) < ProblemSource::File("b".into()));
    }

    #[test]
    fn status_of_a_check_is_the_worst_finding() {
        let findings = vec![
            Finding::new("A", Severity::Info, &[Feature::EdgeSync], String::new()),
            Finding::new("B", Severity::Fail, &[Feature::EdgeSync], String::new()),
            Finding::new("C", Severity::Warn, &[Feature::EdgeSync], String::new()),
        ];
        let result = CheckResult::decided(CheckId::Rms, Map::new(), findings);
        assert_eq!(result.status, Status::Fail);
        assert_eq!(
            CheckResult::decided(CheckId::Rms, Map::new(), vec![]).status,
            Status::Pass
        );
    }

    #[test]
    fn not_applicable_skips_do_not_make_a_run_incomplete() {
        let na = CheckResult::skipped(CheckId::DeviceRegistration, SkipKind::NotApplicable, "x");
        let missing = CheckResult::skipped(CheckId::DeviceRegistration, SkipKind::Missing, "x");
        assert!(!na.is_incomplete());
        assert!(missing.is_incomplete());
        assert!(CheckResult::error(CheckId::Rms, "boom").is_incomplete());
    }

    #[test]
    fn check_ids_round_trip_through_their_names() {
        for id in CheckId::ALL {
            assert_eq!(CheckId::parse(id.as_str()), Some(id));
            assert_eq!(
                serde_json::to_value(id).ok(),
                Some(Value::String(id.as_str().into()))
            );
        }
        assert_eq!(CheckId::parse("nope"), None);
    }
}
