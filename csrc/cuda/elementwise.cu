// CUDA kernels of the gated activations and of crelu (the pointwise table is
// in pointwise_<p>.cu): the tables of csrc/ops/kernel_tables.h over
// gpu_kernel, from the same functors as the CPU kernels.
#include "../ops/kernel_tables.h"
#include "loops.cuh"

namespace ta::cuda {

const GatedKernels* gated_kernels() {
  return tables::Gated<Backend>::kTable;
}

CreluKernels crelu_kernels() {
  return tables::Crelu<Backend>::kTable;
}

}  // namespace ta::cuda
