// Every schema of the torch_activations library, in one TORCH_LIBRARY block.
// Each family's schemas are generated from its list (see csrc/ops/*.h); the
// implementations are registered per dispatch key next to each family.
#include <torch/library.h>

#include "cpu/capability.h"

namespace ta {

void define_pointwise(torch::Library& m);
void define_rrelu(torch::Library& m);
void define_gated(torch::Library& m);
void define_dim_ops(torch::Library& m);
void define_learnable(torch::Library& m);
void define_lut(torch::Library& m);
void define_evonorm(torch::Library& m);
void register_autocast();

namespace {

std::string get_cpu_capability() {
  return cpu::capability_name(cpu::current_capability());
}

std::string set_cpu_capability(std::string name) {
  return cpu::capability_name(cpu::set_capability(name));
}

}  // namespace

TORCH_LIBRARY(torch_activations, m) {
  define_pointwise(m);
  define_rrelu(m);
  define_gated(m);
  define_dim_ops(m);
  define_learnable(m);
  define_lut(m);
  define_evonorm(m);

  // Which instruction-set build of the CPU kernels runs (DEFAULT, AVX2,
  // AVX512); the setter returns the previous value.  For tests and debugging.
  m.def("_get_cpu_capability() -> str", &get_cpu_capability);
  m.def("_set_cpu_capability(str capability) -> str", &set_cpu_capability);

  register_autocast();  // csrc/autocast.cpp: a kernel for every schema above
}

}  // namespace ta
