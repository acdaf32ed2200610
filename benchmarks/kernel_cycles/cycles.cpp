// Cycles per 16 floats of the float forward kernels (PwForward<F> of
// csrc/math/kernel_ops.h; name_bwd: PwBackward<F>, g f'(x), only when named) in one instruction-set build, measured with rdtsc
// over 4096 floats in L1 (N(0, 3) input), minimum of 400 passes.  Built and
// run by benchmarks/kernel_cycles.py, which picks the compiler flags of the
// build (and may point at another tree's csrc/ to compare two versions).
// TSC cycles, not core cycles: compare numbers from one machine only.
#include <x86intrin.h>

#include <cstdio>
#include <cstring>
#include <random>
#include <string>

#include "math/kernel_ops.h"
#include "math/pointwise.h"

using namespace ta::math;
using VecF = at::vec::Vectorized<float>;

namespace {
constexpr int kN = 4096;
alignas(64) float X[kN], G[kN], Y[kN];
volatile float sink;

template <class Op>
double cycles(const Op& op) {
  double best = 1e30;
  for (int rep = 0; rep < 400; ++rep) {
    const unsigned long long t = __rdtsc();
    for (int i = 0; i < kN; i += VecF::size()) op(VecF::loadu(X + i)).store(Y + i);
    best = std::min(best, double(__rdtsc() - t) / (kN / 16));
    sink = Y[rep % kN];
  }
  return best;
}

// The same for a backward functor, (g, x) -> g f'(x).
template <class Op>
double cycles_bwd(const Op& op) {
  double best = 1e30;
  for (int rep = 0; rep < 400; ++rep) {
    const unsigned long long t = __rdtsc();
    for (int i = 0; i < kN; i += VecF::size()) op(VecF::loadu(G + i), VecF::loadu(X + i)).store(Y + i);
    best = std::min(best, double(__rdtsc() - t) / (kN / 16));
    sink = Y[rep % kN];
  }
  return best;
}

// Whether name is one of the comma-separated entries of only (all if empty).
bool selected(const char* name, const char* only) {
  if (!only[0]) return true;
  const std::size_t n = std::strlen(name);
  for (const char* p = only; *p;) {
    const char* end = std::strchr(p, ',');
    const std::size_t len = end ? static_cast<std::size_t>(end - p) : std::strlen(p);
    if (len == n && std::strncmp(p, name, n) == 0) return true;
    if (!end) break;
    p = end + 1;
  }
  return false;
}

template <class F>
void report(const char* name, const char* only, const F& fn) {
  const std::string bwd = std::string(name) + "_bwd";
  if (!selected(name, only) && !selected(bwd.c_str(), only)) return;
  if (selected(name, only)) {
    const PwForward<F> op{fn};
    std::printf("%s %.1f\n", name, cycles(op));
  }
  // name_bwd: g f'(x), the backward from the input
  if (!selected(bwd.c_str(), only)) return;
  const PwBackward<F> back{fn};
  std::printf("%s %.1f\n", bwd.c_str(), cycles_bwd(back));
}
template <class G>
void peer(const char* name, const char* only, const G& g) {
  if (!selected(name, only)) return;
  std::printf("%s %.1f\n", name, cycles(g));
}
}  // namespace

int main(int argc, char** argv) {
  const char* only = argc > 1 ? argv[1] : "";
  std::mt19937 g(0);
  std::normal_distribution<float> d(0.0f, 3.0f);
  for (float& x : X) x = d(g);
  for (float& x : G) x = d(g);
  report("relu", only, Relu(NoArgs{}));
  report("sigmoid", only, Sigmoid(NoArgs{}));
  report("tanh", only, Tanh(NoArgs{}));
  report("arctan", only, Arctan(NoArgs{}));
  report("softplus", only, Softplus(Softplus::Args{1.0, 20.0}));
  report("elu", only, Elu(Elu::Args{1.0}));
  report("silu", only, Silu(NoArgs{}));
  report("eswish", only, Eswish(Eswish::Args{1.25}));
  report("gelu", only, Gelu(Gelu::Args{0}));
  report("mish", only, Mish(NoArgs{}));
  report("hard_sigmoid", only, HardSigmoid(HardSigmoid::Args{1.0 / 6, 0.5}));
  report("hard_swish", only, HardSwish(NoArgs{}));
  // torch's own vectorized formulas (ATen's cpu kernels, from the same headers)
  const VecF half(0.5f), one(1.0f), alpha(0.70710678118654752440f);
  peer("torch_gelu", only, [&](const VecF& x) { return x * half * (one + (x * alpha).erf()); });
  peer("torch_tanh", only, [](const VecF& x) { return x.tanh(); });
  peer("torch_sigmoid", only, [&](const VecF& x) { return one / (one + x.neg().exp()); });
  return 0;
}
