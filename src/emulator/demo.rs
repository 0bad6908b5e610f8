//! `--demo`: the scenario's tenant served by the emulator and read through the live clients,
//! so a trainer sees a real sign-in (a code, approved after a moment) and live tenant calls.

use super::tenant::TenantData;
use super::{Emulator, EmulatorConfig};
use crate::cloud::auth::device_code::DeviceCodeOptions;
use crate::cloud::auth::{AuthMode, PromptSink};
use crate::cloud::live::{CloudConfig, CloudSession};
use crate::sources::LoadedSource;
use std::sync::Arc;
use std::time::Duration;

/// How fast the demo tenant answers.
#[derive(Debug, Clone, Copy)]
pub struct DemoPacing {
    /// The emulated person approves the sign-in this long after the code appears.
    pub sign_in_after: Duration,
    /// Poll this often instead of the service's interval (`None`: as the service says).
    pub poll: Option<Duration>,
    /// How long each endpoint takes to answer.
    pub latency: Duration,
}

impl DemoPacing {
    /// The wizard: long enough to read the code aloud, calls that visibly take time.
    pub fn wizard() -> DemoPacing {
        DemoPacing {
            sign_in_after: Duration::from_secs(4),
            poll: None,
            latency: Duration::from_millis(180),
        }
    }

    /// `check --demo`: a report in well under a second.
    pub fn report() -> DemoPacing {
        DemoPacing {
            sign_in_after: Duration::from_millis(150),
            poll: Some(Duration::from_millis(50)),
            latency: Duration::from_millis(20),
        }
    }
}

/// Starts the emulator for the scenario in `source` and makes the source read its tenant
/// through it. With `signs_in`, the sign-in is the emulator's own device-code flow (a demo
/// never uses a real credential); without, the tenant checks are skipped. Keep the returned
/// emulator alive for as long as the source is used.
pub async fn attach(
    source: &mut LoadedSource,
    signs_in: bool,
    pacing: DemoPacing,
    prompt: PromptSink,
) -> anyhow::Result<Emulator> {
    let mut config = EmulatorConfig::new(TenantData::from_files(&source.files));
    config.latency = pacing.latency;
    config.sign_in.decide_after = pacing.sign_in_after;
    let emulator = Emulator::start(config)
        .await
        .map_err(|e| anyhow::anyhow!("cannot start the demo tenant on 127.0.0.1: {e}"))?;
    let cloud = CloudConfig {
        auth: if signs_in {
            AuthMode::DeviceCode
        } else {
            AuthMode::None
        },
        overrides: emulator.overrides(),
        device_account: crate::facts::gather::edge_work_account(source),
        // Demo sign-ins never reach the OS keyring.
        no_cache: true,
        device_code: DeviceCodeOptions {
            poll_interval: pacing.poll,
            ..DeviceCodeOptions::default()
        },
        ..CloudConfig::default()
    };
    source.cloud = Some(Arc::new(CloudSession::new(cloud, prompt)?));
    Ok(emulator)
}
