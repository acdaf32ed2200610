// CUDA kernels of the derivatives of order three and higher of the pointwise
// activations: the functors evaluated on jets (csrc/math/jet.h) in the
// op-math type, as on the CPU (csrc/cpu/jets.cpp).
#include "../math/jet_ops.h"
#include "../ops/kernel_table.h"
#include "loops.cuh"

namespace ta::cuda {
namespace {

template <template <class> class Op, class F>
void run_jet(at::TensorIteratorBase& iter, const void* args, int order) {
  const Op<F> op{F(*static_cast<const typename F::Args*>(args)), order};
  TA_DISPATCH_FLOATING_CUDA(iter.dtype(), "activation_jet", [&] {
    map<scalar_t, 1, 2>(iter, op, std::make_index_sequence<2>{});
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

}  // namespace ta::cuda
