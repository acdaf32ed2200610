// Part 1 of the CUDA jet kernel table (see jets_part.cuh).
#include "jets_part.cuh"

namespace ta::cuda {
const PointwiseJetKernels* jets_part1() {
  return jets_part<1>();
}
}  // namespace ta::cuda
