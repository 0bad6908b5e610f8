//! Gathers every fact source concurrently, decides each check as soon as its facts (and the
//! checks that may block it) are in, emits progress events, and builds the `Report`.
//!
//! Every source is gathered through `fan_out`: one that times out or panics is marked
//! unreadable with the cause (a live tenant read has no deadline of its own here: its sign-in
//! waits for a person, its calls have their own), and a panicking check becomes an `error`
//! row. The run always finishes.

pub mod fan_out;
pub mod gather;
mod inputs;
mod probes;

pub use inputs::Inputs;
pub use probes::{probe_from, probe_settings};

use crate::checks::{CATALOGUE, CheckSpec, spec};
use crate::evidence::FactSource;
use crate::facts::{FactUpdate, Facts, Gathered};
use crate::guidance::Guidance;
use crate::model::{CheckId, CheckResult, REPORT_SCHEMA, Report, Severity, SkipKind};
use crate::sources::LoadedSource;
use crate::verdict;
use fan_out::FanOut;
use gather::{gather, live_answers};
use std::collections::{BTreeMap, BTreeSet};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::mpsc::UnboundedSender;

/// Progress of a run, for the wizard.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    SourceStarted(FactSource),
    SourceFinished(FactSource),
    /// The check is waiting for its facts (and blockers); the wizard shows it as running.
    CheckQueued(CheckId),
    CheckFinished(Box<CheckResult>),
}

/// How a run behaves.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Run only these checks (all when `None`).
    pub only: Option<Vec<CheckId>>,
    /// Longest a fact source may take before it is given up.
    pub source_timeout: Duration,
    /// Decide every check on its own facts, also where an earlier failure blocks it for a
    /// user: an admin's setup shows each tenant prerequisite's own state at once.
    pub unblocked: bool,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            only: None,
            source_timeout: Duration::from_secs(20),
            unblocked: false,
        }
    }
}

/// Runs the chosen checks on `source`; `events` (if given) receives progress as it happens.
pub async fn run(
    inputs: impl Into<Inputs>,
    options: RunOptions,
    events: Option<UnboundedSender<Event>>,
) -> Report {
    let inputs = inputs.into();
    let started = Instant::now();
    let emit = |event: Event| {
        if let Some(tx) = &events {
            // A closed receiver only means nobody watches any more.
            let _ = tx.send(event);
        }
    };
    let chosen = options.only.as_deref().map(crate::checks::with_blockers);
    let selected: Vec<&'static CheckSpec> = CATALOGUE
        .iter()
        .filter(|s| chosen.as_ref().is_none_or(|only| only.contains(&s.id)))
        .collect();
    let needed: BTreeSet<FactSource> = selected.iter().flat_map(|s| s.waits_for()).collect();
    let source = &inputs.source;
    let mut device_id = DeviceIdRelay::for_run(&needed);
    let mut fan = FanOut::default();
    for &fact_source in &needed {
        emit(Event::SourceStarted(fact_source));
        let heard = device_id.listener(fact_source);
        spawn_source(
            &mut fan,
            &inputs,
            fact_source,
            options.source_timeout,
            heard,
        );
    }
    for check in &selected {
        emit(Event::CheckQueued(check.id));
    }
    let mut facts = Facts {
        platform: source.platform,
        os: source.os.clone(),
        as_of: Some(
            crate::sources::manifest_collected_at(&source.files).unwrap_or_else(chrono::Utc::now),
        ),
        ..Facts::default()
    };
    let mut progress = Progress::default();
    let unblocked = options.unblocked;
    decide_ready(&selected, &facts, &mut progress, unblocked, &emit);
    while let Some(finished) = fan.next().await {
        progress.took.insert(finished.source, finished.took);
        match finished.outcome {
            Ok((update, errors)) => {
                facts.note_gathering_errors(finished.source, errors);
                tracing::debug!(source = finished.source.label(), "gathered");
                facts.apply(update);
            }
            Err(failure) => {
                tracing::warn!(source = finished.source.label(), "{failure}");
                facts.fail(finished.source, failure.to_string());
            }
        }
        emit(Event::SourceFinished(finished.source));
        device_id.tell(&facts);
        decide_ready(&selected, &facts, &mut progress, unblocked, &emit);
    }
    report(&inputs, &facts, progress, &selected, started)
}

/// What gathering one source yields: its facts and the errors met on the way.
type SourceFacts = (FactUpdate, Vec<String>);

