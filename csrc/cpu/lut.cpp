// CPU kernels of the look-up-table activation: linear interpolation of a
// table of n >= 2 values spread evenly over [lo, hi], of the clamped input.
// Gradient to the input: the segment's slope inside (lo, hi), 0 outside (and
// at lo and hi); gradient to the table: the interpolation weights, summed
// per entry deterministically (per-chunk tables added in chunk order).
// Second order: the forward is linear in the table and piecewise linear in
// x, so the only second derivatives are the mixed (x, table) ones.
// NaN inputs give NaN outputs and add nothing to the table's gradient.
#include <ATen/Dispatch.h>
#include <ATen/OpMathType.h>
#include <ATen/Parallel.h>
#include <ATen/core/Tensor.h>

#include <cmath>
#include <vector>

#include "../ops/kernel_table.h"

namespace ta::cpu {
namespace {

constexpr int64_t kChunk = 16384;

template <class T>
struct Segment {
  int64_t i;    // left entry
  T w;          // weight of entry i + 1
  bool inside;  // lo < x < hi: the slope applies
  bool valid;   // not NaN
};

template <class T>
Segment<T> locate(T x, T lo, T hi, T inv_h, int64_t n) {
  if (x != x) return {0, T(0), false, false};
  const T xc = std::min(std::max(x, lo), hi);
  const T t = (xc - lo) * inv_h;
  int64_t i = static_cast<int64_t>(std::floor(t));
  i = std::min<int64_t>(std::max<int64_t>(i, 0), n - 2);
  return {i, t - static_cast<T>(i), x > lo && x < hi, true};
}

template <class scalar_t, class Body>
void for_chunks(int64_t numel, const Body& body) {
  const int64_t chunks = (numel + kChunk - 1) / kChunk;
  at::parallel_for(0, chunks, 1, [&](int64_t cb, int64_t ce) {
    for (int64_t ch = cb; ch < ce; ++ch) {
      body(ch, ch * kChunk, std::min(numel, (ch + 1) * kChunk));
    }
  });
}

// Adds the per-chunk table sums (chunks x n) in chunk order into `out`.
template <class scalar_t>
void reduce_tables(const std::vector<double>& partial, int64_t chunks, int64_t n, scalar_t* out) {
  for (int64_t j = 0; j < n; ++j) {
    double s = 0;
    for (int64_t ch = 0; ch < chunks; ++ch) s += partial[ch * n + j];
    out[j] = static_cast<scalar_t>(s);
  }
}

void lut_fwd(const LutCall& c) {
  AT_DISPATCH_FLOATING_TYPES_AND2(at::kHalf, at::kBFloat16, c.x.scalar_type(), "lut", [&] {
    using T = at::opmath_type<scalar_t>;
    const scalar_t* x = c.x.const_data_ptr<scalar_t>();
    const scalar_t* tab = c.table.const_data_ptr<scalar_t>();
    scalar_t* y = c.out0.data_ptr<scalar_t>();
    const int64_t n = c.table.numel();
    const T lo = c.lo, hi = c.hi, inv_h = T(n - 1) / (hi - lo);
    for_chunks<scalar_t>(c.x.numel(), [&](int64_t, int64_t b, int64_t e) {
      for (int64_t k = b; k < e; ++k) {
        const auto s = locate(static_cast<T>(x[k]), lo, hi, inv_h, n);
        y[k] = s.valid ? static_cast<scalar_t>(static_cast<T>(tab[s.i]) * (T(1) - s.w) +
                                               static_cast<T>(tab[s.i + 1]) * s.w)
                       : x[k];
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
    const int64_t n = c.table.numel(), numel = c.x.numel();
    const T lo = c.lo, hi = c.hi, inv_h = T(n - 1) / (hi - lo);
    const int64_t chunks = (numel + kChunk - 1) / kChunk;
    std::vector<double> partial(chunks * n, 0.0);
    for_chunks<scalar_t>(numel, [&](int64_t ch, int64_t b, int64_t e) {
      double* acc = partial.data() + ch * n;
      for (int64_t k = b; k < e; ++k) {
        const T xv = static_cast<T>(x[k]), gv = static_cast<T>(g[k]);
        const auto s = locate(xv, lo, hi, inv_h, n);
        if (!s.valid) {
          gx[k] = x[k];
          continue;
        }
        const T slope = (static_cast<T>(tab[s.i + 1]) - static_cast<T>(tab[s.i])) * inv_h;
        gx[k] = static_cast<scalar_t>(s.inside ? gv * slope : T(0));
        acc[s.i] += gv * (T(1) - s.w);
        acc[s.i + 1] += gv * s.w;
      }
    });
    reduce_tables(partial, chunks, n, c.table_out.data_ptr<scalar_t>());
  });
}

// out0 = d_grad, out1 = d_x, table_out = d_table; in: x, g, ggx, ggtable.
//   d_grad = ggT(x) + ggx slope_T(x);  d_x = g slope_ggT(x);
//   d_table: ggx g (+1/h at i+1, -1/h at i), inside (lo, hi)
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
    const int64_t n = c.table.numel(), numel = c.x.numel();
    const T lo = c.lo, hi = c.hi, inv_h = T(n - 1) / (hi - lo);
    const int64_t chunks = (numel + kChunk - 1) / kChunk;
    std::vector<double> partial(chunks * n, 0.0);
    for_chunks<scalar_t>(numel, [&](int64_t ch, int64_t b, int64_t e) {
      double* acc = partial.data() + ch * n;
      for (int64_t k = b; k < e; ++k) {
        const T xv = static_cast<T>(x[k]);
        const auto s = locate(xv, lo, hi, inv_h, n);
        if (!s.valid) {
          dg[k] = x[k];
          dx[k] = x[k];
          continue;
        }
        const T gv = static_cast<T>(g[k]), ggv = static_cast<T>(ggx[k]);
        const T t0 = static_cast<T>(tab[s.i]), t1 = static_cast<T>(tab[s.i + 1]);
        const T u0 = static_cast<T>(ggt[s.i]), u1 = static_cast<T>(ggt[s.i + 1]);
        const T in = s.inside ? T(1) : T(0);
        dg[k] = static_cast<scalar_t>(u0 * (T(1) - s.w) + u1 * s.w + ggv * in * (t1 - t0) * inv_h);
        dx[k] = static_cast<scalar_t>(gv * in * (u1 - u0) * inv_h);
        const T d = ggv * gv * in * inv_h;
        acc[s.i] -= d;
        acc[s.i + 1] += d;
      }
    });
    reduce_tables(partial, chunks, n, c.table_out.data_ptr<scalar_t>());
  });
}

}  // namespace

LutKernels lut_kernels() {
  return {&lut_fwd, &lut_bwd, &lut_dbwd};
}

}  // namespace ta::cpu
