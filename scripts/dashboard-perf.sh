#!/usr/bin/env bash
# The dashboard with a long history (issue 15): a chain of its own whose reward distributor
# has PERF_EPOCHS (1 000) settled epochs, and the overview measured in Chromium by
# dashboard/test/perf.test.mjs: first paint, charts drawn, page weight, figures against
# `attrib stats -o json` → target/dashboard/perf-history.json.
#
# The history: a deployment on one-second epochs (`--epoch-secs 1`), paid into and cranked
# every block by packages/attrib-ts/test/history.ts. An epoch is a second of the chain's
# clock, which is the wall clock, so 1 000 epochs take about 1 000 s (17 min) to make. The
# chain is then kept, stopped, under $ATTRIB_CACHE/dashboard-history/ (keyed by the
# contracts' checksums, the history script, the epoch count, the chain id and ports): later
# runs start from it in seconds. PERF_REBUILD=1 makes it again.
#   CHAIN_ID (attrib-perf), PORT_OFFSET (7200): the chain; the dashboard's port follows
#   PERF_EPOCHS (1000), PERF_RUNS (5): history length, cold loads measured (medians count)
#   PERF_DEPLOYED=1: make the history on the running chain's deployment (one-second
#   epochs) instead of a fresh chain and deploy.sh
# Not in CI (the history alone is longer than CI's budget for it).
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
export CHAIN_ID="${CHAIN_ID:-attrib-perf}" PORT_OFFSET="${PORT_OFFSET:-7200}"
export LOCALNET_HOME="$ROOT/.localnet/$CHAIN_ID"
export ATTRIB_CHAIN_ID="$CHAIN_ID" ATTRIB_NODE="http://127.0.0.1:$((26657 + PORT_OFFSET))"
export ATTRIB_HOME="$LOCALNET_HOME-cli" ATTRIB_DEPLOYMENTS="$LOCALNET_HOME-deployments.json"
export PERF_EPOCHS="${PERF_EPOCHS:-1000}" HISTORY_EPOCHS="${PERF_EPOCHS:-1000}"
trap 'bash scripts/localnet.sh stop' EXIT

ensure_wasm_tools; ensure_wasmd
[ -f "$ARTIFACTS/checksums.txt" ] || bash scripts/build-wasm.sh
cargo_bins attrib-cli
mkdir -p "$ROOT/target"
# Where the history of these contracts (as artifacts/ holds them) is kept.
saved() {
  local key
  key="$( { cat "$ARTIFACTS/checksums.txt" packages/attrib-ts/test/history.ts; echo "$PERF_EPOCHS $CHAIN_ID $PORT_OFFSET"; } | sha256sum | cut -c1-16)"
  echo "$ATTRIB_CACHE/dashboard-history/$CHAIN_ID-$PERF_EPOCHS-$key.tar.gz"
}
SAVED="$(saved)"
parts=("$CHAIN_ID" "$CHAIN_ID-cli" "$CHAIN_ID-deployments.json")

if [ -f "$SAVED" ] && [ "${PERF_REBUILD:-0}" != 1 ]; then
  step "the $PERF_EPOCHS-epoch history from $SAVED"
  bash scripts/localnet.sh stop
  (cd "$ROOT/.localnet" && rm -rf "${parts[@]}") && tar -xzf "$SAVED" -C "$ROOT/.localnet"
  bash scripts/localnet.sh start
else
  if [ "${PERF_DEPLOYED:-0}" = 1 ]; then
    # The chain's own deployment, made with `attrib deploy --epoch-secs 1`, gets the history.
    bash scripts/localnet.sh start
    secs="$("$CARGO_TARGET_DIR/debug/attrib" -o json q rewards config | python3 scripts/jget.py /dev/stdin config.clock.epoch_secs)"
    [ "$secs" = 1 ] || { echo "error: $CHAIN_ID's reward distributor has $secs-second epochs; deploy with --epoch-secs 1" >&2; exit 1; }
  else
    bash scripts/localnet.sh reset
    bash scripts/deploy.sh --fresh --epoch-secs 1
  fi
  ensure_npm_deps "$ROOT/packages/attrib-ts"
  step "history: $PERF_EPOCHS epochs paid into, closed and settled (about a second each)"
  (cd packages/attrib-ts && node --import tsx test/history.ts) | tee "$ROOT/target/dashboard-history.json"
  bash scripts/localnet.sh stop
  SAVED="$(saved)" # deploy.sh may have rebuilt the contracts
  mkdir -p "$(dirname "$SAVED")"
  tar -czf "$SAVED.tmp" -C "$ROOT/.localnet" "${parts[@]}" && mv "$SAVED.tmp" "$SAVED"
  step "kept the chain in $SAVED ($(du -h "$SAVED" | cut -f1))"
  bash scripts/localnet.sh start
fi
ATTRIB_CLI="$CARGO_TARGET_DIR/debug/attrib" bash scripts/dashboard.sh test test/perf.test.mjs
step "figures: target/dashboard/perf-history.json"
