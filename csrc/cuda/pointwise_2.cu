// Part 2 of the CUDA pointwise kernel table (see pointwise_part.cuh).
#include "pointwise_part.cuh"

namespace ta::cuda {
const PointwiseKernels* pointwise_part2() {
  return pointwise_part<2>();
}
}  // namespace ta::cuda
