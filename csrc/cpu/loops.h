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

#include <array>
#include <tuple>
#include <utility>

#include "../math/config.h"
#include "../math/params.h"

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

// map_multi<scalar_t, NOut, NIn>(iter, op): one pass over an iterator with
// NOut outputs followed by NIn inputs; op(in...) returns std::array<T, NOut>
// and is called with opmath scalars, or with Vectorized<opmath> where every
// operand is contiguous in the inner dimension (16-bit types widened to two
// float vectors, as in map).  For fused kernels such as the GLU backward
// (two outputs, three inputs).
template <class scalar_t, int NOut, int NIn, class Op>
void map_multi(at::TensorIteratorBase& iter, const Op& op) {
  using opmath_t = at::opmath_type<scalar_t>;
  using Vec = at::vec::Vectorized<scalar_t>;
  constexpr int kN = NOut + NIn;
  constexpr int64_t kSize = sizeof(scalar_t);
  iter.for_each([&](char** data, const int64_t* strides, int64_t n0, int64_t n1) {
    char* ptr[kN];
    for (int64_t j = 0; j < n1; ++j) {
      bool contiguous = true;
      for (int k = 0; k < kN; ++k) {
        ptr[k] = data[k] + j * strides[kN + k];
        contiguous = contiguous && strides[k] == kSize;
      }
      int64_t i = 0;
      if (contiguous) {
        for (; i + Vec::size() <= n0; i += Vec::size()) {
          std::array<Vec, NIn> in;
          for (int k = 0; k < NIn; ++k) {
            in[k] = Vec::loadu(ptr[NOut + k] + i * kSize);
          }
          std::array<Vec, NOut> out;
          if constexpr (c10::is_reduced_floating_point_v<scalar_t>) {
            using VF = at::vec::Vectorized<float>;
            std::array<VF, NIn> lo, hi;
            for (int k = 0; k < NIn; ++k) {
              std::tie(lo[k], hi[k]) = at::vec::convert_to_float<scalar_t>(in[k]);
            }
            const std::array<VF, NOut> rl = std::apply(op, lo);
            const std::array<VF, NOut> rh = std::apply(op, hi);
            for (int k = 0; k < NOut; ++k) {
              out[k] = at::vec::convert_from_float<scalar_t>(rl[k], rh[k]);
            }
          } else {
            out = std::apply(op, in);
          }
          for (int k = 0; k < NOut; ++k) {
            out[k].store(ptr[k] + i * kSize);
          }
        }
      }
      for (; i < n0; ++i) {
        std::array<opmath_t, NIn> in;
        for (int k = 0; k < NIn; ++k) {
          in[k] = static_cast<opmath_t>(
              *reinterpret_cast<const scalar_t*>(ptr[NOut + k] + i * strides[NOut + k]));
        }
        const std::array<opmath_t, NOut> out = std::apply(op, in);
        for (int k = 0; k < NOut; ++k) {
          *reinterpret_cast<scalar_t*>(ptr[k] + i * strides[k]) = static_cast<scalar_t>(out[k]);
        }
      }
    }
  });
}

// Dispatch over the four floating dtypes on the output's dtype (all operands
// share it: the host wrappers check).
#define TA_DISPATCH_FLOATING(iter, name, ...)                           \
  AT_DISPATCH_FLOATING_TYPES_AND2(at::kHalf, at::kBFloat16,             \
                                  (iter).dtype(), name, __VA_ARGS__)

// The CPU backend of csrc/ops/kernel_tables.h: the elementwise operation
// Op<F> over an iterator with NOut outputs and NIn inputs.
struct Backend {
  template <template <class> class Op, std::size_t NOut, std::size_t NIn, class F>
  static void run(at::TensorIteratorBase& iter, const Params& p) {
    const Op<F> op{F(p)};
    TA_DISPATCH_FLOATING(iter, "activation", [&] {
      if constexpr (NOut == 1) {
        map<scalar_t, NIn>(iter, op);
      } else {
        map_multi<scalar_t, NOut, NIn>(iter, op);
      }
    });
  }
};

}  // namespace CPU_CAPABILITY
}  // namespace ta::cpu
