// Elementwise loops over a TensorIterator for functors written against
// csrc/math/overloads.h.  Included only by files compiled once per
// instruction set (CPU_CAPABILITY is DEFAULT, AVX2 or AVX512).
//
// map<scalar_t>(iter, op) runs `op(a, b, ...)` over the iterator's inputs with
// cpu_kernel_vec: op is called with opmath scalars on the scalar path and with
// Vectorized<opmath> on the vector path.  Half and BFloat16 compute in float:
// each vector of 16-bit values is widened into two float vectors, op runs on
// both, and the result is rounded once on the way back.
#pragma once

#include <ATen/Dispatch.h>
#include <ATen/OpMathType.h>
#include <ATen/cpu/vec/functional.h>
#include <ATen/cpu/vec/vec.h>
#include <ATen/native/cpu/Loops.h>

#include <tuple>
#include <utility>

#include "../math/config.h"

namespace ta::cpu {
inline namespace CPU_CAPABILITY {

template <class T, std::size_t>
using repeat_t = T;

template <class scalar_t, class Op, class Idx>
struct MapLoop;

template <class scalar_t, class Op, std::size_t... I>
struct MapLoop<scalar_t, Op, std::index_sequence<I...>> {
  using opmath_t = at::opmath_type<scalar_t>;
  Op op;

  scalar_t operator()(repeat_t<scalar_t, I>... x) const {
    return static_cast<scalar_t>(op(static_cast<opmath_t>(x)...));
  }
};

// A separate type for the vector lambda: cpu_kernel_vec reads the argument
// types of each callable's operator().
template <class scalar_t, class Op, class Idx>
struct MapLoopVec;

template <class scalar_t, class Op, std::size_t... I>
struct MapLoopVec<scalar_t, Op, std::index_sequence<I...>> {
  using Vec = at::vec::Vectorized<scalar_t>;
  Op op;

  Vec operator()(repeat_t<Vec, I>... x) const {
    if constexpr (c10::is_reduced_floating_point_v<scalar_t>) {
      const auto wide = std::make_tuple(at::vec::convert_to_float<scalar_t>(x)...);
      return at::vec::convert_from_float<scalar_t>(
          op(std::get<0>(std::get<I>(wide))...),
          op(std::get<1>(std::get<I>(wide))...));
    } else {
      return op(x...);
    }
  }
};

template <class scalar_t, std::size_t N, class Op>
void map(at::TensorIteratorBase& iter, const Op& op) {
  using Idx = std::make_index_sequence<N>;
  at::native::cpu_kernel_vec(iter, MapLoop<scalar_t, Op, Idx>{op},
                             MapLoopVec<scalar_t, Op, Idx>{op});
}

// Dispatch over the four floating dtypes on the output's dtype (all operands
// share it: the host wrappers check).
#define TA_DISPATCH_FLOATING(iter, name, ...)                           \
  AT_DISPATCH_FLOATING_TYPES_AND2(at::kHalf, at::kBFloat16,             \
                                  (iter).dtype(), name, __VA_ARGS__)

}  // namespace CPU_CAPABILITY
}  // namespace ta::cpu
