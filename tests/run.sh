#!/usr/bin/env bash
# The whole test suite, from a fresh machine: sets up .venv, builds, runs pytest.
# Extra arguments go to pytest (e.g. tests/run.sh -k mish -x).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../.ci/setup.sh"
workers="${TA_TEST_WORKERS:-$(nproc)}"
exec "$PY" -m pytest -q -n "$workers" "$@"
