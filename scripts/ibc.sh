#!/usr/bin/env bash
# Two local chains joined by a real relayer (SPEC §7): the Attrib chain and a buyer chain
# with its own native denom, an ICS-20 transfer channel between them (the Go relayer,
# cosmos/relayer), and the channel ids recorded in the Attrib deployments file.
#
#   ibc.sh start          both chains up, relayer configured, channel linked (once per
#                         pair of chain states), relayer running; records the link
#   ibc.sh stop           stop the relayer and the buyer chain (the Attrib chain is left
#                         to localnet.sh)
#   ibc.sh reset          stop and wipe the buyer chain and the relayer's state
#   ibc.sh relayer-stop | relayer-start    pause / resume relaying (timeouts are tested so)
#   ibc.sh status
#
# Settings: ATTRIB_CHAIN (attrib-local), ATTRIB_OFFSET (0), BUYER_CHAIN (buyer-local),
# BUYER_OFFSET (ATTRIB_OFFSET + 200), BUYER_DENOM (ubuy). The CLI must be built
# ($CARGO_TARGET_DIR/debug/attrib) and the Attrib chain's contracts deployed.
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
ATTRIB_CHAIN="${ATTRIB_CHAIN:-attrib-local}"
ATTRIB_OFFSET="${ATTRIB_OFFSET:-0}"
BUYER_CHAIN="${BUYER_CHAIN:-buyer-local}"
BUYER_OFFSET="${BUYER_OFFSET:-$((ATTRIB_OFFSET + 200))}"
BUYER_DENOM="${BUYER_DENOM:-ubuy}"
ATTRIB_RPC="http://127.0.0.1:$((26657 + ATTRIB_OFFSET))"
BUYER_RPC="http://127.0.0.1:$((26657 + BUYER_OFFSET))"
RLY_HOME="$ROOT/.localnet/relayer-$ATTRIB_CHAIN-$BUYER_CHAIN"
RLY_LOG="$RLY_HOME/relayer.log"; RLY_PID="$RLY_HOME/relayer.pid"
PATH_NAME="attrib-buyer"
ATTRIB="$CARGO_TARGET_DIR/debug/attrib"
ATTRIB_HOME_DIR="${LOCALNET_HOME:-$ROOT/.localnet/$ATTRIB_CHAIN}"
BUYER_HOME_DIR="$ROOT/.localnet/$BUYER_CHAIN"
attrib_net() { CHAIN_ID="$ATTRIB_CHAIN" PORT_OFFSET="$ATTRIB_OFFSET" LOCALNET_HOME="$ATTRIB_HOME_DIR" bash scripts/localnet.sh "$@"; }
buyer_net() { CHAIN_ID="$BUYER_CHAIN" PORT_OFFSET="$BUYER_OFFSET" DENOM="$BUYER_DENOM" LOCALNET_HOME="$BUYER_HOME_DIR" bash scripts/localnet.sh "$@"; }
rly() { "$(relayer_bin)" --home "$RLY_HOME" "$@"; }
relayer_running() { [ -f "$RLY_PID" ] && kill -0 "$(cat "$RLY_PID")" 2>/dev/null; }

chain_json() { # id rpc denom
  cat <<EOF
{"type":"cosmos","value":{"key-directory":"$RLY_HOME/keys/$1","key":"relayer","chain-id":"$1",
"rpc-addr":"$2","account-prefix":"wasm","keyring-backend":"test","gas-adjustment":1.5,
"gas-prices":"0.01$3","min-gas-amount":0,"max-gas-amount":0,"debug":false,"timeout":"20s",
"block-timeout":"","output-format":"json","sign-mode":"direct","extra-codecs":[],
"coin-type":118,"signing-algorithm":"","broadcast-mode":"batch","min-loop-duration":100000000,
"extension-options":[],"feegrants":null}}
EOF
}

# The genesis time of both chains: a new pair of chain states needs a new link.
states() {
  for rpc in "$ATTRIB_RPC" "$BUYER_RPC"; do
    curl -s --max-time 3 "$rpc/block?height=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["result"]["block"]["header"]["time"])'
  done | tr '\n' ' '
}

