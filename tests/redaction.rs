//! `--redact` holds and decides the same: for every demo scenario, with the user's UPN as it is
//! and as a guest, accented and apostrophe variant, and a token echoed in a service message,
//!
//! - `check --redact` gives the same per-check statuses and finding codes as without it, and
//!   none of the demo tenant's identifiers is in its JSON, markdown or text;
//! - the bundle as `collect --redact` writes it gives, through `check --from`, the same
//!   statuses and codes, holds none of those identifiers in any file, and alters no JSON key.

mod common;

use esr_doctor::evidence::EvidenceFiles;
use esr_doctor::model::{CheckId, Report, Status};
use esr_doctor::redact::Redactor;
use esr_doctor::report::{markdown, text};
use esr_doctor::runner::{RunOptions, run};
use esr_doctor::sources::{LoadedSource, bundle, scenario};
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
    // The well-known ids that name no one: the personal-account tenant, the WAM provider,
    // the Azure Information Protection app and the Global Administrator role template.
    let mut allowed: BTreeSet<String> = [
        "9188040d-6c67-4c5b-b112-36a304b66dad",
        "b16898c6-a148-4967-9171-64d755da8520",
        "00000012-0000-0000-c000-000000000000",
        "62e90394-69f5-4237-9190-012177145e10",
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
    let (plain, _) = guided_screens("healthy", &files, false).await;
    assert!(
        plain.contains("jana"),
        "without it the user is named: the test can fail"
    );
    let (shown, _) = guided_screens("healthy", &files, true).await;
    assert!(shown.contains("presenter view") && shown.contains("Why it matters"));
    assert_redacted("the presenter view", &shown, &allowed);
}

/// Every screen of guided mode over the healthy demo's `files`, each step before and after
/// its result is revealed; with `presenter`, as the presenter view shows them, and the
/// presenter's redactor.
async fn guided_screens(
    name: &str,
    files: &EvidenceFiles,
    presenter: bool,
) -> (String, Option<Redactor>) {
    use esr_doctor::runner::Event;
    use esr_doctor::tui::app::App;
    use esr_doctor::tui::keys::Action;
    use esr_doctor::tui::state::Screen;
    let root = Scratch::new(&format!("guided-{name}"));
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
    // Large enough that the presenter's spacing pushes nothing off the screen.
    let screen = |app: &App| common::screen_text_sized(app, 500, 90);
    for _ in 0..app.steps.len() {
        shown.push_str(&screen(&app));
        app.handle(Action::Right); // reveal the result
        shown.push_str(&screen(&app));
        app.handle(Action::Right); // the next step
    }
    (shown, app.presenter.take())
}

/// The user's display name as a trainer's test account has it: words of the product's own
/// vocabulary inside a person's name.
const TEST_ACCOUNT_NAME: &str = "Jana Novak ESR Test All";

/// A scenario's evidence with the user named [`TEST_ACCOUNT_NAME`] (and no echoed token:
/// `<token>` stands for nothing that can be mapped back).
fn meaning_variant(name: &str) -> EvidenceFiles {
    let source = scenario::load(name).unwrap_or_else(|e| panic!("{e}"));
    let mut files = EvidenceFiles::default();
    for path in source.files.paths() {
        let text = source.files.text(path).unwrap_or_default();
        files.insert(
            path,
            text.replace("Jana Novak", TEST_ACCOUNT_NAME).into_bytes(),
        );
    }
    files
}

