// Schemas, device (CPU, CUDA) and Meta kernels of the pointwise ops, and the
// choice of kernel table for a tensor's device.
#include "pointwise.h"

#include <torch/library.h>

namespace ta {

#ifndef TA_WITH_CUDA
const KernelSet* cuda_kernels() {
  return nullptr;
}
#endif

const KernelSet& kernels_for(const at::Tensor& t, const char* op) {
  if (t.device().is_cpu()) {
    return cpu_kernels();
  }
  if (t.device().is_cuda()) {
    const KernelSet* k = cuda_kernels();
    TORCH_CHECK(k != nullptr, op,
                ": this build of torch_activations has no CUDA kernels (it was "
                "built without nvcc or without a CUDA-enabled torch); got a tensor on ",
                t.device());
    return *k;
  }
  TORCH_CHECK(false, op, ": tensors on ", t.device(), " are not supported (CPU and CUDA only)");
}

void define_pointwise(torch::Library& m) {
#define TA_X(name) Pointwise<spec::name>::define(m);
  TA_POINTWISE_OPS(TA_X)
#undef TA_X
}

namespace {

template <bool kMeta>
void impl_pointwise(torch::Library& m) {
#define TA_X(name) Pointwise<spec::name>::impl<kMeta>(m);
  TA_POINTWISE_OPS(TA_X)
#undef TA_X
}

}  // namespace

TA_REGISTER_DEVICE_AND_META(impl_pointwise)

}  // namespace ta
