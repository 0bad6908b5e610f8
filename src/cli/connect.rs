//! The connection policy: which source a mode reads, and how its tenant side is reached (the
//! emulator for a demo, a live session for this device or a bundle with `--live`, nothing
//! otherwise), signed in how and reporting its progress where.

use super::args::CloudArgs;
use crate::cloud::auth::{self, AuthMode, SignInEvent, SignInPrompt, token_store};
use crate::cloud::endpoints::Overrides;
use crate::cloud::live::{CloudConfig, CloudSession};
use crate::emulator::Emulator;
use crate::emulator::demo::{self, DemoPacing};
use crate::evidence::plain;
use crate::model::SourceKind;
use crate::runner::Inputs;
use crate::sources::device::DeviceContext;
use crate::sources::{LoadedSource, bundle, scenario};
use anyhow::Context;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Arc;

pub fn this_device(offline: bool) -> DeviceContext {
    DeviceContext {
        offline,
        ..DeviceContext::this_device()
    }
}

/// A demo tenant, a bundle, or (with neither) this device. Demo and bundle sources never
/// connect to anything, so `offline` only matters for this device.
pub fn load_source(
    demo: Option<String>,
    from: Option<PathBuf>,
    offline: bool,
) -> anyhow::Result<LoadedSource> {
    match (demo, from) {
        (Some(name), _) => Ok(scenario::load(&name)?),
        (None, Some(path)) => bundle::load(&path)
            .with_context(|| format!("cannot read the bundle {}", path.display())),
        (None, None) => Ok(LoadedSource::device(this_device(offline))),
    }
}

pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

/// A sign-in notice as stderr says it in `lang`: the wizard's Esc is no key there, Ctrl+C is.
fn notice_on_stderr(notice: &str, lang: crate::i18n::Lang) -> String {
    let notice = if notice == auth::device_code::PENDING_NOTICE {
        auth::device_code::PENDING_NOTICE_WITHOUT_WIZARD
    } else {
        notice
    };
    plain(&crate::i18n::tr(lang, notice))
}

/// Sign-in progress on stderr (stdout holds only the report), in the run's language.
pub fn sign_in_on_stderr() -> auth::PromptSink {
    Arc::new(move |event| {
        let lang = crate::i18n::current();
        let sign_in = crate::i18n::tr(lang, "sign in to read the tenant");
        match event {
            SignInEvent::Code(SignInPrompt {
                notice: Some(notice),
                ..
            }) => super::say(&notice_on_stderr(&notice, lang)),
            SignInEvent::Code(prompt) => {
                // Entra's own message is in the language it chose; ours follows the run's.
                let message = crate::i18n::tr_fill(
                    lang,
                    "open {} and enter the code {}",
                    &[&plain(&prompt.verification_uri), &plain(&prompt.user_code)],
                );
                super::say(&format!("{sign_in}: {message}"));
            }
            SignInEvent::Browser(prompt) => {
                let opened = crate::i18n::tr(
                    lang,
                    if prompt.opened {
                        "the sign-in page is open in your browser; if it is not in view, open this address on this computer:"
                    } else {
                        "no browser opened; open this address on this computer:"
                    },
                );
                super::say(&format!("{sign_in}: {opened}\n  {}", plain(&prompt.url)));
            }
            SignInEvent::SignedIn => {
                super::say(&crate::i18n::tr(lang, "signed in; reading the tenant"));
            }
            SignInEvent::Failed(why) => super::say(&format!(
                "{}: {}",
                crate::i18n::tr(lang, "no sign-in"),
                plain(&why)
            )),
        }
    })
}

/// The live tenant for this device or a bundle's (`--live`): signed in as `--auth` says
/// (default: the browser or a device code when someone is at the terminal, else none), to the
/// tenant and for the user the evidence names. `None` when `--offline`.
pub fn device_session(
    args: &CloudArgs,
    device: &LoadedSource,
    offline: bool,
    prompt: auth::PromptSink,
) -> anyhow::Result<Option<Arc<CloudSession>>> {
    if offline {
        return Ok(None);
    }
    let identity = if args.admins_tenant {
        crate::runner::gather::DeviceIdentity::default()
    } else {
        crate::runner::gather::device_identity(device)
    };
    let interactive = std::io::stdin().is_terminal() && std::io::stderr().is_terminal();
    let auth = args.auth.unwrap_or(if interactive {
        AuthMode::Auto
    } else {
        AuthMode::None
    });
    let overrides = Overrides::from_file_or_env(args.endpoints.as_deref())?;
    if auth.is_interactive()
        && !args.no_cache
        && let Err(why) = token_store::use_platform_store()
    {
        super::say(&why.to_string());
    }
    let config = CloudConfig {
        auth,
        overrides,
        tenant: args.tenant.clone(),
        client_id: args
            .client_id
            .clone()
            .unwrap_or_else(|| auth::DEFAULT_CLIENT_ID.to_owned()),
        subject: args.user.clone(),
        device_account: identity.account,
        device_tenant: identity.tenant,
        no_cache: args.no_cache,
        ..CloudConfig::default()
    };
    Ok(Some(Arc::new(CloudSession::new(config, prompt))))
}

