#!/usr/bin/env bash
# Builds the Python package into a virtual environment under target/ and runs its tests
# (python/tests: the API, phases, the Slurm recipe, the datatrove wrapper, and thresher.ray on
# a local 3-node Ray cluster, and runs against an S3 server (moto) on loopback).
# Usage: scripts/python-tests.sh [pytest args]
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${THRESHER_VENV:-target/py-venv}
if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
fi
"$VENV/bin/pip" install -q --disable-pip-version-check "maturin>=1.7,<2" pytest zstandard "ray>=2.9" datatrove "moto[server]" boto3 pyarrow
# maturin develop builds the dev profile into the workspace's target/, reusing what
# `cargo test` built.
VIRTUAL_ENV="$PWD/$VENV" PATH="$PWD/$VENV/bin:$PATH" maturin develop -q
"$VENV/bin/python" -m pytest -q python/tests "$@"
