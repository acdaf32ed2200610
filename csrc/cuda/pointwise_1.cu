// Part 1 of the CUDA pointwise kernel table (see pointwise_part.cuh).
#include "pointwise_part.cuh"

namespace ta::cuda {
const PointwiseKernels* pointwise_part1() {
  return pointwise_part<1>();
}
}  // namespace ta::cuda
