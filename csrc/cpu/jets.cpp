// CPU kernels of the derivatives of order three and higher of the pointwise
// activations: the functors evaluated on jets (csrc/math/jet.h), over scalars
// in the op-math type (float for 16-bit input), every element alike.
// Compiled once (not per instruction set): these orders are for higher-order
// autograd, not for speed.
#include <ATen/Dispatch.h>
#include <ATen/OpMathType.h>
#include <ATen/native/cpu/Loops.h>

#include "../math/jet_ops.h"
#include "../ops/kernel_table.h"

namespace ta::cpu {
namespace {

template <template <class> class Op, class F>
void run_jet(at::TensorIteratorBase& iter, const void* args, int order) {
  const Op<F> op{F(*static_cast<const typename F::Args*>(args)), order};
  // float or double (the host side widens 16-bit operands to float)
  AT_DISPATCH_FLOATING_TYPES(iter.dtype(), "activation_jet", [&] {
    at::native::cpu_kernel(iter, [&op](scalar_t g, scalar_t x) -> scalar_t { return op(g, x); });
  });
}

template <class F>
constexpr PointwiseJetKernels entry() {
  PointwiseJetKernels k{nullptr, nullptr};
  if constexpr (!F::kZeroD2) {
    k.jet = &run_jet<math::PwJet, F>;
    if constexpr (F::kOutputDeriv) k.jet_y = &run_jet<math::PwJetFromResult, F>;
  }
  return k;
}

constexpr PointwiseJetKernels kTable[] = {
#define TA_X(name) entry<spec::name::F>(),
    TA_POINTWISE_OPS(TA_X)
#undef TA_X
};

}  // namespace

const PointwiseJetKernels* pointwise_jets() {
  return kTable;
}

}  // namespace ta::cpu
