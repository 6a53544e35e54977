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
    return [json.loads(line) for line in data.decode("utf-8").splitlines() if line]


def load(folder):
    out = {}
    for f in sorted(glob.glob(os.path.join(folder, "*.jsonl*"))):
        out[os.path.basename(f)] = read_shard(f)
    return out


def compare(a, b):
    problems = []
    for sub in ["", "rejects"]:
        da, db = load(os.path.join(a, sub)), load(os.path.join(b, sub))
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
