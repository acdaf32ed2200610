// CUDA kernels of the derivatives of order three and higher of the pointwise
// activations: the functors evaluated on jets (csrc/math/jet.h) in the
// op-math type, as on the CPU (csrc/cpu/jets.cpp).  Jet arithmetic makes
// large device code, so the table is cut into kJetParts translation units
// (jets_<p>.cu, compiled in parallel) the way the pointwise table is
// (pointwise_part.cuh); csrc/cuda/kernels.cu merges them.
#pragma once

#include <array>
#include <utility>

#include "../math/jet_ops.h"
#include "../ops/kernel_tables.h"
#include "loops.cuh"

namespace ta::cuda {

constexpr int kJetParts = 4;

template <template <class> class Op, class F>
void run_jet(at::TensorIteratorBase& iter, const void* args, int order) {
  const Op<F> op{F(*static_cast<const typename F::Args*>(args)), order};
  // float or double (the host side widens 16-bit operands to float)
  AT_DISPATCH_FLOATING_TYPES(iter.dtype(), "activation_jet", [&] {
    map<scalar_t, 1, 2>(iter, op, std::make_index_sequence<2>{});
  });
}

template <int kPart, class List>
struct JetPart;

template <int kPart, class... F>
struct JetPart<kPart, tables::FunctorList<void, F...>> {
  template <std::size_t... I>
  static constexpr std::array<PointwiseJetKernels, sizeof...(F)> build(std::index_sequence<I...>) {
    return {entry<I, F>()...};
  }
  template <std::size_t I, class G>
  static constexpr PointwiseJetKernels entry() {
    PointwiseJetKernels k{nullptr, nullptr};
    if constexpr (I % kJetParts == kPart && !G::kZeroD2) {
      k.jet = &run_jet<math::PwJet, G>;
      if constexpr (G::kOutputDeriv) k.jet_y = &run_jet<math::PwJetFromResult, G>;
    }
    return k;
  }
  static constexpr std::array<PointwiseJetKernels, sizeof...(F)> kTable =
      build(std::index_sequence_for<F...>{});
};

template <int kPart>
const PointwiseJetKernels* jets_part() {
  return JetPart<kPart, tables::PointwiseFunctors>::kTable.data();
}

const PointwiseJetKernels* jets_part0();
const PointwiseJetKernels* jets_part1();
const PointwiseJetKernels* jets_part2();
const PointwiseJetKernels* jets_part3();

}  // namespace ta::cuda
