// The overload set the activation functors are written against.
//
// A functor method such as `template <class T> T f(T x) const` is instantiated
// with T = float or double (scalar CPU loop and CUDA, always the op-math type)
// and with T = at::vec::Vectorized<float|double> (vectorized CPU loop).  The
// functions below give both the same spelling:
//
//   exp(x) log1p(x) tanh(x) ...   elementwise math
//   where(cond, a, b)             select; cond is a bool or a Vectorized mask
//   max_nan / min_nan / clamp_nan of a value and bounds: NaN in the value
//                                 propagates, unlike std::fmax
//   c<T>(0.5)                     a constant of the value type
//
// Comparisons (x > y), arithmetic and the bitwise & | of conditions are the
// types' own operators.
#pragma once

#include <cmath>
#include <limits>

#include "config.h"

#ifndef TA_DEVICE_COMPILE
#include <ATen/cpu/vec/vec.h>
#endif

namespace ta::math {
inline namespace TA_NS {

template <class T>
struct scalar_of {
  using type = T;
};
#ifndef TA_DEVICE_COMPILE
template <class S>
struct scalar_of<at::vec::Vectorized<S>> {
  using type = S;
};
#endif
template <class T>
using scalar_of_t = typename scalar_of<T>::type;

// A constant of the value type T (scalar or vector), rounded once to its
// scalar type.
template <class T>
TA_HD T c(double v) {
  return T(static_cast<scalar_of_t<T>>(v));
}

template <class T>
TA_HD T inf() {
  return T(std::numeric_limits<scalar_of_t<T>>::infinity());
}

// The largest finite value of T's scalar type.
template <class T>
TA_HD T finite_max() {
  return T(std::numeric_limits<scalar_of_t<T>>::max());
}

// ---------------------------------------------------------------- scalars
#define TA_SCALAR_UNARY(name, ffn, dfn)              \
  TA_HD float name(float x) { return ::ffn(x); }     \
  TA_HD double name(double x) { return ::dfn(x); }

TA_SCALAR_UNARY(exp, expf, exp)
TA_SCALAR_UNARY(expm1, expm1f, expm1)
TA_SCALAR_UNARY(log, logf, log)
TA_SCALAR_UNARY(log1p, log1pf, log1p)
TA_SCALAR_UNARY(tanh, tanhf, tanh)
TA_SCALAR_UNARY(erfc, erfcf, erfc)
TA_SCALAR_UNARY(sin, sinf, sin)
TA_SCALAR_UNARY(cos, cosf, cos)
TA_SCALAR_UNARY(atan, atanf, atan)
TA_SCALAR_UNARY(abs, fabsf, fabs)
TA_SCALAR_UNARY(sqrt, sqrtf, sqrt)
// Round half to even (the default rounding mode).
TA_SCALAR_UNARY(round_even, nearbyintf, nearbyint)
#undef TA_SCALAR_UNARY

// a·b + c rounded once (an fma), for every value type the functors see.
TA_HD float mul_add(float a, float b, float c) { return ::fmaf(a, b, c); }
TA_HD double mul_add(double a, double b, double c) { return ::fma(a, b, c); }

template <class S>
TA_HD S where(bool cond, S a, S b) {
  return cond ? a : b;
}

// Whether a condition holds anywhere (a scalar's, or any lane of a mask):
// for skipping a rarely needed branch that `where` then applies per lane.
TA_HD bool any(bool cond) { return cond; }

template <class S>
TA_HD S max_nan(S a, S b) {
  return (a != a || a > b) ? a : b;
}

template <class S>
TA_HD S min_nan(S a, S b) {
  return (a != a || a < b) ? a : b;
}

// ---------------------------------------------------------------- vectors
#ifndef TA_DEVICE_COMPILE
template <class S>
using Vec = at::vec::Vectorized<S>;

#define TA_VEC_UNARY(name, method)                       \
  template <class S>                                     \
  inline Vec<S> name(const Vec<S>& x) { return x.method(); }

TA_VEC_UNARY(exp, exp)
TA_VEC_UNARY(expm1, expm1)
TA_VEC_UNARY(log, log)
TA_VEC_UNARY(log1p, log1p)
TA_VEC_UNARY(tanh, tanh)
TA_VEC_UNARY(erfc, erfc)
TA_VEC_UNARY(sin, sin)
TA_VEC_UNARY(cos, cos)
TA_VEC_UNARY(atan, atan)
TA_VEC_UNARY(abs, abs)
TA_VEC_UNARY(sqrt, sqrt)
TA_VEC_UNARY(round_even, round)
#undef TA_VEC_UNARY
template <class S>
inline Vec<S> mul_add(const Vec<S>& a, const Vec<S>& b, const Vec<S>& c) {
  return at::vec::fmadd(a, b, c);
}
// c - a·b, rounded once.
template <class S>
inline Vec<S> neg_mul_add(const Vec<S>& a, const Vec<S>& b, const Vec<S>& c) {
  return at::vec::fnmadd(a, b, c);
}

#if defined(CPU_CAPABILITY_AVX512) || defined(CPU_CAPABILITY_AVX2)
// exp of a float vector, without Sleef's range handling (AVX-512: 9.9 -> 5.6
// cycles per vector here, max error 0.88 ulp over every 7th float in [-104,
// 89] against Sleef's 0.99): x = n ln2 + r with |r| <= ln2/2 (Cody–Waite:
// n ln2_hi is exact), e^r from a fitted polynomial of degree 6 (fit error
// 0.06 ulp), and scale2n multiplies by 2^n with the correct overflow to inf
// and gradual underflow.  AVX2 computes the same bits as AVX-512.  Clamping x to [-104, 89] first keeps r finite at ±inf (e^x is
// 0 resp. inf there already); NaN propagates through the clamps.
// Q(r) = (e^r - 1 - r)/r^2 for |r| <= ln2/2: the degree-4 minimax fit of
// csrc/math/tools/fit_gelu.py, 2^-28 relative to e^r (exp, gelu_parts).
inline constexpr double kExpQ[] = {0.49999988461806344, 0.16666516648649043, 0.041669805177099367,
                                   0.00836904825987414, 0.0013729344304654525};
// The reduction x = n ln2 + r (x clamped to [-104, 89]), shared by exp and
// the kept pieces of exp_parts (fastmath.h; gelu_parts finds n by a shift).  kClamp false: the
// caller's x is already within [-104, 89] or NaN (tanh: two operations of
// its ~28 fewer).
// x - n ln2 for an integral n (Cody–Waite: n ln2_hi is exact for |n| <=
// 2^8), the r of exp_reduce and of gelu_parts (fastmath.h).
inline Vec<float> reduce_ln2(const Vec<float>& x, const Vec<float>& n) {
  const Vec<float> r = at::vec::fmadd(n, Vec<float>(-0.693145751953125f), x);
  return at::vec::fmadd(n, Vec<float>(-1.428606765330187045e-06f), r);
}
struct ExpReduced {
  Vec<float> n, r;
};
template <bool kClamp = true>
inline ExpReduced exp_reduce(const Vec<float>& x0) {
  Vec<float> x = x0;
  if constexpr (kClamp) x = at::vec::clamp_max(at::vec::clamp_min(x0, Vec<float>(-104.0f)), Vec<float>(89.0f));
#if defined(CPU_CAPABILITY_AVX512)
  const Vec<float> n = _mm512_roundscale_ps(x * Vec<float>(1.44269504088896340736f),
                                            _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
#else
  const Vec<float> n = _mm256_round_ps(x * Vec<float>(1.44269504088896340736f),
                                       _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
#endif
  return {n, reduce_ln2(x, n)};
}
// v 2^n for an integral n in [-150, 128] (exp_reduce's range; exp and
// fastmath.h's kernels), rounded once: overflow to inf and gradual
// underflow as an exact product would.
#if defined(CPU_CAPABILITY_AVX512)
inline Vec<float> scale2n(const Vec<float>& v, const Vec<float>& n) { return _mm512_scalef_ps(v, n); }
#else
// AVX2 has no vscalefps: v 2^k1 2^k2, k1 = floor(n/2), k2 = n - k1, both
// in [-75, 64], so each factor is a normal float, the first product is
// exact and the second rounds once.  (A NaN n, from a NaN input, gives
// factors of 1: the callers' other terms carry the NaN.)
inline Vec<float> scale2n(const Vec<float>& v, const Vec<float>& n) {
  const __m256i k = _mm256_cvtps_epi32(n);
  const __m256i k1 = _mm256_srai_epi32(k, 1);
  const __m256i k2 = _mm256_sub_epi32(k, k1);
  const __m256i bias = _mm256_set1_epi32(127);
  const __m256 s1 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(k1, bias), 23));
  const __m256 s2 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(k2, bias), 23));
  return Vec<float>(_mm256_mul_ps(_mm256_mul_ps(v, s1), s2));
}
#endif
// The same where n is in [-150, 0] and v is 0, not finite, or of magnitude
// in [2^-62, 2^64): on AVX2 (v 2^-64) 2^(n+64), the first product exact
// (still normal) and the second, by a normal float made from n's bits,
// rounded once: the same bits as scale2n in 5 operations instead of 9 (a
// NaN n gives a factor of 1 again; tests/vector_helpers.cpp checks both
// this and pow2n against scale2n).  With pow2n and exp_neg_abs, AVX2 cycles
// per 16 floats on Zen 3 (benchmarks/kernel_cycles.py): elu 39.6 -> 21.0,
// sigmoid 24.0 -> 20.7, its backward 28.0 -> 24.1, softplus' 38.5 -> 28.1,
// gelu 38.2 -> 33.5 (with its own shift, fastmath.h).
#if defined(CPU_CAPABILITY_AVX512)
inline Vec<float> scale2n_nonpos(const Vec<float>& v, const Vec<float>& n) { return _mm512_scalef_ps(v, n); }
#else
inline Vec<float> scale2n_nonpos(const Vec<float>& v, const Vec<float>& n) {
  const __m256i e = _mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127 + 64));
  return Vec<float>(_mm256_mul_ps(_mm256_mul_ps(v, _mm256_set1_ps(0x1p-64f)),
                                  _mm256_castsi256_ps(_mm256_slli_epi32(e, 23))));
}
#endif
// 2^n for an integral n in [-126, 128] (inf at 128), exact: on AVX2 n's bits
// in the exponent field, 3 operations where scale2n(1, n) takes 8.
#if defined(CPU_CAPABILITY_AVX512)
inline Vec<float> pow2n(const Vec<float>& n) { return _mm512_scalef_ps(Vec<float>(1.0f), n); }
#else
inline Vec<float> pow2n(const Vec<float>& n) {
  const __m256i e = _mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127));
  return Vec<float>(_mm256_castsi256_ps(_mm256_slli_epi32(e, 23)));
}
#endif
// e^r = 1 + r + r^2 Q(r) (kExpQ: one fma fewer than the Taylor series to
// r^7, whose truncation was 2^-28.3)
inline Vec<float> exp_reduced_poly(const Vec<float>& r) {
  Vec<float> p(static_cast<float>(kExpQ[4]));
#pragma GCC unroll 8
  for (int i = 3; i >= 0; --i) p = at::vec::fmadd(p, r, Vec<float>(static_cast<float>(kExpQ[i])));
  p = at::vec::fmadd(p, r, Vec<float>(1.0f));
  return at::vec::fmadd(p, r, Vec<float>(1.0f));
}
template <>
inline Vec<float> exp(const Vec<float>& x0) {
  const auto [n, r] = exp_reduce(x0);
  return scale2n(exp_reduced_poly(r), n);
}
// e^{-|x|}, the same bits as exp(-|x|): n <= 0 (scale2n_nonpos).
inline Vec<float> exp_neg_abs(const Vec<float>& x) {
  const auto [n, r] = exp_reduce(Vec<float>(0.0f) - x.abs());
  return scale2n_nonpos(exp_reduced_poly(r), n);
}
#endif  // AVX512 || AVX2

