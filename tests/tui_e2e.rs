//! Drives the real binary in a pseudo-terminal the way a trainer would (portable-pty, so it
//! runs on Windows too, and a vt100 parser to read the screen): start a demo, wait for the
//! checks, open steps, guidance and help, export the markdown report, sign in or skip it, quit,
//! and check the exit code and that the terminal was restored.

use portable_pty::{Child, CommandBuilder, MasterPty, PtySize, native_pty_system};
use std::io::{Read, Write};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The real binary in a pseudo-terminal of a given size, its output kept in a vt100 screen.
struct Pty {
    screen: Arc<Mutex<vt100::Parser>>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn Child + Send + Sync>,
    _master: Box<dyn MasterPty + Send>,
}

impl Pty {
    fn start(args: &[&str], cwd: &Path, cols: u16, rows: u16) -> Pty {
        let pair = native_pty_system()
            .openpty(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .unwrap_or_else(|e| panic!("openpty: {e}"));
        let mut command = CommandBuilder::new(env!("CARGO_BIN_EXE_esr-doctor"));
        command.args(args);
        command.cwd(cwd);
        command.env("LANG", "C.UTF-8");
        command.env("TERM", "xterm-256color");
        command.env("XDG_STATE_HOME", cwd);
        let child = pair
            .slave
            .spawn_command(command)
            .unwrap_or_else(|e| panic!("spawn: {e}"));
        drop(pair.slave);
        let mut reader = pair
            .master
            .try_clone_reader()
            .unwrap_or_else(|e| panic!("{e}"));
        let writer = pair.master.take_writer().unwrap_or_else(|e| panic!("{e}"));
        let size = |n: u16| std::num::NonZeroU16::new(n).unwrap_or(std::num::NonZeroU16::MIN);
        let screen = Arc::new(Mutex::new(vt100::Parser::new(size(rows), size(cols), 0)));
        let fed = Arc::clone(&screen);
        std::thread::spawn(move || {
            let mut buffer = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buffer) {
                if n == 0 {
                    break;
                }
                if let Ok(mut parser) = fed.lock() {
                    parser.process(&buffer[..n]);
                }
            }
        });
        Pty {
            screen,
            writer,
            child,
            _master: pair.master,
        }
    }

    /// Types keys, one at a time (so an Esc is never read as Alt+<next key>).
    fn keys(&mut self, keys: &[&str]) {
        for key in keys {
            let _ = self.writer.write_all(key.as_bytes());
            let _ = self.writer.flush();
            std::thread::sleep(Duration::from_millis(120));
        }
    }

    fn screen(&self) -> String {
        self.screen
            .lock()
            .map(|p| p.screen().contents())
            .unwrap_or_default()
    }

    fn alternate_screen_on(&self) -> bool {
        self.screen
            .lock()
            .is_ok_and(|p| p.screen().alternate_screen())
    }

    /// Waits (bounded) until the screen shows `text`.
    fn wait_for(&self, text: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let screen = self.screen();
            if screen.contains(text) {
                return screen;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {text:?}; the screen shows:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Waits (bounded) for the program to end; its exit code.
    fn exit_code(&mut self) -> u32 {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                // Let the last output reach the screen.
                std::thread::sleep(Duration::from_millis(200));
                return status.exit_code();
            }
            assert!(Instant::now() < deadline, "the wizard did not exit");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Pty {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}

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
    pty.wait_for("9/9 checks");
    pty.keys(&["j", "j", "j", "j"]);
    pty.wait_for("RMS_NOT_ACTIVATED");
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
    let exported = std::fs::read_dir(dir.path())
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "md"))
        .unwrap_or_else(|| panic!("no markdown file was written"));
    let markdown = std::fs::read_to_string(&exported).unwrap_or_default();
    assert!(
        markdown.contains("## esr-doctor report: FAIL") && markdown.contains("Enable-AipService")
    );
    pty.keys(&[ESC, ESC, "q"]);
    assert_eq!(pty.exit_code(), 0, "exit code");
    assert!(
        !pty.alternate_screen_on(),
        "the alternate screen was left on"
    );
    let after = pty.screen();
    assert!(
        after.contains("Verdict: FAIL") && after.contains("Azure RMS activation"),
        "plain summary left behind:\n{after}"
    );
}

#[test]
fn ctrl_c_restores_the_terminal_even_while_checks_run() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let mut pty = Pty::start(&["--demo", "healthy"], dir.path(), 80, 24);
    pty.wait_for("Welcome");
    pty.keys(&[ENTER, CTRL_C]);
    assert_eq!(pty.exit_code(), 0);
    assert!(!pty.alternate_screen_on());
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
    pty.keys(&[ESC]);
    let finished = pty.wait_for("9/9 checks");
    assert!(
        !finished.contains("Sign in to read the tenant"),
        "the pane closes:\n{finished}"
    );
    pty.keys(&["q"]);
    assert_eq!(pty.exit_code(), 0);
    let after = pty.screen();
    assert!(after.contains("INCOMPLETE"), "{after}");
}
