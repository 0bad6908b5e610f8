//! The wizard's screens rendered to ratatui's TestBackend at the common remote-session size
//! (80×24) and a larger one (120×40), for a healthy and two failing demo tenants.

use esr_doctor::model::Report;
use esr_doctor::runner::{Event, RunOptions, run};
use esr_doctor::sources::scenario;
use esr_doctor::tui::app::App;
use esr_doctor::tui::keys::Action;
use esr_doctor::tui::state::{Focus, Overlay, Screen};
use esr_doctor::tui::theme::Theme;
use esr_doctor::tui::view;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::time::Instant;

const SIZES: [(u16, u16); 2] = [(80, 24), (120, 40)];
const SCENARIOS: [&str; 3] = ["healthy", "rms-not-activated", "esr-disabled"];

async fn report_of(name: &str) -> Report {
    let mut source = scenario::load(name).unwrap_or_else(|e| panic!("{e}"));
    source.latency.clear();
    let mut report = run(source, RunOptions::default(), None).await;
    // Timings differ from run to run; the snapshots pin what people read, not the clock.
    report.duration_ms = 812;
    for check in &mut report.checks {
        check.duration_ms = 3;
    }
    report
}

fn new_app(name: &str) -> App {
    let source = scenario::load(name).unwrap_or_else(|e| panic!("{e}")).info;
    let description = scenario::spec(name)
        .map(|s| s.description)
        .unwrap_or_default();
    App::new(
        source,
        description,
        Theme {
            color: false,
            ascii: false,
            high_contrast: false,
        },
        "report.md".into(),
        Instant::now(),
    )
}

fn draw(app: &App, (width, height): (u16, u16)) -> String {
    let mut terminal =
        Terminal::new(TestBackend::new(width, height)).unwrap_or_else(|e| panic!("{e}"));
    terminal
        .draw(|frame| view::render(frame, app))
        .unwrap_or_else(|e| panic!("{e}"));
    terminal.backend().to_string()
}

/// Index of the first failing step, or 0.
fn first_failure(report: &Report) -> usize {
    report
        .checks
        .iter()
        .position(|c| c.status == esr_doctor::model::Status::Fail)
        .unwrap_or(0)
}

#[tokio::test]
async fn screens() {
    for name in SCENARIOS {
        let report = report_of(name).await;
        let mut screens: Vec<(&str, App)> = Vec::new();

        screens.push(("welcome", new_app(name)));

        let mut running = new_app(name);
        running.handle(Action::Enter);
        running.run_started(None);
        for check in report.checks.iter().take(3) {
            running.on_runner_event(Event::CheckFinished(Box::new(check.clone())));
        }
        screens.push(("checklist-running", running));

        let finished = || {
            let mut app = new_app(name);
            app.handle(Action::Enter);
            app.run_started(None);
            app.run_finished(report.clone());
            app.selected = first_failure(&report);
            app
        };
        screens.push(("checklist-finished", finished()));

        let mut detail = finished();
        detail.handle(Action::Enter);
        screens.push(("detail", detail));

        let mut guidance = finished();
        guidance.handle(Action::Enter);
        guidance.handle(Action::Tab);
        assert_eq!(guidance.focus, Focus::Secondary);
        screens.push(("guidance", guidance));

        let mut summary = finished();
        summary.handle(Action::Summary);
        assert_eq!(summary.screen, Screen::Summary);
        screens.push(("summary", summary));

        let mut help = finished();
        help.handle(Action::Help);
        assert_eq!(help.overlay, Some(Overlay::Help));
        screens.push(("help", help));

        for (screen, app) in &screens {
            for size in SIZES {
                insta::assert_snapshot!(
                    format!("{name}-{screen}-{}x{}", size.0, size.1),
                    draw(app, size)
                );
            }
        }
    }
}

#[test]
fn too_small_says_what_it_needs() {
    let screen = draw(&new_app("healthy"), (60, 20));
    assert!(screen.contains("need 80×24, have 60×20"));
    insta::assert_snapshot!("too-small-60x20", screen);
}

#[test]
fn ascii_mode_uses_no_box_drawing() {
    let mut app = new_app("healthy");
    app.theme = Theme {
        color: false,
        ascii: true,
        high_contrast: false,
    };
    let screen = draw(&app, (80, 24));
    assert!(screen.contains("+-"), "ASCII corners");
    assert!(
        !screen
            .chars()
            .any(|c| matches!(c, '╭' | '─' | '│' | '✓' | '✗'))
    );
}

