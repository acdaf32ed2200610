// The math of every pointwise activation, written once.
//
// Each functor is built from the op's Params and provides, as templates over
// the value type T (float/double scalar, or Vectorized<float/double>):
//
//   f(x)             the activation
//   df(x), d2f(x)    first and second derivative in terms of the input
//                    (when kInputDeriv)
//   dy(y), d2y(y)    the first derivative written in terms of the OUTPUT
//                    y = f(x), and the derivative of dy with respect to y
//                    (when kOutputDeriv; lets the forward save only y, as
//                    torch does for sigmoid/tanh/relu, and enables in-place)
//
// kZeroD2 marks piecewise-linear ops: the second derivative is 0 almost
// everywhere and d2f/d2y are not provided.  kConstantDeriv: nothing needs to
// be saved for the backward (linear).  output_deriv_ok(p) says whether
// dy is valid for these parameters (elu with alpha < 0 cannot recover the
// branch from the sign of y).
//
// Numerics (each is a test): every finite input, up to the dtype's maximum,
// gives finite and accurate values and derivatives; ±inf gives the limit; NaN
// propagates.  The kink conventions (x > 0 versus x >= 0) follow the torch
// peer.  Comments name the rearrangement used where the textbook formula
// overflows or cancels.
#pragma once

#include "fastmath.h"
#include "params.h"

