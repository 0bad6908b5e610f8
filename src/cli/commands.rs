//! One function per command: each reads its source, connects its tenant side (`connect`),
//! runs and writes its face to stdout, and returns the exit code.

use super::args::{Cli, CloudArgs};
use super::connect::{
    connect_screen, connect_tenant, device_session, for_intune, load_source, refuse_live, runtime,
    sign_in_on_stderr, this_device,
};
use super::write_stdout;
use crate::cloud::auth::{self, token_store};
use crate::emulator::demo::DemoPacing;
use crate::guidance::Guidance;
use crate::model::CheckId;
use crate::redact;
use crate::report::{Format, intune, json, junit, markdown, text};
use crate::runner::{self, RunOptions};
use crate::sources::{LoadedSource, scenario};
use crate::tui::WizardOptions;
use anyhow::Context;
use clap::CommandFactory;
use std::path::PathBuf;
use std::sync::Arc;

pub fn collect(
    out: &std::path::Path,
    redact_files: bool,
    offline: bool,
    cloud: &CloudArgs,
) -> anyhow::Result<u8> {
    let runtime = runtime()?;
    let device = this_device(offline);
    let source = LoadedSource::device(device.clone());
    let session = device_session(cloud, &source, offline, sign_in_on_stderr())?;
    let collected = runtime.block_on(crate::collect::collect(
        &device,
        &crate::network::probe::ProbeSettings::global(),
        session.as_deref(),
        out,
        redact_files,
        RunOptions::default().source_timeout,
    ));
    // Work given up on at its deadline is not waited for.
    runtime.shutdown_background();
    let collected = collected?;
    let lang = crate::i18n::current();
    let out_shown = out.display().to_string();
    let files = (collected.files.len() + 1).to_string();
    let wrote = match collected.errors.len() {
        0 => crate::i18n::tr_fill(lang, "wrote {} ({} files)", &[&out_shown, &files]),
        1 => crate::i18n::tr_fill(
            lang,
            "wrote {} ({} files, 1 error recorded in manifest.json)",
            &[&out_shown, &files],
        ),
        n => crate::i18n::tr_fill(
            lang,
            "wrote {} ({} files, {} errors recorded in manifest.json)",
            &[&out_shown, &files, &n.to_string()],
        ),
    };
    super::say(&format!(
        "{wrote}; {}",
        crate::i18n::tr_with(
            lang,
            "analyse it with `esr-doctor check --from {}`",
            &out_shown
        )
    ));
    Ok(0)
}

pub fn signout() -> anyhow::Result<u8> {
    token_store::use_platform_store()?;
    let removed = token_store::sign_out_everywhere()?;
    write_stdout(&format!(
        "esr-doctor: removed {removed} stored sign-in(s) from the OS keyring\n"
    ))?;
    Ok(0)
}

