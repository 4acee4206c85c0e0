#!/usr/bin/env bash
# Settings of the metering service's own local chain (chain id attrib-meter, ports +2000),
# so the meter's end-to-end and crash tests run beside a demo or e2e chain. Source it.
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
export CHAIN_ID="${CHAIN_ID:-attrib-meter}" PORT_OFFSET="${PORT_OFFSET:-2000}"
export LOCALNET_HOME="${LOCALNET_HOME:-$ROOT/.localnet/$CHAIN_ID}"
export ATTRIB_CHAIN_ID="$CHAIN_ID" ATTRIB_NODE="http://127.0.0.1:$((26657 + PORT_OFFSET))"
export ATTRIB_HOME="$LOCALNET_HOME-cli" ATTRIB_DEPLOYMENTS="$LOCALNET_HOME-deployments.json"
