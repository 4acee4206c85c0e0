#!/usr/bin/env bash
# A single-validator wasmd chain on loopback ports, for the demo and end-to-end tests.
#
#   localnet.sh start    init (first time) and start; waits until blocks are produced
#   localnet.sh stop     stop the node
#   localnet.sh reset    stop and wipe the chain's state (next start is a fresh genesis)
#   localnet.sh status   running or not, height, ports, log file
#
# Settings (environment): CHAIN_ID (attrib-local), LOCALNET_HOME (.localnet/<chain-id>),
# PORT_OFFSET (0: RPC 26657, gRPC 9090, P2P 26656; a second chain uses e.g. 100),
# DENOM (uatr). Accounts come from scripts/test-accounts.json (test-only mnemonics).
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
CHAIN_ID="${CHAIN_ID:-attrib-local}"
DENOM="${DENOM:-uatr}"
PORT_OFFSET="${PORT_OFFSET:-0}"
HOME_DIR="${LOCALNET_HOME:-$ROOT/.localnet/$CHAIN_ID}"
RPC_PORT=$((26657 + PORT_OFFSET)); P2P_PORT=$((26656 + PORT_OFFSET))
GRPC_PORT=$((9090 + PORT_OFFSET)); PPROF_PORT=$((6060 + PORT_OFFSET))
LOG="$HOME_DIR/wasmd.log"; PIDFILE="$HOME_DIR/wasmd.pid"
ACCOUNTS="$ROOT/scripts/test-accounts.json"
# A second denom, so "paid in a coin the terms do not accept" can be tested for real.
FUNDS="100000000000000$DENOM,1000000000000uother"

