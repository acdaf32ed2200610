// a·sin(w·x) and a·cos(w·x) for the sine and cosine activations (SIREN).
//
// Two properties the library's sin(x * w0) did not have:
//
// * The product w·x is kept unrounded (a float-float pair, or double-double), and
//   for double inputs a product that overflows is reduced first (fmod by
//   2π/w): sine(x) of a finite x is never NaN, and a float input loses
//   nothing to the rounding of w·x.
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
// (and half types, widened to float) on AVX-512 and AVX2: w·x as a float-
// float pair and its reduction by π/2 in float (Cody-Waite, four parts), the
// polynomials in float: within one ulp cond-adjusted (benchmarks/accuracy.py)
// at 13.6 cycles per 16 floats for w0 = 1 (16.6 for w0 = 30), where the
// reduction in double took 34.  Lanes with |w·x| >= 12000 take the double
// reduction.  DEFAULT evaluates float lanes in double throughout.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>

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
// w·x = u + ul exactly (ul from an fma; 0 where w is a power of two), and
// sin(u + ul) = sin u cos ul + cos u sin ul: for |u| beyond 2^53, ul is
// itself whole radians, and the rounding of w·x would decide the result
// (float64 cosine[w0=2.5] f' at x = -2.3e16: 1.076 for -2.4997).
TA_HD double scalar(double x, double w, bool cos_kind) {
  double u = x * w;
  // x - x is 0 exactly for finite x (NaN for inf and NaN)
  if (u - u != 0.0 && x - x == 0.0) {  // w·x overflowed
    u = ::fmod(x, kTwoPi / w) * w;
    return cos_kind ? ::cos(u) : ::sin(u);
  }
  const double ul = ::fma(x, w, -u);
  const double s = ::sin(u), co = ::cos(u);
  if (!(ul != 0.0)) return cos_kind ? co : s;
  const double sl = ::sin(ul), cl = ::cos(ul);
  return cos_kind ? ::fma(co, cl, -(s * sl)) : ::fma(s, cl, co * sl);
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
  auto [r, q] = reduce(u, cos_kind);
  // the product's rounding error (below 2^-33 here) joins r, as scalar() does
  if (w != 1.0) r = r + at::vec::fmsub(x, VD(w), u);
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

#if defined(CPU_CAPABILITY_AVX512) || defined(CPU_CAPABILITY_AVX2)
// t holds the quadrant q in its low mantissa bits (t = q + 1.5·2^23): s where
// q is even, c where odd, negated where bit 1 of q is set.
inline at::vec::Vectorized<float> by_quadrant(const at::vec::Vectorized<float>& s,
                                              const at::vec::Vectorized<float>& c,
                                              const at::vec::Vectorized<float>& t) {
#if defined(CPU_CAPABILITY_AVX512)
  const __m512i q = _mm512_castps_si512(t);
  const __m512 v = _mm512_mask_blend_ps(_mm512_test_epi32_mask(q, _mm512_set1_epi32(1)), s, c);
  const __m512i neg = _mm512_and_si512(_mm512_slli_epi32(q, 30), _mm512_set1_epi32(INT32_MIN));
  return _mm512_xor_ps(v, _mm512_castsi512_ps(neg));
#else
  const __m256i q = _mm256_castps_si256(t);
  const __m256 v = _mm256_blendv_ps(s, c, _mm256_castsi256_ps(_mm256_slli_epi32(q, 31)));
  const __m256i neg = _mm256_and_si256(_mm256_slli_epi32(q, 30), _mm256_set1_epi32(INT32_MIN));
  return _mm256_xor_ps(v, _mm256_castsi256_ps(neg));
#endif
}
// Whether some lane of |u| is not below lim (NaN included).
inline bool any_not_below(const at::vec::Vectorized<float>& u, float lim) {
#if defined(CPU_CAPABILITY_AVX512)
  return _mm512_cmp_ps_mask(_mm512_abs_ps(u), _mm512_set1_ps(lim), _CMP_NLT_UQ) != 0;
#else
  return _mm256_movemask_ps(_mm256_cmp_ps(u.abs(), _mm256_set1_ps(lim), _CMP_NLT_UQ)) != 0;
#endif
}
#endif

// Float lanes, all in float for |w·x| < kLimitF (the reduction in double,
// as the double kernel above, took 34 cycles per 16 floats; Sleef's sinf,
// which at::vec and torch.compile use, 11):
//   u = w·x = uh + ul to float-float precision (the product's rounding
//     error from an fma, plus x·wl where w is not a float), so that the
//     rounding of w·x does not reach the result;
//   k = round(u·2/π), r = u - k·π/2 by Cody-Waite with π/2 in four parts,
//     the first three of 11 bits (k·part exact for |k| < 2^13), ul added
//     once the large terms have cancelled;
//   sin r = r + r³ P(r²), cos r = 1 + r² Q(r²) on |r| <= π/4 (fitted with
//     float coefficients by csrc/math/tools/fit_float_poly.py, 2^-32
//     relative), chosen by the quadrant
//     q = k (+1 for cos) mod 4, which the rounding constant leaves in the
//     low bits of t.
// Lanes at or beyond kLimitF (and inf, NaN) take the double kernel, lane
// by lane, so a value's result does not depend on its neighbours.  DEFAULT
// takes the double kernel whole.
constexpr float kLimitF = 12000.0f;  // |u|·2/π < 7640: |k| < 2^13
#if defined(CPU_CAPABILITY_AVX512) || defined(CPU_CAPABILITY_AVX2)
// v with the lanes where |uh| >= kLimitF (or NaN) from the double kernel.
// Out of line: inlined, its frame and spills cost the common case a quarter
// of its time.
[[gnu::noinline, gnu::cold]] inline at::vec::Vectorized<float> large_lanes(
    const at::vec::Vectorized<float>& x, const at::vec::Vectorized<float>& uh, const at::vec::Vectorized<float>& v,
    double w, double a, bool cos_kind) {
  using VF = at::vec::Vectorized<float>;
  const VF bad = (uh.abs() >= VF(kLimitF)) | (uh != uh);
  return where(bad, apply_in_double(x, [=](const VD& d) { return kernel<true>(d, w, a, cos_kind); }), v);
}
#endif
inline at::vec::Vectorized<float> kernel(const at::vec::Vectorized<float>& x, double w, double a, bool cos_kind) {
#if defined(CPU_CAPABILITY_AVX512) || defined(CPU_CAPABILITY_AVX2)
  using VF = at::vec::Vectorized<float>;
  constexpr float kMagic = 12582912.0f;  // 1.5·2^23: t - kMagic is round(t)
  // π/2 in four parts (π = 3.140625 + 0x1.fb4p-11 + 0x1.444p-23 + rest)
  constexpr float kA = 1.5703125f, kB = 0.0004837512969970703f, kC = 7.549533620476723e-08f,
                  kD = 2.5633440682570895e-12f;
  constexpr double kS[] = {-0.1666666716337204, 0.008333378471434116, -0.00019852571131195873,
                           2.8265137643757043e-06};
  constexpr double kC4[] = {-0.5, 0.04166664555668831, -0.0013887297827750444, 2.443008816044312e-05};
  const float wh = static_cast<float>(w), wl = static_cast<float>(w - static_cast<double>(wh));
  // w a power of two (w0 = 1 by default): x·w is exact, ul = 0
  uint32_t wbits = 0;
  std::memcpy(&wbits, &wh, sizeof wbits);
  const bool exact = wl == 0.0f && (wbits & 0x7fffffu) == 0 && (wbits & 0x7f800000u) != 0;
  const VF uh = w == 1.0 ? x : x * VF(wh);
  VF ul(0.0f);
  if (!exact) ul = at::vec::fmsub(x, VF(wh), uh);
  if (wl != 0.0f) ul = at::vec::fmadd(x, VF(wl), ul);
  VF t = at::vec::fmadd(uh, VF(0.63661975f), VF(kMagic));
  const VF k = t - VF(kMagic);
  VF r = at::vec::fmadd(k, VF(-kA), uh);
  r = at::vec::fmadd(k, VF(-kB), r);
  if (!exact) r = r + ul;
  r = at::vec::fmadd(k, VF(-kC), r);
  r = at::vec::fmadd(k, VF(-kD), r);
  const VF z = r * r;
  const VF s = at::vec::fmadd(r * z, horner(z, kS), r);
  const VF c = at::vec::fmadd(z, horner(z, kC4), VF(1.0f));
  if (cos_kind) t = t + VF(1.0f);
  VF v = by_quadrant(s, c, t);
  if (a != 1.0) v = v * VF(static_cast<float>(a));
  if (!any_not_below(uh, kLimitF)) return v;
  return large_lanes(x, uh, v, w, a, cos_kind);
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
