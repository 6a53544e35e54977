#!/usr/bin/env python3
"""Compares `thresher filter --decisions` output with the datatrove oracle's, line by line:
per filter and for the FineWeb chain, the share of documents whose decision (keep, reason,
dropped_by, text_after_sha1) is the same; lists the first differences.

    python3 scripts/compare_decisions.py OURS.jsonl[.gz] ORACLE.jsonl[.gz] [--show N]
"""
import gzip
import json
import sys
from collections import Counter


def load(p):
    f = gzip.open(p, "rt", encoding="utf-8") if p.endswith(".gz") else open(p, encoding="utf-8")
    return [json.loads(l) for l in f if l.strip()]


def key(r, chain=False):
    k = (r.get("keep"), r.get("reason"), r.get("text_after_sha1"))
    return k + ((r.get("dropped_by"),) if chain else ())


ours, theirs = load(sys.argv[1]), load(sys.argv[2])
show = int(sys.argv[sys.argv.index("--show") + 1]) if "--show" in sys.argv else 10
assert len(ours) == len(theirs), (len(ours), len(theirs))
same, diffs = Counter(), []
for a, b in zip(ours, theirs):
    assert str(a["id"]) == str(b["id"]), (a["id"], b["id"])
    same["n_words"] += a["n_words"] == b["n_words"]
    for name, rb in b["filters"].items():
        ra = a["filters"].get(name, {})
        ok = key(ra) == key(rb)
        same[name] += ok
        if not ok:
            diffs.append((b["id"], name, key(ra), key(rb)))
    ok = key(a["fineweb_chain"], True) == key(b["fineweb_chain"], True)
    same["fineweb_chain"] += ok
    if not ok:
        diffs.append((b["id"], "fineweb_chain", key(a["fineweb_chain"], True), key(b["fineweb_chain"], True)))
n = len(theirs)
print(json.dumps({k: f"{v}/{n} = {100 * v / n:.2f}%" for k, v in same.items()}, indent=1))
for d in diffs[:show]:
    print("DIFF", *d)
