// Faster vector versions of the elementary functions that Sleef makes slow.
//
// Measured on AVX-512 (float32, 2^22 values, one thread; the copy of the same
// data takes 1.2 ms): Sleef exp 1.7 ms, expm1 5.7, tanh 7.8, erfc 26, atan 4.8,
// log1p 3.8, hypot 5.4.  Everything here is built from exp (fast), division,
// sqrt and short polynomials, to an accuracy of a few float32 ulps (the sweep
// of tests/test_accuracy.py holds every activation to 4 ulps, cond-adjusted,
// and its forward to the torch peer's error).  The series are Taylor series
// with exact rational coefficients; the fitted polynomials come from
// csrc/math/tools/fit_*.py.
//
// Vectorized<float> gets these versions of expm1, tanh and erfc, and
// every value type gets tanh_sech2 and log1p_small.  On AVX-512 the float
// vector also gets kernels that keep every large term exact until one final
// rounding (exp_parts: e^x as 2^n (1 + r + r^2 Q(r)) with the pieces kept):
// expm1_times (elu, selu, celu), softplus_raw (softplus, logsigmoid) and
// mish_value, each within ~1 ulp where the plain formula rounds 3-4 times,
// and gelu_parts (Φ and φ of gelu from one exp and a rational fit).
// Vectorized<double> keeps Sleef where a float-accurate series would not
// reach double precision; a float input evaluated in double (kWide) uses
// the cheaper float-target double functions of wide.h.
#pragma once

#include "overloads.h"

