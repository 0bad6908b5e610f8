//! The wizard's screens rendered to ratatui's TestBackend at the common remote-session size
//! (80×24) and a larger one (120×40), for a healthy and two failing demo tenants.

mod common;

use esr_doctor::i18n::Lang;
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

/// Where the answer is: the first failing step, else the first error, else the first
/// warning, else the first step.
fn first_failure(report: &Report) -> usize {
    use esr_doctor::model::Status;
    [Status::Fail, Status::Error, Status::Warn]
        .into_iter()
        .find_map(|status| report.checks.iter().position(|c| c.status == status))
        .unwrap_or(0)
}

/// Every screen of the wizard for one demo, as a person reaches it after a full run (in
/// `lang`), with the name its snapshot carries.
fn every_screen(name: &str, report: &Report, lang: Lang) -> Vec<(&'static str, App)> {
    let fresh = || {
        let mut app = new_app(name);
        app.lang = lang;
        app.description = scenario::spec(name)
            .map(|s| s.description_in(lang).to_owned())
            .unwrap_or_default();
        app
    };
    let mut screens: Vec<(&str, App)> = Vec::new();
    screens.push(("welcome", fresh()));

    let mut running = fresh();
    running.handle(Action::Enter);
    running.run_started(None);
    for check in report.checks.iter().take(3) {
        running.on_runner_event(Event::CheckFinished(Box::new(check.clone())));
    }
    screens.push(("checklist-running", running));

    let finished = || {
        let mut app = fresh();
        app.handle(Action::Enter);
        app.run_started(None);
        app.run_finished(report.clone());
        app
    };
    let checklist = finished();
    assert_eq!(
        checklist.selected,
        first_failure(report),
        "after a run the selection is on the first failing step"
    );
    screens.push(("checklist-finished", checklist));

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

    let mut export = finished();
    export.handle(Action::Export);
    assert_eq!(export.screen, Screen::Export);
    screens.push(("export", export));

    let mut help = finished();
    help.handle(Action::Help);
    assert_eq!(help.overlay, Some(Overlay::Help));
    screens.push(("help", help));

    let mut break_fix = finished();
    break_fix.broken = Some(vec![
        false;
        esr_doctor::emulator::break_fix::BREAKAGES.len()
    ]);
    break_fix.handle(Action::BreakFix);
    assert_eq!(break_fix.overlay, Some(Overlay::BreakFix(0)));
    screens.push(("break-fix", break_fix));

    let mut quitting = fresh();
    quitting.handle(Action::Enter);
    quitting.run_started(None);
    quitting.handle(Action::Leave);
    assert_eq!(quitting.overlay, Some(Overlay::ConfirmQuit));
    screens.push(("confirm-quit", quitting));
    screens
}

#[tokio::test]
async fn screens() {
    for name in SCENARIOS {
        let report = report_of(name).await;
        for (screen, app) in &every_screen(name, &report, Lang::En) {
            for size in SIZES {
                insta::assert_snapshot!(
                    format!("{name}-{screen}-{}x{}", size.0, size.1),
                    draw(app, size)
                );
            }
        }
    }
}

/// Every screen in German and Dutch at both sizes: labels measured from the translated text,
/// so none runs into its value, and the keys stay in view.
#[tokio::test]
async fn every_screen_in_every_language_fits() {
    let report = report_of("rms-not-activated").await;
    for lang in [Lang::De, Lang::Nl] {
        for (screen, app) in &every_screen("rms-not-activated", &report, lang) {
            for size in SIZES {
                let drawn = draw(app, size);
                insta::assert_snapshot!(
                    format!("{}-{screen}-{}x{}", lang.code(), size.0, size.1),
                    drawn
                );
            }
        }
    }
}