configure() {
  step "configuring the relayer in $RLY_HOME"
  rm -rf "$RLY_HOME"; mkdir -p "$RLY_HOME"
  rly config init >/dev/null
  local mnemonic
  mnemonic="$(python3 -c 'import json; print([a["mnemonic"] for a in json.load(open("scripts/test-accounts.json"))["accounts"] if a["name"]=="relayer"][0])')"
  chain_json "$ATTRIB_CHAIN" "$ATTRIB_RPC" uatr > "$RLY_HOME/attrib.json"
  chain_json "$BUYER_CHAIN" "$BUYER_RPC" "$BUYER_DENOM" > "$RLY_HOME/buyer.json"
  rly chains add --file "$RLY_HOME/attrib.json" "$ATTRIB_CHAIN" >/dev/null
  rly chains add --file "$RLY_HOME/buyer.json" "$BUYER_CHAIN" >/dev/null
  rly keys restore "$ATTRIB_CHAIN" relayer "$mnemonic" >/dev/null
  rly keys restore "$BUYER_CHAIN" relayer "$mnemonic" >/dev/null
  rly paths new "$ATTRIB_CHAIN" "$BUYER_CHAIN" "$PATH_NAME" >/dev/null
  step "linking $ATTRIB_CHAIN and $BUYER_CHAIN (clients, connection, transfer channel)"
  rly tx link "$PATH_NAME" --src-port transfer --dst-port transfer --order unordered --version ics20-1 \
    >"$RLY_HOME/link.log" 2>&1 || { tail -30 "$RLY_HOME/link.log" >&2; return 1; }
  states > "$RLY_HOME/states"
}

channels() { # prints: attrib-side-channel buyer-side-channel
  rly q channels "$ATTRIB_CHAIN" 2>/dev/null | python3 -c '
import json, sys
for line in sys.stdin:
    line = line.strip()
    if not line: continue
    c = json.loads(line)
    if c.get("port_id") == "transfer" and c.get("state") == "STATE_OPEN":
        print(c["channel_id"], c["counterparty"]["channel_id"]); break'
}

relayer_start() {
  relayer_running && return 0
  nohup "$(relayer_bin)" --home "$RLY_HOME" start "$PATH_NAME" --log-format logfmt >>"$RLY_LOG" 2>&1 &
  echo $! > "$RLY_PID"
  sleep 1
  relayer_running || { tail -20 "$RLY_LOG" >&2; return 1; }
  echo "relayer running (log $RLY_LOG)" >&2
}

relayer_stop() {
  if relayer_running; then
    kill "$(cat "$RLY_PID")" 2>/dev/null || true
    for _ in $(seq 1 40); do relayer_running || break; sleep 0.25; done
    echo "relayer stopped" >&2
  fi
  rm -f "$RLY_PID"
}

start() {
  ensure_relayer
  attrib_net start
  buyer_net start
  if [ ! -f "$RLY_HOME/states" ] || [ "$(cat "$RLY_HOME/states")" != "$(states)" ]; then
    relayer_stop
    configure
  fi
  local ours theirs
  read -r ours theirs < <(channels)
  [ -n "${ours:-}" ] || { echo "error: no open transfer channel" >&2; return 1; }
  relayer_start
  "$ATTRIB" --chain-id "$ATTRIB_CHAIN" --node "$ATTRIB_RPC" ibc record-link \
    --counterparty-chain-id "$BUYER_CHAIN" --channel "$ours" --counterparty-channel "$theirs" \
    --counterparty-node "$BUYER_RPC" --counterparty-denom "$BUYER_DENOM" \
    --counterparty-gas-prices "0.01$BUYER_DENOM"
  echo "$ATTRIB_CHAIN $ours <-> $theirs $BUYER_CHAIN" >&2
}

case "${1:-status}" in
  start) start ;;
  stop) relayer_stop; buyer_net stop ;;
  reset)
    relayer_stop
    buyer_net reset
    rm -rf "$RLY_HOME" ;;
  relayer-stop) relayer_stop ;;
  relayer-start) relayer_start ;;
  status)
    buyer_net status
    if relayer_running; then echo "relayer running: pid $(cat "$RLY_PID"), log $RLY_LOG"; else echo "relayer stopped"; fi ;;
  *) echo "usage: $0 start|stop|reset|relayer-stop|relayer-start|status" >&2; exit 2 ;;
esac
