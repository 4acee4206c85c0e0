#!/usr/bin/env bash
# The metering service and the auditor together on a chain of their own (chain id
# attrib-int, ports +4000, so the demo, e2e, meter and auditor chains can keep running):
# a fresh chain and deployment, the `attrib` CLI and the `attrib-meter` and
# `attrib-loadgen` binaries built, then the #[ignore]d test
# packages/attrib-auditor/tests/e2e_services.rs: real meters, the real auditor, usage from
# attrib-loadgen, and an operator made to cheat by the test harness. The chain stops at
# the end, also on failure. KEEP_CHAIN=1 reuses a running, deployed chain.
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
export CHAIN_ID=attrib-int PORT_OFFSET=4000
export LOCALNET_HOME="$ROOT/.localnet/attrib-int"
export ATTRIB_CHAIN_ID=attrib-int ATTRIB_NODE=http://127.0.0.1:30657
export ATTRIB_HOME="$LOCALNET_HOME-cli" ATTRIB_DEPLOYMENTS="$LOCALNET_HOME-deployments.json"
trap 'bash scripts/localnet.sh stop' EXIT
if [ "${KEEP_CHAIN:-0}" != 1 ]; then
  bash scripts/localnet.sh reset
  bash scripts/deploy.sh --fresh --challenge-window-secs 8 --epoch-secs 60 --vesting-secs 5
fi
cargo_bins attrib-cli attrib-meter attrib-loadgen
cargo test --quiet --locked --workspace --test e2e_services -- --ignored --test-threads=1 --nocapture
