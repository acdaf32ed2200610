// a·sin(w·x) and a·cos(w·x) for the sine and cosine activations (SIREN).
//
// Two properties the library's sin(x * w0) did not have:
//
// * The product w·x is formed in double, and for double inputs a product
//   that overflows is reduced first (fmod by 2π/w): sine(x) of a finite x is
//   never NaN, and a float input loses nothing to the rounding of w·x.
// * Every lane is computed from its own value only.  Sleef's vector sin/cos
//   (what at::vec uses) take a slower, differently rounded reduction for the
//   whole vector as soon as one lane is large, so a value's result depended
//   on its neighbours.  Here lanes with |w·x| < 2^20 go through one branch-
//   free kernel (Cody-Waite reduction by π/2 in three parts, Taylor
//   polynomials of sin and cos on [-π/4, π/4] to the 17th/18th power, whose
//   truncation error is below half an ulp of double); the rare larger lanes
//   are computed one by one with the C library's sin/cos.
//
// Double inputs: the kernel is accurate to about one ulp of double.  Float
// (and half types, widened to float): w·x and its reduction in double, the
// polynomials in float (1.4 ulp max over 10^6 points, benchmarks/accuracy.py;
// the all-double evaluation was 0.5 ulp at 1.8x the time).
#pragma once

#include <cmath>

#include "overloads.h"

