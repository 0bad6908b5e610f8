//! Drives the real binary in a pseudo-terminal the way a trainer would (portable-pty, so it
//! runs on Windows too, and a vt100 parser to read the screen): start a demo, wait for the
//! checks, open steps, guidance and help, export the markdown report, sign in or skip it, quit,
//! and check the exit code and that the terminal was restored.

mod common;

use common::pty::Pty;

const ENTER: &str = "\r";
const ESC: &str = "\x1b";
const TAB: &str = "\t";
const CTRL_C: &str = "\x03";

#[test]
fn trainer_walks_the_rms_demo_and_exports_the_report() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let mut pty = Pty::start(&["--demo", "rms-not-activated"], dir.path(), 100, 30);
    pty.wait_for("Welcome");
    pty.keys(&[ENTER]);
    // After the run the selection is on the failing step already.
    let finished = pty.wait_for("RMS_NOT_ACTIVATED");
    assert!(finished.contains("Verdict: FAIL"), "{finished}");
    pty.keys(&[ENTER]);
    pty.wait_for("Azure RMS activation — evidence");
    pty.keys(&[TAB]);
    pty.wait_for("Enable-AipService");
    pty.keys(&["?"]);
    pty.wait_for("Ctrl-C quits at once");
    pty.keys(&[ESC]);
    pty.keys(&["e"]);
    let export = pty.wait_for("Export the report");
    assert!(
        export.contains("esr-doctor-report-"),
        "default file name with the date:\n{export}"
    );
    pty.keys(&[ENTER]);
    pty.wait_for("Wrote ");
    let exported = common::written_file(dir.path(), "md")
        .unwrap_or_else(|| panic!("no markdown file was written"));
    let markdown = std::fs::read_to_string(&exported).unwrap_or_default();
    assert!(
        markdown.contains("## esr-doctor report: FAIL") && markdown.contains("Enable-AipService")
    );
    pty.keys(&[ESC, ESC, "q"]);
    assert_eq!(pty.exit_code(), 1, "the verdict's exit code, as check's");
    assert!(
        !pty.alternate_screen_on(),
        "the alternate screen was left on"
    );
    let after = pty.screen();
    assert!(
        after.contains("Verdict: FAIL") && after.contains("Azure RMS activation"),
        "plain summary left behind:\n{after}"
    );
    // The documentation whole, one address a row, where no pane cuts it.
    assert!(
        after.lines().any(|row| row.trim()
            == "https://learn.microsoft.com/powershell/module/aipservice/enable-aipservice"),
        "the fix's documentation in the scrollback:\n{after}"
    );
}

#[test]
fn ctrl_c_restores_the_terminal_even_while_checks_run() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let mut pty = Pty::start(&["--demo", "healthy"], dir.path(), 80, 24);
    pty.wait_for("Welcome");
    pty.keys(&[ENTER, CTRL_C]);
    assert_eq!(pty.exit_code(), 130, "an interrupted program's code");
    assert!(!pty.alternate_screen_on());
    let after = pty.screen();
    assert!(
        after.contains("Interrupted (Ctrl-C) while checks were running")
            && after.contains("no run finished"),
        "the scrollback says the run was cut short:\n{after}"
    );
}

#[test]
fn the_demo_shows_a_sign_in_code_and_esc_skips_the_tenant_checks() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let mut pty = Pty::start(&["--demo", "healthy"], dir.path(), 80, 24);
    pty.wait_for("Welcome");
    pty.keys(&[ENTER]);
    let pane = pty.wait_for("Sign in to read the tenant");
    assert!(
        pane.contains("devicelogin") && pane.contains("expires in"),
        "{pane}"
    );
    // The device checks are decided while the code waits for the person.
    pty.wait_for("Edge 142");
    // q asks before it cuts the sign-in short; n keeps it.
    pty.keys(&["q"]);
    pty.wait_for("The sign-in is not finished.");
    pty.keys(&["n"]);
    pty.wait_until("the question closes", |s| {
        !s.contains("The sign-in is not finished.") && s.contains("Sign in to read the tenant")
    });
    pty.keys(&[ESC]);
    let finished = pty.wait_for("9/9 checks");
    assert!(
        !finished.contains("Sign in to read the tenant"),
        "the pane closes:\n{finished}"
    );
    pty.keys(&["q"]);
    assert_eq!(pty.exit_code(), 3, "incomplete, as check says it");
    let after = pty.screen();
    assert!(after.contains("INCOMPLETE"), "{after}");
}

