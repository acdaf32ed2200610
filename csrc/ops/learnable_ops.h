// The activations with learnable parameters: the descriptors, which add to
// the names and schema arguments of csrc/generated/spec.h the functor, the
// weight's layout and the checks of the op's configuration.
//
// Every op takes the input and one weight tensor holding its P parameters
// for each of G groups (one shared group, or one per channel C = input.size(1)):
//   kOneD    weight [G]        (P = 1; prelu, as F.prelu)
//   kTwoD    weight [P, G]     rows in the order of kParamNames
//   kCoefs   weight [N, C or 1, K, 2]  per-sample (a_k, b_k) (dynamic_relu)
// `config` validates the op's extra arguments and the number of parameters
// and returns the functor's Args; `check_values` validates parameter values
// that the math requires (on CPU tensors, where reading them is free).
#pragma once

#include <ATen/core/Tensor.h>
#include <c10/util/Exception.h>

#include "../generated/spec.h"
#include "../math/learnable.h"
#include "common.h"

namespace ta {

enum class WeightLayout { kOneD, kTwoD, kCoefs };

namespace ops {
inline namespace TA_NS {

#define TA_LEARNABLE(op, functor, layout)         \
  static constexpr WeightLayout kLayout = layout; \
  using F = math::functor;

inline void check_count(const char* op, int64_t got, int64_t expected, const char* what) {
  TORCH_CHECK(got == expected, op, ": expected ", expected, " parameters per group (", what,
              "), got ", got);
}

// All values of row `row` of a [P, G] weight are > 0.
inline void check_positive_rows(const char* op, const at::Tensor& w, int64_t row, const char* name) {
  if (!w.device().is_cpu() || w.numel() == 0) return;
  const auto r = w.select(0, row);
  TORCH_CHECK((r > 0).all().item<bool>(), op, ": ", name,
              " must be positive, got min ", r.min().item<double>());
}

struct prelu : spec::prelu {
  TA_LEARNABLE(prelu, PReLU, WeightLayout::kOneD)
  static F::Args config(int64_t P) {
    check_count(kName, P, 1, "weight");
    return {};
  }
  static void check_values(const at::Tensor&) {}
};

struct swish_learnable : spec::swish_learnable {
  TA_LEARNABLE(swish_learnable, SwishBeta, WeightLayout::kTwoD)
  static F::Args config(int64_t P) {
    check_count(kName, P, 1, "beta");
    return {};
  }
  static void check_values(const at::Tensor&) {}
};

struct learnable_sigmoid : spec::learnable_sigmoid {
  TA_LEARNABLE(learnable_sigmoid, LearnableSigmoid, WeightLayout::kTwoD)
  static F::Args config(int64_t P) {
    check_count(kName, P, 2, "alpha, beta");
    return {};
  }
  static void check_values(const at::Tensor&) {}
};

struct parametric_softplus : spec::parametric_softplus {
  TA_LEARNABLE(parametric_softplus, ParametricSoftplus, WeightLayout::kTwoD)
  static F::Args config(int64_t P) {
    check_count(kName, P, 2, "alpha, beta");
    return {};
  }
  static void check_values(const at::Tensor& w) { check_positive_rows(kName, w, 1, "beta"); }
};

struct srelu : spec::srelu {
  TA_LEARNABLE(srelu, SReLU, WeightLayout::kTwoD)
  static F::Args config(int64_t P) {
    check_count(kName, P, 4, "t_left, a_left, t_right, a_right");
    return {};
  }
  static void check_values(const at::Tensor&) {}
};

struct pau : spec::pau {
  TA_LEARNABLE(pau, PAU, WeightLayout::kTwoD)
  static F::Args config(int64_t P) {
    TORCH_CHECK(P >= 2 && P % 2 == 0 && P <= F::kMaxP, kName,
                ": expected 2K parameters per group (coefficients a_1..a_K, powers p_1..p_K, "
                "1 <= K <= ",
                F::kMaxP / 2, "), got ", P);
    return {.terms = P / 2};
  }
  static void check_values(const at::Tensor& w) {
    for (int64_t k = w.size(0) / 2; k < w.size(0); ++k) check_positive_rows(kName, w, k, "powers");
  }
};

struct pade : spec::pade {
  TA_LEARNABLE(pade, Pade, WeightLayout::kTwoD)
  static F::Args config(int64_t P, int64_t num_degree, int64_t den_degree) {
    TORCH_CHECK(num_degree >= 0 && num_degree < F::kMaxNum, kName, ": num_degree must be in [0, ",
                F::kMaxNum - 1, "], got ", num_degree);
    TORCH_CHECK(den_degree >= 1 && den_degree <= F::kMaxDen, kName, ": den_degree must be in [1, ",
                F::kMaxDen, "], got ", den_degree);
    check_count(kName, P, num_degree + 1 + den_degree,
                "numerator a_0..a_m, then denominator b_1..b_n");
    return {.num_degree = num_degree, .den_degree = den_degree};
  }
  static void check_values(const at::Tensor&) {}
};

struct pact : spec::pact {
  TA_LEARNABLE(pact, Pact, WeightLayout::kTwoD)
  static F::Args config(int64_t P, int64_t levels) {
    check_min(kName, "levels", levels, 1);
    check_count(kName, P, 1, "max_val");
    return {.levels = levels};
  }
  static void check_values(const at::Tensor& w) { check_positive_rows(kName, w, 0, "max_val"); }
};

struct relu_polymix : spec::relu_polymix {
  TA_LEARNABLE(relu_polymix, ReLUPolyMix, WeightLayout::kTwoD)
  static F::Args config(int64_t P, int64_t degree) {
    TORCH_CHECK(degree >= 1 && degree <= 16, kName, ": degree must be in [1, 16], got ", degree);
    check_count(kName, P, 2, "a, b");
    return {.degree = degree};
  }
  static void check_values(const at::Tensor&) {}
};

struct dynamic_relu : spec::dynamic_relu {
  TA_LEARNABLE(dynamic_relu, DynamicReLU, WeightLayout::kCoefs)
  static F::Args config(int64_t P) {
    TORCH_CHECK(P >= 2 && P % 2 == 0 && P <= F::kMaxP, kName,
                ": coefs must have shape [N, C or 1, K, 2] with 1 <= K <= ", F::kMaxP / 2);
    return {.pieces = P / 2};
  }
  static void check_values(const at::Tensor&) {}
};

#undef TA_LEARNABLE

}  // namespace TA_NS
}  // namespace ops
}  // namespace ta
