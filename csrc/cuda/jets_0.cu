// Part 0 of the CUDA jet kernel table (see jets_part.cuh).
#include "jets_part.cuh"

namespace ta::cuda {
const PointwiseJetKernels* jets_part0() {
  return jets_part<0>();
}
}  // namespace ta::cuda