namespace ta::math {
inline namespace TA_NS {

// Whether T is the float vector for which this file has the op-specific
// kernels that need AVX-512's rcp14/rsqrt14 or were fitted there (tanh',
// tanhexp', squareplus, ...): AVX-512 only.
template <class T>
inline constexpr bool kFloatVecKernels = false;
// Whether T is the float vector for which this file has mish_value and
// gelu_parts (built from exp_parts alone): AVX-512 and AVX2, the same bits.
template <class T>
inline constexpr bool kExpPartsKernels = false;

// Whether a few extra roundings cost nothing in T (a float evaluated in
// double, wide.h), so that a formula may trade divisions for products.
template <class T>
inline constexpr bool kFreeRoundings = false;

// Horner: coef[0] + z*(coef[1] + z*(...)), fully unrolled so that the
// coefficients become constants (a loop would convert and broadcast each one
// at run time, which costs more than the arithmetic).
template <class T, int N>
TA_HD T horner(T z, const double (&coef)[N]) {
  T acc = c<T>(coef[N - 1]);
#pragma GCC unroll 32
  for (int i = N - 2; i >= 0; --i) {
    acc = acc * z + c<T>(coef[i]);
  }
  return acc;
}

template <class S>
struct Precision {
  // |x| below which tanh uses its series (the series keeps 7 terms).
  static constexpr double kTanhSeries = sizeof(S) == 4 ? 0.4 : 0.1;
  // tanh|x| rounds to 1 beyond this, and 1 + e^{-2|x|} to 1.
  static constexpr double kTanhOne = sizeof(S) == 4 ? 9.5 : 19.5;
  // sqrt(x^2 + 1) is |x| to the type's precision beyond this (and x^2 has
  // not overflowed yet).
  static constexpr double kSqrtLarge = sizeof(S) == 4 ? 1e18 : 1e150;
};

// tanh(x) and 1 - tanh(x)^2, both accurate for every x: from w = e^{-2|x|},
// tanh|x| = (1 - w)/(1 + w) and sech^2 = 4w/(1 + w)^2 (no cancellation once
// |x| is not small); for small |x| the odd Taylor series x(1 + x^2 P(x^2)).
template <class T>
struct TanhSech2 {
  T t, sech2;
};

template <class T>
TA_HD TanhSech2<T> tanh_sech2(T x) {
  using S = scalar_of_t<T>;
  // tanh x = x + x^3 (-1/3 + 2/15 z - 17/315 z^2 + ...), z = x^2
  constexpr double kSeries[] = {-1.0 / 3.0,          2.0 / 15.0,
                                -17.0 / 315.0,       62.0 / 2835.0,
                                -1382.0 / 155925.0,  21844.0 / 6081075.0,
                                -929569.0 / 638512875.0};
  const T one = c<T>(1);
  const T a = abs(x);
  // t from e^{-2 min(a, kTanhOne)}: the same bits (t and 1 + w are 1 beyond),
  // but no subnormal w where only t is needed (each operation on a subnormal
  // costs a microcode assist: tanhexp at 2^22 took 21.5 ms instead of 5).
  // sech² needs the true w, computed only when some lane is that large.
  const auto far = a > c<T>(Precision<S>::kTanhOne);
  const T wt = exp_neg_abs(c<T>(2) * min_nan(a, c<T>(Precision<S>::kTanhOne)));
  const T d = one + wt;
  const T z = x * x;
  const auto small = a < c<T>(Precision<S>::kTanhSeries);
  const T t_small = a + a * z * horner(z, kSeries);
  const T t = where(small, t_small, (one - wt) / d);
  T w = wt;
  if (any(far)) w = where(far, exp(c<T>(-2) * a), wt);
  const T sech2 = where(small, (one - t) * (one + t), c<T>(4) * w / (d * d));
  // x itself at ±0: -t is +0 there, and so is any x + x·(...) form (tanh(-0)
  // was +0 on the non-AVX-512 paths).
  return {where(x == c<T>(0), x, where(x < c<T>(0), c<T>(0) - t, t)), sech2};
}

// log(1 + e) for e in [0, 1] (the tail of softplus and logsigmoid):
// 2 atanh(s), s = e/(2 + e) in [0, 1/3]: 2s(1 + s^2/3 + s^4/5 + ...), 9 terms
// reach float precision.  Other types use log1p.
template <class T>
TA_HD T log1p_small(T e) {
  return log1p(e);
}

// k·(e^x - 1), k a constant (elu, selu, celu).  Other types: expm1(x)·k.
// big_args: whether x > 30 can matter (else those lanes may be garbage).
template <class T>
TA_HD T expm1_times(T x, double k, bool /*big_args*/ = true) {
  return expm1(x) * c<T>(k);
}

#ifndef TA_DEVICE_COMPILE
using VecF = at::vec::Vectorized<float>;

#if defined(CPU_CAPABILITY_AVX512) || defined(CPU_CAPABILITY_AVX2)
// e^x = 2^n (1 + p), p = e^r - 1, |r| <= ln2/2, as in exp (overloads.h) but
// with p itself kept (r + r^2 Q(r), Taylor to r^8): the functions below add
// the 1 where it loses no accuracy.  x is clamped to [-104, 89].
struct ExpParts {
  VecF n, r, t, p;  // p = r + t, t = r^2 Q(r)
};
// kTerms: 7: Q is Taylor to r^6/8! (truncation 2^-27.5 relative to p, as
// expm1 needs); 6: Q is exp's fitted kExpQ (5 terms, 2^-28 relative to 1 + p,
// enough where 1 + p is used).
template <int kTerms = 7, bool kClamp = true>
inline ExpParts exp_parts(const VecF& x0) {
  const auto [n, r] = exp_reduce<kClamp>(x0);
  constexpr double kQ7[] = {1.0 / 2, 1.0 / 6, 1.0 / 24, 1.0 / 120, 1.0 / 720, 1.0 / 5040, 1.0 / 40320};
  static_assert(kTerms == 6 || kTerms == 7, "6 or 7 terms");
  VecF q;
  if constexpr (kTerms == 7) q = horner(r, kQ7); else q = horner(r, kExpQ);
  const VecF t = r * r * q;
  return {n, r, t, r + t};
}

// 1 + e^v = (1 + 2^n) + 2^n p, one rounding where 1 + exp(v) rounds e^v and
// the sum, as long as 1 + 2^n is exact (n <= 23; beyond, σ(-v) < 2^-24 and
// that sum rounds once more).  σ(x) over every 29th float in [-104, 89]:
// 871 of 77 M results above 1.5 ulps (was 175011), max 2.41 (2.48, at
// x = -16.6, n = 24); x σ(x): 3801 (171310).
// Where 2^n overflows (v > 88.7, n = 128) the fma is inf - inf = NaN when
// p < 0: the min with 2·2^n + 1 (above the sum everywhere else) gives inf
// there (vminps returns its second operand when one is NaN), and NaN for a
// NaN v.
template <>
inline VecF one_plus_exp(VecF v) {
  const ExpParts e = exp_parts<6>(v);
  // (n below -126, v < -87.3: 1 + 2^n (1 + p) is 1 with m = 2^-126 too)
  const VecF m = pow2n(at::vec::clamp_min(e.n, VecF(-126.0f)));
#if defined(CPU_CAPABILITY_AVX512)
  return _mm512_min_ps(at::vec::fmadd(m, e.p, m + VecF(1.0f)), at::vec::fmadd(m, VecF(2.0f), VecF(1.0f)));
#else
  // (vminps as above; m is finite for a NaN v here, so the NaN is put back)
  const VecF y(_mm256_min_ps(at::vec::fmadd(m, e.p, m + VecF(1.0f)), at::vec::fmadd(m, VecF(2.0f), VecF(1.0f))));
  return where(VecF(_mm256_cmp_ps(v, v, _CMP_UNORD_Q)), v, y);
#endif
}

// k·(e^x - 1) within 0.85 float ulps for k = 1, 1.06 for k = -0.3 (every 7th
// float in [-104, 0]; expm1(x)·k rounded twice: 1.0 and 1.75), at the cost of
// an exp: with e^x = 2^n (1 + p) and m = 2^n - 1 (exact in float),
//   k (e^x - 1) = k m + k 2^n p,
// k = kh + kl split into two floats: the large term kh·m is kept as a
// rounded product and its exact error (an fma), every small term is summed
// into one correction by fmas, and the result is one rounding of the sum.
inline VecF expm1_times(const VecF& x, double k, bool big_args = true) {
  const float kh = static_cast<float>(k), kl = static_cast<float>(k - static_cast<double>(kh));
  const ExpParts e = exp_parts(x);
  // 2^n with n capped below at -126 (x < -87.3: there m = 2^n - 1 rounds
  // to -1 either way and the terms in 2^n are far below k's ulp)
  const VecF p2 = pow2n(at::vec::clamp_min(e.n, VecF(-126.0f)));
  const VecF m = p2 - VecF(1.0f);
  const VecF a_hi = VecF(kh) * m;
  VecF corr = at::vec::fmsub(VecF(kh), m, a_hi);
  if (kl != 0.0f) {  // k not a float (selu; not elu's default alpha = 1)
    corr = at::vec::fmadd(VecF(kl), m, corr);
    corr = at::vec::fmadd(VecF(kl) * p2, e.p, corr);
  }
  const VecF kh2n = VecF(kh) * p2;
  corr = at::vec::fmadd(kh2n, e.t, corr);
  corr = at::vec::fmadd(kh2n, e.r, corr);
  const VecF y = a_hi + corr;
  // x > 30 (celu with alpha < 0: k e^x may be finite where 2^n is not, or
  // overflow beyond the clamp): k e^x in double, rounded once.
  if (!big_args) return y;
  const auto big = x > VecF(30.0f);
  if (!any(big)) return y;
  return where(big, apply_in_double(x, [k](const Vec<double>& v) { return v.exp() * Vec<double>(k); }), y);
}

// log(1 + e^v) for every v within 0.8 float ulps (the formula of
// softplus_raw below rounds e, the division and the sum: 3.3 ulps), by two
// polynomials fitted by csrc/math/tools/fit_softplus.py:
//   |v| <= 0.7: ln2 + v/2 + z R(z), z = v^2, with ln2 + v/2 summed exactly
//               (Fast2Sum: |v/2| < ln2) and every small term in one fma;
//   |v| >  0.7: max(v, 0) + L, L = log1p(e) = e (1 + e H(e)) for
//               e = e^{-|v|} = 2^n (1 + p) <= e^{-0.7}: L = 2^n (1 + u),
//               u = p + e H (1 + p), p = r + r^2 Q(r), and 1 + u summed as
//               (1 + r) + (its exact rounding error + the small terms), so
//               that only the final sum rounds a large term.
inline VecF softplus_raw(const VecF& v) {
  constexpr double kR[] = {0.12499999999114327, -0.0052083324244333691, 0.00034720727680451918,
                           -2.6265281797602441e-05, 1.9294266859904164e-06};
  constexpr double kH[] = {-0.49999999781019278, 0.33333275253202527,  -0.24997455184692371,
                           0.19956985557560536,  -0.16302124183382627, 0.12544828655386311,
                           -0.075440770927826306, 0.024165673399838453};
  constexpr double kLn2 = 0.69314718055994530942;
  const float ln2_hi = static_cast<float>(kLn2), ln2_lo = static_cast<float>(kLn2 - static_cast<double>(ln2_hi));
  const VecF z = v * v;
  const VecF half = v * VecF(0.5f);
  const VecF s = VecF(ln2_hi) + half;
  const VecF s_err = (VecF(ln2_hi) - s) + half;
  const VecF near = s + at::vec::fmadd(z, horner(z, kR), s_err + VecF(ln2_lo));
  const VecF a = abs(v);
  const ExpParts e = exp_parts<6>(VecF(0.0f) - a);
  const VecF onep = VecF(1.0f) + e.p;
  const VecF eh = scale2n_nonpos(onep, e.n);
  const VecF hi = VecF(1.0f) + e.r;
  const VecF lo = (VecF(1.0f) - hi) + e.r;  // exact (Fast2Sum, |r| < 1)
  const VecF small = e.t + at::vec::fmadd(eh * horner(eh, kH), onep, lo);
  const VecF far = max_nan(v, VecF(0.0f)) + scale2n_nonpos(hi + small, e.n);
  return where(a <= VecF(0.7f), near, far);
}

// mish(x) = x tanh(softplus(x)) within 1 float ulp (x·t, t from the rational
// forms of Mish::parts, rounds q, the sums, the division and the product:
// 3.5 ulps).  With q = e^{-|x|} = 2^n (1 + p):
//   x >= 0: t = 1 + h, h = -2q^2/(1 + 2q + 2q^2):      mish = x + x h (an fma)
//   x <  0: t = q (1 + h), h = -q (q + 1)/(q^2 + 2q + 2):
//           mish = 2^n x (1 + p)(1 + h) = 2^n (x (1 + r) + x s),
//           s = (the rounding error of 1 + r) + r^2 Q(r) + h (1 + p),
// so that one fma rounds the large term once; for |x| <= 0.7, where h is
// not small, t = 3/5 + x P(x) (csrc/math/tools/fit_mish.py) and mish =
// (3/5) x + x^2 P(x) with 3/5 split into two floats.
template <>
inline constexpr bool kExpPartsKernels<VecF> = true;
inline VecF mish_value(const VecF& x) {
  const VecF one(1.0f), two(2.0f);
  const ExpParts e = exp_parts<6>(VecF(0.0f) - abs(x));
  const VecF onep = one + e.p;
  const VecF q = scale2n_nonpos(onep, e.n);
  const VecF q2 = q * q;
  const auto neg = x < VecF(0.0f);
  const VecF h = where(neg, VecF(0.0f) - q2 - q, VecF(-2.0f) * q2) /
                 where(neg, q2 + two * q + two, one + two * q + two * q2);
  const VecF hi = one + e.r;
  const VecF s = ((one - hi) + e.r) + at::vec::fmadd(h, onep, e.t);
  // (scale2n_nonpos: its factor is |x| (1 + ...) >= 2^-62 where y_neg is
  // used, x < -0.7)
  const VecF y_neg = scale2n_nonpos(at::vec::fmadd(x, hi, x * s), e.n);
  // (x h with x capped at FLT_MAX: 0, not NaN, at x = inf where h = -0)
  const VecF y = where(neg, y_neg, at::vec::fmadd(min_nan(x, finite_max<VecF>()), h, x));
  constexpr double kP[] = {0.31999999883713265,     -0.01600000369826652,   -0.045866547349343069,
                           -0.00037318068621684921, 0.0078167023988362904,  0.00085618133356673946,
                           -0.0012582476392107649,  -0.00028722436193179447, 0.00016068020706738281,
                           5.6055476949396235e-05};
  const float c0_hi = 0.6f, c0_lo = static_cast<float>(0.6 - static_cast<double>(c0_hi));
  const VecF near = at::vec::fmadd(x, VecF(c0_hi), at::vec::fmadd(x, VecF(c0_lo), x * (x * horner(x, kP))));
  // mish has the sign of x (mish(-0) = -0, as x tanh(softplus(x)))
  // Below -104, q is e^-104 (exp_parts' clamp) where mish = x e^x: x·q was
  // 2.7x the exact value at -105, and -7.4e-44 at -110 where the exact
  // -1.9e-46 rounds to -0; the tail rounds once (overloads.h).
  return with_exp_tail(where(abs(x) <= VecF(0.7f), near, y), x, x, -104.0, one) | (x & VecF(-0.0f));
}

// gelu: Φ(-a) for a = min(|x|, 15) from one exp and one division, with the
// pieces of e^{-a²/2} = 2^n (1 + p) kept for φ (csrc/math/tools/fit_gelu.py):
//   Φ(-a) = e^{-a²/2} R(a),  R = P(a)/S(a) (the Mills ratio over √(2π),
//   degree 4/5, 2^-27 relative, all coefficients positive);
//   a² = a2 + l2 exactly (an fma), so the exp's reduced argument
//   r = -a2/2 - n ln2 - l2/2 carries no rounding of a² (e^{-a²/2} is
//   ill-conditioned for large a: that rounding alone was 60 strict ulps);
//   e^r = 1 + p, p = r + r² Q(r) (kExpQ of overloads.h, as exp).
// gelu(x) = max(x, 0) - a Φ(-a) (one fma rounds it; the sign of x is put
// back so that x < 0 gives -0 on underflow), Φ(x) = Φ(-a) or 1 - Φ(-a),
// φ(x) = 2^n (1 + p)/√(2π).  Beyond a = 15, Φ(-a) is 0 in float (2^-162 R);
// the earlier series near 0 and erfc(-x/√2) are not needed: every 101st
// float in [-15, 15]: f 2.53 cond-ulp (was 4.28), f' 3.23 (3.72), at 15.2
// (34.1) and 18.7 (43.9) cycles per 16 floats (g f' with the load of g).
// Φ(-a) and φ carry the factor 2^n, n in [-150, 0] (the clamp of -a²/2 at
// -104), found by the shift t = -a²/2 / ln2 + (1.5·2^23 + 191): n = t -
// shift, and t's low bits are n + 191.  AVX-512 multiplies by 2^n with
// vscalefps; AVX2 by s = 2^(n+64), those bits shifted into the exponent
// field, with the other factor v computed as v 2^-64 (kGeluPre folded into
// the coefficients: the same roundings, since v 2^-64 stays above 1e-22,
// normal).  Either way the product is v 2^n rounded once, the same bits.
// (scale2n's two factors took 9 operations; gelu's f 32.8 -> 28.7 cycles
// per 16 floats on Zen 3, benchmarks/kernel_cycles.py --isa AVX2.)
inline constexpr float kGeluShift = 0x1.8p23f + 191.0f;
#if defined(CPU_CAPABILITY_AVX512)
inline constexpr double kGeluPre = 1.0;
inline VecF gelu_scale_factor(const VecF& /*t*/, const VecF& n) { return n; }
inline VecF gelu_scale(const VecF& v, const VecF& s) { return _mm512_scalef_ps(v, s); }
#else
inline constexpr double kGeluPre = 0x1p-64;
inline VecF gelu_scale_factor(const VecF& t, const VecF& /*n*/) {
  return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_castps_si256(t), 23));
}
inline VecF gelu_scale(const VecF& v, const VecF& s) { return v * s; }
#endif
struct GeluParts {
  VecF a, q, p, s;  // a = min(|x|, 15), q = Φ(-a), e^{-a²/2} = 2^n (1 + p), s from n
};
inline GeluParts gelu_parts(const VecF& x) {
  constexpr double kP[] = {0.50000000404284994 * kGeluPre, 0.44174282527672643 * kGeluPre,
                           0.18583939916241854 * kGeluPre, 0.041524881260332686 * kGeluPre,
                           0.0042522685345825744 * kGeluPre};
  constexpr double kS[] = {1.0, 1.6813707696965519, 1.2132124213079609, 0.47635603047208447,
                           0.10409297373084529, 0.010658757634184862};
  const VecF a = min_nan(abs(x), VecF(15.0f));
  const VecF a2 = a * a;
  const VecF l2 = at::vec::fmsub(a, a, a2);
  // (-a2/2 is exact; below -104, a > 14.4, the clamp leaves Φ(-a) and φ far
  // below the smallest subnormal, so they still round to 0)
  const VecF xr = at::vec::clamp_min(a2 * VecF(-0.5f), VecF(-104.0f));
  const VecF t = at::vec::fmadd(xr, VecF(1.44269504088896340736f), VecF(kGeluShift));
  const VecF n = t - VecF(kGeluShift);
  // (r as exp_reduce's, plus the -l2/2 that a² lost)
  const VecF r = at::vec::fmadd(l2, VecF(-0.5f), reduce_ln2(xr, n));
  const VecF p = at::vec::fmadd(r * r, horner(r, kExpQ), r);
  const VecF R = horner(a, kP) / horner(a, kS);
  const VecF s = gelu_scale_factor(t, n);
  return {a, gelu_scale(at::vec::fmadd(R, p, R), s), p, s};
}
inline VecF gelu_value(const VecF& x, const GeluParts& g) {
  // (Below x = -13.3 the result is subnormal and a Φ(-a), Φ itself
  // subnormal, is up to 7 steps of 2^-149 off; -(a u) 2^n there, behind a
  // branch, cost 1 cycle per 16 floats, 6 %, and was left out.)
  return at::vec::fnmadd(g.a, g.q, max_nan(x, VecF(0.0f))) | (x & VecF(-0.0f));
}
// gelu' = Φ(x) + x φ(x), x·φ with x capped at ±15 (φ is 0 beyond).
inline VecF gelu_deriv(const VecF& x, const GeluParts& g) {
  const VecF c(static_cast<float>(0.39894228040143267794 * kGeluPre));  // 1/√(2π)
  const VecF phi = gelu_scale(at::vec::fmadd(c, g.p, c), g.s);
  const VecF Phi = where(x < VecF(0.0f), g.q, VecF(1.0f) - g.q);
  return at::vec::fmadd(g.a | (x & VecF(-0.0f)), phi, Phi);
}
#endif  // AVX512 || AVX2