/// `--live` reads a bundle's tenant over the network: never offline, never for a demo.
pub fn refuse_live(args: &CloudArgs, demo: bool, offline: bool) -> anyhow::Result<()> {
    if args.live && offline {
        anyhow::bail!("--live reads the tenant over the network; it cannot be used with --offline");
    }
    if args.live && demo {
        anyhow::bail!("a demo's tenant is its emulator; --live is for --from BUNDLE");
    }
    Ok(())
}

/// The run's inputs: `source` with its tenant side connected — the emulator for a demo, a live
/// session on a device, nothing for a bundle (it carries its answers). The emulator, if any,
/// must outlive the run.
pub fn connect_tenant(
    runtime: &tokio::runtime::Runtime,
    source: LoadedSource,
    args: &CloudArgs,
    offline: bool,
    pacing: DemoPacing,
    prompt: auth::PromptSink,
) -> anyhow::Result<(Inputs, Option<Emulator>)> {
    refuse_live(args, source.info.kind == SourceKind::Demo, offline)?;
    match source.info.kind {
        SourceKind::Demo if !offline => {
            // A demo is a closed world: it signs in to its own emulator, never with the
            // operator's Azure CLI or app credentials, whatever the flag or config say.
            let sign_in = demo_sign_in(args.auth);
            if let Some(auth) = args
                .auth
                .filter(|a| args.auth_given && matches!(a, AuthMode::AzureCli | AuthMode::App))
            {
                eprintln!(
                    "esr-doctor: a demo signs in to its own emulated tenant; --auth {} is not used",
                    clap::ValueEnum::to_possible_value(&auth)
                        .map(|v| v.get_name().to_owned())
                        .unwrap_or_default()
                );
            }
            let (emulator, session) = runtime.block_on(demo::attach(
                &source,
                sign_in,
                args.user.as_deref(),
                pacing,
                prompt,
            ))?;
            Ok((Inputs::live(source, session), Some(emulator)))
        }
        // A bundle with `--live` is the helpdesk's split run: `collect` on the user's PC,
        // the sign-in here.
        SourceKind::Device | SourceKind::Bundle
            if source.info.kind == SourceKind::Device || args.live =>
        {
            let inputs = match device_session(args, &source, offline, prompt)? {
                Some(session) => Inputs::live(source, session),
                None => Inputs::from(source),
            };
            Ok((inputs, None))
        }
        _ => Ok((Inputs::from(source), None)),
    }
}

/// `connect_tenant` for a full-screen mode: the sign-in's progress goes to the screen, paced
/// for people to watch.
pub fn connect_screen(
    runtime: &tokio::runtime::Runtime,
    source: LoadedSource,
    cloud: &CloudArgs,
    offline: bool,
) -> anyhow::Result<(
    Inputs,
    Option<Emulator>,
    tokio::sync::mpsc::UnboundedReceiver<SignInEvent>,
)> {
    let (sign_in_tx, sign_in_rx) = tokio::sync::mpsc::unbounded_channel();
    let prompt: auth::PromptSink = Arc::new(move |event| {
        // A closed screen no longer listens; the event is then of no use to anyone.
        let _ = sign_in_tx.send(event);
    });
    let (inputs, emulator) = connect_tenant(
        runtime,
        source,
        cloud,
        offline,
        DemoPacing::wizard(),
        prompt,
    )?;
    Ok((inputs, emulator, sign_in_rx))
}

/// How a demo signs in to its emulator: as `--auth` asks where the emulator plays that flow
/// (the browser, a device code), not at all for `none`, else with a device code.
fn demo_sign_in(auth: Option<AuthMode>) -> Option<demo::DemoSignIn> {
    match auth {
        Some(AuthMode::None) => None,
        Some(AuthMode::Browser) => Some(demo::DemoSignIn::Browser),
        _ => Some(demo::DemoSignIn::DeviceCode),
    }
}

