#!/usr/bin/env bash
# MinHash dedup at scale on this machine: 100k, 300k and 1M generated documents (real text with
# planted near-duplicates, crates/thresher-bench), every stage timed on its own with its peak
# memory, then precision/recall against the generator's ground truth.
#
#   bench/minhash_scale.sh [SIZES...]      (default: 100000 300000 1000000)
#
# Corpora go to $SCALE_DIR (default target/scale; ~0.9 GB of zstd per million documents);
# a corpus already there with its generator.json is reused. Threads: $THREADS (default: all).
set -euo pipefail
cd "$(dirname "$0")/.."
SCALE_DIR=${SCALE_DIR:-target/scale}
THREADS=${THREADS:-0}
SIZES=("$@")
[[ ${#SIZES[@]} -eq 0 ]] && SIZES=(100000 300000 1000000)
cargo build --release -q -p thresher -p thresher-bench
mkdir -p "$SCALE_DIR"
for n in "${SIZES[@]}"; do
  corpus="$SCALE_DIR/corpus-$n"
  shards=$(( (n + 15624) / 15625 ))
  if [[ ! -f "$corpus/generator.json" ]]; then
    /usr/bin/time -f "generate $n: %e s, peak RSS %M KB" target/release/neardup-gen \
      --docs "$n" --shards "$shards" --seed 1 --out "$corpus"
  fi
  out="$SCALE_DIR/out-$n"
  rm -rf "$out"
  echo "== $n documents, $shards shards ($(du -sh "$corpus" | cut -f1) zstd)"
  for stage in signatures buckets clusters filter; do
    /usr/bin/time -f "$n $stage %e s %M KB" target/release/thresher dedup minhash "$corpus/part-*.jsonl.zst" \
      -o "$out" -q -j "$THREADS" --annotate --stage "$stage" 2>&1 | tail -1
  done
  du -sh "$out/.minhash" | sed 's/^/  work files: /'
  target/release/neardup-eval --corpus "$corpus" --result "$out" --json "$out/eval.json" | tail -20
done
