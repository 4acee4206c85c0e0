#!/usr/bin/env bash
# Fuzzing with cargo-fuzz (libFuzzer, on the machine's nightly toolchain) of the targets
# in fuzz/: the merkle-sum proof verifier, the merkle root, the receipt and batch codecs,
# the IBC memo parser and every contract's message decoding (fuzz/README.md says what
# each asserts).
#
#   scripts/fuzz.sh ci [SECS]            every target SECS seconds (default 25); fails on a crash
#   scripts/fuzz.sh long [SECS]          every target SECS seconds (default 240), then a table:
#                                        executions, exec/s, cov, ft, corpus, crashes
#   scripts/fuzz.sh run TARGET [SECS]    one target (default 60 s)
#   scripts/fuzz.sh seeds                rewrite the committed seed corpora (fuzz/seeds/)
#   scripts/fuzz.sh list
#
# The build is cached in $ATTRIB_CACHE/target-fuzz/fuzz and each target's corpus grows in
# $ATTRIB_CACHE/fuzz-corpus/<target> (seeded from fuzz/seeds/<target>), so later runs start
# warm. A crash leaves its input in fuzz/artifacts/<target>/: minimize it with
# `cargo +nightly fuzz tmin <target> <file>` (in fuzz/) and commit it as a regression test in
# the crate that owns the code.
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
ensure_cargo_fuzz

FUZZ_TARGET_DIR="${FUZZ_TARGET_DIR:-$ATTRIB_CACHE/target-fuzz/fuzz}"
CORPUS_ROOT="${FUZZ_CORPUS:-$ATTRIB_CACHE/fuzz-corpus}"
# Release build with debug assertions (so overflow panics) and no sanitizer: the code
# is safe Rust, and ASan would halve the executions per second.
BUILD_FLAGS=(--release --debug-assertions --sanitizer none --target-dir "$FUZZ_TARGET_DIR")
# A slow input (> 10 s) is a finding too: a proof must not make the verifier loop.
LIBFUZZER_FLAGS=(-timeout=10 -rss_limit_mb=2048 -max_len=4096 -print_final_stats=1)

# cargo-fuzz needs nightly; the default toolchain stays stable for everything else.
cargo_fuzz() { (cd "$ROOT/fuzz" && RUSTUP_TOOLCHAIN=nightly "$(cargo_fuzz_bin)" "$@"); }
targets() { cargo_fuzz list; }

build() {
  step "building the fuzz targets (nightly, cached in $FUZZ_TARGET_DIR)"
  local t0=$SECONDS
  cargo_fuzz build "${BUILD_FLAGS[@]}" >&2
  step "built in $((SECONDS - t0)) s"
}

# run TARGET SECS LOG: fuzz one target; its libFuzzer output goes to LOG.
run_target() {
  local target=$1 secs=$2 log=$3
  local corpus="$CORPUS_ROOT/$target"
  mkdir -p "$corpus"
  local seeds=()
  [ -d "$ROOT/fuzz/seeds/$target" ] && seeds=("$ROOT/fuzz/seeds/$target")
  cargo_fuzz run "${BUILD_FLAGS[@]}" "$target" "$corpus" "${seeds[@]}" -- \
    "${LIBFUZZER_FLAGS[@]}" -max_total_time="$secs" >"$log" 2>&1
}

# One row of the table from a target's log.
summarize() {
  local target=$1 log=$2 status=$3
  python3 - "$target" "$log" "$status" "$CORPUS_ROOT/$target" "$ROOT/fuzz/artifacts/$target" <<'PY'
import os, re, sys
target, log, status, corpus, artifacts = sys.argv[1:]
text = open(log, errors="replace").read()
stat = lambda k: (re.findall(r"stat::%s:\s*(\d+)" % k, text) or ["?"])[-1]
cov = (re.findall(r"cov: (\d+) ft: (\d+)", text) or [("?", "?")])[-1]
crashes = len([f for f in os.listdir(artifacts) if not f.startswith(".")]) if os.path.isdir(artifacts) else 0
files = len(os.listdir(corpus)) if os.path.isdir(corpus) else 0
print(f"{target:16} {stat('number_of_executed_units'):>12} {stat('average_exec_per_sec'):>8} "
      f"{cov[0]:>6} {cov[1]:>7} {files:>7} {crashes:>8}  {'ok' if status == '0' else 'FAILED'}")
PY
}

fuzz_all() {
  local secs=$1 failed=0 logdir
  logdir="$(mktemp -d)"
  build
  local rows=()
  for t in $(targets); do
    step "fuzzing $t for ${secs}s"
    local status=0
    run_target "$t" "$secs" "$logdir/$t.log" || status=$?
    rows+=("$(summarize "$t" "$logdir/$t.log" "$status")")
    if [ "$status" -ne 0 ]; then
      failed=1
      grep -E "panicked|ERROR|SUMMARY|Test unit written|timeout" "$logdir/$t.log" | head -20 >&2 || true
    fi
  done
  printf '\n%-16s %12s %8s %6s %7s %7s %8s  %s\n' target executions exec/s cov ft corpus crashes status
  printf '%s\n' "${rows[@]}"
  echo "(libFuzzer logs in $logdir)" >&2
  return $failed
}

case "${1:-ci}" in
  ci) t0=$SECONDS; fuzz_all "${2:-25}"; step "fuzzing passed in $((SECONDS - t0)) s" ;;
  long) fuzz_all "${2:-240}" ;;
  run)
    [ $# -ge 2 ] || { echo "usage: $0 run TARGET [SECS]" >&2; exit 2; }
    build; log="$(mktemp)"; status=0
    run_target "$2" "${3:-60}" "$log" || status=$?
    tail -30 "$log"; summarize "$2" "$log" "$status"; exit "$status" ;;
  seeds) python3 "$ROOT/fuzz/seeds.py" ;;
  list) targets ;;
  *) echo "usage: $0 [ci|long|run TARGET|seeds|list] [SECS]" >&2; exit 2 ;;
esac
