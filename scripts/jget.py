#!/usr/bin/env python3
"""Reads values out of a JSON file by path; evaluates no code (the paths are parsed).

    jget.py FILE PATH...        (FILE may be /dev/stdin)

prints every value each PATH selects, one per line. A path is a chain of steps:

    name          the field `name` of an object             tranche.status
    [N]           element N of an array (negative: from the end)   points[0][1]
    [*]           every element of an array                 review.members[*].curator
    [K=V]         every element whose field (or, for an array element, index) K
                  is V (compared as text)                   events[type=wasm-x].attributes[0=id][1]

A missing field or index is an error; `[*]` and `[K=V]` may select nothing, and then
nothing is printed. Strings print raw, other scalars as Python prints them (True, None),
objects and arrays as compact JSON."""
import json
import re
import sys

STEP = re.compile(r"\.?([^.\[\]]+)|\[([^\]]*)\]")


def parse(path):
    steps, pos = [], 0
    while pos < len(path):
        m = STEP.match(path, pos)
        if not m:
            sys.exit(f"jget: cannot parse {path!r} at {path[pos:]!r}")
        if m.group(1) is not None:
            steps.append(("field", m.group(1)))
        else:
            inner = m.group(2)
            if inner == "*":
                steps.append(("all", None))
            elif "=" in inner:
                steps.append(("where", tuple(inner.split("=", 1))))
            elif re.fullmatch(r"-?\d+", inner):
                steps.append(("index", int(inner)))
            else:
                sys.exit(f"jget: bad selector [{inner}] in {path!r}")
        pos = m.end()
    return steps


def text(v):
    if isinstance(v, (dict, list)):
        return json.dumps(v, separators=(",", ":"))
    return str(v)


def field(v, key):
    if isinstance(v, dict):
        return v.get(key)
    if isinstance(v, list) and re.fullmatch(r"-?\d+", key) and -len(v) <= int(key) < len(v):
        return v[int(key)]
    return None


def select(values, step, path):
    kind, arg = step
    out = []
    for v in values:
        if kind == "field":
            if not isinstance(v, dict) or arg not in v:
                sys.exit(f"jget: no field {arg!r} in {path!r}")
            out.append(v[arg])
        elif kind == "index":
            if not isinstance(v, list) or not -len(v) <= arg < len(v):
                sys.exit(f"jget: no element [{arg}] in {path!r}")
            out.append(v[arg])
        elif not isinstance(v, list):
            sys.exit(f"jget: not an array before [{'*' if kind == 'all' else '='.join(arg)}] in {path!r}")
        elif kind == "all":
            out.extend(v)
        else:
            key, want = arg
            out.extend(e for e in v if (x := field(e, key)) is not None and text(x) == want)
    return out


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    with open(sys.argv[1]) as f:
        doc = json.load(f)
    for path in sys.argv[2:]:
        values = [doc]
        for step in parse(path):
            values = select(values, step, path)
        for v in values:
            print(text(v))


if __name__ == "__main__":
    main()
