// The elementwise operations each kernel applies, as functors over the value
// type T (a scalar on the CPU tail and on CUDA, a Vectorized on the CPU
// vector path): the CPU loops (csrc/cpu/loops.h) and the CUDA loops
// (csrc/cuda/loops.cuh) run the same objects.
#pragma once

#include <array>

#include "gated.h"
#include "pointwise.h"
#include "wide.h"

namespace ta::math {
inline namespace TA_NS {

// ------------------------------------------------------------- pointwise
// f, f' and f'' of a functor, evaluated in double for float inputs (and the
// half types, which compute in float) where the functor's kWide asks for it
// (kWideF, kWideD1, kWideD2 of csrc/math/pointwise.h): one rounding of a
// double result, for the formulas whose float evaluation loses more than a
// few ulps or more than the torch peer.  Double inputs, jets: unchanged.
struct CallF {
  template <class F, class U> TA_HD U operator()(const F& fn, U v) const { return fn.f(v); }
};
struct CallD1 {
  template <class F, class U> TA_HD U operator()(const F& fn, U v) const { return fn.df(v); }
};
struct CallD2 {
  template <class F, class U> TA_HD U operator()(const F& fn, U v) const { return fn.d2f(v); }
};

template <class Call, class F>
TA_HD float widened(const F& fn, float x) {
  return static_cast<float>(Call{}(fn, static_cast<double>(x)));
}
#ifndef TA_DEVICE_COMPILE
template <class Call, class F>
inline Vec<float> widened(const F& fn, const Vec<float>& x) {
  return apply_wide(x, [&fn](const Wide& v) { return Call{}(fn, v); });
}
#endif
template <class Call, class F, class T>
TA_HD T widened(const F& fn, const T& x) {  // double, Vec<double>, jets
  return Call{}(fn, x);
}

template <int kBit, class Call, class F, class T>
TA_HD T eval(const F& fn, const T& x) {
  if constexpr ((F::kWide & kBit) != 0) {
    return widened<Call>(fn, x);
  } else {
    return Call{}(fn, x);
  }
}

template <class F>
struct PwForward {
  F fn;
  template <class T> TA_HD T operator()(T x) const { return eval<kWideF, CallF>(fn, x); }
};
template <class F>
struct PwBackward {  // (g, x) -> g f'(x)
  F fn;
  template <class T> TA_HD T operator()(T g, T x) const { return g * eval<kWideD1, CallD1>(fn, x); }
};
template <class F>
struct PwDoubleBackward {  // (gg, g, x) -> gg g f''(x)
  F fn;
  template <class T> TA_HD T operator()(T gg, T g, T x) const { return gg * g * eval<kWideD2, CallD2>(fn, x); }
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
// of x = +0 is -0, as torch's cat(relu(x), relu(-x)): -x is -0 - x, which
// negates zeros too, where 0 - x would give +0 for x = +0).
template <class R>
struct CreluForward {  // x -> (relu(x), relu(-x))
  R relu;
  template <class T> TA_HD std::array<T, 2> operator()(T x) const {
    return {relu.f(x), relu.f(c<T>(-0.0) - x)};
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