template <class S>
inline bool any(const Vec<S>& mask) {
  return mask.zero_mask() != (1 << Vec<S>::size()) - 1;
}

// g(Vec<double>) -> Vec<double> applied to the lanes of x widened to double;
// the results rounded to float once (cvtpd2ps rounds to nearest, as a cast).
// AVX-512 and AVX2 convert in registers: through memory, lane by lane, the
// conversions alone cost 21 cycles per 16 floats (Sapphire Rapids).
#if defined(CPU_CAPABILITY_AVX512) || defined(CPU_CAPABILITY_AVX2)
// The float lanes of x as two double vectors (low half, high half), and back
// (cvtpd2ps rounds to nearest, as a cast), in registers.
struct WideHalves {
  Vec<double> lo, hi;
};
inline WideHalves widen(const Vec<float>& x) {
#if defined(CPU_CAPABILITY_AVX512)
  const __m512 v = x;
  return {Vec<double>(_mm512_cvtps_pd(_mm512_castps512_ps256(v))),
          Vec<double>(_mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1))))};
#else
  const __m256 v = x;
  return {Vec<double>(_mm256_cvtps_pd(_mm256_castps256_ps128(v))),
          Vec<double>(_mm256_cvtps_pd(_mm256_extractf128_ps(v, 1)))};
