#!/usr/bin/env python3
"""datatrove 0.10.1's MinHash dedup as FineWeb ran it, stage by stage, for timing against
`thresher dedup minhash` on the same input (bench/minhash.sh).

    python bench/datatrove_minhash.py INPUT_DIR WORK_DIR [--workers N] [--removed OUT.txt]

INPUT_DIR holds the .jsonl.gz / .jsonl shards ({id, text, ...} per line); one datatrove task
per shard for stages 1 and 4, one per bucket for stage 2. Prints one JSON object: seconds per
stage and in all, documents kept and removed; --removed writes the removed ids, one per line.
Uses datatrove's own executor, readers and writers, as a user of datatrove would. Needs
orjson in the datatrove venv of ../shared/peers/setup.sh (`pip install orjson`); datatrove's
logs go to WORK_DIR/logs and stderr.
"""
import argparse
import glob
import json
import os
import sys
import time

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TQDM_DISABLE", "1")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("input_dir")
    ap.add_argument("work_dir")
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--removed")
    a = ap.parse_args()

    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.dedup.minhash import (MinhashConfig, MinhashDedupBuckets,
                                                  MinhashDedupCluster, MinhashDedupFilter,
                                                  MinhashDedupSignature)
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.writers import JsonlWriter
    from datatrove.utils.hashing import HashConfig

    cfg = MinhashConfig(hash_config=HashConfig(hash_fc="sha1", precision=64),
                        num_buckets=14, hashes_per_bucket=8, n_grams=5)
    shards = sorted(glob.glob(os.path.join(a.input_dir, "*.jsonl*")))
    n = len(shards)
    w = a.work_dir
    pattern = "*.jsonl*"

    def reader():
        return JsonlReader(a.input_dir, glob_pattern=pattern, text_key="text", id_key="id")

    stages = [
        ("signatures", [reader(), MinhashDedupSignature(output_folder=f"{w}/sigs", config=cfg,
                                                        language="eng")], n),
        ("buckets", [MinhashDedupBuckets(input_folder=f"{w}/sigs", output_folder=f"{w}/buckets",
                                         config=cfg)], cfg.num_buckets),
        ("clusters", [MinhashDedupCluster(input_folder=f"{w}/buckets", output_folder=f"{w}/remove",
                                          config=cfg, save_cluster_id=True,
                                          save_cluster_size=True)], 1),
        ("filter", [reader(),
                    MinhashDedupFilter(input_folder=f"{w}/remove",
                                       exclusion_writer=JsonlWriter(f"{w}/removed"),
                                       load_cluster_ids=True, load_cluster_sizes=True),
                    JsonlWriter(f"{w}/kept")], n),
    ]
    seconds = {}
    t_all = time.perf_counter()
    for name, pipeline, tasks in stages:
        t = time.perf_counter()
        LocalPipelineExecutor(pipeline=pipeline, tasks=tasks, workers=a.workers,
                              logging_dir=f"{w}/logs/{name}", skip_completed=False).run()
        seconds[name] = round(time.perf_counter() - t, 3)
    total = round(time.perf_counter() - t_all, 3)

    import gzip
    removed = []
    for f in sorted(glob.glob(f"{w}/removed/*")):
        with gzip.open(f, "rt") as fh:
            removed.extend(json.loads(l)["id"] for l in fh)
    kept = 0
    for f in sorted(glob.glob(f"{w}/kept/*")):
        with gzip.open(f, "rt") as fh:
            kept += sum(1 for _ in fh)
    if a.removed:
        with open(a.removed, "w") as fh:
            fh.writelines(i + "\n" for i in sorted(removed))
    json.dump({"seconds": seconds, "total_seconds": total, "kept": kept, "removed": len(removed),
               "shards": n, "workers": a.workers}, sys.stdout)
    print()


if __name__ == "__main__":
    main()