#[tokio::test]
async fn the_sign_in_pane_shows_the_code_while_device_checks_fill_in() {
    use esr_doctor::cloud::auth::{SignInEvent, SignInPrompt};
    use esr_doctor::tui::state::{Effect, SignIn};
    let report = report_of("healthy").await;
    let mut app = new_app("healthy");
    app.handle(Action::Enter);
    app.run_started(None);
    for check in report.checks.iter().take(2) {
        app.on_runner_event(Event::CheckFinished(Box::new(check.clone())));
    }
    app.on_sign_in(SignInEvent::Code(SignInPrompt {
        user_code: "F7KQ2ZD9".into(),
        verification_uri: "https://microsoft.com/devicelogin".into(),
        expires_at: app.now + std::time::Duration::from_secs(14 * 60 + 32),
        message: String::new(),
        notice: None,
    }));
    for size in SIZES {
        let screen = draw(&app, size);
        assert!(screen.contains("F 7 K Q 2 Z D 9") && screen.contains("expires in 14:32"));
        assert!(
            screen.contains("Edge version"),
            "the checklist stays visible"
        );
        insta::assert_snapshot!(format!("sign-in-pane-{}x{}", size.0, size.1), screen);
    }
    assert_eq!(
        app.handle(Action::Copy),
        Effect::CopyText("F7KQ2ZD9".into())
    );
    assert_eq!(app.handle(Action::Back), Effect::CancelSignIn);
    assert!(!app.quit, "Esc cancels the sign-in, it does not quit");
    app.on_sign_in(SignInEvent::Failed("the sign-in was cancelled".into()));
    assert!(matches!(app.sign_in, SignIn::Ended(_)));
    assert!(!draw(&app, (80, 24)).contains("F 7 K Q"), "the pane closes");
}

/// The browser sign-in's pane, in every language at 80×24: where the page went, the start of
/// its address, the keys; `c` copies the whole address.
#[tokio::test]
async fn the_browser_sign_in_pane_fits_in_every_language() {
    use esr_doctor::cloud::auth::{BrowserPrompt, SignInEvent};
    use esr_doctor::i18n::Lang;
    use esr_doctor::tui::state::Effect;
    let url = "http://127.0.0.1:8400/organizations/oauth2/v2.0/authorize?response_type=code&client_id=1950a258-227b-4e31-a9cf-717495945fc2&state=abc&code_challenge=xyz&code_challenge_method=S256&redirect_uri=http%3A%2F%2Flocalhost%3A5000";
    for (lang, words) in [
        (Lang::En, ["open in your browser", "copy the address"]),
        (Lang::De, ["in Ihrem Browser", "Adresse kopieren"]),
        (Lang::Nl, ["in uw browser", "adres kopiëren"]),
    ] {
        let mut app = new_app("healthy");
        app.lang = lang;
        app.handle(Action::Enter);
        app.run_started(None);
        app.on_sign_in(SignInEvent::Browser(BrowserPrompt {
            url: url.into(),
            opened: true,
            expires_at: app.now + std::time::Duration::from_secs(4 * 60 + 5),
        }));
        let screen = draw(&app, (80, 24));
        for word in words {
            assert!(screen.contains(word), "{lang:?} lacks {word:?}:\n{screen}");
        }
        assert!(
            screen.contains("4:05") && screen.contains("http://127.0.0.1:8400/"),
            "{screen}"
        );
        assert!(screen.contains("Esc"), "{lang:?}: the keys fit:\n{screen}");
        insta::assert_snapshot!(format!("browser-sign-in-pane-{lang:?}-80x24"), screen);
        assert_eq!(app.handle(Action::Copy), Effect::CopyText(url.into()));
    }
}

/// The wizard in German and Dutch: every word translated, commands and codes unchanged.
#[tokio::test]
async fn the_wizard_speaks_german_and_dutch() {
    use esr_doctor::i18n::Lang;
    let report = report_of("rms-not-activated").await;
    let cases = [
        (
            Lang::De,
            [
                "Voraussetzungen",
                "Aktivierung von Azure RMS",
                "So wird es behoben",
                "Wer es behebt",
            ],
        ),
        (
            Lang::Nl,
            [
                "Vereisten",
                "Activering van Azure RMS",
                "Zo los je het op",
                "Wie het oplost",
            ],
        ),
    ];
    let finished_in = |lang: Lang| {
        let mut app = new_app("rms-not-activated");
        app.lang = lang;
        app.handle(Action::Enter);
        app.run_started(None);
        app.run_finished(report.clone());
        app.selected = first_failure(&report);
        app
    };
    for (lang, words) in cases {
        let checklist = finished_in(lang);
        let mut detail = finished_in(lang);
        detail.handle(Action::Enter);
        detail.handle(Action::Tab);
        let screens = [draw(&checklist, (120, 40)), draw(&detail, (120, 40))];
        let both = screens.join("\n");
        for word in words {
            assert!(both.contains(word), "{lang:?}: {word:?} missing:\n{both}");
        }
        assert!(both.contains("Enable-AipService") && both.contains("RMS_NOT_ACTIVATED"));
        for english in ["Prerequisites", "How to fix it", "Who fixes it", "checks ·"] {
            assert!(
                !both.contains(english),
                "{lang:?}: {english:?} left:\n{both}"
            );
        }
        insta::assert_snapshot!(format!("{}-checklist-120x40", lang.code()), screens[0]);
        insta::assert_snapshot!(format!("{}-guidance-120x40", lang.code()), screens[1]);
    }
}