#endif
}
inline Vec<float> narrow(const Vec<double>& lo, const Vec<double>& hi) {
#if defined(CPU_CAPABILITY_AVX512)
  return Vec<float>(_mm512_insertf32x8(_mm512_castps256_ps512(_mm512_cvtpd_ps(lo)), _mm512_cvtpd_ps(hi), 1));
#else
  return Vec<float>(_mm256_insertf128_ps(_mm256_castps128_ps256(_mm256_cvtpd_ps(lo)), _mm256_cvtpd_ps(hi), 1));
#endif
}
#define TA_HAVE_WIDEN 1
#endif

template <class G>
inline Vec<float> apply_in_double(const Vec<float>& x, G g) {
#ifdef TA_HAVE_WIDEN
  const WideHalves w = widen(x);
  return narrow(g(w.lo), g(w.hi));
#else
  constexpr int kF = Vec<float>::size(), kD = Vec<double>::size();
  static_assert(kF % kD == 0, "float lanes are a multiple of double lanes");
  float xf[kF], yf[kF];
  x.store(xf);
  for (int j = 0; j < kF; j += kD) {
    double xd[kD], yd[kD];
    for (int i = 0; i < kD; ++i) xd[i] = static_cast<double>(xf[j + i]);
    g(Vec<double>::loadu(xd)).store(yd);
    for (int i = 0; i < kD; ++i) yf[j + i] = static_cast<float>(yd[i]);
  }
  return Vec<float>::loadu(yf);
#endif
}

