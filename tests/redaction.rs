//! `--redact` holds and decides the same: for every demo scenario, with the user's UPN as it is
//! and as a guest, accented and apostrophe variant, and a token echoed in a service message,
//!
//! - `check --redact` gives the same per-check statuses and finding codes as without it, and
//!   none of the demo tenant's identifiers is in its JSON, markdown or text;
//! - the bundle as `collect --redact` writes it gives, through `check --from`, the same
//!   statuses and codes, holds none of those identifiers in any file, and alters no JSON key.

mod common;

use esr_doctor::model::{CheckId, Report, Status};
use esr_doctor::redact::Redactor;
use esr_doctor::report::{markdown, text};
use esr_doctor::runner::{RunOptions, run};
use esr_doctor::sources::{EvidenceFiles, LoadedSource, bundle, scenario};
use regex::Regex;
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;

const UPN: &str = "jana.novak@fabrikam.com";

/// The user as the demo tenant names her, and as guests and other people are named.
const UPN_VARIANTS: [&str; 4] = [
    UPN,
    "jana.novak_contoso.com#EXT#@fabrikam.onmicrosoft.com",
    "jana.novák@fabrikam.com",
    "o'neil.jana@fabrikam.com",
];

/// A token a service echoed into an error message.
const JWT: &str = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJ1cG4iOiJqYW5hLm5vdmFrQGZhYnJpa2FtLmNvbSJ9.c2lnbmF0dXJl";

/// The demo tenant's identifiers, matched without case: people, tenant, domains, groups,
/// devices, accounts, PUIDs, addresses, the device certificate, the token.
const IDENTIFIERS: [&str; 19] = [
    "jana",
    "novak",
    "novák",
    "o'neil",
    "fabrikam",
    "FAB-LT-0423",
    "JANAS-SURFACE",
    "jnovak",
    "ESR - Finance",
    "ESR - Sales",
    "ESR pilot",
    "All Staff",
    "10032000A1B2C3D4",
    "3a9f1c2b7d4e6a80",
    "13.107.21.239",
    "20.190.151.68",
    "8E1F4C2A9B7D3E5F60A1B2C3D4E5F6A7B8C9D0E1",
    "eyJ0eXAiOiJKV1Qi",
    "contoso",
];

/// GUIDs that may remain: Microsoft-wide ones (licence plans, the personal-account tenant,
/// the WAM provider), never the tenant's, its users', groups' or devices'.
fn allowed_guids(files: &EvidenceFiles) -> BTreeSet<String> {
    let mut allowed: BTreeSet<String> = [
        "9188040d-6c67-4c5b-b112-36a304b66dad",
        "b16898c6-a148-4967-9171-64d755da8520",
    ]
    .map(str::to_owned)
    .into();
    for path in files.paths().filter(|p| p.starts_with("cloud/")) {
        let Ok(value) = serde_json::from_str::<Value>(&files.text(path).unwrap_or_default()) else {
            continue;
        };
        collect_values(&value, &["skuId", "servicePlanId"], &mut allowed);
    }
    allowed
}

