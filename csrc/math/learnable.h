// Activations with learnable parameters, f(x; p) with P parameters per group
// (one shared group, one per channel, or one per sample and channel), written
// once for every device and instruction set.  Each functor provides:
//
//   f(x, p)                                   the activation
//   grad(x, p, g, gp) -> gx                   gx = g ∂f/∂x, gp[k] = g ∂f/∂p_k
//   grad2(x, p, g, ggx, ggp, dg, dx, dp)      the second-order terms: for
//        upstream gradients (ggx, ggp) of (gx, gp),
//          dg    = ggx f_x + Σ_k ggp_k f_{p_k}
//          dx    = g (ggx f_xx + Σ_k ggp_k f_{x p_k})
//          dp_l  = g (ggx f_{x p_l} + Σ_k ggp_k f_{p_k p_l})
//
// The engine (csrc/cpu/param_kernels.cpp) sums gp and dp over each group,
// deterministically.  The op's configuration (degrees, levels, the number of
// terms) is the functor's Args; p is the per-group parameter vector.  Where a
// learnable op is a pointwise activation with a parameter made learnable,
// the functor uses that activation's math (csrc/math/pointwise.h).
#pragma once

#include "pointwise.h"

namespace ta::math {
inline namespace TA_NS {

// ------------------------------------------------------------------- prelu
// p = (w): leaky_relu with slope w (F.prelu); ∂/∂w = x where x <= 0.
struct PReLU {
  static constexpr int kMaxP = 1;
  using Args = NoArgs;
  int P = 1;
  TA_HD explicit PReLU(const Args&) {}
  template <class T> TA_HD T f(T x, const T* p) const { return LeakyRelu::value(x, p[0]); }
  template <class T> TA_HD T grad(T x, const T* p, T g, T* gp) const {
    const auto pos = x > c<T>(0);
    gp[0] = where(pos, c<T>(0), g * x);
    return g * LeakyRelu::deriv(x, p[0]);
  }
  template <class T>
  TA_HD void grad2(T x, const T* p, T g, T ggx, const T* ggp, T& dg, T& dx, T* dp) const {
    const auto pos = x > c<T>(0);
    dg = where(pos, ggx, ggx * p[0] + ggp[0] * x);
    dx = where(pos, c<T>(0), g * ggp[0]);
    dp[0] = where(pos, c<T>(0), g * ggx);
  }
};

// ---------------------------------------------------- swish with a learnable beta
// p = (β): the Swish functor's math with a runtime β; with v = βx,
// ss = σ(v) σ(-v) and h = ss (2 + v (sn - s)):
//   f_x, f_xx = β h from Swish;  f_β = x² ss,  f_xβ = x h,  f_ββ = x³ ss (sn - s)
struct SwishBeta {
  static constexpr int kMaxP = 1;
  using Args = NoArgs;
  int P = 1;
  TA_HD explicit SwishBeta(const Args&) {}
  template <class T> TA_HD T f(T x, const T* p) const { return Swish::value(x, p[0]); }
  template <class T> TA_HD T grad(T x, const T* p, T g, T* gp) const {
    const auto s = sig2(x * p[0]);
    gp[0] = g * mul0(x * x, s.s * s.sn);
    return g * Swish::value_and_deriv(x, p[0]).df;
  }
  template <class T>
  TA_HD void grad2(T x, const T* p, T g, T ggx, const T* ggp, T& dg, T& dx, T* dp) const {
    const T beta = p[0];
    const T v = x * beta;
    const auto s = sig2(v);
    const T ss = s.s * s.sn;
    const T h = mul0(c<T>(2) + v * (s.sn - s.s), ss);
    const T fx = Swish::value_and_deriv(x, beta).df;
    const T fb = mul0(x * x, ss);
    dg = ggx * fx + ggp[0] * fb;
    dx = g * (ggx * Swish::second(x, beta) + ggp[0] * mul0(x, h));
    dp[0] = g * (ggx * mul0(x, h) + ggp[0] * mul0(x * x * x * (s.sn - s.s), ss));
  }
};

// ------------------------------------------------------- learnable_sigmoid
// p = (α, β): σ(αx + β).  With z = αx + β, ss = σ'(z), s2 = σ''(z) and the
// change of z along the upstream gradients u = α ggx + x ggα + ggβ:
//   dg = ss u,  dx = g (α s2 u + ggα ss),  dα = g (x s2 u + ggx ss),  dβ = g s2 u
struct LearnableSigmoid {
  static constexpr int kMaxP = 2;
  using Args = NoArgs;
  int P = 2;
  TA_HD explicit LearnableSigmoid(const Args&) {}
  template <class T> TA_HD T f(T x, const T* p) const { return sigmoid(p[0] * x + p[1]); }
  template <class T> TA_HD T grad(T x, const T* p, T g, T* gp) const {
    const auto s = sig2(p[0] * x + p[1]);
    const T gss = g * s.s * s.sn;
    gp[0] = mul0(x, gss);
    gp[1] = gss;
    return p[0] * gss;
  }
  template <class T>
  TA_HD void grad2(T x, const T* p, T g, T ggx, const T* ggp, T& dg, T& dx, T* dp) const {
    const auto s = sig2(p[0] * x + p[1]);
    const T ss = s.s * s.sn;
    const T s2 = ss * (s.sn - s.s);
    const T u = p[0] * ggx + mul0(x, ggp[0]) + ggp[1];
    const T s2u = mul0(u, s2);
    dg = mul0(u, ss);
    dx = g * (p[0] * s2u + ggp[0] * ss);
    dp[0] = g * (mul0(x, s2u) + ggx * ss);
    dp[1] = g * s2u;
  }
};

// ----------------------------------------------------- parametric_softplus
// p = (α, β): sp(αx)/β with sp(z) = log(1 + e^z) (Softplus::raw, stable for
// every z); s = σ(z), ss = σ'(z), u = α ggx + x ggα (the change of z):
//   f_x = α s/β, f_α = x s/β, f_β = -sp/β²
//   dg = s u/β - ggβ sp/β²
//   dx = g (α ss u/β + ggα s/β - ggβ α s/β²)
//   dα = g (x ss u/β + ggx s/β - ggβ x s/β²)
//   dβ = g (-s u/β² + 2 ggβ sp/β³)
struct ParametricSoftplus {
  static constexpr int kMaxP = 2;
  using Args = NoArgs;
  int P = 2;
  TA_HD explicit ParametricSoftplus(const Args&) {}
  template <class T> TA_HD static T sp(T z) { return Softplus::raw(z); }
  template <class T> TA_HD T f(T x, const T* p) const { return sp(p[0] * x) / p[1]; }
  template <class T> TA_HD T grad(T x, const T* p, T g, T* gp) const {
    const T z = p[0] * x;
    const T gs = g * sigmoid(z) / p[1];
    gp[0] = mul0(x, gs);
    gp[1] = g * (c<T>(0) - sp(z)) / (p[1] * p[1]);
    return p[0] * gs;
  }
  template <class T>
  TA_HD void grad2(T x, const T* p, T g, T ggx, const T* ggp, T& dg, T& dx, T* dp) const {
    const T alpha = p[0], inv_b = c<T>(1) / p[1];
    const T z = alpha * x;
    const auto s = sig2(z);
    const T ss = s.s * s.sn;
    const T spz = sp(z);
    const T u = alpha * ggx + mul0(x, ggp[0]);
    const T ssu = mul0(u, ss) * inv_b;
    const T sb = s.s * inv_b;
    const T bb = ggp[1] * inv_b;
    dg = mul0(u, sb) - bb * spz * inv_b;
    dx = g * (alpha * ssu + ggp[0] * sb - alpha * bb * sb);
    dp[0] = g * (mul0(x, ssu) + ggx * sb - mul0(x, bb * sb));
    dp[1] = g * inv_b * (c<T>(0) - mul0(u, sb) + c<T>(2) * bb * spz * inv_b);
  }
};

// ------------------------------------------------------------------- srelu
// p = (t_l, a_l, t_r, a_r) (Jin et al.): t_r + a_r (x - t_r) for x >= t_r,
// x on (t_l, t_r), t_l + a_l (x - t_l) for x <= t_l.  The only second
// derivatives: (x, a) = 1 and (t, a) = -1 on the outer pieces.  A NaN
// threshold or slope gives NaN (as a NaN weight does in prelu), rather than
// silently selecting the middle piece.
struct SReLU {
  static constexpr int kMaxP = 4;
  using Args = NoArgs;
  int P = 4;
  TA_HD explicit SReLU(const Args&) {}
  template <class T> TA_HD T f(T x, const T* p) const {
    const auto right = x >= p[2];
    const auto left = x <= p[0];
    const auto nan_param = (p[0] != p[0]) | (p[1] != p[1]) | (p[2] != p[2]) | (p[3] != p[3]);
    return where(nan_param, p[0] + p[1] + p[2] + p[3],
                 where(right, p[2] + p[3] * (x - p[2]), where(left, p[0] + p[1] * (x - p[0]), x)));
  }
  template <class T> TA_HD T grad(T x, const T* p, T g, T* gp) const {
    const auto right = x >= p[2];
    const auto left = (x <= p[0]) & (x < p[2]);
    const T zero = c<T>(0), one = c<T>(1);
    gp[0] = where(left, g * (one - p[1]), zero);
    gp[1] = where(left, g * (x - p[0]), zero);
    gp[2] = where(right, g * (one - p[3]), zero);
    gp[3] = where(right, g * (x - p[2]), zero);
    return g * where(right, p[3], where(left, p[1], one));
  }
  template <class T>
  TA_HD void grad2(T x, const T* p, T g, T ggx, const T* ggp, T& dg, T& dx, T* dp) const {
    const auto right = x >= p[2];
    const auto left = (x <= p[0]) & (x < p[2]);
    const T zero = c<T>(0), one = c<T>(1);
    dg = where(right, ggx * p[3] + ggp[2] * (one - p[3]) + ggp[3] * (x - p[2]),
               where(left, ggx * p[1] + ggp[0] * (one - p[1]) + ggp[1] * (x - p[0]), ggx));
    dx = g * where(right, ggp[3], where(left, ggp[1], zero));
    dp[0] = where(left, zero - g * ggp[1], zero);
    dp[1] = where(left, g * (ggx - ggp[0]), zero);
    dp[2] = where(right, zero - g * ggp[3], zero);
    dp[3] = where(right, g * (ggx - ggp[2]), zero);
  }
};

// --------------------------------------------------------------------- pau
// Power activation unit of the source article: Σ_k a_k sign(x) |x|^{p_k},
// parameters (a_1..a_K, p_1..p_K), K = Args::terms, powers > 0.  With
// w_k = |x|^{p_k} and L = ln|x|:
//   f_x = Σ a_k p_k |x|^{p_k - 1},  f_{a_k} = sign(x) w_k,
//   f_{p_k} = a_k sign(x) w_k L
// At x = 0 (documented): |x|^{p-1} is taken as 1 for p = 1 and 0 otherwise
// (its limit for p > 1; for p < 1 the derivative is infinite and 0 is
// used), ∂/∂p_k = 0, and f_xx = f_{x p_k} = 0.
struct PAU {
  static constexpr int kMaxP = 8;  // K <= 4
  struct Args {
    int64_t terms;  // K
  };
  int P, K;
  TA_HD explicit PAU(const Args& a) : P(2 * static_cast<int>(a.terms)), K(static_cast<int>(a.terms)) {}

  // |x|^{p-1} with the convention at 0.
  template <class T> TA_HD static T pow_m1(T x, T L, T p) {
    return where(x == c<T>(0), where(p == c<T>(1), c<T>(1), c<T>(0)), exp((p - c<T>(1)) * L));
  }
  template <class T> TA_HD T f(T x, const T* p) const {
    const T L = log(abs(x));
    T acc = c<T>(0);
    for (int k = 0; k < K; ++k) acc = acc + p[k] * exp(p[K + k] * L);
    return sign(x) * acc;
  }
  template <class T> TA_HD T grad(T x, const T* p, T g, T* gp) const {
    const T L = log(abs(x));
    const T sx = sign(x);
    T gx = c<T>(0);
    for (int k = 0; k < K; ++k) {
      const T w = exp(p[K + k] * L);
      gp[k] = g * sx * w;
      gp[K + k] = g * p[k] * sx * mul0(L, w);
      gx = gx + p[k] * p[K + k] * pow_m1(x, L, p[K + k]);
    }
    return g * gx;
  }
  template <class T>
  TA_HD void grad2(T x, const T* p, T g, T ggx, const T* ggp, T& dg, T& dx, T* dp) const {
    const T L = log(abs(x));
    const T sx = sign(x);
    const auto at0 = x == c<T>(0);
    T fx = c<T>(0), fxx = c<T>(0), dxs = c<T>(0), dgs = c<T>(0);
    for (int k = 0; k < K; ++k) {
      const T a = p[k], pk = p[K + k];
      const T w = exp(pk * L);
      const T q = pow_m1(x, L, pk);
      const T wl = mul0(L, w);                 // w L
      const T wll = mul0(L * L, w);            // w L²
      const T f_a = sx * w, f_p = a * sx * wl;
      const T f_xa = pk * q;
      const T f_xp = where(at0, c<T>(0), a * q * (c<T>(1) + pk * L));
      const T f_ap = sx * wl, f_pp = a * sx * wll;
      fx = fx + a * f_xa;
      fxx = fxx + where(at0, c<T>(0), a * pk * (pk - c<T>(1)) * sx * exp((pk - c<T>(2)) * L));
      dgs = dgs + ggp[k] * f_a + ggp[K + k] * f_p;
      dxs = dxs + ggp[k] * f_xa + ggp[K + k] * f_xp;
      dp[k] = g * (ggx * f_xa + ggp[K + k] * f_ap);
      dp[K + k] = g * (ggx * f_xp + ggp[k] * f_ap + ggp[K + k] * f_pp);
    }
    dg = ggx * fx + dgs;
    dx = g * (ggx * fxx + dxs);
  }
};

// -------------------------------------------------------------------- pade
// Safe Padé activation unit (Molina et al.): F = N/Q with
// N = Σ_{j=0}^{m} a_j x^j, Q = 1 + A, A = Σ_{k=1}^{n} |b_k| |x|^k;
// parameters (a_0..a_m, b_1..b_n), m, n = Args::num_degree, den_degree.
// With r_k = sign(b_k)|x|^k (= ∂A/∂b_k) and primes for d/dx:
//   F_x = (N' - F A')/Q,  F_xx = (N'' - 2 F_x A' - F A'')/Q
//   F_{a_j} = x^j/Q,  F_{b_k} = -F r_k/Q
// and for the upstream (ggx, gga, ggb), dN = Σ gga_j x^j, dR = Σ ggb_k r_k:
//   dg    = ggx F_x + (dN - F dR)/Q
//   dx    = g (ggx F_xx + (dN' - A' dN/Q)/Q - (F_x dR + F dR' - A' F dR/Q)/Q)
//   da_j  = g (ggx j x^{j-1} - F_{a_j} (ggx A' + dR))/Q
//   db_k  = g (ggx F_{x b_k} - r_k dN/Q² - 2 F_{b_k} dR/Q),
//           F_{x b_k} = -(F_x r_k + F r_k' + F_{b_k} A')/Q
struct Pade {
  static constexpr int kMaxNum = 9, kMaxDen = 8;
  static constexpr int kMaxP = kMaxNum + kMaxDen;
  struct Args {
    int64_t num_degree, den_degree;
  };
  int P, m, n;
  TA_HD explicit Pade(const Args& a)
      : P(static_cast<int>(a.num_degree) + 1 + static_cast<int>(a.den_degree)),
        m(static_cast<int>(a.num_degree)),
        n(static_cast<int>(a.den_degree)) {}

  template <class T>
  struct Parts {
    T N, N1, N2, A1, A2, Q, F, Fx;
  };
  template <class T> TA_HD Parts<T> parts(T x, const T* p, bool second) const {
    // Horner for N, N', N'' (from the top coefficient down).
    T N = p[m], N1 = c<T>(0), N2 = c<T>(0);
    for (int j = m - 1; j >= 0; --j) {
      N2 = N2 * x + c<T>(2) * N1;
      N1 = N1 * x + N;
      N = N * x + p[j];
    }
    const T ax = abs(x);
    const T sx = sign(x);
    T A = c<T>(0), A1 = c<T>(0), A2 = c<T>(0);
    T pk1 = c<T>(1), pk2 = c<T>(0);  // |x|^(k-1), |x|^(k-2)
    for (int k = 1; k <= n; ++k) {
      const T b = abs(p[m + k]);
      if (second) A2 = A2 + b * c<T>(k * (k - 1)) * pk2;
      A1 = A1 + b * c<T>(k) * pk1;
      A = A + b * pk1 * ax;
      pk2 = pk1;
      pk1 = pk1 * ax;
    }
    A1 = A1 * sx;
    const T Q = c<T>(1) + A;
    const T F = N / Q;
    return {N, N1, N2, A1, A2, Q, F, (N1 - F * A1) / Q};
  }
  template <class T> TA_HD T f(T x, const T* p) const { return parts(x, p, false).F; }
  template <class T> TA_HD T grad(T x, const T* p, T g, T* gp) const {
    const auto q = parts(x, p, false);
    const T gq = g / q.Q;
    T xj = c<T>(1);
    for (int j = 0; j <= m; ++j) {
      gp[j] = gq * xj;
      xj = xj * x;
    }
    const T ax = abs(x);
    T xk = ax;
    for (int k = 1; k <= n; ++k) {
      gp[m + k] = c<T>(0) - gq * q.F * sign(p[m + k]) * xk;
      xk = xk * ax;
    }
    return g * q.Fx;
  }
  template <class T>
  TA_HD void grad2(T x, const T* p, T g, T ggx, const T* ggp, T& dg, T& dx, T* dp) const {
    const auto q = parts(x, p, true);
    const T invQ = c<T>(1) / q.Q;
    const T Fxx = (q.N2 - c<T>(2) * q.Fx * q.A1 - q.F * q.A2) * invQ;
    const T ax = abs(x);
    const T sx = sign(x);
    // directional sums over the parameters
    T dN = c<T>(0), dN1 = c<T>(0), xj = c<T>(1), xjm1 = c<T>(0);  // x^j, j x^(j-1)
    for (int j = 0; j <= m; ++j) {
      dN = dN + ggp[j] * xj;
      dN1 = dN1 + ggp[j] * xjm1;
      xjm1 = c<T>(j + 1) * xj;
      xj = xj * x;
    }
    T dR = c<T>(0), dR1 = c<T>(0), xk = c<T>(1);  // |x|^(k-1)
    for (int k = 1; k <= n; ++k) {
      const T sb = sign(p[m + k]);
      dR1 = dR1 + ggp[m + k] * sb * c<T>(k) * xk * sx;
      xk = xk * ax;
      dR = dR + ggp[m + k] * sb * xk;
    }
    dg = ggx * q.Fx + (dN - q.F * dR) * invQ;
    dx = g * (ggx * Fxx + (dN1 - q.A1 * dN * invQ) * invQ -
              (q.Fx * dR + q.F * dR1 - q.A1 * q.F * dR * invQ) * invQ);
    xj = c<T>(1);
    xjm1 = c<T>(0);
    for (int j = 0; j <= m; ++j) {
      const T Faj = xj * invQ;
      dp[j] = g * (ggx * xjm1 - Faj * (ggx * q.A1 + dR)) * invQ;
      xjm1 = c<T>(j + 1) * xj;
      xj = xj * x;
    }
    xk = c<T>(1);
    for (int k = 1; k <= n; ++k) {
      const T sb = sign(p[m + k]);
      const T r1 = sb * c<T>(k) * xk * sx;  // r_k'
      xk = xk * ax;
      const T r = sb * xk;
      const T Fb = c<T>(0) - q.F * r * invQ;
      const T Fxb = c<T>(0) - (q.Fx * r + q.F * r1 + Fb * q.A1) * invQ;
      dp[m + k] = g * (ggx * Fxb - r * dN * invQ * invQ - c<T>(2) * Fb * dR * invQ);
    }
  }
};

// ---------------------------------------------------------- PACT quant_relu
// p = (α): quant_relu with a learnable max_val α (QuantRelu's math); straight
// through: ∂/∂x = 1 on (0, α), ∂/∂α = 1 where x >= α; second derivatives 0.
struct Pact {
  static constexpr int kMaxP = 1;
  struct Args {
    int64_t levels;
  };
  int P = 1;
  double levels;
  TA_HD explicit Pact(const Args& a) : levels(static_cast<double>(a.levels)) {}
  template <class T> TA_HD T f(T x, const T* p) const {
    return QuantRelu::quantize(x, p[0], c<T>(levels));
  }
  template <class T> TA_HD T grad(T x, const T* p, T g, T* gp) const {
    gp[0] = where(x >= p[0], g, c<T>(0));
    return g * QuantRelu::straight_through(x, p[0]);
  }
  template <class T>
  TA_HD void grad2(T x, const T* p, T, T ggx, const T* ggp, T& dg, T& dx, T* dp) const {
    dg = ggx * QuantRelu::straight_through(x, p[0]) + where(x >= p[0], ggp[0], c<T>(0));
    dx = c<T>(0);
    dp[0] = c<T>(0);
  }
};

// ------------------------------------------------------------ relu_polymix
// p = (a, b), degree d = Args::degree: σ(b) relu(x) + (1 - σ(b)) a S(x) with
// S = Σ_{i=1}^{d} x^i/i (S' = Σ x^{i-1}, S'' = Σ (i-1) x^{i-2}).
struct ReLUPolyMix {
  static constexpr int kMaxP = 2;
  struct Args {
    int64_t degree;
  };
  int P = 2, degree;
  TA_HD explicit ReLUPolyMix(const Args& a) : degree(static_cast<int>(a.degree)) {}
  template <class T>
  struct Poly {
    T S, S1, S2;
  };
  template <class T> TA_HD Poly<T> poly(T x) const {
    // Horner over i = d..1 of x^i/i and its derivatives
    T S = c<T>(0), S1 = c<T>(0), S2 = c<T>(0);
    for (int i = degree; i >= 1; --i) {
      S2 = S2 * x + c<T>(2) * S1;
      S1 = S1 * x + S;
      S = S * x + c<T>(1.0 / i);
    }
    // S holds Σ x^(i-1)/i: one more factor x.
    return {S * x, S1 * x + S, S2 * x + c<T>(2) * S1};
  }
  template <class T> TA_HD T f(T x, const T* p) const {
    const T sb = sigmoid(p[1]);
    return sb * where(x > c<T>(0), x, c<T>(0)) + (c<T>(1) - sb) * p[0] * poly(x).S;
  }
  template <class T> TA_HD T grad(T x, const T* p, T g, T* gp) const {
    const auto s = sig2(p[1]);
    const auto q = poly(x);
    const T relu = where(x > c<T>(0), x, c<T>(0));
    const T step = where(x > c<T>(0), c<T>(1), c<T>(0));
    gp[0] = g * s.sn * q.S;
    gp[1] = g * s.s * s.sn * (relu - p[0] * q.S);
    return g * (s.s * step + s.sn * p[0] * q.S1);
  }
  template <class T>
  TA_HD void grad2(T x, const T* p, T g, T ggx, const T* ggp, T& dg, T& dx, T* dp) const {
    const auto s = sig2(p[1]);
    const T sb1 = s.s * s.sn, sb2 = sb1 * (s.sn - s.s);
    const auto q = poly(x);
    const T a = p[0];
    const T relu = where(x > c<T>(0), x, c<T>(0));
    const T step = where(x > c<T>(0), c<T>(1), c<T>(0));
    const T fx = s.s * step + s.sn * a * q.S1;
    const T fa = s.sn * q.S, fb = sb1 * (relu - a * q.S);
    const T fxx = s.sn * a * q.S2, fxa = s.sn * q.S1, fxb = sb1 * (step - a * q.S1);
    const T fab = c<T>(0) - sb1 * q.S, fbb = sb2 * (relu - a * q.S);
    dg = ggx * fx + ggp[0] * fa + ggp[1] * fb;
    dx = g * (ggx * fxx + ggp[0] * fxa + ggp[1] * fxb);
    dp[0] = g * (ggx * fxa + ggp[1] * fab);
    dp[1] = g * (ggx * fxb + ggp[0] * fab + ggp[1] * fbb);
  }
};

// ------------------------------------------------------------ dynamic_relu
// DY-ReLU (Chen et al.): y = max_k (a_k x + b_k) with per-sample (and per-
// channel) coefficients p = (a_1..a_K, b_1..b_K), K = Args::pieces; the
// gradient goes to the first maximal piece k*: f_x = a_k*, f_{a_k*} = x,
// f_{b_k*} = 1; the only second derivative is f_{x a_k*} = 1.
struct DynamicReLU {
  static constexpr int kMaxP = 8;  // K <= 4
  struct Args {
    int64_t pieces;  // K
  };
  int P, K;
  TA_HD explicit DynamicReLU(const Args& a)
      : P(2 * static_cast<int>(a.pieces)), K(static_cast<int>(a.pieces)) {}
  template <class T> TA_HD T f(T x, const T* p) const {
    T best = p[0] * x + p[K];
    for (int k = 1; k < K; ++k) best = max_nan(best, p[k] * x + p[K + k]);
    return best;
  }
  // Which piece is the first maximum, as K masks (1 on the chosen piece).
  template <class T> TA_HD void choice(T x, const T* p, T* sel) const {
    T best = p[0] * x + p[K];
    sel[0] = c<T>(1);
    for (int k = 1; k < K; ++k) {
      const T v = p[k] * x + p[K + k];
      const auto better = v > best;
      for (int j = 0; j < k; ++j) sel[j] = where(better, c<T>(0), sel[j]);
      sel[k] = where(better, c<T>(1), c<T>(0));
      best = where(better, v, best);
    }
  }
  template <class T> TA_HD T grad(T x, const T* p, T g, T* gp) const {
    T sel[kMaxP / 2];
    choice(x, p, sel);
    T gx = c<T>(0);
    for (int k = 0; k < K; ++k) {
      const T gk = g * sel[k];
      gp[k] = gk * x;
      gp[K + k] = gk;
      gx = gx + gk * p[k];
    }
    return gx;
  }
  template <class T>
  TA_HD void grad2(T x, const T* p, T g, T ggx, const T* ggp, T& dg, T& dx, T* dp) const {
    T sel[kMaxP / 2];
    choice(x, p, sel);
    dg = c<T>(0);
    dx = c<T>(0);
    for (int k = 0; k < K; ++k) {
      dg = dg + sel[k] * (ggx * p[k] + ggp[k] * x + ggp[K + k]);
      dx = dx + sel[k] * g * ggp[k];
      dp[k] = sel[k] * g * ggx;
      dp[K + k] = c<T>(0);
    }
  }
};

// ------------------------------------------------------ one element, any mode
// What the kernels of every backend apply to one element (scalar or vector
// T): the forward, the backward or the double backward, writing the
// elementwise outputs and adding the parameter contributions to acc[].
//   forward:          in = {x},            out = {y}
//   backward:         in = {x, g},         out = {gx}
//   double backward:  in = {x, g, ggx},    out = {dg, dx}   (ggp: ggw of the group)
enum class Mode { kForward, kBackward, kDoubleBackward };

template <Mode M>
constexpr int kModeInputs = M == Mode::kForward ? 1 : (M == Mode::kBackward ? 2 : 3);
template <Mode M>
constexpr int kModeOutputs = M == Mode::kDoubleBackward ? 2 : 1;

template <Mode M, class F, class T>
TA_HD void learnable_element(const F& fn, const T* in, T* out, const T* p, const T* ggp, T* acc) {
  if constexpr (M == Mode::kForward) {
    out[0] = fn.f(in[0], p);
  } else {
    T contrib[F::kMaxP];
    if constexpr (M == Mode::kBackward) {
      out[0] = fn.grad(in[0], p, in[1], contrib);
    } else {
      fn.grad2(in[0], p, in[1], in[2], ggp, out[0], out[1], contrib);
    }
    for (int k = 0; k < fn.P; ++k) acc[k] = acc[k] + contrib[k];
  }
}

}  // namespace TA_NS
}  // namespace ta::math
