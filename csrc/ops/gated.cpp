// Device (CPU, CUDA) and Meta registrations of the gated ops.
#include "gated.h"

#include <torch/library.h>

namespace ta {

void define_gated(torch::Library& m) {
#define TA_X(name) Gated<ops::name>::define(m);
  TA_GATED_OPS(TA_X)
#undef TA_X
}

namespace {

template <bool kMeta>
void impl_gated(torch::Library& m) {
#define TA_X(name) Gated<ops::name>::impl<kMeta>(m);
  TA_GATED_OPS(TA_X)
#undef TA_X
}

}  // namespace

TORCH_LIBRARY_IMPL(torch_activations, CPU, m) {
  impl_gated<false>(m);
}

TORCH_LIBRARY_IMPL(torch_activations, CUDA, m) {
  impl_gated<false>(m);
}

TORCH_LIBRARY_IMPL(torch_activations, Meta, m) {
  impl_gated<true>(m);
}

}  // namespace ta
