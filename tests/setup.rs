//! `esr-doctor setup --demo new-tenant` driven in a pseudo-terminal as an admin would: every
//! tenant step starts red, the exported script holds each fix in order, and "the admin ran it"
//! turns each step green through the watch, whose re-checks the emulator's log shows arriving
//! further and further apart.

mod common;

use common::pty::Pty;
use esr_doctor::prerequisites::STEPS;
use serde_json::Value;
use std::time::{SystemTime, UNIX_EPOCH};

fn unix_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// The row of step `number` (from 1) on the screen.
fn row(screen: &str, number: usize) -> String {
    let title = STEPS[number - 1].title;
    screen
        .lines()
        .find(|l| l.contains(&format!("{number} {title}")))
        .unwrap_or_default()
        .to_owned()
}

/// When each request to `endpoint` started, between `from` and `to` (wall clock, ms).
fn starts(log: &[Value], endpoint: &str, from: u64, to: u64) -> Vec<u64> {
    log.iter()
        .filter(|e| e["endpoint"] == endpoint)
        .filter_map(|e| e["started_unix_ms"].as_u64())
        .filter(|t| (from..=to).contains(t))
        .collect()
}

/// The two exported scripts: both kept, UTF-8 with a BOM, every fix in step order, and no
/// line that runs an option fix or a device command.
fn assert_the_scripts_are_safe_to_run(dir: &std::path::Path) {
    let scripts: Vec<std::path::PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "ps1"))
        .collect();
    assert_eq!(scripts.len(), 2, "nothing was overwritten: {scripts:?}");
    let bytes = common::written_file(dir, "ps1")
        .and_then(|p| std::fs::read(p).ok())
        .unwrap_or_else(|| panic!("no script was written"));
    assert!(
        bytes.starts_with(b"\xEF\xBB\xBF"),
        "UTF-8 with a BOM, for Windows PowerShell 5.1"
    );
    let script = String::from_utf8_lossy(&bytes).into_owned();
    let live: Vec<&str> = script
        .lines()
        .map(|l| l.trim_start_matches('\u{feff}'))
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .collect();
    for never in [
        "Set-AipServiceOnboardingControlPolicy",
        "dsregcmd",
        "resolvectl",
        "getent",
        "ip route",
        "Test-NetConnection",
        "curl",
    ] {
        assert!(
            live.iter().all(|l| !l.contains(never)),
            "{never} runs in the tenant script:\n{script}"
        );
    }
    let order = [
        "Get-MgSubscribedSku",
        "\nEnable-AipService\n",
        "\nEnable-AipServiceIPCv3\n",
        "\n# One option (read the steps above, then choose): Set-AipServiceOnboardingControlPolicy -UseRmsUserLicense $False\n",
        "Entra ID > Devices > Overview > Enterprise State Roaming",
        "\n# On a device (for the desktop or firewall team, not this script): Test-NetConnection edge.microsoft.com -Port 443\n",
    ];
    let positions: Vec<usize> = order
        .iter()
        .map(|c| {
            script
                .find(c)
                .unwrap_or_else(|| panic!("{c:?} missing from the script:\n{script}"))
        })
        .collect();
    assert!(positions.is_sorted(), "fixes out of order:\n{script}");
}

