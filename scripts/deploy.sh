#!/usr/bin/env bash
# Deploys the contracts to the local chain, starting the chain when it is not running:
#   tools → build-wasm.sh → the attrib CLI → localnet.sh start → test keys → attrib deploy
#
#   deploy.sh [FLAG…]    FLAGs go to `attrib deploy`: e.g. --fresh (new contracts even if
#                        the deployments file points at live ones), --epoch-secs 60
# Without --fresh, a deployment whose contracts are live with the same checksums is reused.
# The chain is attrib-local on the default ports unless the environment says otherwise:
# CHAIN_ID, PORT_OFFSET, LOCALNET_HOME (localnet.sh) and ATTRIB_CHAIN_ID, ATTRIB_NODE,
# ATTRIB_HOME, ATTRIB_DEPLOYMENTS (the CLI), as scripts/e2e.sh sets them.
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
export ATTRIB_CHAIN_ID="${ATTRIB_CHAIN_ID:-attrib-local}" ATTRIB_NODE="${ATTRIB_NODE:-http://127.0.0.1:26657}"
export ATTRIB_HOME="${ATTRIB_HOME:-$ROOT/.localnet/attrib-local/cli}"

step "tools (installed once under $ATTRIB_CACHE)"
ensure_wasm_tools; ensure_wasmd
step "build: contracts to wasm, and the attrib CLI"
bash scripts/build-wasm.sh
cargo_bins attrib-cli
ATTRIB="$CARGO_TARGET_DIR/debug/attrib"

step "local chain"
bash scripts/localnet.sh start
"$ATTRIB" keys import scripts/test-accounts.json --overwrite >/dev/null
step "deploy"
"$ATTRIB" --yes deploy --from admin "$@"
