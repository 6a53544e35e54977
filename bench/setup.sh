#!/usr/bin/env bash
# Create the pinned venv for bench/datatrove_e2e.py: datatrove 0.10.1 with what its WarcReader,
# Trafilatura extractor, LanguageFilter and JsonlWriter import (bench/requirements-datatrove-e2e.txt).
# Usage: bench/setup.sh [VENV]   VENV defaults to $HOME/.cache/thresher-peers/bench-datatrove;
# PYTHON picks the interpreter (default python3, verified with 3.11.7). Idempotent: the venv is
# rebuilt only when the requirements file changed. Needs PyPI once; the benchmark itself runs
# offline. python-magic needs the system library libmagic1 (Debian/Ubuntu: apt-get install libmagic1).
# Prints BENCH_DATATROVE_PY=<python path> (eval-able); logs go to stderr.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="${1:-$HOME/.cache/thresher-peers/bench-datatrove}"
py="${PYTHON:-python3}"
req="$here/requirements-datatrove-e2e.txt"
stamp="$venv/.requirements.sha256"
want="$(sha256sum "$req" | cut -d' ' -f1)"
if [[ -x "$venv/bin/python" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
  echo "bench-datatrove: up to date ($venv)" >&2
else
  echo "bench-datatrove: installing into $venv ..." >&2
  mkdir -p "$(dirname "$venv")"
  "$py" -m venv "$venv"
  # the pip bundled with Python 3.11 (23.x) is old; use the same one as ../shared/peers/setup.sh
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "pip==26.3" >&2
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$req" >&2
  # fail now, not in the middle of a benchmark, if an import is missing (e.g. libmagic)
  "$venv/bin/python" -c 'import datatrove, warcio, cchardet, magic, trafilatura, fasttext, fasteners, orjson' >&2
  echo "$want" > "$stamp"
fi
echo "BENCH_DATATROVE_PY=$venv/bin/python"
