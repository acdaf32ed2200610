// CPU kernels of the look-up-table activation (the math, per element, is
// csrc/math/lut.h).  The table gradients are summed deterministically: the
// input is cut into K chunks, K fixed by the sizes alone (not by the thread
// count), each chunk adds into its own table (in double), and the chunk
// tables are added in chunk order.  K <= numel / table size keeps the extra
// memory within O(numel + table), and K <= 64 bounds it by 64 tables.
#include <ATen/Dispatch.h>
#include <ATen/OpMathType.h>
#include <ATen/Parallel.h>
#include <ATen/core/Tensor.h>

#include <algorithm>
#include <vector>

#include "../math/lut.h"
#include "../ops/kernel_table.h"

namespace ta::cpu {
namespace {

constexpr int64_t kChunk = 16384;      // elements per chunk of the forward
constexpr int64_t kMaxTableChunks = 64;  // tables of partial gradients

template <class Body>
void for_chunks(int64_t numel, const Body& body) {
  const int64_t chunks = (numel + kChunk - 1) / kChunk;
  at::parallel_for(0, chunks, 1, [&](int64_t cb, int64_t ce) {
    for (int64_t ch = cb; ch < ce; ++ch) {
      body(ch, ch * kChunk, std::min(numel, (ch + 1) * kChunk));
    }
  });
}

// Runs elem(k, table_grad) for every element k, where each element adds its
// table gradient (math::LutTableGrad) into the sum written to c.table_out.
template <class scalar_t, class Elem>
void with_table_grad(const LutCall& c, const Elem& elem) {
  using T = at::opmath_type<scalar_t>;
  const int64_t n = c.table.numel(), numel = c.x.numel();
  const int64_t by_work = (numel + kChunk - 1) / kChunk;
  const int64_t chunks = std::max<int64_t>(1, std::min<int64_t>({kMaxTableChunks, by_work, numel / n}));
  const int64_t len = (numel + chunks - 1) / chunks;
  std::vector<double> partial(chunks * n, 0.0);
  at::parallel_for(0, chunks, 1, [&](int64_t cb, int64_t ce) {
    for (int64_t ch = cb; ch < ce; ++ch) {
      double* acc = partial.data() + ch * n;
      math::LutTableGrad<T> tg;
      for (int64_t k = ch * len, e = std::min(numel, (ch + 1) * len); k < e; ++k) {
        elem(k, tg);
        acc[tg.i] += tg.at_i;
        acc[tg.i + 1] += tg.at_next;
      }
    }
  });
  scalar_t* out = c.table_out.data_ptr<scalar_t>();
  for (int64_t j = 0; j < n; ++j) {
    double sum = 0;
    for (int64_t ch = 0; ch < chunks; ++ch) sum += partial[ch * n + j];
    out[j] = static_cast<scalar_t>(sum);
  }
}

void lut_fwd(const LutCall& c) {
  AT_DISPATCH_FLOATING_TYPES_AND2(at::kHalf, at::kBFloat16, c.x.scalar_type(), "lut", [&] {
    using T = at::opmath_type<scalar_t>;
    const scalar_t* x = c.x.const_data_ptr<scalar_t>();
    const scalar_t* tab = c.table.const_data_ptr<scalar_t>();
    scalar_t* y = c.out0.data_ptr<scalar_t>();
    const math::Lut<T> lut(c.lo, c.hi, c.table.numel());
    for_chunks(c.x.numel(), [&](int64_t, int64_t b, int64_t e) {
      for (int64_t k = b; k < e; ++k) {
        y[k] = static_cast<scalar_t>(lut.forward(static_cast<T>(x[k]), tab));
      }
    });
  });
}

// out0 = gx, table_out = gtable; in: x, g.
void lut_bwd(const LutCall& c) {
  AT_DISPATCH_FLOATING_TYPES_AND2(at::kHalf, at::kBFloat16, c.x.scalar_type(), "lut_backward", [&] {
    using T = at::opmath_type<scalar_t>;
    const scalar_t* x = c.x.const_data_ptr<scalar_t>();
    const scalar_t* g = c.g.const_data_ptr<scalar_t>();
    const scalar_t* tab = c.table.const_data_ptr<scalar_t>();
    scalar_t* gx = c.out0.data_ptr<scalar_t>();
    const math::Lut<T> lut(c.lo, c.hi, c.table.numel());
    with_table_grad<scalar_t>(c, [&](int64_t k, math::LutTableGrad<T>& tg) {
      gx[k] = static_cast<scalar_t>(
          lut.backward(static_cast<T>(x[k]), static_cast<T>(g[k]), tab, tg));
    });
  });
}

// out0 = d_grad, out1 = d_x, table_out = d_table; in: x, g, ggx, ggtable.
void lut_dbwd(const LutCall& c) {
  AT_DISPATCH_FLOATING_TYPES_AND2(at::kHalf, at::kBFloat16, c.x.scalar_type(), "lut_double_backward", [&] {
    using T = at::opmath_type<scalar_t>;
    const scalar_t* x = c.x.const_data_ptr<scalar_t>();
    const scalar_t* g = c.g.const_data_ptr<scalar_t>();
    const scalar_t* ggx = c.ggx.const_data_ptr<scalar_t>();
    const scalar_t* tab = c.table.const_data_ptr<scalar_t>();
    const scalar_t* ggt = c.gg_table.const_data_ptr<scalar_t>();
    scalar_t* dg = c.out0.data_ptr<scalar_t>();
    scalar_t* dx = c.out1.data_ptr<scalar_t>();
    const math::Lut<T> lut(c.lo, c.hi, c.table.numel());
    with_table_grad<scalar_t>(c, [&](int64_t k, math::LutTableGrad<T>& tg) {
      T d_grad, d_x;
      lut.double_backward(static_cast<T>(x[k]), static_cast<T>(g[k]), static_cast<T>(ggx[k]), tab,
                          ggt, d_grad, d_x, tg);
      dg[k] = static_cast<scalar_t>(d_grad);
      dx[k] = static_cast<scalar_t>(d_x);
    });
  });
}

}  // namespace

LutKernels lut_kernels() {
  return {&lut_fwd, &lut_bwd, &lut_dbwd};
}

}  // namespace ta::cpu
