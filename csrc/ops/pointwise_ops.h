// Descriptors of the pointwise ops: the schema arguments with the catalog's
// defaults, and `pack`, which validates those arguments (errors name the op)
// and turns them into the functor's Params.  The C++ types of pack's
// parameters must match the schema: float -> double, int -> int64_t,
// bool -> bool, str -> c10::string_view (checked when the library loads).
#pragma once

#include <c10/util/Exception.h>
#include <c10/util/string_view.h>

#include "../math/pointwise.h"
#include "common.h"
#include "pointwise_list.h"

namespace ta::ops {
inline namespace TA_NS {

#define TA_DESCRIPTOR(op, functor, args)                  \
  static constexpr PW kIndex = PW::op;                    \
  static constexpr const char* kName = #op;               \
  static constexpr const char* kArgs = args;              \
  using F = math::functor;

struct sigmoid {
  TA_DESCRIPTOR(sigmoid, Sigmoid, "")
  static Params pack() { return {}; }
};

struct tanh {
  TA_DESCRIPTOR(tanh, Tanh, "")
  static Params pack() { return {}; }
};

struct linear {
  TA_DESCRIPTOR(linear, Linear, "")
  static Params pack() { return {}; }
};

struct relu {
  TA_DESCRIPTOR(relu, Relu, "")
  static Params pack() { return {}; }
};

struct relu6 {
  TA_DESCRIPTOR(relu6, Relu6, "")
  static Params pack() { return {}; }
};

struct leaky_relu {
  TA_DESCRIPTOR(leaky_relu, LeakyRelu, "float negative_slope=0.01")
  static Params pack(double negative_slope) {
    check_finite_param(kName, "negative_slope", negative_slope);
    return {{negative_slope}};
  }
};

struct elu {
  TA_DESCRIPTOR(elu, Elu, "float alpha=1.0")
  static Params pack(double alpha) {
    check_finite_param(kName, "alpha", alpha);
    return {{alpha, 1.0, 1.0}};
  }
};

struct selu {
  TA_DESCRIPTOR(selu, Elu, "")
  static constexpr double kAlpha = 1.6732632423543772848170429916717;
  static constexpr double kLambda = 1.0507009873554804934193349852946;
  static Params pack() { return {{kAlpha, kLambda, 1.0}}; }
};

struct celu {
  TA_DESCRIPTOR(celu, Elu, "float alpha=1.0")
  static Params pack(double alpha) {
    check_finite_param(kName, "alpha", alpha);
    TORCH_CHECK(alpha != 0.0, "celu: alpha must be nonzero (celu divides by alpha)");
    return {{alpha, 1.0, 1.0 / alpha}};
  }
};

struct gelu {
  TA_DESCRIPTOR(gelu, Gelu, "str approximate='none'")
  // `op` names the operator in the error (geglu packs its argument here).
  static Params pack_for(const char* op, c10::string_view approximate) {
    TORCH_CHECK(approximate == "none" || approximate == "tanh", op,
                ": approximate must be 'none' or 'tanh', got '", approximate,
                "'");
    return {{approximate == "tanh" ? 1.0 : 0.0}};
  }
  static Params pack(c10::string_view approximate) {
    return pack_for(kName, approximate);
  }
};

struct swish {
  TA_DESCRIPTOR(swish, Swish, "float beta=1.0")
  static Params pack(double beta) {
    check_finite_param(kName, "beta", beta);
    return {{beta}};
  }
};

struct silu {
  TA_DESCRIPTOR(silu, Swish, "")
  static Params pack() { return {{1.0}}; }
};

struct eswish {
  TA_DESCRIPTOR(eswish, Eswish, "float beta=1.5")
  static Params pack(double beta) {
    check_finite_param(kName, "beta", beta);
    return {{beta}};
  }
};

struct mish {
  TA_DESCRIPTOR(mish, Mish, "")
  static Params pack() { return {}; }
};

struct sqnl {
  TA_DESCRIPTOR(sqnl, Sqnl, "")
  static Params pack() { return {}; }
};

struct bent_identity {
  TA_DESCRIPTOR(bent_identity, BentIdentity, "")
  static Params pack() { return {}; }
};

struct softplus {
  TA_DESCRIPTOR(softplus, Softplus, "float beta=1.0, float threshold=20.0")
  static Params pack(double beta, double threshold) {
    check_finite_param(kName, "beta", beta);
    TORCH_CHECK(beta > 0.0, "softplus: beta must be positive, got ", beta);
    TORCH_CHECK(!std::isnan(threshold), "softplus: threshold must not be NaN");
    return {{beta, threshold}};
  }
};

struct softsign {
  TA_DESCRIPTOR(softsign, Softsign, "")
  static Params pack() { return {}; }
};

struct sine {
  TA_DESCRIPTOR(sine, Sine, "float w0=1.0")
  static Params pack(double w0) {
    check_finite_param(kName, "w0", w0);
    return {{w0}};
  }
};

struct cosine {
  TA_DESCRIPTOR(cosine, Cosine, "float w0=1.0")
  static Params pack(double w0) {
    check_finite_param(kName, "w0", w0);
    return {{w0}};
  }
};

struct sinc {
  TA_DESCRIPTOR(sinc, Sinc, "bool normalized=True")
  static Params pack(bool normalized) { return {{normalized ? 1.0 : 0.0}}; }
};

struct arctan {
  TA_DESCRIPTOR(arctan, Arctan, "")
  static Params pack() { return {}; }
};

struct logsigmoid {
  TA_DESCRIPTOR(logsigmoid, LogSigmoid, "")
  static Params pack() { return {}; }
};

struct tanhexp {
  TA_DESCRIPTOR(tanhexp, TanhExp, "")
  static Params pack() { return {}; }
};

struct hard_swish {
  TA_DESCRIPTOR(hard_swish, HardSwish, "")
  static Params pack() { return {}; }
};

struct hard_sigmoid {
  TA_DESCRIPTOR(hard_sigmoid, HardSigmoid,
                "float slope=0.16666666666666666, float offset=0.5")
  static Params pack(double slope, double offset) {
    check_finite_param(kName, "slope", slope);
    check_finite_param(kName, "offset", offset);
    return {{slope, offset}};
  }
};

struct quant_relu {
  TA_DESCRIPTOR(quant_relu, QuantRelu, "int levels=4, float max_val=1.0")
  static Params pack(int64_t levels, double max_val) {
    TORCH_CHECK(levels >= 1, "quant_relu: levels must be >= 1, got ", levels);
    check_finite_param(kName, "max_val", max_val);
    TORCH_CHECK(max_val > 0.0, "quant_relu: max_val must be positive, got ", max_val);
    return {{static_cast<double>(levels), max_val}};
  }
};

#undef TA_DESCRIPTOR

}  // namespace TA_NS
}  // namespace ta::ops
