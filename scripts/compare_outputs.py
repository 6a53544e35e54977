#!/usr/bin/env python3
"""Compares two `thresher run` output folders: same shards, same documents (id, text,
metadata) in the same order, same rejects, same document counts in stats.json.

Usage: scripts/compare_outputs.py OUT_A OUT_B   (exit 0 when identical; needs `zstandard`)
"""
import glob
import gzip
import json
import os
import sys


def read_shard(path):
    if path.endswith(".zst"):
        import zstandard

        with open(path, "rb") as f:
            data = zstandard.ZstdDecompressor().stream_reader(f).read()
    elif path.endswith(".gz"):
        data = gzip.open(path).read()
    else:
        data = open(path, "rb").read()
    # Split on "\n" only: str.splitlines also splits on U+2028, U+0085..., which JSON strings
    # may hold unescaped.
    return [json.loads(line) for line in data.decode("utf-8").split("\n") if line.strip()]


def load(folder, normalize=None):
    out = {}
    for f in sorted(glob.glob(os.path.join(folder, "*.jsonl*"))):
        docs = read_shard(f)
        out[os.path.basename(f)] = [normalize(d) for d in docs] if normalize else docs
    return out


def compare(a, b, normalize=None):
    """Differences between output folders `a` and `b`; `normalize(doc)` (if given) rewrites
    each document first, e.g. to map the inputs' local paths to their URLs."""
    problems = []
    for sub in ["", "rejects"]:
        da, db = load(os.path.join(a, sub), normalize), load(os.path.join(b, sub), normalize)
        if sorted(da) != sorted(db):
            problems.append(f"{sub or 'output'}: shard lists differ: {sorted(set(da) ^ set(db))[:5]}")
            continue
        for name in da:
            if da[name] != db[name]:
                problems.append(f"{sub or 'output'}/{name}: documents differ")
    sa = json.load(open(os.path.join(a, "stats.json")))
    sb = json.load(open(os.path.join(b, "stats.json")))
    for key in ["docs_read", "docs_written", "docs_rejected", "bytes_read", "records_skipped", "problems_total"]:
        if sa.get(key) != sb.get(key):
            problems.append(f"stats.json {key}: {sa.get(key)} != {sb.get(key)}")

    def counts(stats):  # per-step counts, without timings
        return {k: {f: v for f, v in s.items() if f in ("docs_in", "docs_out", "dropped")} for k, s in stats.get("steps", {}).items()}

    if counts(sa) != counts(sb):
        problems.append("stats.json steps: per-step counts differ")
    return problems


if __name__ == "__main__":
    problems = compare(sys.argv[1], sys.argv[2])
    for p in problems:
        print(p)
    if not problems:
        docs = sum(len(v) for v in load(sys.argv[1]).values())
        print(f"identical: {docs} documents")
    sys.exit(1 if problems else 0)
