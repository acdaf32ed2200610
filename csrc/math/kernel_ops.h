// The elementwise operations each kernel applies, as functors over the value
// type T (a scalar on the CPU tail and on CUDA, a Vectorized on the CPU
// vector path): the CPU loops (csrc/cpu/loops.h) and the CUDA loops
// (csrc/cuda/loops.cuh) run the same objects.
#pragma once

#include <array>

#include "gated.h"
#include "pointwise.h"

namespace ta::math {
inline namespace TA_NS {

// ------------------------------------------------------------- pointwise
template <class F>
struct PwForward {
  F fn;
  template <class T> TA_HD T operator()(T x) const { return fn.f(x); }
};
template <class F>
struct PwBackward {  // (g, x) -> g f'(x)
  F fn;
  template <class T> TA_HD T operator()(T g, T x) const { return g * fn.df(x); }
};
template <class F>
struct PwDoubleBackward {  // (gg, g, x) -> gg g f''(x)
  F fn;
  template <class T> TA_HD T operator()(T gg, T g, T x) const { return gg * g * fn.d2f(x); }
};
template <class F>
struct PwBackwardFromResult {  // (g, y) -> g dy(y)
  F fn;
  template <class T> TA_HD T operator()(T g, T y) const { return g * fn.dy(y); }
};
template <class F>
struct PwDoubleBackwardFromResult {  // (gg, g, y) -> gg g d2y(y)
  F fn;
  template <class T> TA_HD T operator()(T gg, T g, T y) const { return gg * g * fn.d2y(y); }
};

// ---------------------------------------------------------------- gated
template <class F>
struct GatedForward {  // (a, b) -> a φ(b)
  F fn;
  template <class T> TA_HD T operator()(T a, T b) const { return fn.f(a, b); }
};
template <class F>
struct GatedBackward {  // (g, a, b) -> (grad_a, grad_b)
  F fn;
  template <class T> TA_HD std::array<T, 2> operator()(T g, T a, T b) const {
    return fn.bwd(g, a, b);
  }
};
template <class F>
struct GatedDoubleBackward {  // (gga, ggb, g, a, b) -> (d_g, d_a, d_b)
  F fn;
  template <class T> TA_HD std::array<T, 3> operator()(T gga, T ggb, T g, T a, T b) const {
    return fn.dbwd(gga, ggb, g, a, b);
  }
};

// ---------------------------------------------------------------- crelu
// cat(relu(x), relu(-x)) and its backward, from the relu functor (relu(-x)
// of x = +0 is -0, as torch's cat(relu(x), relu(-x))).
template <class R>
struct CreluForward {  // x -> (relu(x), relu(-x))
  R relu;
  template <class T> TA_HD std::array<T, 2> operator()(T x) const {
    return {relu.f(x), relu.f(c<T>(0) - x)};
  }
};
template <class R>
struct CreluBackward {  // (g_pos, g_neg, x) -> g_pos relu'(x) - g_neg relu'(-x)
  R relu;
  template <class T> TA_HD T operator()(T gp, T gn, T x) const {
    return gp * relu.df(x) - gn * relu.df(c<T>(0) - x);
  }
};

}  // namespace TA_NS
}  // namespace ta::math