#if defined(CPU_CAPABILITY_AVX512)
template <>
inline constexpr bool kFloatVecKernels<VecF> = true;
#endif

#if defined(CPU_CAPABILITY_AVX512)
// √s from y ≈ 1/√s (vrsqrt14ps, 2^-14, or better): s·y and one Newton step
// on h itself, h += (s - h²)/(2h) with 1/(2h) ≈ y/2.  And 1/d from vrcp14ps
// and one Newton step.  (The 14-bit estimates are exact functions of their
// input on a given CPU, so results depend only on the input.)
inline VecF sqrt_from_rsqrt(const VecF& s, const VecF& y) {
  const VecF h = s * y;
  return at::vec::fmadd(y * VecF(0.5f), VecF(_mm512_fnmadd_ps(h, h, s)), h);
}
inline VecF rcp_newton(const VecF& d) {
  const VecF rc = _mm512_rcp14_ps(d);
  return at::vec::fmadd(rc, VecF(_mm512_fnmadd_ps(d, rc, VecF(1.0f))), rc);
}

// bent_identity(x) = x + x g/2, g = xc/(1 + h), h = sqrt(xc² + 1), xc = x
// capped at ±1e18 (h is |x| beyond), without vsqrtps and vdivps, which
// share one port and were 17 of the 17.2 cycles per 16 floats: h from
// vrsqrt14ps (2^-14) and one Newton step on h itself (h += (s - h²)/(2h)),
// 1/(1 + h) from vrcp14ps and one Newton step, and g = xc/(1 + h) with its
// residual folded back (g0 + rc (xc - g0 d)), then one fma.  9.8 cycles;
// every 331st float to 2e38: 2.32 ulps (the division form: 2.71).  x is
// capped at ±FLT_MAX in the product so that ±inf give ±inf, not inf - inf.
inline VecF bent_identity_value(const VecF& x) {
  const VecF one(1.0f);
  const VecF xc = clamp_nan(x, VecF(-1e18f), VecF(1e18f));
  const VecF s = at::vec::fmadd(xc, xc, one);
  const VecF h = sqrt_from_rsqrt(s, _mm512_rsqrt14_ps(s));
  const VecF d = h + one;
  const VecF rc = rcp_newton(d);
  const VecF g0 = xc * rc;
  const VecF g = at::vec::fmadd(rc, VecF(_mm512_fnmadd_ps(g0, d, xc)), g0);
  return at::vec::fmadd(clamp_nan(x, VecF(-3.4028235e38f), VecF(3.4028235e38f)) * VecF(0.5f), g, x);
}
#endif