pub fn check(
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
    let source = load_source(demo, from, offline)?;
    let runtime = runtime()?;
    // Intune runs unattended: nothing on stderr, and on a device no interactive sign-in.
    let fleet = format == Format::Intune;
    let unattended;
    let cloud = if fleet {
        unattended = for_intune(cloud, source.info.kind);
        &unattended
    } else {
        cloud
    };
    let prompt: auth::PromptSink = if fleet {
        Arc::new(|_| {})
    } else {
        sign_in_on_stderr()
    };
    let (inputs, _emulator) = connect_tenant(
        &runtime,
        source,
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
    let redactor = redact_report.then(|| redact::Redactor::learning_from(&inputs.source.files));
    let mut report = runtime.block_on(runner::run(inputs, options, None));
    // Work given up on at its deadline is not waited for.
    runtime.shutdown_background();
    let exit = if fleet {
        intune::exit_code(&report)
    } else {
        report.exit_code()
    };
    let exit = u8::try_from(exit).unwrap_or(super::EXIT_USAGE);
    if let Some(mut redactor) = redactor {
        redactor.report(&mut report);
    }
    write_stdout(&render(&report, format)?).map(|()| exit)
}

/// The report in the face `--format` names.
fn render(report: &crate::model::Report, format: Format) -> anyhow::Result<String> {
    Ok(match format {
        Format::Json => {
            let json = json::render(report).context("cannot serialise the report")?;
            // Under --ascii, JSON keeps every value exactly, its non-ASCII characters escaped.
            let json = if crate::i18n::ascii_only() {
                json::ascii_escaped(&json)
            } else {
                json
            };
            json + "\n"
        }
        Format::Markdown => markdown::render(report),
        Format::Text => text::render(report),
        Format::Intune => intune::render(report),
        Format::Junit => junit::render(report),
    })
}

pub fn wizard(
    demo: Option<String>,
    from: Option<PathBuf>,
    offline: bool,
    cloud: &CloudArgs,
    options: WizardOptions,
) -> anyhow::Result<u8> {
    let description = match &demo {
        Some(name) => scenario::spec(name)?
            .description_in(crate::i18n::current())
            .to_owned(),
        None => String::new(),
    };
    let source = load_source(demo, from, offline)?;
    let runtime = runtime()?;
    let (inputs, emulator, sign_in) = connect_screen(&runtime, source, cloud, offline)?;
    let end = crate::tui::run(runtime, inputs, description, options, sign_in, emulator)?;
    if let Some(summary) = end.summary {
        write_stdout(&summary)?;
    }
    Ok(end.exit_code)
}

pub fn setup(
    demo: Option<String>,
    ascii: bool,
    theme: crate::config::ThemeName,
    cloud: &CloudArgs,
) -> anyhow::Result<u8> {
    let lang = crate::i18n::current();
    let subject = match &demo {
        Some(name) => crate::i18n::tr_with(
            lang,
            "demo tenant {}: the emulator plays the admin's changes",
            name,
        ),
        None => crate::i18n::tr(lang, "the tenant of the admin who signs in (read-only)"),
    };
    let source = load_source(demo, None, false)?;
    let runtime = runtime()?;
    let cloud = CloudArgs {
        admins_tenant: true,
        ..cloud.clone()
    };
    let (inputs, emulator, sign_in) = connect_screen(&runtime, source, &cloud, false)?;
    let options = crate::tui::setup::SetupOptions {
        ascii,
        theme,
        subject,
    };
    let summary = crate::tui::setup::run(runtime, inputs, options, sign_in, emulator)?;
    write_stdout(&summary)?;
    Ok(0)
}

/// Exit 1 when something is newly broken, so a script can tell a change made things worse.
pub fn diff(before: &std::path::Path, after: &std::path::Path) -> anyhow::Result<u8> {
    let (before, after) = (json::read(before)?, json::read(after)?);
    let changes = crate::report::diff::compare(&before, &after);
    write_stdout(&crate::report::diff::render(&before, &after, &changes))?;
    let broke = changes
        .iter()
        .any(|c| c.change == crate::report::diff::Change::NewlyBroken);
    Ok(u8::from(broke))
}

pub fn scenarios() -> anyhow::Result<u8> {
    let names = scenario::names();
    let width = names.iter().map(String::len).max().unwrap_or(0);
    let mut list = String::new();
    for name in names {
        let spec = scenario::spec(&name)?;
        list.push_str(&format!(
            "{name:<width$}  {}\n",
            spec.description_in(crate::i18n::current())
        ));
    }
    write_stdout(&list)?;
    Ok(0)
}

pub fn explain_list() -> anyhow::Result<u8> {
    write_stdout(&crate::report::explain::list(crate::i18n::current()))?;
    Ok(0)
}

pub fn explain(query: &str) -> anyhow::Result<u8> {
    let lang = crate::i18n::current();
    let guidance = Guidance::for_lang(lang);
    let Some(explanation) = guidance.explain(query) else {
        let known = |keys: Vec<&String>| keys.into_iter().cloned().collect::<Vec<_>>().join(", ");
        anyhow::bail!(
            "unknown code {query:?}; explain accepts a finding code (e.g. ESR_DISABLED, RMS_NOT_ACTIVATED), a Windows event id ({}), an HRESULT ({}) or a sign-in answer (e.g. AADSTS530035; `explain --list` lists them)",
            known(guidance.events.keys().collect()),
            known(guidance.hresults.keys().collect())
        );
    };
    write_stdout(&crate::report::explain::render(
        &explanation,
        guidance,
        lang,
    ))?;
    Ok(0)
}

/// `esr-doctor config path`.
pub fn config_path() -> anyhow::Result<u8> {
    match crate::config::path() {
        Some(path) => write_stdout(&format!("{}\n", path.display())).map(|()| 0),
        None => Err(anyhow::anyhow!(
            "this account has no home folder, so there is no config file"
        )),
    }
}

/// `esr-doctor completions SHELL`.
pub fn completions(shell: clap_complete::Shell) -> anyhow::Result<u8> {
    // Rendered first: clap_complete panics when its writer fails.
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "esr-doctor", &mut script);
    write_stdout(&String::from_utf8_lossy(&script)).map(|()| 0)
}

/// `esr-doctor man`.
pub fn man() -> anyhow::Result<u8> {
    let page = super::man::page().context("cannot render the man page")?;
    write_stdout(&String::from_utf8_lossy(&page)).map(|()| 0)
}
