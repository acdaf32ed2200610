// Wide: float lanes widened to double, for the formulas a float input
// evaluates in double (PointwiseBase::kWide, csrc/math/kernel_ops.h).
//
// The result is rounded to float once, so the double evaluation needs a
// relative error of about 2^-32, not 2^-53: the error after rounding is then
// at most 0.5 + 2^-8 float ulps.  Wide is a Vec<double> whose elementary
// functions are written to that target (on AVX-512: exp from a 9th-degree
// Taylor series; no wide formula uses expm1 or log1p_small, so Wide has
// none), cheaper than Sleef's double-precision versions,
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
inline Wide max_nan(const Wide& a, const Wide& bound) { return Wide(at::vec::clamp_min(a.v, bound.v)); }
inline Wide min_nan(const Wide& a, const Wide& bound) { return Wide(at::vec::clamp_max(a.v, bound.v)); }
inline Wide abs(const Wide& x) { return Wide(x.v.abs()); }
inline Wide sqrt(const Wide& x) { return Wide(x.v.sqrt()); }
inline Wide round_even(const Wide& x) { return Wide(x.v.round()); }
// Not needed at float precision often enough to have their own versions.
inline Wide log(const Wide& x) { return Wide(x.v.log()); }
inline Wide log1p(const Wide& x) { return Wide(x.v.log1p()); }
inline Wide erfc(const Wide& x) { return Wide(x.v.erfc()); }
inline Wide sin(const Wide& x) { return Wide(x.v.sin()); }
inline Wide cos(const Wide& x) { return Wide(x.v.cos()); }
inline Wide atan(const Wide& x) { return Wide(x.v.atan()); }

// vdivpd: a reciprocal estimate with Newton steps measured slower here (the
// divider runs beside the FMA ports), as it did for float.
inline Wide operator/(const Wide& a, const Wide& b) { return Wide(a.v / b.v); }

#if defined(CPU_CAPABILITY_AVX512)
// e^x = 2^n e^r, n = round(x / ln 2), |r| <= ln2/2 (Cody–Waite with a
// 42-bit ln2_hi, so n ln2_hi is exact), e^r - 1 = r + r^2 (1/2! + ... + r^7/9!)
// (truncation 2^-37), and vscalefpd multiplies by 2^n with the correct
// overflow and gradual underflow.  The clamp keeps r finite at ±inf.
struct WideExpParts {
  __m512d n, p;  // e^x = 2^n (1 + p)
};
inline WideExpParts exp_parts(const Wide& x0) {
  const __m512d x = at::vec::clamp_max(at::vec::clamp_min(x0.v, Vec<double>(-1100.0)), Vec<double>(1100.0));
  const __m512d n = _mm512_roundscale_pd(_mm512_mul_pd(x, _mm512_set1_pd(1.4426950408889634074)),
                                         _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m512d r = _mm512_fnmadd_pd(n, _mm512_set1_pd(0x1.62e42fefa38p-1), x);
  r = _mm512_fnmadd_pd(n, _mm512_set1_pd(0x1.ef35793c7673p-45), r);
  constexpr double kTaylor[] = {1.0 / 2,      1.0 / 6,       1.0 / 24,       1.0 / 120,
                                1.0 / 720,    1.0 / 5040,    1.0 / 40320,    1.0 / 362880};
  const Wide rw(Vec<double>{r});
  const __m512d q = horner(rw, kTaylor).v;
  return {n, _mm512_fmadd_pd(_mm512_mul_pd(r, r), q, r)};
}
inline Wide exp(const Wide& x) {
  const WideExpParts e = exp_parts(x);
  return Wide(Vec<double>(_mm512_scalef_pd(_mm512_add_pd(e.p, _mm512_set1_pd(1.0)), e.n)));
}
#else
inline Wide exp(const Wide& x) { return Wide(x.v.exp()); }
#endif

inline Wide tanh(const Wide& x) { return tanh_sech2(x).t; }

// g(Wide) -> Wide on the lanes of x, rounded to float once.
template <class G>
inline Vec<float> apply_wide(const Vec<float>& x, G g) {
  return apply_in_double(x, [&g](const Vec<double>& v) { return g(Wide(v)).v; });
}

}  // namespace TA_NS
}  // namespace ta::math

#endif  // TA_DEVICE_COMPILE
