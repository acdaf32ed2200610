// CPU kernels of crelu = cat(relu(x), relu(-x)) along a dimension: one pass
// writing both halves, one pass for the backward; the math is the relu
// functor's.  Compiled once per instruction set.
#include "../math/kernel_ops.h"
#include "../ops/kernel_table.h"
#include "../ops/pointwise_ops.h"
#include "loops.h"

namespace ta::cpu {
inline namespace CPU_CAPABILITY {
namespace {

using Relu = ops::relu::F;

// iterator: (pos, neg | x)
void crelu_fwd(at::TensorIteratorBase& iter) {
  Backend::run<math::CreluForward, 2, 1, Relu>(iter, Params{});
}

// iterator: (grad_x | g_pos, g_neg, x)
void crelu_bwd(at::TensorIteratorBase& iter) {
  Backend::run<math::CreluBackward, 1, 3, Relu>(iter, Params{});
}

}  // namespace

CreluKernels crelu_kernels() {
  return {&crelu_fwd, &crelu_bwd};
}

}  // namespace CPU_CAPABILITY
}  // namespace ta::cpu
