// Part 2 of the CUDA jet kernel table (see jets_part.cuh).
#include "jets_part.cuh"

namespace ta::cuda {
const PointwiseJetKernels* jets_part2() {
  return jets_part<2>();
}
}  // namespace ta::cuda
