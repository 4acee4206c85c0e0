#!/usr/bin/env bash
# Gas table (a benchmark, not a test): every registry message on the local chain next to
# a cw20-base transfer measured in the same run → stdout and target/gas-table.json.
# Uses the running attrib-local chain and its deployment (starts/deploys when missing).
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
export ATTRIB_CHAIN_ID=attrib-local ATTRIB_NODE=http://127.0.0.1:26657
export ATTRIB_HOME="$ROOT/.localnet/attrib-local/cli"
bash scripts/deploy.sh
"$CARGO_TARGET_DIR/debug/attrib" --yes bench gas --out "$ROOT/target/gas-table.json"