/// Where the terminal does not follow OSC 8 links, an address is drawn whole on one row or
/// not as an address at all: a cut `https://…` would be clicked and lead nowhere.
#[tokio::test]
async fn no_screen_shows_a_cut_address() {
    // Every address the guidance writes, in its links and in its sentences.
    let mut docs: Vec<String> = Vec::new();
    let address = regex::Regex::new(r"https://[A-Za-z0-9./_-]*[A-Za-z0-9/_-]").unwrap();
    for lang in ["en", "de", "nl"] {
        let path = format!("{}/assets/guidance/{lang}.toml", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(path).unwrap();
        docs.extend(address.find_iter(&text).map(|m| m.as_str().to_owned()));
    }
    let mut shortened = 0;
    for name in esr_doctor::sources::scenario::names() {
        let name = name.as_str();
        let report = report_of(name).await;
        for lang in [Lang::En, Lang::De, Lang::Nl] {
            for (screen, app) in &every_screen(name, &report, lang) {
                for size in SIZES {
                    let drawn = draw(app, size);
                    for row in drawn.lines() {
                        for at in row.match_indices("https://").map(|(at, _)| at) {
                            let address: String = row[at..]
                                .chars()
                                .take_while(|c| !c.is_whitespace() && *c != '│')
                                .collect::<String>()
                                .trim_end_matches(['.', ',', ')', ';'])
                                .to_owned();
                            // An address that runs up to the pane's edge goes on on the next row.
                            let at_edge = row[at + address.len()..]
                                .trim_start_matches(['.', ',', ')', ';'])
                                .chars()
                                .next()
                                .is_none_or(|c| c == '│');
                            assert!(
                                !at_edge || docs.contains(&address),
                                "{name} {lang:?} {screen} {size:?}: cut address {address:?} in\n{drawn}"
                            );
                        }
                        shortened += usize::from(row.contains("learn.microsoft.com/…/"));
                    }
                }
            }
        }
    }
    assert!(
        shortened > 0,
        "an address too wide for its pane is shown shortened"
    );
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
                "Zo lost u het op",
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

/// Every screen and both readable reports, in German and Dutch, for a healthy and two failing
/// demos: no English word is left.
#[tokio::test]
async fn german_and_dutch_screens_and_reports_hold_no_english() {
    for name in esr_doctor::sources::scenario::names() {
        let name = name.as_str();
        let report = report_of(name).await;
        for lang in [Lang::De, Lang::Nl] {
            let mut faces: Vec<(String, String)> = every_screen(name, &report, lang)
                .iter()
                .map(|(screen, app)| ((*screen).to_owned(), draw(app, (80, 24))))
                .collect();
            faces.push((
                "text report".into(),
                esr_doctor::report::text::render_in(&report, lang),
            ));
            faces.push((
                "markdown report".into(),
                esr_doctor::report::markdown::render_in(&report, lang),
            ));
            let healthy = report_of("healthy").await;
            let changes = esr_doctor::report::diff::compare(&healthy, &report);
            faces.push((
                "diff".into(),
                esr_doctor::report::diff::render_in(&healthy, &report, &changes, lang),
            ));
            for code in report.checks.iter().flat_map(|c| c.codes()) {
                let guidance = esr_doctor::guidance::Guidance::for_lang(lang);
                if let Some(explanation) = guidance.explain(code) {
                    faces.push((
                        format!("explain {code}"),
                        esr_doctor::report::explain::render(&explanation, guidance, lang),
                    ));
                }
            }
            // The evidence table's keys are the report's field names, the same in every
            // language, as JSON is; a key opens a line of the evidence pane.
            let keys: Vec<String> = report
                .checks
                .iter()
                .flat_map(|c| c.evidence.keys().cloned())
                .collect();
            // Its values are shown as found, in no language.
            let mut values = Vec::new();
            for check in &report.checks {
                for value in check.evidence.values() {
                    strings_of(value, &mut values);
                }
            }
            for (face, shown) in faces {
                // The demo's name is a name, not words.
                let mut shown = shown.replace(name, "");
                for key in &keys {
                    shown = shown.replace(&format!("│{key} "), "│ ");
                }
                for value in &values {
                    if let Ok(word) = regex::Regex::new(&format!(r"\b{}\b", regex::escape(value))) {
                        shown = word.replace_all(&shown, "").into_owned();
                    }
                }
                let english = common::english::english_on(&shown);
                assert!(
                    english.is_empty(),
                    "{name} {lang:?} {face}: English left:\n{}",
                    english.join("\n")
                );
            }
        }
    }
}

/// Every string inside `value`, into `out`.
fn strings_of(value: &serde_json::Value, out: &mut Vec<String>) {
    match value {
        serde_json::Value::String(s) => out.push(s.clone()),
        serde_json::Value::Array(items) => items.iter().for_each(|v| strings_of(v, out)),
        serde_json::Value::Object(map) => map.values().for_each(|v| strings_of(v, out)),
        _ => {}
    }
}

#[test]
fn the_english_word_scan_finds_english() {
    assert_eq!(
        common::english::english_on("Prüfungen laufen noch.").len(),
        0
    );
    assert_eq!(
        common::english::english_on("blocked by Azure RMS activation").len(),
        1
    );
    assert_eq!(
        common::english::english_on("siehe https://learn.microsoft.com/the-fix und user_has_fix")
            .len(),
        0
    );
    assert_eq!(
        common::english::english_on("> Get-X | Where-Object Name -match 'y'").len(),
        0,
        "a command's words are not English words"
    );
    assert_eq!(
        common::english::english_on("Wer: the admin who can change it").len(),
        3
    );
}

/// A device code waiting ten minutes for the person, with `notice` if one was given.
fn code_waiting(app: &App, notice: Option<&str>) -> esr_doctor::cloud::auth::SignInEvent {
    esr_doctor::cloud::auth::SignInEvent::Code(esr_doctor::cloud::auth::SignInPrompt {
        user_code: "F7KQ2ZD9".into(),
        verification_uri: "https://microsoft.com/devicelogin".into(),
        expires_at: app.now + std::time::Duration::from_secs(600),
        message: String::new(),
        notice: notice.map(Into::into),
    })
}

/// The device-code pane in every language at 80×24, with the pending notice (its longest
/// form): the code, the page and both keys stay in view, inside the boxes' borders.
#[tokio::test]
async fn the_device_code_pane_fits_in_every_language() {
    for lang in [Lang::En, Lang::De, Lang::Nl] {
        let mut app = new_app("healthy");
        app.lang = lang;
        app.handle(Action::Enter);
        app.run_started(None);
        app.on_sign_in(code_waiting(
            &app,
            Some(esr_doctor::cloud::auth::device_code::PENDING_NOTICE),
        ));
        let screen = draw(&app, (80, 24));
        for shown in ["F 7 K Q 2 Z D 9", "devicelogin", "Esc", "--auth browser"] {
            assert!(
                screen.contains(shown),
                "{lang:?} lacks {shown:?}:\n{screen}"
            );
        }
        let rows: Vec<&str> = screen.lines().collect();
        // The boxes behind keep their right border: the pane stops one cell short of it.
        assert!(
            rows.iter()
                .skip(1)
                .take(21)
                .all(|r| { r.trim_end_matches('"').ends_with(['│', '╮', '╯']) }),
            "{lang:?}:\n{screen}"
        );
        insta::assert_snapshot!(format!("device-code-pane-{}-80x24", lang.code()), screen);
    }
}

/// In guided mode the explanation fills the lower half: the sign-in pane sits over the list's
/// upper right instead, so the trainer's text stays readable.
#[tokio::test]
async fn the_sign_in_pane_leaves_guided_modes_text_readable() {
    let mut app = new_app("rms-not-activated");
    app.handle(Action::Guided);
    app.run_started(None);
    app.on_sign_in(code_waiting(&app, None));
    let screen = draw(&app, (80, 24));
    assert!(screen.contains("F 7 K Q 2 Z D 9"), "{screen}");
    let why = screen
        .lines()
        .find(|l| l.contains("Why it matters"))
        .unwrap_or_default();
    assert!(
        !why.contains("Sign in") && why.matches('│').count() == 2,
        "the explanation's line is whole:\n{screen}"
    );
    insta::assert_snapshot!("sign-in-pane-guided-80x24", screen);
}
