// Chooses, at run time, which instruction-set build of the CPU kernels runs.
//
// The default is what the machine supports, as ATen decides it
// (at::get_cpu_capability(), which honours ATEN_CPU_CAPABILITY).  The
// environment variable TORCH_ACTIVATIONS_CPU_CAPABILITY (default|avx2|avx512)
// or torch_activations.set_cpu_capability() can lower it, e.g. for tests that
// compare the DEFAULT and the vectorized builds; asking for more than the
// machine has is an error.
#include <ATen/Version.h>
#include <c10/util/Exception.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdlib>
#include <string>

#include "../ops/kernel_table.h"
#include "capability.h"

namespace ta::cpu {

// The tables each instruction-set build of csrc/cpu/*_kernels.cpp defines.
#define TA_DECLARE_ISA(isa)                    \
  namespace isa {                              \
  const PointwiseKernels* pointwise_kernels(); \
  const GatedKernels* gated_kernels();         \
  SoftmaxKernels softmax_kernels();            \
  CreluKernels crelu_kernels();                \
  const ParamKernels* param_kernels();         \
  }
TA_DECLARE_ISA(DEFAULT)
#ifdef TA_HAVE_AVX2
TA_DECLARE_ISA(AVX2)
#endif
#ifdef TA_HAVE_AVX512
TA_DECLARE_ISA(AVX512)
#endif
#undef TA_DECLARE_ISA

// Kernels without vector code, the same for every instruction set.
void rrelu_train(at::Tensor& out, at::Tensor& noise, const at::Tensor& in,
                 double lower, double upper, std::optional<at::Generator> gen);
LutKernels lut_kernels();
const PointwiseJetKernels* pointwise_jets();

namespace {

std::string upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return s;
}

int parse(const std::string& name) {
  const std::string n = upper(name);
  if (n == "DEFAULT") return kDefault;
  if (n == "AVX2") return kAvx2;
  if (n == "AVX512") return kAvx512;
  TORCH_CHECK(false, "torch_activations: unknown CPU capability '", name,
              "' (expected default, avx2 or avx512)");
}

// What this build and this machine can run.
int machine_capability() {
  int cap = kDefault;
  const std::string aten = upper(at::get_cpu_capability());
#ifdef TA_HAVE_AVX2
  if (aten == "AVX2" || aten == "AVX512") cap = kAvx2;
#endif
#ifdef TA_HAVE_AVX512
  if (aten == "AVX512") cap = kAvx512;
#endif
  return cap;
}

std::atomic<int>& chosen() {
  static std::atomic<int> cap = [] {
    int c = machine_capability();
    if (const char* env = std::getenv("TORCH_ACTIVATIONS_CPU_CAPABILITY")) {
      if (*env != '\0') c = std::min(c, parse(env));
    }
    return c;
  }();
  return cap;
}

template <class Isa>
KernelSet kernel_set() {
  return {Isa::pointwise_kernels(), pointwise_jets(),      Isa::gated_kernels(),
          Isa::softmax_kernels(),   Isa::crelu_kernels(), Isa::param_kernels(),
          lut_kernels(),            &rrelu_train};
}

// Namespaces cannot be template arguments: a tag type per ISA.
#define TA_ISA_TAG(isa)                                                     \
  struct isa##_tag {                                                        \
    static const PointwiseKernels* pointwise_kernels() { return isa::pointwise_kernels(); } \
    static const GatedKernels* gated_kernels() { return isa::gated_kernels(); }             \
    static SoftmaxKernels softmax_kernels() { return isa::softmax_kernels(); }              \
    static CreluKernels crelu_kernels() { return isa::crelu_kernels(); }                    \
    static const ParamKernels* param_kernels() { return isa::param_kernels(); }             \
  };
TA_ISA_TAG(DEFAULT)
#ifdef TA_HAVE_AVX2
TA_ISA_TAG(AVX2)
#endif
#ifdef TA_HAVE_AVX512
TA_ISA_TAG(AVX512)
#endif
#undef TA_ISA_TAG

KernelSet kernels_of(int cap) {
  switch (cap) {
#ifdef TA_HAVE_AVX512
    case kAvx512:
      return kernel_set<AVX512_tag>();
#endif
#ifdef TA_HAVE_AVX2
    case kAvx2:
      return kernel_set<AVX2_tag>();
#endif
    default:
      return kernel_set<DEFAULT_tag>();
  }
}

}  // namespace

bool software_prefetch() {
  static const bool on = [] {
    if (const char* env = std::getenv("TORCH_ACTIVATIONS_CPU_PREFETCH")) {
      const std::string v = env;
      if (v == "0" || v == "1") return v == "1";
      TORCH_CHECK(v.empty(), "torch_activations: TORCH_ACTIVATIONS_CPU_PREFETCH must be 0 or 1, got '", v, "'");
    }
#if (defined(__GNUC__) || defined(__clang__)) && (defined(__x86_64__) || defined(__i386__))
    __builtin_cpu_init();
    return !__builtin_cpu_is("amd");
#else
    return true;
#endif
  }();
  return on;
}

const char* capability_name(int cap) {
  switch (cap) {
    case kAvx512:
      return "AVX512";
    case kAvx2:
      return "AVX2";
    default:
      return "DEFAULT";
  }
}

int current_capability() {
  return chosen().load();
}

int set_capability(const std::string& name) {
  const int want = parse(name);
  const int have = machine_capability();
  TORCH_CHECK(want <= have, "torch_activations: CPU capability ", capability_name(want),
              " is not available (this build and machine support up to ",
              capability_name(have), ")");
  return chosen().exchange(want);
}

}  // namespace ta::cpu

namespace ta {

const KernelSet& cpu_kernels() {
  static const KernelSet sets[] = {cpu::kernels_of(cpu::kDefault), cpu::kernels_of(cpu::kAvx2),
                                   cpu::kernels_of(cpu::kAvx512)};
  return sets[cpu::current_capability()];
}

}  // namespace ta
