#!/usr/bin/env python3
"""Writes the reference story's off-chain data (SPEC §10): JSONL tranches of in-store
shelf images with bounding boxes. Only their merkle roots go on chain.

    demo_data.py OUT_DIR
writes alice.jsonl, bob.jsonl, carol.jsonl (low quality: few, unlabeled boxes),
spam.jsonl (a byte-for-byte copy of alice.jsonl) and schema.json. Deterministic."""
import hashlib, json, os, random, sys

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
LABELS = ["cereal", "soda", "detergent", "snacks", "canned-soup", "price-tag", "gap"]

def tranche(seed, n, quality):
    rnd = random.Random(seed)
    lines = []
    for i in range(n):
        image = hashlib.sha256(f"{seed}-img-{i}".encode()).hexdigest()
        boxes = []
        for _ in range(rnd.randint(3, 9) if quality else rnd.randint(0, 1)):
            x, y = rnd.randint(0, 1800), rnd.randint(0, 1000)
            boxes.append({"label": rnd.choice(LABELS) if quality else "?", "x": x, "y": y,
                          "w": rnd.randint(40, 300), "h": rnd.randint(40, 300)})
        lines.append(json.dumps({"image_sha256": image, "store": f"store-{rnd.randint(1, 40):03d}",
                                 "aisle": rnd.randint(1, 24), "width": 1920, "height": 1080,
                                 "boxes": boxes}, sort_keys=True))
    return "\n".join(lines) + "\n"

files = {"alice.jsonl": tranche("alice", 1200, True), "bob.jsonl": tranche("bob", 800, True),
         "carol.jsonl": tranche("carol", 150, False)}
files["spam.jsonl"] = files["alice.jsonl"]
schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": "shelf image with boxes",
          "type": "object", "required": ["image_sha256", "store", "boxes"]}
files["schema.json"] = json.dumps(schema, indent=2) + "\n"
for name, text in files.items():
    with open(os.path.join(out, name), "w") as f:
        f.write(text)
print(out)
