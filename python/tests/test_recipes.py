"""The Slurm recipe (scripts/slurm-phases.sh) run against a stand-in `sbatch` that starts the
array's tasks at once on this machine, as Slurm would on many: same output as one run."""

import os
import stat
import subprocess

import pytest

import thresher

FAKE_SBATCH = r"""#!/usr/bin/env bash
# Stand-in for `sbatch --wait --array=0-K [options] SCRIPT ARGS...`: runs the K+1 tasks at
# once, as Slurm would on K+1 nodes, and waits.
set -euo pipefail
array=""
while [ $# -gt 0 ]; do
    case "$1" in
        --array=*) array=${1#--array=} ;;
        --*) ;;
        *) break ;;
    esac
    shift
done
last=${array#0-}
pids=()
for i in $(seq 0 "$last"); do
    SLURM_ARRAY_TASK_ID=$i SLURM_ARRAY_TASK_MIN=0 SLURM_ARRAY_TASK_COUNT=$((last + 1)) "$@" &
    pids+=($!)
done
for p in "${pids[@]}"; do wait "$p"; done
echo "$array" >> "$SBATCH_LOG"
"""


def _binary(repo):
    for profile in ("debug", "release"):
        b = repo / "target" / profile / "thresher"
        if b.is_file():
            return b
    pytest.skip("no thresher binary under target/ (cargo build first)")


def test_slurm_recipe_equals_single_run(tmp_path, repo, compare):
    binary = _binary(repo)
    bindir = tmp_path / "bin"
    bindir.mkdir()
    fake = bindir / "sbatch"
    fake.write_text(FAKE_SBATCH)
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    # an input folder whose name needs quoting
    odd = tmp_path / "crawl $HOME 'quoted' dir"
    odd.symlink_to(repo / "data" / "sample")
    inputs = [str(odd)]
    pipeline = repo / "pipelines" / "default-minhash.toml"
    thresher.run(pipeline, inputs=inputs, output=tmp_path / "single")
    env = dict(os.environ, PATH=f"{bindir}:{os.environ['PATH']}", THRESHER=str(binary),
               SBATCH_LOG=str(tmp_path / "sbatch.log"))
    out = tmp_path / "slurm"
    subprocess.run([str(repo / "scripts" / "slurm-phases.sh"), str(pipeline), str(out), "3", *inputs],
                   check=True, env=env, cwd=tmp_path)
    arrays = (tmp_path / "sbatch.log").read_text().split()
    # pass1, signatures, buckets, clusters (one unit, so one task), pass2
    assert arrays == ["0-2", "0-2", "0-2", "0-0", "0-2"]
    assert compare(str(tmp_path / "single"), str(out)) == []
