#!/usr/bin/env bash
# Shared settings for every script. Source it; it changes to the repository root.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=tools.sh
source "$ROOT/scripts/tools.sh"
# Builds are cached under the home directory, so a fresh clone (CI) starts warm.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ATTRIB_CACHE/target}"
ARTIFACTS="$ROOT/artifacts"
# Contract crates built to wasm: crate name → artifact name is crate name with '_'.
WASM_CRATES=(attrib-registry attrib-curator-staking attrib-receipt-oracle attrib-reward-distributor attrib-protocol-token)
# Crates with a `schema` binary; their schemas are committed under schema/<name>/.
SCHEMA_CRATES=(attrib-registry attrib-curator-staking attrib-receipt-oracle attrib-reward-distributor)
# Each step says when it started (seconds since the first script of the run began), so a
# CI log shows where the time goes.
export ATTRIB_T0="${ATTRIB_T0:-$(date +%s)}"
step() { printf '\n\033[1;32m==>\033[0m \033[1m%s\033[0m \033[2m(+%ds)\033[0m\n' "$*" $(( $(date +%s) - ATTRIB_T0 )) >&2; }
# cargo_bins PKG…: build these packages' binaries. Under the test suite (test.sh sets
# ATTRIB_WORKSPACE_BUILD=1) every build resolves dependencies' features as its
# `cargo test --workspace` did, so the scripts after the unit tests reuse its artifacts:
# `-p PKG` resolves features for PKG alone and rebuilds what differs (measured: 2.4 min
# for the CLI after the workspace's tests were built).
cargo_bins() {
  if [ "${ATTRIB_WORKSPACE_BUILD:-0}" = 1 ]; then
    cargo build --quiet --locked --workspace --bins --tests
  else
    local p args=(); for p in "$@"; do args+=(-p "$p"); done
    cargo build --quiet --locked "${args[@]}"
  fi
}
# The dashboard's loopback port for a chain (5173, +PORT_OFFSET like the chain's ports):
# localnet.sh lets this origin read the chain's RPC, scripts/dashboard.sh serves on it.
dashboard_port() { echo "${DASHBOARD_PORT:-$((5173 + ${PORT_OFFSET:-0}))}"; }
