// The look-up-table activation, for one element: linear interpolation of a
// table of n >= 2 values spread evenly over [lo, hi], of the clamped input.
// Gradient to the input: the segment's slope inside (lo, hi), 0 outside (and
// at lo and hi); gradient to the table: the interpolation weights of entries
// i and i + 1.  The forward is linear in the table and piecewise linear in
// x, so the only second derivatives are the mixed (x, table) ones.  A NaN
// input gives NaN outputs and adds nothing to the table's gradient.
//
// The CPU and CUDA kernels (csrc/cpu/lut.cpp, csrc/cuda/lut.cu) call these;
// they differ only in how they sum the table gradients.
#pragma once

#include <cmath>
#include <cstdint>

#include "config.h"

namespace ta::math {
inline namespace TA_NS {

template <class T>
struct LutSegment {
  int64_t i;    // left entry
  T w;          // weight of entry i + 1
  bool inside;  // lo < x < hi: the slope applies
  bool valid;   // not NaN
};

// Gradients of one element for entries i and i + 1 of the table.
template <class T>
struct LutTableGrad {
  int64_t i;
  T at_i, at_next;
};

template <class T>
struct Lut {
  T lo, hi, inv_h;  // inv_h = 1 / (spacing of the entries)
  int64_t n;

  TA_HD Lut(double lo_, double hi_, int64_t n_)
      : lo(static_cast<T>(lo_)), hi(static_cast<T>(hi_)), n(n_) {
    inv_h = static_cast<T>(n - 1) / (hi - lo);
  }

  TA_HD LutSegment<T> locate(T x) const {
    if (x != x) return {0, T(0), false, false};
    const T xc = x < lo ? lo : (x > hi ? hi : x);
    const T t = (xc - lo) * inv_h;
    int64_t i = static_cast<int64_t>(::floor(static_cast<double>(t)));
    i = i < 0 ? 0 : (i > n - 2 ? n - 2 : i);
    return {i, t - static_cast<T>(i), x > lo && x < hi, true};
  }

  // The interpolated value of `tab` and its slope (0 outside (lo, hi)).
  template <class S>
  TA_HD T value(const S* tab, const LutSegment<T>& s) const {
    return static_cast<T>(tab[s.i]) * (T(1) - s.w) + static_cast<T>(tab[s.i + 1]) * s.w;
  }
  template <class S>
  TA_HD T slope(const S* tab, const LutSegment<T>& s) const {
    return s.inside ? (static_cast<T>(tab[s.i + 1]) - static_cast<T>(tab[s.i])) * inv_h : T(0);
  }

  // y = T(x)
  template <class S>
  TA_HD T forward(T x, const S* tab) const {
    const auto s = locate(x);
    return s.valid ? value(tab, s) : x;
  }

  // grad_x = g T'(x), and the table gradient of this element.
  template <class S>
  TA_HD T backward(T x, T g, const S* tab, LutTableGrad<T>& table) const {
    const auto s = locate(x);
    if (!s.valid) {
      table = {0, T(0), T(0)};
      return x;
    }
    table = {s.i, g * (T(1) - s.w), g * s.w};
    return g * slope(tab, s);
  }

  // With upstream (ggx, ggt) for (grad_x, grad_table):
  //   d_grad = ggt(x) + ggx T'(x),  d_x = g ggt'(x),
  //   d_table: ggx g (-1/h at i, +1/h at i + 1), inside (lo, hi).
  template <class S>
  TA_HD void double_backward(T x, T g, T ggx, const S* tab, const S* ggt, T& d_grad, T& d_x,
                             LutTableGrad<T>& table) const {
    const auto s = locate(x);
    if (!s.valid) {
      d_grad = d_x = x;
      table = {0, T(0), T(0)};
      return;
    }
    d_grad = value(ggt, s) + ggx * slope(tab, s);
    d_x = g * slope(ggt, s);
    const T d = s.inside ? ggx * g * inv_h : T(0);
    table = {s.i, -d, d};
  }
};

}  // namespace TA_NS
}  // namespace ta::math
