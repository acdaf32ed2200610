#!/usr/bin/env bash
# GPU verification in one call, on a fresh machine with an NVIDIA GPU, a CUDA
# build of torch, nvcc, and pytest/pytest-xdist/ninja installed (the lent
# H100/H200 machines have all of these; nothing is downloaded):
#
#   bash benchmarks/gpu_check.sh [OUTDIR]
#
#  1. builds the CUDA extension in place (TORCH_CUDA_ARCH_LIST defaults to the
#     GPU's own architecture),
#  2. runs the whole test suite, CUDA tests included (log: OUTDIR/gpu-tests.txt),
#  3. runs the GPU benchmarks: every op at 2^26 elements in float32 and
#     bfloat16, forward and forward+backward, against its torch peer, the eager
#     formula, torch.compile of it and a same-size copy (the bandwidth bound),
#     plus the GLU family at [8192, 8192],
#  4. writes the environment (device, torch, CUDA) and all results to
#     benchmarks/results/ and, when given, OUTDIR.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
OUTDIR="${1:-$ROOT/benchmarks/results}"
mkdir -p "$OUTDIR"
PY="${PY:-python3}"
export PYTHONUNBUFFERED=1
say() { printf '\n== %s\n' "$*"; }

arch=$("$PY" -c "import torch; m, n = torch.cuda.get_device_capability(); print(f'{m}.{n}')")
export TORCH_CUDA_ARCH_LIST="${TORCH_CUDA_ARCH_LIST:-$arch}"
export MAX_JOBS="${MAX_JOBS:-$(nproc)}"

say "environment"
"$PY" - <<'PYEOF' | tee "$OUTDIR/gpu-env.txt"
import platform, subprocess, torch
print("device:", torch.cuda.get_device_name(), "capability", torch.cuda.get_device_capability())
print("torch:", torch.__version__, "CUDA:", torch.version.cuda, "cuDNN:", torch.backends.cudnn.version())
print("python:", platform.python_version())
print(subprocess.run(["nvcc", "--version"], capture_output=True, text=True).stdout.strip().splitlines()[-1])
PYEOF

say "build (TORCH_CUDA_ARCH_LIST=$TORCH_CUDA_ARCH_LIST, MAX_JOBS=$MAX_JOBS)"
start=$(date +%s)
if ! "$PY" -m pip install -q --no-build-isolation --no-deps -e . > "$OUTDIR/gpu-build.txt" 2>&1; then
  tail -n 80 "$OUTDIR/gpu-build.txt"
  echo "build failed"; exit 1
fi
echo "built in $(( $(date +%s) - start ))s"
"$PY" -c "import torch, torch_activations as ta; x = torch.randn(4, device='cuda'); print('smoke:', ta.functional.mish(x).cpu())"

say "tests"
"$PY" -m pytest -q -n "${TA_TEST_WORKERS:-4}" -m "not slow" tests 2>&1 | tee "$OUTDIR/gpu-tests.txt"
test_status=${PIPESTATUS[0]}

say "benchmarks"
"$PY" benchmarks/run.py --devices cuda --dtypes float32,bfloat16 --sizes 2^26 --modes fwd,fwdbwd \
    --ops pointwise --rounds 3 --tag gpu-pointwise --out "$OUTDIR" 2>&1 | tail -n 200
"$PY" benchmarks/run.py --devices cuda --dtypes float32,bfloat16 --modes fwdbwd \
    --ops dim --rounds 3 --tag gpu-glu --out "$OUTDIR" 2>&1 | tail -n 80

say "done (tests exit status $test_status)"
exit "$test_status"
