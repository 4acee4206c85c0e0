#!/usr/bin/env bash
# Builds every contract to wasm the CosmWasm VM of wasmd 0.61 accepts:
#   cargo build (release, wasm32) → wasm-opt -Oz with sign-ext and bulk-memory lowering
#   → artifacts/<crate>.wasm + checksums.txt → cosmwasm-check 3.0.x on each
#   → each artifact within its size budget (`[package.metadata.attrib] wasm-size-budget`
#     in the contract's Cargo.toml: growing a contract is a decision written down there).
# rustc ≥ 1.87 emits bulk-memory/sign-ext instructions that wasmvm 3.0 rejects; the
# lowering passes rewrite them into MVP instructions (see shared/TOOLCHAIN.md).
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
ensure_wasm_tools
MAX_BYTES=$((800 * 1024))

step "building ${#WASM_CRATES[@]} contract(s) for wasm32"
# Source paths end up in panic messages; map them to fixed names so the same commit gives
# the same checksums on every machine.
CARGO_HOME_DIR="${CARGO_HOME:-$HOME/.cargo}"
export RUSTFLAGS="--remap-path-prefix=$CARGO_HOME_DIR=/cargo --remap-path-prefix=$ROOT=/attrib"
# One cargo invocation for all contracts. Cargo unifies features across the packages of a
# build, so this relies on the rule that no contract depends on another outside
# [dev-dependencies] (they share only attrib-std): a contract pulled in as a library
# (feature `library`) would lose its entry points, which the check below would catch.
# Shared external crates are unified too: the protocol token is built with cosmwasm-std's
# `staking` (which sylvia turns on for the others), so it also exports requires_staking.
packages=()
for c in "${WASM_CRATES[@]}"; do packages+=(-p "$c"); done
cargo build --release --lib --locked --target wasm32-unknown-unknown "${packages[@]}"

WASM_OPT_FLAGS=(--merge-similar-functions -Oz -Oz --signext-lowering --llvm-memory-copy-fill-lowering --strip-debug --strip-producers)
# wasm-opt takes 1.5-2 min for the five contracts and is deterministic: when cargo's
# outputs, the flags and binaryen's version are those the artifacts were made from (and
# the artifacts still match their checksums), they are reused. The test suite deploys
# four times; only the first pays.
inputs_sum() {
  {
    echo "binaryen $BINARYEN_VERSION ${WASM_OPT_FLAGS[*]}"
    for c in "${WASM_CRATES[@]}"; do
      sha256sum "$CARGO_TARGET_DIR/wasm32-unknown-unknown/release/${c//-/_}.wasm" | cut -d' ' -f1
    done
  } | sha256sum | cut -d' ' -f1
}
mkdir -p "$ARTIFACTS"
INPUTS="$(inputs_sum)"
if [ "$(cat "$ARTIFACTS/inputs.sha256" 2>/dev/null)" = "$INPUTS" ] &&
  (cd "$ARTIFACTS" && sha256sum --quiet -c checksums.txt 2>/dev/null) &&
  [ "$(wc -l < "$ARTIFACTS/checksums.txt")" = "${#WASM_CRATES[@]}" ]; then
  echo "artifacts/ already holds wasm-opt's output of this build: reused" >&2
else
  rm -f "$ARTIFACTS"/*.wasm "$ARTIFACTS/checksums.txt" "$ARTIFACTS/inputs.sha256"
  for c in "${WASM_CRATES[@]}"; do
    name="${c//-/_}"
    "$(wasm_opt_bin)" "$CARGO_TARGET_DIR/wasm32-unknown-unknown/release/$name.wasm" \
      "${WASM_OPT_FLAGS[@]}" -o "$ARTIFACTS/$name.wasm"
  done
  (cd "$ARTIFACTS" && sha256sum -- *.wasm > checksums.txt)
  echo "$INPUTS" > "$ARTIFACTS/inputs.sha256"
fi

step "entry points"
# cosmwasm-check does not insist on instantiate/execute/query; a contract without them
# would store fine and be useless.
python3 - "$ARTIFACTS"/*.wasm <<'PY'
import sys
def leb(b, i):
    r = s = 0
    while True:
        x = b[i]; i += 1; r |= (x & 0x7f) << s; s += 7
        if x < 0x80: return r, i
bad = False
for path in sys.argv[1:]:
    data = open(path, "rb").read(); i = 8; names = set()
    while i < len(data):
        sid = data[i]; size, i = leb(data, i + 1); start = i
        if sid == 7:
            n, j = leb(data, i)
            for _ in range(n):
                l, j = leb(data, j); names.add(data[j:j + l].decode()); j += l + 1; _, j = leb(data, j)
        i = start + size
    missing = {"instantiate", "execute", "query"} - names
    if missing:
        print(f"error: {path} lacks entry points {sorted(missing)}", file=sys.stderr); bad = True
    else:
        print(f"{path.rsplit('/', 1)[-1]}: {', '.join(sorted(n for n in names if n in ('instantiate', 'execute', 'query', 'migrate', 'sudo', 'reply') or n.startswith('ibc')))}", file=sys.stderr)
sys.exit(1 if bad else 0)
PY

step "cosmwasm-check $COSMWASM_CHECK_VERSION"
"$(cosmwasm_check_bin)" "$ARTIFACTS"/*.wasm

step "sizes against budgets"
# The metadata goes through the environment: python's stdin is the script below.
METADATA=$(cargo metadata --no-deps --format-version 1 --locked) \
  python3 - "$ARTIFACTS" "$MAX_BYTES" "${WASM_CRATES[@]}" <<'PY'
import json, os, sys
artifacts, limit, crates = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
packages = {p["name"]: p for p in json.loads(os.environ["METADATA"])["packages"]}
bad = False
print(f"\n{'artifact':36} {'bytes':>9} {'budget':>9} {'used':>6}", file=sys.stderr)
for crate in crates:
    name = crate.replace("-", "_") + ".wasm"
    size = os.path.getsize(os.path.join(artifacts, name))
    budget = ((packages[crate].get("metadata") or {}).get("attrib") or {}).get("wasm-size-budget")
    if budget is None:
        print(f"error: {crate} has no [package.metadata.attrib] wasm-size-budget", file=sys.stderr)
        bad = True
        continue
    print(f"{name:36} {size:9d} {budget:9d} {100 * size / budget:5.1f}%", file=sys.stderr)
    if size > budget:
        print(f"error: {name} is {size} bytes, over its budget of {budget} bytes "
              f"({packages[crate]['manifest_path']}): shrink it, or raise the budget in a "
              "commit that says why", file=sys.stderr)
        bad = True
    if size > limit:
        print(f"error: {name} is over wasmd's 800 KiB limit", file=sys.stderr)
        bad = True
sys.exit(1 if bad else 0)
PY
