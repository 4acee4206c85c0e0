#!/usr/bin/env bash
# The whole test suite, as CI runs it. Installs what it needs (wasm target, wasm-opt,
# cosmwasm-check, wasmd) under ~/.cache/attrib and reuses it afterwards.
#   fmt + clippy → unit and multi-tests → wasm build + cosmwasm-check → schema drift
#   → end-to-end tests against a fresh local wasmd chain (when present)
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

if [ -x scripts/e2e.sh ]; then
  step "end-to-end tests on a local wasmd chain"
  bash scripts/e2e.sh
fi

step "all tests passed in $(( $(date +%s) - start ))s"
