//! Command line → mode → exit code. Everything else lives in the library.

use anyhow::Context;
use clap::{CommandFactory, Parser, Subcommand};
use esr_doctor::cloud::auth::{self, AuthMode, SignInEvent, SignInPrompt, token_store};
use esr_doctor::cloud::endpoints::Overrides;
use esr_doctor::cloud::live::{CloudConfig, CloudSession};
use esr_doctor::emulator::Emulator;
use esr_doctor::emulator::demo::{self, DemoPacing};
use esr_doctor::guidance::Guidance;
use esr_doctor::model::CheckId;
use esr_doctor::model::SourceKind;
use esr_doctor::redact;
use esr_doctor::report::{Format, intune, json, junit, markdown, text};
use esr_doctor::runner::{self, RunOptions};
use esr_doctor::sources::device::DeviceContext;
use esr_doctor::sources::{LoadedSource, bundle, scenario};
use esr_doctor::tui::WizardOptions;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

/// Finds out why Microsoft Edge sync / Enterprise State Roaming does not work, and how to fix it.
#[derive(Debug, Parser)]
#[command(name = "esr-doctor", version, about, long_about = None, args_conflicts_with_subcommands = true)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// Open the wizard on a built-in demo tenant (default: healthy).
    #[arg(long, value_name = "SCENARIO", num_args = 0..=1, default_missing_value = scenario::DEFAULT, conflicts_with = "from")]
    demo: Option<String>,
    /// Open the wizard on an evidence bundle: a folder or a .zip.
    #[arg(long, value_name = "BUNDLE")]
    from: Option<PathBuf>,
    /// Trainers' mode: one prerequisite at a time, with why it exists.
    #[arg(long)]
    guided: bool,
    /// Presenter view for a room: guided, identifiers hidden, high-contrast colours.
    #[arg(long)]
    present: bool,
    /// Draw with ASCII only (for consoles without Unicode).
    #[arg(long)]
    ascii: bool,
    /// Make no network connection at all (the network step is skipped).
    #[arg(long)]
    offline: bool,
    #[command(flatten)]
    cloud: CloudArgs,
    /// Log to stderr too: -v what is gathered and called, -vv everything.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    verbose: u8,
    /// The language of the wizard, text and markdown [default: the system's UI language]
    #[arg(long, value_enum, global = true, value_name = "LANG")]
    lang: Option<esr_doctor::i18n::Lang>,
}

/// How to reach and read the tenant (for `--from`, only with `--live`: a bundle carries its
/// answers).
#[derive(Debug, Clone, clap::Args)]
struct CloudArgs {
    /// How to sign in to the tenant [default: auto on a terminal, else none]
    #[arg(long, value_enum, value_name = "HOW")]
    auth: Option<AuthMode>,
    /// Diagnose this user (UPN) rather than whoever signs in (needs a directory role).
    #[arg(long, value_name = "UPN")]
    user: Option<String>,
    /// Sign in to this tenant (id or domain) [default: the --user's domain, else the device's
    /// tenant, else organizations]; a tenant other than the device's is read only when named here
    #[arg(long, value_name = "TENANT")]
    tenant: Option<String>,
    /// With --from: read the tenant live, for the bundle's user and tenant (sign in on this
    /// computer), instead of the answers the bundle recorded
    #[arg(long)]
    live: bool,
    /// The public client to sign in as [default: Microsoft Azure CLI's public client]
    #[arg(long, value_name = "GUID")]
    client_id: Option<String>,
    /// Point Microsoft's hosts at other base URLs (a TOML file; also ESR_DOCTOR_ENDPOINTS).
    #[arg(long, value_name = "FILE.toml")]
    endpoints: Option<PathBuf>,
    /// Keep no sign-in in the OS keyring (sign in anew each run).
    #[arg(long)]
    no_cache: bool,
    /// `--auth` was given on the command line (not only in the config file).
    #[arg(skip)]
    auth_given: bool,
    /// Read the signed-in admin's own tenant (`setup`): not this device's, not its user's.
    #[arg(skip)]
    admins_tenant: bool,
}

