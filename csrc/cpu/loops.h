// Elementwise loops for functors written against csrc/math/overloads.h.
// Included only by files compiled once per instruction set (CPU_CAPABILITY is
// DEFAULT, AVX2 or AVX512).
//
// Every element is computed by the vector code: full vectors where the
// operands are contiguous, and the rest (the tail of a row, strided or
// broadcast operands) through a vector filled by a gather (zeros in the
// unused lanes) and stored back lane by lane.  So a value's result never
// depends on where it sits in the tensor, on the tensor's layout or length,
// or on how the work is split between threads: the scalar instantiation of a
// functor is never used on the CPU.
//
// An elementwise operation `op` (csrc/math/kernel_ops.h) maps NIn opmath
// vectors to one vector (NOut == 1) or to std::array<vector, NOut>.  Half and
// BFloat16 compute in float: each vector of 16-bit values is widened into two
// float vectors, op runs on both, and the result is rounded once.
#pragma once

#include <ATen/Dispatch.h>
#include <ATen/OpMathType.h>
#include <ATen/Parallel.h>
#include <ATen/TensorIterator.h>
#include <ATen/cpu/vec/functional.h>
#include <ATen/cpu/vec/vec.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <tuple>
#include <utility>

#include "../math/config.h"
#include "capability.h"

