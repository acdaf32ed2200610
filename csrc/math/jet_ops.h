// The elementwise operations of the jet kernels (derivatives of order three
// and higher, csrc/math/jet.h), over scalars: (g, x) -> g·f^(n)(x), and
// (g, y) -> g·(d/dy)^n dy(y) for the in-place backward that reads the output.
#pragma once

#include "jet.h"
#include "pointwise.h"

namespace ta::math {
inline namespace TA_NS {

template <class S>
TA_HD S factorial(int n) {
  S r = S(1);
  for (int k = 2; k <= n; ++k) r *= S(k);
  return r;
}

template <class F>
struct PwJet {
  F fn;
  int order;
  template <class S> TA_HD S operator()(S g, S x) const {
    const Jet<S> y = fn.f(Jet<S>::variable(x, order + 1));
    return g * (y.c[order] * factorial<S>(order));
  }
};

template <class F>
struct PwJetFromResult {
  F fn;
  int order;
  template <class S> TA_HD S operator()(S g, S y) const {
    const Jet<S> d = fn.dy(Jet<S>::variable(y, order + 1));
    return g * (d.c[order] * factorial<S>(order));
  }
};

}  // namespace TA_NS
}  // namespace ta::math
