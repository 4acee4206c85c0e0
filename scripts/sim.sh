#!/usr/bin/env bash
# The mechanism simulation (SPEC §13, issue 16): every scenario of
# packages/attrib-sim/scenarios/ over its epochs and seeds on the real contracts
# (multi-test), built optimized (profile `soak`: release tuned for speed, not wasm size).
# Writes target/sim/<scenario>/: per-epoch CSV and JSON per seed, summary.json
# (p5/p50/p95 over seeds), report.md, SVG charts.
#   ATTRIB_SIM_THREADS  worker threads (default 2)
#   ATTRIB_SIM_ARGS     extra flags, e.g. "--epochs 20 --seeds 4"
#   ATTRIB_SIM_SCENARIOS  scenario files (default: all shipped)
# The gas each agent pays comes from packages/attrib-sim/gas-table.json; refresh it with
# `make gas && cp target/gas-table.json packages/attrib-sim/gas-table.json`.
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
scenarios="${ATTRIB_SIM_SCENARIOS:-$(ls "$ROOT"/packages/attrib-sim/scenarios/*.toml)}"
start=$(date +%s)
# shellcheck disable=SC2086
cargo run --locked --profile soak -p attrib-sim --bin attrib-sim -- \
  --out "$ROOT/target/sim" --threads "${ATTRIB_SIM_THREADS:-2}" ${ATTRIB_SIM_ARGS:-} $scenarios
step "sim finished in $(( $(date +%s) - start ))s (build included): target/sim/"
