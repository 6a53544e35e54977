#!/usr/bin/env bash
# Main-content extraction: thresher's backends against the peer extractors (trafilatura,
# resiliparse, readability-lxml, jusText, goose3, newspaper4k) on the AEB and trafilatura-eval
# sets, one thread each, in the same run (these machines are noisy: compare ratios, not
# absolute figures across runs). Every prediction file, thresher's and the peers', is scored by
# ../shared/peers/extract_score.py; one table comes out: extractor, dataset, P, R, F1, pages/s.
#
#   bench/extract.sh                       both datasets, all thresher backends, all peers
#   PEERS=trafilatura,resiliparse bench/extract.sh      fewer peers (faster)
#   PEERS=none bench/extract.sh                          thresher only
#
# Environment:
#   BACKENDS   thresher backends (comma list or `all`; default all)
#   PEERS      extract_peers.py extractors (comma list, `default` or `none`); default: all of
#              them on AEB, and on trafilatura-eval the same with justext_all instead of the
#              English-only justext, plus trafilatura_fast
#   REPEAT_AEB, REPEAT_TRAF  timed passes, fastest reported, both sides (default 3 and 1)
#   PEERS_EXTRACT_PY         python of the "extract" venv (default
#                            ~/.cache/thresher-peers/extract/bin/python; made by
#                            ../shared/peers/setup.sh when missing, which needs PyPI)
#
# Timing as extract_peers.py does it: extraction only (no reading, gunzip or writing), one
# warm-up page, fastest of the passes. AEB pages are decoded as UTF-8 before timing (--input
# str); trafilatura-eval pages are raw bytes in mixed charsets, and charset detection and
# decoding are timed with extraction on both sides (--input bytes).
# Output: target/bench-extract/<dataset>/{thresher,peers}/ (predictions, timing, scores).
set -euo pipefail
cd "$(dirname "$0")/.."
SHARED=../shared
DEV=$SHARED/data/extraction-dev
BACKENDS=${BACKENDS:-all}
PEERS=${PEERS:-default}
REPEAT_AEB=${REPEAT_AEB:-3}
REPEAT_TRAF=${REPEAT_TRAF:-1}
PY=${PEERS_EXTRACT_PY:-$HOME/.cache/thresher-peers/extract/bin/python}
OUT=target/bench-extract

[[ -d $DEV ]] || { echo "error: $DEV not found (../shared is needed)" >&2; exit 1; }
command -v python3 >/dev/null || { echo "error: python3 is needed for extract_score.py" >&2; exit 1; }

if [[ $PEERS != none && ! -x $PY ]]; then
    echo "== the peers' venv ($PY) is missing; trying ../shared/peers/setup.sh (needs PyPI)" >&2
    if eval "$($SHARED/peers/setup.sh)" && [[ -x ${PEERS_EXTRACT_PY:-} ]]; then
        PY=$PEERS_EXTRACT_PY
    else
        echo "warning: could not make the peers' venv; running thresher only" >&2
        PEERS=none
    fi
fi

cargo build --release -q -p thresher
BIN=$OUT/thresher-bin
mkdir -p "$OUT"
# A private copy: other builds sharing target/ cannot swap the binary during the run.
cp target/release/thresher "$BIN"

echo "== $(date -u +%F\ %T) UTC, $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "== thresher $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- crates || echo '+changes'), backends: $BACKENDS; peers: $PEERS"

for name in scrapinghub-aeb trafilatura-eval; do
    ds=$DEV/$name
    if [[ $name == scrapinghub-aeb ]]; then
        repeat=$REPEAT_AEB
        peers=trafilatura,resiliparse,resiliparse_wceb,readability_lxml,justext,goose3,newspaper4k
    else
        repeat=$REPEAT_TRAF
        peers=trafilatura,trafilatura_fast,resiliparse,resiliparse_wceb,readability_lxml,justext_all,goose3,newspaper4k
    fi
    [[ $PEERS == default ]] || peers=$PEERS
    rm -rf "${OUT:?}/$name"
    mkdir -p "$OUT/$name/thresher"

    echo "== $name: thresher ($BACKENDS), 1 thread, fastest of $repeat"
    "$BIN" eval extraction "$ds" --backend "$BACKENDS" --threads 1 --repeat "$repeat" \
        -o "$OUT/$name/thresher/" --json > "$OUT/$name/thresher/eval.json"

    if [[ $peers != none ]]; then
        echo "== $name: peers ($peers), 1 process, fastest of $repeat"
        "$PY" "$SHARED/peers/extract_peers.py" --dataset "$ds" --out-dir "$OUT/$name/peers" \
            --extractors "$peers" --repeat "$repeat"
    fi
done

echo "== scoring every prediction file with extract_score.py"
python3 - "$OUT" "$DEV" "$SHARED/peers/extract_score.py" <<'EOF'
import json, subprocess, sys
from pathlib import Path

out, dev, scorer = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
rows, mismatches = [], []
for name in ("scrapinghub-aeb", "trafilatura-eval"):
    d = out / name
    runs = []  # (extractor, predictions, pages/s, thresher's own F1 or None)
    ev = json.loads((d / "thresher" / "eval.json").read_text())
    for r in ev["results"]:
        runs.append(("thresher " + r["backend"], r["predictions"], r["pages_per_s"], r["score"]["metrics"]))
    timing = d / "peers" / "timing.json"
    if timing.is_file():
        for ex, t in sorted(json.loads(timing.read_text()).items(), key=lambda kv: -kv[1]["pages_per_s"]):
            runs.append((ex, str(d / "peers" / f"{ex}.jsonl"), t["pages_per_s"], None))
    for ex, pred, pps, own in runs:
        res = json.loads(subprocess.run(["python3", scorer, pred, str(dev / name), "--n-bootstrap", "0"],
                                        capture_output=True, text=True, check=True).stdout)
        m = res["metrics"]
        if res["missing_ids"] or res["unknown_ids"]:
            mismatches.append(f"{ex} on {name}: missing_ids {res['missing_ids']}, unknown_ids {res['unknown_ids']}")
        if own is not None:
            for k in ("precision", "recall", "f1", "accuracy"):
                if abs(own[k] - m[k]) > 1e-12:
                    mismatches.append(f"{ex} on {name}: thresher eval {k} {own[k]} != extract_score.py {m[k]}")
        rows.append((ex, name, m["precision"], m["recall"], m["f1"], m["accuracy"], pps))

print()
print(f"| {'extractor':<22} | {'dataset':<16} | {'P':>6} | {'R':>6} | {'F1':>6} | {'acc.':>6} | {'pages/s':>8} |")
print(f"|{'-' * 24}|{'-' * 18}|{'-' * 8}|{'-' * 8}|{'-' * 8}|{'-' * 8}|{'-' * 10}|")
for ex, ds, p, r, f1, acc, pps in rows:
    print(f"| {ex:<22} | {ds:<16} | {p:6.4f} | {r:6.4f} | {f1:6.4f} | {acc:6.4f} | {pps:8.1f} |")
print()
print("P, R, F1, accuracy: extract_score.py on each prediction file; pages/s: single thread, "
      "extraction only, fastest pass.")
if mismatches:
    print("MISMATCHES:\n  " + "\n  ".join(mismatches))
    sys.exit(1)
print("thresher eval's own scores equal extract_score.py's for every thresher backend.")
EOF