/// True when `line` holds one of the demo tenant's identifiers, a GUID or an address: a line
/// redaction may change.
fn names_someone(line: &str) -> bool {
    let lower = line.to_lowercase();
    let shapes =
        Regex::new(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-|S-1-(5-21|12-1)-|\b\d+\.\d+\.\d+\.\d+\b")
            .unwrap_or_else(|e| panic!("{e}"));
    IDENTIFIERS
        .iter()
        .any(|i| lower.contains(&i.to_lowercase()))
        || lower.contains(&TEST_ACCOUNT_NAME.to_lowercase())
        || shapes.is_match(line)
}

/// A face's words, lower case and sorted, with markdown's escapes of `<` and `>` undone: two
/// faces with the same words say the same, however their lines wrap or columns pad.
fn words(face: &str) -> Vec<String> {
    let face = face.replace("\\<", "<").replace("\\>", ">");
    let mut words: Vec<String> = face
        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    words.sort();
    words
}

/// `redacted` with every placeholder the redactor gave mapped back to its value.
fn restore(redactor: &Redactor, redacted: &str) -> String {
    let mut given: Vec<(&str, &str)> = redactor.placeholders().collect();
    given.sort_by_key(|(placeholder, _)| std::cmp::Reverse(placeholder.len()));
    let mut text = redacted.replace("\\<", "<").replace("\\>", ">");
    for (placeholder, value) in given {
        text = text.replace(placeholder, value);
    }
    text
}

/// Asserts that `redacted`, once mapped back, has exactly the words of `plain`; names the
/// words that differ.
fn assert_same_words(case: &str, plain: &str, redacted: &str, redactor: &Redactor) {
    let (before, after) = (words(plain), words(&restore(redactor, redacted)));
    if before != after {
        let missing: Vec<&String> = before.iter().filter(|w| !after.contains(w)).collect();
        let added: Vec<&String> = after.iter().filter(|w| !before.contains(w)).collect();
        panic!(
            "{case}: redaction changed the words; lost {missing:?}, gained {added:?} (or their counts differ)"
        );
    }
}

/// A command's syntax: its command names, flags, pipes and separators, in order.
fn syntax(command: &str) -> Vec<String> {
    let flag = Regex::new(r"^--?[A-Za-z][\w-]*$").unwrap_or_else(|e| panic!("{e}"));
    let mut shape = Vec::new();
    let mut expects_command = true;
    for token in command.split_whitespace() {
        let separator = matches!(token, "|" | ";" | "&&" | "||");
        if expects_command || flag.is_match(token) || separator {
            shape.push(token.to_owned());
        }
        expects_command = separator;
    }
    shape
}

#[tokio::test]
async fn redaction_changes_names_and_nothing_else_in_every_scenario_and_face() {
    let root = Scratch::new("meaning");
    for name in scenario::names() {
        let files = meaning_variant(&name);
        let (source, plain) = check(&files, &root.0.join(&name)).await;
        let mut redacted = plain.clone();
        let mut redactor = Redactor::learning_from(&source.files);
        redactor.report(&mut redacted);
        assert_eq!(verdicts(&redacted), verdicts(&plain), "{name}");
        assert_eq!(redacted.verdict, plain.verdict, "{name}");
        let json = |r: &Report| serde_json::to_string_pretty(r).unwrap_or_default();
        for (face, before, after) in [
            ("json", json(&plain), json(&redacted)),
            (
                "markdown",
                markdown::render(&plain),
                markdown::render(&redacted),
            ),
            ("text", text::render(&plain), text::render(&redacted)),
        ] {
            assert_same_words(&format!("{name}, {face}"), &before, &after, &redactor);
        }
        for (check, shown) in plain.checks.iter().zip(&redacted.checks) {
            for (finding, shown) in check.findings.iter().zip(&shown.findings) {
                let commands = |f: &esr_doctor::model::Finding| {
                    f.fix
                        .as_ref()
                        .map(|x| x.commands.clone())
                        .unwrap_or_default()
                };
                for (command, redacted) in commands(finding).iter().zip(commands(shown)) {
                    assert_eq!(
                        syntax(&redacted),
                        syntax(command),
                        "{name}, {}: the command lost its syntax: {redacted}",
                        finding.code
                    );
                }
            }
        }
        for (face, before, after) in [
            (
                "markdown",
                markdown::render(&plain),
                markdown::render(&redacted),
            ),
            ("text", text::render(&plain), text::render(&redacted)),
        ] {
            let after: BTreeSet<&str> = after.lines().map(str::trim).collect();
            for line in before.lines().map(str::trim).filter(|l| !names_someone(l)) {
                assert!(
                    after.contains(line),
                    "{name}, {face}: a line that names no one changed: {line}"
                );
            }
        }
        let mut text_face = text::render(&redacted);
        if name == "healthy" {
            text_face.retain(|c| c != '\n');
            assert!(
                text_face.contains("ESR on for all users"),
                "healthy: {text_face}"
            );
        }
    }
}

#[tokio::test]
async fn the_presenter_view_changes_names_and_nothing_else() {
    for name in scenario::names() {
        let files = meaning_variant(&name);
        let (plain, _) = guided_screens(&name, &files, false).await;
        let (shown, redactor) = guided_screens(&name, &files, true).await;
        let redactor = redactor.unwrap_or_default();
        // The banner says which view it is; nothing else may differ but the names.
        let shown = shown.replace("presenter view", "guided mode");

        assert_same_words(
            &format!("{name}, presenter view"),
            &plain,
            &shown,
            &redactor,
        );
    }
}
