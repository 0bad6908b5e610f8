//! The tenant emulator survives running out of file descriptors: its accept loop waits instead
//! of spinning at 100 % CPU, and it answers again once descriptors are free. Its own test
//! binary: it lowers the process's descriptor limit.

#![cfg(unix)]

mod common;

use std::time::Duration;

/// CPU time this process has used so far.
fn cpu_time() -> Duration {
    // SAFETY: getrusage fills the struct it is given and reads nothing else.
    let usage = unsafe {
        let mut usage = std::mem::zeroed::<libc::rusage>();
        libc::getrusage(libc::RUSAGE_SELF, &mut usage);
        usage
    };
    let micros = |t: libc::timeval| t.tv_sec as u64 * 1_000_000 + t.tv_usec as u64;
    Duration::from_micros(micros(usage.ru_utime) + micros(usage.ru_stime))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_emulator_waits_when_descriptors_run_out_and_recovers() {
    let source = common::scenario_source("healthy");
    let emulator = common::emulator_for(&source).await;
    let base = emulator
        .overrides()
        .get(esr_doctor::cloud::endpoints::Host::Graph)
        .map_or_else(
            || panic!("no graph base"),
            |b| b.trim_start_matches("http://").to_owned(),
        );
    // SAFETY: get/setrlimit read and fill the struct they are given; lowering the soft limit
    // is always allowed.
    unsafe {
        let mut limit = std::mem::zeroed::<libc::rlimit>();
        libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit);
        limit.rlim_cur = 64;
        assert_eq!(libc::setrlimit(libc::RLIMIT_NOFILE, &limit), 0);
    }
    // Connections until no descriptor is left: the emulator's accept then fails with EMFILE.
    let mut held = Vec::new();
    while let Ok(stream) = std::net::TcpStream::connect(&base) {
        held.push(stream);
        if held.len() > 200 {
            break;
        }
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let before = cpu_time();
    tokio::time::sleep(Duration::from_secs(1)).await;
    let spent = cpu_time().checked_sub(before).unwrap();
    assert!(
        spent < Duration::from_millis(500),
        "the accept loop spun: {spent:?} of CPU in one idle second"
    );
    held.clear();
    // Descriptors are free again: the emulator answers.
    let client =
        esr_doctor::cloud::http::build_client(&esr_doctor::cloud::http::HttpLimits::default())
            .unwrap_or_else(|e| panic!("{e}"));
    let answer = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            let reply = client
                .get(format!(
                    "http://{base}/organizations/v2.0/.well-known/openid-configuration"
                ))
                .send()
                .await;
            if let Ok(reply) = reply {
                return reply.status().as_u16();
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    })
    .await;
    assert_eq!(answer.ok(), Some(200));
}
