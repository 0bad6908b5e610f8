//! Running a command with a timeout, capturing its output without risking a full pipe or
//! unbounded memory.

use super::DeviceContext;
use crate::evidence::read::MAX_FILE_BYTES;
use std::io::Read;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// How long the output of a command that has ended is still waited for.
const PIPE_GRACE: Duration = Duration::from_secs(2);
use wait_timeout::ChildExt;

/// What a command printed and how it ended.
#[derive(Debug, Clone, PartialEq)]
pub struct Output {
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    pub status: Option<i32>,
}

/// Why a command gave no output to use; each reads as a sentence for the manifest.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CommandError {
    #[error("{program}: command not found")]
    NotFound { program: String },
    #[error("{program}: {reason}")]
    Failed { program: String, reason: String },
    #[error("{command} did not finish within {seconds} s and was stopped")]
    TimedOut { command: String, seconds: u64 },
    #[error("{command} printed more than {mib} MiB; its output was not used")]
    TooMuchOutput { command: String, mib: u64 },
}

/// Runs `program args` found on the context's `PATH`.
pub fn run(ctx: &DeviceContext, program: &str, args: &[&str]) -> Result<Output, CommandError> {
    let failed = |e: std::io::Error| CommandError::Failed {
        program: program.to_owned(),
        reason: e.to_string(),
    };
    let command = || format!("{program} {}", args.join(" "));
    let resolved = ctx
        .find_program(program)
        .ok_or_else(|| CommandError::NotFound {
            program: program.to_owned(),
        })?;
    let mut child = Command::new(&resolved)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(failed)?;
    // Read both pipes on their own threads so a chatty command cannot block on a full pipe;
    // past the evidence file cap the pipe is closed, which ends a command that keeps writing.
    // The bytes come back over a channel, so a pipe a grandchild keeps open is waited on only
    // briefly, never joined for ever.
    let reader = |pipe: Option<Box<dyn Read + Send>>| {
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            if let Some(pipe) = pipe {
                let _ = pipe.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes);
            }
            let _ = tx.send(bytes);
        });
        rx
    };
    let collected = |rx: mpsc::Receiver<Vec<u8>>| rx.recv_timeout(PIPE_GRACE).unwrap_or_default();
    let stdout = reader(
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let stderr = reader(
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let Some(status) = child.wait_timeout(ctx.command_timeout).map_err(failed)? else {
        let _ = child.kill();
        let _ = child.wait();
        return Err(CommandError::TimedOut {
            command: command(),
            seconds: ctx.command_timeout.as_secs(),
        });
    };
    let output = Output {
        stdout: collected(stdout),
        stderr: collected(stderr),
        status: status.code(),
    };
    if output.stdout.len() as u64 > MAX_FILE_BYTES {
        return Err(CommandError::TooMuchOutput {
            command: command(),
            mib: MAX_FILE_BYTES >> 20,
        });
    }
    Ok(output)
}
