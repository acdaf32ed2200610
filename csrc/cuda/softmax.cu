// CUDA softmax over a dimension of a contiguous tensor seen as
// [outer, n, inner]: one block per row when inner == 1 (block reductions in a
// fixed order: deterministic), one thread per (outer, inner) column
// otherwise.  Backward: dx = y (g - Σ g y).  16-bit types compute in float.
#include <ATen/cuda/CUDAContext.h>
#include <c10/cuda/CUDAException.h>

#include "../math/overloads.h"
#include "../ops/kernel_table.h"
#include "loops.cuh"

namespace ta::cuda {
namespace {

template <class T>
__device__ T max_prop(T a, T b) {
  return (b != b || b > a) ? b : a;
}

template <class scalar_t>
__global__ void softmax_rows(const scalar_t* __restrict__ x, scalar_t* __restrict__ y,
                             int64_t rows, int64_t n) {
  using T = at::opmath_type<scalar_t>;
  for (int64_t row = blockIdx.x; row < rows; row += gridDim.x) {
    const scalar_t* xr = x + row * n;
    scalar_t* yr = y + row * n;
    T m = -std::numeric_limits<T>::infinity();
    for (int64_t i = threadIdx.x; i < n; i += blockDim.x) m = max_prop(m, static_cast<T>(xr[i]));
    m = block_max(m);
    T s = T(0);
    for (int64_t i = threadIdx.x; i < n; i += blockDim.x) s += math::exp(static_cast<T>(xr[i]) - m);
    const T inv = T(1) / block_sum(s);
    for (int64_t i = threadIdx.x; i < n; i += blockDim.x) {
      yr[i] = static_cast<scalar_t>(math::exp(static_cast<T>(xr[i]) - m) * inv);
    }
  }
}

template <class scalar_t>
__global__ void softmax_columns(const scalar_t* __restrict__ x, scalar_t* __restrict__ y,
                                int64_t outer, int64_t n, int64_t inner) {
  using T = at::opmath_type<scalar_t>;
  const int64_t lines = outer * inner;
  for (int64_t l = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; l < lines;
       l += (int64_t)gridDim.x * blockDim.x) {
    const int64_t base = (l / inner) * n * inner + l % inner;
    T m = -std::numeric_limits<T>::infinity();
    for (int64_t i = 0; i < n; ++i) m = max_prop(m, static_cast<T>(x[base + i * inner]));
    T s = T(0);
    for (int64_t i = 0; i < n; ++i) s += math::exp(static_cast<T>(x[base + i * inner]) - m);
    const T inv = T(1) / s;
    for (int64_t i = 0; i < n; ++i) {
      y[base + i * inner] = static_cast<scalar_t>(math::exp(static_cast<T>(x[base + i * inner]) - m) * inv);
    }
  }
}

template <class scalar_t>
__global__ void softmax_backward_rows(const scalar_t* __restrict__ g, const scalar_t* __restrict__ y,
                                      scalar_t* __restrict__ gx, int64_t rows, int64_t n) {
  using T = at::opmath_type<scalar_t>;
  for (int64_t row = blockIdx.x; row < rows; row += gridDim.x) {
    const int64_t off = row * n;
    T d = T(0);
    for (int64_t i = threadIdx.x; i < n; i += blockDim.x) {
      d += static_cast<T>(g[off + i]) * static_cast<T>(y[off + i]);
    }
    d = block_sum(d);
    for (int64_t i = threadIdx.x; i < n; i += blockDim.x) {
      gx[off + i] = static_cast<scalar_t>(static_cast<T>(y[off + i]) * (static_cast<T>(g[off + i]) - d));
    }
  }
}

template <class scalar_t>
__global__ void softmax_backward_columns(const scalar_t* __restrict__ g,
                                         const scalar_t* __restrict__ y, scalar_t* __restrict__ gx,
                                         int64_t outer, int64_t n, int64_t inner) {
  using T = at::opmath_type<scalar_t>;
  const int64_t lines = outer * inner;
  for (int64_t l = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; l < lines;
       l += (int64_t)gridDim.x * blockDim.x) {
    const int64_t base = (l / inner) * n * inner + l % inner;
    T d = T(0);
    for (int64_t i = 0; i < n; ++i) {
      d += static_cast<T>(g[base + i * inner]) * static_cast<T>(y[base + i * inner]);
    }
    for (int64_t i = 0; i < n; ++i) {
      const int64_t k = base + i * inner;
      gx[k] = static_cast<scalar_t>(static_cast<T>(y[k]) * (static_cast<T>(g[k]) - d));
    }
  }
}

int row_threads(int64_t n) {
  int t = 32;
  while (t < kThreads && t < n) t *= 2;
  return t;
}

void softmax_fwd(const at::Tensor& out, const at::Tensor& in, int64_t dim) {
  const LineShape s = line_shape(in, dim);
  if (s.outer * s.n * s.inner == 0) return;
  auto stream = at::cuda::getCurrentCUDAStream();
  TA_DISPATCH_FLOATING_CUDA(in.scalar_type(), "softmax_cuda", [&] {
    if (s.inner == 1) {
      softmax_rows<scalar_t><<<blocks_for(s.outer, 1), row_threads(s.n), 0, stream>>>(
          in.const_data_ptr<scalar_t>(), out.data_ptr<scalar_t>(), s.outer, s.n);
    } else {
      softmax_columns<scalar_t><<<blocks_for(s.outer * s.inner), kThreads, 0, stream>>>(
          in.const_data_ptr<scalar_t>(), out.data_ptr<scalar_t>(), s.outer, s.n, s.inner);
    }
    C10_CUDA_KERNEL_LAUNCH_CHECK();
  });
}

void softmax_bwd(const at::Tensor& grad_in, const at::Tensor& grad, const at::Tensor& out,
                 int64_t dim) {
  const LineShape s = line_shape(out, dim);
  if (s.outer * s.n * s.inner == 0) return;
  auto stream = at::cuda::getCurrentCUDAStream();
  TA_DISPATCH_FLOATING_CUDA(out.scalar_type(), "softmax_backward_cuda", [&] {
    if (s.inner == 1) {
      softmax_backward_rows<scalar_t><<<blocks_for(s.outer, 1), row_threads(s.n), 0, stream>>>(
          grad.const_data_ptr<scalar_t>(), out.const_data_ptr<scalar_t>(),
          grad_in.data_ptr<scalar_t>(), s.outer, s.n);
    } else {
      softmax_backward_columns<scalar_t><<<blocks_for(s.outer * s.inner), kThreads, 0, stream>>>(
          grad.const_data_ptr<scalar_t>(), out.const_data_ptr<scalar_t>(),
          grad_in.data_ptr<scalar_t>(), s.outer, s.n, s.inner);
    }
    C10_CUDA_KERNEL_LAUNCH_CHECK();
  });
}

}  // namespace

SoftmaxKernels softmax_kernels() {
  return {&softmax_fwd, &softmax_bwd};
}

}  // namespace ta::cuda
