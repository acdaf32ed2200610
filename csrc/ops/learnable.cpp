// Device (CPU, CUDA) and Meta registrations of the learnable ops.
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

TORCH_LIBRARY_IMPL(torch_activations, CPU, m) {
  impl_learnable<false>(m);
}

TORCH_LIBRARY_IMPL(torch_activations, CUDA, m) {
  impl_learnable<false>(m);
}

TORCH_LIBRARY_IMPL(torch_activations, Meta, m) {
  impl_learnable<true>(m);
}

}  // namespace ta
