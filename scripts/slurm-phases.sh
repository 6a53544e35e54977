#!/usr/bin/env bash
# Runs a thresher pipeline over a Slurm cluster as job arrays, one per phase, in order: the
# corpus-wide step (exact or MinHash dedup, site boilerplate) then spans every input.
#
#   scripts/slurm-phases.sh PIPELINE.toml OUTPUT TASKS INPUT...
#
# PIPELINE.toml  pipeline file (every node must see it, the inputs and OUTPUT: shared storage)
# OUTPUT         output folder
# TASKS          most array tasks per phase (a phase with fewer units gets fewer tasks)
# INPUT...       inputs as for `thresher run --input` (paths, folders, globs, @list files)
#
# Environment: THRESHER (the binary, default `thresher`), SBATCH_ARGS (extra sbatch options,
# e.g. "--partition=cpu --cpus-per-task=8 --time=4:00:00"). A phase whose tasks failed can be
# resubmitted as it is: finished units are skipped, unfinished ones redone in full.
set -euo pipefail
if [ $# -lt 4 ]; then
    sed -n '2,15p' "$0" >&2
    exit 2
fi
pipeline=$1 out=$2 tasks=$3
shift 3
thresher=${THRESHER:-thresher}

plan=$("$thresher" run "$pipeline" --output "$out" --input "$@" --plan)
# The array tasks run a bash script with the arguments quoted for bash (sbatch --wrap would
# hand them to /bin/sh).
task="$out/.thresher/slurm-task.sh"
{
    echo '#!/usr/bin/env bash'
    printf 'exec %s "$@"\n' "$(printf '%q ' "$thresher" run "$pipeline" --output "$out" --quiet --input "$@")"
} >"$task"
chmod +x "$task"

while IFS= read -r line; do
    phase=$(sed -E 's/.*"name":"([^"]+)".*/\1/' <<<"$line")
    units=$(sed -E 's/.*"units":([0-9]+).*/\1/' <<<"$line")
    n=$(( units < tasks ? units : tasks ))
    if [ "$n" -eq 0 ]; then
        continue
    fi
    echo "slurm-phases: $phase: $units units on $n tasks" >&2
    # shellcheck disable=SC2086
    sbatch --wait --job-name="thresher-$phase" --array=0-$((n - 1)) ${SBATCH_ARGS:-} \
        "$task" --phase "$phase" --world-size "$n"
done <<<"$plan"
"$thresher" run "$pipeline" --output "$out" --input "$@" --phase finish
