//! Typed facts and the parsers that turn raw evidence into them.
//!
//! A *fact source* (dsregcmd, Edge profile, Graph, ...) is gathered as one unit: the runner
//! gathers every source concurrently and decides a check once all the sources it needs are in.

pub mod dsregcmd;
pub mod edge_install;
pub mod edge_messages;
pub mod edge_policy;
pub mod edge_profile;
pub mod event_export;
pub mod event_log;
pub mod join_diagnostics;
pub mod proxy;
pub mod reach;
pub mod registry;
pub mod sync_internals;
pub mod tenant;
pub mod windows_errors;
pub mod windows_state;

use crate::evidence::{FactSource, Platform};
use crate::facts::reach::ReachFacts;
use crate::facts::tenant::AnswerError;
use crate::facts::tenant::esr::RoamingSettings;
use crate::facts::tenant::graph::{Membership, Organization, Sku, User};
use crate::facts::tenant::rms::{Discovery, FunctionalState, Ipcv3State, OnboardingPolicy};
use crate::model::{Problem, ProblemSource};

/// The state of one fact source.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Gathered<T> {
    /// Not gathered yet.
    #[default]
    Pending,
    /// Not available (e.g. `not in bundle`); the reason is shown as is.
    Missing(String),
    /// Does not exist where we run (e.g. dsregcmd on Linux).
    NotApplicable(String),
    /// Present but unreadable; the message says what is wrong with it.
    Unreadable(String),
    /// Not readable by whoever runs esr-doctor (no sign-in, no role); the reason says which.
    Skipped(crate::model::SkipKind, String),
    Found(T),
}

impl<T> Gathered<T> {
    pub fn is_pending(&self) -> bool {
        matches!(self, Gathered::Pending)
    }

    pub fn found(&self) -> Option<&T> {
        match self {
            Gathered::Found(value) => Some(value),
            _ => None,
        }
    }

    /// The message of an unreadable source.
    pub fn unreadable(&self) -> Option<&String> {
        match self {
            Gathered::Unreadable(message) => Some(message),
            _ => None,
        }
    }
}

/// A failed answer as a problem, named by its endpoint or file.
fn answer_problem(error: &AnswerError) -> Problem {
    let source = match error {
        AnswerError::Http { endpoint, .. } => ProblemSource::Endpoint(endpoint.clone()),
        AnswerError::Json(error) => ProblemSource::File(error.file().to_owned()),
        AnswerError::Service { file, .. } | AnswerError::Shape { file, .. } => {
            ProblemSource::File(file.clone())
        }
    };
    Problem {
        source,
        message: error.to_string(),
    }
}

/// The failure of an answer that failed.
pub(crate) fn failed<T>(answer: &Option<Result<T, AnswerError>>) -> Option<&AnswerError> {
    answer.as_ref().and_then(|a| a.as_ref().err())
}

/// Recorded Graph answers for the signed-in user and the tenant; each may be absent.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct GraphFacts {
    pub license_details: Option<Result<Vec<Sku>, AnswerError>>,
    pub subscribed_skus: Option<Result<Vec<Sku>, AnswerError>>,
    pub organization: Option<Result<Organization, AnswerError>>,
    pub me: Option<Result<User, AnswerError>>,
    pub member_of: Option<Result<Vec<Membership>, AnswerError>>,
    /// The objects Entra holds with the device's id (empty: the device object is gone).
    pub devices: Option<Result<Vec<crate::facts::tenant::graph::DeviceObject>, AnswerError>>,
    pub conditional_access:
        Option<Result<Vec<crate::facts::tenant::conditional_access::Policy>, AnswerError>>,
    /// The tenant's cloud, from its OpenID configuration.
    pub cloud: Option<Result<crate::facts::tenant::openid::TenantCloud, AnswerError>>,
}

/// The user's and the admin's view of Azure RMS.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RmsFacts {
    pub discovery: Option<Result<Discovery, AnswerError>>,
    pub functional_state: Option<Result<FunctionalState, AnswerError>>,
    pub onboarding: Option<Result<OnboardingPolicy, AnswerError>>,
    pub ipcv3: Option<Result<Ipcv3State, AnswerError>>,
    /// The group the onboarding policy limits RMS to, as Graph names it.
    pub onboarding_group: Option<Result<Membership, AnswerError>>,
}

