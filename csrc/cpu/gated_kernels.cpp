// CPU kernels of the gated ops (glu, geglu, swiglu, reglu: one fused pass
// over the halves of the input for the forward, the backward and the double
// backward) and of crelu (one pass writing both halves, one for the
// backward).  Compiled once per instruction set.
#include "../ops/kernel_tables.h"
#include "loops.h"

namespace ta::cpu {
inline namespace CPU_CAPABILITY {
const GatedKernels* gated_kernels() {
  return tables::Gated<Backend>::kTable;
}

CreluKernels crelu_kernels() {
  return tables::Crelu<Backend>::kTable;
}

}  // namespace CPU_CAPABILITY
}  // namespace ta::cpu