running() { [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; }
height() { curl -s --max-time 2 "http://127.0.0.1:$RPC_PORT/status" | python3 -c 'import json,sys; print(json.load(sys.stdin)["result"]["sync_info"]["latest_block_height"])' 2>/dev/null || echo 0; }

init_chain() {
  step "initialising $CHAIN_ID in $HOME_DIR"
  rm -rf "$HOME_DIR"; mkdir -p "$HOME_DIR"
  local w=(--home "$HOME_DIR")
  wasmd_cmd init attrib-validator --chain-id "$CHAIN_ID" --default-denom "$DENOM" "${w[@]}" >/dev/null 2>&1
  python3 - "$ACCOUNTS" > "$HOME_DIR/accounts.tsv" <<'PY'
import json, sys
for a in json.load(open(sys.argv[1]))["accounts"]:
    print(a["name"] + "\t" + a["mnemonic"])
PY
  while IFS=$'\t' read -r name mnemonic; do
    echo "$mnemonic" | wasmd_cmd keys add "$name" --recover --keyring-backend test "${w[@]}" >/dev/null 2>&1
    wasmd_cmd genesis add-genesis-account "$name" "$FUNDS" --keyring-backend test "${w[@]}" >/dev/null
  done < "$HOME_DIR/accounts.tsv"
  rm -f "$HOME_DIR/accounts.tsv"
  wasmd_cmd genesis gentx validator "1000000000$DENOM" --chain-id "$CHAIN_ID" --keyring-backend test "${w[@]}" >/dev/null 2>&1
  wasmd_cmd genesis collect-gentxs "${w[@]}" >/dev/null 2>&1
  # Fast blocks, loopback only, no REST server; gRPC on loopback for clients.
  python3 - "$HOME_DIR" "$RPC_PORT" "$P2P_PORT" "$GRPC_PORT" "$PPROF_PORT" "$DENOM" <<'PY'
import re, sys, json
home, rpc, p2p, grpc, pprof, denom = sys.argv[1:]
cfg = open(f"{home}/config/config.toml").read()
cfg = re.sub(r'^timeout_commit = .*$', 'timeout_commit = "400ms"', cfg, flags=re.M)
cfg = re.sub(r'^timeout_propose = .*$', 'timeout_propose = "400ms"', cfg, flags=re.M)
cfg = re.sub(r'^laddr = "tcp://127.0.0.1:26657"', f'laddr = "tcp://127.0.0.1:{rpc}"', cfg, flags=re.M)
cfg = re.sub(r'^laddr = "tcp://0.0.0.0:26656"', f'laddr = "tcp://127.0.0.1:{p2p}"', cfg, flags=re.M)
cfg = re.sub(r'^pprof_laddr = .*$', f'pprof_laddr = "localhost:{pprof}"', cfg, flags=re.M)
# Simulating a store-code tx sends the wasm hex-encoded (2x) through RPC: allow 8 MB.
cfg = re.sub(r'^max_body_bytes = .*$', 'max_body_bytes = 8000000', cfg, flags=re.M)
cfg = re.sub(r'^addr_book_strict = .*$', 'addr_book_strict = false', cfg, flags=re.M)
cfg = re.sub(r'^allow_duplicate_ip = .*$', 'allow_duplicate_ip = true', cfg, flags=re.M)
open(f"{home}/config/config.toml", "w").write(cfg)
app = open(f"{home}/config/app.toml").read()
app = re.sub(r'^minimum-gas-prices = .*$', f'minimum-gas-prices = "0.001{denom}"', app, flags=re.M)
app = re.sub(r'(\[api\][^\[]*?enable = )true', r'\1false', app, flags=re.S)
app = re.sub(r'(\[grpc\][^\[]*?address = )"[^"]*"', rf'\1"127.0.0.1:{grpc}"', app, flags=re.S)
app = re.sub(r'(\[grpc-web\][^\[]*?enable = )true', r'\1false', app, flags=re.S)
open(f"{home}/config/app.toml", "w").write(app)
g = json.load(open(f"{home}/config/genesis.json"))
g["consensus"]["params"]["block"]["max_gas"] = "100000000"
open(f"{home}/config/genesis.json", "w").write(json.dumps(g))
PY
}

# The dashboard reads the RPC from the browser: allow its loopback origins (CORS), set on
# every start so a chain made before this setting existed gets it too.
allow_dashboard() {
  local port; port="$(dashboard_port)"
  sed -i -E "s|^cors_allowed_origins = .*$|cors_allowed_origins = [\"http://127.0.0.1:$port\", \"http://localhost:$port\"]|" \
    "$HOME_DIR/config/config.toml"
}

start() {
  if running; then echo "$CHAIN_ID already running (pid $(cat "$PIDFILE"), height $(height))" >&2; return 0; fi
  ensure_wasmd
  [ -f "$HOME_DIR/config/genesis.json" ] || init_chain
  allow_dashboard
  step "starting $CHAIN_ID (RPC 127.0.0.1:$RPC_PORT, log $LOG)"
  nohup env LD_LIBRARY_PATH="$(wasmd_dir)/lib" "$(wasmd_bin)" start --home "$HOME_DIR" \
    --rpc.laddr "tcp://127.0.0.1:$RPC_PORT" --grpc.address "127.0.0.1:$GRPC_PORT" >"$LOG" 2>&1 &
  echo $! > "$PIDFILE"
  for _ in $(seq 1 120); do
    if [ "$(height)" -ge 2 ] 2>/dev/null; then echo "$CHAIN_ID is producing blocks (height $(height))" >&2; return 0; fi
    if ! running; then echo "error: wasmd exited; last log lines:" >&2; tail -20 "$LOG" >&2; return 1; fi
    sleep 0.5
  done
  echo "error: no blocks after 60s; see $LOG" >&2; return 1
}

stop() {
  if running; then
    kill "$(cat "$PIDFILE")" 2>/dev/null || true
    for _ in $(seq 1 40); do running || break; sleep 0.25; done
    running && kill -9 "$(cat "$PIDFILE")" 2>/dev/null || true
    echo "$CHAIN_ID stopped" >&2
  fi
  rm -f "$PIDFILE"
}

case "${1:-status}" in
  start) start ;;
  stop) stop ;;
  reset) stop; rm -rf "$HOME_DIR"; echo "$CHAIN_ID reset" >&2 ;;
  status)
    if running; then echo "$CHAIN_ID running: pid $(cat "$PIDFILE"), height $(height), RPC http://127.0.0.1:$RPC_PORT, log $LOG"
    else echo "$CHAIN_ID stopped (home $HOME_DIR)"; fi ;;
  *) echo "usage: $0 start|stop|reset|status" >&2; exit 2 ;;
esac