/// Everything known about the user, device and tenant.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Facts {
    pub platform: Platform,
    /// The operating system as the evidence describes it, for reports.
    pub os: Option<String>,
    /// When the evidence describes the world: a bundle's `collected_at`, else the run's start.
    /// Ages (a stale device) are counted to this, so a recorded bundle reads the same later.
    pub as_of: Option<chrono::DateTime<chrono::Utc>>,
    pub edge_versions: Gathered<edge_install::EdgeVersions>,
    pub edge_profiles: Gathered<edge_profile::EdgeProfiles>,
    pub edge_policies: Gathered<edge_policy::EdgePolicies>,
    pub sync_internals: Gathered<sync_internals::SyncInternals>,
    pub event_log: Gathered<event_log::EventLog>,
    pub dsregcmd: Gathered<dsregcmd::DsregStatus>,
    pub windows: Gathered<windows_state::WindowsState>,
    pub graph: Gathered<GraphFacts>,
    pub esr: Gathered<RoamingSettings>,
    pub rms: Gathered<RmsFacts>,
    pub reach: Gathered<ReachFacts>,
    /// What went wrong while gathering on the device (a command not found, a file refused),
    /// even when the source still gave an answer.
    pub gathering_errors: Vec<Problem>,
}

/// The gathered value of one fact source, as it travels from a gathering task to the runner.
#[derive(Debug, Clone, PartialEq)]
pub enum FactUpdate {
    EdgeVersion(Gathered<edge_install::EdgeVersions>),
    EdgeProfile(Gathered<edge_profile::EdgeProfiles>),
    EdgePolicy(Gathered<edge_policy::EdgePolicies>),
    SyncInternals(Gathered<sync_internals::SyncInternals>),
    EventLog(Gathered<event_log::EventLog>),
    Dsregcmd(Gathered<dsregcmd::DsregStatus>),
    WindowsState(Gathered<windows_state::WindowsState>),
    Graph(Box<Gathered<GraphFacts>>),
    Esr(Gathered<RoamingSettings>),
    Rms(Box<Gathered<RmsFacts>>),
    Network(Gathered<ReachFacts>),
}

impl FactUpdate {
    /// `source` could not be used, for `reason`.
    pub fn unreadable(source: FactSource, reason: String) -> FactUpdate {
        match source {
            FactSource::EdgeVersion => FactUpdate::EdgeVersion(Gathered::Unreadable(reason)),
            FactSource::EdgeProfile => FactUpdate::EdgeProfile(Gathered::Unreadable(reason)),
            FactSource::EdgePolicy => FactUpdate::EdgePolicy(Gathered::Unreadable(reason)),
            FactSource::SyncInternals => FactUpdate::SyncInternals(Gathered::Unreadable(reason)),
            FactSource::EventLog => FactUpdate::EventLog(Gathered::Unreadable(reason)),
            FactSource::Dsregcmd => FactUpdate::Dsregcmd(Gathered::Unreadable(reason)),
            FactSource::WindowsState => FactUpdate::WindowsState(Gathered::Unreadable(reason)),
            FactSource::Graph => FactUpdate::Graph(Box::new(Gathered::Unreadable(reason))),
            FactSource::Esr => FactUpdate::Esr(Gathered::Unreadable(reason)),
            FactSource::Rms => FactUpdate::Rms(Box::new(Gathered::Unreadable(reason))),
            FactSource::Network => FactUpdate::Network(Gathered::Unreadable(reason)),
        }
    }
}

impl Facts {
    /// Stores an update in its slot.
    pub fn apply(&mut self, update: FactUpdate) {
        match update {
            FactUpdate::EdgeVersion(v) => self.edge_versions = v,
            FactUpdate::EdgeProfile(v) => self.edge_profiles = v,
            FactUpdate::EdgePolicy(v) => self.edge_policies = v,
            FactUpdate::SyncInternals(v) => self.sync_internals = v,
            FactUpdate::EventLog(v) => self.event_log = v,
            FactUpdate::Dsregcmd(v) => self.dsregcmd = v,
            FactUpdate::WindowsState(v) => self.windows = v,
            FactUpdate::Graph(v) => self.graph = *v,
            FactUpdate::Esr(v) => self.esr = v,
            FactUpdate::Rms(v) => self.rms = *v,
            FactUpdate::Network(v) => self.reach = v,
        }
    }

    /// Records what went wrong while gathering `source` on the device.
    pub fn note_gathering_errors(&mut self, source: FactSource, errors: Vec<String>) {
        self.gathering_errors
            .extend(errors.into_iter().map(|message| Problem {
                source: ProblemSource::Gathering(source.label().to_owned()),
                message,
            }));
    }

    /// Marks a source that could not be gathered (timeout, crash) with `reason`.
    pub fn fail(&mut self, source: FactSource, reason: String) {
        self.apply(FactUpdate::unreadable(source, reason));
    }

