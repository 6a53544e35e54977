#!/usr/bin/env python3
"""Overhead of running a pipeline on Ray instead of `thresher run`, on one machine.

    bench/ray_overhead.py [--copies 8] [--cpus 2] [--repeat 3] [--pipeline pipelines/default-minhash.toml]

Input: the real WARCs of ../shared/data/warc-repacked and warc-real, linked `--copies` times
under distinct names (so every copy after the first is a duplicate for the dedup stage to find).
Per repetition, alternating on the same machine:
  1. `target/release/thresher run PIPELINE --threads CPUS` (the CLI, whole process, wall time);
  2. `thresher.ray.run(PIPELINE)` on a local Ray started once beforehand with `num_cpus=CPUS`
     (one single-threaded task per unit; the Ray start is timed and reported apart).
Both outputs are checked identical. Prints a markdown table and the ratio ray / run.
Needs the package built in release mode in this interpreter: `maturin develop --release`.
"""

import argparse
import os
import pathlib
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

REPO = pathlib.Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "data"
sys.path.insert(0, str(REPO / "scripts"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--copies", type=int, default=8)
    ap.add_argument("--cpus", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--pipeline", default=str(REPO / "pipelines" / "default-minhash.toml"))
    a = ap.parse_args()

    import ray

    import thresher.ray as tray
    from compare_outputs import compare

    work = pathlib.Path(tempfile.mkdtemp(prefix="thresher-ray-bench."))
    inp = work / "input"
    inp.mkdir()
    crawl = (".warc", ".warc.gz", ".arc", ".arc.gz")
    files = sorted((SHARED / "warc-repacked").glob("*.warc.gz")) + sorted(
        p for p in (SHARED / "warc-real").rglob("*") if p.is_file() and p.name.endswith(crawl))
    for k in range(a.copies):
        for f in files:
            # real copies: thresher reads a file linked twice only once
            shutil.copyfile(f, inp / f"{k:02d}-{f.parent.name}-{f.name}")
    size = sum(f.stat().st_size for f in files) * a.copies
    print(f"input: {len(files) * a.copies} files, {size / 1e6:.0f} MB", file=sys.stderr)

    t0 = time.monotonic()
    ray.init(num_cpus=a.cpus, include_dashboard=False, log_to_driver=False)
    ray_start = time.monotonic() - t0

    binary = REPO / "target" / "release" / "thresher"
    rows = []
    for rep in range(a.repeat):
        out_run = work / f"run-{rep}"
        t0 = time.monotonic()
        subprocess.run([str(binary), "run", a.pipeline, "--input", str(inp), "--output", str(out_run),
                        "--threads", str(a.cpus), "--quiet"], check=True)
        t_run = time.monotonic() - t0
        out_ray = work / f"ray-{rep}"
        t0 = time.monotonic()
        stats = tray.run(a.pipeline, inputs=[str(inp)], output=out_ray, progress=False)
        t_ray = time.monotonic() - t0
        diff = compare(str(out_run), str(out_ray))
        if diff:
            sys.exit(f"outputs differ: {diff[:3]}")
        phases = {k: round(v["seconds"], 2) for k, v in stats["phases"].items()}
        rows.append((t_run, t_ray, phases))
        print(f"rep {rep}: run {t_run:.2f} s, ray {t_ray:.2f} s, ratio {t_ray / t_run:.2f}; {phases}",
              file=sys.stderr)
        shutil.rmtree(out_run)
        shutil.rmtree(out_ray)
    ray.shutdown()
    docs = stats["docs_read"]
    print(f"| rep | documents | thresher run (s) | thresher.ray (s) | ray / run |")
    print(f"|---|---|---|---|---|")
    for i, (r, y, _) in enumerate(rows):
        print(f"| {i} | {docs} | {r:.2f} | {y:.2f} | {y / r:.2f} |")
    med = statistics.median(y / r for r, y, _ in rows)
    print(f"\nmedian ray / run: {med:.2f}; Ray start (not counted): {ray_start:.1f} s; "
          f"{a.cpus} CPUs; {len(files) * a.copies} input files, {size / 1e6:.0f} MB")
    shutil.rmtree(work)


if __name__ == "__main__":
    main()