fn collect_values(value: &Value, keys: &[&str], out: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            for (key, value) in map {
                match value.as_str() {
                    Some(text) if keys.contains(&key.as_str()) => {
                        out.insert(text.to_ascii_lowercase());
                    }
                    _ => collect_values(value, keys, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect_values(v, keys, out)),
        _ => {}
    }
}

/// Asserts `shown` holds none of the identifiers, no account SID and no GUID but `allowed`.
fn assert_redacted(case: &str, shown: &str, allowed: &BTreeSet<String>) {
    let lower = shown.to_lowercase();
    for identifier in IDENTIFIERS {
        if let Some(at) = lower.find(&identifier.to_lowercase()) {
            let context: String = lower[at.saturating_sub(60)..].chars().take(120).collect();
            panic!("{case}: {identifier:?} survived redaction: …{context}…");
        }
    }
    for sid in ["S-1-5-21-", "S-1-12-1-"] {
        assert!(!shown.contains(sid), "{case}: an account SID survived");
    }
    let guid =
        Regex::new(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
            .unwrap_or_else(|e| panic!("{e}"));
    for found in guid.find_iter(shown) {
        let found = found.as_str().to_ascii_lowercase();
        assert!(allowed.contains(&found), "{case}: the id {found} survived");
    }
}

/// A scenario's evidence with the user's UPN replaced and a token in a dsregcmd message.
fn variant(name: &str, upn: &str) -> EvidenceFiles {
    let source = scenario::load(name).unwrap_or_else(|e| panic!("{e}"));
    let mut files = EvidenceFiles::default();
    for path in source.files.paths() {
        let mut text = source
            .files
            .text(path)
            .unwrap_or_default()
            .replace(UPN, upn);
        if path == "dsregcmd.txt" {
            text.push_str(&format!(
                "            Client ErrorMessage : token rejected: Bearer {JWT}\n"
            ));
        }
        files.insert(path, text.into_bytes());
    }
    files
}

/// A scratch folder without random letters in its path (they could spell an identifier, and
/// the report names the bundle's path), removed at the end.
struct Scratch(std::path::PathBuf);

impl Scratch {
    /// `name` keeps the folders of tests running at the same time apart.
    fn new(name: &str) -> Scratch {
        let path = std::env::temp_dir().join(format!(
            "esr-doctor-redaction-{}-{name}",
            std::process::id()
        ));
        std::fs::create_dir_all(&path).unwrap_or_else(|e| panic!("{e}"));
        Scratch(path)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Checks `files` as a bundle at `dir`.
async fn check(files: &EvidenceFiles, dir: &Path) -> (LoadedSource, Report) {
    common::write_bundle(files, dir);
    let source = bundle::load(dir).unwrap_or_else(|e| panic!("{e}"));
    let report = run(source.clone(), RunOptions::default(), None).await;
    (source, report)
}

/// Per-check status and finding codes, the verdict's substance.
fn verdicts(report: &Report) -> Vec<(CheckId, Status, Vec<String>)> {
    report
        .checks
        .iter()
        .map(|c| {
            let codes = c.findings.iter().map(|f| f.code.clone()).collect();
            (c.id, c.status, codes)
        })
        .collect()
}

/// Every key path of a JSON value (`a.b[].c`).
fn key_paths(value: &Value, prefix: &str, out: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            for (key, value) in map {
                let path = format!("{prefix}.{key}");
                out.insert(path.clone());
                key_paths(value, &path, out);
            }
        }
        Value::Array(items) => items
            .iter()
            .for_each(|v| key_paths(v, &format!("{prefix}[]"), out)),
        _ => {}
    }
}

fn json_keys(files: &EvidenceFiles, path: &str) -> Option<BTreeSet<String>> {
    let value: Value = serde_json::from_str(&files.text(path)?).ok()?;
    let mut keys = BTreeSet::new();
    key_paths(&value, "", &mut keys);
    Some(keys)
}

#[tokio::test]
async fn check_redact_and_a_redacted_bundle_decide_the_same_and_name_no_one() {
    let root = Scratch::new("decide");
    let mut cases = 0;
    for name in scenario::names() {
        for upn in UPN_VARIANTS {
            let case = format!("{name} as {upn}");
            let files = variant(&name, upn);
            let allowed = allowed_guids(&files);
            let bundles = root.0.join(format!("case-{cases}"));
            let (source, plain) = check(&files, &bundles.join("plain")).await;

            // check --redact
            let mut redacted = run(source.clone(), RunOptions::default(), None).await;
            Redactor::learning_from(&source.files).report(&mut redacted);
            assert_eq!(
                verdicts(&redacted),
                verdicts(&plain),
                "{case}: check --redact"
            );
            let json = serde_json::to_string_pretty(&redacted).unwrap_or_default();
            for (face, shown) in [
                ("json", json),
                ("markdown", markdown::render(&redacted)),
                ("text", text::render(&redacted)),
            ] {
                assert_redacted(&format!("{case}: check --redact, {face}"), &shown, &allowed);
            }

            // collect --redact → check --from
            let bundle = Redactor::default().bundle(&files);
            for path in files.paths() {
                let shown = bundle.text(path).unwrap_or_default();
                assert_redacted(&format!("{case}: bundle file {path}"), &shown, &allowed);
                assert_eq!(
                    json_keys(&bundle, path),
                    json_keys(&files, path),
                    "{case}: the keys of {path} changed"
                );
            }
            let (_, from_bundle) = check(&bundle, &bundles.join("redacted")).await;
            assert_eq!(
                verdicts(&from_bundle),
                verdicts(&plain),
                "{case}: check --from a redacted bundle"
            );
            cases += 1;
        }
    }
    assert_eq!(cases, scenario::names().len() * UPN_VARIANTS.len());
}

#[tokio::test]
async fn the_presenter_view_names_no_one() {
    let files = variant("healthy", UPN_VARIANTS[1]);
    let allowed = allowed_guids(&files);
    let plain = guided_screens(&files, false).await;
    assert!(
        plain.contains("jana"),
        "without it the user is named: the test can fail"
    );
    let shown = guided_screens(&files, true).await;
    assert!(shown.contains("presenter view") && shown.contains("Why it matters"));
    assert_redacted("the presenter view", &shown, &allowed);
}

/// Every screen of guided mode over the healthy demo's `files`, each step before and after
/// its result is revealed; with `presenter`, as the presenter view shows them.
async fn guided_screens(files: &EvidenceFiles, presenter: bool) -> String {
    use esr_doctor::runner::Event;
    use esr_doctor::tui::app::{App, Screen};
    use esr_doctor::tui::keys::Action;
    let root = Scratch::new(&format!("guided-{presenter}"));
    let (source, report) = check(files, &root.0.join("bundle")).await;
    let mut app = App::new(
        source.info.clone(),
        String::new(),
        esr_doctor::tui::theme::Theme {
            color: true,
            ascii: false,
            high_contrast: presenter,
        },
        "r.md".into(),
        std::time::Instant::now(),
    );
    if presenter {
        app.presenter = Some(Redactor::learning_from(&source.files));
    }
    app.handle(Action::Guided);
    app.run_started(None);
    for result in &report.checks {
        app.on_runner_event(Event::CheckFinished(Box::new(result.clone())));
    }
    app.run_finished(report);
    app.screen = Screen::Checklist;
    let mut shown = String::new();
    for _ in 0..app.steps.len() {
        shown.push_str(&common::screen_text(&app));
        app.handle(Action::Right); // reveal the result
        shown.push_str(&common::screen_text(&app));
        app.handle(Action::Right); // the next step
    }
    shown
}
