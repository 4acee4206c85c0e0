#!/usr/bin/env bash
# `make bench-meter`: the metering service's performance (issue 13, SPEC §11) on the
# release binaries and a chain of its own (attrib-bench, ports +5000), written to
# target/bench-meter.json with a short table. Not part of CI (several minutes).
#
#   1. ingest_max: closed-loop saturation through HTTP, batch endpoint and single events
#   2. ingest_at_5k: open loop at 5 000 receipts/s, p99/p999 acknowledgement latency
#   3. the same on PostgreSQL when scripts/postgres.sh exists
#   4. batch_1m: the phases above and a fill make 1 000 000 receipts of one epoch; the
#      time from the epoch's end to the block holding its submit_batch, the meter's RSS
#   5. proofs: inclusion proofs of random receipts of that batch, each verified
#   6. auditor_check: `attrib-auditor check` of that batch (fetch, then rebuild + check)
#
# Settings: BENCH_EPOCH_SECS (600: must hold the ingest phases and the fill),
# BENCH_RECEIPTS (1000000), BENCH_MAX_EVENTS (200000), BENCH_SINGLE_EVENTS (60000),
# BENCH_OPEN_SECS (20), BENCH_PROOFS (5000). The chain stops at the end, also on failure.
export CHAIN_ID="${CHAIN_ID:-attrib-bench}" PORT_OFFSET="${PORT_OFFSET:-5000}"
source "$(dirname "${BASH_SOURCE[0]}")/meter-env.sh"

EPOCH_SECS="${BENCH_EPOCH_SECS:-600}"
RECEIPTS="${BENCH_RECEIPTS:-1000000}"
MAX_EVENTS="${BENCH_MAX_EVENTS:-200000}"
SINGLE_EVENTS="${BENCH_SINGLE_EVENTS:-60000}"
OPEN_SECS="${BENCH_OPEN_SECS:-20}"
PROOFS="${BENCH_PROOFS:-5000}"
OUT="$ROOT/target/bench-meter.json"
WORK="$(mktemp -d)"
BIN="$CARGO_TARGET_DIR/release"
PORT=$((8686 + PORT_OFFSET))
URL="http://127.0.0.1:$PORT"
TOKEN="bench-$RANDOM$RANDOM"
METER_PID=""
PG_STARTED=0
mkdir -p "$ROOT/target"

