//! Helpers shared by the tests that read a tenant through the emulator over loopback.

#![allow(dead_code)] // each test binary uses the part it needs

pub mod english;
pub mod pty;

use esr_doctor::cloud::auth::device_code::DeviceCodeOptions;
use esr_doctor::cloud::auth::{AuthMode, PromptSink, SignInEvent};
use esr_doctor::cloud::http::HttpLimits;
use esr_doctor::cloud::live::{CloudConfig, CloudSession};
use esr_doctor::emulator::tenant::TenantData;
use esr_doctor::emulator::{Emulator, EmulatorConfig};
use esr_doctor::sources::{LoadedSource, scenario};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Every cell of the wizard's screen at 120×40, as one string.
pub fn screen_text(app: &esr_doctor::tui::app::App) -> String {
    screen_text_sized(app, 120, 40)
}

/// Every cell of the wizard's screen at `width`×`height`, as one string.
pub fn screen_text_sized(app: &esr_doctor::tui::app::App, width: u16, height: u16) -> String {
    let backend = ratatui::backend::TestBackend::new(width, height);
    let mut terminal = ratatui::Terminal::new(backend).unwrap_or_else(|e| panic!("{e}"));
    terminal
        .draw(|frame| esr_doctor::tui::view::render(frame, app))
        .unwrap_or_else(|e| panic!("{e}"));
    terminal
        .backend()
        .buffer()
        .content()
        .iter()
        .map(|cell| cell.symbol().to_owned())
        .collect()
}

/// The first file in `dir` whose name ends in `.{extension}` (what a screen wrote there).
pub fn written_file(dir: &std::path::Path, extension: &str) -> Option<std::path::PathBuf> {
    std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == extension))
}

/// Writes `files` as a folder bundle at `dir`.
pub fn write_bundle(files: &esr_doctor::evidence::EvidenceFiles, dir: &std::path::Path) {
    for path in files.paths() {
        let file = dir.join(path);
        if let Some(parent) = file.parent() {
            std::fs::create_dir_all(parent).unwrap_or_else(|e| panic!("{e}"));
        }
        std::fs::write(&file, files.bytes(path).unwrap_or_default())
            .unwrap_or_else(|e| panic!("{e}"));
    }
}

/// A demo scenario's evidence with no simulated device latency.
pub fn scenario_source(name: &str) -> LoadedSource {
    let mut source = scenario::load(name).unwrap_or_else(|e| panic!("{e}"));
    source.latency.clear();
    source
}

/// An emulator serving the scenario's tenant, answering at once.
pub async fn emulator_for(source: &LoadedSource) -> Emulator {
    let config = EmulatorConfig::new(TenantData::from_files(&source.files));
    Emulator::start(config)
        .await
        .unwrap_or_else(|e| panic!("emulator: {e}"))
}

/// Cloud settings for tests: short timeouts and quick polling, no keyring.
pub fn fast_config(emulator: &Emulator) -> CloudConfig {
    CloudConfig {
        auth: AuthMode::DeviceCode,
        overrides: emulator.overrides(),
        no_cache: true,
        limits: HttpLimits {
            request_timeout: Duration::from_millis(400),
            backoff: Duration::from_millis(10),
            ..HttpLimits::default()
        },
        device_code: DeviceCodeOptions {
            poll_interval: Some(Duration::from_millis(10)),
            slow_down_step: Duration::from_millis(200),
            call_budget: Duration::from_secs(3),
            ..DeviceCodeOptions::default()
        },
        data_budget: Duration::from_secs(3),
        ..CloudConfig::default()
    }
}

/// [`fast_config`] signing in with the browser flow, the emulator playing the browser.
pub fn browser_config(emulator: &Emulator) -> CloudConfig {
    CloudConfig {
        auth: AuthMode::Browser,
        browser: esr_doctor::cloud::auth::browser::BrowserOptions {
            deadline: Duration::from_secs(3),
            opener: esr_doctor::emulator::browser::opener(Duration::ZERO),
        },
        ..fast_config(emulator)
    }
}

/// Every sign-in event, in order.
#[derive(Clone, Default)]
pub struct Events(pub Arc<Mutex<Vec<SignInEvent>>>);

impl Events {
    pub fn sink(&self) -> PromptSink {
        let events = Arc::clone(&self.0);
        Arc::new(move |event| {
            if let Ok(mut list) = events.lock() {
                list.push(event);
            }
        })
    }

    pub fn all(&self) -> Vec<SignInEvent> {
        self.0.lock().map(|l| l.clone()).unwrap_or_default()
    }
}

