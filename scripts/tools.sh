#!/usr/bin/env bash
# Installs (once) and locates the tools Attrib builds and runs with. Everything goes
# under $ATTRIB_CACHE (default ~/.cache/attrib) so a fresh clone reuses a warm machine.
#
#   scripts/tools.sh [wasm|wasmd|relayer|fuzz|all]   install what is missing, print where it is
#   source scripts/tools.sh               only define the functions and variables
#
# Pinned versions: see the variables below and the README ("Toolchain").
set -euo pipefail

ATTRIB_CACHE="${ATTRIB_CACHE:-$HOME/.cache/attrib}"
BINARYEN_VERSION="132.0.0"
COSMWASM_CHECK_VERSION="3.0.10"
WASMD_VERSION="v0.61.14"
# wasmd 0.61's dependencies (bytedance/sonic 1.14) do not build with Go 1.26; the go
# command fetches this official toolchain from the Go module proxy (golang.org/toolchain).
WASMD_GO_TOOLCHAIN="go1.24.11"
TOOLS_DIR="$ATTRIB_CACHE/tools"
# The Go relayer (cosmos/relayer) for the two-chain IBC setup; built with the same Go.
RELAYER_VERSION="v2.6.0"

log() { printf '\033[1;34m[tools]\033[0m %s\n' "$*" >&2; }

ensure_wasm_target() {
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    log "adding rust target wasm32-unknown-unknown"
    rustup target add wasm32-unknown-unknown >&2
  fi
}

# Binaryen from npm: Debian's binaryen is too old for the lowering passes we need.
wasm_opt_bin() { echo "$TOOLS_DIR/binaryen-$BINARYEN_VERSION/node_modules/.bin/wasm-opt"; }
ensure_wasm_opt() {
  local bin; bin="$(wasm_opt_bin)"
  if [ ! -x "$bin" ]; then
    log "installing binaryen@$BINARYEN_VERSION (npm) for wasm-opt"
    mkdir -p "$TOOLS_DIR/binaryen-$BINARYEN_VERSION"
    npm install --silent --no-audit --no-fund --prefix "$TOOLS_DIR/binaryen-$BINARYEN_VERSION" \
      "binaryen@$BINARYEN_VERSION" >&2
  fi
}

# cosmwasm-check 3.0.x matches wasmd 0.61's VM (3.1 would accept bulk memory).
cosmwasm_check_bin() { echo "$TOOLS_DIR/cosmwasm-check-$COSMWASM_CHECK_VERSION/bin/cosmwasm-check"; }
ensure_cosmwasm_check() {
  local bin; bin="$(cosmwasm_check_bin)"
  if [ ! -x "$bin" ]; then
    log "installing cosmwasm-check $COSMWASM_CHECK_VERSION (cargo, a few minutes cold)"
    CARGO_TARGET_DIR="$ATTRIB_CACHE/cargo-target-tools" \
      cargo install cosmwasm-check --version "=$COSMWASM_CHECK_VERSION" --locked \
      --root "$TOOLS_DIR/cosmwasm-check-$COSMWASM_CHECK_VERSION" >&2
  fi
}

# wasmd from the Go module proxy. Its go.mod has replace directives, so `go install`
# refuses it: build inside a writable copy of the module instead.
wasmd_dir() { echo "$TOOLS_DIR/wasmd-$WASMD_VERSION"; }
wasmd_bin() { echo "$(wasmd_dir)/bin/wasmd"; }
ensure_wasmd() {
  local dir bin; dir="$(wasmd_dir)"; bin="$(wasmd_bin)"
  if [ ! -x "$bin" ] || [ ! -f "$dir/lib/libwasmvm.x86_64.so" ]; then
    log "building wasmd $WASMD_VERSION from the Go module proxy (cold: several minutes)"
    local src modinfo
    modinfo="$(GOTOOLCHAIN="$WASMD_GO_TOOLCHAIN" go mod download -json "github.com/CosmWasm/wasmd@$WASMD_VERSION")"
    src="$(printf '%s' "$modinfo" | python3 -c 'import json,sys; print(json.load(sys.stdin)["Dir"])')"
    rm -rf "$dir/src"; mkdir -p "$dir/bin" "$dir/lib"
    cp -r "$src" "$dir/src"; chmod -R u+w "$dir/src"
    (
      cd "$dir/src"
      export GOTOOLCHAIN="$WASMD_GO_TOOLCHAIN"
      go build -mod=readonly -trimpath -tags netgo,ledger \
        -ldflags "-X github.com/cosmos/cosmos-sdk/version.Name=wasm -X github.com/cosmos/cosmos-sdk/version.AppName=wasmd -X github.com/cosmos/cosmos-sdk/version.Version=${WASMD_VERSION#v}" \
        -o "$bin" ./cmd/wasmd
    ) >&2
    # libwasmvm ships inside the wasmvm Go module; keep a copy beside the binary so the
    # binary does not depend on the module cache staying put.
    local wasmvm_dir
    wasmvm_dir="$(cd "$dir/src" && GOTOOLCHAIN="$WASMD_GO_TOOLCHAIN" go list -m -f '{{.Dir}}' github.com/CosmWasm/wasmvm/v3)"
    cp "$wasmvm_dir/internal/api/libwasmvm.x86_64.so" "$dir/lib/"
    rm -rf "$dir/src"
  fi
}
# twiggy, the wasm size profiler, for scripts/size-profile.sh (crates.io).
TWIGGY_VERSION="0.8.0"
twiggy_bin() { echo "$TOOLS_DIR/twiggy-$TWIGGY_VERSION/bin/twiggy"; }
ensure_twiggy() {
  if [ ! -x "$(twiggy_bin)" ]; then
    log "installing twiggy $TWIGGY_VERSION (cargo, a few minutes cold)"
    CARGO_TARGET_DIR="$ATTRIB_CACHE/cargo-target-tools" \
      cargo install twiggy --version "=$TWIGGY_VERSION" --locked --root "$TOOLS_DIR/twiggy-$TWIGGY_VERSION" >&2
  fi
}

