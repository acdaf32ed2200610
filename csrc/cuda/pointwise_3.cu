// Part 3 of the CUDA pointwise kernel table (see pointwise_part.cuh).
#include "pointwise_part.cuh"

namespace ta::cuda {
const PointwiseKernels* pointwise_part3() {
  return pointwise_part<3>();
}
}  // namespace ta::cuda
