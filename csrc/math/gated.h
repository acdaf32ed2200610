// The gated activations of transformer feed-forward blocks: x is split in
// halves a, b along a dimension and y = a·φ(b), with φ one of the pointwise
// functors (sigmoid: glu, gelu: geglu, silu: swiglu, relu: reglu).  The
// derivatives come from φ's f, f', f'', so nothing is written again here:
//
//   forward          y = a φ(b)
//   backward         (∂a, ∂b) = (g φ(b), g a φ'(b))
//   double backward  upstream (gga, ggb) for (∂a, ∂b):
//                    d_g = gga φ + ggb a φ'
//                    d_a = ggb g φ'
//                    d_b = gga g φ' + ggb g a φ''
#pragma once

#include <array>

#include "pointwise.h"

namespace ta::math {
inline namespace TA_NS {

template <class G>
struct Gated {
  using Args = typename G::Args;  // the gate's arguments (geglu: approximate)
  G gate;
  TA_HD explicit Gated(const Args& a) : gate(a) {}

  template <class T> TA_HD T f(T a, T b) const { return a * gate.f(b); }

  template <class T> TA_HD std::array<T, 2> bwd(T g, T a, T b) const {
    const auto p = f_and_df(gate, b);
    return {g * p.f, g * a * p.df};
  }

  template <class T>
  TA_HD std::array<T, 3> dbwd(T gga, T ggb, T g, T a, T b) const {
    const auto p = f_and_df(gate, b);
    const T phi = p.f;
    const T d1 = p.df;
    T d2 = c<T>(0);
    if constexpr (!G::kZeroD2) {
      d2 = gate.d2f(b);
    }
    return {gga * phi + ggb * a * d1, ggb * g * d1, g * (gga * d1 + ggb * a * d2)};
  }
};

}  // namespace TA_NS
}  // namespace ta::math
