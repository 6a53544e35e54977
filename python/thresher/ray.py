"""Runs a thresher pipeline on a Ray cluster.

The run is cut into phases (:func:`thresher.plan`): ``pass1`` (the steps before the
corpus-wide step, one task per input shard), the dedup stages (MinHash signatures per shard,
buckets per bucket, clusters once; or the boilerplate passes), and ``pass2`` (the corpus-wide
decision and the steps after it, one task per shard). Each phase's tasks run at once; the next
phase starts when all are done. Intermediate files live in the output folder, which every node
must see: a shared file system, or object storage (``output="s3://bucket/run"``, likewise
``gs://`` and ``az://``; inputs may be URLs too), with credentials and endpoint from the
workers' environment (``AWS_*``, ``GOOGLE_*``, ``AZURE_*``). A task that dies with its worker or node is retried by Ray
(``max_retries``); it resumes from the completion markers, and a half-written unit is redone
from the start, so the output is the same as one ``thresher run`` over the same inputs.
"""

from __future__ import annotations

import os
import sys
import time
from typing import Any, Dict, List, Optional, Sequence, Union

import thresher

__all__ = ["run"]


def _unit(phase: str, rank: int, world_size: int, pipeline: Optional[str], preset: Optional[str],
          inputs: Optional[List[str]], output: str, threads: int,
          attempts_log: Optional[str]) -> Dict[str, Any]:
    import thresher as t

    if attempts_log:
        import json

        import ray

        line = json.dumps({"phase": phase, "unit": rank, "pid": os.getpid(),
                           "node": ray.get_runtime_context().get_node_id(), "time": time.time()})
        with open(attempts_log, "a", encoding="utf-8") as f:
            f.write(line + "\n")
    return t.run_phase(phase, rank, world_size, pipeline, preset=preset, inputs=inputs,
                       output=output, threads=threads)


def _absolute(paths: Union[None, str, "os.PathLike[str]", Sequence[Any]]) -> Optional[List[str]]:
    """Inputs as absolute paths: Ray workers do not run in the driver's folder."""
    if paths is None:
        return None
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    out = []
    for p in paths:
        p = os.fspath(p)
        if "://" in p:
            out.append(p)
        elif p.startswith("@"):
            # the list file's own path; the paths inside it must be absolute or shared
            out.append("@" + os.path.abspath(p[1:]))
        else:
            out.append(os.path.abspath(p))
    return out


def _add(total: Dict[str, Any], stats: Dict[str, Any]) -> None:
    for k in ("docs_read", "docs_written", "docs_rejected", "bytes_read"):
        total[k] = total.get(k, 0) + int(stats.get(k, 0) or 0)


def run(
    pipeline: Optional[Union[str, "os.PathLike[str]"]] = None,
    *,
    preset: Optional[str] = None,
    inputs: Union[None, str, "os.PathLike[str]", Sequence[Any]] = None,
    output: Union[str, "os.PathLike[str]"],
    threads_per_task: int = 1,
    max_retries: int = 3,
    overwrite: bool = False,
    progress: bool = True,
    attempts_log: Optional[Union[str, "os.PathLike[str]"]] = None,
    max_tasks: Optional[int] = None,
) -> Dict[str, Any]:
    """Runs a pipeline (TOML path or text, or a preset) over ``inputs`` on the Ray cluster
    this process is connected to (``ray.init`` first; a local one is started if not).

    Returns the run's statistics (``stats.json``) with ``phases``: per phase, its units,
    the units found already done, the documents each pass read and wrote, and wall time.
    With ``attempts_log`` (a file every node can append to), each task attempt appends a JSON
    line (phase, unit, pid, Ray node id, time): a unit listed twice was retried.
    ``max_tasks`` caps the tasks of a phase (each then takes units ``i % tasks == task``); by
    default every unit is a task. Cap it for very many shards with exact dedup, whose every
    ``pass2`` task reads the whole key index. Input paths (and ``@list`` files) are made
    absolute; paths inside list files and the pipeline file's own ``[input]`` paths must
    already be absolute or valid in the workers' folder.

    If a task fails (an error, not a lost worker: those are retried), the phase's other tasks
    are cancelled and awaited before the error is raised, so a rerun never overlaps them.
    """
    import ray

    if not ray.is_initialized():
        ray.init()
    text = thresher._pipeline_text(pipeline)
    inputs = _absolute(inputs)
    output = os.fspath(output)
    if "://" not in output:  # object storage URLs stay as they are
        output = os.path.abspath(output)
    log = None if attempts_log is None else os.path.abspath(os.fspath(attempts_log))
    phases = thresher._thresher.plan(text, preset=preset, inputs=inputs, output=output,
                                     overwrite=overwrite)
    task = ray.remote(num_cpus=threads_per_task, max_retries=max_retries,
                      retry_exceptions=False)(_unit)
    report: Dict[str, Any] = {}
    started = time.monotonic()
    for name, units, weights in phases:
        t0 = time.monotonic()
        tasks = units if max_tasks is None else max(1, min(units, max_tasks))
        # Biggest first (Ray starts queued tasks roughly in submission order), so that a big
        # shard does not start last and leave the other workers idle at the phase's end.
        order = list(range(tasks))
        if tasks == units and len(weights) == units:
            order.sort(key=lambda i: -weights[i])
        pending = [
            task.remote(name, i, tasks, text, preset, inputs, output, threads_per_task, log)
            for i in order
        ]
        summary: Dict[str, Any] = {"units": units, "tasks": tasks, "units_skipped": 0}
        done = 0
        while pending:
            ready, pending = ray.wait(pending, num_returns=1)
            try:
                results = ray.get(ready)
            except Exception:
                for ref in pending:
                    ray.cancel(ref, force=True)
                for ref in pending:
                    try:
                        ray.get(ref)
                    except Exception:  # cancelled or failed: either way no longer running
                        pass
                raise
            for r in results:
                done += 1
                summary["units_skipped"] += r.get("units_skipped", 0)
                _add(summary, r.get("stats", {}))
            if progress:
                print(f"\rthresher.ray: {name}: {done}/{tasks} tasks", end="", file=sys.stderr)
        summary["seconds"] = time.monotonic() - t0
        if progress:
            print(f"\rthresher.ray: {name}: {units} units in {summary['seconds']:.1f} s",
                  file=sys.stderr)
        report[name] = summary
    stats = thresher.finish(text, preset=preset, inputs=inputs, output=output)
    stats["phases"] = report
    stats["wall_seconds"] = time.monotonic() - started
    return stats