#if defined(CPU_CAPABILITY_AVX512)
// squareplus(x) = (x + h)/2 for x >= 0 and (b/2)/(h - x) below, h =
// sqrt(x² + b), without vsqrtps and vdivps (one port; 16.6 cycles per 16
// floats): h from vrsqrt14ps and one Newton step on h itself, 1/(h - x)
// from vrcp14ps and one Newton step, as bent_identity_value does.  12.5
// cycles at the same accuracy (2.74 ulps, every 331st float to 2e38).  x is
// capped at ±1e18 in h (h is |x| beyond); lanes below -1e18, if any, take the
// division (b/2)/|x|/2.  The caller keeps b in [1e-30, 1e20], where s =
// x² + b is normal and finite and b/x² negligible beyond 1e18 (for b below,
// the residual s - h² of a subnormal s would not correct h).  hb = b/2 rounded as the caller rounds it.
inline VecF squareplus_value(const VecF& x, float b, float hb) {
  const VecF xc = clamp_nan(x, VecF(-1e18f), VecF(1e18f));
  const VecF s = at::vec::fmadd(xc, xc, VecF(b));
  const VecF h = sqrt_from_rsqrt(s, _mm512_rsqrt14_ps(s));
  const VecF ax = abs(x);
  const VecF half(0.5f);
  VecF neg = VecF(hb) * rcp_newton(h - xc);
  if (any(x < VecF(-1e18f))) {
    neg = where(x < VecF(-1e18f), VecF(0.5f) * (VecF(hb) / ax), neg);  // 2|x| may overflow
  }
  return where(x >= VecF(0.0f), half * x + half * where(ax > VecF(1e18f), ax, h), neg);
}
#endif