/// Gathers `fact_source` of `source`: the tenant read live (under the panic guard only, see
/// `FanOut::spawn_async`), the network probed from this device, or the evidence read, each of
/// the latter two under `timeout`.
fn spawn_source(
    fan: &mut FanOut<SourceFacts>,
    inputs: &Inputs,
    fact_source: FactSource,
    timeout: Duration,
    dsregcmd_device_id: Option<tokio::sync::oneshot::Receiver<Option<String>>>,
) {
    let source = &inputs.source;
    if let Some(session) = tenant_session(inputs, fact_source) {
        let device_id = match (fact_source, dsregcmd_device_id) {
            (FactSource::Graph, Some(heard)) => gather::device_id_heard(heard, timeout),
            (FactSource::Graph, None) => gather::device_id_lookup(Arc::clone(source)),
            _ => crate::cloud::live::no_device(),
        };
        fan.spawn_async(fact_source, None, async move {
            let answers = session.answers(fact_source, device_id).await;
            (live_answers(fact_source, &answers), Vec::new())
        });
        return;
    }
    let latency = source
        .latency
        .get(&fact_source)
        .copied()
        .unwrap_or_default();
    if let Some(device) = live_probes(source, fact_source) {
        let base = inputs.probes.clone();
        fan.spawn_async(fact_source, Some(timeout), async move {
            tokio::time::sleep(latency).await;
            let reach = probes::probe_from(device, base).await;
            (FactUpdate::Network(Gathered::Found(reach)), Vec::new())
        });
        return;
    }
    let source = Arc::clone(source);
    fan.spawn_async(fact_source, Some(timeout), async move {
        tokio::time::sleep(latency).await;
        fan_out::on_thread(move || gather(fact_source, &source)).await
    });
}

/// Hands the DeviceId of the run's own dsregcmd answer to the Graph reader (which looks the
/// device object up by it), so a run that gathers dsregcmd never runs it twice.
struct DeviceIdRelay {
    sender: Option<tokio::sync::oneshot::Sender<Option<String>>>,
    receiver: Option<tokio::sync::oneshot::Receiver<Option<String>>>,
}

impl DeviceIdRelay {
    fn for_run(needed: &BTreeSet<FactSource>) -> DeviceIdRelay {
        if !needed.contains(&FactSource::Dsregcmd) {
            return DeviceIdRelay {
                sender: None,
                receiver: None,
            };
        }
        let (sender, receiver) = tokio::sync::oneshot::channel();
        DeviceIdRelay {
            sender: Some(sender),
            receiver: Some(receiver),
        }
    }

    /// The Graph reader's end, once.
    fn listener(
        &mut self,
        fact_source: FactSource,
    ) -> Option<tokio::sync::oneshot::Receiver<Option<String>>> {
        (fact_source == FactSource::Graph)
            .then(|| self.receiver.take())
            .flatten()
    }

    /// Passes the DeviceId on once dsregcmd is in.
    fn tell(&mut self, facts: &Facts) {
        if facts.has(FactSource::Dsregcmd)
            && let Some(sender) = self.sender.take()
        {
            // A closed receiver only means the Graph reader no longer waits.
            let _ = sender.send(facts.dsregcmd.found().and_then(gather::device_id_of));
        }
    }
}

