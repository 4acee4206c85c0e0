#!/usr/bin/env bash
# schema.sh gen    regenerate schema/<contract>/ from the code
# schema.sh check  fail if the committed schema differs from what the code generates
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
mode="${1:-gen}"
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
status=0
for c in "${SCHEMA_CRATES[@]}"; do
  short="${c#attrib-}"
  mkdir -p "$tmp/$short"
  (cd "$tmp/$short" && cargo run --quiet --locked --manifest-path "$ROOT/Cargo.toml" -p "$c" --bin schema >/dev/null)
  case "$mode" in
    gen) rm -rf "schema/$short"; mkdir -p schema; cp -r "$tmp/$short/schema" "schema/$short"; echo "wrote schema/$short" >&2 ;;
    check)
      if ! diff -r "$tmp/$short/schema" "schema/$short" >/dev/null 2>&1; then
        echo "error: schema/$short is out of date; run 'make schema' and commit it" >&2
        diff -r "$tmp/$short/schema" "schema/$short" | head -20 >&2 || true
        status=1
      fi ;;
    *) echo "usage: $0 gen|check" >&2; exit 2 ;;
  esac
done
[ "$mode" = check ] && [ $status -eq 0 ] && echo "schemas match the code" >&2
exit $status
