#!/usr/bin/env bash
# The README's demo: sets up .venv and builds the extension when needed
# (.ci/setup.sh), then prints the comparison table (computed from the code),
# writes the plot gallery, runs a short benchmark and the selection shoot-out
# (a small MLP on scikit-learn's digits with every activation).  A few minutes
# on 2 cores; results go to demo-output/ (or --out DIR).
#   bash examples/demo.sh [--out DIR] [--quick] [--skip-benchmark] [--epochs N] [--seeds 0,1,2]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../.ci/setup.sh"
exec "$PY" -m torch_activations demo "$@"