/// The report of a finished run: every selected check (one whose facts never arrived is an
/// error), the requests and files each rests on, and the verdicts.
fn report(
    inputs: &Inputs,
    facts: &Facts,
    mut progress: Progress,
    selected: &[&'static CheckSpec],
    started: Instant,
) -> Report {
    for check in selected {
        progress
            .decided
            .entry(check.id)
            .or_insert_with(|| CheckResult::error(check.id, "its facts never arrived"));
    }
    let mut checks: Vec<CheckResult> = selected
        .iter()
        .filter_map(|s| progress.decided.remove(&s.id))
        .collect();
    let source = &inputs.source;
    if let Some(session) = &inputs.tenant {
        record_requests(&mut checks, &session.calls(), &session.identities());
    }
    if source.device.is_none() {
        record_evidence_files(&mut checks, inputs);
    }
    let notes = inputs
        .tenant
        .as_ref()
        .filter(|_| source.info.kind != crate::model::SourceKind::Demo)
        .and_then(|session| session.device_note())
        .into_iter()
        .collect();
    let mut problems = crate::sources::evidence_problems(&source.files);
    problems.extend(facts.problems());
    for problem in &problems {
        tracing::warn!(source = %problem.source, "{}", problem.message);
    }
    let (verdict, features) = verdict::decide(&checks);
    Report {
        schema: REPORT_SCHEMA.to_owned(),
        tool_version: env!("CARGO_PKG_VERSION").to_owned(),
        generated_at: chrono::Local::now().fixed_offset(),
        source: source.info.clone(),
        verdict,
        features,
        duration_ms: millis(started.elapsed()),
        problems,
        notes,
        checks,
    }
}

/// `report` with the checks a re-run decided again replaced, and its verdicts decided again by
/// the one rule (`verdict`); a full re-run replaces the report.
pub fn with_rerun(mut report: Report, rerun: Report) -> Report {
    if rerun.checks.len() >= report.checks.len() {
        return rerun;
    }
    for check in rerun.checks {
        if let Some(slot) = report.checks.iter_mut().find(|c| c.id == check.id) {
            *slot = check;
        }
    }
    (report.verdict, report.features) = verdict::decide(&report.checks);
    report.generated_at = rerun.generated_at;
    report
}

/// The live tenant session, for the tenant's fact sources.
fn tenant_session(
    inputs: &Inputs,
    fact_source: FactSource,
) -> Option<Arc<crate::cloud::live::CloudSession>> {
    let tenant = matches!(
        fact_source,
        FactSource::Graph | FactSource::Esr | FactSource::Rms
    );
    inputs.tenant.as_ref().filter(|_| tenant).map(Arc::clone)
}

/// Adds the HTTP calls behind each tenant check to its evidence (endpoint, status and the
/// `client-request-id` Microsoft support asks for; never a body or a header), and whose view
/// they are: who signed in (`read_as`) and whose data was read (`subject`).
fn record_requests(
    checks: &mut [CheckResult],
    calls: &[crate::cloud::http::CallRecord],
    identities: &crate::cloud::live::Identities,
) {
    for check in checks {
        let needs = spec(check.id).needs;
        let requests: Vec<serde_json::Value> = calls
            .iter()
            .filter(|call| {
                call.api
                    .fact_source()
                    .is_some_and(|source| needs.contains(&source))
            })
            .map(|call| {
                serde_json::json!({
                    "endpoint": call.api.name(),
                    "status": call.status,
                    "client_request_id": call.client_request_id,
                })
            })
            .collect();
        if !requests.is_empty() {
            let name =
                |who: &Option<String>| who.clone().map_or(serde_json::Value::Null, Into::into);
            let subject = identities
                .subject
                .clone()
                .or_else(|| identities.operator.clone());
            check
                .evidence
                .insert("read_as".into(), name(&identities.operator));
            check.evidence.insert("subject".into(), name(&subject));
            check
                .evidence
                .insert("requests".into(), serde_json::Value::Array(requests));
        }
    }
}

/// Adds the evidence files each check was decided from (`files`), so a report always
/// says which files it rests on. Tenant answers fetched live are listed as `requests` instead.
fn record_evidence_files(checks: &mut [CheckResult], inputs: &Inputs) {
    for check in checks {
        let needs = spec(check.id).needs;
        let read: Vec<serde_json::Value> = inputs
            .source
            .files
            .paths()
            .filter(|path| {
                crate::evidence::layout::source_of(path)
                    .is_some_and(|s| needs.contains(&s) && tenant_session(inputs, s).is_none())
            })
            .map(serde_json::Value::from)
            .collect();
        if !read.is_empty() {
            check
                .evidence
                .insert("files".into(), serde_json::Value::Array(read));
        }
    }
}

/// The device to probe from when the network fact comes live (not `--offline`).
fn live_probes(
    source: &LoadedSource,
    fact_source: FactSource,
) -> Option<Arc<crate::sources::device::DeviceContext>> {
    let device = source.device.as_ref().filter(|d| !d.offline)?;
    (fact_source == FactSource::Network).then(|| Arc::clone(device))
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

/// What a run has so far: the checks decided, and how long each source took to gather (a
/// check took as long as its slowest source).
#[derive(Default)]
struct Progress {
    decided: BTreeMap<CheckId, CheckResult>,
    took: BTreeMap<FactSource, Duration>,
}

/// Decides, in catalogue order, every check whose facts and blockers are all in.
fn decide_ready(
    selected: &[&'static CheckSpec],
    facts: &Facts,
    progress: &mut Progress,
    unblocked: bool,
    emit: &impl Fn(Event),
) {
    let Progress { decided, took } = progress;
    for check in selected {
        if decided.contains_key(&check.id) || !check.waits_for().all(|s| facts.has(s)) {
            continue;
        }
        let blockers_pending = !unblocked
            && check
                .blockers
                .iter()
                .any(|b| selected.iter().any(|s| s.id == *b) && !decided.contains_key(b));
        if blockers_pending {
            continue;
        }
        let deciding = Instant::now();
        let blocked = (!unblocked)
            .then(|| blocking_failure(check, decided))
            .flatten();
        let unusable = check
            .needs
            .iter()
            .flat_map(|source| facts.unusable(*source));
        let mut result = blocked
            .unwrap_or_else(|| decide_guarded(check, facts))
            .at_most_warning(unusable);
        result.title = check.title.to_owned();
        Guidance::builtin().attach(&mut result.findings, facts.platform);
        let gathering = check
            .needs
            .iter()
            .filter_map(|s| took.get(s))
            .max()
            .copied()
            .unwrap_or_default();
        result.duration_ms = millis(gathering + deciding.elapsed());
        emit(Event::CheckFinished(Box::new(result.clone())));
        decided.insert(check.id, result);
    }
}

/// A `skipped` result naming the earlier failure that makes `check` meaningless, if any: a
/// failing finding of a blocker that affects a feature this check serves.
fn blocking_failure(
    check: &CheckSpec,
    decided: &BTreeMap<CheckId, CheckResult>,
) -> Option<CheckResult> {
    let (blocker, finding) = check.blockers.iter().find_map(|id| {
        let result = decided.get(id)?;
        let finding = result.findings.iter().find(|f| {
            f.severity == Severity::Fail
                && f.affects
                    .iter()
                    .any(|feature| check.serves.contains(feature))
        })?;
        Some((*id, finding))
    })?;
    Some(CheckResult::skipped(
        check.id,
        SkipKind::Blocked,
        format!(
            "blocked by {} ({}): fix that first",
            spec(blocker).title,
            finding.code
        ),
    ))
}

fn decide_guarded(check: &CheckSpec, facts: &Facts) -> CheckResult {
    match catch_unwind(AssertUnwindSafe(|| (check.decide)(facts))) {
        Ok(result) => result,
        Err(panic) => {
            let detail = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "no message".into());
            CheckResult::error(
                check.id,
                format!("the check crashed ({detail}); please report this with the bundle"),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::EvidenceFiles;
    use crate::model::Status;
    use crate::model::{SourceInfo, SourceKind};
    use crate::sources::LoadedSource;
    use std::collections::HashMap;

    fn statuses(report: &Report) -> Vec<(CheckId, Status)> {
        report.checks.iter().map(|c| (c.id, c.status)).collect()
    }

    fn source(files: &[(&str, &str)], latency: &[(FactSource, u64)]) -> LoadedSource {
        let mut evidence = EvidenceFiles::default();
        for (path, text) in files {
            evidence.insert(path, text.as_bytes().to_vec());
        }
        let mut source = LoadedSource::from_files(
            SourceInfo {
                kind: SourceKind::Bundle,
                name: "test".into(),
            },
            evidence,
            crate::evidence::Platform::Windows,
            "not in bundle",
        );
        source.latency = latency
            .iter()
            .map(|(s, ms)| (*s, Duration::from_millis(*ms)))
            .collect::<HashMap<_, _>>();
        source
    }

    #[tokio::test]
    async fn only_dsregcmd_decides_device_registration_and_skips_the_rest() {
        let dsreg =
            include_str!("../../tests/fixtures/dsregcmd/aadj-empty-settingsurl-transcribed.txt");
        let report = run(
            source(&[("dsregcmd.txt", dsreg)], &[]),
            RunOptions::default(),
            None,
        )
        .await;
        let statuses = statuses(&report);
        assert_eq!(statuses.len(), 9);
        assert_eq!(statuses[6], (CheckId::DeviceRegistration, Status::Fail));
        assert!(
            report
                .checks
                .iter()
                .filter(|c| c.id != CheckId::DeviceRegistration)
                .all(|c| c.status == Status::Skipped)
        );
        assert!(report.checks[0].reason.as_deref() == Some("not in bundle"));
        assert_eq!(report.exit_code(), 1);
        assert!(
            report.checks[6].findings[0].fix.is_some(),
            "guidance attached"
        );
    }

    #[tokio::test]
    async fn slow_sources_time_out_into_errors_and_events_flow() {
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let options = RunOptions {
            only: Some(vec![CheckId::EdgeVersion]),
            source_timeout: Duration::from_millis(50),
            ..RunOptions::default()
        };
        let report = run(
            source(
                &[("edge/version.txt", "Microsoft Edge 131.0.1.1")],
                &[(FactSource::EdgeVersion, 5_000)],
            ),
            options,
            Some(tx),
        )
        .await;
        assert_eq!(report.checks.len(), 1);
        assert_eq!(report.checks[0].status, Status::Error);
        assert!(
            report.checks[0]
                .reason
                .as_deref()
                .is_some_and(|r| r.contains("took longer"))
        );
        let mut seen = Vec::new();
        while let Ok(event) = rx.try_recv() {
            seen.push(event);
        }
        assert_eq!(
            seen.first(),
            Some(&Event::SourceStarted(FactSource::EdgeVersion))
        );
        assert!(
            matches!(seen.last(), Some(Event::CheckFinished(r)) if r.id == CheckId::EdgeVersion)
        );
    }

    #[test]
    fn a_panicking_check_becomes_an_error_row() {
        fn explode(_: &Facts) -> CheckResult {
            panic!("boom")
        }
        let spec = CheckSpec {
            decide: explode,
            ..*crate::checks::spec(CheckId::Rms)
        };
        let result = decide_guarded(&spec, &Facts::default());
        assert_eq!(result.status, Status::Error);
        assert!(result.reason.as_deref().is_some_and(|r| r.contains("boom")));
    }
}
