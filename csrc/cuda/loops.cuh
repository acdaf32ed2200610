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

#include "../math/params.h"

namespace ta::cuda {

// gpu_kernel insists on extended __host__ __device__ lambdas (not functor
// objects), so the elementwise operation `op` (csrc/math/kernel_ops.h) is
// wrapped in one lambda per arity: op(opmath...) -> opmath, or for several
// outputs -> std::array<opmath, NOut> returned as a thrust::tuple.
template <class scalar_t, class Op>
void map1(at::TensorIteratorBase& iter, const Op& op) {
  using T = at::opmath_type<scalar_t>;
  at::native::gpu_kernel(iter, [op] GPU_LAMBDA(scalar_t a) -> scalar_t {
    return static_cast<scalar_t>(op(static_cast<T>(a)));
  });
}

template <class scalar_t, class Op>
void map2(at::TensorIteratorBase& iter, const Op& op) {
  using T = at::opmath_type<scalar_t>;
  at::native::gpu_kernel(iter, [op] GPU_LAMBDA(scalar_t a, scalar_t b) -> scalar_t {
    return static_cast<scalar_t>(op(static_cast<T>(a), static_cast<T>(b)));
  });
}

template <class scalar_t, class Op>
void map3(at::TensorIteratorBase& iter, const Op& op) {
  using T = at::opmath_type<scalar_t>;
  at::native::gpu_kernel(iter, [op] GPU_LAMBDA(scalar_t a, scalar_t b, scalar_t c) -> scalar_t {
    return static_cast<scalar_t>(op(static_cast<T>(a), static_cast<T>(b), static_cast<T>(c)));
  });
}

// two outputs, one input (crelu)
template <class scalar_t, class Op>
void map_2_1(at::TensorIteratorBase& iter, const Op& op) {
  using T = at::opmath_type<scalar_t>;
  at::native::gpu_kernel_multiple_outputs(
      iter, [op] GPU_LAMBDA(scalar_t a) -> thrust::tuple<scalar_t, scalar_t> {
        const auto r = op(static_cast<T>(a));
        return {static_cast<scalar_t>(r[0]), static_cast<scalar_t>(r[1])};
      });
}

// two outputs, three inputs (gated backward)
template <class scalar_t, class Op>
void map_2_3(at::TensorIteratorBase& iter, const Op& op) {
  using T = at::opmath_type<scalar_t>;
  at::native::gpu_kernel_multiple_outputs(
      iter, [op] GPU_LAMBDA(scalar_t a, scalar_t b, scalar_t c) -> thrust::tuple<scalar_t, scalar_t> {
        const auto r = op(static_cast<T>(a), static_cast<T>(b), static_cast<T>(c));
        return {static_cast<scalar_t>(r[0]), static_cast<scalar_t>(r[1])};
      });
}

// three outputs, five inputs (gated double backward)
template <class scalar_t, class Op>
void map_3_5(at::TensorIteratorBase& iter, const Op& op) {
  using T = at::opmath_type<scalar_t>;
  at::native::gpu_kernel_multiple_outputs(
      iter, [op] GPU_LAMBDA(scalar_t a, scalar_t b, scalar_t c, scalar_t d, scalar_t e)
                -> thrust::tuple<scalar_t, scalar_t, scalar_t> {
        const auto r = op(static_cast<T>(a), static_cast<T>(b), static_cast<T>(c),
                          static_cast<T>(d), static_cast<T>(e));
        return {static_cast<scalar_t>(r[0]), static_cast<scalar_t>(r[1]), static_cast<scalar_t>(r[2])};
      });
}

#define TA_DISPATCH_FLOATING_CUDA(dtype, name, ...) \
  AT_DISPATCH_FLOATING_TYPES_AND2(at::kHalf, at::kBFloat16, dtype, name, __VA_ARGS__)

}  // namespace ta::cuda

namespace ta::cuda {

// The CUDA backend of csrc/ops/kernel_tables.h.
struct Backend {
  template <template <class> class Op, std::size_t NOut, std::size_t NIn, class F>
  static void run(at::TensorIteratorBase& iter, const ta::Params& p) {
    const Op<F> op{F(p)};
    TA_DISPATCH_FLOATING_CUDA(iter.dtype(), "activation", [&] {
      if constexpr (NOut == 1 && NIn == 1) {
        map1<scalar_t>(iter, op);
      } else if constexpr (NOut == 1 && NIn == 2) {
        map2<scalar_t>(iter, op);
      } else if constexpr (NOut == 1 && NIn == 3) {
        map3<scalar_t>(iter, op);
      } else if constexpr (NOut == 2 && NIn == 1) {
        map_2_1<scalar_t>(iter, op);
      } else if constexpr (NOut == 2 && NIn == 3) {
        map_2_3<scalar_t>(iter, op);
      } else {
        static_assert(NOut == 3 && NIn == 5, "no CUDA loop for this arity");
        map_3_5<scalar_t>(iter, op);
      }
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
  for (int off = 16; off > 0; off >>= 1) {
    const T o = __shfl_down_sync(0xffffffffu, v, off);
    v = (o != o || o > v) ? o : v;
  }
  const int lane = threadIdx.x % 32, warp = threadIdx.x / 32;
  if (lane == 0) warp_max[warp] = v;
  __syncthreads();
  if (threadIdx.x == 0) {
    T m = warp_max[0];
    for (int w = 1; w < (int)(blockDim.x + 31) / 32; ++w) {
      m = (warp_max[w] != warp_max[w] || warp_max[w] > m) ? warp_max[w] : m;
    }
    result = m;
  }
  __syncthreads();
  return result;
}

}  // namespace ta::cuda