namespace ta::math {
inline namespace TA_NS {
namespace trig {

// π/2 = kPio2_1 + kPio2_2 + kPio2_3: the first two hold 33 significant bits
// (so k·kPio2_1 and k·kPio2_2 are exact for |k| < 2^20, with or without
// FMA, and u - k·kPio2_1 is exact by Sterbenz), the third the rest
// (truncations of π/2 computed with mpmath at 80 digits).
constexpr double kTwoOverPi = 0.6366197723675814;
constexpr double kPio2_1 = 1.5707963267341256;     // 0x1.921fb544p+0
constexpr double kPio2_2 = 6.077100506303966e-11;  // 0x1.0b4611a6p-34
constexpr double kPio2_3 = 2.0222662487959506e-21;
constexpr double kTwoPi = 6.283185307179586;
constexpr double kLimit = 1048576.0;  // 2^20: |k| < 2^20, the products above stay exact

// sin(u) (cos_kind false) or cos(u), u = w·x in double; the fallback of the
// vector kernel and the scalar path (CUDA, jets' value).
TA_HD double scalar(double x, double w, bool cos_kind) {
  double u = x * w;
  // x - x is 0 exactly for finite x (NaN for inf and NaN)
  if (u - u != 0.0 && x - x == 0.0) u = ::fmod(x, kTwoPi / w) * w;  // w·x overflowed
  return cos_kind ? ::cos(u) : ::sin(u);
}

}  // namespace trig

// The generic form (jets: the Taylor coefficients of a·sin(w·x)).
template <class T>
TA_HD T sin_wx(const T& x, double w, double a) {
  return c<T>(a) * sin(x * c<T>(w));
}
template <class T>
TA_HD T cos_wx(const T& x, double w, double a) {
  return c<T>(a) * cos(x * c<T>(w));
}

TA_HD double sin_wx(double x, double w, double a) { return a * trig::scalar(x, w, false); }
TA_HD double cos_wx(double x, double w, double a) { return a * trig::scalar(x, w, true); }
TA_HD float sin_wx(float x, double w, double a) {
  return static_cast<float>(a * trig::scalar(static_cast<double>(x), w, false));
}
TA_HD float cos_wx(float x, double w, double a) {
  return static_cast<float>(a * trig::scalar(static_cast<double>(x), w, true));
}

#ifndef TA_DEVICE_COMPILE
namespace trig {

using VD = at::vec::Vectorized<double>;

// a·sin(w·x) or a·cos(w·x) of double lanes.  kForFloat: the result is
// rounded to float, so the polynomials stop at r^9 / r^10 (truncation below
// 0.05 ulp of float) instead of r^17 / r^18.
// u = k·π/2 + r, |r| <= π/4, and the quadrant of u (of u + π/2 for cos):
// q = (k + kind) mod 4.
struct Reduced {
  VD r, q;
};
inline Reduced reduce(const VD& u, bool cos_kind) {
  const VD k = (u * VD(kTwoOverPi)).round();  // to nearest, ties to even
  VD r = at::vec::fmadd(k, VD(-kPio2_1), u);
  r = at::vec::fmadd(k, VD(-kPio2_2), r);
  r = at::vec::fmadd(k, VD(-kPio2_3), r);
  VD q = k + VD(cos_kind ? 1.0 : 0.0);
  q = q - VD(4.0) * (q * VD(0.25)).floor();
  return {r, q};
}

template <bool kForFloat = false>
inline VD kernel(const VD& x, double w, double a, bool cos_kind) {
  const VD u = x * VD(w);
  const auto [r, q] = reduce(u, cos_kind);
  const VD r2 = r * r;
  VD ps, pc;
  if constexpr (kForFloat) {
    ps = VD(2.7557319223985893e-06);  // (-1)^n / (2n+1)!, n = 4 down to 1
    pc = VD(-2.755731922398589e-07);  // (-1)^n / (2n)!, n = 5 down to 1
  } else {
    ps = VD(-8.22063524662433e-18);  // n = 9 down to 1
    ps = at::vec::fmadd(ps, r2, VD(2.8114572543455206e-15));
    ps = at::vec::fmadd(ps, r2, VD(-7.647163731819816e-13));
    ps = at::vec::fmadd(ps, r2, VD(1.6059043836821613e-10));
    ps = at::vec::fmadd(ps, r2, VD(-2.505210838544172e-08));
    ps = at::vec::fmadd(ps, r2, VD(2.7557319223985893e-06));
    pc = VD(4.110317623312165e-19);  // n = 10 down to 1
    pc = at::vec::fmadd(pc, r2, VD(-1.5619206968586225e-16));
    pc = at::vec::fmadd(pc, r2, VD(4.779477332387385e-14));
    pc = at::vec::fmadd(pc, r2, VD(-1.1470745597729725e-11));
    pc = at::vec::fmadd(pc, r2, VD(2.08767569878681e-09));
    pc = at::vec::fmadd(pc, r2, VD(-2.755731922398589e-07));
  }
  ps = at::vec::fmadd(ps, r2, VD(-0.0001984126984126984));
  ps = at::vec::fmadd(ps, r2, VD(0.008333333333333333));
  ps = at::vec::fmadd(ps, r2, VD(-0.16666666666666666));
  const VD sr = at::vec::fmadd(ps * r2, r, r);
  pc = at::vec::fmadd(pc, r2, VD(2.48015873015873e-05));
  pc = at::vec::fmadd(pc, r2, VD(-0.001388888888888889));
  pc = at::vec::fmadd(pc, r2, VD(0.041666666666666664));
  pc = at::vec::fmadd(pc, r2, VD(-0.5));
  const VD cr = at::vec::fmadd(pc, r2, VD(1.0));
  // q = 0: sin r, 1: cos r, 2: -sin r, 3: -cos r
  const VD odd = (q == VD(1.0)) | (q == VD(3.0));
  VD v = VD::blendv(sr, cr, odd);
  v = VD::blendv(v, -v, q >= VD(2.0));
  if (!cos_kind) v = VD::blendv(v, u, u == VD(0.0));  // sin(±0) = ±0
  v = v * VD(a);
  // Lanes beyond the kernel's range (or NaN) one by one.
  const VD ok = u.abs() < VD(kLimit);
  if (ok.zero_mask() != 0) {
    constexpr int kN = VD::size();
    double xs[kN], vs[kN], oks[kN];
    x.store(xs);
    v.store(vs);
    ok.store(oks);
    for (int i = 0; i < kN; ++i) {
      if (oks[i] == 0.0) vs[i] = a * scalar(xs[i], w, cos_kind);
    }
    v = VD::loadu(vs);
  }
  return v;
}

// Float lanes: u = w·x and its reduction r = u - k·π/2 in double (exact to
// double precision, so w·x loses nothing), then r rounded to float and the
// polynomials in float (sin to r^9, cos to r^10: truncation below 0.05 ulp),
// about 1 ulp in all; a multiplies in float.  Lanes the double kernel must
// take (|w·x| >= 2^20, inf, NaN) come from the scalar path.  On AVX-512 and
// AVX2 the widening is in registers; DEFAULT takes the double kernel whole.
inline at::vec::Vectorized<float> kernel(const at::vec::Vectorized<float>& x, double w, double a, bool cos_kind) {
#ifdef TA_HAVE_WIDEN
  using VF = at::vec::Vectorized<float>;
  const WideHalves xd = widen(x);
  const VD ulo = xd.lo * VD(w), uhi = xd.hi * VD(w);
  const Reduced lo = reduce(ulo, cos_kind), hi = reduce(uhi, cos_kind);
  const bool all_ok = (ulo.abs() < VD(kLimit)).zero_mask() == 0 && (uhi.abs() < VD(kLimit)).zero_mask() == 0;
  const VF r = narrow(lo.r, hi.r);
  const VF q = narrow(lo.q, hi.q);
  const VF r2 = r * r;
  VF ps(static_cast<float>(2.7557319223985893e-06));  // (-1)^n / (2n+1)!, n = 4 down to 1
  ps = at::vec::fmadd(ps, r2, VF(static_cast<float>(-0.0001984126984126984)));
  ps = at::vec::fmadd(ps, r2, VF(static_cast<float>(0.008333333333333333)));
  ps = at::vec::fmadd(ps, r2, VF(static_cast<float>(-0.16666666666666666)));
  const VF sr = at::vec::fmadd(ps * r2, r, r);
  VF pc(static_cast<float>(-2.755731922398589e-07));  // (-1)^n / (2n)!, n = 5 down to 1
  pc = at::vec::fmadd(pc, r2, VF(static_cast<float>(2.48015873015873e-05)));
  pc = at::vec::fmadd(pc, r2, VF(static_cast<float>(-0.001388888888888889)));
  pc = at::vec::fmadd(pc, r2, VF(static_cast<float>(0.041666666666666664)));
  pc = at::vec::fmadd(pc, r2, VF(-0.5f));
  const VF cr = at::vec::fmadd(pc, r2, VF(1.0f));
  // q = 0: sin r, 1: cos r, 2: -sin r, 3: -cos r
  const VF odd = (q == VF(1.0f)) | (q == VF(3.0f));
  VF v = VF::blendv(sr, cr, odd);
  v = VF::blendv(v, VF(0.0f) - v, q >= VF(2.0f));
  v = v * VF(static_cast<float>(a));
  if (!all_ok) {
    constexpr int kF = VF::size();
    float xs[kF], vs[kF];
    x.store(xs);
    v.store(vs);
    for (int i = 0; i < kF; ++i) {
      const double xi = static_cast<double>(xs[i]);
      if (!(std::abs(xi * w) < kLimit)) vs[i] = static_cast<float>(a * scalar(xi, w, cos_kind));
    }
    v = VF::loadu(vs);
  }
  return v;
#else
  return apply_in_double(x, [=](const VD& v) { return kernel<true>(v, w, a, cos_kind); });
#endif
}

}  // namespace trig

inline Vec<double> sin_wx(const Vec<double>& x, double w, double a) { return trig::kernel(x, w, a, false); }
inline Vec<double> cos_wx(const Vec<double>& x, double w, double a) { return trig::kernel(x, w, a, true); }
inline Vec<float> sin_wx(const Vec<float>& x, double w, double a) { return trig::kernel(x, w, a, false); }
inline Vec<float> cos_wx(const Vec<float>& x, double w, double a) { return trig::kernel(x, w, a, true); }
#endif

}  // namespace TA_NS
}  // namespace ta::math