impl CloudArgs {
    /// These arguments with the config file's defaults where no flag was given.
    fn or_config(&self, config: &esr_doctor::config::Config) -> CloudArgs {
        CloudArgs {
            auth: self.auth.or(config.auth),
            auth_given: self.auth.is_some(),
            tenant: self.tenant.clone().or_else(|| config.tenant.clone()),
            client_id: self.client_id.clone().or_else(|| config.client_id.clone()),
            ..self.clone()
        }
    }
}

/// `esr-doctor config …`.
#[derive(Debug, Subcommand)]
enum ConfigAction {
    /// Print where the config file is read from (it need not exist yet).
    Path,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run every check and print a report (exit 0 pass, 1 fail, 2 could not run, 3 incomplete).
    Check {
        /// Use a built-in demo tenant (see `scenarios`).
        #[arg(long, value_name = "SCENARIO", conflicts_with = "from")]
        demo: Option<String>,
        /// Use an evidence bundle: a folder or a .zip.
        #[arg(long, value_name = "BUNDLE")]
        from: Option<PathBuf>,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Run only these checks and what can block them (comma-separated ids, any case).
        #[arg(
            long,
            value_enum,
            value_delimiter = ',',
            value_name = "ID,...",
            ignore_case = true
        )]
        only: Vec<CheckId>,
        /// Make no network connection at all.
        #[arg(long)]
        offline: bool,
        /// Replace user names, ids, device names and IP addresses with placeholders.
        #[arg(long)]
        redact: bool,
        #[command(flatten)]
        cloud: CloudArgs,
    },
    /// Gather this device's raw evidence into a bundle (a .zip) to analyse elsewhere.
    Collect {
        /// The .zip to write.
        #[arg(long, value_name = "FILE.zip")]
        out: PathBuf,
        /// Replace user names, ids, device names, IP and MAC addresses with placeholders.
        #[arg(long)]
        redact: bool,
        /// Make no network connection at all.
        #[arg(long)]
        offline: bool,
        #[command(flatten)]
        cloud: CloudArgs,
    },
    /// The admin's setup of a tenant: only its prerequisites, in order, each with its fix and
    /// a watch that re-checks after the fix (read-only: nothing is ever written to the tenant).
    Setup {
        /// Practise on a built-in demo tenant where the emulator plays the admin's changes.
        #[arg(long, value_name = "SCENARIO", num_args = 0..=1, default_missing_value = esr_doctor::setup::demo::SCENARIO)]
        demo: Option<String>,
        /// Draw with ASCII only (for consoles without Unicode).
        #[arg(long)]
        ascii: bool,
        #[command(flatten)]
        cloud: CloudArgs,
    },
    /// Remove every sign-in esr-doctor kept in the OS keyring.
    Signout,
    /// List the built-in demo scenarios.
    Scenarios,
    /// Print shell completions (source them, e.g. `source <(esr-doctor completions bash)`).
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff), e.g. `esr-doctor man > esr-doctor.1 && man -l esr-doctor.1`.
    Man,
    /// The config file of defaults (auth, client_id, tenant, ascii, lang, theme).
    Config {
        #[command(subcommand)]
        action: ConfigAction,
    },
    /// Compare two JSON reports per check: fixed, newly broken, changed, unchanged.
    Diff {
        /// The report from before the change (`check --format json`).
        before: PathBuf,
        /// The report from after it.
        after: PathBuf,
    },
    /// Explain a finding code, a Windows event id, an HRESULT or a sign-in answer (AADSTS).
    Explain {
        /// e.g. ESR_DISABLED, 6065, 0xCAA5001C, 80070259, -2147024295, AADSTS530035
        #[arg(allow_hyphen_values = true, required_unless_present = "list")]
        code: Option<String>,
        /// Print every finding code, event id, HRESULT and AADSTS code esr-doctor can explain.
        #[arg(long, conflicts_with = "code")]
        list: bool,
    },
}

/// The tool itself could not run (DESIGN.md exit code 2).
const EXIT_USAGE: u8 = 2;

