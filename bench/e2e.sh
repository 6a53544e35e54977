#!/usr/bin/env bash
# End-to-end pages/s, thresher vs datatrove, measured in the same run on this machine.
#
#   bench/e2e.sh [WARC...]      default: both ../shared/data/warc-repacked/*.warc.gz
#
# For each file, one after the other:
#   1. thresher, 1 thread:  thresher run bench/e2e-pipeline.toml --threads 1 --quiet --input FILE
#      (extract trafilatura -> langid min_score 0.65, drop -> jsonl.gz), under /usr/bin/time -v
#   2. datatrove:           bench/datatrove_e2e.py FILE  (WarcReader -> Trafilatura ->
#      LanguageFilter -> JsonlWriter, LocalPipelineExecutor(tasks=1, workers=1))
#   3. thresher, all cores (--threads 0), for information
# then prints a markdown table (also written to OUT/table.md): pages, seconds, pages/s, pages/s
# per core, peak memory, and thresher's speed as a multiple of datatrove's.
#
# Both sides run offline (`unshare -n` when it works) and read the same lid.176.ftz.
# thresher's seconds are the wall time of the whole process (/usr/bin/time); datatrove's are the
# wall time of executor.run() alone, without interpreter start and imports -- the comparison
# leans towards datatrove. Memory: thresher = max RSS of its one process; datatrove = peak of the
# summed PSS of its processes (worker, multiprocess Manager, trafilatura sandbox), with the worker's
# own max RSS and the summed RSS in OUT/<file>/datatrove.json.
#
# Environment: THRESHER (binary, default target/release/thresher), PIPELINE (thresher's pipeline
# file, default bench/e2e-pipeline.toml; bench/e2e-pipeline-nofallback.toml skips trafilatura's
# readability/jusText comparison), BENCH_DATATROVE_PY (python of
# the venv from bench/setup.sh; made when unset), BENCH_OUT (result folder, default a new
# $TMPDIR/thresher-bench-e2e.XXXX). Needs /usr/bin/time (Debian/Ubuntu: apt-get install time).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
thresher="${THRESHER:-$root/target/release/thresher}"
pipeline="${PIPELINE:-$here/e2e-pipeline.toml}"
if [[ $# -gt 0 ]]; then
  files=("$@")
else
  files=("$root/../shared/data/warc-repacked/scrapinghub-aeb.warc.gz"
         "$root/../shared/data/warc-repacked/trafilatura-eval.warc.gz")
fi
die() { echo "e2e.sh: $*" >&2; exit 1; }
[[ -x "$thresher" ]] || die "no thresher binary at $thresher (cargo build --release, or set THRESHER)"
[[ -x /usr/bin/time ]] || die "/usr/bin/time is missing (apt-get update && apt-get install -y time)"
for f in "${files[@]}"; do [[ -f "$f" ]] || die "no such file: $f"; done
if [[ -z "${BENCH_DATATROVE_PY:-}" ]]; then
  eval "$("$here/setup.sh")"
fi
out="${BENCH_OUT:-$(mktemp -d "${TMPDIR:-/tmp}/thresher-bench-e2e.XXXX")}"
mkdir -p "$out"
net=()
if command -v unshare >/dev/null && unshare -n true 2>/dev/null; then net=(unshare -n); fi

{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "cpu: $(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //') x $(nproc)"
  echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "pipeline: $pipeline"
  echo "thresher: $thresher ($("$thresher" --version 2>/dev/null || echo '?'); git $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$root" diff --quiet 2>/dev/null || echo '+dirty'))"
  echo "datatrove python: $BENCH_DATATROVE_PY"
  echo "offline: ${net[*]:-no unshare}"
} > "$out/machine.txt"
cat "$out/machine.txt" >&2

run_thresher() {  # FILE DIR THREADS
  local f="$1" d="$2" threads="$3"
  rm -rf "$d"
  "${net[@]}" /usr/bin/time -v -o "$d.time" \
    "$thresher" run "$pipeline" --threads "$threads" --quiet --input "$f" --output "$d" \
    2> "$d.log" || { cat "$d.log" "$d.time" >&2; die "thresher failed on $f"; }
}

