#!/usr/bin/env bash
# The protocol dashboard (dashboard/): Vite + TypeScript, read straight from the chain.
#
#   dashboard.sh serve   build it and serve it on loopback (http://127.0.0.1:5173 + PORT_OFFSET)
#                        against the chain of the environment — by default the demo's
#                        attrib-local chain and deployments/attrib-local.json
#   dashboard.sh test [FILE…]
#                        the browser test (default dashboard/test/browser.test.mjs): Debian's
#                        Chromium (installed here if missing) driven by playwright-core
#                        against the chain of the environment (ATTRIB_NODE, ATTRIB_CHAIN_ID,
#                        ATTRIB_DEPLOYMENTS), which must have run the SPEC §10 story;
#                        screenshots and perf.json under target/dashboard/.
#                        scripts/dashboard-perf.sh runs test/perf.test.mjs this way.
# The chain's RPC must allow the dashboard's origin: scripts/localnet.sh does (on start).
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
DIR="$ROOT/dashboard"
export ATTRIB_CHAIN_ID="${ATTRIB_CHAIN_ID:-attrib-local}" ATTRIB_NODE="${ATTRIB_NODE:-http://127.0.0.1:26657}"
export ATTRIB_DEPLOYMENTS="${ATTRIB_DEPLOYMENTS:-$ROOT/deployments/$ATTRIB_CHAIN_ID.json}"
export DASHBOARD_PORT; DASHBOARD_PORT="$(dashboard_port)"
URL="http://127.0.0.1:$DASHBOARD_PORT"

ensure_npm_deps "$ROOT/packages/attrib-ts"
ensure_npm_deps "$DIR"
build() { (cd "$DIR" && npx --no-install tsc --noEmit -p . && npx --no-install vite build --logLevel warn); }

case "${1:-serve}" in
  serve)
    build
    step "dashboard of $ATTRIB_CHAIN_ID ($ATTRIB_NODE): $URL"
    cd "$DIR" && exec npx --no-install vite preview ;;
  test)
    shift; files=("${@:-test/browser.test.mjs}")
    ensure_chromium; export CHROMIUM; CHROMIUM="$(chromium_bin)"
    if [ -z "${ATTRIB_CLI:-}" ]; then
      cargo_bins attrib-cli
      export ATTRIB_CLI="$CARGO_TARGET_DIR/debug/attrib"
    fi
    build
    (cd "$DIR" && exec node_modules/.bin/vite preview --logLevel warn) & preview=$!
    trap 'kill $preview 2>/dev/null || true' EXIT
    for _ in $(seq 1 60); do curl -sf "$URL/attrib-config.json" >/dev/null && break; sleep 0.5; done
    step "browser test of the dashboard at $URL against $ATTRIB_CHAIN_ID"
    (cd "$DIR" && DASHBOARD_URL="$URL" node --test --test-concurrency=1 "${files[@]}") ;;
  *) echo "usage: $0 serve|test [FILE…]" >&2; exit 2 ;;
esac
