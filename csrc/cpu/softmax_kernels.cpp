// CPU softmax over a dimension: forward y_i = e^{x_i - max} / Σ_j e^{x_j - max}
// and backward dx = y ⊙ (g - Σ g⊙y), never a Jacobian.  The tensor is seen
// as [outer, n, inner] (contiguous); rows along `dim` are contiguous when
// inner == 1 (vectorized along the row), otherwise the vectors run across
// `inner` and loop over n.  16-bit types compute in float.  Compiled once per
// instruction set.
#include <ATen/Parallel.h>
#include <ATen/core/Tensor.h>

#include <vector>

#include "../math/overloads.h"
#include "../ops/kernel_table.h"
#include "loops.h"

namespace ta::cpu {
inline namespace CPU_CAPABILITY {
namespace {

using VecF = at::vec::Vectorized<float>;

template <class opmath_t>
using VecO = at::vec::Vectorized<opmath_t>;

// Contiguous opmath buffers of `len` values starting at `src` with stride
// `stride` (a strided gather for the column case, a conversion for 16-bit).
template <class scalar_t, class opmath_t>
void load_op(const scalar_t* src, int64_t len, int64_t stride, opmath_t* dst) {
  for (int64_t i = 0; i < len; ++i) dst[i] = static_cast<opmath_t>(src[i * stride]);
}
template <class scalar_t, class opmath_t>
void store_op(const opmath_t* src, int64_t len, int64_t stride, scalar_t* dst) {
  for (int64_t i = 0; i < len; ++i) dst[i * stride] = static_cast<scalar_t>(src[i]);
}

template <class T, class V>
T horizontal(const V& v, T init, T (*combine)(T, T)) {
  T tmp[V::size()];
  v.store(tmp);
  for (int64_t k = 0; k < V::size(); ++k) init = combine(init, tmp[k]);
  return init;
}

template <class T>
T add(T a, T b) {
  return a + b;
}

// One row of n contiguous opmath values: y = softmax(x) (y may alias x).
// A NaN anywhere makes the whole row NaN, as in torch.  The last n % size
// values go through a partial vector (padding lanes masked out of the max and
// the sum), so every value's e^{x - max} comes from the same vector exp
// wherever it sits in the row.
template <class T>
void softmax_row(const T* x, T* y, int64_t n) {
  using V = VecO<T>;
  const int64_t nv = n - n % V::size();
  const int64_t r = n - nv;
  const V ninf(-std::numeric_limits<T>::infinity());
  V m = ninf;
  int64_t i = 0;
  for (; i < nv; i += V::size()) m = at::vec::maximum(m, V::loadu(x + i));
  if (r > 0) m = at::vec::maximum(m, V::set(ninf, V::loadu(x + nv, r), r));
  const T mx = horizontal<T>(m, -std::numeric_limits<T>::infinity(), &math::max_nan<T>);
  const V vm(mx);
  V s(T(0));
  for (i = 0; i < nv; i += V::size()) {
    const V e = math::exp(V::loadu(x + i) - vm);
    e.store(y + i);
    s = s + e;
  }
  if (r > 0) {
    const V e = V::set(V(T(0)), math::exp(V::loadu(x + nv, r) - vm), r);
    e.store(y + nv, r);
    s = s + e;
  }
  const T sum = horizontal<T>(s, T(0), &add<T>);
  const V vinv(T(1) / sum);
  for (i = 0; i < nv; i += V::size()) (V::loadu(y + i) * vinv).store(y + i);
  if (r > 0) (V::loadu(y + nv, r) * vinv).store(y + nv, r);
}

// One row: gx = y (g - Σ g y) (gx may alias g).
template <class T>
void softmax_backward_row(const T* g, const T* y, T* gx, int64_t n) {
  using V = VecO<T>;
  const int64_t nv = n - n % V::size();
  V acc(T(0));
  int64_t i = 0;
  for (; i < nv; i += V::size()) acc = acc + V::loadu(g + i) * V::loadu(y + i);
  T dot = horizontal<T>(acc, T(0), &add<T>);
  for (; i < n; ++i) dot += g[i] * y[i];
  const V vdot(dot);
  for (i = 0; i < nv; i += V::size()) {
    (V::loadu(y + i) * (V::loadu(g + i) - vdot)).store(gx + i);
  }
  for (; i < n; ++i) gx[i] = y[i] * (g[i] - dot);
}

// Runs `row(in_0, ..., out, n)` over every (outer, inner) line along dim.
// Lines that are contiguous in memory and already in opmath (float/double
// with inner == 1) are passed directly; others go through contiguous opmath
// buffers.  Lines are independent: parallel over them.
template <class scalar_t, int NIn, class Row>
void for_each_line(const at::Tensor& out, const std::array<at::Tensor, NIn>& ins, int64_t dim,
                   const Row& row) {
  using opmath_t = at::opmath_type<scalar_t>;
  const LineShape s = line_shape(out, dim);
  if (s.outer * s.inner == 0 || s.n == 0) return;
  std::array<const scalar_t*, NIn> src;
  for (int k = 0; k < NIn; ++k) src[k] = ins[k].template const_data_ptr<scalar_t>();
  scalar_t* dst = out.data_ptr<scalar_t>();
  constexpr bool kDirect = std::is_same_v<scalar_t, opmath_t>;
  const int64_t lines = s.outer * s.inner;
  const int64_t grain = std::max<int64_t>(1, 32768 / s.n);
  at::parallel_for(0, lines, grain, [&](int64_t begin, int64_t end) {
    std::vector<opmath_t> buf;
    for (int64_t l = begin; l < end; ++l) {
      const int64_t base = (l / s.inner) * s.n * s.inner + l % s.inner;
      if constexpr (kDirect) {
        if (s.inner == 1) {
          std::array<const opmath_t*, NIn> p;
          for (int k = 0; k < NIn; ++k) p[k] = src[k] + base;
          std::apply([&](auto... in) { row(in..., dst + base, s.n); }, p);
          continue;
        }
      }
      buf.resize((NIn + 1) * s.n);
      std::array<const opmath_t*, NIn> p;
      for (int k = 0; k < NIn; ++k) {
        load_op(src[k] + base, s.n, s.inner, buf.data() + k * s.n);
        p[k] = buf.data() + k * s.n;
      }
      opmath_t* res = buf.data() + NIn * s.n;
      std::apply([&](auto... in) { row(in..., res, s.n); }, p);
      store_op(res, s.n, s.inner, dst + base);
    }
  });
}

// out, in: contiguous, same shape.
void softmax_fwd(const at::Tensor& out, const at::Tensor& in, int64_t dim) {
  AT_DISPATCH_FLOATING_TYPES_AND2(at::kHalf, at::kBFloat16, in.scalar_type(), "softmax", [&] {
    using T = at::opmath_type<scalar_t>;
    for_each_line<scalar_t, 1>(out, {in}, dim,
                               [](const T* x, T* y, int64_t n) { softmax_row(x, y, n); });
  });
}

// grad_in, grad, out: contiguous, same shape.
void softmax_bwd(const at::Tensor& grad_in, const at::Tensor& grad, const at::Tensor& out,
                 int64_t dim) {
  AT_DISPATCH_FLOATING_TYPES_AND2(at::kHalf, at::kBFloat16, out.scalar_type(), "softmax_backward",
                                  [&] {
    using T = at::opmath_type<scalar_t>;
    for_each_line<scalar_t, 2>(grad_in, {grad, out}, dim, [](const T* g, const T* y, T* gx,
                                                              int64_t n) {
      softmax_backward_row(g, y, gx, n);
    });
  });
}

}  // namespace

SoftmaxKernels softmax_kernels() {
  return {&softmax_fwd, &softmax_bwd};
}

}  // namespace CPU_CAPABILITY
}  // namespace ta::cpu
