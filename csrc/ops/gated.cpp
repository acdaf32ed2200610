// Schemas, device (CPU, CUDA) and Meta kernels of the gated ops.
#include "gated.h"

#include <torch/library.h>

namespace ta {

void define_gated(torch::Library& m) {
#define TA_X(name) Gated<spec::name>::define(m);
  TA_GATED_OPS(TA_X)
#undef TA_X
}

namespace {

template <bool kMeta>
void impl_gated(torch::Library& m) {
#define TA_X(name) Gated<spec::name>::impl<kMeta>(m);
  TA_GATED_OPS(TA_X)
#undef TA_X
}

}  // namespace

TA_REGISTER_DEVICE_AND_META(impl_gated)

}  // namespace ta
