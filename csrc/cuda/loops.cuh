// Elementwise loops over a TensorIterator on CUDA for functors written against
// csrc/math/overloads.h: the same math as the CPU kernels, computed in the
// op-math type (float for half and bfloat16, rounded once on the way out).
// gpu_kernel gives vectorized loads, 64-bit sizes (it splits iterators that
// need them) and launches on the current stream.
#pragma once

#include <ATen/Dispatch.h>
#include <ATen/OpMathType.h>
#include <ATen/native/cuda/Loops.cuh>

#include <thrust/tuple.h>

#include <array>
#include <utility>

namespace ta::cuda {

template <class T, std::size_t>
using repeat_t = T;

// op(opmath...) -> opmath, as scalar_t(scalar_t...).
template <class scalar_t, class Op, class Idx>
struct Map;

template <class scalar_t, class Op, std::size_t... I>
struct Map<scalar_t, Op, std::index_sequence<I...>> {
  using opmath_t = at::opmath_type<scalar_t>;
  Op op;
  C10_HOST_DEVICE scalar_t operator()(repeat_t<scalar_t, I>... x) const {
    return static_cast<scalar_t>(op(static_cast<opmath_t>(x)...));
  }
};

template <class scalar_t, std::size_t N, class Op>
void map(at::TensorIteratorBase& iter, const Op& op) {
  at::native::gpu_kernel(iter, Map<scalar_t, Op, std::make_index_sequence<N>>{op});
}

// op(opmath...) -> std::array<opmath, NOut>, as thrust::tuple of scalar_t.
template <class scalar_t, std::size_t NOut, class Op, class Idx, class OutIdx>
struct MapMulti;

template <class scalar_t, std::size_t NOut, class Op, std::size_t... I, std::size_t... O>
struct MapMulti<scalar_t, NOut, Op, std::index_sequence<I...>, std::index_sequence<O...>> {
  using opmath_t = at::opmath_type<scalar_t>;
  Op op;
  C10_HOST_DEVICE thrust::tuple<repeat_t<scalar_t, O>...> operator()(repeat_t<scalar_t, I>... x) const {
    const std::array<opmath_t, NOut> r = op(static_cast<opmath_t>(x)...);
    return thrust::make_tuple(static_cast<scalar_t>(r[O])...);
  }
};

template <class scalar_t, std::size_t NOut, std::size_t NIn, class Op>
void map_multi(at::TensorIteratorBase& iter, const Op& op) {
  at::native::gpu_kernel_multiple_outputs(
      iter, MapMulti<scalar_t, NOut, Op, std::make_index_sequence<NIn>,
                     std::make_index_sequence<NOut>>{op});
}

#define TA_DISPATCH_FLOATING_CUDA(dtype, name, ...) \
  AT_DISPATCH_FLOATING_TYPES_AND2(at::kHalf, at::kBFloat16, dtype, name, __VA_ARGS__)

}  // namespace ta::cuda
