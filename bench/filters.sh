#!/usr/bin/env bash
# Filter chain, MinHash signatures and word tokenisation: thresher against datatrove 0.10.1 on
# the same corpus, one core each, in the same run (these machines are noisy: compare ratios).
#
#   bench/filters.sh [CORPUS.jsonl.gz]      (default ../shared/data/webtext-docs/combined.jsonl.gz)
#
# Needs the datatrove venv of ../shared/peers/setup.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
CORPUS=${1:-../shared/data/webtext-docs/combined.jsonl.gz}
PY=${PEERS_DATATROVE_PY:-$HOME/.cache/thresher-peers/datatrove/bin/python}
OUT=target/bench-filters
mkdir -p "$OUT"
cargo build --release -q -p thresher
cargo build --release -q -p thresher-quality --example chain_bench
cargo build --release -q -p thresher-dedup --example minhash_bench
cargo build --release -q -p thresher-tokenize --example tokenize_bench

echo "== datatrove (oracle --time, best of 2)"
/usr/bin/time -f "datatrove peak RSS %M KB" "$PY" ../shared/peers/datatrove_oracle.py "$CORPUS" --time --repeat 2 \
    > "$OUT/datatrove.json" 2> "$OUT/datatrove.err"
tail -1 "$OUT/datatrove.err"
python3 -c "import json; d=json.load(open('$OUT/datatrove.json')); print({k: d[k]['docs_per_s'] for k in ('fineweb_chain','minhash_signature','word_tokenize')})"

echo "== thresher, one thread"
/usr/bin/time -f "chain_bench peak RSS %M KB" target/release/examples/chain_bench "$CORPUS" 5
/usr/bin/time -f "minhash_bench peak RSS %M KB" target/release/examples/minhash_bench "$CORPUS" 5
target/release/examples/tokenize_bench "$CORPUS" 2>&1 | tail -3
echo "== thresher CLI, one thread, whole command (read, decide, write)"
/usr/bin/time -f "filter --decisions: %e s, peak RSS %M KB" target/release/thresher filter --decisions "$CORPUS" -o "$OUT/decisions.jsonl" -q -j1
/usr/bin/time -f "filter --preset fineweb: %e s, peak RSS %M KB" target/release/thresher filter --preset fineweb "$CORPUS" -o "$OUT/kept.jsonl.zst" -q -j1
/usr/bin/time -f "dedup minhash --signatures-only: %e s, peak RSS %M KB" target/release/thresher dedup minhash --signatures-only "$CORPUS" -o "$OUT/sigs.jsonl" -q -j1
