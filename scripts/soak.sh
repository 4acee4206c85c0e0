#!/usr/bin/env bash
# The protocol under random operation, at length (issue 14): the `invariants` test
# target's soak run, optimized (profile `soak`: release, tuned for speed instead of wasm
# size). Prints sequences, steps, messages that succeeded/failed by kind, time, and any
# failing seed (replay one: ATTRIB_INVARIANTS_SEED=<seed> cargo test -p attrib-tests
# --test invariants replay -- --nocapture).
#   ATTRIB_SOAK_CASES  sequences (default 10000)
#   ATTRIB_SOAK_SEED   first seed (default: the clock); sequence i uses seed + i
#   ATTRIB_SOAK_STEPS  steps per sequence (default: the CI length)
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
export ATTRIB_SOAK_CASES="${ATTRIB_SOAK_CASES:-10000}"
export ATTRIB_SOAK_SEED="${ATTRIB_SOAK_SEED:-$(date +%s)}"
step "soak: $ATTRIB_SOAK_CASES sequences from seed $ATTRIB_SOAK_SEED"
start=$(date +%s)
set +e
cargo test --locked --profile soak -p attrib-tests --test invariants -- --ignored --exact soak --nocapture
status=$?
set -e
step "soak finished in $(( $(date +%s) - start ))s (build included), exit $status"
exit "$status"
