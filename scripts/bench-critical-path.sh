#!/usr/bin/env bash
# Prints how close a run's wall time comes to the critical path of its tenant requests
# (emulator with a fixed delay per request), and the same run with one request at a time.
# Figures only: nothing here passes or fails on timing.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo run --quiet --release --example bench_critical_path
