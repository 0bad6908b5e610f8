//! The real binary in a pseudo-terminal (portable-pty, so it runs on Windows too), its output
//! kept in a vt100 screen, for the end-to-end tests.

use portable_pty::{Child, CommandBuilder, MasterPty, PtySize, native_pty_system};
use std::io::{Read, Write};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The real binary in a pseudo-terminal of a given size, its output kept in a vt100 screen.
pub struct Pty {
    screen: Arc<Mutex<vt100::Parser>>,
    raw: Arc<Mutex<Vec<u8>>>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn Child + Send + Sync>,
    _master: Box<dyn MasterPty + Send>,
}

impl Pty {
    pub fn start(args: &[&str], cwd: &Path, cols: u16, rows: u16) -> Pty {
        Pty::start_with_env(args, cwd, cols, rows, &[])
    }

    /// `start`, with these environment variables set too.
    pub fn start_with_env(
        args: &[&str],
        cwd: &Path,
        cols: u16,
        rows: u16,
        env: &[(&str, &str)],
    ) -> Pty {
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
        command.env_remove("LC_ALL");
        command.env_remove("LC_MESSAGES");
        command.env("TERM", "xterm-256color");
        command.env("XDG_STATE_HOME", cwd);
        for (key, value) in env {
            command.env(key, value);
        }
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
        let raw = Arc::new(Mutex::new(Vec::new()));
        let (fed, kept) = (Arc::clone(&screen), Arc::clone(&raw));
        std::thread::spawn(move || {
            let mut buffer = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buffer) {
                if n == 0 {
                    break;
                }
                if let Ok(mut parser) = fed.lock() {
                    parser.process(&buffer[..n]);
                }
                if let Ok(mut bytes) = kept.lock() {
                    bytes.extend_from_slice(&buffer[..n]);
                }
            }
        });
        Pty {
            screen,
            raw,
            writer,
            child,
            _master: pair.master,
        }
    }

    /// Types keys, one at a time (so an Esc is never read as Alt+<next key>).
    pub fn keys(&mut self, keys: &[&str]) {
        for key in keys {
            let _ = self.writer.write_all(key.as_bytes());
            let _ = self.writer.flush();
            std::thread::sleep(Duration::from_millis(120));
        }
    }

    pub fn screen(&self) -> String {
        self.screen
            .lock()
            .map(|p| p.screen().contents())
            .unwrap_or_default()
    }

    pub fn alternate_screen_on(&self) -> bool {
        self.screen
            .lock()
            .is_ok_and(|p| p.screen().alternate_screen())
    }

    /// Waits (bounded) until the screen shows `text`.
    pub fn wait_for(&self, text: &str) -> String {
        self.wait_until(text, |screen| screen.contains(text))
    }

    /// Waits (bounded) until the screen satisfies `ok`; `what` names it in the failure.
    pub fn wait_until(&self, what: &str, ok: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let screen = self.screen();
            if ok(&screen) {
                return screen;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}; the screen shows:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Waits (bounded) for the program to end; its exit code.
    pub fn exit_code(&mut self) -> u32 {
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

impl Pty {
    /// Everything the program wrote, as bytes (escape sequences included), once it ended.
    pub fn raw(&self) -> Vec<u8> {
        self.raw.lock().map(|r| r.clone()).unwrap_or_default()
    }
}

impl Drop for Pty {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}