#[test]
fn an_admin_sets_up_the_new_tenant_step_by_step_with_watch() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let log_file = dir.path().join("emulator-log.json");
    let log_path = log_file.to_string_lossy().into_owned();
    let mut pty = Pty::start_with_env(
        &["setup", "--demo", "new-tenant"],
        dir.path(),
        120,
        45,
        &[("ESR_DOCTOR_EMULATOR_LOG", &log_path)],
    );
    pty.wait_for("devicelogin");
    let start = pty.wait_until("every step red", |screen| {
        (1..=STEPS.len()).all(|n| row(screen, n).contains('✗') && row(screen, n).contains("to do"))
    });
    assert!(start.contains("0/6 in place"), "{start}");
    assert!(start.contains("Enable-AipService") || start.contains("LICENSE_NONE_ELIGIBLE"));

    // The script of every pending fix, in the order of the steps; a second export gets a
    // name of its own and says which.
    pty.keys(&["e"]);
    pty.wait_for("Wrote ");
    pty.keys(&["e"]);
    let again = pty.wait_for("-2.ps1");
    assert!(again.contains("Wrote "), "{again}");
    assert_the_scripts_are_safe_to_run(dir.path());

    // "The admin ran it", step by step: each turns green through the watch.
    let mut windows = Vec::new();
    for number in 1..=STEPS.len() {
        pty.keys(&["k"; 6]);
        pty.keys(&vec!["j"; number - 1]);
        let pressed = unix_ms();
        pty.keys(&["a"]);
        let green = pty.wait_until(&format!("step {number} green"), |screen| {
            let line = row(screen, number);
            line.contains('✓') && line.contains("after the fix")
        });
        windows.push((pressed, unix_ms()));
        let line = row(&green, number);
        let checks: u32 = line
            .split("after the fix (")
            .nth(1)
            .and_then(|rest| rest.split(' ').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        assert!(checks >= 2, "green only after re-checks: {line}");
        assert!(green.contains(&format!("{number}/6 in place")), "{green}");
    }
    pty.keys(&["q"]);
    assert_eq!(pty.exit_code(), 0);
    assert!(!pty.alternate_screen_on());
    assert!(pty.screen().contains("6/6 tenant steps in place"));

    // The emulator saw each tenant step's re-checks, further and further apart.
    let log: Vec<Value> = std::fs::read_to_string(&log_file)
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_else(|| panic!("no emulator log at {}", log_file.display()));
    let markers = [
        "rms FunctionalState",
        "rms FunctionalState",
        "rms FunctionalState",
        "rms FunctionalState",
        "portal RoamingSettings",
    ];
    for (number, (marker, (pressed, green))) in markers.iter().zip(&windows).enumerate() {
        let times = starts(&log, marker, *pressed, *green);
        assert!(
            times.len() >= 2,
            "step {}: re-checks of {marker}: {times:?}",
            number + 1
        );
        let mut gaps = vec![times[0] - pressed];
        gaps.extend(times.windows(2).map(|w| w[1] - w[0]));
        assert!(
            gaps.windows(2).all(|g| g[1] > g[0]),
            "step {}: waits between re-checks grow: {gaps:?}",
            number + 1
        );
    }
}

/// The setup screen at the remote-session size and a larger one, with one step being watched.
/// The setup screen of `app` drawn at `width`×`height`.
fn draw_setup(app: &esr_doctor::tui::setup::app::SetupApp, (width, height): (u16, u16)) -> String {
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(width, height))
        .unwrap_or_else(|e| panic!("{e}"));
    terminal
        .draw(|frame| esr_doctor::tui::setup::view::render(frame, app))
        .unwrap_or_else(|e| panic!("{e}"));
    terminal.backend().to_string()
}

/// Setup in German and Dutch at 80×24: the status line and the footer are never cut
/// mid-word, and no English is left.
fn german_and_dutch_at_80x24(app: &mut esr_doctor::tui::setup::app::SetupApp) {
    for lang in [esr_doctor::i18n::Lang::De, esr_doctor::i18n::Lang::Nl] {
        app.lang = lang;
        app.scroll = 0;
        app.subject = esr_doctor::i18n::tr_with(
            lang,
            "demo tenant {}: the emulator plays the admin's changes",
            "new-tenant",
        );
        let screen = draw_setup(app, (80, 24));
        let status = app.status.clone().unwrap_or_default();
        for word in status.split_whitespace() {
            assert!(screen.contains(word), "{lang:?}: {word:?} cut:\n{screen}");
        }
        let footer = screen
            .lines()
            .last()
            .unwrap_or_default()
            .trim_matches('"')
            .trim_end();
        let more = esr_doctor::i18n::tr(lang, "more");
        assert!(
            footer.ends_with(&more),
            "{lang:?}: the footer ends whole:\n{screen}"
        );
        let english = common::english::english_on(&screen.replace("new-tenant", ""));
        assert!(
            english.is_empty(),
            "{lang:?}: English left:\n{}",
            english.join("\n")
        );
        insta::assert_snapshot!(format!("setup-watching-{}-80x24", lang.code()), screen);
    }
}

