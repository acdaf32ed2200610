// CUDA kernels of the gated activations and of crelu (the pointwise table is
// in pointwise_<p>.cu): the tables of csrc/ops/kernel_tables.h over
// gpu_kernel, from the same functors as the CPU kernels.
#include "../ops/kernel_tables.h"
#include "loops.cuh"

namespace ta::cuda {

const GatedKernels* gated_kernels() {
  return tables::Gated<Backend>::kTable;
}

namespace {

using Relu = ops::relu::F;

void crelu_fwd(at::TensorIteratorBase& iter) {
  Backend::run<math::CreluForward, 2, 1, Relu>(iter, Params{});
}

void crelu_bwd(at::TensorIteratorBase& iter) {
  Backend::run<math::CreluBackward, 1, 3, Relu>(iter, Params{});
}

}  // namespace

CreluKernels crelu_kernels() {
  return {&crelu_fwd, &crelu_bwd};
}

}  // namespace ta::cuda
