#!/usr/bin/env bash
# Compile-only check of the CUDA sources on a machine without a GPU and with
# a CPU build of torch: nvcc -c every csrc/cuda/*.cu against torch's headers.
# The CPU wheel ships ATen/cuda headers but not the CUDA library headers they
# include (cuBLAS, cuSPARSE, cuSOLVER) nor c10's generated cuda_cmake_macros.h:
# the first run downloads the three NVIDIA wheels from PyPI (~1 GB) and keeps
# their include/ directories in build/cuda-headers (or $TA_CUDA_HEADERS, to
# share them between checkouts).  Nothing is linked or run.
# Takes ~20 minutes on 2 cores; not part of .ci/run.
#
#   bash .ci/cuda_compile_check.sh [arch, default 90] [file.cu ...]  (default: every csrc/cuda/*.cu)
#
# Against another torch's headers (the GPU machines run torch 2.11):
#   TA_TORCH_WHEEL=/path/torch-2.11.0-cp311-cp311-manylinux_2_28_x86_64.whl bash .ci/cuda_compile_check.sh 90
#     unpacks the wheel's torch/include once into build/torch-headers/<wheel name>/;
#   TA_TORCH_INCLUDE=/path/site-packages/torch/include bash .ci/cuda_compile_check.sh 90
#     uses headers already unpacked (the directory holding ATen/, c10/, torch/).
# A CUDA wheel ships its own cuda_cmake_macros.h (then no stub is used).
# TA_HOST_CHECK=1 also runs g++ -fsyntax-only over the host sources (csrc/*.cpp,
# csrc/*/*.cpp, the ISA kernels once per instruction set) against the same
# headers with -std=$TA_HOST_STD (default c++17: what torch<=2.12's
# cpp_extension adds when setup.py names no -std).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
ARCH="${1:-90}"
shift || true
FILES=("$@")
[ ${#FILES[@]} -gt 0 ] || FILES=(csrc/cuda/*.cu)
PY="${PY:-$ROOT/.venv/bin/python}"
[ -x "$PY" ] || PY=python3
mkdir -p build
HDR="${TA_CUDA_HEADERS:-$ROOT/build/cuda-headers}"
if [ ! -f "$HDR/.ok" ]; then
  tmp=$(mktemp -d)
  "$PY" -m pip download -q --no-deps -d "$tmp" nvidia-cublas nvidia-cusparse nvidia-cusolver
  mkdir -p "$HDR/stub/c10/cuda/impl"
  for w in "$tmp"/*.whl; do (cd "$HDR" && unzip -q -o "$w" '*/include/*'); done
  printf '#pragma once\n#define C10_CUDA_BUILD_SHARED_LIBS\n' > "$HDR/stub/c10/cuda/impl/cuda_cmake_macros.h"
  rm -rf "$tmp"
  touch "$HDR/.ok"
fi

TINC="${TA_TORCH_INCLUDE:-}"
TAG=""
if [ -z "$TINC" ] && [ -n "${TA_TORCH_WHEEL:-}" ]; then
  TINC="$ROOT/build/torch-headers/$(basename "$TA_TORCH_WHEEL" .whl)"
  if [ ! -f "$TINC/.ok" ]; then
    echo "unpacking torch/include of $(basename "$TA_TORCH_WHEEL") into $TINC"
    rm -rf "$TINC.tmp" && mkdir -p "$TINC.tmp"
    unzip -q -o "$TA_TORCH_WHEEL" 'torch/include/*' -d "$TINC.tmp"
    rm -rf "$TINC" && mv "$TINC.tmp/torch/include" "$TINC" && rm -rf "$TINC.tmp"
    touch "$TINC/.ok"
  fi
fi
if [ -n "$TINC" ]; then
  [ -f "$TINC/ATen/ATen.h" ] || { echo "no ATen/ATen.h under $TINC (TA_TORCH_INCLUDE/TA_TORCH_WHEEL)"; exit 2; }
  INC="-I$TINC -I$TINC/torch/csrc/api/include"
else
  INC=$("$PY" -c "import torch.utils.cpp_extension as c; print(' '.join('-I' + p for p in c.include_paths()))")
  TINC=$("$PY" -c "import torch.utils.cpp_extension as c; print(c.include_paths()[0])")
fi
VER=$(sed -n 's/^#define TORCH_VERSION_\(MAJOR\|MINOR\|PATCH\) \([0-9]*\).*/\2/p' \
  "$TINC/torch/headeronly/version.h" 2>/dev/null | paste -sd. || true)
echo "torch headers: $TINC (torch ${VER:-unknown})"
if [ -n "${TA_TORCH_INCLUDE:-}${TA_TORCH_WHEEL:-}" ]; then TAG="torch${VER:-x}-"; fi
# The CUDA wheels carry c10's generated cuda_cmake_macros.h; the CPU wheels do not.
STUB="-I$HDR/stub"
[ -f "$TINC/c10/cuda/impl/cuda_cmake_macros.h" ] && STUB=""
LIBINC=$(dirname "$(find "$HDR" -name cublas_v2.h | head -n 1)")
status=0

if [ "${TA_HOST_CHECK:-0}" = 1 ]; then
  PYINC=$("$PY" -c "import sysconfig; print(sysconfig.get_paths()['include'])")
  std="${TA_HOST_STD:-c++17}"
  host() {  # label, file, extra flags...
    local label=$1 f=$2; shift 2
    local log="build/gxx-${TAG}$(echo "$f" | tr / _)${label:+-$label}.log"
    if g++ -std="$std" -fsyntax-only -Wall -Wno-unused-function -Wno-unknown-pragmas $INC -I"$PYINC" \
        -I"$ROOT/csrc" -DTA_WITH_CUDA -DTA_HAVE_AVX2 -DTA_HAVE_AVX512 "$@" "$f" > "$log" 2>&1; then
      echo "ok    g++ -std=$std $f${label:+ ($label)}"
    else
      echo "FAIL  g++ -std=$std $f${label:+ ($label)} (log: $log)"; grep -m 20 error "$log" || true; status=1
    fi
  }
  for f in $(ls csrc/*.cpp csrc/*/*.cpp | grep -v '_kernels\.cpp$'); do host "" "$f"; done
  for f in csrc/cpu/*_kernels.cpp; do
    host DEFAULT "$f" -DCPU_CAPABILITY=DEFAULT -DCPU_CAPABILITY_DEFAULT
    host AVX2 "$f" -DCPU_CAPABILITY=AVX2 -DCPU_CAPABILITY_AVX2 -mavx2 -mfma -mf16c
    host AVX512 "$f" -DCPU_CAPABILITY=AVX512 -DCPU_CAPABILITY_AVX512 -mavx512f -mavx512bw -mavx512vl -mavx512dq -mfma -mf16c
  done
fi

for f in "${FILES[@]}"; do
  start=$(date +%s)
  log="build/nvcc-${TAG}$(basename "$f").log"
  if nvcc -std=c++20 -O2 -c "$f" -o /dev/null $INC -I"$ROOT/csrc" -I"$LIBINC" $STUB \
      -D__CUDA_NO_HALF_OPERATORS__ -D__CUDA_NO_HALF_CONVERSIONS__ -D__CUDA_NO_BFLOAT16_CONVERSIONS__ \
      -D__CUDA_NO_HALF2_OPERATORS__ --expt-relaxed-constexpr --expt-extended-lambda -DTA_WITH_CUDA \
      -gencode "arch=compute_$ARCH,code=sm_$ARCH" -Xcompiler -fPIC > "$log" 2>&1; then
    echo "ok    $f ($(( $(date +%s) - start ))s)"
  else
    echo "FAIL  $f (log: $log)"; grep -m 20 error "$log" || true
    status=1
  fi
done
exit $status