#if defined(CPU_CAPABILITY_AVX512)
// squareplus'(x) = (1 + x/h)/2 for x >= 0 and (b/2)/(h (h - x)) below, with
// h (h - x) = s - x h rounded once (an fma), as Squareplus::df, but 1/h from
// vrsqrt14ps and one Newton step, h = s/h corrected once, and 1/(s - x h)
// from vrcp14ps and one Newton step: 40.6 -> 13.2 cycles per 16 floats at
// the same accuracy (2.50 ulps, every 331st float to 1e6, b = 4 and 0.5).
// Beyond |x| = 1e18, 1 and (b/4)/|x|/|x| (qb = b/4).  b as for
// squareplus_value.
inline VecF squareplus_deriv(const VecF& x, float b, float hb, float qb) {
  const VecF one(1.0f), half(0.5f);
  const VecF xc = clamp_nan(x, VecF(-1e18f), VecF(1e18f));
  const VecF s = at::vec::fmadd(xc, xc, VecF(b));
  const VecF y = _mm512_rsqrt14_ps(s);
  const VecF r = at::vec::fmadd(half * y, VecF(_mm512_fnmadd_ps(s * y, y, one)), y);  // 1/h
  const VecF h = sqrt_from_rsqrt(s, r);
  const VecF pos = at::vec::fmadd(half * xc, r, half);
  VecF neg = VecF(hb) * rcp_newton(at::vec::fmadd(VecF(0.0f) - xc, h, s));
  const VecF ax = abs(x);
  if (any(ax > VecF(1e18f))) {
    neg = where(ax > VecF(1e18f), (VecF(qb) / ax) / ax, neg);
  }
  return where(x >= VecF(0.0f), where(ax > VecF(1e18f), one, pos), neg);
}
#endif

