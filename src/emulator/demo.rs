//! `--demo`: the scenario's tenant served by the emulator and read through the live clients,
//! so a trainer sees a real sign-in (a code, approved after a moment) and live tenant calls.

use super::tenant::TenantData;
use super::{Emulator, EmulatorConfig};
use crate::cloud::auth::browser::BrowserOptions;
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

/// How the demo's person signs in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DemoSignIn {
    /// A code on screen, which the emulated person enters after a moment.
    DeviceCode,
    /// The browser flow, with the emulated person's browser signing in after a moment.
    Browser,
}

/// Why a demo's tenant could not be attached.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error(
        "a demo tenant has one user ({own}); --user {asked} cannot be read in a demo: leave --user out, or run on a device or a bundle"
    )]
    OtherUser { own: String, asked: String },
    #[error("cannot start the demo tenant on 127.0.0.1: {0}")]
    NotStarted(String),
}

/// Starts the emulator for the scenario in `source` and makes the source read its tenant
/// through it. With a `sign_in`, the emulator plays the person (a demo never uses a real
/// credential or a real browser); without, the tenant checks are skipped. The demo tenant
/// answers for its one user: a `subject` naming anyone else is refused, since it would read
/// that user's data under someone else's name. Keep the returned emulator alive for as long
/// as the source is used.
pub async fn attach(
    source: &LoadedSource,
    sign_in: Option<DemoSignIn>,
    subject: Option<&str>,
    pacing: DemoPacing,
    prompt: PromptSink,
) -> Result<(Emulator, Arc<CloudSession>), DemoError> {
    let identity = crate::runner::gather::device_identity(source);
    let demo_user = identity.account;
    if let Some(user) = subject
        && demo_user
            .as_deref()
            .is_none_or(|own| !own.eq_ignore_ascii_case(user))
    {
        return Err(DemoError::OtherUser {
            own: demo_user.unwrap_or_else(|| "none".to_owned()),
            asked: user.to_owned(),
        });
    }
    let mut config = EmulatorConfig::new(TenantData::from_files(&source.files));
    config.latency = pacing.latency;
    config.sign_in.decide_after = pacing.sign_in_after;
    let emulator = Emulator::start(config)
        .await
        .map_err(|e| DemoError::NotStarted(e.to_string()))?;
    let cloud = CloudConfig {
        auth: match sign_in {
            Some(DemoSignIn::DeviceCode) => AuthMode::DeviceCode,
            Some(DemoSignIn::Browser) => AuthMode::Browser,
            None => AuthMode::None,
        },
        overrides: emulator.overrides(),
        device_account: demo_user,
        device_tenant: identity.tenant,
        // Demo sign-ins never reach the OS keyring.
        no_cache: true,
        device_code: DeviceCodeOptions {
            poll_interval: pacing.poll,
            ..DeviceCodeOptions::default()
        },
        browser: BrowserOptions {
            opener: super::browser::opener(pacing.sign_in_after),
            ..BrowserOptions::default()
        },
        ..CloudConfig::default()
    };
    let session = Arc::new(CloudSession::new(cloud, prompt));
    Ok((emulator, session))
}
