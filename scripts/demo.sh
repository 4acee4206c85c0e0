#!/usr/bin/env bash
# The main job: local chain up, contracts built and deployed, and the reference story of
# SPEC §10 played through the `attrib` CLI and the services of SPEC §11: the operator's
# `attrib-meter`, `attrib-loadgen` standing in for the dev shop's inference servers, and
# an `attrib-auditor` holding the users' receipts. A test harness (scripts/meter_tamper.py)
# makes the operator under-report by editing the meter's store; the meter has no switch
# for it. The services run while the demo does and stop with it (also on failure); their
# logs, stores and configs are in .localnet/demo-out/.
#   demo.sh          fresh chain (reset), fresh deployment
#   demo.sh --keep   reuse a running chain and its deployment
#   demo.sh --ibc    also the cross-chain purchase: a second chain (buyer-local, denom
#                    ubuy) and the Go relayer; a buyer there pays a license in ubuy
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
KEEP=0; IBC=0
for a in "$@"; do
  case "$a" in
    --keep) KEEP=1 ;;
    --ibc) IBC=1 ;;
    *) echo "usage: $0 [--keep] [--ibc]" >&2; exit 2 ;;
  esac
done
export ATTRIB_CHAIN_ID=attrib-local ATTRIB_NODE=http://127.0.0.1:26657
export ATTRIB_HOME="$ROOT/.localnet/attrib-local/cli"
DATA="$ROOT/.localnet/demo-data"; OUT="$ROOT/.localnet/demo-out"; mkdir -p "$OUT"
SUMMARY="$OUT/summary.tsv"; : > "$SUMMARY"

# Tools, wasm and CLI builds, the chain (a fresh one unless --keep), keys, deployment.
[ $KEEP = 1 ] || bash scripts/localnet.sh reset
if [ $KEEP = 1 ]; then bash scripts/deploy.sh; else bash scripts/deploy.sh --fresh; fi
ATTRIB="$CARGO_TARGET_DIR/debug/attrib"
attrib() { "$ATTRIB" --yes "$@"; }
step "build: the services (attrib-meter, attrib-auditor, attrib-loadgen)"
cargo_bins attrib-meter attrib-auditor attrib-loadgen
BIN="$CARGO_TARGET_DIR/debug"
# Services the demo started: stopped on exit, also on failure (SIGTERM, then SIGKILL).
SERVICES=()
stop_services() {
  local p
  for p in "${SERVICES[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${SERVICES[@]}"; do
    for _ in $(seq 1 40); do kill -0 "$p" 2>/dev/null || break; sleep 0.25; done
    kill -KILL "$p" 2>/dev/null || true
  done
  SERVICES=()
}
trap stop_services EXIT

PRICE=250000uatr
if [ $IBC = 1 ]; then
  step "second chain buyer-local, relayer, transfer channel"
  [ $KEEP = 1 ] || bash scripts/ibc.sh reset
  bash scripts/ibc.sh start
  VOUCHER=$(attrib ibc denom)
  attrib tx rewards set-accepted-denom --from admin --denom "$VOUCHER" --min-amount 1000 >/dev/null
  echo "   buyer-local's ubuy arrives here as $VOUCHER; the reward pool accepts it"
  PRICE="250000uatr,250000$VOUCHER"
fi

