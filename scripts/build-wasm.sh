#!/usr/bin/env bash
# Builds every contract to wasm the CosmWasm VM of wasmd 0.61 accepts:
#   cargo build (release, wasm32) → wasm-opt -Os with sign-ext and bulk-memory lowering
#   → artifacts/<crate>.wasm + checksums.txt → cosmwasm-check 3.0.x on each.
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
# One cargo invocation per contract: cargo unifies features across the packages of one
# build, and a contract that uses another as a library (feature `library`) would strip
# the other's entry points.
for c in "${WASM_CRATES[@]}"; do
  cargo build --release --lib --locked --target wasm32-unknown-unknown -p "$c"
done

mkdir -p "$ARTIFACTS"
rm -f "$ARTIFACTS"/*.wasm "$ARTIFACTS/checksums.txt"
for c in "${WASM_CRATES[@]}"; do
  name="${c//-/_}"
  "$(wasm_opt_bin)" "$CARGO_TARGET_DIR/wasm32-unknown-unknown/release/$name.wasm" \
    -Os --signext-lowering --llvm-memory-copy-fill-lowering --strip-debug --strip-producers -o "$ARTIFACTS/$name.wasm"
done
(cd "$ARTIFACTS" && sha256sum -- *.wasm > checksums.txt)

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

status=0
printf '\n%-40s %10s\n' "artifact" "bytes" >&2
for f in "$ARTIFACTS"/*.wasm; do
  size=$(stat -c %s "$f")
  printf '%-40s %10d\n' "$(basename "$f")" "$size" >&2
  if [ "$size" -gt "$MAX_BYTES" ]; then
    echo "error: $(basename "$f") is over wasmd's 800 KiB limit" >&2; status=1
  fi
done
exit $status