fn main() -> ExitCode {
    let started = std::time::Instant::now();
    // While this is the only thread: the keyring a sign-in is kept in is per thread.
    token_store::prepare_process_keyring();
    let cli = Cli::parse();
    // The wizard owns the terminal: its log goes to the file only.
    let to_stderr = if cli.command.is_none() {
        0
    } else {
        cli.verbose
    };
    let log = esr_doctor::logging::init(to_stderr);
    tracing::info!(
        version = env!("CARGO_PKG_VERSION"),
        log = ?log,
        "esr-doctor started"
    );
    let config = match esr_doctor::config::load() {
        Ok(config) => config,
        Err(error) => {
            eprintln!("esr-doctor: {error}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    // JSON stays English whatever the language; the faces people read follow it.
    esr_doctor::i18n::set(
        cli.lang
            .or(config.lang)
            .unwrap_or_else(esr_doctor::i18n::Lang::system),
    );
    let outcome = match cli.command {
        Some(Command::Check {
            demo,
            from,
            format,
            only,
            offline,
            redact,
            cloud,
        }) => check(
            demo,
            from,
            offline,
            format,
            &only,
            redact,
            &cloud.or_config(&config),
        ),
        Some(Command::Collect {
            out,
            redact,
            offline,
            cloud,
        }) => collect(&out, redact, offline, &cloud.or_config(&config)),
        Some(Command::Config {
            action: ConfigAction::Path,
        }) => match esr_doctor::config::path() {
            Some(path) => write_stdout(&format!("{}\n", path.display())).map(|()| 0),
            None => Err(anyhow::anyhow!(
                "this account has no home folder, so there is no config file"
            )),
        },
        Some(Command::Setup { demo, ascii, cloud }) => setup(
            demo,
            ascii || config.ascii.unwrap_or(false),
            config.theme.unwrap_or_default(),
            &cloud.or_config(&config),
        ),
        Some(Command::Signout) => signout(),
        Some(Command::Scenarios) => scenarios(),
        Some(Command::Diff { before, after }) => diff(&before, &after),
        Some(Command::Completions { shell }) => {
            // Rendered first: clap_complete panics when its writer fails.
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "esr-doctor", &mut script);
            write_stdout(&String::from_utf8_lossy(&script)).map(|()| 0)
        }
        Some(Command::Man) => {
            let mut page = Vec::new();
            clap_mangen::Man::new(Cli::command())
                .render(&mut page)
                .context("cannot render the man page")
                .and_then(|()| write_stdout(&String::from_utf8_lossy(&page)))
                .map(|()| 0)
        }
        Some(Command::Explain { code, list }) => match code {
            Some(code) if !list => explain(&code),
            _ => explain_list(),
        },
        None => {
            let options = WizardOptions {
                guided: cli.guided,
                present: cli.present,
                ascii: cli.ascii || config.ascii.unwrap_or(false),
                theme: config.theme.unwrap_or_default(),
                started,
            };
            let cloud = cli.cloud.or_config(&config);
            wizard(cli.demo, cli.from, cli.offline, &cloud, options)
        }
    };
    match outcome {
        Ok(code) => ExitCode::from(code),
        Err(error) => {
            eprintln!("esr-doctor: {error:#}");
            ExitCode::from(EXIT_USAGE)
        }
    }
}

fn this_device(offline: bool) -> DeviceContext {
    DeviceContext {
        offline,
        ..DeviceContext::this_device()
    }
}

/// A demo tenant, a bundle, or (with neither) this device. Demo and bundle sources never
/// connect to anything, so `offline` only matters for this device.
fn load_source(
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

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

/// Sign-in progress on stderr (stdout holds only the report).
fn sign_in_on_stderr() -> auth::PromptSink {
    let plain = esr_doctor::evidence::plain;
    Arc::new(move |event| match event {
        SignInEvent::Code(SignInPrompt {
            notice: Some(notice),
            ..
        }) => eprintln!("esr-doctor: {}", plain(&notice)),
        SignInEvent::Code(prompt) => {
            let shown = plain(&prompt.message);
            let message = if shown.is_empty() {
                format!(
                    "open {} and enter the code {}",
                    plain(&prompt.verification_uri),
                    plain(&prompt.user_code)
                )
            } else {
                shown
            };
            eprintln!("esr-doctor: sign in to read the tenant: {message}");
        }
        SignInEvent::Browser(prompt) => {
            let opened = if prompt.opened {
                "the sign-in page is open in your browser; if it is not in view, open"
            } else {
                "no browser opened; open"
            };
            eprintln!(
                "esr-doctor: sign in to read the tenant: {opened} this address on this computer:\n  {}",
                plain(&prompt.url)
            );
        }
        SignInEvent::SignedIn => eprintln!("esr-doctor: signed in; reading the tenant"),
        SignInEvent::Failed(why) => {
            eprintln!("esr-doctor: no sign-in: {}", plain(&why));
        }
    })
}

/// The live tenant for this device or a bundle's (`--live`): signed in as `--auth` says
/// (default: the browser or a device code when someone is at the terminal, else none), to the
/// tenant and for the user the evidence names. `None` when `--offline`.
fn device_session(
    args: &CloudArgs,
    device: &LoadedSource,
    offline: bool,
    prompt: auth::PromptSink,
) -> anyhow::Result<Option<Arc<CloudSession>>> {
    if offline {
        return Ok(None);
    }
    let identity = if args.admins_tenant {
        esr_doctor::runner::gather::DeviceIdentity::default()
    } else {
        esr_doctor::runner::gather::device_identity(device)
    };
    use std::io::IsTerminal;
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
        eprintln!("esr-doctor: {why}");
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
    Ok(Some(Arc::new(CloudSession::new(config, prompt)?)))
}

/// `--live` reads a bundle's tenant over the network: never offline, never for a demo.
fn refuse_live(args: &CloudArgs, demo: bool, offline: bool) -> anyhow::Result<()> {
    if args.live && offline {
        anyhow::bail!("--live reads the tenant over the network; it cannot be used with --offline");
    }
    if args.live && demo {
        anyhow::bail!("a demo's tenant is its emulator; --live is for --from BUNDLE");
    }
    Ok(())
}

/// Connects the tenant side of `source`: the emulator for a demo, a live session on a device,
/// nothing for a bundle (it carries its answers). The emulator, if any, must outlive the run.
fn connect_tenant(
    runtime: &tokio::runtime::Runtime,
    source: &mut LoadedSource,
    args: &CloudArgs,
    offline: bool,
    pacing: DemoPacing,
    prompt: auth::PromptSink,
) -> anyhow::Result<Option<Emulator>> {
    refuse_live(args, source.info.kind == SourceKind::Demo, offline)?;
    match source.info.kind {
        SourceKind::Demo if !offline => {
            // A demo is a closed world: it signs in to its own emulator, never with the
            // operator's Azure CLI or app credentials, whatever the flag or config say.
            let sign_in = match args.auth {
                Some(AuthMode::None) => None,
                Some(AuthMode::Browser) => Some(demo::DemoSignIn::Browser),
                _ => Some(demo::DemoSignIn::DeviceCode),
            };
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
            runtime
                .block_on(demo::attach(
                    source,
                    sign_in,
                    args.user.as_deref(),
                    pacing,
                    prompt,
                ))
                .map(Some)
        }
        // A bundle with `--live` is the helpdesk's split run: `collect` on the user's PC,
        // the sign-in here.
        SourceKind::Device | SourceKind::Bundle
            if source.info.kind == SourceKind::Device || args.live =>
        {
            source.cloud = device_session(args, source, offline, prompt)?;
            Ok(None)
        }
        _ => Ok(None),
    }
}

/// `connect_tenant` for a full-screen mode: the sign-in's progress goes to the screen, paced
/// for people to watch.
fn connect_screen(
    runtime: &tokio::runtime::Runtime,
    source: &mut LoadedSource,
    cloud: &CloudArgs,
    offline: bool,
) -> anyhow::Result<(
    Option<Emulator>,
    tokio::sync::mpsc::UnboundedReceiver<SignInEvent>,
)> {
    let (sign_in_tx, sign_in_rx) = tokio::sync::mpsc::unbounded_channel();
    let prompt: auth::PromptSink = Arc::new(move |event| {
        // A closed screen no longer listens; the event is then of no use to anyone.
        let _ = sign_in_tx.send(event);
    });
    let emulator = connect_tenant(
        runtime,
        source,
        cloud,
        offline,
        DemoPacing::wizard(),
        prompt,
    )?;
    Ok((emulator, sign_in_rx))
}

fn collect(
    out: &std::path::Path,
    redact_files: bool,
    offline: bool,
    cloud: &CloudArgs,
) -> anyhow::Result<u8> {
    let runtime = runtime()?;
    let device = this_device(offline);
    let source = LoadedSource::device(device.clone());
    let session = device_session(cloud, &source, offline, sign_in_on_stderr())?;
    let collected = runtime.block_on(esr_doctor::collect::collect(
        &device,
        session.as_deref(),
        out,
        redact_files,
        RunOptions::default().source_timeout,
    ));
    // Work given up on at its deadline is not waited for.
    runtime.shutdown_background();
    let collected = collected?;
    let errors = if collected.errors.is_empty() {
        String::new()
    } else {
        format!(
            ", {} errors recorded in manifest.json",
            collected.errors.len()
        )
    };
    eprintln!(
        "esr-doctor: wrote {} ({} files{errors}); analyse it with `esr-doctor check --from {}`",
        out.display(),
        collected.files.len() + 1,
        out.display()
    );
    Ok(0)
}

fn signout() -> anyhow::Result<u8> {
    token_store::use_platform_store().map_err(|e| anyhow::anyhow!(e))?;
    let removed = token_store::sign_out_everywhere().map_err(|e| anyhow::anyhow!(e))?;
    write_stdout(&format!(
        "esr-doctor: removed {removed} stored sign-in(s) from the OS keyring\n"
    ))?;
    Ok(0)
}

fn check(
    demo: Option<String>,
    from: Option<PathBuf>,
    offline: bool,
    format: Format,
    only: &[CheckId],
    redact_report: bool,
    cloud: &CloudArgs,
) -> anyhow::Result<u8> {
    let only = (!only.is_empty()).then(|| only.to_vec());
    refuse_live(cloud, demo.is_some(), offline)?;
    let mut source = load_source(demo, from, offline)?;
    let runtime = runtime()?;
    // Intune runs unattended: nothing on stderr, and on a device no interactive sign-in (app
    // credentials only, when given). A demo's emulator approves its own sign-in.
    let fleet = format == Format::Intune;
    let interactive_sign_in = cloud.auth != Some(AuthMode::App);
    let cloud = &CloudArgs {
        auth: if fleet && source.info.kind == SourceKind::Device && interactive_sign_in {
            Some(AuthMode::None)
        } else {
            cloud.auth
        },
        ..cloud.clone()
    };
    let prompt: auth::PromptSink = if fleet {
        Arc::new(|_| {})
    } else {
        sign_in_on_stderr()
    };
    let _emulator = connect_tenant(
        &runtime,
        &mut source,
        cloud,
        offline,
        DemoPacing::report(),
        prompt,
    )?;
    let options = RunOptions {
        only,
        ..RunOptions::default()
    };
    // What the evidence names is learned before the run consumes it: a group or tenant name
    // may reach a message without being in any check's evidence.
    let redactor = redact_report.then(|| redact::Redactor::learning_from(&source.files));
    let mut report = runtime.block_on(runner::run(source, options, None));
    // Work given up on at its deadline is not waited for.
    runtime.shutdown_background();
    let exit = if fleet {
        intune::exit_code(&report)
    } else {
        report.exit_code()
    };
    let exit = u8::try_from(exit).unwrap_or(EXIT_USAGE);
    if let Some(mut redactor) = redactor {
        redactor.report(&mut report);
    }
    let rendered = match format {
        Format::Json => json::render(&report).context("cannot serialise the report")? + "\n",
        Format::Markdown => markdown::render(&report),
        Format::Text => text::render(&report),
        Format::Intune => intune::render(&report),
        Format::Junit => junit::render(&report),
    };
    write_stdout(&rendered).map(|()| exit)
}

/// Writes `text` to stdout (colours only on a terminal that wants them). A reader that stops
/// early (`esr-doctor scenarios | head -1`) is not an error: the program ends quietly, as
/// Unix tools do, instead of panicking as `print!` would.
fn write_stdout(text: &str) -> anyhow::Result<()> {
    let mut stdout = anstream::stdout();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other.context("cannot write to stdout"),
    }
}

fn wizard(
    demo: Option<String>,
    from: Option<PathBuf>,
    offline: bool,
    cloud: &CloudArgs,
    options: WizardOptions,
) -> anyhow::Result<u8> {
    let description = match &demo {
        Some(name) => scenario::spec(name)?.description,
        None => String::new(),
    };
    let mut source = load_source(demo, from, offline)?;
    let runtime = runtime()?;
    let (emulator, sign_in) = connect_screen(&runtime, &mut source, cloud, offline)?;
    let summary = esr_doctor::tui::run(runtime, source, description, options, sign_in, emulator)?;
    if let Some(summary) = summary {
        write_stdout(&summary)?;
    }
    Ok(0)
}

fn setup(
    demo: Option<String>,
    ascii: bool,
    theme: esr_doctor::config::ThemeName,
    cloud: &CloudArgs,
) -> anyhow::Result<u8> {
    let lang = esr_doctor::i18n::current();
    let subject = match &demo {
        Some(name) => esr_doctor::i18n::tr_with(
            lang,
            "demo tenant {}: the emulator plays the admin's changes",
            name,
        ),
        None => esr_doctor::i18n::tr(lang, "the tenant of the admin who signs in (read-only)"),
    };
    let mut source = load_source(demo, None, false)?;
    let runtime = runtime()?;
    let cloud = CloudArgs {
        admins_tenant: true,
        ..cloud.clone()
    };
    let (emulator, sign_in) = connect_screen(&runtime, &mut source, &cloud, false)?;
    let options = esr_doctor::tui::setup::SetupOptions {
        ascii,
        theme,
        subject,
    };
    let summary = esr_doctor::tui::setup::run(runtime, source, options, sign_in, emulator)?;
    write_stdout(&summary)?;
    Ok(0)
}

/// Exit 1 when something is newly broken, so a script can tell a change made things worse.
fn diff(before: &std::path::Path, after: &std::path::Path) -> anyhow::Result<u8> {
    let (before, after) = (json::read(before)?, json::read(after)?);
    let changes = esr_doctor::report::diff::compare(&before, &after);
    write_stdout(&esr_doctor::report::diff::render(&before, &after, &changes))?;
    let broke = changes
        .iter()
        .any(|c| c.change == esr_doctor::report::diff::Change::NewlyBroken);
    Ok(u8::from(broke))
}

fn scenarios() -> anyhow::Result<u8> {
    let names = scenario::names();
    let width = names.iter().map(String::len).max().unwrap_or(0);
    let mut list = String::new();
    for name in names {
        let spec = scenario::spec(&name)?;
        list.push_str(&format!("{name:<width$}  {}\n", spec.description));
    }
    write_stdout(&list)?;
    Ok(0)
}

fn explain_list() -> anyhow::Result<u8> {
    write_stdout(&esr_doctor::report::explain::list(Guidance::builtin()))?;
    Ok(0)
}

fn explain(query: &str) -> anyhow::Result<u8> {
    let lang = esr_doctor::i18n::current();
    let guidance = Guidance::for_lang(lang);
    let Some(explanation) = guidance.explain(query) else {
        let known = |keys: Vec<&String>| keys.into_iter().cloned().collect::<Vec<_>>().join(", ");
        anyhow::bail!(
            "unknown code {query:?}; explain accepts a finding code (e.g. ESR_DISABLED, RMS_NOT_ACTIVATED), a Windows event id ({}), an HRESULT ({}) or a sign-in answer (e.g. AADSTS530035; `explain --list` lists them)",
            known(guidance.events.keys().collect()),
            known(guidance.hresults.keys().collect())
        );
    };
    write_stdout(&esr_doctor::report::explain::render(
        &explanation,
        guidance,
        lang,
    ))?;
    Ok(0)
}