#if defined(CPU_CAPABILITY_AVX512)
// tanhexp'(x) = tanh(e) + x e sech²(e), e = e^x, without tanh's and sech²'s
// own divisions (the form from the tanh_sech2 kernel took 62 cycles per 16
// floats, N(0, 3) input, and was within 3.94 ulps; this one 38.2 and 2.23,
// cond-adjusted, every 97th float in [-90, 90]):
//   x <= 0 (e <= 1): f' = e N, N = tanh(e)/e + x sech²(e) = (1 + x) + y (T1 + x S1),
//       y = e², tanh(e)/e = 1 + y T1(y), sech²(e) = 1 + y S1(y) (fitted with
//       float coefficients on y in [0, 1]: 2^-27.6 and 2^-26.7 relative,
//       csrc/math/tools/fit_float_poly.py).  f' cancels towards its root at
//       x = -1.0789 only between 1 + x, exact for x in [-2, -0.5], and the
//       small y term; above -0.5, x + y(...) is rounded first and 1 added.
//   x > 0: f' = (1 - w² + 4 x e w)/(1 + w)², w = e^{-2e} <= e^{-2}, numerator
//       and denominator one fma each (no cancellation), e capped at 40 (w
//       not subnormal; beyond, f' = 1 in float).
// x is clamped to [-200, 40] (-inf gives 0, +inf 1).
inline constexpr double kTanhOverEm1[] = {-0.33333292603492737, 0.13332286477088928, -0.05387580394744873,
                                          0.021473998203873634, -0.007925879210233688, 0.00228550611063838,
                                          -0.0003536038857419044};