cleanup() {
  [ -n "$METER_PID" ] && kill "$METER_PID" 2>/dev/null && wait "$METER_PID" 2>/dev/null
  [ "$PG_STARTED" = 1 ] && bash scripts/postgres.sh stop >&2 || true
  bash scripts/localnet.sh stop >&2 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

rec() { # rec NAME JSON: one figure for the report
  printf '%s' "$2" > "$WORK/fig-$1.json"
}
metric() { # the value of a meter metric line
  curl -s "$URL/metrics" | awk -v n="$1" '$1 == n { print $2 }'
}
cpu_secs() { # user + system CPU seconds of a process
  awk -v hz="$(getconf CLK_TCK)" '{ print ($14 + $15) / hz }' "/proc/$1/stat"
}

step "building the release binaries"
cargo build --release --locked -p attrib-meter -p attrib-loadgen -p attrib-auditor -p attrib-cli
LOAD_START="$(cut -d' ' -f1-3 /proc/loadavg)"

step "references: this machine's sha256 and durable SQLite insert rates"
python3 - > "$WORK/fig-reference.json" <<'PY'
import hashlib, json, os, sqlite3, tempfile, time
n = 300_000
t = time.perf_counter()
h = b"\0" * 32
for _ in range(n):
    h = hashlib.sha256(h + b"\1" * 32).digest()
sha = n / (time.perf_counter() - t)
d = tempfile.mkdtemp()
c = sqlite3.connect(os.path.join(d, "ref.db"), isolation_level=None)
c.execute("PRAGMA journal_mode=WAL"); c.execute("PRAGMA synchronous=FULL")
c.execute("CREATE TABLE r (id INTEGER PRIMARY KEY, req TEXT UNIQUE, sig BLOB)")
rows, group = 200_000, 500
t = time.perf_counter()
for g in range(rows // group):
    c.execute("BEGIN")
    c.executemany("INSERT INTO r VALUES (?, ?, ?)",
                  ((g * group + i, f"req-{g * group + i}", os.urandom(64)) for i in range(group)))
    c.execute("COMMIT")
ins = rows / (time.perf_counter() - t)
t = time.perf_counter(); commits = 300
for i in range(commits):
    c.execute("INSERT INTO r VALUES (?, ?, ?)", (rows + i, f"one-{i}", b""))
fsync = commits / (time.perf_counter() - t)
print(json.dumps({"sha256_64B_per_s": round(sha), "sqlite_rows_per_s_500_per_commit": round(ins),
                  "sqlite_durable_commits_per_s": round(fsync), "note": "python3 hashlib/sqlite3, same run"}))
PY

step "a fresh $CHAIN_ID chain: epochs of $EPOCH_SECS s, an operator and a funded model"
export METER_EPOCH_SECS="$EPOCH_SECS" ATTRIB_CLI_PROFILE=release
MODEL="$(bash scripts/meter-setup.sh | tail -1)"
A="$BIN/attrib"
OPERATOR="$(jq -r '.accounts[] | select(.name == "operator") | .address' scripts/test-accounts.json)"
"$A" -o json q oracle config > "$WORK/oracle-config.json"
read -r EPOCH_START EPOCH_LEN < <(python3 -c 'import json,sys; c=json.load(open(sys.argv[1])); c=c.get("config",c)
print(c["epoch_start"], c["params"]["epoch_secs"])' "$WORK/oracle-config.json")
chain_time() { curl -s "$ATTRIB_NODE/status" | python3 -c 'import json,sys,datetime
t=json.load(sys.stdin)["result"]["sync_info"]["latest_block_time"]
print(int(datetime.datetime.fromisoformat(t[:19]+"+00:00").timestamp()))'; }
block_time() { curl -s "$ATTRIB_NODE/block?height=$1" | python3 -c 'import json,sys,datetime
t=json.load(sys.stdin)["result"]["block"]["header"]["time"]
s,frac=t.rstrip("Z").split(".") if "." in t else (t.rstrip("Z"),"0")
print(datetime.datetime.fromisoformat(s+"+00:00").timestamp()+float("0."+frac))'; }

# start_meter DATABASE LOG: a meter that closes a batch only at its epoch's end.
start_meter() {
  "$BIN/attrib-meter" --listen "127.0.0.1:$PORT" --database "$1" --models "$MODEL" \
    --clients "bench:$TOKEN" --max-batch-receipts $((RECEIPTS * 2)) --max-batch-secs 1000000 \
    --tick-ms 250 --from operator 2>"$2" &
  METER_PID=$!
  for _ in $(seq 1 120); do
    if curl -sf "$URL/healthz" >/dev/null; then return 0; fi
    kill -0 "$METER_PID" 2>/dev/null || { cat "$2" >&2; return 1; }
    sleep 0.5
  done
  echo "the meter did not come up" >&2; return 1
}
stop_meter() { kill "$METER_PID"; wait "$METER_PID" || true; METER_PID=""; }

# load NAME ARGS...: one loadgen run, with the meter's CPU time and the load average.
load() {
  local name=$1; shift
  local cpu0; cpu0="$(cpu_secs "$METER_PID")"
  local load; load="$(cut -d' ' -f1 /proc/loadavg)"
  "$BIN/attrib-loadgen" --url "$URL" --token "$TOKEN" --model-id "$MODEL" \
    --request-prefix "$name-$RANDOM" --summary "$WORK/$name.json" "$@" >/dev/null
  python3 - "$WORK/$name.json" "$cpu0" "$(cpu_secs "$METER_PID")" "$load" <<'PY'
import json, sys
p, c0, c1, load = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
s = json.load(open(p))
s["meter_cpu_secs"] = round(c1 - c0, 2)
s["meter_cpu_us_per_receipt"] = round((c1 - c0) * 1e6 / max(s["acknowledged"], 1), 1)
s["loadavg_at_start"] = load
json.dump(s, open(p, "w"))
PY
  printf '%-22s %9.0f receipts/s  p50 %7.2f ms  p99 %7.2f ms  (failed requests %s)\n' "$name" \
    "$(jq -r .throughput "$WORK/$name.json")" "$(jq -r .latency_ms.p50 "$WORK/$name.json")" \
    "$(jq -r .latency_ms.p99 "$WORK/$name.json")" "$(jq -r .failed_requests "$WORK/$name.json")" >&2
}

# ingest PREFIX: the three ingest phases against the running meter.
ingest() {
  load "$1-max-batch" --count "$MAX_EVENTS" --per-request 100 --concurrency 16
  load "$1-max-single" --count "$SINGLE_EVENTS" --per-request 1 --concurrency 64
  load "$1-at-5k" --count $((5000 * OPEN_SECS)) --rate 5000 --per-request 1 --concurrency 2000
}

step "SQLite: ingest (meter on $URL, model $MODEL)"
start_meter "$WORK/meter.db" "$WORK/meter.log"
ingest sqlite
STORED="$(metric attrib_meter_receipts_total)"
FILL=$((RECEIPTS - ${STORED%.*}))
NOW="$(chain_time)"
EPOCH=$(( (NOW - EPOCH_START) / EPOCH_LEN ))
EPOCH_END=$(( EPOCH_START + (EPOCH + 1) * EPOCH_LEN ))
step "filling epoch $EPOCH to $RECEIPTS receipts (+$FILL; $((EPOCH_END - NOW)) s left in the epoch)"
for round in 1 2 3; do # refused requests (busy) leave a gap: fill again
  [ "$FILL" -gt 0 ] || break
  load "sqlite-fill$round" --count "$FILL" --per-request 1000 --concurrency 8
  STORED="$(metric attrib_meter_receipts_total)"
  FILL=$((RECEIPTS - ${STORED%.*}))
done
FILLED_AT="$(chain_time)"

step "waiting for the epoch's end ($EPOCH_END) and its batch"
log_line() { # log_line MESSAGE FIELD VALUE: the meter's first log line with them
  jq -c --arg m "$1" --arg f "$2" --arg v "$3" \
    'select(.fields.message == $m and (.fields[$f] | tostring) == $v)' "$WORK/meter.log" 2>/dev/null | head -1
}
BUILT="" POSTED=""
for _ in $(seq 1 $((EPOCH_LEN * 2 + 120))); do
  [ -n "$BUILT" ] || BUILT="$(log_line "batch built" epoch "$EPOCH")"
  if [ -n "$BUILT" ]; then
    SEQ="$(jq -r .fields.seq <<<"$BUILT")"
    POSTED="$(log_line "batch posted" seq "$SEQ")"
    [ -n "$POSTED" ] && break
  fi
  sleep 1
done
[ -n "$POSTED" ] || { echo "no batch of epoch $EPOCH posted; meter log:" >&2; tail -20 "$WORK/meter.log" >&2; exit 1; }
HEIGHT="$(jq -r .fields.height <<<"$POSTED")"
INCLUDED="$(block_time "$HEIGHT")"
"$A" -o json q oracle batch "$MODEL" "$OPERATOR" "$SEQ" > "$WORK/batch.json"
RSS_AFTER_BATCH="$(awk '/VmHWM|VmRSS/ { printf "%s=%s ", $1, $2 }' "/proc/$METER_PID/status")"
python3 - "$WORK/batch.json" "$EPOCH_END" "$INCLUDED" "$HEIGHT" "$FILLED_AT" "$BUILT" "$POSTED" \
  > "$WORK/fig-batch.json" <<'PY'
import datetime, json, sys
b = json.load(open(sys.argv[1]))
epoch_end, included, height, filled = int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
def ts(line):  # RFC 3339, any number of fraction digits
    t = json.loads(line)["timestamp"].rstrip("Z")
    whole, _, frac = t.partition(".")
    return datetime.datetime.fromisoformat(whole + "+00:00").timestamp() + float("0." + (frac or "0"))
built = ts(sys.argv[6]) if sys.argv[6] else None
print(json.dumps({
    "seq": b["seq"], "epoch": b["epoch"], "count": b["count"], "first_id": b["first_id"],
    "last_id": b["last_id"], "root": b["root"], "total_units": b["total_units"],
    "epoch_end": epoch_end, "filled_at": filled, "submit_height": height,
    "built_secs_after_epoch_end": None if built is None else round(built - epoch_end, 2),
    "posted_secs_after_epoch_end": round(included - epoch_end, 2),
    "target_secs": 60, "pass": b["count"] >= 1_000_000 and included - epoch_end <= 60,
}))
PY
jq -c . "$WORK/fig-batch.json" >&2
FIRST_ID="$(jq -r .first_id "$WORK/fig-batch.json")"
LAST_ID="$(jq -r .last_id "$WORK/fig-batch.json")"

step "proofs: $PROOFS random receipts of batch $SEQ, each verified"
"$BIN/attrib-loadgen" --url "$URL" --model-id "$MODEL" --proofs --first-id "$FIRST_ID" \
  --last-id "$LAST_ID" --count "$PROOFS" --concurrency 8 --seed "$RANDOM" > "$WORK/proofs.json"
jq -c '{verified, failed_requests, failed_verifications, latency_ms}' "$WORK/proofs.json" >&2

step "auditor: attrib-auditor check of batch $SEQ"
"$BIN/attrib-auditor" check --meter "$URL" --model-id "$MODEL" --operator "$OPERATOR" --seq "$SEQ" \
  > "$WORK/audit.json" || true
jq -c '{verdict, leaves, fetch_secs, check_secs, note}' "$WORK/audit.json" >&2
awk '/VmHWM|VmRSS/ { print $1, $2 }' "/proc/$METER_PID/status" | tr -d : > "$WORK/rss.txt"
stop_meter

if [ -f scripts/postgres.sh ]; then
  step "PostgreSQL: the same ingest phases (a meter on a fresh database, epoch $((EPOCH + 1)))"
  bash scripts/postgres.sh start >&2
  PG_STARTED=1
  start_meter "$(bash scripts/postgres.sh url)" "$WORK/meter-pg.log"
  # A failure here still leaves the SQLite figures reported.
  set +e
  (set -e; ingest pg)
  rc=$?
  set -e
  stop_meter
  if [ "$rc" = 0 ]; then echo '{}'; else echo "{\"error\": \"the PostgreSQL phases failed (exit $rc)\"}"; fi \
    > "$WORK/fig-postgres.json"
else
  echo '{"skipped": "scripts/postgres.sh missing"}' > "$WORK/fig-postgres.json"
fi

step "report: $OUT"
python3 - "$WORK" "$OUT" "$LOAD_START" "$EPOCH_SECS" "$RSS_AFTER_BATCH" <<'PY'
import json, os, subprocess, sys, datetime
work, out, load_start, epoch_secs, rss_after_batch = sys.argv[1:]
j = lambda n: json.load(open(os.path.join(work, n)))
have = lambda n: os.path.exists(os.path.join(work, n))
def ingest(prefix):
    m = {k: j(f"{prefix}-{k}.json") for k in ("max-batch", "max-single", "at-5k")}
    keep = lambda s: {k: s[k] for k in ("events", "acknowledged", "failed_requests", "seconds",
        "throughput", "latency_ms", "meter_cpu_secs", "meter_cpu_us_per_receipt", "loadavg_at_start")}
    return {
        "ingest_max": {
            "batch_endpoint": dict(keep(m["max-batch"]), events_per_request=100, concurrency=16,
                                   target_receipts_per_s=10_000,
                                   **{"pass": m["max-batch"]["throughput"] >= 10_000}),
            "single_events": dict(keep(m["max-single"]), events_per_request=1, concurrency=64,
                                  target_receipts_per_s=10_000,
                                  **{"pass": m["max-single"]["throughput"] >= 10_000}),
        },
        "ingest_at_5k": dict(keep(m["at-5k"]), rate=5000, target_p99_ms=25,
                             **{"pass": m["at-5k"]["latency_ms"]["p99"] <= 25 and m["at-5k"]["failed_requests"] == 0}),
    }
rss = dict(l.split() for l in open(os.path.join(work, "rss.txt")))
proofs, audit = j("proofs.json"), j("audit.json")
pg = j("fig-postgres.json")
if not pg:
    pg = ingest("pg")
report = {
    "git_rev": subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip(),
    "git_dirty": bool(subprocess.run(["git", "status", "--porcelain"], capture_output=True, text=True).stdout.strip()),
    "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    "machine": {"nproc": os.cpu_count(), "loadavg_at_start": load_start,
                "loadavg_at_end": " ".join(open("/proc/loadavg").read().split()[:3]),
                "note": "2 cores shared with other agents' builds: figures taken under that load"},
    "reference": j("fig-reference.json"),
    "sqlite": ingest("sqlite"),
    "postgres": pg,
    "batch_1m": dict(j("fig-batch.json"), epoch_secs=int(epoch_secs)),
    "meter_memory": {"vm_hwm_kb": int(rss["VmHWM"]), "vm_rss_kb": int(rss["VmRSS"]),
                     "at_batch_posted": rss_after_batch.strip(), "target_mb": 500,
                     "pass": int(rss["VmHWM"]) <= 500 * 1024},
    "proofs": {k: proofs[k] for k in ("requests", "verified", "failed_requests", "failed_verifications",
                                      "seconds", "throughput", "latency_ms", "roots")}
              | {"concurrency": 8, "target_p99_ms": 5,
                 "pass": proofs["latency_ms"]["p99"] <= 5 and proofs["verified"] == proofs["requests"]},
    "auditor_check": {k: audit.get(k) for k in ("verdict", "note", "leaves", "count", "fetch_secs", "check_secs")}
              | {"total_secs": round(audit.get("fetch_secs", 0) + audit.get("check_secs", 0), 3),
                 "target_check_secs": 5, "pass": audit.get("verdict") == "honest" and audit.get("check_secs", 1e9) <= 5},
}
chain_root = report["batch_1m"]["root"]
report["proofs"]["roots_match_chain"] = all(r == chain_root for r in proofs["roots"].values())
json.dump(report, open(out, "w"), indent=2)
rows = []
def row(name, figure, target, ok):
    rows.append(f"{name:<34} {figure:>22} {target:>14}  {'PASS' if ok else 'FAIL'}")
def ingest_rows(db, r):
    for k, v in r["ingest_max"].items():
        row(f"{db} ingest max ({k})", f"{v['throughput']:.0f}/s p99 {v['latency_ms']['p99']:.1f}ms", ">= 10000/s", v["pass"])
    v = r["ingest_at_5k"]
    row(f"{db} ingest at 5k/s p99 (p999)", f"{v['latency_ms']['p99']:.1f} ({v['latency_ms']['p999']:.1f}) ms", "p99 <= 25 ms", v["pass"])
ingest_rows("sqlite", report["sqlite"])
if "ingest_max" not in pg:
    rows.append(f"{'postgres':<34} {json.dumps(pg)}")
else:
    ingest_rows("postgres", pg)
b = report["batch_1m"]
row("1M batch posted after epoch end", f"{b['posted_secs_after_epoch_end']} s ({b['count']} rcpts)", "<= 60 s", b["pass"])
m = report["meter_memory"]
row("meter peak RSS (VmHWM)", f"{m['vm_hwm_kb'] / 1024:.0f} MB", "<= 500 MB", m["pass"])
p = report["proofs"]
row("proof p99 (verified/asked)", f"{p['latency_ms']['p99']:.2f} ms ({p['verified']}/{p['requests']})", "<= 5 ms", p["pass"])
a = report["auditor_check"]
row("auditor check (fetch + check)", f"{a['fetch_secs'] or 0:.2f} + {a['check_secs'] or 0:.2f} s", "check <= 5 s", a["pass"])
print("\n".join(rows))
print(f"loadavg at start {load_start}; reference: {report['reference']}")
PY