namespace ta::math {
inline namespace TA_NS {

struct PointwiseBase {
  static constexpr bool kInputDeriv = true;
  static constexpr bool kOutputDeriv = false;
  static constexpr bool kZeroD2 = false;
  // The derivative is a constant: the backward needs no saved tensor.
  static constexpr bool kConstantDeriv = false;
  // With both derivatives, the out-of-place autograd saves the output (as
  // torch does for sigmoid and relu); the input-based ones then serve the
  // gated ops (glu, reglu), which apply the activation to an input half.
  static constexpr bool kPreferOutput = false;
  // Defines f_df(x) -> {f, f'} that shares work between the two (the gated
  // backward needs both at the same point).
  static constexpr bool kFusedFDf = false;
  static bool output_deriv_ok(const Params&) { return true; }
};

template <class T>
struct FDf {
  T f, df;
};

// f(x) and f'(x) of functor `fn`, computed together where it can share work.
template <class F, class T>
TA_HD FDf<T> f_and_df(const F& fn, T x) {
  if constexpr (F::kFusedFDf) {
    return fn.f_df(x);
  } else {
    return {fn.f(x), fn.df(x)};
  }
}

// ------------------------------------------------------------------ sigmoid
struct Sigmoid : PointwiseBase {
  static constexpr bool kOutputDeriv = true;
  static constexpr bool kPreferOutput = true;
  TA_HD explicit Sigmoid(const Params&) {}
  template <class T> TA_HD T f(T x) const { return sigmoid(x); }
  template <class T> TA_HD T df(T x) const {
    const auto s = sig2(x);
    return s.s * s.sn;
  }
  template <class T> TA_HD T d2f(T x) const {
    const auto s = sig2(x);
    return s.s * s.sn * (s.sn - s.s);
  }
  template <class T> TA_HD T dy(T y) const { return y * (c<T>(1) - y); }
  template <class T> TA_HD T d2y(T y) const { return c<T>(1) - c<T>(2) * y; }
};

// --------------------------------------------------------------------- tanh
struct Tanh : PointwiseBase {
  static constexpr bool kInputDeriv = false;
  static constexpr bool kOutputDeriv = true;
  TA_HD explicit Tanh(const Params&) {}
  template <class T> TA_HD T f(T x) const { return tanh(x); }
  template <class T> TA_HD T dy(T y) const { return c<T>(1) - y * y; }
  template <class T> TA_HD T d2y(T y) const { return c<T>(-2) * y; }
};

// ------------------------------------------------------------------- linear
struct Linear : PointwiseBase {
  static constexpr bool kInputDeriv = false;
  static constexpr bool kOutputDeriv = true;
  static constexpr bool kZeroD2 = true;
  static constexpr bool kConstantDeriv = true;
  TA_HD explicit Linear(const Params&) {}
  template <class T> TA_HD T f(T x) const { return x; }
  template <class T> TA_HD T dy(T) const { return c<T>(1); }
};

// --------------------------------------------------------------------- relu
// torch: relu(NaN) = NaN; the gradient passes where y > 0 is not known false
// (threshold_backward: 0 where y <= 0).  The same test on x or on y.
struct Relu : PointwiseBase {
  static constexpr bool kOutputDeriv = true;
  static constexpr bool kPreferOutput = true;
  static constexpr bool kZeroD2 = true;
  TA_HD explicit Relu(const Params&) {}
  template <class T> TA_HD T f(T x) const {
    return where(x <= c<T>(0), c<T>(0), x);
  }
  template <class T> TA_HD T df(T x) const {
    return where(x <= c<T>(0), c<T>(0), c<T>(1));
  }
  template <class T> TA_HD T dy(T y) const { return df(y); }
};

// -------------------------------------------------------------------- relu6
// torch's hardtanh(0, 6): gradient 0 where x <= 0 or x >= 6.  The same test
// on y = clamp(x, 0, 6) gives the same answer, so dy is df.
struct Relu6 : PointwiseBase {
  static constexpr bool kOutputDeriv = true;
  static constexpr bool kZeroD2 = true;
  TA_HD explicit Relu6(const Params&) {}
  template <class T> TA_HD T f(T x) const {
    return clamp_nan(x, c<T>(0), c<T>(6));
  }
  template <class T> TA_HD T df(T x) const {
    return where((x <= c<T>(0)) | (x >= c<T>(6)), c<T>(0), c<T>(1));
  }
  template <class T> TA_HD T dy(T y) const { return df(y); }
};

// --------------------------------------------------------------- leaky_relu
// p[0] = negative_slope.  With a slope >= 0, y > 0 exactly when x > 0.
struct LeakyRelu : PointwiseBase {
  static constexpr bool kOutputDeriv = true;
  static constexpr bool kZeroD2 = true;
  double a;
  TA_HD explicit LeakyRelu(const Params& p) : a(p.v[0]) {}
  static bool output_deriv_ok(const Params& p) { return p.v[0] >= 0.0; }
  template <class T> TA_HD T f(T x) const {
    return where(x > c<T>(0), x, x * c<T>(a));
  }
  template <class T> TA_HD T df(T x) const {
    return where(x > c<T>(0), c<T>(1), c<T>(a));
  }
  template <class T> TA_HD T dy(T y) const { return df(y); }
};

// ------------------------------------------------------- elu / selu / celu
// torch's parametrisation: p = (alpha, scale, input_scale)
//   f = scale·x                          for x > 0
//       scale·alpha·expm1(input_scale·x) for x <= 0
// elu: (alpha, 1, 1); selu: (α, λ, 1); celu: (alpha, 1, 1/alpha).
// In terms of y (x <= 0 branch): exp(input_scale·x) = y/(scale·alpha) + 1.
struct Elu : PointwiseBase {
  static constexpr bool kOutputDeriv = true;
  double alpha, scale, in_scale;
  TA_HD explicit Elu(const Params& p)
      : alpha(p.v[0]), scale(p.v[1]), in_scale(p.v[2]) {}
  // y <= 0 must mean x <= 0.
  static bool output_deriv_ok(const Params& p) {
    return p.v[0] * p.v[2] >= 0.0 && p.v[1] > 0.0;
  }
  template <class T> TA_HD T f(T x) const {
    return where(x <= c<T>(0), expm1(x * c<T>(in_scale)) * c<T>(alpha * scale),
                 x * c<T>(scale));
  }
  template <class T> TA_HD T df(T x) const {
    return where(x <= c<T>(0),
                 exp(x * c<T>(in_scale)) * c<T>(alpha * scale * in_scale),
                 c<T>(scale));
  }
  template <class T> TA_HD T d2f(T x) const {
    return where(x <= c<T>(0),
                 exp(x * c<T>(in_scale)) *
                     c<T>(alpha * scale * in_scale * in_scale),
                 c<T>(0));
  }
  template <class T> TA_HD T dy(T y) const {
    return where(y <= c<T>(0), (y + c<T>(alpha * scale)) * c<T>(in_scale),
                 c<T>(scale));
  }
  template <class T> TA_HD T d2y(T y) const {
    return where(y <= c<T>(0), c<T>(in_scale), c<T>(0));
  }
};

// --------------------------------------------------------------------- gelu
// p[0] = 1 for approximate='tanh'.
// exact:  x·Φ(x) with Φ(x) = erfc(-x/√2)/2 (no 1+erf cancellation for x < 0).
//         Below x = -40 the product underflows to 0, so x is clamped there:
//         that is exact for finite x and gives the limit 0 at -inf.
// tanh:   ½x(1+tanh(u)) = x·σ(2u), u = √(2/π)(x + 0.044715x³).
struct Gelu : PointwiseBase {
  bool tanh_approx;
  TA_HD explicit Gelu(const Params& p) : tanh_approx(p.v[0] != 0.0) {}

  static constexpr double kSqrt1_2 = 0.70710678118654752440;
  static constexpr double kInvSqrt2Pi = 0.39894228040143267794;
  static constexpr double kBeta = 0.79788456080286535588;  // √(2/π)
  static constexpr double kKappa = 0.044715;

  template <class T> TA_HD static T Phi(T x) {
    return c<T>(0.5) * erfc(x * c<T>(-kSqrt1_2));
  }
  template <class T> TA_HD static T phi(T x) {
    return exp(c<T>(-0.5) * x * x) * c<T>(kInvSqrt2Pi);
  }
  // v = 2u and its first two derivatives.
  template <class T> TA_HD static T v(T x) {
    return c<T>(2 * kBeta) * (x + c<T>(kKappa) * x * x * x);
  }
  template <class T> TA_HD static T dv(T x) {
    return c<T>(2 * kBeta) * (c<T>(1) + c<T>(3 * kKappa) * x * x);
  }

  template <class T> TA_HD T f(T x) const {
    if (tanh_approx) {
      return mul0(x, sigmoid(v(x)));
    }
    const T xl = max_nan(x, c<T>(-40));
    return xl * Phi(xl);
  }
  template <class T> TA_HD T df(T x) const {
    const T xc = clamp_nan(x, c<T>(-40), c<T>(40));
    if (tanh_approx) {
      const auto s = sig2(v(xc));
      return s.s + xc * dv(xc) * s.s * s.sn;
    }
    return Phi(xc) + xc * phi(xc);
  }
  // Both with one Φ: Φ(clamp(x, -40, 40)) equals Φ(max(x, -40)), which f
  // uses, since Φ(x) rounds to 1 for every x >= 40.
  static constexpr bool kFusedFDf = true;
  template <class T> TA_HD FDf<T> f_df(T x) const {
    if (tanh_approx) {
      return {f(x), df(x)};
    }
    const T xc = clamp_nan(x, c<T>(-40), c<T>(40));
    const T p = Phi(xc);
    return {max_nan(x, c<T>(-40)) * p, p + xc * phi(xc)};
  }
  template <class T> TA_HD T d2f(T x) const {
    const T xc = clamp_nan(x, c<T>(-40), c<T>(40));
    if (tanh_approx) {
      const auto s = sig2(v(xc));
      const T d1 = dv(xc);
      const T d2 = c<T>(12 * kBeta * kKappa) * xc;
      return s.s * s.sn *
             (c<T>(2) * d1 + xc * d2 + xc * d1 * d1 * (s.sn - s.s));
    }
    return phi(xc) * (c<T>(2) - xc * xc);
  }
};

// -------------------------------------------------------------- swish, silu
// p[0] = beta.  f = x·σ(βx); the products with σ(v)σ(-v), which vanish as
// |v| grows, use mul0 so that ±inf gives the limit instead of inf·0.
struct Swish : PointwiseBase {
  double beta;
  TA_HD explicit Swish(const Params& p) : beta(p.v[0]) {}
  template <class T> TA_HD T f(T x) const {
    return mul0(x, sigmoid(x * c<T>(beta)));
  }
  template <class T> TA_HD T df(T x) const {
    return f_df(x).df;
  }
  // f and f' from one σ (f's value may differ from f(x) in the last bit:
  // σ of a negative argument comes from e/(1 + e) here).
  static constexpr bool kFusedFDf = true;
  template <class T> TA_HD FDf<T> f_df(T x) const {
    const T v = x * c<T>(beta);
    const auto s = sig2(v);
    return {mul0(x, s.s), s.s + mul0(v, s.s * s.sn)};
  }
  template <class T> TA_HD T d2f(T x) const {
    const T v = x * c<T>(beta);
    const auto s = sig2(v);
    return mul0(c<T>(beta) * (c<T>(2) + v * (s.sn - s.s)), s.s * s.sn);
  }
};

// ------------------------------------------------------------------- eswish
// p[0] = beta: β·x·σ(x), i.e. β times silu.
struct Eswish : PointwiseBase {
  double beta;
  Swish silu;
  TA_HD explicit Eswish(const Params& p) : beta(p.v[0]), silu(Params{{1.0}}) {}
  template <class T> TA_HD T f(T x) const { return c<T>(beta) * silu.f(x); }
  template <class T> TA_HD T df(T x) const { return c<T>(beta) * silu.df(x); }
  template <class T> TA_HD T d2f(T x) const { return c<T>(beta) * silu.d2f(x); }
};

// --------------------------------------------------------------------- mish
// t = tanh(softplus(x)), 1 - t² and σ(x) all from q = exp(-|x|) in [0, 1]:
//   x >= 0: t = (1+2q)/(1+2q+2q²),   1-t² = 4q²(1+q)²/(1+2q+2q²)²
//   x <  0: t = q(q+2)/(q²+2q+2),    1-t² = 4(1+q)²/(q²+2q+2)²
// one exp, no overflow, no cancellation.
struct Mish : PointwiseBase {
  TA_HD explicit Mish(const Params&) {}
  template <class T>
  struct Parts {
    T t, omt2, sig, sign;  // tanh(sp(x)), 1 - t², σ(x), σ(-x)
  };
  template <class T> TA_HD static Parts<T> parts(T x) {
    const T one = c<T>(1), two = c<T>(2);
    const T q = exp(c<T>(0) - abs(x));
    const T q2 = q * q;
    const auto pos = x >= c<T>(0);
    const T den = where(pos, one + two * q + two * q2, q2 + two * q + two);
    const T num = where(pos, one + two * q, q * (q + two));
    const T w = (one + q) / den;
    const T inv1q = one / (one + q);
    return {num / den, c<T>(4) * w * w * where(pos, q2, one),
            where(pos, one, q) * inv1q, where(pos, q, one) * inv1q};
  }
  template <class T> TA_HD T f(T x) const { return mul0(x, parts(x).t); }
  template <class T> TA_HD T df(T x) const {
    const auto p = parts(x);
    return p.t + mul0(x, p.omt2 * p.sig);
  }
  template <class T> TA_HD T d2f(T x) const {
    const auto p = parts(x);
    return mul0(c<T>(2) + x * p.sign - c<T>(2) * x * p.t * p.sig,
                p.omt2 * p.sig);
  }
};

// --------------------------------------------------------------------- sqnl
// On [-2, 2]: x - x|x|/4; clamping x to [-2, 2] gives ±1 outside.
struct Sqnl : PointwiseBase {
  TA_HD explicit Sqnl(const Params&) {}
  template <class T> TA_HD T f(T x) const {
    const T xc = clamp_nan(x, c<T>(-2), c<T>(2));
    return xc - xc * abs(xc) * c<T>(0.25);
  }
  template <class T> TA_HD T df(T x) const {
    return c<T>(1) - abs(clamp_nan(x, c<T>(-2), c<T>(2))) * c<T>(0.5);
  }
  template <class T> TA_HD T d2f(T x) const {
    return where(abs(x) <= c<T>(2),
                 where(x >= c<T>(0), c<T>(-0.5), c<T>(0.5)), c<T>(0));
  }
};

// ------------------------------------------------------------ bent_identity
// (√(x²+1) - 1)/2 + x = x·(1 + r/2) with r = x/(h+1), h = √(x²+1): no
// cancellation near 0.  Beyond |x| = 1e18 (float; 1e150 double) h is |x| to
// the last bit, so x is clamped there inside h and r: no overflow of x², and
// ±inf gives r = ±1.
struct BentIdentity : PointwiseBase {
  TA_HD explicit BentIdentity(const Params&) {}
  template <class T>
  struct Parts {
    T xc, h;
  };
  template <class T> TA_HD static Parts<T> parts(T x) {
    const T lim = c<T>(Precision<scalar_of_t<T>>::kSqrtLarge);
    const T xc = clamp_nan(x, c<T>(0) - lim, lim);
    return {xc, sqrt(xc * xc + c<T>(1))};
  }
  template <class T> TA_HD T f(T x) const {
    const auto p = parts(x);
    return x * (c<T>(1) + c<T>(0.5) * (p.xc / (p.h + c<T>(1))));
  }
  template <class T> TA_HD T df(T x) const {
    const auto p = parts(x);
    return c<T>(0.5) * (p.xc / p.h) + c<T>(1);
  }
  template <class T> TA_HD T d2f(T x) const {
    const T h = parts(x).h;
    return c<T>(0.5) / (h * h * h);
  }
};

// ----------------------------------------------------------------- softplus
// p = (beta, threshold).  log(1+e^v)/β with v = βx, computed as
// max(v, 0) + log1p(exp(-|v|)) so any threshold is safe; x itself above it.
struct Softplus : PointwiseBase {
  double beta, threshold;
  TA_HD explicit Softplus(const Params& p) : beta(p.v[0]), threshold(p.v[1]) {}
  template <class T> TA_HD T f(T x) const {
    const T v = x * c<T>(beta);
    const T sp = max_nan(v, c<T>(0)) + log1p_small(exp(c<T>(0) - abs(v)));
    return where(v > c<T>(threshold), x, sp / c<T>(beta));
  }
  template <class T> TA_HD T df(T x) const {
    const T v = x * c<T>(beta);
    return where(v > c<T>(threshold), c<T>(1), sigmoid(v));
  }
  template <class T> TA_HD T d2f(T x) const {
    const T v = x * c<T>(beta);
    const auto s = sig2(v);
    return where(v > c<T>(threshold), c<T>(0), c<T>(beta) * s.s * s.sn);
  }
};

// ----------------------------------------------------------------- softsign
// r = 1/(1+|x|); f = x/(1+|x|), f' = r², f'' = -2·sign(x)·r³ (0 at x = 0, the sign
// autograd gives torch's composite softsign).
struct Softsign : PointwiseBase {
  TA_HD explicit Softsign(const Params&) {}
  template <class T> TA_HD static T r(T x) {
    return c<T>(1) / (c<T>(1) + abs(x));
  }
  template <class T> TA_HD T f(T x) const {
    // one rounding (x·r would round twice: softsign(1e300) = 1 - 2^-53);
    // ±inf is clamped to the largest finite value, whose quotient is ±1.
    const T xc = clamp_nan(x, c<T>(0) - finite_max<T>(), finite_max<T>());
    return xc / (c<T>(1) + abs(xc));
  }
  template <class T> TA_HD T df(T x) const {
    const T rr = r(x);
    return rr * rr;
  }
  template <class T> TA_HD T d2f(T x) const {
    const T rr = r(x);
    const T sign = where(x > c<T>(0), c<T>(1),
                         where(x < c<T>(0), c<T>(-1), c<T>(0)));
    return c<T>(-2) * sign * rr * rr * rr;
  }
};

// ------------------------------------------------------------ sine, cosine
// p[0] = w0.
struct Sine : PointwiseBase {
  double w0;
  TA_HD explicit Sine(const Params& p) : w0(p.v[0]) {}
  template <class T> TA_HD T f(T x) const { return sin(x * c<T>(w0)); }
  template <class T> TA_HD T df(T x) const {
    return c<T>(w0) * cos(x * c<T>(w0));
  }
  template <class T> TA_HD T d2f(T x) const {
    return c<T>(-w0 * w0) * sin(x * c<T>(w0));
  }
};

struct Cosine : PointwiseBase {
  double w0;
  TA_HD explicit Cosine(const Params& p) : w0(p.v[0]) {}
  template <class T> TA_HD T f(T x) const { return cos(x * c<T>(w0)); }
  template <class T> TA_HD T df(T x) const {
    return c<T>(-w0) * sin(x * c<T>(w0));
  }
  template <class T> TA_HD T d2f(T x) const {
    return c<T>(-w0 * w0) * cos(x * c<T>(w0));
  }
};

// --------------------------------------------------------------------- sinc
// p[0] = 1 for normalized (u = πx), 0 for u = x.  With s = sin(u)/u:
//   d/du sinc   = (cos u - s)/u
//   d²/du² sinc = 2(s - cos u)/u² - s
// Both cancel catastrophically for small u, so |u| < 1 uses their Taylor
// series (in z = u², Horner form, terms to below double precision).  For the
// normalized form sin(πx) and cos(πx) are taken of the exactly reduced
// argument x - 2·round(x/2), so integers give exact zeros even when πx is
// huge.  All three tend to 0 at ±inf.
struct Sinc : PointwiseBase {
  bool normalized;
  TA_HD explicit Sinc(const Params& p) : normalized(p.v[0] != 0.0) {}
  static constexpr double kPi = 3.14159265358979323846;
  template <class T>
  struct Parts {
    T u, sin_u, cos_u;
  };
  template <class T> TA_HD Parts<T> parts(T x) const {
    if (normalized) {
      const T r = x - c<T>(2) * round_even(x * c<T>(0.5));
      const T ur = r * c<T>(kPi);
      return {x * c<T>(kPi), sin(ur), cos(ur)};
    }
    return {x, sin(x), cos(x)};
  }
  TA_HD double k() const { return normalized ? kPi : 1.0; }
  // 1 + r1 z (1 + r2 z (1 + ...)): the series with its coefficient ratios.
  template <class T, class Ratio>
  TA_HD static T series(T z, Ratio ratio) {
    T acc = c<T>(1);
    for (int j = 10; j >= 1; --j) {
      acc = c<T>(1) + c<T>(ratio(j)) * z * acc;
    }
    return acc;
  }
  // -u/3 + u³/30 - ...: c_{j+1}/c_j = -1/(2j(2j+3))
  template <class T> TA_HD static T d1_series(T u) {
    return c<T>(-1.0 / 3.0) * u *
           series(u * u, [](int j) { return -1.0 / (2.0 * j * (2.0 * j + 3.0)); });
  }
  // -1/3 + u²/10 - ...: c_{j+1}/c_j = -(2j+1)/(2j(2j-1)(2j+3))
  template <class T> TA_HD static T d2_series(T u) {
    return c<T>(-1.0 / 3.0) *
           series(u * u, [](int j) {
             return -(2.0 * j + 1.0) / (2.0 * j * (2.0 * j - 1.0) * (2.0 * j + 3.0));
           });
  }

  template <class T> TA_HD T f(T x) const {
    const auto p = parts(x);
    const T val = where(p.u == c<T>(0), c<T>(1), p.sin_u / p.u);
    return where(abs(p.u) == inf<T>(), c<T>(0), val);
  }
  template <class T> TA_HD T df(T x) const {
    const auto p = parts(x);
    const T s = p.sin_u / p.u;
    const T big = (p.cos_u - s) / p.u;
    const T val = where(abs(p.u) < c<T>(1), d1_series(p.u), big);
    return c<T>(k()) * where(abs(p.u) == inf<T>(), c<T>(0), val);
  }
  template <class T> TA_HD T d2f(T x) const {
    const auto p = parts(x);
    const T s = p.sin_u / p.u;
    const T big = c<T>(2) * (s - p.cos_u) / (p.u * p.u) - s;
    const T val = where(abs(p.u) < c<T>(1), d2_series(p.u), big);
    return c<T>(k() * k()) * where(abs(p.u) == inf<T>(), c<T>(0), val);
  }
};

// ------------------------------------------------------------------- arctan
// f' = 1/(1+x²), f'' = -2x/(1+x²)²; for |x| > 1 written in w = 1/x
// (f' = w²/(1+w²), f'' = -2w³/(1+w²)²) so tails do not underflow early.
struct Arctan : PointwiseBase {
  TA_HD explicit Arctan(const Params&) {}
  template <class T> TA_HD T f(T x) const { return atan(x); }
  template <class T>
  struct Parts {
    T w, q;  // w = x or 1/x, q = 1/(1+w²)
    decltype(T() > T()) big;
  };
  template <class T> TA_HD static Parts<T> parts(T x) {
    const auto big = abs(x) > c<T>(1);
    const T w = where(big, c<T>(1) / x, x);
    return {w, c<T>(1) / (c<T>(1) + w * w), big};
  }
  template <class T> TA_HD T df(T x) const {
    const auto p = parts(x);
    return where(p.big, p.w * p.w * p.q, p.q);
  }
  template <class T> TA_HD T d2f(T x) const {
    const auto p = parts(x);
    return c<T>(-2) * p.w * p.q * p.q * where(p.big, p.w * p.w, c<T>(1));
  }
};

// --------------------------------------------------------------- logsigmoid
struct LogSigmoid : PointwiseBase {
  TA_HD explicit LogSigmoid(const Params&) {}
  template <class T> TA_HD T f(T x) const {
    return min_nan(x, c<T>(0)) - log1p_small(exp(c<T>(0) - abs(x)));
  }
  template <class T> TA_HD T df(T x) const { return sig2(x).sn; }
  template <class T> TA_HD T d2f(T x) const {
    const auto s = sig2(x);
    return c<T>(0) - s.s * s.sn;
  }
};

// ------------------------------------------------------------------ tanhexp
// E = e^x; tanh(E) and 1 - tanh(E)² from tanh_sech2 (exact for tiny and
// huge E alike); products with x use mul0, so ±inf give the limits.
struct TanhExp : PointwiseBase {
  TA_HD explicit TanhExp(const Params&) {}
  template <class T> TA_HD T f(T x) const {
    return mul0(x, tanh_sech2(exp(x)).t);
  }
  template <class T> TA_HD T df(T x) const {
    const T e = exp(x);
    const auto t = tanh_sech2(e);
    return t.t + mul0(mul0(x, e), t.sech2);
  }
  template <class T> TA_HD T d2f(T x) const {
    const T e = exp(x);
    const auto t = tanh_sech2(e);
    const T xe = mul0(x, e);
    return mul0(c<T>(2) + x - c<T>(2) * xe * t.t, mul0(e, t.sech2));
  }
};

// --------------------------------------------------------------- hard_swish
// torch: x·relu6(x+3)/6; gradient 0 for x <= -3, x/3 + 1/2 on (-3, 3), 1 for
// x >= 3 (torch's kink convention; the catalog defers to it).  The -inf limit
// is 0 (torch's formula gives -inf·0 = NaN there).
struct HardSwish : PointwiseBase {
  TA_HD explicit HardSwish(const Params&) {}
  template <class T> TA_HD T f(T x) const {
    return where(x <= c<T>(-3), c<T>(0),
                 where(x >= c<T>(3), x, x * (x + c<T>(3)) / c<T>(6)));
  }
  template <class T> TA_HD T df(T x) const {
    return where(x <= c<T>(-3), c<T>(0),
                 where(x < c<T>(3), x / c<T>(3) + c<T>(0.5), c<T>(1)));
  }
  template <class T> TA_HD T d2f(T x) const {
    return where((x > c<T>(-3)) & (x < c<T>(3)), c<T>(1.0 / 3.0), c<T>(0));
  }
};

// ------------------------------------------------------------- hard_sigmoid
// p = (slope, offset): clamp(slope·x + offset, 0, 1), computed as
// (x + offset/slope)/(1/slope) so that the default (1/6, 1/2) is exactly
// torch's (x + 3)/6, kinks at exactly ±3 included.  The gradient is the slope
// where 0 < y < 1 (so dy is df's test applied to y).
struct HardSigmoid : PointwiseBase {
  static constexpr bool kOutputDeriv = true;
  static constexpr bool kZeroD2 = true;
  double slope, offset, inv_slope, shift;
  TA_HD explicit HardSigmoid(const Params& p)
      : slope(p.v[0]),
        offset(p.v[1]),
        inv_slope(p.v[0] != 0.0 ? 1.0 / p.v[0] : 0.0),
        shift(p.v[0] != 0.0 ? p.v[1] * (1.0 / p.v[0]) : 0.0) {}
  template <class T> TA_HD T z(T x) const {
    if (slope == 0.0) return c<T>(offset) + x * c<T>(0);
    return (x + c<T>(shift)) / c<T>(inv_slope);
  }
  template <class T> TA_HD static T inside(T zz, T val) {
    return where((zz > c<T>(0)) & (zz < c<T>(1)), val, c<T>(0));
  }
  template <class T> TA_HD T f(T x) const {
    return clamp_nan(z(x), c<T>(0), c<T>(1));
  }
  template <class T> TA_HD T df(T x) const { return inside(z(x), c<T>(slope)); }
  template <class T> TA_HD T dy(T y) const { return inside(y, c<T>(slope)); }
};

// --------------------------------------------------------------- quant_relu
// p = (levels L, max_val m): round(clamp(x, 0, m)/m·L)·m/L, ties to even;
// straight-through gradient 1 on (0, m).
struct QuantRelu : PointwiseBase {
  static constexpr bool kZeroD2 = true;
  double levels, max_val;
  TA_HD explicit QuantRelu(const Params& p) : levels(p.v[0]), max_val(p.v[1]) {}
  template <class T> TA_HD T f(T x) const {
    const T xc = clamp_nan(x, c<T>(0), c<T>(max_val));
    return round_even(xc / c<T>(max_val) * c<T>(levels)) * c<T>(max_val) /
           c<T>(levels);
  }
  template <class T> TA_HD T df(T x) const {
    return where((x > c<T>(0)) & (x < c<T>(max_val)), c<T>(1), c<T>(0));
  }
};

}  // namespace TA_NS
}  // namespace ta::math
