// Compensated (double-double) arithmetic for the few float64 formulas whose
// chain of roundings, in plain double, exceeds the 4-ulp target of
// benchmarks/accuracy.py (eswish's and gelu(tanh)'s f'': an extremum of f''
// leaves nothing to the condition number, and σ(v)σ(-v) alone, from a
// 0.85-ulp exp and three roundings, was off by up to 3.1 ulps).
//
// A Dd is hi + lo with |lo| <= ulp(hi)/2.  two_sum and two_prod are the
// error-free transformations (Knuth's, and the fma's); on an instruction set
// without fma, at::vec's fmadd rounds the product, two_prod's lo is then 0
// and the formulas fall back to plain double accuracy, not to a wrong value.
// Only for finite operands: an infinite hi gives a NaN lo.
//
// kCompensated<T> says where the functors take these paths: double and the
// double vector.  A float input evaluated in double (Wide, wide.h, and the
// scalar/CUDA widening) needs 2^-32, not 2^-53, and keeps the plain
// formulas where its type allows (Wide); jets never come here.
#pragma once

#include <type_traits>

#include "fastmath.h"

namespace ta::math {
inline namespace TA_NS {

template <class T>
inline constexpr bool kCompensated = std::is_same_v<T, double>;
#ifndef TA_DEVICE_COMPILE
template <>
inline constexpr bool kCompensated<Vec<double>> = true;
#endif

template <class T>
struct Dd {
  T hi, lo;
};

template <class T>
TA_HD Dd<T> two_sum(T a, T b) {
  const T s = a + b;
  const T bb = s - a;
  return {s, (a - (s - bb)) + (b - bb)};
}

template <class T>
TA_HD Dd<T> two_prod(T a, T b) {
  const T p = a * b;
  return {p, mul_add(a, b, c<T>(0) - p)};
}

template <class T>
TA_HD Dd<T> dd_add(const Dd<T>& a, const Dd<T>& b) {
  const Dd<T> s = two_sum(a.hi, b.hi);
  return two_sum(s.hi, s.lo + (a.lo + b.lo));
}

template <class T>
TA_HD Dd<T> dd_mul(const Dd<T>& a, const Dd<T>& b) {
  const Dd<T> p = two_prod(a.hi, b.hi);
  return two_sum(p.hi, mul_add(a.hi, b.lo, mul_add(a.lo, b.hi, p.lo)));
}

// a/b rounded once, given inv ≈ 1/b.hi (to a few ulps: the residual step
// corrects q = a.hi·inv to about 2^-100 relative before that rounding), so
// that one division can serve several quotients.
template <class T>
TA_HD T dd_div(const Dd<T>& a, const Dd<T>& b, T inv) {
  const T q = a.hi * inv;
  const T r = mul_add(c<T>(0) - q, b.hi, a.hi) + (a.lo - q * b.lo);
  return mul_add(r, inv, q);
}

// v·2^n for an integral n (exact unless the result is subnormal).
TA_HD double scale_pow2(double v, double n) { return n == n ? ::ldexp(v, static_cast<int>(n)) : v + n; }
#ifndef TA_DEVICE_COMPILE
inline Vec<double> scale_pow2(const Vec<double>& v, const Vec<double>& n) {
#if defined(CPU_CAPABILITY_AVX512)
  return _mm512_scalef_pd(v, n);
#else
  alignas(64) double vs[Vec<double>::size()], ns[Vec<double>::size()];
  v.store(vs);
  n.store(ns);
  for (int i = 0; i < Vec<double>::size(); ++i) vs[i] = ::ldexp(vs[i], static_cast<int>(ns[i]));
  return Vec<double>::loadu(vs);
#endif
}
#endif

// e^{-(a + al)} = 2^{-n} (E.hi + E.lo), for 0 <= a <= 1500 (|al| tiny), E in
// [0.7, 1.42] to about 2^-57 relative: n = round(a/ln 2), r = a + al - n
// ln 2 with ln 2 in three parts (n·L1 exact for n < 2^13), e^{-r} = 1 - r +
// r² Q(r) (Taylor to r^14: truncation below 2^-63 for |r| <= ln 2/2) with
// only the small tail r² Q rounded, in double.  E is kept apart from 2^{-n}
// so that a result of normal magnitude does not go through a subnormal e.
template <class T>
struct ExpDd {
  Dd<T> E;
  T n;
};
template <class T>
TA_HD ExpDd<T> exp_neg_dd(T a, T al) {
  // ln 2 = kL1 + kL2 + kL3, kL1 with 40 significant bits
  constexpr double kL1 = 0x1.62e42fefa4000p-1, kL2 = -0x1.8432a1b0e2634p-43, kL3 = 0x1.f97b57a079a19p-103;
  const T n = round_even(a * c<T>(1.4426950408889634074));
  const T r1 = a - n * c<T>(kL1);  // exact
  const Dd<T> t = two_prod(n, c<T>(kL2));
  const Dd<T> r = two_sum(r1, c<T>(0) - t.hi);
  const T rlo = r.lo + ((al - t.lo) - n * c<T>(kL3));
  constexpr double kQ[] = {1.0 / 2,       -1.0 / 6,        1.0 / 24,         -1.0 / 120,     1.0 / 720,
                           -1.0 / 5040,   1.0 / 40320,     -1.0 / 362880,    1.0 / 3628800,  -1.0 / 39916800,
                           1.0 / 479001600, -1.0 / 6227020800, 1.0 / 87178291200};
  const T tail = r.hi * r.hi * horner(r.hi, kQ);
  const Dd<T> s = two_sum(c<T>(1), c<T>(0) - r.hi);
  // e^{-(rh + rlo)} = e^{-rh}(1 - rlo): the -rlo term joins the low part
  const Dd<T> E = two_sum(s.hi, s.lo + (tail - s.hi * rlo));
  return {E, n};
}

// σ(v) σ(-v) = 2^{-n} E / D² with e^{-|v|} = 2^{-n} E and D = 1 + e^{-|v|},
// for |v| = a + al, 0 <= a <= 1500; m = σ(-|v|) rounded (to about 2 ulps).
// times(B) = B σ(v) σ(-v) rounded once (B a Dd), for f'' = B σ(v) σ(-v).
// One division: 1/D, whose square serves 1/D² (dd_div corrects it).
template <class T>
struct SigSqDd {
  ExpDd<T> e;
  Dd<T> d2;
  T inv2;  // ≈ 1/D²
  T m;
  TA_HD T times(const Dd<T>& b) const {
    return scale_pow2(dd_div(dd_mul(b, e.E), d2, inv2), c<T>(0) - e.n);
  }
};
template <class T>
TA_HD SigSqDd<T> sig_sq_dd(T a, T al) {
  const ExpDd<T> e = exp_neg_dd(a, al);
  const T nn = c<T>(0) - e.n;
  const T eh = scale_pow2(e.E.hi, nn);
  const Dd<T> d = dd_add(Dd<T>{c<T>(1), c<T>(0)}, Dd<T>{eh, scale_pow2(e.E.lo, nn)});
  const T inv = c<T>(1) / d.hi;
  return {e, dd_mul(d, d), inv * inv, eh * inv};
}

}  // namespace TA_NS
}  // namespace ta::math
