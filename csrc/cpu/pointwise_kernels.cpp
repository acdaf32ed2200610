// CPU kernels of every pointwise activation: forward, backward and double
// backward, for float32/float64/float16/bfloat16.  Compiled once per
// instruction set (see setup.py / CMakeLists.txt); holds no registrations and
// no static initialisers, only the table that capability.cpp picks from.
#include "../ops/kernel_table.h"
#include "../ops/pointwise_ops.h"
#include "loops.h"

namespace ta::cpu {
inline namespace CPU_CAPABILITY {
namespace {

template <class F>
void fwd(at::TensorIteratorBase& iter, const Params& p) {
  const F fn(p);
  TA_DISPATCH_FLOATING(iter, "pointwise_forward", [&] {
    map<scalar_t, 1>(iter, [fn](auto x) { return fn.f(x); });
  });
}

template <class F>
void bwd(at::TensorIteratorBase& iter, const Params& p) {
  const F fn(p);
  TA_DISPATCH_FLOATING(iter, "pointwise_backward", [&] {
    map<scalar_t, 2>(iter, [fn](auto g, auto x) { return g * fn.df(x); });
  });
}

template <class F>
void dbwd(at::TensorIteratorBase& iter, const Params& p) {
  const F fn(p);
  TA_DISPATCH_FLOATING(iter, "pointwise_double_backward", [&] {
    map<scalar_t, 3>(iter,
                     [fn](auto gg, auto g, auto x) { return gg * g * fn.d2f(x); });
  });
}

template <class F>
void bwd_y(at::TensorIteratorBase& iter, const Params& p) {
  const F fn(p);
  TA_DISPATCH_FLOATING(iter, "pointwise_backward_from_result", [&] {
    map<scalar_t, 2>(iter, [fn](auto g, auto y) { return g * fn.dy(y); });
  });
}

template <class F>
void dbwd_y(at::TensorIteratorBase& iter, const Params& p) {
  const F fn(p);
  TA_DISPATCH_FLOATING(iter, "pointwise_double_backward_from_result", [&] {
    map<scalar_t, 3>(iter,
                     [fn](auto gg, auto g, auto y) { return gg * g * fn.d2y(y); });
  });
}

template <class F>
constexpr PointwiseKernels make() {
  PointwiseKernels k{&fwd<F>, nullptr, nullptr, nullptr, nullptr};
  if constexpr (F::kInputDeriv) {
    k.bwd = &bwd<F>;
    if constexpr (!F::kZeroD2) {
      k.dbwd = &dbwd<F>;
    }
  }
  if constexpr (F::kOutputDeriv) {
    k.bwd_y = &bwd_y<F>;
    if constexpr (!F::kZeroD2) {
      k.dbwd_y = &dbwd_y<F>;
    }
  }
  return k;
}

constexpr PointwiseKernels kTable[] = {
#define TA_X(name) make<ops::name::F>(),
    TA_POINTWISE_OPS(TA_X)
#undef TA_X
};
static_assert(sizeof(kTable) / sizeof(kTable[0]) ==
              static_cast<size_t>(PW::kCount));

}  // namespace

const PointwiseKernels* pointwise_kernels() {
  return kTable;
}

}  // namespace CPU_CAPABILITY
}  // namespace ta::cpu
