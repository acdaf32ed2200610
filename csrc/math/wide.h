// Wide: float lanes widened to double, for the formulas a float input
// evaluates in double (PointwiseBase::kWide, csrc/math/kernel_ops.h).
//
// The result is rounded to float once, so the double evaluation needs a
// relative error of about 2^-32, not 2^-53: the error after rounding is then
// at most 0.5 + 2^-8 float ulps.  Wide is a Vec<double> whose elementary
// functions are written to that target (on AVX-512: exp from a 9th-degree
// Taylor series and tanh from its pieces; atan on every ISA), cheaper than
// Sleef's double-precision versions,
// which the functors get for a double input (Vec<double> itself): eswish,
// evaluated in double throughout, 62 -> 51 cycles per 16 floats.  The functors
// are written once, against the overload set of overloads.h; Wide adds its
// arithmetic, comparisons (Vec<double> masks) and functions to it.
#pragma once

#ifndef TA_DEVICE_COMPILE

#include "fastmath.h"

namespace ta::math {
inline namespace TA_NS {

struct Wide {
  Vec<double> v;
  Wide() = default;
  Wide(double s) : v(s) {}  // NOLINT: constants, as c<T>(s)
  explicit Wide(const Vec<double>& x) : v(x) {}
};

template <>
struct scalar_of<Wide> {
  using type = double;
};

// Its roundings (2^-53) are far below the float result's.
template <>
inline constexpr bool kFreeRoundings<Wide> = true;

#define TA_WIDE_BINARY(op)                                                            \
  inline Wide operator op(const Wide& a, const Wide& b) { return Wide(a.v op b.v); }
TA_WIDE_BINARY(+)
TA_WIDE_BINARY(-)
TA_WIDE_BINARY(*)
TA_WIDE_BINARY(&)
TA_WIDE_BINARY(|)
#undef TA_WIDE_BINARY
#define TA_WIDE_COMPARE(op) \
  inline Vec<double> operator op(const Wide& a, const Wide& b) { return a.v op b.v; }
TA_WIDE_COMPARE(<)
TA_WIDE_COMPARE(<=)
TA_WIDE_COMPARE(>)
TA_WIDE_COMPARE(>=)
TA_WIDE_COMPARE(==)
TA_WIDE_COMPARE(!=)
#undef TA_WIDE_COMPARE

inline Wide where(const Vec<double>& mask, const Wide& a, const Wide& b) {
  return Wide(Vec<double>::blendv(b.v, a.v, mask));
}
inline Wide mul_add(const Wide& a, const Wide& b, const Wide& c) { return Wide(at::vec::fmadd(a.v, b.v, c.v)); }
inline Wide neg_mul_add(const Wide& a, const Wide& b, const Wide& c) { return Wide(at::vec::fnmadd(a.v, b.v, c.v)); }
inline Wide max_nan(const Wide& a, const Wide& bound) { return Wide(at::vec::clamp_min(a.v, bound.v)); }
inline Wide min_nan(const Wide& a, const Wide& bound) { return Wide(at::vec::clamp_max(a.v, bound.v)); }
inline Wide abs(const Wide& x) { return Wide(x.v.abs()); }
inline Wide sqrt(const Wide& x) { return Wide(x.v.sqrt()); }
inline Wide round_even(const Wide& x) { return Wide(x.v.round()); }
// Not needed at float precision often enough to have their own versions.
inline Wide log(const Wide& x) { return Wide(x.v.log()); }
inline Wide log1p(const Wide& x) { return Wide(x.v.log1p()); }
inline Wide expm1(const Wide& x) { return Wide(x.v.expm1()); }  // (elu's f in the DEFAULT build)
inline Wide erfc(const Wide& x) { return Wide(x.v.erfc()); }
inline Wide sin(const Wide& x) { return Wide(x.v.sin()); }
inline Wide cos(const Wide& x) { return Wide(x.v.cos()); }

// vdivpd: a reciprocal estimate with Newton steps measured slower here (the
// divider runs beside the FMA ports), as it did for float.
inline Wide operator/(const Wide& a, const Wide& b) { return Wide(a.v / b.v); }

#if defined(CPU_CAPABILITY_AVX512) || defined(CPU_CAPABILITY_AVX2)
// e^x = 2^n e^r, n = round(x / ln 2), |r| <= ln2/2 (Cody–Waite with a
// 42-bit ln2_hi, so n ln2_hi is exact), e^r - 1 = r + r^2 (1/2! + ... + r^7/9!)
// (truncation 2^-37).  The clamp keeps r finite at ±inf.  n is found by
// the 1.5·2^52 shift (an fma and a subtraction, where vrndscalepd is two
// uops on Intel: the same bits over 1.7e8 inputs; 31.8 -> 29.9 cycles per
// 16 floats in a bare tanh loop, no change measurable through PwForward<Tanh>),
// and t = x/ln2 + 1.5·2^52 keeps n in its low bits.
struct WideExpParts {
  Vec<double> n, p, t;  // e^x = 2^n (1 + p)
};
// kClamp = false: the caller's x is finite and within ±700, or NaN.
template <bool kClamp = true>
inline WideExpParts exp_parts(const Wide& x0) {
  Vec<double> x = x0.v;
  if constexpr (kClamp) x = at::vec::clamp_max(at::vec::clamp_min(x0.v, Vec<double>(-1100.0)), Vec<double>(1100.0));
  const Vec<double> shift(0x1.8p52);
  const Vec<double> t = at::vec::fmadd(x, Vec<double>(1.4426950408889634074), shift);
  const Vec<double> n = t - shift;
  Vec<double> r = at::vec::fnmadd(n, Vec<double>(0x1.62e42fefa38p-1), x);
  r = at::vec::fnmadd(n, Vec<double>(0x1.ef35793c7673p-45), r);
  constexpr double kTaylor[] = {1.0 / 2,      1.0 / 6,       1.0 / 24,       1.0 / 120,
                                1.0 / 720,    1.0 / 5040,    1.0 / 40320,    1.0 / 362880};
  const Vec<double> q = horner(Wide(r), kTaylor).v;
  return {n, at::vec::fmadd(r * r, q, r), t};
}
// 2^n for the n of exp_parts, n in [-1022, 1023]; on AVX2 the low bits of t
// are n (two's complement), shifted into the exponent field over 1.0's.
inline Wide pow2_normal(const WideExpParts& e) {
#if defined(CPU_CAPABILITY_AVX512)
  // (vscalefpd: one uop where the integer shift and add are two, and the
  // same value; the bits cost tanh the shift rounding's gain)
  return Wide(Vec<double>(_mm512_scalef_pd(_mm512_set1_pd(1.0), e.n)));
#else
  const __m256i b = _mm256_add_epi64(_mm256_slli_epi64(_mm256_castpd_si256(e.t), 52), _mm256_set1_epi64x(0x3FF0000000000000LL));
  return Wide(Vec<double>(_mm256_castsi256_pd(b)));
#endif
}
#endif

#if defined(CPU_CAPABILITY_AVX512)
// vscalefpd multiplies by 2^n with the correct overflow and gradual underflow.
inline Wide exp(const Wide& x) {
  const WideExpParts e = exp_parts(x);
  return Wide(Vec<double>(_mm512_scalef_pd(e.p + Vec<double>(1.0), e.n)));
}
#else
inline Wide exp(const Wide& x) { return Wide(x.v.exp()); }
#endif

#if defined(CPU_CAPABILITY_AVX512) || defined(CPU_CAPABILITY_AVX2)
// tanh|x| = (1 - w)/(1 + w), w = e^{-2a} = 2^n (1 + p), a = min(|x|, 9.5)
// (the float result is 1 beyond): tanh_from_exp_parts as the float kernel
// (fastmath.h) but with double's roundings, so that only exp_parts'
// truncation (2^-35.5 relative to p; for
// small a, n = 0 and p = e^{-2a} - 1 itself) reaches the result: the float
// forward of tanh (Tanh::kWide), every 97th float: max 0.50022 ulp (the
// float kernel 1.83), 24 cycles per 16 floats on Zen 4 (float: 9).  AVX2
// computes the same bits (n in [-28, 0]: 2^n from its bits); its earlier
// tanh_sech2 in double with Sleef's exp was 8.6x torch's time on Intel.
inline Wide tanh(const Wide& x) {
  const Wide a = min_nan(abs(x), Wide(9.5));
  const WideExpParts e = exp_parts<false>(Wide(-2.0) * a);  // -2a in [-19, 0]
  return tanh_from_exp_parts(x, pow2_normal(e), Wide(e.p));
}
#else
inline Wide tanh(const Wide& x) { return tanh_sech2(x).t; }
#endif

// atan for the float forward of arctan (Arctan::kWide): a = |x| reduced to
// s in [-tan(pi/8), tan(pi/8)] with one division, from lo = min(a, 1) and
// hi = max(a, 1): s = lo/hi where lo < tan(pi/8) hi, else (lo - hi)/(lo + hi)
// (atan(lo/hi) = pi/4 + atan(s)); atan(s) = s + s³ P(s²), P of degree 7
// fitted in double (2^-45 relative to atan: csrc/math/tools/fit_float_poly.py);
// atan(a) = k ± atan(s), k in {0, pi/4, pi/2, 3pi/4}.  Every rounding is
// double's, so the float result is within 0.5 + 2^-21 ulps.  The choice f
// is a 0/1 value computed without a comparison (the scaled difference of
// two floats' products is 0 or beyond ±1), so no mask feeds the division.
// Every 97th float: max 0.50000004 ulp (a float kernel: 2.02), 28 cycles per
// 16 floats on Zen 4 (that float kernel: 11; Sleef's double atan: 78).
inline Wide atan(const Wide& x) {
  constexpr double kP[] = {-0.33333333331661213, 0.19999999680234515,   -0.14285693323100118,
                           0.11110443430432741,  -0.09079053495619856,  0.07567946841987593,
                           -0.058888908105315184, 0.030862626065156475};
  constexpr double kPi4 = 0.78539816339744830962;
  const Wide one(1.0);
  // 1e30: atan rounds to pi/2 long before, and hi stays finite (inf would
  // give 0 * inf below).
  const Wide a = min_nan(abs(x), Wide(1e30));
  const Wide lo = min_nan(a, one), hi = max_nan(a, one);
  const Wide f = min_nan(max_nan((Wide(0.41421356237309504880) * hi - lo) * Wide(0x1p100), Wide(0.0)), one);
  const Wide g = one - f;
  const Wide s = (lo - g * hi) / (lo * g + hi);
  const Wide z = s * s;
  // a > 1: k = pi/2 - g pi/4 and atan(a) = k - atan(s); else k = g pi/4, k + atan(s)
  const auto big = a > one;
  const Wide k = where(big, Wide(2 * kPi4) - g * Wide(kPi4), g * Wide(kPi4));
  const Wide ps = where(big, Wide(0.0) - s, s);
  return (k + mul_add(ps * z, horner(z, kP), ps)) | (x & Wide(-0.0));  // atan(-0) = -0
}

// g(Wide) -> Wide on the lanes of x, rounded to float once.
template <class G>
inline Vec<float> apply_wide(const Vec<float>& x, G g) {
  return apply_in_double(x, [&g](const Vec<double>& v) { return g(Wide(v)).v; });
}

}  // namespace TA_NS
}  // namespace ta::math

#endif  // TA_DEVICE_COMPILE
