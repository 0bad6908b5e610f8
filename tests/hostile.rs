//! Evidence written by an attacker: escape sequences (OSC 0/8/52, CSI 2J, C1 controls, bidi
//! overrides), HTML and links appended to every string of every evidence file of every demo
//! scenario, one file at a time — UPNs, device and tenant names, TLS issuers, network errors,
//! policy values, versions. None of it may reach a terminal raw, live in markdown, the wizard's
//! screen buffer, the copied text or the summary left in the scrollback.

mod common;

use common::pty::Pty;
use esr_doctor::report::{markdown, text};
use esr_doctor::runner::{RunOptions, run};
use esr_doctor::sources::{LoadedSource, bundle, scenario};
use esr_doctor::tui::app::App;
use esr_doctor::tui::keys::Action;
use esr_doctor::tui::state::Screen;
use esr_doctor::tui::theme::Theme;
use std::collections::BTreeSet;
use std::path::Path;
use std::time::Instant;

/// Rewrites the clipboard, sets the title, opens a hyperlink, clears the screen (7-bit and C1),
/// reverses the text, and carries HTML and a markdown link.
const PAYLOAD: &str = "\u{1b}]52;c;SGFja2Vk\u{7}\u{1b}]0;pwned\u{7}\u{1b}]8;;http://evil.example\u{7}click\u{1b}]8;;\u{7}\u{1b}[2J\u{9b}2J\u{202e}<script>alert(1)</script>[x](http://evil.example)";

/// What the payload leaves once made inert: proof that the poisoned strings were shown.
const SHOWN_MARK: &str = "pwned";

/// A demo scenario's evidence with the payload appended to every string of `target` (or of
/// every file): every JSON string value (UPNs, tenant and group names, TLS issuers, network
/// errors, policy values, sync-internals rows) and every line of a text file (dsregcmd,
/// versions, registry). One file at a time, the rest stays intact, so each file's strings
/// reach the faces that show them rather than stopping the run early.
fn poisoned_bundle(scenario_name: &str, target: Option<&str>, dir: &Path) {
    let source = scenario::load(scenario_name).unwrap_or_else(|e| panic!("{e}"));
    for path in source.files.paths() {
        let text = source.files.text(path).unwrap_or_default();
        let poisoned = match target {
            Some(target) if target != path => text,
            _ => poisoned(&text),
        };
        let file = dir.join(path);
        if let Some(parent) = file.parent() {
            std::fs::create_dir_all(parent).unwrap_or_else(|e| panic!("{e}"));
        }
        std::fs::write(&file, poisoned).unwrap_or_else(|e| panic!("{e}"));
    }
}

/// Every (scenario, evidence file) pair.
fn every_file_of_every_scenario() -> Vec<(String, String)> {
    scenario::names()
        .into_iter()
        .flat_map(|name| {
            let source = scenario::load(&name).unwrap_or_else(|e| panic!("{e}"));
            let paths: Vec<String> = source.files.paths().map(str::to_owned).collect();
            paths.into_iter().map(move |path| (name.clone(), path))
        })
        .collect()
}

fn poisoned(text: &str) -> String {
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(mut value) => {
            poison_strings(&mut value);
            serde_json::to_string_pretty(&value).unwrap_or_default()
        }
        Err(_) => text
            .lines()
            .map(|line| {
                // Values only: `Key : value` (dsregcmd), `Name REG_SZ value`, version lines.
                let value = line.contains(" : ")
                    || line.contains("REG_")
                    || line.to_ascii_lowercase().contains("edge ");
                if value {
                    format!("{line}{PAYLOAD}\n")
                } else {
                    format!("{line}\n")
                }
            })
            .collect(),
    }
}

fn poison_strings(value: &mut serde_json::Value) {
    match value {
        // Free text (names, UPNs, messages, issuers); single-token values such as hosts and
        // states stay, so the evidence is still understood and its strings reach the faces.
        serde_json::Value::String(text) if text.contains([' ', '@']) => text.push_str(PAYLOAD),
        serde_json::Value::Array(items) => items.iter_mut().for_each(poison_strings),
        serde_json::Value::Object(map) => map.values_mut().for_each(poison_strings),
        _ => {}
    }
}

/// No part of the payload that acts on a terminal.
fn assert_terminal_safe(face: &str, shown: &str) {
    for (what, needle) in [
        ("OSC", "\u{1b}]"),
        ("CSI 2J", "\u{1b}[2J"),
        ("BEL", "\u{7}"),
        ("C1 CSI", "\u{9b}"),
        ("bidi override", "\u{202e}"),
    ] {
        assert!(!shown.contains(needle), "{face} shows {what}");
    }
}

/// Terminal-safe, and nothing a markdown renderer turns into HTML or a link.
fn assert_inert(face: &str, shown: &str) {
    assert_terminal_safe(face, shown);
    for (what, needle) in [
        ("raw HTML", "<script>"),
        ("a live link", "](http://"),
        ("a bare URL", "http://evil.example"),
    ] {
        assert!(!shown.contains(needle), "{face} shows {what}");
    }
}

fn poisoned_source(scenario_name: &str, target: &str, dir: &Path) -> LoadedSource {
    poisoned_bundle(scenario_name, Some(target), dir);
    bundle::load(dir).unwrap_or_else(|e| panic!("{scenario_name}: {e}"))
}

/// Evidence files whose strings the reports show in some scenario: the suite must reach each
/// (UPN and device name, TLS issuer and network errors, the tenant's answers).
const SHOWN_IN_REPORTS: [&str; 4] = [
    "dsregcmd.txt",
    "edge/Local State",
    "cloud/network.json",
    "cloud/roamingSettings.json",
];