inline constexpr double kSech2m1[] = {-0.9999991655349731, 0.6666404604911804, -0.37749114632606506,
                                      0.19527532160282135, -0.09271641075611115, 0.037691470235586166,
                                      -0.011083469726145267, 0.0016572806052863598};
inline VecF tanhexp_deriv(const VecF& x) {
  const VecF one(1.0f);
  const VecF xc = clamp_nan(x, VecF(-200.0f), VecF(40.0f));
  const VecF e = exp(xc);
  const VecF y = e * e;
  const VecF inner = at::vec::fmadd(xc, horner(y, kSech2m1), horner(y, kTanhOverEm1));
  const VecF n = where(xc > VecF(-0.5f), at::vec::fmadd(y, inner, xc) + one, at::vec::fmadd(y, inner, xc + one));
  const VecF ep = min_nan(e, VecF(40.0f));
  const VecF w = exp(VecF(-2.0f) * ep);
  const VecF num = at::vec::fmadd(w, at::vec::fmsub(xc * VecF(4.0f), ep, w), one);
  const VecF den = at::vec::fmadd(w, w + VecF(2.0f), one);
  // (+ 0: below x = -104, e = 0 and e n is -0; the limit is taken as +0,
  // as the other types' form gives)
  return where(x > VecF(0.0f), num / den, e * n + VecF(0.0f));
}
#endif

// expm1: exp(x) - 1 is accurate once |x| >= 1/2 (the subtraction loses at
// most ~1 ulp there); below, the Taylor series x + x^2 (1/2! + x/3! + ...).
inline VecF expm1(const VecF& x) {
  constexpr double kSeries[] = {1.0 / 2,    1.0 / 6,     1.0 / 24,    1.0 / 120,
                                1.0 / 720,  1.0 / 5040,  1.0 / 40320, 1.0 / 362880};
  const VecF small = x + x * x * horner(x, kSeries);
  return where(abs(x) < VecF(0.5f), small, exp(x) - VecF(1.0f));
}

