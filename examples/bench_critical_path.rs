//! Measures how close a run's wall time comes to the critical path of its tenant requests.
//!
//! The emulator answers every endpoint after the same fixed delay and approves the sign-in at
//! once (a real one waits for a person). The critical path is computed from the emulator's own
//! request log: the longest chain of requests where each used what an earlier one returned.
//! The same run with one request at a time is the baseline. Run by
//! `scripts/bench-critical-path.sh`; prints figures, asserts nothing.

use esr_doctor::cloud::auth::device_code::DeviceCodeOptions;
use esr_doctor::cloud::http::HttpLimits;
use esr_doctor::cloud::live::{CloudConfig, CloudSession};
use esr_doctor::emulator::tenant::TenantData;
use esr_doctor::emulator::{Emulator, EmulatorConfig};
use esr_doctor::runner::{RunOptions, run};
use esr_doctor::sources::scenario;
use std::sync::Arc;
use std::time::{Duration, Instant};

const DELAY: Duration = Duration::from_millis(200);
const ROUNDS: usize = 3;

struct Round {
    wall: Duration,
    critical: Duration,
    chain: Vec<&'static str>,
    requests: usize,
}

async fn round(max_in_flight: Option<usize>) -> anyhow::Result<Round> {
    let mut source = scenario::load("healthy")?;
    source.latency.clear();
    let mut config = EmulatorConfig::new(TenantData::from_files(&source.files));
    config.latency = DELAY;
    let emulator = Emulator::start(config).await?;
    // Signed in to the device's tenant as on a device: its cloud is found beside the sign-in.
    let cloud = CloudConfig {
        device_tenant: esr_doctor::runner::gather::device_identity(&source).tenant,
        overrides: emulator.overrides(),
        no_cache: true,
        limits: HttpLimits {
            max_in_flight,
            ..HttpLimits::default()
        },
        device_code: DeviceCodeOptions {
            poll_interval: Some(Duration::ZERO),
            ..DeviceCodeOptions::default()
        },
        ..CloudConfig::default()
    };
    let source = esr_doctor::runner::Inputs::live(
        source,
        Arc::new(CloudSession::new(cloud, Arc::new(|_| {}))),
    );
    let started = Instant::now();
    let report = run(source, RunOptions::default(), None).await;
    let wall = started.elapsed();
    anyhow::ensure!(report.exit_code() == 0, "the healthy run did not pass");
    Ok(summarise(&emulator, wall))
}

fn summarise(emulator: &Emulator, wall: Duration) -> Round {
    let log = emulator.log();
    let path = emulator.critical_path();
    let chain = path
        .chain
        .iter()
        .filter_map(|id| log.iter().find(|e| e.id == *id).map(|e| e.endpoint))
        .collect();
    Round {
        wall,
        critical: path.total,
        chain,
        requests: log.len(),
    }
}

fn median(mut values: Vec<Duration>) -> Duration {
    values.sort();
    values[values.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut concurrent = Vec::new();
    let mut serial = Vec::new();
    for _ in 0..ROUNDS {
        concurrent.push(round(None).await?);
        serial.push(round(Some(1)).await?);
    }
    let wall = median(concurrent.iter().map(|r| r.wall).collect());
    let critical = median(concurrent.iter().map(|r| r.critical).collect());
    let one_at_a_time = median(serial.iter().map(|r| r.wall).collect());
    println!(
        "emulated delay per request: {} ms; {} requests per run; median of {ROUNDS} rounds",
        DELAY.as_millis(),
        concurrent[0].requests
    );
    println!("critical path: {}", concurrent[0].chain.join(" → "));
    println!("wall time (concurrent):        {:8.1} ms", ms(wall));
    println!("critical path (emulator log):  {:8.1} ms", ms(critical));
    println!(
        "wall time (one at a time):     {:8.1} ms",
        ms(one_at_a_time)
    );
    println!(
        "wall / critical path:          {:8.3}   (target ≤ 1.10)",
        ms(wall) / ms(critical)
    );
    println!(
        "wall / one-at-a-time:          {:8.3}   (target ≤ 0.35)",
        ms(wall) / ms(one_at_a_time)
    );
    Ok(())
}
