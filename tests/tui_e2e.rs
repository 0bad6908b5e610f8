//! Drives the real binary in tmux the way a trainer would: start the rms-not-activated demo,
//! wait for the checks, open the RMS step and its guidance, open the help, export the markdown
//! report, quit, and check the exit code and that the terminal was restored.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

struct Tmux {
    session: String,
}

impl Tmux {
    fn start(name: &str, command: &str, width: u16, height: u16) -> Tmux {
        let available = Command::new("tmux")
            .arg("-V")
            .output()
            .is_ok_and(|o| o.status.success());
        assert!(
            available,
            "tmux is needed for this test (apt-get install tmux); .ci/run installs it"
        );
        let session = format!("esr-e2e-{name}-{}", std::process::id());
        let status = Command::new("tmux")
            .args([
                "new-session",
                "-d",
                "-s",
                &session,
                "-x",
                &width.to_string(),
                "-y",
                &height.to_string(),
                command,
            ])
            .env("LANG", "C.UTF-8")
            .status()
            .unwrap_or_else(|e| panic!("tmux: {e}"));
        assert!(status.success(), "tmux new-session failed");
        Tmux { session }
    }

    fn keys(&self, keys: &[&str]) {
        for key in keys {
            let status = Command::new("tmux")
                .args(["send-keys", "-t", &self.session, key])
                .status();
            assert!(status.is_ok_and(|s| s.success()), "send-keys {key}");
            // Separate keys so an Esc is never read as Alt+<next key>.
            std::thread::sleep(Duration::from_millis(120));
        }
    }

    fn screen(&self) -> String {
        let output = Command::new("tmux")
            .args(["capture-pane", "-p", "-t", &self.session])
            .output();
        output
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
            .unwrap_or_default()
    }

    fn alternate_screen_on(&self) -> bool {
        let output = Command::new("tmux")
            .args([
                "display-message",
                "-p",
                "-t",
                &self.session,
                "#{alternate_on}",
            ])
            .output();
        output.is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "1")
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
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["kill-session", "-t", &self.session])
            .status();
    }
}

fn wait_for_file(path: &Path) -> String {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        if let Ok(text) = std::fs::read_to_string(path)
            && !text.is_empty()
        {
            return text;
        }
        assert!(
            Instant::now() < deadline,
            "{} never appeared",
            path.display()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn trainer_walks_the_rms_demo_and_exports_the_report() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let binary = env!("CARGO_BIN_EXE_esr-doctor");
    let rc_file = dir.path().join("rc");
    let command = format!(
        "cd '{}' && '{binary}' --demo rms-not-activated; echo $? > '{}'; echo EXITED; sleep 30",
        dir.path().display(),
        rc_file.display()
    );
    let tmux = Tmux::start("trainer", &command, 100, 30);
    tmux.wait_for("Welcome");
    tmux.keys(&["Enter"]);
    tmux.wait_for("9/9 checks");
    tmux.keys(&["j", "j", "j", "j"]);
    tmux.wait_for("RMS_NOT_ACTIVATED");
    tmux.keys(&["Enter"]);
    tmux.wait_for("Azure RMS activation — evidence");
    tmux.keys(&["Tab"]);
    tmux.wait_for("Enable-AipService");
    tmux.keys(&["?"]);
    tmux.wait_for("Ctrl-C quits at once");
    tmux.keys(&["Escape"]);
    tmux.keys(&["e"]);
    let export = tmux.wait_for("Export the report");
    assert!(
        export.contains("esr-doctor-report-"),
        "default file name with the date:\n{export}"
    );
    tmux.keys(&["Enter"]);
    tmux.wait_for("Wrote ");
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
    tmux.keys(&["Escape"]);
    tmux.keys(&["Escape"]);
    tmux.keys(&["q"]);
    assert_eq!(wait_for_file(&rc_file).trim(), "0", "exit code");
    let after = tmux.wait_for("EXITED");
    assert!(
        !tmux.alternate_screen_on(),
        "the alternate screen was left on"
    );
    assert!(
        after.contains("Verdict: FAIL") && after.contains("Azure RMS activation"),
        "plain summary left behind:\n{after}"
    );
}

#[test]
fn ctrl_c_restores_the_terminal_even_while_checks_run() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let binary = env!("CARGO_BIN_EXE_esr-doctor");
    let rc_file = dir.path().join("rc");
    let command = format!(
        "'{binary}' --demo healthy; echo $? > '{}'; sleep 30",
        rc_file.display()
    );
    let tmux = Tmux::start("ctrl-c", &command, 80, 24);
    tmux.wait_for("Welcome");
    tmux.keys(&["Enter", "C-c"]);
    assert_eq!(wait_for_file(&rc_file).trim(), "0");
    assert!(!tmux.alternate_screen_on());
}

#[test]
fn the_demo_shows_a_sign_in_code_and_esc_skips_the_tenant_checks() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let binary = env!("CARGO_BIN_EXE_esr-doctor");
    let rc_file = dir.path().join("rc");
    let command = format!(
        "'{binary}' --demo healthy; echo $? > '{}'; echo EXITED; sleep 30",
        rc_file.display()
    );
    let tmux = Tmux::start("sign-in", &command, 80, 24);
    tmux.wait_for("Welcome");
    tmux.keys(&["Enter"]);
    let pane = tmux.wait_for("Sign in to read the tenant");
    assert!(
        pane.contains("devicelogin") && pane.contains("expires in"),
        "{pane}"
    );
    // The device checks are decided while the code waits for the person.
    tmux.wait_for("Edge 142");
    tmux.keys(&["Escape"]);
    let finished = tmux.wait_for("9/9 checks");
    assert!(
        !finished.contains("Sign in to read the tenant"),
        "the pane closes:\n{finished}"
    );
    tmux.keys(&["q"]);
    assert_eq!(wait_for_file(&rc_file).trim(), "0");
    let after = tmux.wait_for("EXITED");
    assert!(
        after.contains("INCOMPLETE") || after.contains("incomplete"),
        "{after}"
    );
}
