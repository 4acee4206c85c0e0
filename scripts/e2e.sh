#!/usr/bin/env bash
# End-to-end tests: a fresh local chain of its own (chain id attrib-e2e, ports +1000, so a
# demo chain can keep running), a fresh deployment (scripts/deploy.sh builds the contracts
# and the CLI first), then the CLI tests against it. The chains are stopped at the end,
# also on failure.
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
export CHAIN_ID=attrib-e2e PORT_OFFSET=1000
export LOCALNET_HOME="$ROOT/.localnet/attrib-e2e"
export ATTRIB_CHAIN_ID=attrib-e2e ATTRIB_NODE=http://127.0.0.1:27657
export ATTRIB_HOME="$LOCALNET_HOME-cli" ATTRIB_DEPLOYMENTS="$LOCALNET_HOME-deployments.json"
# The buyer chain (its own denom, ports +1200) and the relayer, for the IBC test.
export ATTRIB_CHAIN=attrib-e2e ATTRIB_OFFSET=1000 BUYER_CHAIN=buyer-e2e
trap 'bash scripts/ibc.sh stop; bash scripts/localnet.sh stop' EXIT
bash scripts/localnet.sh reset
bash scripts/ibc.sh reset
bash scripts/deploy.sh --fresh --challenge-window-secs 8 --epoch-secs 60 --vesting-secs 5
bash scripts/ibc.sh start
# The end-to-end tests are #[ignore]d ("needs a chain") so that a plain `cargo test`
# reports them as ignored; here the chain is up, so run them.
cargo test --quiet --locked --workspace --test e2e_registry --test e2e_curation --test e2e_oracle --test e2e_rewards --test e2e_ibc --no-fail-fast -- --ignored --test-threads=1
# The TypeScript clients (packages/attrib-ts) through cosmjs against the same chain, once
# the Rust tests are done with its accounts.
ATTRIB_CLI="$CARGO_TARGET_DIR/debug/attrib" bash scripts/ts-e2e.sh
# The dashboard in Chromium against the same chain: every page renders, the watch list
# equals `attrib stats -o json`, the IBC test's voucher shows by base denom and path.
ATTRIB_CLI="$CARGO_TARGET_DIR/debug/attrib" bash scripts/dashboard.sh test
