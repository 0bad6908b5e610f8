#!/usr/bin/env bash
# Prints the peak memory (RSS, from wait4) of `check --from` on the hostile bundles of the
# parse-budget test: zips of tens of MiB of `[{},{},…]`, megabytes of tiny XML elements, and
# the most valid JSON a bundle may hold. The test asserts each stays under 256 MiB; this
# prints the figures, for the release build by default (`--debug` for the test build).
set -euo pipefail
cd "$(dirname "$0")/.."
profile=(--release)
[[ "${1:-}" == "--debug" ]] && profile=()
cargo test --quiet "${profile[@]}" --test budget -- --nocapture --test-threads=1 2>&1 |
    grep -E 'peak RSS|test result'
