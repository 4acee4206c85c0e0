#!/usr/bin/env bash
# The whole test suite, as CI runs it. Installs what it needs (wasm target, wasm-opt,
# cosmwasm-check, wasmd) under ~/.cache/attrib and reuses it afterwards.
#   fmt + clippy → unit and multi-tests → the metering service's store on PostgreSQL →
#   fuzzing (short) → schema and TypeScript client drift, dashboard unit tests →
#   scripts/e2e.sh: wasm build +
#   cosmwasm-check (through deploy.sh, so the contracts are built once), a fresh local
#   wasmd chain, the end-to-end tests that `cargo test` lists as ignored, the TypeScript
#   clients' Node test and the dashboard in Chromium on that chain → the metering
#   service (end to end and 50 kill -9s), the auditor, and both together with a cheating
#   operator, each on a chain of its own
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
# Every later build resolves features as the unit tests' `cargo test --workspace` (env.sh).
export ATTRIB_WORKSPACE_BUILD=1
start=$(date +%s)
ensure_wasm_tools

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy --all-targets -- -D warnings"
cargo clippy --locked --workspace --all-targets -- -D warnings

step "unit and multi-test suites"
cargo test --locked --workspace

step "the metering service on PostgreSQL 15: store suite and HTTP API (the failover runs with meter-e2e.sh's chain)"
METER_PG_FAILOVER=0 bash scripts/meter-pg.sh

step "fuzzing: every target briefly (scripts/fuzz.sh ci)"
bash scripts/fuzz.sh ci

step "schema drift"
bash scripts/schema.sh check

step "TypeScript clients: drift from schema/ and tsc; the dashboard's type check and unit tests"
bash scripts/ts.sh check
ensure_npm_deps "$ROOT/dashboard"
(cd dashboard && npx --no-install tsc --noEmit -p . && npm test --silent)

step "wasm build and cosmwasm-check, end-to-end tests on a local wasmd chain, the TypeScript clients and the dashboard there"
bash scripts/e2e.sh

step "the metering service on its own chain: end to end, the kill -9 crash test (50 kills), failover on PostgreSQL"
METER_CRASH_RUNS="${METER_CRASH_RUNS:-50}" bash scripts/meter-e2e.sh

step "the auditor on its own chain: it catches each cheating batch by itself"
bash scripts/e2e-auditor.sh

step "meter, auditor and load generator together: an operator made to cheat four ways is caught"
bash scripts/e2e-services.sh

step "all tests passed in $(( $(date +%s) - start ))s"
