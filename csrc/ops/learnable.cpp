// Schemas, device (CPU, CUDA) and Meta kernels of the learnable ops.
#include "learnable.h"

namespace ta {

void define_learnable(torch::Library& m) {
#define TA_X(name) Learnable<ops::name>::define(m);
  TA_LEARNABLE_OPS(TA_X)
#undef TA_X
}

namespace {

template <bool kMeta>
void impl_learnable(torch::Library& m) {
#define TA_X(name) Learnable<ops::name>::impl<kMeta>(m);
  TA_LEARNABLE_OPS(TA_X)
#undef TA_X
}

}  // namespace

TA_REGISTER_DEVICE_AND_META(impl_learnable)

}  // namespace ta