/// The tenant arguments for an unattended Intune run (`--format intune`): on a device no one
/// is at the terminal, so no interactive sign-in (app credentials only, when given). A demo's
/// emulator approves its own sign-in and a bundle signs in only with `--live`.
pub fn for_intune(args: &CloudArgs, kind: SourceKind) -> CloudArgs {
    let interactive_sign_in = args.auth != Some(AuthMode::App);
    CloudArgs {
        auth: if kind == SourceKind::Device && interactive_sign_in {
            Some(AuthMode::None)
        } else {
            args.auth
        },
        ..args.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(auth: Option<AuthMode>) -> CloudArgs {
        CloudArgs {
            auth,
            user: None,
            tenant: None,
            live: false,
            client_id: None,
            endpoints: None,
            no_cache: true,
            auth_given: auth.is_some(),
            admins_tenant: false,
        }
    }

    #[test]
    fn an_intune_run_on_a_device_never_signs_in_interactively() {
        for auth in [
            None,
            Some(AuthMode::Auto),
            Some(AuthMode::DeviceCode),
            Some(AuthMode::Browser),
            Some(AuthMode::AzureCli),
        ] {
            assert_eq!(
                for_intune(&args(auth), SourceKind::Device).auth,
                Some(AuthMode::None),
                "{auth:?}"
            );
        }
        // App credentials are unattended: they stay.
        assert_eq!(
            for_intune(&args(Some(AuthMode::App)), SourceKind::Device).auth,
            Some(AuthMode::App)
        );
        // A demo's emulator and a bundle keep what was asked.
        for kind in [SourceKind::Demo, SourceKind::Bundle] {
            assert_eq!(
                for_intune(&args(Some(AuthMode::DeviceCode)), kind).auth,
                Some(AuthMode::DeviceCode)
            );
        }
    }

    #[test]
    fn a_demo_signs_in_to_its_emulator_only_with_flows_the_emulator_plays() {
        assert!(demo_sign_in(Some(AuthMode::None)).is_none());
        assert!(matches!(
            demo_sign_in(Some(AuthMode::Browser)),
            Some(demo::DemoSignIn::Browser)
        ));
        for auth in [
            None,
            Some(AuthMode::Auto),
            Some(AuthMode::AzureCli),
            Some(AuthMode::App),
        ] {
            assert!(
                matches!(demo_sign_in(auth), Some(demo::DemoSignIn::DeviceCode)),
                "{auth:?}"
            );
        }
    }

    #[test]
    fn the_waiting_notice_on_stderr_names_the_key_that_works_there() {
        use crate::i18n::Lang;
        let notice = auth::device_code::PENDING_NOTICE;
        for (lang, key) in [
            (Lang::En, "Ctrl+C"),
            (Lang::De, "Strg+C"),
            (Lang::Nl, "Ctrl+C"),
        ] {
            let said = notice_on_stderr(notice, lang);
            assert!(said.contains(key) && !said.contains("Esc"), "{said}");
        }
        assert!(notice_on_stderr(notice, Lang::De).starts_with("Nach 3 Minuten"));
    }

    #[test]
    fn live_is_refused_offline_and_for_a_demo() {
        let live = CloudArgs {
            live: true,
            ..args(None)
        };
        let offline = refuse_live(&live, false, true).err().map(|e| e.to_string());
        assert!(offline.is_some_and(|e| e.contains("--offline")));
        let demo = refuse_live(&live, true, false).err().map(|e| e.to_string());
        assert!(demo.is_some_and(|e| e.contains("--from BUNDLE")));
        assert!(refuse_live(&live, false, false).is_ok());
        assert!(refuse_live(&args(None), true, true).is_ok());
    }

    #[test]
    fn an_offline_run_has_no_tenant_session_and_a_bad_bundle_is_named() {
        let source = LoadedSource::device(this_device(true));
        let session = device_session(
            &args(Some(AuthMode::DeviceCode)),
            &source,
            true,
            Arc::new(|_| {}),
        );
        assert!(matches!(session, Ok(None)));
        let missing = PathBuf::from("/nonexistent/bundle.zip");
        let error = load_source(None, Some(missing), true)
            .err()
            .map(|e| format!("{e:#}"));
        assert!(
            error.is_some_and(|e| e.contains("cannot read the bundle /nonexistent/bundle.zip"))
        );
        let unknown = load_source(Some("no-such-scenario".into()), None, true)
            .err()
            .map(|e| e.to_string());
        assert!(
            unknown.is_some_and(|e| e.contains("no-such-scenario")),
            "names the scenario"
        );
    }
}
