//! What one run reads: the evidence source; the tenant — recorded in that evidence, or read
//! live through a signed-in session (a device's tenant, a bundle's with `--live`, a demo's
//! emulator); and the network — recorded, or probed from this device at these endpoints unless
//! `--offline`. The runner owns all three; the faces hand them over and get a report back.

use crate::cloud::live::CloudSession;
use crate::network::probe::ProbeSettings;
use crate::sources::LoadedSource;
use std::sync::Arc;

/// The inputs of a run; cheap to clone, so a face can run them again.
#[derive(Debug, Clone)]
pub struct Inputs {
    pub source: Arc<LoadedSource>,
    /// Set when the tenant's facts are read live rather than from recorded `cloud/*.json`.
    pub tenant: Option<Arc<CloudSession>>,
    /// The endpoints probed when the source is this device and not offline.
    pub probes: ProbeSettings,
}

impl Inputs {
    /// `source` with its tenant read live through `session`.
    pub fn live(source: LoadedSource, session: Arc<CloudSession>) -> Inputs {
        Inputs {
            tenant: Some(session),
            ..Inputs::from(source)
        }
    }
}

impl From<LoadedSource> for Inputs {
    /// Evidence alone: the tenant as the evidence recorded it.
    fn from(source: LoadedSource) -> Inputs {
        Inputs {
            source: Arc::new(source),
            tenant: None,
            probes: ProbeSettings::global(),
        }
    }
}
