#!/usr/bin/env bash
# The Node test of the TypeScript clients (packages/attrib-ts/test/): cosmjs through the
# generated clients against a deployed chain, every figure checked against `attrib … -o json`.
#
#   ts-e2e.sh              the chain the environment names: ATTRIB_NODE, ATTRIB_CHAIN_ID,
#                          ATTRIB_DEPLOYMENTS (e.g. CI's attrib-e2e chain, already deployed)
#   ts-e2e.sh --own-chain  a fresh chain of its own (chain id attrib-ts, ports +7000),
#                          deployed, and stopped at the end, also on failure
# ATTRIB_CLI names the `attrib` binary (default: built here); ATTRIB_TS_SIGNER the test
# account that signs (default carol).
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
TS_DIR="$ROOT/packages/attrib-ts"
if [ "${1:-}" = --own-chain ]; then
  export CHAIN_ID=attrib-ts PORT_OFFSET=7000
  export LOCALNET_HOME="$ROOT/.localnet/attrib-ts"
  export ATTRIB_CHAIN_ID=attrib-ts ATTRIB_NODE=http://127.0.0.1:33657
  export ATTRIB_HOME="$LOCALNET_HOME-cli" ATTRIB_DEPLOYMENTS="$LOCALNET_HOME-deployments.json"
  trap 'bash scripts/localnet.sh stop' EXIT
  bash scripts/localnet.sh reset
  bash scripts/deploy.sh --fresh --challenge-window-secs 8 --epoch-secs 60 --vesting-secs 5
fi
: "${ATTRIB_NODE:?set ATTRIB_NODE (or pass --own-chain)}" "${ATTRIB_CHAIN_ID:?}" "${ATTRIB_DEPLOYMENTS:?}"
if [ -z "${ATTRIB_CLI:-}" ]; then
  cargo_bins attrib-cli
  export ATTRIB_CLI="$CARGO_TARGET_DIR/debug/attrib"
fi
ensure_npm_deps "$TS_DIR"
step "TypeScript clients against $ATTRIB_CHAIN_ID ($ATTRIB_NODE)"
(cd "$TS_DIR" && npm test --silent)