# cargo-fuzz (crates.io) for scripts/fuzz.sh; it drives libFuzzer on the nightly toolchain
# the machine already has (no toolchain is downloaded).
CARGO_FUZZ_VERSION="0.13.2"
cargo_fuzz_bin() { echo "$TOOLS_DIR/cargo-fuzz/bin/cargo-fuzz"; }
ensure_cargo_fuzz() {
  if ! rustup toolchain list | grep -q '^nightly'; then
    log "cargo-fuzz needs a nightly toolchain and none is installed (rustup toolchain list)"
    return 1
  fi
  if [ ! -x "$(cargo_fuzz_bin)" ]; then
    log "installing cargo-fuzz $CARGO_FUZZ_VERSION (cargo, a few minutes cold)"
    CARGO_TARGET_DIR="$ATTRIB_CACHE/cargo-target-tools" \
      cargo install cargo-fuzz --version "=$CARGO_FUZZ_VERSION" --locked --root "$TOOLS_DIR/cargo-fuzz" >&2
  fi
}

relayer_bin() { echo "$TOOLS_DIR/relayer-$RELAYER_VERSION/bin/rly"; }

# `go install …@version` is refused (the proxy will not list the module's versions for
# its deprecation check), so build inside a copy of the module, without its go.work.
ensure_relayer() {
  local bin; bin="$(relayer_bin)"
  if [ ! -x "$bin" ]; then
    log "building the Go relayer $RELAYER_VERSION from the Go module proxy (cold: about 4 minutes)"
    local src tmp
    src="$(GOTOOLCHAIN="$WASMD_GO_TOOLCHAIN" go mod download -json "github.com/cosmos/relayer/v2@$RELAYER_VERSION" \
      | python3 -c 'import json,sys; print(json.load(sys.stdin)["Dir"])')"
    tmp="$(mktemp -d)"; cp -r "$src/." "$tmp/"; chmod -R u+w "$tmp"; rm -f "$tmp/go.work" "$tmp/go.work.sum"
    mkdir -p "$(dirname "$bin")"
    (cd "$tmp" && GOTOOLCHAIN="$WASMD_GO_TOOLCHAIN" GOWORK=off go build -mod=readonly -trimpath -o "$bin" .) >&2
    rm -rf "$tmp"
  fi
}

# Run wasmd with its library on the path.
wasmd_cmd() { LD_LIBRARY_PATH="$(wasmd_dir)/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" "$(wasmd_bin)" "$@"; }

ensure_wasm_tools() { ensure_wasm_target; ensure_wasm_opt; ensure_cosmwasm_check; }

# A Node package's dependencies from its package-lock.json: `npm ci` with the npm cache
# under $ATTRIB_CACHE/npm, and the installed tree kept under $ATTRIB_CACHE/node_modules/
# <lockfile sha256>, so a fresh clone with the same lockfile gets it as hard links in a
# second (npm ci unpacks ~200 MB even from a warm cache). Skipped when node_modules was
# installed from this lockfile. Install scripts do not run (nothing we use needs one).
NPM_CACHE="$ATTRIB_CACHE/npm"
# Debian's Chromium for the dashboard's browser test (playwright-core drives it; its own
# browser download is not reachable here). CHROMIUM names another browser.
chromium_bin() { echo "${CHROMIUM:-/usr/bin/chromium}"; }
ensure_chromium() {
  command -v "$(chromium_bin)" >/dev/null && return 0
  log "installing Debian's chromium"
  local sudo=()
  [ "$(id -u)" = 0 ] || sudo=(sudo)
  local install=("${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium)
  "${install[@]}" >&2 || { "${sudo[@]}" apt-get update -q >&2 && "${install[@]}" >&2; }
}

ensure_npm_deps() {
  local dir="$1" sum store
  sum="$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)"
  [ "$(cat "$dir/node_modules/.attrib-lock-sha256" 2>/dev/null)" = "$sum" ] && return 0
  store="$ATTRIB_CACHE/node_modules/$sum"
  rm -rf "$dir/node_modules"
  if [ -f "$store/.attrib-lock-sha256" ] && cp -al "$store" "$dir/node_modules" 2>/dev/null; then
    return 0
  fi
  rm -rf "$dir/node_modules"
  log "npm ci in ${dir#"$PWD"/} (cache $NPM_CACHE)"
  (cd "$dir" && npm ci --cache "$NPM_CACHE" --prefer-offline --ignore-scripts --no-audit --no-fund --loglevel=error >&2)
  echo "$sum" > "$dir/node_modules/.attrib-lock-sha256"
  mkdir -p "$ATTRIB_CACHE/node_modules"
  rm -rf "$store.tmp.$$"
  cp -al "$dir/node_modules" "$store.tmp.$$" 2>/dev/null && mv -T "$store.tmp.$$" "$store" 2>/dev/null || rm -rf "$store.tmp.$$"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  case "${1:-all}" in
    wasm) ensure_wasm_tools ;;
    wasmd) ensure_wasmd; wasmd_cmd version ;;
    relayer) ensure_relayer; "$(relayer_bin)" version ;;
    fuzz) ensure_cargo_fuzz; "$(cargo_fuzz_bin)" --version ;;
    all) ensure_wasm_tools; ensure_wasmd; wasmd_cmd version ;;
    *) echo "usage: $0 [wasm|wasmd|relayer|fuzz|all]" >&2; exit 2 ;;
  esac
fi
