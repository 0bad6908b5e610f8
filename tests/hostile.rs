//! Evidence written by an attacker: escape sequences (OSC 0/8/52, CSI 2J, C1 controls, bidi
//! overrides), HTML and links in every string the faces show — the user's UPN, the device and
//! tenant names, the TLS issuer, network errors. None of it may reach a terminal raw, live in
//! markdown, the wizard's screen buffer, the copied text or the summary left in the scrollback.

mod common;

use common::pty::Pty;
use esr_doctor::report::{markdown, text};
use esr_doctor::runner::{RunOptions, run};
use esr_doctor::sources::{LoadedSource, bundle, scenario};
use esr_doctor::tui::app::{App, Screen};
use esr_doctor::tui::keys::Action;
use esr_doctor::tui::theme::Theme;
use esr_doctor::tui::view;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::path::Path;
use std::time::Instant;

/// Rewrites the clipboard, sets the title, opens a hyperlink, clears the screen (7-bit and C1),
/// reverses the text, and carries HTML and a markdown link.
const PAYLOAD: &str = "\u{1b}]52;c;SGFja2Vk\u{7}\u{1b}]0;pwned\u{7}\u{1b}]8;;http://evil.example\u{7}click\u{1b}]8;;\u{7}\u{1b}[2J\u{9b}2J\u{202e}<script>alert(1)</script>[x](http://evil.example)";

/// The healthy demo tenant with the payload in every string a face shows.
fn hostile_bundle(dir: &Path) {
    let source = scenario::load("healthy").unwrap_or_else(|e| panic!("{e}"));
    let json_payload = serde_json::to_string(PAYLOAD).unwrap_or_default();
    let json_payload = &json_payload[1..json_payload.len() - 1];
    for path in source.files.paths() {
        let mut text = source.files.text(path).unwrap_or_default();
        let replace = |text: &mut String, from: &str, to: &str| *text = text.replace(from, to);
        if path.ends_with(".json") || path.ends_with("Local State") || path.ends_with("Preferences")
        {
            replace(
                &mut text,
                "jana.novak@fabrikam.com",
                &format!("jana{json_payload}@fabrikam.com"),
            );
            replace(&mut text, "Fabrikam Ltd", json_payload);
            replace(
                &mut text,
                "Microsoft Azure RSA TLS Issuing CA 04",
                json_payload,
            );
        } else {
            replace(
                &mut text,
                "jana.novak@fabrikam.com",
                &format!("jana{PAYLOAD}@fabrikam.com"),
            );
            replace(&mut text, "FAB-LT-0142", &format!("FAB{PAYLOAD}"));
        }
        let file = dir.join(path);
        if let Some(parent) = file.parent() {
            std::fs::create_dir_all(parent).unwrap_or_else(|e| panic!("{e}"));
        }
        std::fs::write(&file, text).unwrap_or_else(|e| panic!("{e}"));
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

async fn hostile_source(dir: &Path) -> LoadedSource {
    hostile_bundle(dir);
    bundle::load(dir).unwrap_or_else(|e| panic!("{e}"))
}

#[tokio::test]
async fn markdown_text_and_the_copied_summary_are_inert() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let report = run(
        hostile_source(dir.path()).await,
        RunOptions::default(),
        None,
    )
    .await;
    let json = serde_json::to_string(&report).unwrap_or_default();
    assert!(
        json.contains("\\u001b]52"),
        "JSON keeps the evidence exact (escaped by serde)"
    );
    let markdown = markdown::render(&report);
    assert!(markdown.contains("jana"), "the UPN is still shown");
    assert_inert("markdown (also what c copies)", &markdown);
    assert!(
        !markdown.chars().any(|c| c.is_control() && c != '\n'),
        "markdown holds a control character"
    );
    let plain = anstream::adapter::strip_str(&text::brief(&report)).to_string();
    assert_terminal_safe("the summary left in the scrollback", &plain);
    assert!(!plain.chars().any(|c| c.is_control() && c != '\n'));
    let text = text::render(&report);
    assert_terminal_safe("text", &text);
}

#[tokio::test]
async fn the_wizard_screen_buffer_is_inert() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let source = hostile_source(dir.path()).await;
    let info = source.info.clone();
    let report = run(source, RunOptions::default(), None).await;
    let mut app = App::new(
        info,
        String::new(),
        Theme {
            color: false,
            ascii: false,
        },
        "r.md".into(),
        Instant::now(),
    );
    app.handle(Action::Enter);
    app.run_started(None);
    app.run_finished(report);
    let mut drawn = 0;
    for step in 0..app.steps.len() {
        app.selected = step;
        for screen in [Screen::Checklist, Screen::Detail, Screen::Summary] {
            app.screen = screen;
            let shown = screen_text(&app);
            assert_terminal_safe(&format!("the wizard, {screen:?} of step {step}"), &shown);
            drawn += 1;
        }
    }
    app.screen = Screen::Checklist;
    app.selected = 1;
    assert!(
        screen_text(&app).contains("jana"),
        "the UPN is shown, made safe"
    );
    assert_eq!(drawn, 27);
}

/// Every cell of the wizard's screen, as one string.
fn screen_text(app: &App) -> String {
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap_or_else(|e| panic!("{e}"));
    terminal
        .draw(|frame| view::render(frame, app))
        .unwrap_or_else(|e| panic!("{e}"));
    terminal
        .backend()
        .buffer()
        .content()
        .iter()
        .map(|cell| cell.symbol().to_owned())
        .collect()
}

#[test]
fn text_on_a_terminal_carries_no_escape_sequence_from_evidence() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    hostile_bundle(dir.path());
    let bundle = dir.path().display().to_string();
    let mut pty = Pty::start(&["check", "--from", &bundle], dir.path(), 120, 40);
    let _ = pty.exit_code();
    let raw = String::from_utf8_lossy(&pty.raw()).into_owned();
    assert!(raw.contains("jana"), "the report was printed: {raw}");
    assert_terminal_safe("text on a terminal", &raw);
}
