// Jets: truncated Taylor series, for derivatives of any order from f itself.
//
// A Jet<S> holds the normalised Taylor coefficients c[k] = u^(k)(x0)/k! of a
// quantity u at a point, for k < n (n <= kJetMax, set at run time).  The
// activation functors are templates over their value type, so evaluating
// F::f on the jet x = (x0, 1, 0, ...) gives f's Taylor coefficients at x0,
// and f^(n)(x0) = n! c[n]: every order comes from the one formula of f, with
// its rearrangements against overflow and cancellation.
//
// Arithmetic is the Cauchy product and the division recurrence; each
// elementary function gets its coefficients from the recurrence of its ODE
// (Griewank & Walther, "Evaluating Derivatives", ch. 13): for v = φ(u) with
// φ' = ψ(u), v[k] = (1/k) Σ_{j=1..k} j u[j] ψ(u)[k-j].  The value v[0] comes
// from the scalar function, so the jet agrees with the scalar path at order
// zero; the recurrences use the exact derivative (erfc' = -2/√π e^{-u²},
// ...), never the polynomial fits that fastmath.h uses for speed.
//
// Comparisons look at the value c[0] only, so `where` picks a whole branch;
// at a kink the jet is that branch's one-sided expansion.  Constants (c<T>)
// are jets with every higher coefficient 0; they carry n = kJetMax, and
// binary operations use the smaller n of their operands.
#pragma once

#include "overloads.h"

// In device code the jet operations are real calls: inlined into every
// functor of every op they make device code that ptxas takes many minutes
// over (the jet kernels serve derivatives of order three and up, where the
// call costs little beside the O(n²) series arithmetic).
#if defined(__CUDACC__)
#define TA_JET_HD C10_HOST_DEVICE __noinline__
#else
#define TA_JET_HD TA_HD
#endif

