//! `esr-doctor collect`: this device's raw evidence in the bundle layout, zipped, with a
//! manifest of what was gathered and every error met; optionally redacted, so a helpdesk agent
//! can analyse it elsewhere with `check --from`.

use crate::cloud::live::CloudSession;
use crate::evidence::EvidenceFiles;
use crate::evidence::FactSource;
use crate::evidence::layout;
use crate::network::probe::ProbeSettings;
use crate::redact::{Kind, Redactor};
use crate::runner::fan_out::FanOut;
use crate::runner::probe_from;
use crate::sources::device::{self, DeviceContext};
use serde_json::json;
use std::io::Write;
use std::path::Path;
use std::time::Duration;

/// What `collect` wrote.
#[derive(Debug, Clone, PartialEq)]
pub struct Collected {
    pub files: Vec<String>,
    pub errors: Vec<String>,
}

/// Why a bundle was not written.
#[derive(Debug, thiserror::Error)]
pub enum CollectError {
    #[error(transparent)]
    Output(#[from] crate::output::OutputError),
    #[error("cannot write the manifest")]
    Manifest(#[source] serde_json::Error),
    #[error("cannot add {path} to the bundle")]
    Add {
        path: String,
        #[source]
        source: zip::result::ZipError,
    },
    #[error("cannot finish {out}")]
    Finish {
        out: String,
        #[source]
        source: zip::result::ZipError,
    },
}

/// Gathers every fact source of this device into `out` (a .zip); with a signed-in `cloud`
/// session, the tenant's live answers too (bodies only: never a token or a header).
///
/// Everything is gathered at once; each device source and the network probes get `deadline`,
/// and what did not finish in time is given up and named in the manifest's errors.
pub async fn collect(
    ctx: &DeviceContext,
    probes: &ProbeSettings,
    cloud: Option<&CloudSession>,
    out: &Path,
    redact: bool,
    deadline: Duration,
) -> Result<Collected, CollectError> {
    // Said before anything is gathered, not after the wait (the file is still created new).
    if std::fs::symlink_metadata(out).is_ok() {
        return Err(crate::output::OutputError::Exists(out.to_owned()).into());
    }
    // The tenant's device object is looked up by the DeviceId of the dsregcmd gathered here,
    // so dsregcmd runs once.
    let (device_id, heard) = tokio::sync::oneshot::channel();
    let (device, tenant, network) = tokio::join!(
        device_sources(ctx, deadline, device_id),
        tenant_answers(cloud, heard, deadline),
        network_reach(ctx, probes, deadline),
    );
    let mut files = EvidenceFiles::default();
    let mut errors = Vec::new();
    for (part, part_errors) in [device, tenant, network] {
        files.extend(part);
        for error in part_errors {
            if !errors.contains(&error) {
                errors.push(error);
            }
        }
    }
    let paths: Vec<String> = files.paths().map(str::to_owned).collect();
    let manifest = json!({
        "schema": crate::sources::BUNDLE_SCHEMA,
        "collected_at": chrono::Local::now().to_rfc3339(),
        "os": os_description(ctx),
        "tool_version": env!("CARGO_PKG_VERSION"),
        "files": paths,
        "refused": files.refused().collect::<std::collections::BTreeMap<_, _>>(),
        "errors": errors,
    });
    files.insert(
        layout::MANIFEST,
        serde_json::to_vec_pretty(&manifest).map_err(CollectError::Manifest)?,
    );
    if redact {
        files = redacted(files, ctx);
    }
    write_zip(&files, out)?;
    Ok(Collected {
        files: paths,
        errors,
    })
}

/// Evidence and errors of one part of the collection.
type Part = (EvidenceFiles, Vec<String>);

/// Every device source, each on its own blocking thread under `deadline`.
async fn device_sources(
    ctx: &DeviceContext,
    deadline: Duration,
    device_id: tokio::sync::oneshot::Sender<Option<String>>,
) -> Part {
    let mut device_id = Some(device_id);
    let mut fan = FanOut::default();
    for source in FactSource::ALL {
        let ctx = ctx.clone();
        fan.spawn_blocking(source, deadline, move || device::gather(&ctx, source));
    }
    let (mut files, mut errors) = Part::default();
    while let Some(finished) = fan.next().await {
        match finished.outcome {
            Ok(gathering) => {
                if finished.source == FactSource::Dsregcmd
                    && let Some(sender) = device_id.take()
                {
                    let named = gathering.files.text(layout::DSREGCMD).and_then(|text| {
                        crate::runner::gather::device_id_of(&crate::facts::dsregcmd::parse(&text))
                    });
                    // A closed receiver only means no tenant is read.
                    let _ = sender.send(named);
                }
                files.extend(gathering.files);
                errors.extend(gathering.errors);
            }
            Err(failure) => errors.push(failure.to_string()),
        }
    }
    (files, errors)
}

/// The tenant's live answers (their calls have their own deadlines; a sign-in waits for the
/// person for as long as the code is valid).
async fn tenant_answers(
    cloud: Option<&CloudSession>,
    heard: tokio::sync::oneshot::Receiver<Option<String>>,
    deadline: Duration,
) -> Part {
    use crate::cloud::live::no_device;
    let (mut files, mut errors) = Part::default();
    let Some(session) = cloud else {
        return (files, errors);
    };
    let (graph, esr, rms) = tokio::join!(
        session.answers(
            FactSource::Graph,
            crate::runner::gather::device_id_heard(heard, deadline)
        ),
        session.answers(FactSource::Esr, no_device()),
        session.answers(FactSource::Rms, no_device()),
    );
    for answers in [graph, esr, rms] {
        files.extend(answers.files);
        errors.extend(answers.failures.values().map(ToString::to_string));
        errors.extend(answers.sign_in.map(|e| format!("no tenant answers: {e}")));
    }
    (files, errors)
}

/// The network probes from this device, unless `--offline`.
async fn network_reach(ctx: &DeviceContext, probes: &ProbeSettings, deadline: Duration) -> Part {
    let (mut files, mut errors) = Part::default();
    if ctx.offline {
        return (files, errors);
    }
    let mut fan = FanOut::default();
    fan.spawn_async(
        FactSource::Network,
        Some(deadline),
        probe_from(std::sync::Arc::new(ctx.clone()), probes.clone()),
    );
    while let Some(finished) = fan.next().await {
        match finished
            .outcome
            .map(|reach| serde_json::to_vec_pretty(&reach))
        {
            Ok(Ok(json)) => files.insert(layout::NETWORK, json),
            Ok(Err(error)) => errors.push(format!("cannot record the probes: {error}")),
            Err(failure) => errors.push(failure.to_string()),
        }
    }
    (files, errors)
}

fn os_description(ctx: &DeviceContext) -> String {
    let pretty = std::fs::read_to_string("/etc/os-release")
        .ok()
        .and_then(|text| {
            text.lines()
                .find_map(|l| l.strip_prefix("PRETTY_NAME="))
                .map(|v| v.trim_matches('"').to_owned())
        });
    match (ctx.platform, pretty) {
        (crate::evidence::Platform::Linux, Some(name)) => format!("linux ({name})"),
        (platform, _) => platform.as_str().to_owned(),
    }
}

/// Every file redacted with one redactor, which also knows this device's and user's names.
fn redacted(files: EvidenceFiles, ctx: &DeviceContext) -> EvidenceFiles {
    let mut redactor = Redactor::default();
    if let Some(user) = ctx.home.file_name() {
        redactor.learn_local(Kind::User, &user.to_string_lossy());
    }
    for name in device::host_names() {
        redactor.learn_local(Kind::Device, &name);
    }
    for var in ["USERNAME", "USER"] {
        if let Ok(name) = std::env::var(var) {
            redactor.learn_local(Kind::User, &name);
        }
    }
    redactor.bundle(&files)
}

fn write_zip(files: &EvidenceFiles, out: &Path) -> Result<(), CollectError> {
    let file = crate::output::create_new(out)?;
    let mut zip = zip::ZipWriter::new(file);
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for path in files.paths() {
        let added = |source| CollectError::Add {
            path: path.to_owned(),
            source,
        };
        zip.start_file(path, options).map_err(added)?;
        zip.write_all(files.bytes(path).unwrap_or_default())
            .map_err(|e| added(e.into()))?;
    }
    zip.finish().map_err(|source| CollectError::Finish {
        out: out.display().to_string(),
        source,
    })?;
    Ok(())
}
