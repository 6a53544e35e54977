#!/usr/bin/env python3
"""Strips a datatrove_oracle.py output down to the decisions `thresher filter --decisions`
writes (no words, texts or MinHash), gzipped: the fixtures the agreement tests compare with.

    python3 scripts/oracle_decisions_fixture.py ORACLE.jsonl OUT.jsonl.gz
"""
import gzip
import json
import sys

with open(sys.argv[1], encoding="utf-8") as f, gzip.open(sys.argv[2], "wt", encoding="utf-8") as out:
    for line in f:
        d = json.loads(line)
        for k in ("words", "minhash_sig", "minhash_dedup"):
            d.pop(k, None)
        for r in list(d.get("filters", {}).values()) + [d.get("fineweb_chain", {})]:
            r.pop("text_after", None)
        out.write(json.dumps(d, ensure_ascii=False) + "\n")