for f in "${files[@]}"; do
  name="$(basename "$f")"; name="${name%%.*}"
  mkdir -p "$out/$name"
  echo "== $name: thresher --threads 1" >&2
  run_thresher "$f" "$out/$name/thresher-t1" 1
  echo "== $name: datatrove (1 task)" >&2
  "$BENCH_DATATROVE_PY" "$here/datatrove_e2e.py" --abs-paths --tmp-dir "$out/$name" "$f" \
    > "$out/$name/datatrove.json" 2> "$out/$name/datatrove.log" \
    || { tail -30 "$out/$name/datatrove.log" >&2; die "datatrove failed on $f"; }
  echo "== $name: thresher --threads 0 (all cores)" >&2
  run_thresher "$f" "$out/$name/thresher-t0" 0
done

python3 - "$out" "${files[@]}" <<'PY' | tee "$out/table.md"
import json, os, re, sys

out, files = sys.argv[1], sys.argv[2:]

def gnu_time(path):
    txt = open(path).read()
    wall = re.search(r"Elapsed \(wall clock\) time.*: (\S+)", txt).group(1)
    secs = 0.0
    for part in wall.split(":"):
        secs = secs * 60 + float(part)
    rss_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", txt).group(1))
    cpu = sum(float(re.search(rf"{k} time \(seconds\): (\S+)", txt).group(1)) for k in ("User", "System"))
    return secs, rss_kb / 1024, cpu

def thresher(name, tag):
    d = os.path.join(out, name, tag)
    secs, rss, cpu = gnu_time(d + ".time")
    st = json.load(open(os.path.join(d, "stats.json")))
    return {"pages": st["docs_read"], "written": st["docs_written"], "seconds": secs, "rss": rss,
            "threads": st.get("threads"), "cpu": cpu}

print()
print(open(os.path.join(out, "machine.txt")).read().strip().replace("\n", "  \n"))
print()
print("| file | tool | threads | pages | written | wall s | CPU s | pages/s | pages/s per core | pages per CPU-s "
      "| peak memory MB | × datatrove, per core | × datatrove, per CPU-s |")
print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for f in files:
    name = os.path.basename(f).split(".")[0]
    dt = json.loads(open(os.path.join(out, name, "datatrove.json")).read().splitlines()[-1])
    dt_pps, dt_ppc = dt["pages"] / dt["seconds"], dt["pages"] / dt["cpu_seconds"]
    print(f"| {name} | datatrove 0.10.1 | 1 task | {dt['pages']} | {dt['docs_written']} | {dt['seconds']:.2f} | "
          f"{dt['cpu_seconds']:.2f} | {dt_pps:.1f} | {dt_pps:.1f} | {dt_ppc:.1f} | {dt['peak_tree_pss_mb']:.0f} "
          f"(PSS, {dt['max_processes']} procs; worker RSS {dt['peak_rss_mb']:.0f}) | 1.0 | 1.0 |")
    for tool, tag in (("thresher", "thresher-t1"), ("thresher, all cores", "thresher-t0")):
        r = thresher(name, tag)
        cores = r["threads"] or 1
        pps, ppc = r["pages"] / r["seconds"], r["pages"] / max(r["cpu"], 1e-3)
        print(f"| {name} | {tool} | {r['threads']} | {r['pages']} | {r['written']} | {r['seconds']:.2f} | "
              f"{r['cpu']:.2f} | {pps:.1f} | {pps / cores:.1f} | {ppc:.1f} | {r['rss']:.0f} (RSS) | "
              f"{pps / cores / dt_pps:.1f} | {ppc / dt_ppc:.1f} |")
print()
print("thresher seconds: the whole process (/usr/bin/time -v); datatrove seconds: executor.run() only, "
      "no interpreter start or imports. CPU s = user + sys. Raw results: " + out)
PY
