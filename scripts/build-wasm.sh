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
pkgs=(); for c in "${WASM_CRATES[@]}"; do pkgs+=(-p "$c"); done
# Source paths end up in panic messages; map them to fixed names so the same commit gives
# the same checksums on every machine.
CARGO_HOME_DIR="${CARGO_HOME:-$HOME/.cargo}"
RUSTFLAGS="--remap-path-prefix=$CARGO_HOME_DIR=/cargo --remap-path-prefix=$ROOT=/attrib" \
  cargo build --release --lib --locked --target wasm32-unknown-unknown "${pkgs[@]}"

mkdir -p "$ARTIFACTS"
rm -f "$ARTIFACTS"/*.wasm "$ARTIFACTS/checksums.txt"
for c in "${WASM_CRATES[@]}"; do
  name="${c//-/_}"
  "$(wasm_opt_bin)" "$CARGO_TARGET_DIR/wasm32-unknown-unknown/release/$name.wasm" \
    -Os --signext-lowering --llvm-memory-copy-fill-lowering --strip-debug --strip-producers -o "$ARTIFACTS/$name.wasm"
done
(cd "$ARTIFACTS" && sha256sum -- *.wasm > checksums.txt)

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
