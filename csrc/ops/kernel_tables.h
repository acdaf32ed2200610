// The kernel tables of the pointwise, gated and crelu families, assembled the same
// way for every backend.  A backend B (one CPU instruction set, or CUDA)
// provides
//
//   template <template <class> class Op, std::size_t NOut, std::size_t NIn, class F>
//   static void B::run(at::TensorIteratorBase&, const void* args);
//   ...           B::run_contiguous(at::ScalarType, char* const* data, int64_t n, const void* args);
//
// (the second only where B::kHasContiguous)
// which apply the elementwise operation Op<F> (csrc/math/kernel_ops.h) with
// NOut outputs and NIn inputs.  Included only by kernel translation units
// (it lives in their TA_NS namespace).
#pragma once

#include <array>
#include <utility>

#include "../math/kernel_ops.h"
#include "kernel_table.h"

namespace ta::tables {
inline namespace TA_NS {

template <class B, template <class> class Op, std::size_t NOut, std::size_t NIn, class F>
constexpr ElementwiseFn elementwise() {
  if constexpr (B::kHasContiguous) {
    return {&B::template run<Op, NOut, NIn, F>, &B::template run_contiguous<Op, NOut, NIn, F>};
  } else {
    return {&B::template run<Op, NOut, NIn, F>, nullptr};
  }
}

template <class B, class F>
constexpr PointwiseKernels pointwise_entry() {
  using namespace math;
  PointwiseKernels k{};
  k.fwd = elementwise<B, PwForward, 1, 1, F>();
  k.bwd = elementwise<B, PwBackward, 1, 2, F>();
  if constexpr (!F::kZeroD2) k.dbwd = elementwise<B, PwDoubleBackward, 1, 3, F>();
  if constexpr (F::kOutputDeriv) {
    k.bwd_y = elementwise<B, PwBackwardFromResult, 1, 2, F>();
    if constexpr (!F::kZeroD2) k.dbwd_y = elementwise<B, PwDoubleBackwardFromResult, 1, 3, F>();
  }
  return k;
}

template <class B>
struct Pointwise {
  static constexpr PointwiseKernels kTable[] = {
#define TA_X(name) pointwise_entry<B, spec::name::F>(),
      TA_POINTWISE_OPS(TA_X)
#undef TA_X
  };
  static_assert(sizeof(kTable) / sizeof(kTable[0]) == static_cast<size_t>(PW::kCount));
};

// The same table cut into kParts translation units (for slow compilers:
// nvcc): part p instantiates the entries i with i % kParts == p and leaves
// the others empty; the CUDA kernel set merges them.
template <class... F>
struct FunctorList {};
using PointwiseFunctors = FunctorList<void
#define TA_X(name) , spec::name::F
    TA_POINTWISE_OPS(TA_X)
#undef TA_X
    >;

template <class B, int kParts, int kPart, class List>
struct PointwisePart;

template <class B, int kParts, int kPart, class... F>
struct PointwisePart<B, kParts, kPart, FunctorList<void, F...>> {
  template <std::size_t... I>
  static constexpr std::array<PointwiseKernels, sizeof...(F)> build(std::index_sequence<I...>) {
    return {entry<I, F>()...};
  }
  template <std::size_t I, class G>
  static constexpr PointwiseKernels entry() {
    if constexpr (I % kParts == kPart) {
      return pointwise_entry<B, G>();
    } else {
      return PointwiseKernels{};
    }
  }
  static constexpr std::array<PointwiseKernels, sizeof...(F)> kTable =
      build(std::index_sequence_for<F...>{});
};

template <class B>
struct Gated {
  static constexpr GatedKernels kTable[] = {
#define TA_X(name)                                                                \
  {elementwise<B, math::GatedForward, 1, 2, math::Gated<spec::name::Gate>>(),     \
   elementwise<B, math::GatedBackward, 2, 3, math::Gated<spec::name::Gate>>(),    \
   elementwise<B, math::GatedDoubleBackward, 3, 5, math::Gated<spec::name::Gate>>()},
      TA_GATED_OPS(TA_X)
#undef TA_X
  };
  static_assert(sizeof(kTable) / sizeof(kTable[0]) == static_cast<size_t>(GatedOp::kCount));
};

// crelu = cat(relu(x), relu(-x)) from the relu functor: forward (pos, neg |
// x), backward (grad_x | g_pos, g_neg, x).
template <class B>
struct Crelu {
  static constexpr CreluKernels kTable{
      elementwise<B, math::CreluForward, 2, 1, math::Relu>(),
      elementwise<B, math::CreluBackward, 1, 3, math::Relu>()};
};

}  // namespace TA_NS
}  // namespace ta::tables
