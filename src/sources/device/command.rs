//! Running a command with a timeout, capturing its output without risking a full pipe or
//! unbounded memory.

use super::DeviceContext;
use crate::sources::read::MAX_FILE_BYTES;
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

/// Runs `program args` found on the context's `PATH`; errors are sentences for the manifest.
pub fn run(ctx: &DeviceContext, program: &str, args: &[&str]) -> Result<Output, String> {
    let resolved = ctx
        .find_program(program)
        .ok_or_else(|| format!("{program}: command not found"))?;
    let mut child = Command::new(&resolved)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("{program}: {e}"))?;
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
    let status = match child
        .wait_timeout(ctx.command_timeout)
        .map_err(|e| format!("{program}: {e}"))?
    {
        Some(status) => status,
        None => {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!(
                "{program} {} did not finish within {} s and was stopped",
                args.join(" "),
                ctx.command_timeout.as_secs()
            ));
        }
    };
    let output = Output {
        stdout: collected(stdout),
        stderr: collected(stderr),
        status: status.code(),
    };
    if output.stdout.len() as u64 > MAX_FILE_BYTES {
        return Err(format!(
            "{program} {} printed more than {} MiB; its output was not used",
            args.join(" "),
            MAX_FILE_BYTES >> 20
        ));
    }
    Ok(output)
}
