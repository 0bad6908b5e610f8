//! `esr-doctor collect`: this device's raw evidence in the bundle layout, zipped, with a
//! manifest of what was gathered and every error met; optionally redacted, so a helpdesk agent
//! can analyse it elsewhere with `check --from`.

use crate::cloud::live::CloudSession;
use crate::facts::FactSource;
use crate::facts::text::decode;
use crate::redact::Redactor;
use crate::sources::EvidenceFiles;
use crate::sources::device::{self, DeviceContext};
use anyhow::Context;
use serde_json::json;
use std::io::Write;
use std::path::Path;

/// What `collect` wrote.
#[derive(Debug, Clone, PartialEq)]
pub struct Collected {
    pub files: Vec<String>,
    pub errors: Vec<String>,
}

/// Gathers every fact source of this device into `out` (a .zip); with a signed-in `cloud`
/// session, the tenant's live answers too (bodies only: never a token or a header).
pub async fn collect(
    ctx: &DeviceContext,
    cloud: Option<&CloudSession>,
    out: &Path,
    redact: bool,
) -> anyhow::Result<Collected> {
    let mut files = EvidenceFiles::default();
    let mut errors = Vec::new();
    if let Some(session) = cloud {
        let (graph, esr, rms) = tokio::join!(
            session.answers(FactSource::Graph),
            session.answers(FactSource::Esr),
            session.answers(FactSource::Rms),
        );
        for answers in [graph, esr, rms] {
            for path in answers.files.paths() {
                files.insert(path, answers.files.bytes(path).unwrap_or_default().to_vec());
            }
            let failed = answers.failures.values().map(ToString::to_string);
            let signed_out = answers.sign_in.map(|e| format!("no tenant answers: {e}"));
            for error in failed.chain(signed_out) {
                if !errors.contains(&error) {
                    errors.push(error);
                }
            }
        }
    }
    for source in FactSource::ALL {
        let gathering = device::gather(ctx, source);
        for path in gathering.files.paths() {
            files.insert(
                path,
                gathering.files.bytes(path).unwrap_or_default().to_vec(),
            );
        }
        errors.extend(gathering.errors);
    }
    if !ctx.offline {
        let reach = crate::network::probe::probe_all(&device::probe_settings(ctx)).await;
        files.insert(
            "cloud/network.json",
            serde_json::to_vec_pretty(&reach).context("cannot record the network probes")?,
        );
    }
    let paths: Vec<String> = files.paths().map(str::to_owned).collect();
    let manifest = json!({
        "schema": "esr-doctor/bundle/v1",
        "collected_at": chrono::Local::now().to_rfc3339(),
        "os": os_description(ctx),
        "tool_version": env!("CARGO_PKG_VERSION"),
        "files": paths,
        "errors": errors,
    });
    files.insert(
        "manifest.json",
        serde_json::to_vec_pretty(&manifest).context("cannot write the manifest")?,
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

fn os_description(ctx: &DeviceContext) -> String {
    let pretty = std::fs::read_to_string("/etc/os-release")
        .ok()
        .and_then(|text| {
            text.lines()
                .find_map(|l| l.strip_prefix("PRETTY_NAME="))
                .map(|v| v.trim_matches('"').to_owned())
        });
    match (ctx.platform, pretty) {
        (crate::facts::Platform::Linux, Some(name)) => format!("linux ({name})"),
        (platform, _) => platform.as_str().to_owned(),
    }
}

/// Every file redacted with one redactor, so a value gets the same placeholder everywhere.
fn redacted(files: EvidenceFiles, ctx: &DeviceContext) -> EvidenceFiles {
    let mut names: Vec<String> = Vec::new();
    if let Some(user) = ctx.home.file_name() {
        names.push(user.to_string_lossy().into_owned());
    }
    for var in ["COMPUTERNAME", "HOSTNAME", "USERNAME", "USER"] {
        names.extend(std::env::var(var).ok());
    }
    if let Ok(host) = std::fs::read_to_string("/etc/hostname") {
        names.push(host.trim().to_owned());
    }
    if let Some(text) = files.text("dsregcmd.txt") {
        let status = crate::facts::dsregcmd::parse(&text);
        names.extend(
            status
                .get("Device Name")
                .map(|n| n.split('.').next().unwrap_or(n).to_owned()),
        );
    }
    // Longest first, so a full name is replaced before a part of it.
    names.sort_by_key(|n| std::cmp::Reverse(n.len()));
    names.dedup();
    let mut redactor = Redactor::with_names(names);
    let mut out = EvidenceFiles::default();
    for path in files.paths() {
        let text = decode(files.bytes(path).unwrap_or_default());
        out.insert(path, redactor.text(&text).into_bytes());
    }
    out
}

fn write_zip(files: &EvidenceFiles, out: &Path) -> anyhow::Result<()> {
    let file =
        std::fs::File::create(out).with_context(|| format!("cannot create {}", out.display()))?;
    let mut zip = zip::ZipWriter::new(file);
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for path in files.paths() {
        zip.start_file(path, options)
            .with_context(|| format!("cannot add {path} to the bundle"))?;
        zip.write_all(files.bytes(path).unwrap_or_default())?;
    }
    zip.finish()
        .with_context(|| format!("cannot finish {}", out.display()))?;
    Ok(())
}