#[tokio::test]
async fn the_setup_screen_renders_each_state() {
    use esr_doctor::prerequisites::watch::{Backoff, Watch};
    use esr_doctor::runner::{RunOptions, run};
    use esr_doctor::tui::setup::app::{SetupApp, SignIn};
    use esr_doctor::tui::theme::Theme;
    use std::time::{Duration, Instant};

    let mut source =
        esr_doctor::sources::scenario::load("new-tenant").unwrap_or_else(|e| panic!("{e}"));
    source.latency.clear();
    let options = RunOptions {
        only: Some(esr_doctor::prerequisites::checks()),
        unblocked: true,
        ..RunOptions::default()
    };
    let report = run(source, options, None).await;
    let theme = Theme {
        color: false,
        ascii: false,
        high_contrast: false,
    };
    let mut app = SetupApp::new(
        "demo tenant new-tenant".into(),
        theme,
        Backoff::DEMO,
        "setup.ps1".into(),
    );
    app.sign_in = SignIn::SignedIn;
    app.run_finished(&report);
    let since = Instant::now();
    app.selected = 1;
    app.rows[1].watch = Some(Watch::start(since, Backoff::DEMO));
    if let Some(watch) = &mut app.rows[1].watch {
        watch.checked(since + Duration::from_millis(500), false, Backoff::DEMO);
    }
    app.now = since + Duration::from_millis(1200);
    for (width, height) in [(80u16, 24u16), (120, 40)] {
        let screen = draw_setup(&app, (width, height));
        assert!(screen.contains("0/6 in place"), "{screen}");
        insta::assert_snapshot!(format!("setup-watching-{width}x{height}"), screen);
    }
    // `?` opens the help, drawn from the same key map as the footer, in every language.
    app.handle_key(ratatui::crossterm::event::KeyEvent::from(
        ratatui::crossterm::event::KeyCode::Char('?'),
    ));
    for lang in [
        esr_doctor::i18n::Lang::En,
        esr_doctor::i18n::Lang::De,
        esr_doctor::i18n::Lang::Nl,
    ] {
        app.lang = lang;
        let screen = draw_setup(&app, (80, 24));
        let last = esr_doctor::i18n::tr(lang, "Ctrl-C quits at once. ? or Esc closes this help.");
        assert!(
            screen.contains(&last),
            "the help's last line fits in {lang:?}:\n{screen}"
        );
        insta::assert_snapshot!(format!("setup-help-{}-80x24", lang.code()), screen);
    }
    app.handle_key(ratatui::crossterm::event::KeyEvent::from(
        ratatui::crossterm::event::KeyCode::Esc,
    ));
    assert!(!app.help, "Esc closes the help");
    // The same screen for a German admin: the words change, the commands do not.
    app.lang = esr_doctor::i18n::Lang::De;
    app.scroll = 4;
    let german = draw_setup(&app, (120, 40));
    for words in [
        "Voraussetzungen im Mandanten (0/6 erfüllt)",
        "Azure RMS aktiviert",
        "beobachtet 0:01",
        "Enable-AipService",
    ] {
        assert!(german.contains(words), "{words:?} missing:\n{german}");
    }
    assert!(!german.contains("Tenant prerequisites"), "{german}");
    insta::assert_snapshot!("setup-watching-de-120x40", german);
    german_and_dutch_at_80x24(&mut app);
}
