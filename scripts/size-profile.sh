#!/usr/bin/env bash
# What makes each contract's wasm big: twiggy over the release build before wasm-opt
# (names are still there), summed by kind of code. A report, not a test; build-wasm.sh
# enforces the budgets.   scripts/size-profile.sh [crate …]   (default: every contract)
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
ensure_twiggy
bash scripts/build-wasm.sh >/dev/null
crates=("$@"); [ ${#crates[@]} -gt 0 ] || crates=("${WASM_CRATES[@]}")
for c in "${crates[@]}"; do
  wasm="$CARGO_TARGET_DIR/wasm32-unknown-unknown/release/${c//-/_}.wasm"
  "$(twiggy_bin)" top -n 1000000 --format csv "$wasm" | python3 -c '
import csv, re, sys, collections
# First match wins: the order puts the narrow kinds before the broad ones.
KINDS = [
    ("sylvia intermediate Value", r"serde_cw_value"),
    ("JSON deserialization", r"serde_json_wasm::de|Deserializ|deserialize|Visitor|visit_|MapAccess|SeqAccess"),
    ("JSON serialization", r"serde_json_wasm::ser|Serializ|serialize"),
    ("fmt, panic, backtrace", r"rustc_demangle|backtrace|Backtrace|panic|fmt|Formatter|Display|Debug|to_string|format"),
    ("own code", r"attrib_"),
    ("alloc, core, std", r"dlmalloc|alloc::|core::|std::|compiler_builtins|memcpy|memset|<str>|<\[|__rust|__rdl|core\[|alloc\[|std\["),
    ("cosmwasm and cw libraries", r"cosmwasm_std|cw_storage_plus|cw20|cw2|sylvia|bnum|base64|sha2|digest"),
]
sizes = collections.Counter()
for row in csv.DictReader(sys.stdin):
    name, size = row["Name"], int(row["ShallowSize"])
    if name.startswith(("Σ", "...", "\"")):
        continue  # totals and custom sections (names), which wasm-opt strips
    if name.startswith("data segment"):
        sizes["data (strings, tables)"] += size
        continue
    sizes[next((k for k, rx in KINDS if re.search(rx, name)), "other")] += size
total = sum(sizes.values())
print(f"{sys.argv[1]}: {total} bytes of code and data before wasm-opt")
for kind, size in sizes.most_common():
    print(f"  {kind:28} {size:8d} {100 * size / total:5.1f} %")
' "$c"
done
