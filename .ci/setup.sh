#!/usr/bin/env bash
# Everything a fresh machine needs, idempotent and incremental: a virtual
# environment (.venv, or $TA_VENV), torch==2.13.0 (the CPU build), the test
# and demo dependencies (onnx/onnxscript/onnxruntime and mypy for the
# ecosystem tests), and the compiled extension (ninja rebuilds only what
# changed; objects live in build/obj).  Sourced by tests/run.sh and
# examples/demo.sh; afterwards $PY is the environment's python.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
VENV="${TA_VENV:-$ROOT/.venv}"
PY="$VENV/bin/python"
say() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }

if [ ! -x "$PY" ]; then
  say "creating virtual environment $VENV"
  python3 -m venv "$VENV"
fi

STAMP="$VENV/.ta-deps-v2"
if [ ! -f "$STAMP" ]; then
  say "installing torch==2.13.0 and the test/demo dependencies (once)"
  "$PY" -m pip install -q --disable-pip-version-check \
    torch==2.13.0 numpy pytest pytest-xdist expecttest ninja "setuptools>=64" wheel \
    matplotlib scikit-learn \
    onnx==1.23.2 onnxscript==0.7.2 onnxruntime==1.32.0 mypy==2.4.1
  touch "$STAMP"
fi

# ccache, when installed, makes rebuilds after `git checkout` cheap.
if [ -d /usr/lib/ccache ]; then export PATH="/usr/lib/ccache:$PATH"; fi
export PATH="$VENV/bin:$PATH"
export MAX_JOBS="${MAX_JOBS:-$(nproc)}"
say "building the extension (MAX_JOBS=$MAX_JOBS; first build takes a few minutes)"
start=$(date +%s)
if ! "$PY" -m pip install -q --disable-pip-version-check --no-build-isolation --no-deps -e . \
    > "$ROOT/build-log.txt" 2>&1; then
  tail -n 60 "$ROOT/build-log.txt"
  say "build failed (full log: build-log.txt)"
  exit 1
fi
say "extension ready ($(( $(date +%s) - start ))s)"