# jget FILE PATH…: values out of JSON by path (scripts/jget.py parses the path, evaluates
# nothing), one a line; e.g. `jget tx.json txhash`, `jget /dev/stdin 'review.members[*].curator'`.
jget() { python3 "$ROOT/scripts/jget.py" "$@"; }
# tx LABEL FILE-STEM ARGS…: run a CLI transaction, narrate it, keep it for the summary.
tx() {
  local label="$1" stem="$2"; shift 2
  attrib -o json "$@" > "$OUT/$stem.json"
  narrate "$label" "$(jget "$OUT/$stem.json" txhash)" "$(jget "$OUT/$stem.json" gas_used)"
}
# narrate LABEL HASH GAS: a transaction's line, kept for the summary.
narrate() {
  printf '   ✓ %-44s tx %s…  gas %s\n' "$1" "${2:0:12}" "$3"
  printf '%s\t%s\t%s\n' "$1" "$2" "$3" >> "$SUMMARY"
}
# attr STEM EVENT KEY: an attribute of a contract event of a recorded transaction (the
# first, if several events carry it).
attr() {
  local v; mapfile -t v < <(jget "$OUT/$1.json" "events[type=wasm-$2].attributes[0=$3][1]")
  [ ${#v[@]} -gt 0 ] || { echo "no attribute $3 in a wasm-$2 event of $OUT/$1.json" >&2; return 1; }
  echo "${v[0]}"
}
# percent BPS: basis points as a percentage, written as Python writes BPS / 100 (25.0, 12.34).
percent() { if (( $1 % 10 )); then printf '%d.%02d' $(($1 / 100)) $(($1 % 100)); else printf '%d.%d' $(($1 / 100)) $(($1 % 100 / 10)); fi; }
say() { printf '\n\033[1m%s\033[0m\n' "$*"; }
bal() { attrib balance "$1" | tr -d '\n'; }

python3 scripts/demo_data.py "$DATA" >/dev/null

say "1. Curators stake protocol tokens (ATRB) in curator staking"
for pair in curator1:50000000 curator2:30000000 curator3:20000000; do
  who=${pair%%:*}; amount=${pair##*:}
  tx "$who stakes $((amount / 1000000)) ATRB" "stake_$who" tx curation stake --from "$who" --amount "$amount"
done

say "2. The maintainer publishes the schema (shelf images + bounding boxes) and a strict dataset"
tx "register schema" schema tx registry register-schema --from maintainer --uri ipfs://attrib-demo/schema.json --file "$DATA/schema.json"
SCHEMA=$(attr schema attrib_schema_registered schema_id)
tx "register dataset retail-shelf-audit" dataset tx registry register-dataset --from maintainer \
  --name retail-shelf-audit --schema-id "$SCHEMA" --metadata-uri ipfs://attrib-demo/dataset.json \
  --tier strict --spdx CC-BY-4.0 --commercial --derivatives --price "$PRICE" \
  --royalty-per-unit 2uatr --expiry-secs 31536000 --canary "$(printf 'canary-7f3a' | sha256sum | cut -d' ' -f1)"
DATASET=$(attr dataset attrib_dataset_registered dataset_id)

say "3. Three contributors register tranches (only merkle roots go on chain); each goes to a committee"
for who in alice bob carol; do
  tx "$who registers $(wc -l < "$DATA/$who.jsonl") records" "tranche_$who" tx registry register-tranche --from "$who" \
    --dataset-id "$DATASET" --records-file "$DATA/$who.jsonl" --metadata-uri "ipfs://attrib-demo/$who"
  declare "T_$who=$(attr "tranche_$who" attrib_tranche_registered tranche_id)"
  declare "R_$who=$(attr "tranche_$who" attrib_review_opened review_id)"
  echo "   review $(attr "tranche_$who" attrib_review_opened review_id) opened; its committee waits for entropy committed before it and revealed after it"
done

say "4. A spammer re-submits Alice's tranche byte for byte"
if attrib tx registry register-tranche --from spammer --dataset-id "$DATASET" --records-file "$DATA/spam.jsonl" \
     --metadata-uri ipfs://spam 2> "$OUT/spam-local.txt"; then echo "unexpected: duplicate accepted" >&2; exit 1; fi
echo "   the CLI refuses it before signing: $(cut -c1-110 "$OUT/spam-local.txt")…"
tx "spammer forces it on chain" spam tx registry register-tranche --from spammer --force --dataset-id "$DATASET" \
  --records-file "$DATA/spam.jsonl" --metadata-uri ipfs://spam
echo "   refused at once: duplicate of tranche $(attr spam attrib_tranche_duplicate_refused duplicate_of); bond forfeited to the reward pool"

say "5. Committees vote, commit then reveal: accept Alice and Bob, reject Carol (unlabeled boxes)"
KEYS_JSON=$(attrib keys list -o json)
key_of() { jget /dev/stdin "[1=$1][0]" <<< "$KEYS_JSON"; }
vote_of() { [ "$1" = carol ] && echo reject || echo accept; }
members_of() { attrib q curation review "$1" -o json | jget /dev/stdin 'review.members[*].curator'; }
# Committees are drawn one step after the review opens (SPEC §4), from the entropy every
# curator committed when it staked (before the tranches came): all of it must be revealed
# after the request, so no curator can choose among salts. curator2 and curator3 reveal;
# curator1 reveals its own as it draws each committee.
for who in curator2 curator3; do
  attrib tx curation reveal-entropy --from "$who" > "$OUT/reveal_$who.txt" 2>&1
  echo "   ✓ $who reveals the entropy it committed when it staked (and commits a fresh one)"
done
for who in alice bob carol; do
  rv="R_$who"; review=${!rv}
  tx "draw the committee of review $review ($who)" "draw_$review" tx curation draw-committee --from curator1 --review-id "$review"
  echo "   committee drawn by stake (capped): $(attr "draw_$review" attrib_committee_drawn members | tr ',' '\n' | wc -l) curators, seed $(attr "draw_$review" attrib_committee_drawn seed | cut -c1-16)…"
done
for phase in commit reveal; do
  for who in alice bob carol; do
    rv="R_$who"; review=${!rv}; vote=$(vote_of "$who")
    for m in $(members_of "$review"); do
      label="$(key_of "$m") ${phase}s on review $review"; [ $phase = reveal ] && label="$(key_of "$m") reveals $vote on review $review"
      tx "$label" "${phase}_${review}_$m" tx curation "$phase-vote" --from "$(key_of "$m")" --review-id "$review" --vote "$vote"
    done
  done
done
for who in alice bob carol; do
  rv="R_$who"; tv="T_$who"
  tx "finalize review ${!rv} ($who)" "final_$who" tx curation finalize-review --from auditor --review-id "${!rv}"
  echo "   outcome: $(attr "final_$who" attrib_review_finalized outcome); tranche ${!tv} is now $(attrib q registry tranche --tranche-id "${!tv}" -o json | jget /dev/stdin tranche.status)"
done

say "6. The maintainer seals version 1 from the two accepted tranches"
tx "seal version 1 [$T_alice,$T_bob]" seal tx registry seal-version --from maintainer --dataset-id "$DATASET" --tranches "$T_alice,$T_bob"
echo "   version root $(attr seal attrib_version_sealed version_root), total weight $(attr seal attrib_version_sealed total_weight)"

say "7. The dev shop buys a commercial license for version 1"
tx "buy license (250000uatr)" license tx registry buy-license --from devshop --dataset-id "$DATASET" --version 1
attrib q registry has-valid-license --licensee devshop --dataset-id "$DATASET" --version 1 -o json > "$OUT/license-check.json"
echo "   valid: $(jget "$OUT/license-check.json" valid), until $(jget "$OUT/license-check.json" expires_at)"

if [ $IBC = 1 ]; then
  say "7b. A buyer on another chain (buyer-local) buys a license with its own token over IBC"
  BEFORE=$(attrib balance buyer --on buyer-local --denom ubuy | tr -d '\n')
  attrib -o json ibc pay --from buyer --on buyer-local --amount 250000ubuy buy-license \
    --dataset-id "$DATASET" --version 1 > "$OUT/ibc-license.json"
  printf '   ✓ %-44s tx %s… on buyer-local\n' "ICS-20 transfer, memo: buy_license" "$(jget "$OUT/ibc-license.json" txhash | cut -c1-12)"
  for _ in $(seq 1 60); do
    [ "$(attrib q registry has-valid-license --licensee buyer --dataset-id "$DATASET" --version 1 -o json | jget /dev/stdin valid)" = True ] && break
    sleep 1
  done
  echo "   relayed; the registry's ibc_destination_callback granted the license: valid $(attrib q registry has-valid-license --licensee buyer --dataset-id "$DATASET" --version 1 -o json | jget /dev/stdin valid)"
  echo "   buyer on buyer-local: $BEFORE → $(attrib balance buyer --on buyer-local --denom ubuy | tr -d '\n') (price + fee); the pool holds $(attrib balance reward_distributor --denom "$VOUCHER")"
  OTHER=$(attrib balance buyer --on buyer-local --denom uother | tr -d '\n')
  attrib -o json ibc pay --from buyer --on buyer-local --amount 5000uother pay --earmark "$DATASET/1:10000" > "$OUT/ibc-refused.json"
  echo "   a payment in uother (not accepted here) leaves: $OTHER → $(attrib balance buyer --on buyer-local --denom uother | tr -d '\n')"
  for _ in $(seq 1 60); do [ "$(attrib balance buyer --on buyer-local --denom uother | tr -d '\n')" = "$OTHER" ] && break; sleep 1; done
  echo "   the callback failed, the receive was reverted and buyer-local refunded it: $(attrib balance buyer --on buyer-local --denom uother | tr -d '\n')"
fi

say "8. The dev shop registers its model with that lineage and funds its usage escrow"
tx "operator bonds 5 ATRB as a metering operator" op_stake tx curation stake --from operator --amount 5000000 --role operator
tx "operator registers its receipt-signing key" op_key tx oracle register-operator --from operator
tx "dev shop registers shelf-auditor model (bond 100000uatr)" model tx oracle register-model --from devshop \
  --metadata-uri ipfs://attrib-demo/shelf-auditor --lineage "$DATASET:1:10000" --royalty-per-unit 2uatr
MODEL=$(attr model attrib_model_registered model_id)
tx "dev shop lets the operator meter model $MODEL" model_op tx oracle set-model-operator --from devshop --model-id "$MODEL" --operator operator
tx "dev shop funds escrow with 300000uatr" escrow tx oracle fund-escrow --from devshop --model-id "$MODEL" --amount 300000uatr

# wait_until SECS WHAT CMD…: runs CMD every half second until it succeeds; after SECS
# seconds, stops the demo naming WHAT (no step assumes the machine's speed).
wait_until() {
  local secs="$1" what="$2"; shift 2
  local end=$((SECONDS + secs))
  until "$@" >/dev/null 2>&1; do
    if [ "$SECONDS" -ge "$end" ]; then
      echo "error: no $what after ${secs}s (logs: $OUT/meter.log, $OUT/auditor.log)" >&2; exit 1
    fi
    sleep 0.5
  done
}
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
# batch SEQ PATH: a field of the operator's batch SEQ of the model on chain (fails while
# it is not posted); status prints pending, finalized or {"voided":{…}}.
batch() { attrib q oracle batch "$MODEL" operator "$1" -o json | jget /dev/stdin "$2"; }
is_status() { [[ "$(batch "$1" status)" == $2 ]]; }
# report PATH: a value of the running auditor's report (GET /v1/report).
report() { curl -sf --max-time 5 "$AUDITOR/v1/report" | jget /dev/stdin "$1"; }
filing_won() { [ "$(report 'filings[kind=omitted_receipt].outcome')" = won ]; }
# meter_tx MESSAGE SEQ: the tx hash of the meter's log line MESSAGE ("batch posted",
# "batch finalized") for batch SEQ.
meter_tx() {
  python3 - "$OUT/meter.log" "$1" "$2" <<'PY'
import json, sys
log, msg, seq = sys.argv[1], sys.argv[2], int(sys.argv[3])
for line in open(log, errors="replace"):
    try:
        f = json.loads(line).get("fields", {})
    except ValueError:
        continue
    if f.get("message") == msg and f.get("seq") == seq and f.get("tx"):
        print(f["tx"])
        sys.exit(0)
sys.exit(1)
PY
}
# chain_tx LABEL STEM HASH: a transaction a service sent, read from the node (CometBFT
# /tx), narrated and kept for the summary like `tx`; rattr STEM EVENT KEY reads its events.
chain_tx() {
  wait_until 30 "transaction $3 at the node" curl -sf --max-time 10 "$ATTRIB_NODE/tx?hash=0x$3"
  curl -sf --max-time 10 "$ATTRIB_NODE/tx?hash=0x$3" > "$OUT/$2.json"
  narrate "$1" "$3" "$(jget "$OUT/$2.json" result.tx_result.gas_used)"
}
rattr() {
  local v; mapfile -t v < <(jget "$OUT/$1.json" "result.tx_result.events[type=wasm-$2].attributes[key=$3].value")
  [ ${#v[@]} -gt 0 ] || { echo "no attribute $3 in a wasm-$2 event of $OUT/$1.json" >&2; return 1; }
  echo "${v[0]}"
}
block_time() { curl -sf --max-time 10 "$ATTRIB_NODE/block?height=$1" | python3 -c 'import datetime, json, sys; t = json.load(sys.stdin)["result"]["block"]["header"]["time"]; print(int(datetime.datetime.fromisoformat(t[:19] + "+00:00").timestamp()))'; }

# The services run at a debug build's pace on a shared machine: the auditor fetches a
# batch's 50 000 leaves from the meter within a quarter of the dispute window, so the
# local chain's 15 s window is widened to 45 s (the admin's update_params, at once).
ORACLE_PARAMS=$(attrib q oracle config -o json | python3 -c 'import json, sys; p = json.load(sys.stdin)["params"]; p["dispute_window_secs"] = 45; print(json.dumps(p))')
tx "admin sets the oracle's dispute window to 45 s" window tx oracle update-params --from admin --json "$ORACLE_PARAMS"

say "9. The dev shop's inference servers send 100 000 usage events to the operator's meter, in two batches"
# The operator's meter and an auditor, as the README's services section runs them.
METER_PORT=$(free_port); AUDITOR_PORT=$(free_port)
METER="http://127.0.0.1:$METER_PORT"; AUDITOR="http://127.0.0.1:$AUDITOR_PORT"
TOKEN="demo-gateway-$RANDOM$RANDOM"
rm -f "$OUT"/meter.db* "$OUT"/auditor.db*
cat > "$OUT/meter.toml" <<TOML
listen = "127.0.0.1:$METER_PORT"
database = "$OUT/meter.db"
models = [$MODEL]
max_batch_receipts = 50000
max_batch_secs = 180
tick_ms = 2000

[[clients]]
name = "shelf-auditor-inference"
token = "$TOKEN"
TOML
cat > "$OUT/auditor.toml" <<TOML
listen = "127.0.0.1:$AUDITOR_PORT"
db = "$OUT/auditor.db"
poll_ms = 500
max_inclusion_requests = 1

[[operators]]
address = "$(attrib keys list -o json | jget /dev/stdin '[0=operator][1]')"
data_uri = "$METER"
models = [$MODEL]
TOML
"$BIN/attrib-auditor" --from auditor run --config "$OUT/auditor.toml" > "$OUT/auditor.log" 2>&1 &
SERVICES+=($!)
"$BIN/attrib-meter" --config "$OUT/meter.toml" --from operator --yes > "$OUT/meter.log" 2>&1 &
SERVICES+=($!)
wait_until 60 "auditor answering at $AUDITOR" curl -sf "$AUDITOR/healthz"
wait_until 60 "meter answering at $METER" curl -sf "$METER/healthz"
echo "   attrib-meter at $METER (operator's key, batches of up to 50000); attrib-auditor at $AUDITOR (auditor's key) follows the chain"
STAKE_BEFORE=$(attrib q curation stake-of operator -o json | jget /dev/stdin bonded)
# gateway COUNT NAME: COUNT inferences of 1 unit, 100 to a request; each user's client
# forwards its signed receipt to the auditor.
gateway() {
  "$BIN/attrib-loadgen" --url "$METER" --token "$TOKEN" --model-id "$MODEL" --count "$1" --units 1 \
    --per-request 100 --concurrency 4 --request-prefix "$2" --forward "$AUDITOR" > "$OUT/loadgen-$2.json"
  mapfile -t v < <(jget "$OUT/loadgen-$2.json" acknowledged forwarded throughput)
  [ "${v[0]}" = "$1" ] && [ "${v[1]}" = "$1" ] || { echo "error: $2: $1 sent, ${v[0]} acknowledged, ${v[1]} forwarded ($OUT/loadgen-$2.json)" >&2; exit 1; }
  echo "   $1 inferences metered and signed, every receipt forwarded to the auditor (${v[2]%.*} receipts/s)"
}
gateway 50000 inference-1
wait_until 120 "batch 1 posted by the meter" meter_tx "batch posted" 1
chain_tx "meter posts batch 1 ($(batch 1 count) receipts)" batch1 "$(meter_tx "batch posted" 1)"
[ "$(batch 1 count)" = 50000 ] || { echo "error: batch 1 closed by age before 50000 receipts: this machine metered slower than max_batch_secs allows ($OUT/meter.toml)" >&2; exit 1; }
gateway 23210 inference-2
# The operator under-reports: the harness takes acknowledged receipt 73210 out of the
# meter's store (keeping it aside) before the second batch closes.
python3 scripts/meter_tamper.py drop "$OUT/meter.db" "$MODEL" 73210 > "$OUT/tamper-drop.json"
echo "   HARNESS: receipt 73210 (acknowledged, its user holds it signed) taken out of the meter's store"
gateway 26790 inference-3
wait_until 300 "batch 2 posted by the meter (it closes 180 s after its first receipt)" meter_tx "batch posted" 2
chain_tx "meter posts batch 2 ($(batch 2 count) receipts)" batch2 "$(meter_tx "batch posted" 2)"
[ "$(batch 2 last_id)" = 100000 ] || { echo "error: batch 2 closed by age before receipt 100000: this machine metered slower than max_batch_secs allows ($OUT/meter.toml)" >&2; exit 1; }
echo "   batch 2: $(batch 2 first_id)-$(batch 2 last_id), $(batch 2 total_units) units (one receipt quietly left out)"

say "10. The auditor, holding the users' copies, proves receipt 73210 omitted, by itself, inside the dispute window"
WINDOW=$(attrib q oracle config -o json | jget /dev/stdin params.dispute_window_secs)
# The auditor holds batch 2's leaves once it judged it: the harness then puts the row back
# (before the proof lands), so the store is honest again and the meter's replacement
# holds the receipt.
python3 scripts/meter_tamper.py put-back "$OUT/meter.db" --after-verdict "$AUDITOR" 2 $((WINDOW + 30)) > "$OUT/tamper-put-back.json"
[ "$(jget "$OUT/tamper-put-back.json" after_verdict)" = fraud ] || { echo "error: the auditor found batch 2 honest" >&2; exit 1; }
echo "   the auditor judged batch 2 fraudulent: $(report 'batches[seq=2].note'); HARNESS: receipt 73210 put back in the meter's store"
wait_until $((WINDOW + 30)) "batch 2 voided on the auditor's proof" is_status 2 '*voided*'
wait_until 30 "filing of the auditor settled as won" filing_won
FILED=$(report 'filings[kind=omitted_receipt].tx_hash')
chain_tx "auditor proves receipt $(report 'filings[kind=omitted_receipt].receipt_id') omitted" fraud "$FILED"
POSTED_AT=$(batch 2 posted_at); FILED_AT=$(block_time "$(jget "$OUT/fraud.json" result.height)")
echo "   filed $((FILED_AT - POSTED_AT)) s after batch 2 was posted (dispute window ${WINDOW} s); the auditor's passes took at most $(curl -sf "$AUDITOR/metrics" | sed -n 's/^attrib_auditor_max_pass_ms //p') ms"
STAKE_AFTER=$(attrib q curation stake-of operator -o json | jget /dev/stdin bonded)
echo "   batch 2 voided; operator slashed $((STAKE_BEFORE - STAKE_AFTER)) of its $STAKE_BEFORE bonded; the auditor is owed $(attrib q curation payout auditor -o json | jget /dev/stdin amount)"
echo "   fraud never lowers what the model pays: batch 2's declared $(rattr fraud attrib_fraud_proven voided_units) units and the proven $(rattr fraud attrib_fraud_proven proven_units) are charged now ($(rattr fraud attrib_fraud_proven charged) uatr); the operator posts nothing else until its replacement is in"
wait_until 120 "replacement of batch 2 posted by the meter" meter_tx "batch posted" 3
chain_tx "meter re-posts batch 2 honestly ($(batch 3 count))" batch3 "$(meter_tx "batch posted" 3)"
[ "$(batch 3 replaces)" = 2 ] && [ "$(batch 3 count)" = 50000 ] || { echo "error: batch 3 is not batch 2's full replacement" >&2; exit 1; }

say "11. After the dispute window, the meter finalizes its batches: escrow → reward pool, earmarked by lineage"
wait_until $((WINDOW + 120)) "batch 1 finalized by the meter" meter_tx "batch finalized" 1
wait_until $((WINDOW + 120)) "batch 3 finalized by the meter" meter_tx "batch finalized" 3
chain_tx "meter finalizes batch 1" fin1 "$(meter_tx "batch finalized" 1)"
chain_tx "meter finalizes batch 3 (replacement of 2)" fin3 "$(meter_tx "batch finalized" 3)"
echo "   charged $(rattr fin1 attrib_batch_finalized charged) + $(rattr fraud attrib_fraud_proven charged) (at the proof) + $(rattr fin3 attrib_batch_finalized charged) uatr for 100000 units; escrow left $(attrib q oracle model "$MODEL" -o json | jget /dev/stdin escrow)"
[ "$(report 'filings[*].kind' | sort -u | tr '\n' ' ')" = "omitted_receipt " ] || echo "   (the auditor also filed: $(report 'filings[*].kind' | tr '\n' ' '))"
stop_services
echo "   services stopped; their logs, stores and configs: $OUT/{meter,auditor}.{log,db,toml}"

say "12. The epoch closes: anyone cranks it; fees split to treasury, curators and version 1; emission capped by fees"
attrib q rewards config -o json > "$OUT/pool-config.json"
EPOCH_NOW=$(jget "$OUT/pool-config.json" current_epoch)
EPOCH_START=$(jget "$OUT/pool-config.json" config.clock.epoch_start)
EPOCH_SECS=$(jget "$OUT/pool-config.json" config.clock.epoch_secs)
END=$((EPOCH_START + (EPOCH_NOW + 1) * EPOCH_SECS))
NOW=$(date +%s)
if [ "$END" -gt "$NOW" ]; then echo "   waiting $((END - NOW + 2)) s for epoch $EPOCH_NOW to end (3-minute epochs on the local chain)"; sleep $((END - NOW + 2)); fi
attrib -o json tx rewards crank --from auditor > "$OUT/crank.json"
for e in $(seq 0 "$EPOCH_NOW"); do
  attrib q rewards epoch "$e" -o json > "$OUT/epoch-$e.json" 2>/dev/null || continue
  mapfile -t v < <(jget "$OUT/epoch-$e.json" epoch.epoch epoch.inflows epoch.fee_value epoch.emission epoch.curator_points)
  echo "   epoch ${v[0]}: ${v[1]} inflows, fee value ${v[2]}, emission ${v[3]} ATRB-micro, ${v[4]} curator points"
  DENOMS=$(jget "$OUT/epoch-$e.json" 'denoms[*].denom')
  [ -n "$DENOMS" ] || echo   # an epoch without inflows: an empty line, as ever
  for denom in $DENOMS; do
    r="denoms[denom=$denom].row"
    mapfile -t v < <(jget "$OUT/epoch-$e.json" "$r.fee_treasury" "$r.emission_treasury" "$r.fee_curators" "$r.emission_curators" "$r.fee_datasets" "$r.emission_datasets")
    echo "     ${denom:0:16}: treasury ${v[0]} + ${v[1]}, curators ${v[2]} + ${v[3]}, datasets ${v[4]} + ${v[5]}"
  done
done

say "13. After the vesting (dispute) window, contributors, curators and the treasury claim"
VEST=$(jget "$OUT/pool-config.json" config.vesting_secs)
sleep $((VEST + 2))
claim() { # WHO LABEL STEM EVENT ARGS…: claim, and print what the event says was paid
  local who="$1" label="$2" stem="$3" ev="$4"; shift 4
  tx "$label" "$stem" "$@" --from "$who"
  echo "     paid: fee-funded $(attr "$stem" "$ev" fee | sed 's/cw20:[a-z0-9]*/ ATRB-micro/')  emission-funded $(attr "$stem" "$ev" emission | sed 's/cw20:[a-z0-9]*/ ATRB-micro/')"
}
claim alice "alice claims tranche $T_alice in version 1" claim_alice attrib_rewards_claimed tx rewards claim --position "$DATASET/1/$T_alice"
claim bob "bob claims tranche $T_bob in version 1" claim_bob attrib_rewards_claimed tx rewards claim --position "$DATASET/1/$T_bob"
for c in curator1 curator2 curator3; do
  if attrib --dry-run tx rewards claim-curator --from "$c" >/dev/null 2>&1; then
    claim "$c" "$c claims its curator rewards" "claim_$c" attrib_curator_rewards_claimed tx rewards claim-curator
  else
    echo "   $c: no review points in a settled epoch with fees"
  fi
done
claim treasury "the treasury claims the protocol fee" claim_treasury attrib_treasury_claimed tx rewards claim-treasury
if attrib tx rewards claim --from alice --position "$DATASET/1/$T_alice" 2> "$OUT/double-claim.txt"; then echo "error: a second claim paid" >&2; exit 1; fi
echo "   a second claim by alice is refused: $(grep -o 'nothing to claim' "$OUT/double-claim.txt" | head -1)"

say "14. Protocol metrics (SPEC §8): fee vs emission, concentration, disputes, quality, buyers"
attrib stats --from-epoch 0
attrib -o json stats --from-epoch 0 > "$OUT/metrics.json"

say "Curation: points of this epoch and stake concentration"
attrib q curation concentration -o json > "$OUT/concentration.json"
mapfile -t v < <(jget "$OUT/concentration.json" curators.stakers curators.nakamoto_one_third curators.nakamoto_one_half curators.hhi_bps curators.top_k_share_bps)
echo "   curators ${v[0]}, Nakamoto coefficient >1/3: ${v[1]}, >1/2: ${v[2]}, HHI ${v[3]} bps, top-3 share ${v[4]} bps"
mapfile -t v < <(jget "$OUT/concentration.json" disputes.opened disputes.upheld disputes.changed_outcome)
echo "   disputes opened ${v[0]}, upheld ${v[1]}, changed an outcome ${v[2]}"
attrib q curation epoch-points 0 -o json > "$OUT/epoch-points.json"
mapfile -t v < <(jget "$OUT/epoch-points.json" 'points[*][1]')
printf -v POINTS '%s, ' "${v[@]}"
echo "   review points in epoch 0: ${POINTS%, } (total $(jget "$OUT/epoch-points.json" total))"

say "Registry stats"
attrib q registry stats -o json > "$OUT/stats.json"
mapfile -t v < <(jget "$OUT/stats.json" stats.tranches stats.accepted stats.rejected stats.dedup_hits stats.versions stats.licenses_sold dedup_rate_bps)
echo "   tranches ${v[0]}  accepted ${v[1]}  rejected ${v[2]}  dedup hits ${v[3]}  versions ${v[4]}  licenses ${v[5]}  dedup rate $(percent "${v[6]}")%"

say "Every coin accounted for"
REG=$(jget deployments/attrib-local.json contracts.registry.address)
POOL_RECEIVED=$(attrib q rewards accounts -o json | jget /dev/stdin 'accounts[denom=uatr].ledger.received')
echo "   reward pool received  ${POOL_RECEIVED}uatr  (= schema fee 1000 + spam bond 10000 + rejected tranche's bond 10000 + license 250000 + usage 200000)"
[ "$POOL_RECEIVED" -eq 471000 ] || { echo "error: reward pool received an unexpected amount" >&2; exit 1; }
echo "   registry still holds  $(bal "$REG")  (= listing bonds of undecided work: none left)"
attrib q rewards accounts -o json > "$OUT/accounts.json"
for denom in $(jget "$OUT/accounts.json" 'accounts[*].denom'); do
  L="accounts[denom=$denom]"
  P=(); for k in received paid_out paid_contributors paid_curators paid_treasury versions_owed curators_owed treasury_owed unsettled emission_reserve; do P+=("$L.ledger.$k"); done
  mapfile -t v < <(jget "$OUT/accounts.json" "${P[@]}")
  echo "   reward pool, ${denom:0:20}: received ${v[0]} = paid out ${v[1]} (contributors ${v[2]}, curators ${v[3]}, treasury ${v[4]}) + owed to versions ${v[5]} (vesting or rounding) + curators ${v[6]} + treasury ${v[7]} + unsettled ${v[8]} + emission reserve ${v[9]}"
  if [ "${denom#cw20:}" != "$denom" ]; then
    POOL=$(jget deployments/attrib-local.json contracts.reward_distributor.address)
    HELD=$(attrib q wasm protocol_token "{\"balance\":{\"address\":\"$POOL\"}}" -o json | jget /dev/stdin balance)
  else
    HELD=$(attrib balance reward_distributor --denom "$denom" -o json | jget /dev/stdin amount)
  fi
  EXPECTED=$(jget "$OUT/accounts.json" "$L.expected_balance")
  echo "     holds $HELD = received - paid out $EXPECTED"
  [ "$HELD" = "$EXPECTED" ] || { echo "error: the reward pool's $denom balance differs from its ledger" >&2; exit 1; }
done
ORACLE=$(jget deployments/attrib-local.json contracts.receipt_oracle.address)
attrib q oracle model "$MODEL" -o json > "$OUT/model.json"
ESCROW=$(jget "$OUT/model.json" escrow); BOND=$(jget "$OUT/model.json" bond)
echo "   receipt oracle holds  $(bal "$ORACLE")  (= model escrow $ESCROW + model bond $BOND)"
[ "$(bal "$ORACLE")" = "$((ESCROW + BOND))uatr" ] || { echo "error: the oracle holds more or less than it owes" >&2; exit 1; }
STAKING=$(jget deployments/attrib-local.json contracts.curator_staking.address)
attrib q curation totals -o json > "$OUT/staking-totals.json"
HELD=$(attrib q wasm protocol_token "{\"balance\":{\"address\":\"$STAKING\"}}" -o json | jget /dev/stdin balance)
mapfile -t v < <(jget "$OUT/staking-totals.json" totals.bonded totals.unbonding totals.challenge_bonds totals.payouts_owed)
echo "   curator staking holds $HELD ATRB-micro = bonded ${v[0]} + unbonding ${v[1]} + bonds ${v[2]} + payouts owed ${v[3]}"
[ "$HELD" = "$(jget "$OUT/staking-totals.json" expected_balance)" ] || { echo "error: curator staking balance differs from what it owes" >&2; exit 1; }

say "Summary"
printf '   %-44s %-66s %s\n' step "tx hash" gas
while IFS=$'\t' read -r label hash gas; do printf '   %-44s %-66s %s\n' "$label" "$hash" "$gas"; done < "$SUMMARY"
echo
echo "   chain: attrib-local at http://127.0.0.1:26657 (still running; 'make localnet-down' stops it)"
[ $IBC = 0 ] || echo "   buyer-local at http://127.0.0.1:26857 and the relayer (still running; 'bash scripts/ibc.sh stop')"
echo "   contracts: deployments/attrib-local.json; transcripts: $OUT"
echo "   dashboard of this chain: 'make dashboard', then open http://127.0.0.1:$(dashboard_port) (loopback; scripts/dashboard.sh)"
