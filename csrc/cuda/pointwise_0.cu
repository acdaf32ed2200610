// Part 0 of the CUDA pointwise kernel table (see pointwise_part.cuh).
#include "pointwise_part.cuh"

namespace ta::cuda {
const PointwiseKernels* pointwise_part0() {
  return pointwise_part<0>();
}
}  // namespace ta::cuda
