#!/usr/bin/env bash
# The TypeScript clients of packages/attrib-ts, generated from schema/ by
# @cosmwasm/ts-codegen (pinned in packages/attrib-ts/package-lock.json).
#
#   ts.sh gen    regenerate packages/attrib-ts/src/contracts/ (commit the result)
#   ts.sh check  fail if the committed clients differ from what schema/ generates, or do
#                not type-check
# Run `scripts/schema.sh gen` first when contract messages changed: this reads schema/.
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
TS_DIR="$ROOT/packages/attrib-ts"
OUT="$TS_DIR/src/contracts"
mode="${1:-gen}"
ensure_npm_deps "$TS_DIR"
case "$mode" in
  gen)
    rm -rf "$OUT"
    (cd "$TS_DIR" && node codegen.mjs "$OUT" >/dev/null)
    echo "wrote ${OUT#"$ROOT"/}" >&2 ;;
  check)
    tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
    (cd "$TS_DIR" && node codegen.mjs "$tmp/contracts" >/dev/null)
    if ! diff -r "$tmp/contracts" "$OUT" >/dev/null 2>&1; then
      echo "error: packages/attrib-ts/src/contracts is out of date; run 'make ts' and commit it" >&2
      diff -r "$tmp/contracts" "$OUT" | head -20 >&2 || true
      exit 1
    fi
    (cd "$TS_DIR" && npx --no-install tsc --noEmit -p .)
    echo "TypeScript clients match schema/ and type-check" >&2 ;;
  *) echo "usage: $0 gen|check" >&2; exit 2 ;;
esac
