//! Running a command with a timeout, capturing its output without risking a full pipe.

use super::DeviceContext;
use std::io::Read;
use std::process::{Command, Stdio};
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
    // Read both pipes on their own threads so a chatty command cannot block on a full pipe.
    let reader = |pipe: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            if let Some(mut pipe) = pipe {
                let _ = pipe.read_to_end(&mut bytes);
            }
            bytes
        })
    };
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
    Ok(Output {
        stdout: stdout.join().unwrap_or_default(),
        stderr: stderr.join().unwrap_or_default(),
        status: status.code(),
    })
}
