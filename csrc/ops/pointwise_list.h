// The list of stateless pointwise activations: X(op name).
// Adding an activation: a functor in csrc/math/pointwise.h, a line here, a
// descriptor in pointwise_ops.h (schema arguments, validation, which
// functor), a registry row in Python and a reference formula in the tests.
// Schemas, kernels for every ISA and CUDA, autograd, Meta kernels and the C++
// API are generated from this list.
#pragma once

#include <cstdint>

#define TA_POINTWISE_OPS(X) \
  X(sigmoid)           \
  X(tanh)              \
  X(linear)            \
  X(relu)              \
  X(relu6)             \
  X(leaky_relu)        \
  X(elu)               \
  X(selu)              \
  X(celu)              \
  X(gelu)              \
  X(swish)             \
  X(silu)              \
  X(eswish)            \
  X(mish)              \
  X(sqnl)              \
  X(bent_identity)     \
  X(softplus)          \
  X(softsign)          \
  X(sine)              \
  X(cosine)            \
  X(sinc)              \
  X(arctan)            \
  X(logsigmoid)        \
  X(tanhexp)           \
  X(hard_swish)        \
  X(hard_sigmoid)      \
  X(quant_relu)

namespace ta {

// One index per op, in list order: the row of the kernel tables.
enum class PW : int32_t {
#define TA_X(name) name,
  TA_POINTWISE_OPS(TA_X)
#undef TA_X
  kCount
};

}  // namespace ta
