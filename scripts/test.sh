#!/usr/bin/env bash
# The whole test suite, as CI runs it. Installs what it needs (wasm target, wasm-opt,
# cosmwasm-check, wasmd) under ~/.cache/attrib and reuses it afterwards.
#   fmt + clippy → unit and multi-tests → fuzzing (short) → schema drift → scripts/e2e.sh: wasm build +
#   cosmwasm-check (through deploy.sh, so the contracts are built once), a fresh local
#   wasmd chain, and the end-to-end tests that `cargo test` lists as ignored
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
start=$(date +%s)
ensure_wasm_tools

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy --all-targets -- -D warnings"
cargo clippy --locked --workspace --all-targets -- -D warnings

step "unit and multi-test suites"
cargo test --locked --workspace

step "fuzzing: every target briefly (scripts/fuzz.sh ci)"
bash scripts/fuzz.sh ci

step "schema drift"
bash scripts/schema.sh check

step "wasm build and cosmwasm-check, end-to-end tests on a local wasmd chain"
bash scripts/e2e.sh

step "all tests passed in $(( $(date +%s) - start ))s"
