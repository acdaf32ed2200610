#!/usr/bin/env bash
# Compile-only check of the CUDA sources on a machine without a GPU and with
# a CPU build of torch: nvcc -c every csrc/cuda/*.cu against torch's headers.
# The CPU wheel ships ATen/cuda headers but not the CUDA library headers they
# include (cuBLAS, cuSPARSE, cuSOLVER) nor c10's generated cuda_cmake_macros.h:
# the first run downloads the three NVIDIA wheels from PyPI (~1 GB) and keeps
# their include/ directories in build/cuda-headers.  Nothing is linked or run.
# Takes ~20 minutes on 2 cores; not part of .ci/run.
#
#   bash .ci/cuda_compile_check.sh [arch, default 90] [file.cu ...]  (default: every csrc/cuda/*.cu)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
ARCH="${1:-90}"
shift || true
FILES=("$@")
[ ${#FILES[@]} -gt 0 ] || FILES=(csrc/cuda/*.cu)
PY="${PY:-$ROOT/.venv/bin/python}"
[ -x "$PY" ] || PY=python3
HDR="$ROOT/build/cuda-headers"
if [ ! -f "$HDR/.ok" ]; then
  tmp=$(mktemp -d)
  "$PY" -m pip download -q --no-deps -d "$tmp" nvidia-cublas nvidia-cusparse nvidia-cusolver
  mkdir -p "$HDR/stub/c10/cuda/impl"
  for w in "$tmp"/*.whl; do (cd "$HDR" && unzip -q -o "$w" '*/include/*'); done
  printf '#pragma once\n#define C10_CUDA_BUILD_SHARED_LIBS\n' > "$HDR/stub/c10/cuda/impl/cuda_cmake_macros.h"
  rm -rf "$tmp"
  touch "$HDR/.ok"
fi
INC=$("$PY" -c "import torch.utils.cpp_extension as c; print(' '.join('-I' + p for p in c.include_paths()))")
LIBINC=$(dirname "$(find "$HDR" -name cublas_v2.h | head -n 1)")
status=0
for f in "${FILES[@]}"; do
  start=$(date +%s)
  if nvcc -std=c++20 -O2 -c "$f" -o /dev/null $INC -I"$ROOT/csrc" -I"$LIBINC" -I"$HDR/stub" \
      -D__CUDA_NO_HALF_OPERATORS__ -D__CUDA_NO_HALF_CONVERSIONS__ -D__CUDA_NO_BFLOAT16_CONVERSIONS__ \
      -D__CUDA_NO_HALF2_OPERATORS__ --expt-relaxed-constexpr --expt-extended-lambda -DTA_WITH_CUDA \
      -gencode "arch=compute_$ARCH,code=sm_$ARCH" -Xcompiler -fPIC > "build/nvcc-$(basename "$f").log" 2>&1; then
    echo "ok    $f ($(( $(date +%s) - start ))s)"
  else
    echo "FAIL  $f (log: build/nvcc-$(basename "$f").log)"; grep -m 20 error "build/nvcc-$(basename "$f").log" || true
    status=1
  fi
done
exit $status
