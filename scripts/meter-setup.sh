#!/usr/bin/env bash
# A fresh chain for the metering service: deploys the contracts (artifacts/, built first
# when missing, as on a fresh clone),
# bonds and registers `operator`, registers a licensed model owned by `devshop`, lets
# `operator` meter it and funds its escrow. Prints the model id (last line of stdout).
# Usage: scripts/meter-setup.sh   (settings from scripts/meter-env.sh; METER_EPOCH_SECS, the
# oracle's epoch, default 3600 as before; ATTRIB_CLI_PROFILE, the cargo profile of the `attrib` CLI, default dev)
source "$(dirname "${BASH_SOURCE[0]}")/meter-env.sh"
PROFILE="${ATTRIB_CLI_PROFILE:-dev}"
A="$CARGO_TARGET_DIR/$([ "$PROFILE" = dev ] && echo debug || echo "$PROFILE")/attrib"
attr() { python3 -c 'import json,sys; t=json.load(sys.stdin)
for e in t["events"]:
    if e["type"]=="wasm-"+sys.argv[1]: print(dict(e["attributes"])[sys.argv[2]]); break' "$1" "$2"; }
[ -f "$ARTIFACTS/checksums.txt" ] || bash scripts/build-wasm.sh >&2
bash scripts/localnet.sh reset >&2
bash scripts/localnet.sh start >&2
if [ "$PROFILE" = dev ]; then cargo_bins attrib-cli >&2; else cargo build -q --profile "$PROFILE" -p attrib-cli >&2; fi
"$A" keys import scripts/test-accounts.json --overwrite >&2
# --epoch-secs sets the curation epochs only; the oracle's metering epochs are in its
# params: METER_EPOCH_SECS (the bench) replaces them with `attrib deploy`'s local defaults
# and that epoch; unset, deploy's defaults stand (3600 s).
ORACLE=()
if [ -n "${METER_EPOCH_SECS:-}" ]; then
  ORACLE=(--oracle-params "$(python3 -c 'import json,sys; p=json.loads(sys.argv[1]); p["epoch_secs"]=int(sys.argv[2]); print(json.dumps(p))' \
    '{"dispute_window_secs":15,"epoch_secs":3600,"fraud_slash_bps":2000,"inclusion_fee":{"amount":"10000","denom":"uatr"},"inclusion_response_secs":20,"max_back_epochs":24,"max_inclusion_requests":16,"max_lineage":16,"max_parent_depth":2,"model_bond":"100000","omission_claimant_share_bps":5000,"omission_weight_bps":1000,"operator_min_bond":"1000000","posting_grace_secs":600,"withdraw_notice_secs":60}' \
    "$METER_EPOCH_SECS")")
fi
"$A" --yes deploy --from admin --fresh --challenge-window-secs 8 --epoch-secs 60 \
  "${ORACLE[@]}" --vesting-secs 5 >&2
DIR=$(mktemp -d)
NONCE=$(date +%s%N)
echo "{\"image\":\"schema-$NONCE\",\"boxes\":[0]}" > "$DIR/schema.jsonl"
for i in 0 1 2 3; do echo "{\"image\":\"bob-$NONCE-$i\",\"boxes\":[$i]}"; done > "$DIR/bob.jsonl"
tx() { "$A" --yes -o json tx "$@"; }
SCHEMA=$(tx registry register-schema --from maintainer --uri ipfs://s --file "$DIR/schema.jsonl" | attr attrib_schema_registered schema_id)
DATASET=$(tx registry register-dataset --from maintainer --name metered --schema-id "$SCHEMA" --metadata-uri ipfs://d \
  --tier optimistic --spdx CC-BY-4.0 --price 100uatr --royalty-per-unit 1uatr | attr attrib_dataset_registered dataset_id)
TRANCHE=$(tx registry register-tranche --from bob --dataset-id "$DATASET" --records-file "$DIR/bob.jsonl" \
  --metadata-uri ipfs://t | attr attrib_tranche_registered tranche_id)
WINDOW=$("$A" -o json q registry config | python3 -c 'import json,sys; print(json.load(sys.stdin)["config"]["challenge_window_secs"])')
sleep $((WINDOW + 1))
tx registry accept-unchallenged --from auditor --tranche-id "$TRANCHE" >/dev/null
tx registry seal-version --from maintainer --dataset-id "$DATASET" --tranches "$TRANCHE" >/dev/null
tx registry buy-license --from devshop --dataset-id "$DATASET" --version 1 >/dev/null
MODEL=$(tx oracle register-model --from devshop --metadata-uri ipfs://m --lineage "$DATASET:1:10000" \
  --royalty-per-unit 1uatr | attr attrib_model_registered model_id)
tx curation stake --from operator --amount 5000000 --role operator >/dev/null
tx oracle register-operator --from operator >/dev/null
tx oracle set-model-operator --from devshop --model-id "$MODEL" --operator operator >/dev/null
tx oracle fund-escrow --from devshop --model-id "$MODEL" --amount 100000000uatr >/dev/null
rm -rf "$DIR"
echo "$MODEL"
