// CPU kernels of the pointwise and gated activations (forward, backward,
// double backward; float32/float64/float16/bfloat16): the tables of
// csrc/ops/kernel_tables.h over the CPU loops.  Compiled once per
// instruction set; holds no registrations and no static initialisers.
#include "../ops/kernel_tables.h"
#include "loops.h"

namespace ta::cpu {
inline namespace CPU_CAPABILITY {
const PointwiseKernels* pointwise_kernels() {
  return tables::Pointwise<Backend>::kTable;
}

}  // namespace CPU_CAPABILITY
}  // namespace ta::cpu