// tanh x from the pieces of w = e^{-2|x|} = m (1 + p), m = 2^n: numerator
// (1 - m) - m p and denominator (1 + m) + m p each rounded once, with the
// sign of x; T is the AVX-512 float vector (below) or a float widened to double (wide.h).
template <class T>
inline T tanh_from_exp_parts(const T& x, const T& m, const T& p) {
  const T num = neg_mul_add(m, p, c<T>(1) - m);
  const T den = mul_add(m, p, c<T>(1) + m);
  return (num / den) | (x & c<T>(-0.0));
}

#if defined(CPU_CAPABILITY_AVX512)
// tanh|x| = (1 - w)/(1 + w), w = e^{-2a} = 2^n (1 + p) for a = min(|x|, 9.5)
// (tanh rounds to 1 beyond; no subnormal w): numerator (1 - 2^n) - 2^n p and
// denominator (1 + 2^n) + 2^n p each rounded once (1 ± 2^n exact, or rounded
// far below the result's ulp), then the division; for small a, n = 0 and
// p = e^{-2a} - 1 is accurate relative to itself, so no series is needed.
// Every 23rd float in [-10, 10]: max 1.87 ulp, 10200 results above 1.5
// (tanh_sech2: 2.40, 28330), 14.8 cycles per 16 floats (18.6); tanh(-0) = -0.
inline VecF tanh(const VecF& x) {
  const VecF a = min_nan(abs(x), VecF(static_cast<float>(Precision<float>::kTanhOne)));
  const ExpParts e = exp_parts<7, false>(VecF(-2.0f) * a);  // -2a in [-19, 0]
  return tanh_from_exp_parts(x, scale2n(VecF(1.0f), e.n), e.p);
}
// tanh'(x) = sech²(x) = 4w/(1 + w)², w = e^{-2|x|} = 2^n (1 + p), from the
// same pieces: 4w = 2^n (4 + 4p) and 1 + w = (1 + 2^n) + 2^n p each rounded
// once.  exp_parts clamps -2|x| at -104; beyond |x| = 52, where sech² is
// below half the smallest subnormal, the result is 0.
inline VecF tanh_deriv(const VecF& x) {
  const VecF a = abs(x);
  // (unclamped: beyond a = 52 the lanes are replaced by 0 below)
  const ExpParts e = exp_parts<7, false>(VecF(-2.0f) * a);
  const VecF m = scale2n(VecF(1.0f), e.n);
  const VecF m4 = scale2n(VecF(4.0f), e.n);
  const VecF den = at::vec::fmadd(m, e.p, VecF(1.0f) + m);
  const VecF s = at::vec::fmadd(m4, e.p, m4) / (den * den);
  return where(a > VecF(52.0f), VecF(0.0f), s);
}
#else
inline VecF tanh(const VecF& x) {
  return tanh_sech2(x).t;
}
#endif

// erfc: for z >= 0, t exp(-z^2 + P(t)) with t = 1/(1 + z/2) (relative error
// 1e-7, see tools/fit_erfc.py); for z < 0, 2 - erfc(-z).
inline VecF erfc(const VecF& z) {
  constexpr double kP[] = {-1.2655122263560128,  1.0000237521348396,  0.37409070853027787,
                           0.096794074165914942, -0.18633035438697873, 0.27897436197093417,
                           -1.1353653863130231,  1.4886615057664954,  -0.82222407453231183,
                           0.17088769809274215};
  const VecF a = abs(z);
  const VecF t = VecF(1.0f) / (VecF(1.0f) + VecF(0.5f) * a);
  const VecF r = t * exp(horner(t, kP) - a * a);
  return where(z < VecF(0.0f), VecF(2.0f) - r, r);
}

inline VecF log1p_small(const VecF& e) {
  constexpr double kSeries[] = {1.0,      1.0 / 3,  1.0 / 5,  1.0 / 7, 1.0 / 9,
                                1.0 / 11, 1.0 / 13, 1.0 / 15, 1.0 / 17};
  const VecF s = e / (VecF(2.0f) + e);
  return VecF(2.0f) * s * horner(s * s, kSeries);
}
#endif  // TA_DEVICE_COMPILE

// Generic forms of the vector kernels above.
// log(1 + e^v) for any v: max(v, 0) + log1p(e^{-|v|}) (softplus, logsigmoid;
// after the vector overloads of log1p_small, which it calls).
template <class T>
TA_HD T softplus_raw(T v) {
  return max_nan(v, c<T>(0)) + log1p_small(exp(c<T>(0) - abs(v)));
}

}  // namespace TA_NS
}  // namespace ta::math
