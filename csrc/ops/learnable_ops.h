// The activations with learnable parameters: X(name) list and descriptors.
//
// Every op takes the input and one weight tensor holding its P parameters
// for each of G groups (one shared group, or one per channel C = input.size(1)):
//   kOneD    weight [G]        (P = 1; prelu, as F.prelu)
//   kTwoD    weight [P, G]     rows in the order of kParamNames
//   kCoefs   weight [N, C or 1, K, 2]  per-sample (a_k, b_k) (dynamic_relu)
// `config` validates the op's extra arguments and the number of parameters
// and returns the functor's Params; `check_values` validates parameter
// values that the math requires (on CPU tensors, where reading them is free).
#pragma once

#include <ATen/core/Tensor.h>
#include <c10/util/Exception.h>

#include "../math/learnable.h"
#include "common.h"

#define TA_LEARNABLE_OPS(X) \
  X(prelu)                  \
  X(swish_learnable)        \
  X(learnable_sigmoid)      \
  X(parametric_softplus)    \
  X(srelu)                  \
  X(pau)                    \
  X(pade)                   \
  X(pact)                   \
  X(relu_polymix)           \
  X(dynamic_relu)

namespace ta {

enum class LearnableOp : int32_t {
#define TA_X(name) name,
  TA_LEARNABLE_OPS(TA_X)
#undef TA_X
  kCount
};

enum class WeightLayout { kOneD, kTwoD, kCoefs };

namespace ops {
inline namespace TA_NS {

#define TA_LEARNABLE(op, functor, layout, args)        \
  static constexpr LearnableOp kIndex = LearnableOp::op; \
  static constexpr const char* kName = #op;            \
  static constexpr const char* kArgs = args;           \
  static constexpr WeightLayout kLayout = layout;      \
  using F = math::functor;

inline void check_count(const char* op, int64_t got, int64_t expected, const char* what) {
  TORCH_CHECK(got == expected, op, ": expected ", expected, " parameters per group (", what,
              "), got ", got);
}

// All values of row `row` of a [P, G] weight are > 0.
inline void check_positive(const char* op, const at::Tensor& w, int64_t row, const char* name) {
  if (!w.device().is_cpu() || w.numel() == 0) return;
  const auto r = w.select(0, row);
  TORCH_CHECK((r > 0).all().item<bool>(), op, ": ", name,
              " must be positive, got min ", r.min().item<double>());
}

struct prelu {
  TA_LEARNABLE(prelu, PReLU, WeightLayout::kOneD, "")
  static Params config(int64_t P) {
    check_count(kName, P, 1, "weight");
    return {};
  }
  static void check_values(const at::Tensor&) {}
};

struct swish_learnable {
  TA_LEARNABLE(swish_learnable, SwishBeta, WeightLayout::kTwoD, "")
  static Params config(int64_t P) {
    check_count(kName, P, 1, "beta");
    return {};
  }
  static void check_values(const at::Tensor&) {}
};

struct learnable_sigmoid {
  TA_LEARNABLE(learnable_sigmoid, LearnableSigmoid, WeightLayout::kTwoD, "")
  static Params config(int64_t P) {
    check_count(kName, P, 2, "alpha, beta");
    return {};
  }
  static void check_values(const at::Tensor&) {}
};

struct parametric_softplus {
  TA_LEARNABLE(parametric_softplus, ParametricSoftplus, WeightLayout::kTwoD, "")
  static Params config(int64_t P) {
    check_count(kName, P, 2, "alpha, beta");
    return {};
  }
  static void check_values(const at::Tensor& w) { check_positive(kName, w, 1, "beta"); }
};

struct srelu {
  TA_LEARNABLE(srelu, SReLU, WeightLayout::kTwoD, "")
  static Params config(int64_t P) {
    check_count(kName, P, 4, "t_left, a_left, t_right, a_right");
    return {};
  }
  static void check_values(const at::Tensor&) {}
};

struct pau {
  TA_LEARNABLE(pau, PAU, WeightLayout::kTwoD, "")
  static Params config(int64_t P) {
    TORCH_CHECK(P >= 2 && P % 2 == 0 && P <= F::kMaxP, kName,
                ": expected 2K parameters per group (coefficients a_1..a_K, powers p_1..p_K, "
                "1 <= K <= ",
                F::kMaxP / 2, "), got ", P);
    return {{static_cast<double>(P / 2)}};
  }
  static void check_values(const at::Tensor& w) {
    for (int64_t k = w.size(0) / 2; k < w.size(0); ++k) check_positive(kName, w, k, "powers");
  }
};

struct pade {
  TA_LEARNABLE(pade, Pade, WeightLayout::kTwoD, "int num_degree=5, int den_degree=4")
  static Params config(int64_t P, int64_t num_degree, int64_t den_degree) {
    TORCH_CHECK(num_degree >= 0 && num_degree < F::kMaxNum, kName, ": num_degree must be in [0, ",
                F::kMaxNum - 1, "], got ", num_degree);
    TORCH_CHECK(den_degree >= 1 && den_degree <= F::kMaxDen, kName, ": den_degree must be in [1, ",
                F::kMaxDen, "], got ", den_degree);
    check_count(kName, P, num_degree + 1 + den_degree,
                "numerator a_0..a_m, then denominator b_1..b_n");
    return {{static_cast<double>(num_degree), static_cast<double>(den_degree)}};
  }
  static void check_values(const at::Tensor&) {}
};

struct pact {
  TA_LEARNABLE(pact, Pact, WeightLayout::kTwoD, "int levels=4")
  static Params config(int64_t P, int64_t levels) {
    TORCH_CHECK(levels >= 1, kName, ": levels must be >= 1, got ", levels);
    check_count(kName, P, 1, "max_val");
    return {{static_cast<double>(levels)}};
  }
  static void check_values(const at::Tensor& w) { check_positive(kName, w, 0, "max_val"); }
};

struct relu_polymix {
  TA_LEARNABLE(relu_polymix, ReLUPolyMix, WeightLayout::kTwoD, "int degree=3")
  static Params config(int64_t P, int64_t degree) {
    TORCH_CHECK(degree >= 1 && degree <= 16, kName, ": degree must be in [1, 16], got ", degree);
    check_count(kName, P, 2, "a, b");
    return {{static_cast<double>(degree)}};
  }
  static void check_values(const at::Tensor&) {}
};

struct dynamic_relu {
  TA_LEARNABLE(dynamic_relu, DynamicReLU, WeightLayout::kCoefs, "")
  static Params config(int64_t P) {
    TORCH_CHECK(P >= 2 && P % 2 == 0 && P <= F::kMaxP, kName,
                ": coefs must have shape [N, C or 1, K, 2] with 1 <= K <= ", F::kMaxP / 2);
    return {{static_cast<double>(P / 2)}};
  }
  static void check_values(const at::Tensor&) {}
};

#undef TA_LEARNABLE

}  // namespace TA_NS
}  // namespace ops
}  // namespace ta