/// True when the checklist row of `title` shows the failure glyph.
fn row_failed(screen: &str, title: &str) -> bool {
    screen.lines().any(|l| l.contains(title) && l.contains('✗'))
}

#[test]
fn a_trainer_breaks_and_fixes_every_prerequisite_of_the_healthy_demo() {
    use esr_doctor::checks::spec;
    use esr_doctor::emulator::break_fix::BREAKAGES;
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let mut pty = Pty::start(&["--demo", "healthy"], dir.path(), 120, 40);
    pty.wait_for("Welcome");
    pty.keys(&[ENTER]);
    pty.wait_for("9/9 checks");
    for (index, breakage) in BREAKAGES.iter().enumerate() {
        let red = breakage.turns_red();
        let (first, codes) = red
            .first()
            .cloned()
            .unwrap_or_else(|| panic!("{}", breakage.label));
        let title = spec(first).title;
        let down = vec!["j"; index];

        pty.keys(&["x"]);
        pty.wait_for("Break and fix");
        pty.keys(&down);
        pty.keys(&[ENTER]);
        pty.wait_for(&format!("Broke: {}", breakage.label));
        // Select the step that turns red, so its findings show beside the list.
        let position = esr_doctor::model::CheckId::ALL
            .iter()
            .position(|id| *id == first)
            .unwrap_or(0);
        pty.keys(&["k"; 9]);
        pty.keys(&vec!["j"; position]);
        let broken = pty.wait_until(&format!("{title} red with {codes:?}"), |screen| {
            screen.contains("9/9 checks")
                && row_failed(screen, title)
                && codes.iter().all(|code| screen.contains(code.as_str()))
        });
        assert!(broken.contains(title));

        pty.keys(&["x"]);
        pty.wait_for("Break and fix");
        pty.keys(&down);
        pty.keys(&[ENTER]);
        pty.wait_for(&format!("Fixed: {}", breakage.label));
        pty.wait_until(&format!("{title} green again"), |screen| {
            screen.contains("9/9 checks") && !screen.contains('✗')
        });
    }
    pty.keys(&["q"]);
    assert_eq!(pty.exit_code(), 0);
}

/// `--ascii` holds for every byte the wizard writes: the screens, the evidence drawn on them
/// and the summary left in the scrollback.
#[test]
fn ascii_mode_writes_only_ascii_bytes() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let mut pty = Pty::start(
        &["--demo", "rms-not-activated", "--ascii", "--lang", "de"],
        dir.path(),
        80,
        24,
    );
    pty.wait_for("Willkommen");
    pty.keys(&[ENTER]);
    pty.wait_for("9/9");
    pty.keys(&[ENTER, TAB]);
    pty.wait_for("Enable-AipService");
    pty.keys(&[ESC, "s"]);
    pty.wait_for("Zusammenfassung");
    pty.keys(&["?"]);
    pty.wait_for("Tasten");
    pty.keys(&[ESC, ESC, "q"]);
    assert_eq!(pty.exit_code(), 1);
    let raw = pty.raw();
    let foreign: Vec<char> = String::from_utf8_lossy(&raw)
        .chars()
        .filter(|c| !c.is_ascii())
        .collect();
    assert!(foreign.is_empty(), "non-ASCII written: {foreign:?}");
    let after = pty.screen();
    assert!(
        after.contains("Zustand der Synchronisierung") && after.contains("Dokumentation:"),
        "the summary is left in the scrollback:\n{after}"
    );
}

/// On a terminal that follows OSC 8 (Windows Terminal sets WT_SESSION), the fix's documentation
/// addresses are links to the whole address, even where the pane wraps them; the text drawn
/// stays the same.
#[test]
fn documentation_addresses_are_links_where_the_terminal_follows_them() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let mut pty = Pty::start_with_env(
        &["--demo", "rms-not-activated"],
        dir.path(),
        80,
        24,
        &[("WT_SESSION", "test")],
    );
    pty.wait_for("Welcome");
    pty.keys(&[ENTER]);
    pty.wait_for("RMS_NOT_ACTIVATED");
    pty.keys(&[ENTER, TAB]);
    pty.keys(&["j"; 14]);
    pty.wait_for("learn.microsoft.com");
    let raw = String::from_utf8_lossy(&pty.raw()).into_owned();
    assert!(
        raw.contains(
            "\u{1b}]8;;https://learn.microsoft.com/azure/information-protection/activate-service\u{1b}\\"
        ),
        "no link in the output"
    );
    assert!(raw.contains("\u{1b}]8;;\u{1b}\\"), "every link is closed");
    pty.keys(&[ESC, "q"]);
    assert_eq!(pty.exit_code(), 1);
}
