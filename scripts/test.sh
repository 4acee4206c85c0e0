#!/usr/bin/env bash
# The whole test suite, as CI runs it. Installs what it needs (wasm target, wasm-opt,
# cosmwasm-check, wasmd) under ~/.cache/attrib and reuses it afterwards.
#   fmt + clippy → unit and multi-tests → wasm build + cosmwasm-check → schema drift
#   → end-to-end tests against a fresh local wasmd chain (scripts/e2e.sh runs the tests
#     that `cargo test` lists as ignored: they need a chain)
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
start=$(date +%s)
ensure_wasm_tools

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy --all-targets -- -D warnings"
cargo clippy --locked --workspace --all-targets -- -D warnings

step "unit and multi-test suites"
cargo test --locked --workspace

step "wasm build and cosmwasm-check"
bash scripts/build-wasm.sh

step "schema drift"
bash scripts/schema.sh check

step "end-to-end tests on a local wasmd chain"
bash scripts/e2e.sh

step "all tests passed in $(( $(date +%s) - start ))s"