/// The wizard shows more of the raw evidence: policy values and version text too.
const SHOWN_IN_WIZARD: [&str; 6] = [
    "dsregcmd.txt",
    "edge/Local State",
    "cloud/network.json",
    "cloud/roamingSettings.json",
    "edge/policies.reg.txt",
    "edge/version.txt",
];

/// Asserts every file of `expected` had its payload shown, made inert, by the face.
fn assert_reached(face: &str, expected: &[&str], shown: &BTreeSet<String>) {
    for path in expected {
        assert!(
            shown.contains(*path),
            "{face} never showed a string from {path}: {shown:?}"
        );
    }
}

#[tokio::test]
async fn markdown_text_and_the_copied_summary_are_inert() {
    let mut shown = BTreeSet::new();
    let mut exact_in_json = false;
    for (name, target) in every_file_of_every_scenario() {
        let case = format!("{name} with {target} poisoned");
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let source = poisoned_source(&name, &target, dir.path());
        let report = run(source, RunOptions::default(), None).await;
        exact_in_json |= serde_json::to_string(&report)
            .unwrap_or_default()
            .contains("\\u001b]52");
        let markdown = markdown::render(&report);
        assert_inert(&format!("{case}: markdown (also what c copies)"), &markdown);
        assert!(
            !markdown.chars().any(|c| c.is_control() && c != '\n'),
            "{case}: markdown holds a control character"
        );
        let plain = anstream::adapter::strip_str(&text::brief(&report)).to_string();
        assert_terminal_safe(&format!("{case}: the summary in the scrollback"), &plain);
        assert!(!plain.chars().any(|c| c.is_control() && c != '\n'));
        let text = text::render(&report);
        assert_terminal_safe(&format!("{case}: text"), &text);
        if markdown.contains(SHOWN_MARK) && text.contains(SHOWN_MARK) {
            shown.insert(target);
        }
    }
    assert!(
        exact_in_json,
        "JSON keeps the evidence exact (escaped by serde)"
    );
    assert_reached("markdown and text", &SHOWN_IN_REPORTS, &shown);
}

#[tokio::test]
async fn the_wizard_screen_buffer_is_inert() {
    let mut shown = BTreeSet::new();
    for (name, target) in every_file_of_every_scenario() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let source = poisoned_source(&name, &target, dir.path());
        let info = source.info.clone();
        let report = run(source, RunOptions::default(), None).await;
        let mut app = App::new(
            info,
            String::new(),
            Theme {
                color: false,
                ascii: false,
                high_contrast: false,
            },
            "r.md".into(),
            Instant::now(),
        );
        app.handle(Action::Enter);
        app.run_started(None);
        app.run_finished(report);
        for step in 0..app.steps.len() {
            app.selected = step;
            for screen in [Screen::Checklist, Screen::Detail, Screen::Summary] {
                app.screen = screen;
                let screen_shows = common::screen_text(&app);
                if screen_shows.contains(SHOWN_MARK) {
                    shown.insert(target.clone());
                }
                assert_terminal_safe(
                    &format!(
                        "{name} with {target} poisoned: the wizard, {screen:?} of step {step}"
                    ),
                    &screen_shows,
                );
            }
        }
    }
    assert_reached("the wizard", &SHOWN_IN_WIZARD, &shown);
}

#[test]
fn text_on_a_terminal_carries_no_escape_sequence_from_evidence() {
    for name in scenario::names() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        poisoned_bundle(&name, None, dir.path());
        let bundle = dir.path().display().to_string();
        let mut pty = Pty::start(&["check", "--from", &bundle], dir.path(), 120, 40);
        let _ = pty.exit_code();
        let raw = String::from_utf8_lossy(&pty.raw()).into_owned();
        assert!(
            raw.contains(SHOWN_MARK),
            "{name}: the report was printed: {raw}"
        );
        assert_terminal_safe(&format!("{name}: text on a terminal"), &raw);
    }
}

/// Characters XML forbids (U+FFFE, U+FFFF, controls) in evidence leave the JUnit output
/// well-formed, and finding codes read from a JSON report (anyone may write one) reach `diff`'s
/// output inert.
#[tokio::test]
async fn junit_stays_well_formed_and_diff_prints_codes_inert() {
    let source = scenario::load("rms-not-activated").unwrap_or_else(|e| panic!("{e}"));
    let mut report = run(source, RunOptions::default(), None).await;
    let hostile = "\u{FFFE}\u{FFFF}\u{1}\u{1b}]52;c;SGFja2Vk\u{7}\u{202e}";
    for check in &mut report.checks {
        check.reason = Some(format!("reason {hostile}"));
        for finding in &mut check.findings {
            finding.message = format!("message {hostile}");
            finding.code = format!("{}{hostile}", finding.code);
        }
    }
    let xml = esr_doctor::report::junit::render(&report);
    let parsed = roxmltree::Document::parse(&xml);
    assert!(parsed.is_ok(), "{parsed:?}: {xml}");
    assert!(!xml.contains('\u{FFFE}') && !xml.contains('\u{FFFF}'));
    assert!(xml.contains("message"), "the hostile message was rendered");

    let before = scenario::load("healthy").unwrap_or_else(|e| panic!("{e}"));
    let before = run(before, RunOptions::default(), None).await;
    let changes = esr_doctor::report::diff::compare(&before, &report);
    let shown = esr_doctor::report::diff::render(&before, &report, &changes);
    assert!(shown.contains("RMS_NOT_ACTIVATED"), "{shown}");
    assert_terminal_safe("diff", &shown);
}
