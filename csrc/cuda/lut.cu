// CUDA kernels of the look-up-table activation.  The forward and the
// elementwise parts of the backward run in one pass each; the table
// gradients (each element's contributions kept in double, as the CPU sums
// them) are accumulated in double with index_put_(accumulate=True), which
// torch makes deterministic under torch.use_deterministic_algorithms(True)
// (and otherwise may add in any order), then rounded once to the table's type.
#include <ATen/cuda/CUDAContext.h>
#include <ATen/ops/index_put.h>
#include <ATen/ops/zeros.h>
#include <c10/cuda/CUDAException.h>

#include "../math/lut.h"
#include "../ops/kernel_table.h"
#include "loops.cuh"

namespace ta::cuda {
namespace {

template <class scalar_t>
__global__ void lut_forward_kernel(const scalar_t* x, const scalar_t* tab, scalar_t* y, int64_t numel,
                                   int64_t n, double lo, double hi) {
  using T = at::opmath_type<scalar_t>;
  const math::Lut<T> lut(lo, hi, n);
  for (int64_t k = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; k < numel;
       k += (int64_t)gridDim.x * blockDim.x) {
    y[k] = static_cast<scalar_t>(lut.forward(static_cast<T>(x[k]), tab));
  }
}

// Elementwise part of the backward (mode 0) and of the double backward
// (mode 1); writes, per element, its left entry and the amounts for entries
// i and i + 1 of the table's gradient (0 for NaN inputs).
template <class scalar_t, int kMode>
__global__ void lut_backward_kernel(const scalar_t* x, const scalar_t* g, const scalar_t* ggx,
                                    const scalar_t* tab, const scalar_t* ggt, scalar_t* out0,
                                    scalar_t* out1, int64_t* idx, double* w0, double* w1,
                                    int64_t numel, int64_t n, double lo, double hi) {
  using T = at::opmath_type<scalar_t>;
  const math::Lut<T> lut(lo, hi, n);
  for (int64_t k = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; k < numel;
       k += (int64_t)gridDim.x * blockDim.x) {
    math::LutTableGrad<T> tg;
    if (kMode == 0) {
      out0[k] = static_cast<scalar_t>(lut.backward(static_cast<T>(x[k]), static_cast<T>(g[k]), tab, tg));
    } else {
      T d_grad, d_x;
      lut.double_backward(static_cast<T>(x[k]), static_cast<T>(g[k]), static_cast<T>(ggx[k]), tab, ggt,
                          d_grad, d_x, tg);
      out0[k] = static_cast<scalar_t>(d_grad);
      out1[k] = static_cast<scalar_t>(d_x);
    }
    idx[k] = tg.i;
    w0[k] = static_cast<double>(tg.at_i);
    w1[k] = static_cast<double>(tg.at_next);
  }
}

void accumulate_table(const at::Tensor& table_out, const at::Tensor& idx, const at::Tensor& w0,
                      const at::Tensor& w1) {
  at::Tensor sum = at::zeros(table_out.sizes(), table_out.options().dtype(at::kDouble));
  sum.index_put_({idx}, w0, /*accumulate=*/true);
  sum.index_put_({idx.add(1)}, w1, /*accumulate=*/true);
  table_out.copy_(sum);
}

void lut_fwd(const LutCall& c) {
  auto stream = at::cuda::getCurrentCUDAStream();
  TA_DISPATCH_FLOATING_CUDA(c.x.scalar_type(), "lut_cuda", [&] {
    lut_forward_kernel<scalar_t><<<blocks_for(c.x.numel()), kThreads, 0, stream>>>(
        c.x.const_data_ptr<scalar_t>(), c.table.const_data_ptr<scalar_t>(),
        c.out0.data_ptr<scalar_t>(), c.x.numel(), c.table.numel(), c.lo, c.hi);
    C10_CUDA_KERNEL_LAUNCH_CHECK();
  });
}

template <int kMode>
void lut_backward_common(const LutCall& c) {
  auto stream = at::cuda::getCurrentCUDAStream();
  at::Tensor idx = at::empty(c.x.sizes(), c.x.options().dtype(at::kLong));
  at::Tensor w0 = at::empty(c.x.sizes(), c.x.options().dtype(at::kDouble));
  at::Tensor w1 = at::empty_like(w0);
  TA_DISPATCH_FLOATING_CUDA(c.x.scalar_type(), "lut_backward_cuda", [&] {
    lut_backward_kernel<scalar_t, kMode><<<blocks_for(c.x.numel()), kThreads, 0, stream>>>(
        c.x.const_data_ptr<scalar_t>(), c.g.const_data_ptr<scalar_t>(),
        kMode == 1 ? c.ggx.const_data_ptr<scalar_t>() : nullptr,
        c.table.const_data_ptr<scalar_t>(),
        kMode == 1 ? c.gg_table.const_data_ptr<scalar_t>() : nullptr,
        c.out0.data_ptr<scalar_t>(), kMode == 1 ? c.out1.data_ptr<scalar_t>() : nullptr,
        idx.data_ptr<int64_t>(), w0.data_ptr<double>(), w1.data_ptr<double>(), c.x.numel(),
        c.table.numel(), c.lo, c.hi);
    C10_CUDA_KERNEL_LAUNCH_CHECK();
  });
  accumulate_table(c.table_out, idx.reshape(-1), w0.reshape(-1), w1.reshape(-1));
}

void lut_bwd(const LutCall& c) {
  lut_backward_common<0>(c);
}

void lut_dbwd(const LutCall& c) {
  lut_backward_common<1>(c);
}

}  // namespace

LutKernels lut_kernels() {
  return {&lut_fwd, &lut_bwd, &lut_dbwd};
}

}  // namespace ta::cuda
