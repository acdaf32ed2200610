// Elementwise loops over a TensorIterator on CUDA for functors written against
// csrc/math/overloads.h: the same math as the CPU kernels, computed in the
// op-math type (float for half and bfloat16, rounded once on the way out).
// gpu_kernel gives vectorized loads, 64-bit sizes (it splits iterators that
// need them) and launches on the current stream.
#pragma once

#include <ATen/Dispatch.h>
#include <ATen/core/Tensor.h>
#include <ATen/ops/empty.h>
#include <ATen/ops/empty_like.h>
#include <ATen/OpMathType.h>
#include <ATen/native/cuda/Loops.cuh>

#include <thrust/tuple.h>

#include <array>
#include <utility>

#include "../math/config.h"
#include "../math/overloads.h"

namespace ta::cuda {

template <class T, std::size_t>
using repeat_t = T;

// gpu_kernel insists on extended __host__ __device__ lambdas (not functor
// objects), so the elementwise operation `op` (csrc/math/kernel_ops.h) is
// wrapped in one variadic lambda: op(opmath...) -> opmath, or for several
// outputs std::array<opmath, NOut>, returned as a thrust::tuple.
template <class scalar_t, std::size_t... I, class R>
C10_HOST_DEVICE thrust::tuple<repeat_t<scalar_t, I>...> to_tuple(const R& r, std::index_sequence<I...>) {
  return {static_cast<scalar_t>(r[I])...};
}

template <class scalar_t, std::size_t NOut, std::size_t NIn, class Op, std::size_t... J>
void map(at::TensorIteratorBase& iter, const Op& op, std::index_sequence<J...>) {
  using T = at::opmath_type<scalar_t>;
  if constexpr (NOut == 1) {
    at::native::gpu_kernel(iter, [op] GPU_LAMBDA(repeat_t<scalar_t, J>... a) -> scalar_t {
      return static_cast<scalar_t>(op(static_cast<T>(a)...));
    });
  } else {
    at::native::gpu_kernel_multiple_outputs(
        iter, [op] GPU_LAMBDA(repeat_t<scalar_t, J>... a) {
          return to_tuple<scalar_t>(op(static_cast<T>(a)...), std::make_index_sequence<NOut>{});
        });
  }
}

#define TA_DISPATCH_FLOATING_CUDA(dtype, name, ...) \
  AT_DISPATCH_FLOATING_TYPES_AND2(at::kHalf, at::kBFloat16, dtype, name, __VA_ARGS__)

}  // namespace ta::cuda

namespace ta::cuda {

// The CUDA backend of csrc/ops/kernel_tables.h (every call goes through
// a TensorIterator: gpu_kernel vectorizes contiguous operands itself).
struct Backend {
  static constexpr bool kHasContiguous = false;
  template <template <class> class Op, std::size_t NOut, std::size_t NIn, class F>
  static void run(at::TensorIteratorBase& iter, const void* args) {
    const Op<F> op{F(*static_cast<const typename F::Args*>(args))};
    TA_DISPATCH_FLOATING_CUDA(iter.dtype(), "activation", [&] {
      map<scalar_t, NOut, NIn>(iter, op, std::make_index_sequence<NIn>{});
    });
  }
};

// Threads per block for the custom kernels, and a block count.
constexpr int kThreads = 256;
inline int blocks_for(int64_t n, int threads = kThreads) {
  return static_cast<int>(std::min<int64_t>((n + threads - 1) / threads, 65535 * 32));
}

// Sum over the block in a fixed order (shuffle within warps, then the warp
// sums in order): deterministic.  All threads must call it (blockDim.x a
// multiple of 32); every thread gets the result.
template <class T>
__device__ T block_sum(T v) {
  __shared__ T warp_sums[kThreads / 32];
  __shared__ T result;
  for (int off = 16; off > 0; off >>= 1) v += __shfl_down_sync(0xffffffffu, v, off);
  const int lane = threadIdx.x % 32, warp = threadIdx.x / 32;
  if (lane == 0) warp_sums[warp] = v;
  __syncthreads();
  if (threadIdx.x == 0) {
    T total = T(0);
    for (int w = 0; w < (int)(blockDim.x + 31) / 32; ++w) total += warp_sums[w];
    result = total;
  }
  __syncthreads();
  return result;
}

template <class T>
__device__ T block_max(T v) {
  __shared__ T warp_max[kThreads / 32];
  __shared__ T result;
  for (int off = 16; off > 0; off >>= 1) v = math::max_nan(__shfl_down_sync(0xffffffffu, v, off), v);
  const int lane = threadIdx.x % 32, warp = threadIdx.x / 32;
  if (lane == 0) warp_max[warp] = v;
  __syncthreads();
  if (threadIdx.x == 0) {
    T m = warp_max[0];
    for (int w = 1; w < (int)(blockDim.x + 31) / 32; ++w) m = math::max_nan(warp_max[w], m);
    result = m;
  }
  __syncthreads();
  return result;
}

}  // namespace ta::cuda
