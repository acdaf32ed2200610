// The math of every pointwise activation, written once.
//
// Each functor is built from its named arguments (the struct F::Args, filled
// by the op's descriptor from the schema arguments, see csrc/generated/spec.h)
// and provides, as templates over the value type T (float/double scalar,
// Vectorized<float/double>, or a Jet of Taylor coefficients, csrc/math/jet.h):
//
//   f(x)             the activation
//   df(x), d2f(x)    first and second derivative in terms of the input
//                    (when kInputDeriv)
//   dy(y), d2y(y)    the first derivative written in terms of the OUTPUT
//                    y = f(x), and the derivative of dy with respect to y
//                    (when kOutputDeriv: the in-place op then keeps only y
//                    for the backward)
//
// Derivatives of order three and higher come from f itself, evaluated on
// jets (truncated Taylor series, csrc/math/jet.h), and likewise from dy for
// the in-place backward.  kZeroD2 marks piecewise-linear ops: every
// derivative past the first is 0 almost everywhere and d2f/d2y are not
// provided.  kConstantDeriv: nothing needs to be saved for the backward
// (linear).  output_deriv_ok(args) says whether dy is valid for these
// arguments (elu with alpha < 0 cannot recover the branch from the sign of y).
//
// Numerics (each is a test): every finite input, up to the dtype's maximum,
// gives finite and accurate values and derivatives; ±inf gives the limit; NaN
// propagates.  The kink conventions (x > 0 versus x >= 0) follow the torch
// peer.  Comments name the rearrangement used where the textbook formula
// overflows or cancels.
#pragma once

#include "dd.h"
#include "fastmath.h"
#include "trig.h"
#include "../generated/choices.h"