    /// Every source that was present but unusable, every cloud answer that failed, and what
    /// went wrong while gathering.
    pub fn problems(&self) -> Vec<Problem> {
        let mut problems = Vec::new();
        for source in FactSource::ALL {
            problems.extend(self.unreadable(source));
            problems.extend(self.unreadable_parts(source));
            problems.extend(self.failed_answers(source).into_iter().map(answer_problem));
        }
        problems.extend(self.gathering_errors.iter().cloned());
        problems
    }

    /// What of `source` is present but could not be used: the source as a whole, or one of
    /// its answers that came but cannot be read (not JSON, or not the shape Microsoft
    /// documents) while the others were read. A call that got no answer, or a refusal, is
    /// not "present": the checks that need that answer say so themselves.
    pub fn unusable(&self, source: FactSource) -> Vec<Problem> {
        let present = |error: &&AnswerError| {
            matches!(error, AnswerError::Json(_) | AnswerError::Shape { .. })
        };
        let mut problems: Vec<Problem> = self.unreadable(source).into_iter().collect();
        problems.extend(self.unreadable_parts(source));
        problems.extend(
            self.failed_answers(source)
                .into_iter()
                .filter(present)
                .map(answer_problem),
        );
        problems
    }

    /// `source` as a whole, when it was present but unreadable.
    fn unreadable(&self, source: FactSource) -> Option<Problem> {
        let message = match source {
            FactSource::EdgeVersion => self.edge_versions.unreadable(),
            FactSource::EdgeProfile => self.edge_profiles.unreadable(),
            FactSource::EdgePolicy => self.edge_policies.unreadable(),
            FactSource::SyncInternals => self.sync_internals.unreadable(),
            FactSource::EventLog => self.event_log.unreadable(),
            FactSource::Dsregcmd => self.dsregcmd.unreadable(),
            FactSource::WindowsState => self.windows.unreadable(),
            FactSource::Graph => self.graph.unreadable(),
            FactSource::Esr => self.esr.unreadable(),
            FactSource::Rms => self.rms.unreadable(),
            FactSource::Network => self.reach.unreadable(),
        }?;
        Some(Problem {
            source: ProblemSource::Gathering(source.label().to_owned()),
            message: message.clone(),
        })
    }

    /// The files of `source` that could not be read while its others were (event exports).
    fn unreadable_parts(&self, source: FactSource) -> Vec<Problem> {
        match (source, &self.event_log) {
            (FactSource::EventLog, Gathered::Found(log)) => log
                .unreadable
                .iter()
                .map(|message| Problem {
                    source: ProblemSource::Gathering(source.label().to_owned()),
                    message: message.clone(),
                })
                .collect(),
            _ => Vec::new(),
        }
    }

    /// The answers of `source` (Graph's or RMS's) that failed while the others were read.
    fn failed_answers(&self, source: FactSource) -> Vec<&AnswerError> {
        match (source, &self.graph, &self.rms) {
            (FactSource::Graph, Gathered::Found(graph), _) => [
                failed(&graph.license_details),
                failed(&graph.subscribed_skus),
                failed(&graph.organization),
                failed(&graph.me),
                failed(&graph.member_of),
                failed(&graph.devices),
                failed(&graph.conditional_access),
            ]
            .into_iter()
            .flatten()
            .collect(),
            (FactSource::Rms, _, Gathered::Found(rms)) => [
                failed(&rms.discovery),
                failed(&rms.functional_state),
                failed(&rms.onboarding),
                failed(&rms.ipcv3),
                failed(&rms.onboarding_group),
            ]
            .into_iter()
            .flatten()
            .collect(),
            _ => Vec::new(),
        }
    }

    /// True once `source` has an answer (found, missing, unreadable or not applicable).
    pub fn has(&self, source: FactSource) -> bool {
        !match source {
            FactSource::EdgeVersion => self.edge_versions.is_pending(),
            FactSource::EdgeProfile => self.edge_profiles.is_pending(),
            FactSource::EdgePolicy => self.edge_policies.is_pending(),
            FactSource::SyncInternals => self.sync_internals.is_pending(),
            FactSource::EventLog => self.event_log.is_pending(),
            FactSource::Dsregcmd => self.dsregcmd.is_pending(),
            FactSource::WindowsState => self.windows.is_pending(),
            FactSource::Graph => self.graph.is_pending(),
            FactSource::Esr => self.esr.is_pending(),
            FactSource::Rms => self.rms.is_pending(),
            FactSource::Network => self.reach.is_pending(),
        }
    }
}
