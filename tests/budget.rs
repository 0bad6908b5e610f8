//! The parse budget: bundles that once drove the process to gigabytes (a 0.5 MB zip of eight
//! 63 MiB `[{},{},…]` files, megabytes of tiny XML elements) are decided by the real binary
//! with a peak RSS under 256 MiB, and the report names the offending file.
//!
//! Each case's figure is the child's own peak (`wait4`), printed so that
//! `scripts/bench-memory.sh` doubles as the benchmark.

#![cfg(target_os = "linux")]

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

/// The target for any bundle the size limits accept.
const PEAK_LIMIT_MIB: i64 = 256;

/// One evidence file of a hostile bundle: `head`, then `unit` `count` times, then `tail`.
struct Filler {
    path: &'static str,
    head: &'static str,
    unit: &'static str,
    count: usize,
    tail: &'static str,
}

impl Filler {
    /// `[{},{},…]` of about `mib` MiB.
    fn empty_objects(path: &'static str, mib: usize) -> Filler {
        Filler {
            path,
            head: "[",
            unit: "{},",
            count: (mib << 20) / 3,
            tail: "{}]",
        }
    }
}

fn write_zip(zip: &Path, files: &[Filler]) {
    let file = std::fs::File::create(zip).unwrap_or_else(|e| panic!("{e}"));
    let mut writer = zip::ZipWriter::new(file);
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(9));
    for filler in files {
        writer
            .start_file(filler.path, options)
            .unwrap_or_else(|e| panic!("{e}"));
        let chunk = filler.unit.repeat(64 * 1024);
        let mut left = filler.count;
        writer
            .write_all(filler.head.as_bytes())
            .unwrap_or_else(|e| panic!("{e}"));
        while left > 0 {
            let units = left.min(64 * 1024);
            let bytes = &chunk.as_bytes()[..units * filler.unit.len()];
            writer.write_all(bytes).unwrap_or_else(|e| panic!("{e}"));
            left -= units;
        }
        writer
            .write_all(filler.tail.as_bytes())
            .unwrap_or_else(|e| panic!("{e}"));
    }
    writer.finish().unwrap_or_else(|e| panic!("{e}"));
}

/// Runs `check --from zip --format json`; its report and its own peak RSS in MiB.
#[expect(
    clippy::zombie_processes,
    reason = "the child is reaped by wait4, which also gives its peak memory"
)]
fn check_with_peak(zip: &Path) -> (serde_json::Value, i64) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_esr-doctor"))
        .args(["check", "--format", "json", "--from"])
        .arg(zip)
        .env("XDG_STATE_HOME", zip.with_extension("state"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    let pid = i32::try_from(child.id()).unwrap_or_else(|e| panic!("{e}"));
    let watchdog = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_secs(120));
        // SAFETY: kill(2) on our own child's pid; harmless if it already ended.
        unsafe { libc::kill(pid, libc::SIGKILL) };
    });
    // Both pipes are drained meanwhile, so a chatty child cannot block on a full one.
    let drain = |pipe: Option<Box<dyn std::io::Read + Send>>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            if let Some(mut pipe) = pipe {
                let _ = pipe.read_to_end(&mut bytes);
            }
            bytes
        })
    };
    let stdout = drain(child.stdout.take().map(|p| Box::new(p) as _));
    let stderr = drain(child.stderr.take().map(|p| Box::new(p) as _));
    let mut status = 0;
    // SAFETY: zeroed rusage is a valid value for wait4 to fill in.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: wait4 on our own child; it is reaped here, so std's wait then finds it gone.
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(waited, pid, "wait4 failed");
    drop(watchdog);
    let stdout = stdout.join().unwrap_or_default();
    let stderr = stderr.join().unwrap_or_default();
    let report = serde_json::from_slice(&stdout)
        .unwrap_or_else(|e| panic!("no JSON report ({e}): {}", String::from_utf8_lossy(&stderr)));
    (report, usage.ru_maxrss / 1024)
}

/// Decides `files` and asserts the peak and that each `named` path is in the problems.
fn decided_in_bounded_memory(case: &str, files: &[Filler], named: &[&str], why: &str) {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let zip = dir.path().join("bundle.zip");
    write_zip(&zip, files);
    let zipped = std::fs::metadata(&zip).map_or(0, |m| m.len());
    let (report, peak) = check_with_peak(&zip);
    println!(
        "{case}: {} KiB zip, peak RSS {peak} MiB (limit {PEAK_LIMIT_MIB} MiB)",
        zipped >> 10
    );
    assert!(peak < PEAK_LIMIT_MIB, "{case}: peak RSS {peak} MiB");
    let problems = report["problems"].to_string();
    for path in named {
        assert!(
            problems.contains(path) && problems.contains(why),
            "{case}: {path} not named as {why:?}: {problems}"
        );
    }
}

const JSON_FILES: [&str; 8] = [
    "edge/Local State",
    "edge/Default/Preferences",
    "edge/Profile 1/Preferences",
    "edge/policies.json",
    "edge/sync-internals.json",
    "cloud/licenseDetails.json",
    "cloud/roamingSettings.json",
    "cloud/network.json",
];

#[test]
fn eight_63_mib_json_files_in_half_a_megabyte_of_zip() {
    let files: Vec<Filler> = JSON_FILES
        .iter()
        .map(|p| Filler::empty_objects(p, 63))
        .collect();
    decided_in_bounded_memory(
        "8 x 63 MiB [{},…]",
        &files,
        &JSON_FILES,
        "more than the 16 MiB",
    );
}

#[test]
fn json_files_within_the_size_cap_but_millions_of_values() {
    let files: Vec<Filler> = JSON_FILES[..4]
        .iter()
        .map(|p| Filler::empty_objects(p, 15))
        .collect();
    // The profile is decided from its first file: that is the one named.
    decided_in_bounded_memory(
        "4 x 15 MiB [{},…]",
        &files,
        &["edge/Local State", "edge/policies.json"],
        "JSON values",
    );
    let more: Vec<Filler> = JSON_FILES
        .iter()
        .map(|p| Filler::empty_objects(p, 15))
        .collect();
    decided_in_bounded_memory(
        "8 x 15 MiB [{},…]",
        &more,
        &JSON_FILES[4..],
        "the most one run reads",
    );
}

#[test]
fn megabytes_of_tiny_xml_elements() {
    let files = [Filler {
        path: "windows/events/System.xml",
        head: "<Event>",
        unit: "<a/>",
        count: (15 << 20) / 4,
        tail: "</Event>",
    }];
    decided_in_bounded_memory(
        "15 MiB of <a/>",
        &files,
        &["windows/events/System.xml"],
        "XML nodes",
    );
}

#[test]
fn one_63_mib_json_file() {
    let files = [Filler::empty_objects("edge/Default/Preferences", 63)];
    decided_in_bounded_memory(
        "1 x 63 MiB [{},…]",
        &files,
        &["edge/Default/Preferences"],
        "more than the 16 MiB",
    );
}

#[test]
fn the_most_a_bundle_may_hold_in_valid_json_within_the_value_budget() {
    // Few values, long strings: every file is parsed into a tree, the worst case that is read.
    let files: Vec<Filler> = JSON_FILES[..4]
        .iter()
        .map(|path| Filler {
            path,
            head: "{\"k\":[",
            unit: "\"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\",",
            count: (15 << 20) / 131,
            tail: "\"\"]}",
        })
        .collect();
    decided_in_bounded_memory("4 x 15 MiB of long strings", &files, &[], "");
}