/// A session on `config`, recording its sign-in events.
pub fn session(config: CloudConfig, events: &Events) -> Arc<CloudSession> {
    Arc::new(CloudSession::new(config, events.sink()))
}

/// Writes an endpoints file at `path` that points every host at `emulator`.
pub fn write_endpoints_file(emulator: &Emulator, path: &std::path::Path) {
    let overrides = emulator.overrides();
    let table: String = esr_doctor::cloud::endpoints::Host::ALL
        .iter()
        .filter_map(|host| Some(format!("{} = \"{}\"\n", host.key(), overrides.get(*host)?)))
        .collect();
    std::fs::write(path, table).unwrap_or_else(|e| panic!("{e}"));
}

/// Runs the real binary with `args` in its own home (config, state and keyring paths under
/// `home`, no D-Bus), off the async runtime, within a minute.
pub async fn run_binary_at(home: &std::path::Path, args: Vec<String>) -> std::process::Output {
    let home = home.to_path_buf();
    tokio::task::spawn_blocking(move || {
        assert_cmd::Command::cargo_bin("esr-doctor")
            .unwrap_or_else(|e| panic!("{e}"))
            .args(&args)
            .env("HOME", &home)
            .env("XDG_CONFIG_HOME", home.join(".config"))
            .env("XDG_STATE_HOME", &home)
            .env("ESR_DOCTOR_CONFIG", home.join("none.toml"))
            .env_remove("DBUS_SESSION_BUS_ADDRESS")
            .timeout(Duration::from_secs(60))
            .output()
            .unwrap_or_else(|e| panic!("{e}"))
    })
    .await
    .unwrap_or_else(|e| panic!("{e}"))
}

/// Each check's status in a JSON report, in order.
pub fn statuses(report: &serde_json::Value) -> Vec<&str> {
    report["checks"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["status"].as_str())
        .collect()
}

/// One check of a JSON report, by id (`null` when the report has none).
pub fn check_in(report: &serde_json::Value, id: &str) -> serde_json::Value {
    report["checks"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|c| c["id"] == id)
        .cloned()
        .unwrap_or_default()
}

/// The endpoints the emulator served, in order.
pub fn endpoints(emulator: &Emulator) -> Vec<&'static str> {
    emulator.log().iter().map(|e| e.endpoint).collect()
}

/// A listener on loopback that records what every connection sends (a proxy or an admin
/// host that must never be reached), without answering.
pub struct Capture {
    pub port: u16,
    connections: Arc<std::sync::atomic::AtomicUsize>,
    received: Arc<Mutex<Vec<u8>>>,
}

impl Capture {
    pub fn start() -> Capture {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("{e}"));
        let port = listener
            .local_addr()
            .unwrap_or_else(|e| panic!("{e}"))
            .port();
        let connections = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let received = Arc::new(Mutex::new(Vec::new()));
        let (count, bytes) = (Arc::clone(&connections), Arc::clone(&received));
        std::thread::spawn(move || {
            for mut stream in listener.incoming().flatten() {
                count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let _ = stream.set_read_timeout(Some(Duration::from_millis(300)));
                let mut buffer = [0u8; 4096];
                if let Ok(n) = std::io::Read::read(&mut stream, &mut buffer)
                    && let Ok(mut all) = bytes.lock()
                {
                    all.extend_from_slice(&buffer[..n]);
                }
            }
        });
        Capture {
            port,
            connections,
            received,
        }
    }

    pub fn connections(&self) -> usize {
        self.connections.load(std::sync::atomic::Ordering::SeqCst)
    }

    pub fn received(&self) -> String {
        String::from_utf8_lossy(&self.received.lock().map(|b| b.clone()).unwrap_or_default())
            .into_owned()
    }
}

/// Asserts that every tenant check of `report` is skipped for want of a sign-in, each reason
/// containing every one of `words`.
pub fn assert_tenant_checks_signed_out(report: &esr_doctor::model::Report, words: &[&str]) {
    use esr_doctor::model::{CheckId, SkipKind, Status};
    for id in [CheckId::TenantEsr, CheckId::License, CheckId::Rms] {
        let check = report.check(id).unwrap_or_else(|| panic!("{id} missing"));
        let reason = check.reason.clone().unwrap_or_default();
        assert_eq!(
            (check.status, check.skip_kind),
            (Status::Skipped, Some(SkipKind::NeedsSignIn)),
            "{id}: {reason}"
        );
        for word in words {
            assert!(reason.contains(word), "{id} lacks {word:?}: {reason}");
        }
    }
}