// `mask` holds all-ones lanes where the condition is true (what the
// comparison operators of Vectorized return).
template <class S>
inline Vec<S> where(const Vec<S>& mask, const Vec<S>& a, const Vec<S>& b) {
  return Vec<S>::blendv(b, a, mask);
}

// max/min of a value and a bound: a NaN in `a` propagates (the bound is
// never NaN here).  at::vec::clamp_min/max do exactly that in every ISA, and
// cost a third of the fully NaN-symmetric at::vec::maximum/minimum.
template <class S>
inline Vec<S> max_nan(const Vec<S>& a, const Vec<S>& bound) {
  return at::vec::clamp_min(a, bound);
}

template <class S>
inline Vec<S> min_nan(const Vec<S>& a, const Vec<S>& bound) {
  return at::vec::clamp_max(a, bound);
}
#endif  // TA_DEVICE_COMPILE

// e^{-|x|} (σ, silu', mish, softplus: the exp of every op whose argument is
// never positive); AVX2 float vectors (above): fewer operations, the same bits.
template <class T>
TA_HD T exp_neg_abs(T x) {
  return exp(c<T>(0) - abs(x));
}

// ------------------------------------------------------ shared building blocks
template <class T>
TA_HD T clamp_nan(T x, T lo, T hi) {
  return min_nan(max_nan(x, lo), hi);
}

// -1, 0 or 1 (0 for ±0 and NaN).
template <class T>
TA_HD T sign(T x) {
  return where(x > c<T>(0), c<T>(1), where(x < c<T>(0), c<T>(-1), c<T>(0)));
}

// a * b, except that a zero b wins over an infinite a (mul0(-inf, 0) = 0):
// for products where a factor tending to zero meets one growing without bound
// (x·σ(x) at x = -inf).  Finite a keep the sign of the product (mish(-1000) is
// -0.0).  Contract: a is NaN only where b is NaN or 0 (true where both come
// from the same x), since a NaN product with a non-NaN b yields b.
template <class T>
TA_HD T mul0(T a, T b) {
  const T r = a * b;
  return where(r != r, b, r);
}

// y, except in the lanes where v < bound: there x·k·e^v as (x h)(k h),
// h = e^{v/2} normal, so that only the last product rounds into the
// subnormals (the tails of x σ(v), eswish and mish, where e^v or σ(v) is
// subnormal and has lost its precision; mul0: x = -inf gives the limit 0).
// k h is normal for any k that leaves a nonzero result.
template <class T>
TA_HD T with_exp_tail(T y, T x, T v, double bound, T k) {
  const auto deep = v < c<T>(bound);
  if (!any(deep)) return y;
  const T h = exp(c<T>(0.5) * v);
  return where(deep, mul0(mul0(x, h), k * h), y);
}

// σ(x) and σ(-x), each accurate to the last bits for every x (no 1 - σ
// cancellation, no overflow, subnormals kept): with e = exp(-|x|), 1/(1+e)
// and e/(1+e).
template <class T>
struct Sig2 {
  T s;   // σ(x)
  T sn;  // σ(-x) = 1 - σ(x)
};

