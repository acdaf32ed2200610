// Part 3 of the CUDA jet kernel table (see jets_part.cuh).
#include "jets_part.cuh"

namespace ta::cuda {
const PointwiseJetKernels* jets_part3() {
  return jets_part<3>();
}
}  // namespace ta::cuda
