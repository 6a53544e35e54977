#!/usr/bin/env bash
# MinHash dedup: thresher against datatrove 0.10.1 (FineWeb's settings) on the same input, in
# the same run, one core each (these machines are noisy: compare ratios, not seconds).
#
#   bench/minhash.sh [INPUT_DIR]   (default: a folder with ../shared/data/webtext-docs/combined.jsonl.gz)
#
# INPUT_DIR holds .jsonl / .jsonl.gz shards. Reports seconds per stage for both, the whole
# run's wall time and peak RSS, signatures docs/s per core, and whether both removed the same
# documents. Needs the datatrove venv of ../shared/peers/setup.sh with orjson installed.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PEERS_DATATROVE_PY:-$HOME/.cache/thresher-peers/datatrove/bin/python}
OUT=target/bench-minhash
rm -rf "$OUT"
mkdir -p "$OUT"
INPUT=${1:-}
if [[ -z "$INPUT" ]]; then
  INPUT="$OUT/input"
  mkdir -p "$INPUT"
  cp ../shared/data/webtext-docs/combined.jsonl.gz "$INPUT/"
fi
cargo build --release -q -p thresher
DOCS=$(for f in "$INPUT"/*.jsonl*; do case "$f" in *.gz) zcat "$f";; *.zst) zstd -dc "$f";; *) cat "$f";; esac; done | wc -l)
echo "input: $INPUT ($DOCS documents, $(ls "$INPUT" | wc -l) shards)"

echo "== datatrove: 4 stages, LocalPipelineExecutor, 1 worker"
/usr/bin/time -f "datatrove: %e s wall, peak RSS %M KB" "$PY" bench/datatrove_minhash.py "$INPUT" "$OUT/dt" \
  --removed "$OUT/dt-removed.txt" > "$OUT/dt.json" 2> "$OUT/dt.err"
tail -1 "$OUT/dt.err"
cat "$OUT/dt.json"

echo "== thresher dedup minhash -j1 (all stages, then each stage's peak RSS)"
/usr/bin/time -f "thresher: %e s wall, peak RSS %M KB" target/release/thresher dedup minhash "$INPUT" -o "$OUT/th" -q -j1
python3 -c "import json; r=json.load(open('$OUT/th/minhash.json')); print({s: round(t, 3) for s, t in r['seconds']}, 'removed', r['removed'])"
for stage in signatures buckets clusters filter; do
  /usr/bin/time -f "  $stage: %e s, peak RSS %M KB" target/release/thresher dedup minhash "$INPUT" \
    -o "$OUT/th-stages" -q -j1 --stage "$stage"
done
echo "== thresher dedup minhash -j2 (all stages)"
/usr/bin/time -f "thresher -j2: %e s wall, peak RSS %M KB" target/release/thresher dedup minhash "$INPUT" -o "$OUT/th2" -q -j2

python3 - "$OUT" "$DOCS" <<'PY'
import json, subprocess, sys, glob
out, docs = sys.argv[1], int(sys.argv[2])
dt = json.load(open(f"{out}/dt.json"))
th = json.load(open(f"{out}/th/minhash.json"))
ths = dict(th["seconds"])
removed = set()
for f in glob.glob(f"{out}/th/rejects/*.jsonl.zst"):
    text = subprocess.run(["zstd", "-dc", f], capture_output=True, check=True).stdout.decode()
    removed.update(json.loads(l)["id"] for l in text.split("\n") if l)
theirs = {l.strip() for l in open(f"{out}/dt-removed.txt")}
print(f"removed: thresher {len(removed)}, datatrove {len(theirs)}, same set: {removed == theirs}")
print(f"signatures per core: thresher {docs / ths['signatures']:.0f} docs/s, datatrove {docs / dt['seconds']['signatures']:.1f} docs/s, ratio {dt['seconds']['signatures'] / ths['signatures']:.0f}x")
tt = sum(ths.values())
print(f"all stages, one core: thresher {tt:.2f} s, datatrove {dt['total_seconds']:.2f} s, ratio {dt['total_seconds'] / tt:.0f}x")
PY
