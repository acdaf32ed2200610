// The gated ops: X(name) list and descriptors (the gate's extra schema
// arguments after `int dim=-1`, their validation, and the gate functor).
#pragma once

#include <c10/util/Exception.h>
#include <c10/util/string_view.h>

#include "../math/gated.h"
#include "pointwise_ops.h"

#define TA_GATED_OPS(X) \
  X(glu)                \
  X(geglu)              \
  X(swiglu)             \
  X(reglu)

namespace ta {

enum class GatedOp : int32_t {
#define TA_X(name) name,
  TA_GATED_OPS(TA_X)
#undef TA_X
  kCount
};

namespace ops {
inline namespace TA_NS {

#define TA_GATED(op, gate_op, args)                        \
  static constexpr GatedOp kIndex = GatedOp::op;           \
  static constexpr const char* kName = #op;                \
  static constexpr const char* kArgs = args;               \
  using F = math::Gated<typename gate_op::F>;

struct glu {
  TA_GATED(glu, sigmoid, "")
  static Params pack() { return sigmoid::pack(); }
};

struct geglu {
  TA_GATED(geglu, gelu, "str approximate='none'")
  static Params pack(c10::string_view approximate) {
    return gelu::pack_for(kName, approximate);
  }
};

struct swiglu {
  TA_GATED(swiglu, silu, "")
  static Params pack() { return silu::pack(); }
};

struct reglu {
  TA_GATED(reglu, relu, "")
  static Params pack() { return relu::pack(); }
};

#undef TA_GATED

}  // namespace TA_NS
}  // namespace ops
}  // namespace ta