namespace ta::cpu {
inline namespace CPU_CAPABILITY {

template <class T, std::size_t N>
std::array<T, N> as_array(const std::array<T, N>& a) {
  return a;
}
template <class T>
std::array<T, 1> as_array(const T& a) {
  return {a};
}

template <class scalar_t, int NOut, int NIn, class Op>
struct VecLoop {
  using Vec = at::vec::Vectorized<scalar_t>;
  static constexpr int64_t kV = Vec::size();
  static constexpr int64_t kSize = sizeof(scalar_t);

  // op on one vector of each input.
  static std::array<Vec, NOut> apply(const Op& op, const std::array<Vec, NIn>& in) {
    if constexpr (c10::is_reduced_floating_point_v<scalar_t>) {
      using VF = at::vec::Vectorized<float>;
      std::array<VF, NIn> lo, hi;
      for (int k = 0; k < NIn; ++k) std::tie(lo[k], hi[k]) = at::vec::convert_to_float<scalar_t>(in[k]);
      const std::array<VF, NOut> rl = as_array(std::apply(op, lo));
      const std::array<VF, NOut> rh = as_array(std::apply(op, hi));
      std::array<Vec, NOut> out;
      for (int k = 0; k < NOut; ++k) out[k] = at::vec::convert_from_float<scalar_t>(rl[k], rh[k]);
      return out;
    } else {
      return as_array(std::apply(op, in));
    }
  }

  // Contiguous inputs are prefetched 4 KiB ahead where software_prefetch()
  // says so (capability.h: Intel, not AMD): a kernel whose arithmetic
  // fills the out-of-order window otherwise waits on memory once the data
  // leave the caches (2^22 floats, one thread: gelu 19.2 -> 17.6, sigmoid
  // 13.7 -> 12.5, silu 21.9 -> 19.7 cycles per 16 floats; a copy takes 11.5).
  // A prefetch past the end of the data does not fault.
  static constexpr int64_t kPrefetchBytes = 4096;
  static void prefetch(const char* p) {
#if defined(__GNUC__)
    // (the address as an integer: no pointer arithmetic past the data)
    __builtin_prefetch(reinterpret_cast<const void*>(reinterpret_cast<std::uintptr_t>(p) + kPrefetchBytes), 0, 3);
#else
    (void)p;
#endif
  }

  // The full vectors of contiguous operands; returns how many elements they
  // covered.  op by value: a local, for the reason run copies it.  The
  // pointers too: read through data, they were reloaded after every store
  // (which might have written data[]), a load and a dependency per vector
  // (relu at 65536 floats, in L2, Zen 4: 3.7-3.9 -> 3.0 cycles per 16).
  template <bool kPrefetch>
  static int64_t full_vectors(const Op op, char* const* data, int64_t n) {
    std::array<char*, NOut> dst;
    std::array<const char*, NIn> src;
    for (int k = 0; k < NOut; ++k) dst[k] = data[k];
    for (int k = 0; k < NIn; ++k) src[k] = data[NOut + k];
    int64_t i = 0;
    for (; i + kV <= n; i += kV) {
      std::array<Vec, NIn> in;
      for (int k = 0; k < NIn; ++k) {
        if constexpr (kPrefetch) prefetch(src[k] + i * kSize);
        in[k] = Vec::loadu(src[k] + i * kSize);
      }
      const std::array<Vec, NOut> out = apply(op, in);
      for (int k = 0; k < NOut; ++k) out[k].store(dst[k] + i * kSize);
    }
    return i;
  }

  // n elements; data[0..NOut) are the outputs, then the inputs; strides in
  // bytes.  op is copied to a local first: the stores through data might
  // alias the caller's op, so its parameters (and what a functor derives
  // from them: converted constants, range tests) were reloaded and
  // recomputed for every vector (hard_sigmoid at n = 65536: 8.6 cycles per
  // 16 floats, relu6 3.9).
  static void run(const Op& op_in, char* const* data, const int64_t* strides, int64_t n) {
    const Op op = op_in;
    bool contiguous = true;
    for (int k = 0; k < NOut + NIn; ++k) contiguous = contiguous && strides[k] == kSize;
    int64_t i = 0;
    if (contiguous) {
      i = software_prefetch() ? full_vectors<true>(op, data, n) : full_vectors<false>(op, data, n);
      if (i < n) {
        const int64_t m = n - i;
        std::array<Vec, NIn> in;
        for (int k = 0; k < NIn; ++k) in[k] = Vec::loadu(data[NOut + k] + i * kSize, m);
        const std::array<Vec, NOut> out = apply(op, in);
        for (int k = 0; k < NOut; ++k) out[k].store(data[k] + i * kSize, m);
      }
      return;
    }
    // Gather up to kV elements of each operand, compute, scatter.
    alignas(64) scalar_t buf[NOut + NIn][kV];
    for (; i < n; i += kV) {
      const int64_t m = std::min<int64_t>(kV, n - i);
      std::array<Vec, NIn> in;
      for (int k = 0; k < NIn; ++k) {
        const char* src = data[NOut + k] + i * strides[NOut + k];
        for (int64_t l = 0; l < m; ++l) {
          std::memcpy(&buf[NOut + k][l], src + l * strides[NOut + k], kSize);
        }
        for (int64_t l = m; l < kV; ++l) buf[NOut + k][l] = scalar_t(0);
        in[k] = Vec::loadu(buf[NOut + k]);
      }
      const std::array<Vec, NOut> out = apply(op, in);
      for (int k = 0; k < NOut; ++k) {
        out[k].store(buf[k]);
        char* dst = data[k] + i * strides[k];
        for (int64_t l = 0; l < m; ++l) std::memcpy(dst + l * strides[k], &buf[k][l], kSize);
      }
    }
  }
};

// The whole iterator (threads split it: the result does not depend on how).
template <class scalar_t, int NOut, int NIn, class Op>
void map_iter(at::TensorIteratorBase& iter, const Op& op) {
  constexpr int kN = NOut + NIn;
  iter.for_each([&](char** base, const int64_t* strides, int64_t n0, int64_t n1) {
    char* ptr[kN];
    for (int64_t j = 0; j < n1; ++j) {
      for (int k = 0; k < kN; ++k) ptr[k] = base[k] + j * strides[kN + k];
      VecLoop<scalar_t, NOut, NIn, Op>::run(op, ptr, strides, n0);
    }
  });
}

// Contiguous operands of n elements each, no iterator.
template <class scalar_t, int NOut, int NIn, class Op>
void map_contiguous(char* const* data, int64_t n, const Op& op) {
  constexpr int kN = NOut + NIn;
  constexpr int64_t kSize = sizeof(scalar_t);
  int64_t strides[kN];
  for (int k = 0; k < kN; ++k) strides[k] = kSize;
  at::parallel_for(0, n, at::internal::GRAIN_SIZE, [&](int64_t begin, int64_t end) {
    char* ptr[kN];
    for (int k = 0; k < kN; ++k) ptr[k] = data[k] + begin * kSize;
    VecLoop<scalar_t, NOut, NIn, Op>::run(op, ptr, strides, end - begin);
  });
}

// Dispatch over the four floating dtypes (every operand of a kernel has the
// same dtype: the host side checks).
#define TA_DISPATCH_FLOATING(dtype, name, ...) \
  AT_DISPATCH_FLOATING_TYPES_AND2(at::kHalf, at::kBFloat16, dtype, name, __VA_ARGS__)

// The CPU backend of csrc/ops/kernel_tables.h: the elementwise operation
// Op<F> (F built from its Args) over NOut outputs and NIn inputs.
struct Backend {
  static constexpr bool kHasContiguous = true;
  template <template <class> class Op, std::size_t NOut, std::size_t NIn, class F>
  static void run(at::TensorIteratorBase& iter, const void* args) {
    const Op<F> op{F(*static_cast<const typename F::Args*>(args))};
    TA_DISPATCH_FLOATING(iter.dtype(), "activation", [&] {
      map_iter<scalar_t, NOut, NIn>(iter, op);
    });
  }
  template <template <class> class Op, std::size_t NOut, std::size_t NIn, class F>
  static void run_contiguous(at::ScalarType dtype, char* const* data, int64_t n, const void* args) {
    const Op<F> op{F(*static_cast<const typename F::Args*>(args))};
    TA_DISPATCH_FLOATING(dtype, "activation", [&] {
      map_contiguous<scalar_t, NOut, NIn>(data, n, op);
    });
  }
};

}  // namespace CPU_CAPABILITY
}  // namespace ta::cpu
