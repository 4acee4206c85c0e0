#!/usr/bin/env bash
# The auditor's end-to-end test: a fresh local chain of its own (chain id attrib-audit,
# ports +3000, so the demo and e2e chains can keep running), a fresh deployment, the
# `attrib` CLI and the `attrib-auditor` binary built, then the #[ignore]d test
# packages/attrib-auditor/tests/e2e_auditor.rs against it. The chain stops at the end,
# also on failure.
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
export CHAIN_ID=attrib-audit PORT_OFFSET=3000
export LOCALNET_HOME="$ROOT/.localnet/attrib-audit"
export ATTRIB_CHAIN_ID=attrib-audit ATTRIB_NODE=http://127.0.0.1:29657
export ATTRIB_HOME="$LOCALNET_HOME-cli" ATTRIB_DEPLOYMENTS="$LOCALNET_HOME-deployments.json"
trap 'bash scripts/localnet.sh stop' EXIT
bash scripts/localnet.sh reset
bash scripts/deploy.sh --fresh --challenge-window-secs 8 --epoch-secs 60 --vesting-secs 5
cargo_bins attrib-cli
cargo test --quiet --locked --workspace --test e2e_auditor -- --ignored --test-threads=1