template <class T>
TA_HD Sig2<T> sig2(T x) {
  const T e = exp_neg_abs(x);
  const T r = c<T>(1) / (c<T>(1) + e);
  const T er = e * r;
  const auto pos = x >= c<T>(0);
  return {where(pos, r, er), where(pos, er, r)};
}

// σ(v) and σ(v) + w σ(v) σ(-v), the derivative of x σ(v(x)) with
// w = x·dv, dv = v'(x) (silu, swish: v = x = βx, dv = 1; gelu(tanh)), from
// one exp: with e = e^{-|v|} and D = 1 + e,
//   v >= 0: (1 + e (1 + w))/D²,   v < 0: e ((1 + w) + e)/D²,
// 1 + w = fma(x, dv, 1) rounded once, numerators rounded once or twice, no
// cancellation but the root's (1 + w + e = 0, at v = -1.2785 for silu, where
// 1 + w is exact): silu' within 3.6 ulps (cond-adjusted, every 331st float
// in [-90, 90]) where σ + v σ σ(-v) from sig2, rounded six times, reached
// 67.  x is capped at ±1e30 so that e (1 + w) is 0, not NaN, at ±inf (dv is
// 1 where x can be infinite).
template <class T>
struct XSig {
  T s, df;
};
// k·(σ + w σ σ(-v)) with k joining the numerator's fmas (k (1 + w) =
// fma(x, k dv, k), then fma(e, ., k) or e·fma(k, e, .)): no rounding more
// than k = 1 has.  eswish = β silu: the product β·silu' rounded once more,
// so it was evaluated in double (68 cycles per 16 floats on Zen 4); this
// form is 17.2 in float with kFinite's guards (14.7 without), within 3.09
// (β = 1.5) and 3.89 (β = 1.25) cond-ulps (benchmarks/accuracy.py, 8.8e5
// points).  kdv is k·dv, rounded by the caller (exact for dv = 1).
// kFinite: k may be large (|k| > 3e8 in float), so k (1 + w) is kept
// finite where e = 0 meets it (x = ±1e30, ±inf: 0·inf was NaN), and the
// float tail below is taken.
template <bool kFinite = false, class T>
TA_HD XSig<T> xsig_scaled(T v, T x, T kdv, T k) {
  const T one = c<T>(1);
  const T e = exp_neg_abs(v);
  const T d = one + e;
  const T r = one / d;
  T kopw = mul_add(clamp_nan(x, c<T>(-1e30), c<T>(1e30)), kdv, k);
  if constexpr (kFinite) kopw = clamp_nan(kopw, c<T>(0) - finite_max<T>(), finite_max<T>());
  const auto pos = v >= c<T>(0);
  const T num = where(pos, mul_add(e, kopw, k), e * mul_add(k, e, kopw));
  T df = num / (d * d);
  if constexpr (kFinite && sizeof(scalar_of_t<T>) == 4) {
    // v < -80: e is subnormal or nearly (float), its relative precision
    // 2^-149/e, while k e (1 + w) may be normal when |k| is large: f' was
    // off by 0.7|k| cond-ulps there (eswish, β = 10: 7.2).  e = h², h =
    // e^{-|v|/2} normal, and e (1 + w + e) k = h (h (...)): only the last
    // product can leave the normal range, and it rounds once.
    const auto tail = v < c<T>(-80);
    if (any(tail)) {
      const T h = exp(c<T>(-0.5) * abs(v));
      df = where(tail, (h * (h * mul_add(k, e, kopw))) / (d * d), df);
    }
  }
  return {where(pos, r, e * r), df};
}
template <class T>
TA_HD XSig<T> xsig(T v, T x, T dv) {
  return xsig_scaled(v, x, dv, c<T>(1));
}

// 1 + e^v, the denominator of σ(-v) (σ, x σ(x)); the AVX-512 float vector
// rounds it once (fastmath.h).
template <class T>
TA_HD T one_plus_exp(T v) {
  return c<T>(1) + exp(v);
}

// σ(x) alone: 1/(1 + e^{-x}) (for x < -87 in float32 the subnormal result
// flushes to 0, as torch's does).
template <class T>
TA_HD T sigmoid(T x) {
  return c<T>(1) / one_plus_exp(c<T>(0) - x);
}

}  // namespace TA_NS
}  // namespace ta::math

#include "fastmath.h"