namespace ta::math {
inline namespace TA_NS {

// The highest derivative order the jet kernels compute.
constexpr int kJetMaxOrder = 8;
constexpr int kJetMax = kJetMaxOrder + 1;

template <class S>
struct Jet {
  S c[kJetMax];
  int n;

  TA_HD Jet() : n(kJetMax) {
    for (int k = 0; k < kJetMax; ++k) c[k] = S(0);
  }
  // A constant.
  TA_HD Jet(S v) : n(kJetMax) {  // NOLINT: implicit, as the overload set's constants
    c[0] = v;
    for (int k = 1; k < kJetMax; ++k) c[k] = S(0);
  }
  // The independent variable at x0, with `terms` coefficients.
  TA_HD static Jet variable(S x0, int terms) {
    Jet j;
    j.n = terms;
    j.c[0] = x0;
    if (terms > 1) j.c[1] = S(1);
    return j;
  }
  TA_HD S value() const { return c[0]; }
};

template <class S>
struct scalar_of<Jet<S>> {
  using type = S;
};

template <class S>
TA_HD int jet_terms(const Jet<S>& a, const Jet<S>& b) {
  return a.n < b.n ? a.n : b.n;
}

// ------------------------------------------------------------ arithmetic
template <class S>
TA_JET_HD Jet<S> operator+(const Jet<S>& a, const Jet<S>& b) {
  Jet<S> r;
  r.n = jet_terms(a, b);
  for (int k = 0; k < r.n; ++k) r.c[k] = a.c[k] + b.c[k];
  return r;
}

template <class S>
TA_JET_HD Jet<S> operator-(const Jet<S>& a, const Jet<S>& b) {
  Jet<S> r;
  r.n = jet_terms(a, b);
  for (int k = 0; k < r.n; ++k) r.c[k] = a.c[k] - b.c[k];
  return r;
}

template <class S>
TA_JET_HD Jet<S> operator-(const Jet<S>& a) {
  Jet<S> r;
  r.n = a.n;
  for (int k = 0; k < r.n; ++k) r.c[k] = -a.c[k];
  return r;
}

template <class S>
TA_JET_HD Jet<S> operator*(const Jet<S>& a, const Jet<S>& b) {
  Jet<S> r;
  r.n = jet_terms(a, b);
  for (int k = 0; k < r.n; ++k) {
    S s = S(0);
    for (int j = 0; j <= k; ++j) s += a.c[j] * b.c[k - j];
    r.c[k] = s;
  }
  return r;
}

// q = a / b: q[k] = (a[k] - Σ_{j=1..k} b[j] q[k-j]) / b[0].
template <class S>
TA_JET_HD Jet<S> operator/(const Jet<S>& a, const Jet<S>& b) {
  Jet<S> q;
  q.n = jet_terms(a, b);
  for (int k = 0; k < q.n; ++k) {
    S s = a.c[k];
    for (int j = 1; j <= k; ++j) s -= b.c[j] * q.c[k - j];
    q.c[k] = s / b.c[0];
  }
  return q;
}

// Comparisons of the values (the branch a `where` takes).
#define TA_JET_COMPARE(op)                                                   \
  template <class S>                                                         \
  TA_HD bool operator op(const Jet<S>& a, const Jet<S>& b) { return a.c[0] op b.c[0]; }
TA_JET_COMPARE(<)
TA_JET_COMPARE(<=)
TA_JET_COMPARE(>)
TA_JET_COMPARE(>=)
TA_JET_COMPARE(==)
TA_JET_COMPARE(!=)
#undef TA_JET_COMPARE

// --------------------------------------------------- elementary functions
// v with v[0] = v0 and v' = psi u': v[k] = (1/k) Σ_{j=1..k} j u[j] psi[k-j].
// `psi` may depend on v itself (exp: psi = v), so it is a callable that
// returns the coefficient psi[m] once v[0..m] are known.
template <class S, class Psi>
TA_JET_HD Jet<S> jet_ode(const Jet<S>& u, S v0, Psi psi) {
  Jet<S> v;
  v.n = u.n;
  v.c[0] = v0;
  for (int k = 1; k < v.n; ++k) {
    S s = S(0);
    for (int j = 1; j <= k; ++j) s += S(j) * u.c[j] * psi(v, k - j);
    v.c[k] = s / S(k);
  }
  return v;
}

template <class S>
TA_JET_HD Jet<S> exp(const Jet<S>& u) {
  return jet_ode(u, exp(u.c[0]), [](const Jet<S>& v, int m) { return v.c[m]; });
}

// expm1: the coefficients of exp past the first.
template <class S>
TA_JET_HD Jet<S> expm1(const Jet<S>& u) {
  Jet<S> e = exp(u);
  e.c[0] = expm1(u.c[0]);
  return e;
}

// log(1 + u) and log(u): v' = u' / (1 + u), solved for v[k].
template <class S>
TA_JET_HD Jet<S> jet_log_of(const Jet<S>& u, S base, S v0) {
  Jet<S> v;
  v.n = u.n;
  v.c[0] = v0;
  for (int k = 1; k < v.n; ++k) {
    S s = S(k) * u.c[k];
    for (int j = 1; j < k; ++j) s -= S(j) * v.c[j] * u.c[k - j];
    v.c[k] = s / (S(k) * base);
  }
  return v;
}

template <class S>
TA_JET_HD Jet<S> log(const Jet<S>& u) {
  return jet_log_of(u, u.c[0], log(u.c[0]));
}

template <class S>
TA_JET_HD Jet<S> log1p(const Jet<S>& u) {
  return jet_log_of(u, S(1) + u.c[0], log1p(u.c[0]));
}

// s² = u: s[k] = (u[k] - Σ_{j=1..k-1} s[j] s[k-j]) / (2 s[0]).
// a·b + c (the functors' fma; a jet's coefficients round each term anyway).
template <class S>
TA_JET_HD Jet<S> mul_add(const Jet<S>& a, const Jet<S>& b, const Jet<S>& c) {
  return a * b + c;
}

template <class S>
TA_JET_HD Jet<S> sqrt(const Jet<S>& u) {
  Jet<S> s;
  s.n = u.n;
  s.c[0] = sqrt(u.c[0]);
  for (int k = 1; k < s.n; ++k) {
    S t = u.c[k];
    for (int j = 1; j < k; ++j) t -= s.c[j] * s.c[k - j];
    s.c[k] = t / (S(2) * s.c[0]);
  }
  return s;
}

// sin and cos together: s' = c u', c' = -s u'.
template <class S>
struct JetSinCos {
  Jet<S> s, c;
};

template <class S>
TA_JET_HD JetSinCos<S> sincos(const Jet<S>& u) {
  JetSinCos<S> r;
  r.s.n = r.c.n = u.n;
  r.s.c[0] = sin(u.c[0]);
  r.c.c[0] = cos(u.c[0]);
  for (int k = 1; k < u.n; ++k) {
    S ss = S(0), cc = S(0);
    for (int j = 1; j <= k; ++j) {
      ss += S(j) * u.c[j] * r.c.c[k - j];
      cc -= S(j) * u.c[j] * r.s.c[k - j];
    }
    r.s.c[k] = ss / S(k);
    r.c.c[k] = cc / S(k);
  }
  return r;
}

template <class S>
TA_JET_HD Jet<S> sin(const Jet<S>& u) {
  return sincos(u).s;
}

template <class S>
TA_JET_HD Jet<S> cos(const Jet<S>& u) {
  return sincos(u).c;
}

// tanh and its derivative 1 - t² together: t' = (1 - t²) u'.  The value of
// 1 - t² comes from the scalar tanh_sech2 (accurate where t rounds to ±1);
// its higher coefficients are -Σ t[j] t[k-j].
template <class S>
TA_JET_HD TanhSech2<Jet<S>> tanh_sech2(const Jet<S>& u) {
  const TanhSech2<S> v = tanh_sech2(u.c[0]);
  Jet<S> t, s;
  t.n = s.n = u.n;
  t.c[0] = v.t;
  s.c[0] = v.sech2;
  for (int k = 1; k < u.n; ++k) {
    S a = S(0);
    for (int j = 1; j <= k; ++j) a += S(j) * u.c[j] * s.c[k - j];
    t.c[k] = a / S(k);
    S b = S(0);
    for (int j = 0; j <= k; ++j) b -= t.c[j] * t.c[k - j];
    s.c[k] = b;
  }
  return {t, s};
}

template <class S>
TA_JET_HD Jet<S> tanh(const Jet<S>& u) {
  return tanh_sech2(u).t;
}

// atan: v' = u' / (1 + u²).
template <class S>
TA_JET_HD Jet<S> atan(const Jet<S>& u) {
  const Jet<S> d = Jet<S>(S(1)) / (Jet<S>(S(1)) + u * u);
  return jet_ode(u, atan(u.c[0]), [&d](const Jet<S>&, int m) { return d.c[m]; });
}

// erfc: v' = -2/√π e^{-u²} u'.
template <class S>
TA_JET_HD Jet<S> erfc(const Jet<S>& u) {
  const Jet<S> q = exp(-(u * u));
  const S k = S(-1.1283791670955125738961589031215452);  // -2/√π
  return jet_ode(u, erfc(u.c[0]), [&q, k](const Jet<S>&, int m) { return k * q.c[m]; });
}

// |u|: the branch of the sign of u[0] (at 0, the branch of u >= 0, as the
// functors' `x >= 0` tests choose).
template <class S>
TA_JET_HD Jet<S> abs(const Jet<S>& u) {
  return u.c[0] < S(0) ? -u : u;
}

// round: piecewise constant.
template <class S>
TA_JET_HD Jet<S> round_even(const Jet<S>& u) {
  return Jet<S>(round_even(u.c[0]));
}

}  // namespace TA_NS
}  // namespace ta::math