namespace ta::math {
inline namespace TA_NS {

// Bits of PointwiseBase::kWide: which of f, f', f'' a float input computes
// in double (csrc/math/kernel_ops.h).
constexpr int kWideF = 1, kWideD1 = 2, kWideD2 = 4, kWideAll = 7;
// kWideF and kWideD1 in the DEFAULT CPU build only, 0 in every other: its
// float vectors have no fused multiply-add on x86 (ATen's fmadd is a*b + c
// there) and none of fastmath.h's kernels, so the float formulas of the ops
// that use them round more often (benchmarks/accuracy.py --capability
// DEFAULT: gelu f 4.06 cond-ulps, eswish f' 4.22, softplus and logsigmoid f
// 3.26 strict against the peer's 1.45, hard_sigmoid 1.33 against 1).
#if defined(CPU_CAPABILITY_DEFAULT)
constexpr int kWideFDefaultIsa = kWideF, kWideD1DefaultIsa = kWideD1;
#else
constexpr int kWideFDefaultIsa = 0, kWideD1DefaultIsa = 0;
#endif

struct PointwiseBase {
  static constexpr int kWide = 0;
  static constexpr bool kOutputDeriv = false;
  static constexpr bool kZeroD2 = false;
  // The derivative is a constant: the backward needs no saved tensor.
  static constexpr bool kConstantDeriv = false;
  // Defines f_df(x) -> {f, f'} that shares work between the two (the gated
  // backward needs both at the same point).
  static constexpr bool kFusedFDf = false;
  // Whether dy is valid for these arguments.
  template <class A>
  static bool output_deriv_ok(const A&) { return true; }
};

// Functors without arguments.
struct NoArgs {};

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
  using Args = NoArgs;
  TA_HD explicit Sigmoid(const Args&) {}
  template <class T> TA_HD T f(T x) const { return sigmoid(x); }
  // σ(x) σ(-x) = e/(1 + e)², e = e^{-|x|}: three roundings after the exp
  // (σ(x)·σ(-x) from sig2 had five): every 331st float in [-105, 105]
  // 4.3 -> 3.6 strict ulps, one multiplication and two selects fewer.
  template <class T> TA_HD T df(T x) const {
    const T e = exp_neg_abs(x);
    const T d = c<T>(1) + e;
    return e / (d * d);
  }
  // σ(-x) - σ(x) = -tanh(x/2): no cancellation near 0.
  template <class T> TA_HD T d2f(T x) const {
    const auto s = sig2(x);
    return c<T>(0) - s.s * s.sn * tanh(c<T>(0.5) * x);
  }
  template <class T> TA_HD T dy(T y) const { return y * (c<T>(1) - y); }
  template <class T> TA_HD T d2y(T y) const { return c<T>(1) - c<T>(2) * y; }
};

// --------------------------------------------------------------------- tanh
// f' = 1 - t² and f'' = -2 t (1 - t²) from the input (tanh_sech2: 1 - t² is
// accurate where t rounds to ±1); in place, from the output y = t.  A float
// forward is evaluated in double (wide.h: within 0.5 + 2^-11 ulps; the float
// kernel of fastmath.h, kept for sigmoid'' and tanhexp, is 1.83 ulps where
// the torch peer is 0.51-0.56).
struct Tanh : PointwiseBase {
  static constexpr bool kOutputDeriv = true;
  static constexpr int kWide = kWideF;  // accuracy (tests/test_accuracy.py)
  using Args = NoArgs;
  TA_HD explicit Tanh(const Args&) {}
  template <class T> TA_HD T f(T x) const { return tanh(x); }
  template <class T> TA_HD T df(T x) const {
    if constexpr (kFloatVecKernels<T>) {
      return tanh_deriv(x);  // from one exp_parts (fastmath.h)
    } else {
      return tanh_sech2(x).sech2;
    }
  }
  template <class T> TA_HD T d2f(T x) const {
    const auto t = tanh_sech2(x);
    return c<T>(-2) * t.t * t.sech2;
  }
  template <class T> TA_HD T dy(T y) const { return c<T>(1) - y * y; }
  template <class T> TA_HD T d2y(T y) const { return c<T>(-2) * y; }
};

// ------------------------------------------------------------------- linear
struct Linear : PointwiseBase {
  static constexpr bool kOutputDeriv = true;
  static constexpr bool kZeroD2 = true;
  static constexpr bool kConstantDeriv = true;
  using Args = NoArgs;
  TA_HD explicit Linear(const Args&) {}
  template <class T> TA_HD T f(T x) const { return x; }
  template <class T> TA_HD T df(T) const { return c<T>(1); }
  template <class T> TA_HD T dy(T) const { return c<T>(1); }
};

// --------------------------------------------------------------------- relu
// torch: relu(NaN) = NaN; the gradient passes where y > 0 is not known false
// (threshold_backward: 0 where y <= 0).  The same test on x or on y.
struct Relu : PointwiseBase {
  static constexpr bool kOutputDeriv = true;
  static constexpr bool kZeroD2 = true;
  using Args = NoArgs;
  TA_HD explicit Relu(const Args&) {}
  // x < 0, not x <= 0: relu(-0) is -0, as torch's (crelu relies on it).
  template <class T> TA_HD T f(T x) const {
    return where(x < c<T>(0), c<T>(0), x);
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
  using Args = NoArgs;
  TA_HD explicit Relu6(const Args&) {}
  template <class T> TA_HD T f(T x) const {
    return clamp_nan(x, c<T>(0), c<T>(6));
  }
  template <class T> TA_HD T df(T x) const {
    return where((x <= c<T>(0)) | (x >= c<T>(6)), c<T>(0), c<T>(1));
  }
  template <class T> TA_HD T dy(T y) const { return df(y); }
};

// --------------------------------------------------------------- leaky_relu
// With a slope >= 0, y > 0 exactly when x > 0.  value/deriv take the slope
// as a value of T: the learnable prelu uses them with a per-channel weight.
struct LeakyRelu : PointwiseBase {
  static constexpr bool kOutputDeriv = true;
  static constexpr bool kZeroD2 = true;
  struct Args {
    double negative_slope;
  };
  double a;
  TA_HD explicit LeakyRelu(const Args& p) : a(p.negative_slope) {}
  static bool output_deriv_ok(const Args& p) { return p.negative_slope >= 0.0; }
  template <class T> TA_HD static T value(T x, T slope) {
    return where(x > c<T>(0), x, x * slope);
  }
  template <class T> TA_HD static T deriv(T x, T slope) {
    return where(x > c<T>(0), c<T>(1), slope);
  }
  template <class T> TA_HD T f(T x) const { return value(x, c<T>(a)); }
  template <class T> TA_HD T df(T x) const { return deriv(x, c<T>(a)); }
  template <class T> TA_HD T dy(T y) const { return df(y); }
};

// ------------------------------------------------------- elu / selu / celu
// torch's parametrisation (alpha, scale, input_scale):
//   f = scale·x                          for x > 0
//       scale·alpha·expm1(input_scale·x) for x <= 0
// elu: (alpha, 1, 1); selu: (α, λ, 1); celu: (alpha, 1, 1/alpha).
// In terms of y (x <= 0 branch): exp(input_scale·x) = y/(scale·alpha) + 1.
struct EluCore : PointwiseBase {
  static constexpr bool kOutputDeriv = true;
  static constexpr int kWide = kWideFDefaultIsa;  // accuracy (tests/test_accuracy.py)
  double alpha, scale, in_scale;
  TA_HD EluCore(double alpha_, double scale_, double in_scale_)
      : alpha(alpha_), scale(scale_), in_scale(in_scale_) {}
  // y <= 0 must mean x <= 0.
  TA_HD static bool branch_from_output(double alpha, double scale, double in_scale) {
    return alpha * in_scale >= 0.0 && scale > 0.0;
  }
  template <class T> TA_HD T f(T x) const {
    // (the selected arguments of expm1 are < 0 unless in_scale < 0; x = ±0
    // takes the linear branch, which keeps its sign as torch's elu does)
    return where(x < c<T>(0), expm1_times(x * c<T>(in_scale), alpha * scale, in_scale < 0.0),
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

struct Elu : EluCore {
  struct Args {
    double alpha;
  };
  TA_HD explicit Elu(const Args& p) : EluCore(p.alpha, 1.0, 1.0) {}
  static bool output_deriv_ok(const Args& p) { return branch_from_output(p.alpha, 1.0, 1.0); }
};

struct Selu : EluCore {
  static constexpr double kAlpha = 1.6732632423543772848170429916717;
  static constexpr double kLambda = 1.0507009873554804934193349852946;
  using Args = NoArgs;
  TA_HD explicit Selu(const Args&) : EluCore(kAlpha, kLambda, 1.0) {}
};

struct Celu : EluCore {
  struct Args {
    double alpha;  // nonzero with a finite reciprocal (the descriptor checks)
  };
  TA_HD explicit Celu(const Args& p) : EluCore(p.alpha, 1.0, 1.0 / p.alpha) {}
  static bool output_deriv_ok(const Args& p) {
    return branch_from_output(p.alpha, 1.0, 1.0 / p.alpha);
  }
};

// x σ(v) = x / (1 + e^{-v}) (one division, no product to round: x = ±inf
// gives ±inf for v > -80, and a finite x meets e^{-v} = inf only below).
// Below v = -80, σ(v) is subnormal or 0 in float while x σ(v) is still a
// normal number: there x σ(v) = (x e^{v/2}) e^{v/2} (1 + e^v is 1 to the
// precision), so it does not flush early (swish, silu, gelu tanh).  k·x σ(v)
// (eswish): k joins the tail's second factor, so the tail rounds once there
// too (k·(x σ(v)) rounded it twice: 2 steps of 2^-149 where the exact value
// is 0.75).
template <class T>
TA_HD T times_sigmoid(T x, T v, double k = 1.0) {
  T y = x / one_plus_exp(c<T>(0) - v);
  if (k != 1.0) y = c<T>(k) * y;
  return with_exp_tail(y, x, v, -80.0, c<T>(k));
}

// --------------------------------------------------------------------- gelu
// exact:  x·Φ(x) with Φ(x) = erfc(-x/√2)/2 (no 1+erf cancellation for x < 0).
//         Below x = -40 the product underflows to 0, so x is clamped there:
//         that is exact for finite x and gives the limit 0 at -inf.
// tanh:   ½x(1+tanh(u)) = x·σ(2u), u = √(2/π)(x + 0.044715x³).
struct Gelu : PointwiseBase {
  static constexpr int kWide = kWideD2 | kWideFDefaultIsa;  // accuracy (tests/test_accuracy.py)
  struct Args {
    int64_t approximate;  // choices::approximate_none or _tanh
  };
  bool tanh_approx;
  TA_HD explicit Gelu(const Args& p) : tanh_approx(p.approximate == choices::approximate_tanh) {}

  static constexpr double kSqrt1_2 = 0.70710678118654752440;
  static constexpr double kInvSqrt2Pi = 0.39894228040143267794;
  static constexpr double kBeta = 0.79788456080286535588;  // √(2/π)
  static constexpr double kKappa = 0.044715;

  // Φ(x); for |x| < 0.7 the series 1/2 + φ(0) Σ (-1)^n x^(2n+1) / (2^n n! (2n+1))
  // (8 terms for float, 16 for double: truncation below half an ulp), more
  // accurate there than 1/2·erfc's fit, where Φ is near 1/2.
  template <class T> TA_HD static T Phi(T x) {
    constexpr double kSeries[] = {1.0 / 1, -1.0 / 6, 1.0 / 40, -1.0 / 336, 1.0 / 3456, -1.0 / 42240,
                                  1.0 / 599040, -1.0 / 9676800, 1.0 / 175472640, -1.0 / 3530096640,
                                  1.0 / 78033715200, -1.0 / 1880240947200, 1.0 / 49049763840000,
                                  -1.0 / 1377317368627200, 1.0 / 41421544567603200,
                                  -1.0 / 1328346084409344000};
    constexpr double kSeriesFloat[] = {1.0 / 1, -1.0 / 6, 1.0 / 40, -1.0 / 336, 1.0 / 3456, -1.0 / 42240,
                                       1.0 / 599040, -1.0 / 9676800};
    const T tail = c<T>(0.5) * erfc(x * c<T>(-kSqrt1_2));
    T poly;
    if constexpr (sizeof(scalar_of_t<T>) == 4) {
      poly = horner(x * x, kSeriesFloat);
    } else {
      poly = horner(x * x, kSeries);
    }
    const T near0 = c<T>(0.5) + x * c<T>(kInvSqrt2Pi) * poly;
    return where(abs(x) < c<T>(0.7), near0, tail);
  }
  template <class T> TA_HD static T phi(T x) {
    return exp(c<T>(-0.5) * x * x) * c<T>(kInvSqrt2Pi);
  }
  // v = 2u and its first two derivatives.  2β is held as two numbers of the
  // type (kB2 + kB2Lo; kB2Lo is 0 for double): v = x·2β + x(kB2Lo + 2βκx²)
  // and v' = 2β + (kB2Lo + 6βκx²), each rounded once at the end (the small
  // terms are at most a tenth of the result where it matters): e^{-|v|}
  // multiplies v's relative error by |v|, and 1 + x v' by x v'/(1 + x v')
  // (gelu(tanh) f' in float: 4.14 -> 3.18 cond-ulps in benchmarks/accuracy.py).
  template <class T> static constexpr scalar_of_t<T> kB2 = static_cast<scalar_of_t<T>>(2 * kBeta);
  template <class T>
  static constexpr scalar_of_t<T> kB2Lo = static_cast<scalar_of_t<T>>(2 * kBeta - static_cast<double>(kB2<T>));
  template <class T> TA_HD static T v(T x) {
    return mul_add(x, c<T>(kB2<T>), x * mul_add(c<T>(2 * kBeta * kKappa), x * x, c<T>(kB2Lo<T>)));
  }
  template <class T> TA_HD static T dv(T x) {
    return mul_add(c<T>(6 * kBeta * kKappa), x * x, c<T>(kB2Lo<T>)) + c<T>(kB2<T>);
  }

  template <class T> TA_HD T f(T x) const {
    if (tanh_approx) {
      return times_sigmoid(x, v(x));
    }
    if constexpr (kExpPartsKernels<T>) {
      return gelu_value(x, gelu_parts(x));  // the same function from one exp (fastmath.h)
    } else {
      const T xl = max_nan(x, c<T>(-40));
      return xl * Phi(xl);
    }
  }
  template <class T> TA_HD T df(T x) const {
    const T xc = clamp_nan(x, c<T>(-40), c<T>(40));
    if (tanh_approx) {
      return xsig(v(xc), xc, dv(xc)).df;
    }
    if constexpr (kExpPartsKernels<T>) {
      return gelu_deriv(x, gelu_parts(x));
    } else {
      return Phi(xc) + xc * phi(xc);
    }
  }
  // Both with one Φ: Φ(clamp(x, -40, 40)) equals Φ(max(x, -40)), which f
  // uses, since Φ(x) rounds to 1 for every x >= 40.
  static constexpr bool kFusedFDf = true;
  template <class T> TA_HD FDf<T> f_df(T x) const {
    if (tanh_approx) {
      return {f(x), df(x)};
    }
    if constexpr (kExpPartsKernels<T>) {
      const auto g = gelu_parts(x);
      return {gelu_value(x, g), gelu_deriv(x, g)};
    }
    const T xc = clamp_nan(x, c<T>(-40), c<T>(40));
    const T p = Phi(xc);
    return {max_nan(x, c<T>(-40)) * p, p + xc * phi(xc)};
  }
  // f'' of the tanh form in double (kCompensated, dd.h): with t = x², u =
  // 6βκ t, v' = 2β + u, q = v' + u, the bracket below is B = 2q - |x| v'² +
  // 2|x| v'² σ(-|v|) (x(σ(-v) - σ(v)) = -|x|(1 - 2σ(-|v|))), every term and
  // v itself in double-double from β and κ in two parts each, and B σ(v)σ(-v)
  // rounded once: 5.21 -> ~1 ulps (an extremum of f'' near x = 2 leaves
  // nothing to the condition number, and B cancels there by 2.3x).
  static constexpr double kBetaLo = -4.98465440455546e-17;    // √(2/π) - kBeta (mpmath)
  static constexpr double kKappaLo = 2.1960211427085595e-18;  // 0.044715 - kKappa (mpmath)
  template <class T> TA_HD static T d2f_tanh_dd(T x) {
    const Dd<T> c1{c<T>(2 * kBeta), c<T>(2 * kBetaLo)};  // 2β
    const Dd<T> cv = dd_mul(c1, Dd<T>{c<T>(kKappa), c<T>(kKappaLo)});  // 2βκ
    const Dd<T> c3 = dd_mul(Dd<T>{c<T>(3), c<T>(0)}, cv);  // 6βκ
    const Dd<T> t = two_prod(x, x);
    const Dd<T> u = dd_mul(c3, t);
    const Dd<T> d1 = dd_add(c1, u);
    const Dd<T> q = dd_add(d1, u);
    const Dd<T> ad = dd_mul(Dd<T>{abs(x), c<T>(0)}, dd_mul(d1, d1));  // |x| v'²
    const Dd<T> v = dd_mul(Dd<T>{x, c<T>(0)}, dd_add(c1, dd_mul(cv, t)));
    const T av = min_nan(abs(v.hi), c<T>(1500));  // x is within ±40: |v| < 4700
    const SigSqDd<T> s = sig_sq_dd(av, where(v.hi >= c<T>(0), v.lo, c<T>(0) - v.lo));
    const Dd<T> b = dd_add(dd_add(Dd<T>{q.hi + q.hi, q.lo + q.lo}, Dd<T>{c<T>(0) - ad.hi, c<T>(0) - ad.lo}),
                           two_prod(ad.hi + ad.hi, s.m));
    return s.times(b);
  }
  template <class T> TA_HD T d2f(T x) const {
    const T xc = clamp_nan(x, c<T>(-40), c<T>(40));
    if constexpr (kCompensated<T>) {
      if (tanh_approx) return d2f_tanh_dd(xc);
    }
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
// f = x·σ(βx); the products with σ(v)σ(-v), which vanish as |v| grows, use
// mul0 so that ±inf gives the limit instead of inf·0.  The static forms take
// β as a value of T: the learnable swish uses them with a per-channel β.
struct Swish : PointwiseBase {
  static constexpr int kWide = kWideD2;  // accuracy (tests/test_accuracy.py)
  struct Args {
    double beta;
  };
  double beta;
  TA_HD explicit Swish(const Args& p) : beta(p.beta) {}
  // x σ(v), v = βx (times_sigmoid: no early flush to 0).
  template <class T> TA_HD static T value(T x, T b) { return times_sigmoid(x, x * b); }
  // f and f' from one exp (f's value may differ from value(x) in the last
  // bit: σ of a negative argument comes from e/(1 + e) here; xsig).
  template <class T> TA_HD static FDf<T> value_and_deriv(T x, T b) {
    const T v = x * b;
    const auto s = xsig(v, v, c<T>(1));
    return {mul0(x, s.s), s.df};
  }
  // k f''/b (k = b for swish itself; eswish = β silu passes k = β, so that
  // β joins the same product instead of rounding once more: float64 f''
  // 5.78 -> 5.29 cond-ulps in benchmarks/accuracy.py, still above 4: the
  // bracket cancels near v = 2.4 and s·sn rounds several times).
  // In double (kCompensated, dd.h) the bracket is (2 - |v|) + 2|v| σ(-|v|)
  // (2 - |v| exact where it cancels, 1 < |v| < 4) and the whole product is
  // carried in double-double, rounded once: float64 f'' 5.29 -> ~1 ulps.
  template <class T> TA_HD static T second(T x, T b, T k) {
    const T v = x * b;
    if constexpr (kCompensated<T>) {
      const T a = min_nan(abs(v), c<T>(1500));  // beyond, f'' is 0
      const SigSqDd<T> s = sig_sq_dd(a, c<T>(0));
      const Dd<T> br = dd_add(two_sum(c<T>(2), c<T>(0) - a), two_prod(a + a, s.m));
      const T r = s.times(dd_mul(Dd<T>{k, c<T>(0)}, br));
      return where(abs(v) == inf<T>(), c<T>(0), r);  // the limit +0, as mul0 gives below
    }
    const auto s = sig2(v);
    return mul0(k * (c<T>(2) + v * (s.sn - s.s)), s.s * s.sn);
  }
  template <class T> TA_HD static T second(T x, T b) { return second(x, b, b); }
  template <class T> TA_HD T f(T x) const { return value(x, c<T>(beta)); }
  template <class T> TA_HD T df(T x) const { return value_and_deriv(x, c<T>(beta)).df; }
  static constexpr bool kFusedFDf = true;
  template <class T> TA_HD FDf<T> f_df(T x) const { return value_and_deriv(x, c<T>(beta)); }
  template <class T> TA_HD T d2f(T x) const { return second(x, c<T>(beta)); }
};

struct Silu : Swish {
  using Args = NoArgs;
  TA_HD explicit Silu(const Args&) : Swish(Swish::Args{1.0}) {}
};

// ------------------------------------------------------------------- eswish
// β·x·σ(x), i.e. β times silu (times_sigmoid with k = β).
struct Eswish : PointwiseBase {
  static constexpr int kWide = kWideD2 | kWideD1DefaultIsa;  // accuracy (tests/test_accuracy.py)
  struct Args {
    double beta;
  };
  double beta;
  TA_HD explicit Eswish(const Args& p) : beta(p.beta) {}
  template <class T> TA_HD T f(T x) const { return times_sigmoid(x, x, beta); }
  // β (σ + x σ σ(-x)) with β inside xsig's fmas (overloads.h); β may be
  // any float, so the product is kept finite.
  template <class T> TA_HD T df(T x) const { return xsig_scaled<true>(x, x, c<T>(beta), c<T>(beta)).df; }
  template <class T> TA_HD T d2f(T x) const { return Swish::second(x, c<T>(1), c<T>(beta)); }
};

// --------------------------------------------------------------------- mish
// t = tanh(softplus(x)), 1 - t² and σ(x) all from q = exp(-|x|) in [0, 1]:
//   x >= 0: t = (1+2q)/(1+2q+2q²),   1-t² = 4q²(1+q)²/(1+2q+2q²)²
//   x <  0: t = q(q+2)/(q²+2q+2),    1-t² = 4(1+q)²/(q²+2q+2)²
// one exp, no overflow, no cancellation.
struct Mish : PointwiseBase {
  static constexpr int kWide = kWideD1 | kWideD2;  // accuracy (tests/test_accuracy.py)
  using Args = NoArgs;
  TA_HD explicit Mish(const Args&) {}
  template <class T>
  struct Parts {
    T t, omt2, sig, sig_neg;  // tanh(sp(x)), 1 - t², σ(x), σ(-x)
  };
  // The denominators of t, each one fma: E = 1 + 2q(1 + q) (x >= 0) and
  // D = q(q + 2) + 2 (x < 0), for f and f'.
  template <class T>
  struct Dens {
    T E, D;
  };
  template <class T> TA_HD static Dens<T> dens(T q) {
    const T one = c<T>(1), two = c<T>(2);
    return {mul_add(two * q, one + q, one), mul_add(q, q + two, two)};
  }
  template <class T> TA_HD static Parts<T> parts(T x) {
    const T one = c<T>(1), two = c<T>(2);
    const T q = exp_neg_abs(x);
    const T q2 = q * q;
    const auto pos = x >= c<T>(0);
    // (rounded as sums here, not as dens' fmas: with those, f'' in float64
    // went 3.59 -> 5.97 cond-ulps in benchmarks/accuracy.py)
    const T den = where(pos, one + two * q + two * q2, q2 + two * q + two);
    const T num = where(pos, one + two * q, q * (q + two));
    const T q1 = one + q;
    T t, w, inv1q;
    if constexpr (kFreeRoundings<T>) {  // one division instead of three
      const T r = one / (den * q1);
      t = num * q1 * r, w = q1 * q1 * r, inv1q = den * r;
    } else {
      t = num / den, w = q1 / den, inv1q = one / q1;
    }
    return {t, c<T>(4) * w * w * where(pos, q2, one),
            where(pos, one, q) * inv1q, where(pos, q, one) * inv1q};
  }
  // f from one division, t written as a sum where that rounds less:
  //   x > 0:   t = 1 + h,  h = -2q²/(1 + 2q(1 + q)),  f = x + x h (an fma)
  //   x < -1:  t = q - k,  k = q²(1 + q)/D,  D = q(q + 2) + 2,  f = x q - x k
  //            (an fma; k/t < q: q's error enters once, not through num/den)
  //   else:    t = q(q + 2)/D,  f = x t
  // (float64, benchmarks/accuracy.py: 3 -> 2 strict ulps, the peer's; the
  // 3 was at x = -7.725).  x is capped at ±1e30 inside
  // the products, so ±inf give ±inf and -0 (q = 0), not inf·0; x = -0 gives -0.
  template <class T> TA_HD T f(T x) const {
    if constexpr (kExpPartsKernels<T>) {
      return mish_value(x);  // the same function, fewer roundings (fastmath.h)
    } else {
      const T one = c<T>(1), two = c<T>(2);
      const T q = exp_neg_abs(x);
      const T q2 = q * q;
      const auto pos = x > c<T>(0), far = x < c<T>(-1);
      const T num = where(pos, c<T>(-2) * q2, where(far, q2 * (q + one), q * (q + two)));
      const auto dd = dens(q);
      const T r = num / where(pos, dd.E, dd.D);
      const T xc = clamp_nan(x, c<T>(-1e30), c<T>(1e30));
      const T y = where(pos, mul_add(xc, r, x), where(far, mul_add(xc, q, xc * (c<T>(0) - r)), x * r));
      // Below x = -80, mish = x e^x to the precision (t = q (1 - q/2 ...)),
      // and q may be subnormal (x q was 2x the exact value at x = -103.97,
      // float).
      return with_exp_tail(y, x, x, -80.0, one);
    }
  }
  // f' = t + x (1 - t²) σ(x) over one denominator, in q:
  //   x >= 0:  ((1 + 2q) E + 4x q²(1 + q))/E²,  E = 1 + 2q(1 + q)
  //   x <  0:  q (4(1 + x) + q (q (q + 4) + 6 + 4x))/D²,  D = q(q + 2) + 2
  // (x < 0: the numerator (q + 2) D + 4x(1 + q) expanded so that its only
  // cancellation is the root's, at x = -1.19, between 4(1 + x) and a small
  // term: float64 5.87 -> 2.49 cond-ulps in benchmarks/accuracy.py; the 5.87
  // was at x = -2.25, where t + x (1 - t²) σ cancelled).  x is capped at ±1e30 (±inf give 1
  // and 0, not inf·0).
  template <class T> TA_HD T df(T x) const {
    const T one = c<T>(1), two = c<T>(2), four = c<T>(4);
    const T q = exp_neg_abs(x);
    const T xc = clamp_nan(x, c<T>(-1e30), c<T>(1e30));
    const auto pos = x >= c<T>(0);
    const auto dd = dens(q);
    const T npos = mul_add(one + two * q, dd.E, four * xc * (q * q) * (one + q));
    const T nneg = q * mul_add(q, mul_add(q, q + four, mul_add(four, xc, c<T>(6))), four * (one + xc));
    const T den = where(pos, dd.E, dd.D);
    return where(pos, npos, nneg) / (den * den);
  }
  template <class T> TA_HD T d2f(T x) const {
    const auto p = parts(x);
    return mul0(c<T>(2) + x * p.sig_neg - c<T>(2) * x * p.t * p.sig,
                p.omt2 * p.sig);
  }
};

// --------------------------------------------------------------------- sqnl
// On [-2, 2]: x - x|x|/4; clamping x to [-2, 2] gives ±1 outside.
struct Sqnl : PointwiseBase {
  using Args = NoArgs;
  TA_HD explicit Sqnl(const Args&) {}
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
  static constexpr int kWide = kWideD2;  // accuracy (tests/test_accuracy.py)
  using Args = NoArgs;
  TA_HD explicit BentIdentity(const Args&) {}
  template <class T>
  struct Parts {
    T xc, s, h;
  };
  // s = xc² + 1 rounded once (an fma), h = √s.
  template <class T> TA_HD static Parts<T> parts(T x) {
    const T lim = c<T>(Precision<scalar_of_t<T>>::kSqrtLarge);
    const T xc = clamp_nan(x, c<T>(0) - lim, lim);
    const T s = mul_add(xc, xc, c<T>(1));
    return {xc, s, sqrt(s)};
  }
  // x + (h - 1)/2 = x (1 + xc/(2 (1 + h))): no cancellation.  The AVX-512
  // float vector has a kernel without sqrt and division (fastmath.h).
  template <class T> TA_HD T f(T x) const {
    if constexpr (kFloatVecKernels<T>) {
      return bent_identity_value(x);
    } else {
      const auto p = parts(x);
      return x * (c<T>(1) + c<T>(0.5) * (p.xc / (p.h + c<T>(1))));
    }
  }
  template <class T> TA_HD T df(T x) const {
    const auto p = parts(x);
    return c<T>(0.5) * (p.xc / p.h) + c<T>(1);
  }
  // h³ = s h: two roundings fewer than h·h·h.
  template <class T> TA_HD T d2f(T x) const {
    const auto p = parts(x);
    return c<T>(0.5) / (p.s * p.h);
  }
};

// ----------------------------------------------------------------- softplus
// log(1+e^v)/β with v = βx, computed as max(v, 0) + log1p(exp(-|v|)) so any
// threshold is safe; x itself above it.  raw(v) is log(1 + e^v) for any v
// (the parametric softplus uses it too).
struct Softplus : PointwiseBase {
  static constexpr int kWide = kWideFDefaultIsa;  // accuracy (tests/test_accuracy.py)
  struct Args {
    double beta, threshold;
  };
  double beta, threshold;
  TA_HD explicit Softplus(const Args& p) : beta(p.beta), threshold(p.threshold) {}
  template <class T> TA_HD static T raw(T v) {
    return softplus_raw(v);
  }
  template <class T> TA_HD T f(T x) const {
    const T v = x * c<T>(beta);
    return where(v > c<T>(threshold), x, beta == 1.0 ? raw(v) : raw(v) / c<T>(beta));
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
  static constexpr int kWide = kWideD2;  // accuracy (tests/test_accuracy.py)
  using Args = NoArgs;
  TA_HD explicit Softsign(const Args&) {}
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
    return c<T>(-2) * sign(x) * rr * rr * rr;
  }
};

// ------------------------------------------------------------ sine, cosine
struct Sine : PointwiseBase {
  struct Args {
    double w0;
  };
  double w0;
  TA_HD explicit Sine(const Args& p) : w0(p.w0) {}
  // sin_wx/cos_wx (trig.h): w0·x in double, each lane from its own value.
  template <class T> TA_HD T f(T x) const { return sin_wx(x, w0, 1.0); }
  template <class T> TA_HD T df(T x) const { return cos_wx(x, w0, w0); }
  template <class T> TA_HD T d2f(T x) const { return sin_wx(x, w0, -w0 * w0); }
};

struct Cosine : PointwiseBase {
  struct Args {
    double w0;
  };
  double w0;
  TA_HD explicit Cosine(const Args& p) : w0(p.w0) {}
  template <class T> TA_HD T f(T x) const { return cos_wx(x, w0, 1.0); }
  template <class T> TA_HD T df(T x) const { return sin_wx(x, w0, -w0); }
  template <class T> TA_HD T d2f(T x) const { return cos_wx(x, w0, -w0 * w0); }
};

// --------------------------------------------------------------------- sinc
// u = πx (normalized) or x.  With s = sin(u)/u:
//   d/du sinc   = (cos u - s)/u
//   d²/du² sinc = 2(s - cos u)/u² - s
// All three cancel catastrophically for small u, so |u| < 1 (2 for f') uses their
// Taylor series (in z = u², Horner form, terms to below double precision;
// the series of f also gives exact higher derivatives on jets).  For the
// normalized form sin(πx) and cos(πx) are taken of the exactly reduced
// argument x - 2·round(x/2), so integers give exact zeros even when πx is
// huge.  All three tend to 0 at ±inf.
struct Sinc : PointwiseBase {
  static constexpr int kWide = kWideD2;  // accuracy (tests/test_accuracy.py)
  struct Args {
    bool normalized;
  };
  bool normalized;
  TA_HD explicit Sinc(const Args& p) : normalized(p.normalized) {}
  static constexpr double kPi = 3.14159265358979323846;
  template <class T>
  struct Parts {
    T u, sin_u, cos_u;
  };
  template <class T> TA_HD Parts<T> parts(T x) const {
    if (normalized) {
      // r = x - 2 round(x/2) in [-1, 1], a = |r|, and sin(πr), cos(πr) from
      // the exactly computed v = a, a - 1/2 or 1 - a in [-1/4, 1/4] (so that
      // sin(πx) is exactly 0 at the integers and keeps its relative accuracy
      // near them).
      const T r = x - c<T>(2) * round_even(x * c<T>(0.5));
      const T a = abs(r);
      const auto low = a <= c<T>(0.25);
      const auto high = a > c<T>(0.75);
      const T v = where(low, a, where(high, c<T>(1) - a, a - c<T>(0.5)));
      const T sv = sin(v * c<T>(kPi)), cv = cos(v * c<T>(kPi));
      const T sa = where(low | high, sv, cv);                       // sin(π a)
      const T ca = where(low, cv, where(high, c<T>(0) - cv, c<T>(0) - sv));  // cos(π a)
      return {x * c<T>(kPi), where(r < c<T>(0), c<T>(0) - sa, sa), ca};
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
  // 1 - u²/6 + u⁴/120 - ...: c_{j+1}/c_j = -1/((2j)(2j+1))
  template <class T> TA_HD static T f_series(T u) {
    return series(u * u, [](int j) { return -1.0 / (2.0 * j * (2.0 * j + 1.0)); });
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
    const T val = where(abs(p.u) < c<T>(1), f_series(p.u), p.sin_u / p.u);
    return where(abs(p.u) == inf<T>(), c<T>(0), val);
  }
  // The series up to |u| = 2 (10 terms: the last below 2^-28 relative):
  // (cos u - s)/u cancels just beyond |u| = 1 (float32: 4.8 ulps at
  // u = 1.035; with the series 3.0 at most, every 97th float in [-20, 20]).
  template <class T> TA_HD T df(T x) const {
    const auto p = parts(x);
    const T s = p.sin_u / p.u;
    const T big = (p.cos_u - s) / p.u;
    const T val = where(abs(p.u) < c<T>(2), d1_series(p.u), big);
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
// (f' = w²/(1+w²), f'' = -2w³/(1+w²)²) so tails do not underflow early.  A
// float forward is evaluated in double (wide.h: within 0.5 + 2^-21 ulps; a
// float kernel was 2.02 ulps where the torch peer is 0.50-0.80).
struct Arctan : PointwiseBase {
  static constexpr int kWide = kWideF;  // accuracy (tests/test_accuracy.py)
  using Args = NoArgs;
  TA_HD explicit Arctan(const Args&) {}
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
  static constexpr int kWide = kWideFDefaultIsa;  // accuracy (tests/test_accuracy.py)
  using Args = NoArgs;
  TA_HD explicit LogSigmoid(const Args&) {}
  template <class T> TA_HD T f(T x) const {
    return c<T>(0) - softplus_raw(c<T>(0) - x);
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
  static constexpr int kWide = kWideD2;  // accuracy (tests/test_accuracy.py)
  using Args = NoArgs;
  TA_HD explicit TanhExp(const Args&) {}
  template <class T> TA_HD T f(T x) const {
    const T e = exp(x);
    if constexpr (kFloatVecKernels<T>) {
      return mul0(x, tanh(e));  // the exp_parts kernel (fastmath.h)
    } else {
      return mul0(x, tanh_sech2(e).t);
    }
  }
  // f' with x and e capped at 40 (e > 40 is x > 3.69): beyond, tanh(e) is 1
  // and x e sech²(e) is below 1e-32 in float and double alike, so f' is
  // tanh(e) = 1 to the last bit either way, and the capped sech² (e^{-80})
  // is not subnormal: sech² of the true e was, and every operation on it a
  // microcode assist (forward + backward at 2^22 took 34.9 ms, the eager
  // formula 21).
  // (tanh_sech2, not the float tanh/tanh_deriv kernels: with those f'
  // reached 4.24 ulps in the accuracy report.)  The AVX-512 float vector has
  // a kernel from one exp and two polynomials or one division (fastmath.h).
  template <class T> TA_HD T df(T x) const {
    if constexpr (kFloatVecKernels<T>) {
      return tanhexp_deriv(x);
    } else {
      const T e = min_nan(exp(x), c<T>(40));
      const auto t = tanh_sech2(e);
      return t.t + mul0(mul0(min_nan(x, c<T>(40)), e), t.sech2);
    }
  }
  template <class T> TA_HD T d2f(T x) const {
    const T e = exp(x);
    const auto t = tanh_sech2(e);
    const T xe = mul0(x, e);
    return mul0(c<T>(2) + x - c<T>(2) * xe * t.t, mul0(e, t.sech2));
  }
};

// --------------------------------------------------------------- squareplus
// (x + h)/2 with h = √(x² + b) (Barron 2021).  For x < 0 the sum cancels, so
// there x + h = b/(h - x):
//   f   = x/2 + h/2                      x >= 0;   b/(2(h - x))      x < 0
//   f'  = (1 + x/h)/2                    x >= 0;   b/(2h(h - x))     x < 0
//   f'' = b/(2h³)
// Beyond |x| = 1e18 (float; 1e150 double) h is |x| to the last bit (b/x²
// is below the precision): no overflow of x².
struct Squareplus : PointwiseBase {
  static constexpr int kWide = kWideD2;  // accuracy (tests/test_accuracy.py)
  struct Args {
    double b;  // > 0 (the descriptor checks)
  };
  double b;
  TA_HD explicit Squareplus(const Args& p) : b(p.b) {}
  // b beyond kBigB (x² + b, or the h³ of f'', would overflow; 1e20 leaves b/x²
  // below 2^-53 where h is taken as |x|): f(x; b) = σ f(x/σ; b/σ²), with
  // σ = kScale a power of two (exact), f' likewise and f'' divided by σ.
  template <class S> static constexpr double kBigB = sizeof(S) == 4 ? 1e20 : 1e200;
  template <class S> static constexpr double kScale = sizeof(S) == 4 ? 0x1p32 : 0x1p332;
  template <class S> TA_HD Squareplus scaled() const { return Squareplus(Args{b / (kScale<S> * kScale<S>)}); }
  // |x|, s = x² + b rounded once (an fma), h = √s (|x| beyond kSqrtLarge).
  template <class T>
  struct Parts {
    T ax, s, h;
    decltype(T() > T()) large;
  };
  template <class T> TA_HD Parts<T> parts(T x) const {
    const T ax = abs(x);
    const T s = mul_add(x, x, c<T>(b));
    const auto large = ax > c<T>(Precision<scalar_of_t<T>>::kSqrtLarge);
    return {ax, s, where(large, ax, sqrt(s)), large};
  }
  // The float vector has a kernel without sqrt and division (fastmath.h),
  // for b from 1e-30 (the same for every element of a call).  Where h is |x|
  // and x < 0, b/(2(h - x)) is (b/2)/|x|/2: 2|x| may overflow.
  template <class T> TA_HD T f(T x) const {
    using S = scalar_of_t<T>;
    if (b > kBigB<S>) return c<T>(kScale<S>) * scaled<S>().f(x * c<T>(1 / kScale<S>));
    if constexpr (kFloatVecKernels<T>) {
      const float bf = static_cast<float>(b);
      if (bf >= 1e-30f) return squareplus_value(x, bf, static_cast<float>(0.5 * b));
    }
    const auto p = parts(x);
    const T neg = where(p.large, c<T>(0.5) * (c<T>(0.5 * b) / p.ax), c<T>(0.5 * b) / (p.h - x));
    return where(x >= c<T>(0), c<T>(0.5) * x + c<T>(0.5) * p.h, neg);
  }
  // x < 0: b/(2 h (h - x)) with h (h - x) = (x² + b) - x h, both terms
  // positive and the sum rounded once (an fma): 2.4 ulps in float, so no
  // evaluation in double (h (h - x) rounded three times: 5.0).  Where h is
  // |x|: (b/4)/|x|/|x| (x² may overflow).
  template <class T> TA_HD T df(T x) const {
    using S = scalar_of_t<T>;
    if (b > kBigB<S>) return scaled<S>().df(x * c<T>(1 / kScale<S>));
    if constexpr (kFloatVecKernels<T>) {  // the same without sqrt and division (fastmath.h)
      const float bf = static_cast<float>(b);
      if (bf >= 1e-30f) return squareplus_deriv(x, bf, static_cast<float>(0.5 * b), static_cast<float>(0.25 * b));
    }
    const auto p = parts(x);
    // x/h is 1 to the type's precision where h is |x| (and at +inf)
    const T r = where(p.h == p.ax, c<T>(1), x / p.h);
    const T neg = where(p.large, (c<T>(0.25 * b) / p.ax) / p.ax, c<T>(0.5 * b) / mul_add(c<T>(0) - x, p.h, p.s));
    return where(x >= c<T>(0), c<T>(0.5) + c<T>(0.5) * r, neg);
  }
  // h³ = s h: two roundings fewer than h·h·h (float64: 5 -> 3.7 ulps);
  // (b/2)/|x|/|x|/|x| where h is |x|.
  template <class T> TA_HD T d2f(T x) const {
    using S = scalar_of_t<T>;
    if (b > kBigB<S>) return c<T>(1 / kScale<S>) * scaled<S>().d2f(x * c<T>(1 / kScale<S>));
    const auto p = parts(x);
    return where(p.large, ((c<T>(0.5 * b) / p.ax) / p.ax) / p.ax, c<T>(0.5 * b) / (p.s * p.h));
  }
};

// --------------------------------------------------------------- hard_swish
// torch: x·relu6(x+3)/6; gradient 0 for x <= -3, x/3 + 1/2 on (-3, 3), 1 for
// x >= 3 (torch's kink convention; the catalog defers to it).  The -inf limit
// is 0 (torch's formula gives -inf·0 = NaN there).
struct HardSwish : PointwiseBase {
  using Args = NoArgs;
  TA_HD explicit HardSwish(const Args&) {}
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
// clamp(slope·x + offset, 0, 1), computed as (x + offset/slope)/(1/slope) so
// that the default (1/6, 1/2) is exactly torch's (x + 3)/6, kinks at exactly
// ±3 included (the quotient without a division, see z).  The gradient is
// the slope where 0 < y < 1 (so dy is df's test applied to y).
struct HardSigmoid : PointwiseBase {
  static constexpr bool kOutputDeriv = true;
  static constexpr int kWide = kWideFDefaultIsa;  // accuracy (tests/test_accuracy.py)
  static constexpr bool kZeroD2 = true;
  struct Args {
    double slope, offset;
  };
  // recip_d, recip_f: 1/inv_slope with inv_slope rounded to double resp.
  // float first (z's s).  The float copies are what a float computation
  // uses: converting the doubles in the loop (c<T>) put a vcvtsd2ss there
  // that GCC merged into the register of the previous vector's result, a
  // dependency from one vector to the next (32 cycles per 16 floats, now
  // 5.7).
  double slope, offset, inv_slope, shift, recip_d;
  float shift_f, inv_f, recip_f;
  TA_HD explicit HardSigmoid(const Args& p)
      : slope(p.slope),
        offset(p.offset),
        inv_slope(p.slope != 0.0 ? 1.0 / p.slope : 0.0),
        shift(p.slope != 0.0 ? p.offset * (1.0 / p.slope) : 0.0),
        recip_d(p.slope != 0.0 ? 1.0 / (1.0 / p.slope) : 0.0),
        shift_f(static_cast<float>(shift)),
        inv_f(static_cast<float>(inv_slope)),
        recip_f(p.slope != 0.0 ? static_cast<float>(1.0 / static_cast<double>(static_cast<float>(1.0 / p.slope)))
                               : 0.0f) {}
  // A member as a value of T: the float copy for float computations.
  template <class T> TA_HD static T k(double d, float f) {
    if constexpr (sizeof(scalar_of_t<T>) == 4) {
      return T(f);
    } else {
      return T(static_cast<scalar_of_t<T>>(d));
    }
  }
  // 1/slope beyond the computation type's range (|slope| below ~3e-39 in
  // float32): the direct form s x + o, where s x is negligible or 0.
  template <class T> TA_HD bool tiny_slope() const {
    constexpr double kMax = static_cast<double>(std::numeric_limits<scalar_of_t<T>>::max());
    return inv_slope > kMax || inv_slope < -kMax || shift > kMax || shift < -kMax;
  }
  template <class T> TA_HD T z(T x) const {
    if (slope == 0.0) return c<T>(offset) + x * c<T>(0);
    if (tiny_slope<T>()) return c<T>(slope) * x + c<T>(offset);
    // The quotient a/b, a = x + shift, b = 1/slope, without a division
    // (which bounded the op at L2 sizes: 1.06-1.23x the peer at 65536):
    // q = a·s with s the rounded 1/b is within an ulp, and q + (a - q b)·s
    // is the rounded quotient (Markstein), the residual exact in an fma.
    // a is capped at ±1e30 (the clamp of f saturates long before) so that
    // a = ±inf gives ±inf, not inf - inf.
    using S = scalar_of_t<T>;
    const T big = c<T>(sizeof(S) == 4 ? 1e30 : 1e300);
    const T a = clamp_nan(x + k<T>(shift, shift_f), c<T>(0) - big, big);
    const T b = k<T>(inv_slope, inv_f);
    const T sr = k<T>(recip_d, recip_f);
    const T q = a * sr;
    return mul_add(mul_add(c<T>(0) - q, b, a), sr, q);
  }
  template <class T> TA_HD static T inside(T zz, T val) {
    return where((zz > c<T>(0)) & (zz < c<T>(1)), val, c<T>(0));
  }
  template <class T> TA_HD T f(T x) const {
    return clamp_nan(z(x), c<T>(0), c<T>(1));
  }
  // The input's own test against the kinks x = (0 - offset)/slope and
  // (1 - offset)/slope: z(x) rounds to 1 just below the upper kink
  // (z(2.9999998f) = 1), where the slope still holds.
  template <class T> TA_HD T df(T x) const {
    if (slope == 0.0) return x * c<T>(0);
    if (tiny_slope<T>()) return inside(z(x), c<T>(slope));
    const double a = -shift, b = inv_slope - shift;
    const double lo = a < b ? a : b, hi = a < b ? b : a;
    return where((x > c<T>(lo)) & (x < c<T>(hi)), c<T>(slope), c<T>(0));
  }
  template <class T> TA_HD T dy(T y) const { return inside(y, c<T>(slope)); }
};

// --------------------------------------------------------------- quant_relu
// round(clamp(x, 0, m)/m·L)·m/L, ties to even; straight-through gradient 1
// on (0, m).  The static forms take m as a value of T: the learnable PACT
// uses them with a per-channel m.
struct QuantRelu : PointwiseBase {
  static constexpr bool kZeroD2 = true;
  struct Args {
    int64_t levels;
    double max_val;
  };
  double levels, max_val;
  TA_HD explicit QuantRelu(const Args& p)
      : levels(static_cast<double>(p.levels)), max_val(p.max_val) {}
  template <class T> TA_HD static T quantize(T x, T m, T L) {
    const T xc = clamp_nan(x, c<T>(0), m);
    return round_even(xc / m * L) * m / L;
  }
  template <class T> TA_HD static T straight_through(T x, T m) {
    return where((x > c<T>(0)) & (x < m), c<T>(1), c<T>(0));
  }
  template <class T> TA_HD T f(T x) const {
    return quantize(x, c<T>(max_val), c<T>(levels));
  }
  template <class T> TA_HD T df(T x) const { return straight_through(x, c<T>(max_val)); }
};

}  // namespace TA_NS
}  // namespace ta::math
