// CPU kernels of the gated ops (glu, geglu, swiglu, reglu): forward, backward
// and double backward, each one fused pass over the halves of the input.
// Compiled once per instruction set.
#include "../ops/gated_ops.h"
#include "../ops/kernel_table.h"
#include "loops.h"

namespace ta::cpu {
inline namespace CPU_CAPABILITY {
namespace {

// iterator: (y | a, b)
template <class F>
void fwd(at::TensorIteratorBase& iter, const Params& p) {
  const F fn(p);
  TA_DISPATCH_FLOATING(iter, "gated_forward", [&] {
    map<scalar_t, 2>(iter, [fn](auto a, auto b) { return fn.f(a, b); });
  });
}

// iterator: (grad_a, grad_b | g, a, b)
template <class F>
void bwd(at::TensorIteratorBase& iter, const Params& p) {
  const F fn(p);
  TA_DISPATCH_FLOATING(iter, "gated_backward", [&] {
    map_multi<scalar_t, 2, 3>(iter, [fn](auto g, auto a, auto b) { return fn.bwd(g, a, b); });
  });
}

// iterator: (d_g, d_a, d_b | gga, ggb, g, a, b)
template <class F>
void dbwd(at::TensorIteratorBase& iter, const Params& p) {
  const F fn(p);
  TA_DISPATCH_FLOATING(iter, "gated_double_backward", [&] {
    map_multi<scalar_t, 3, 5>(iter, [fn](auto gga, auto ggb, auto g, auto a, auto b) {
      return fn.dbwd(gga, ggb, g, a, b);
    });
  });
}

constexpr GatedKernels kTable[] = {
#define TA_X(name) {&fwd<ops::name::F>, &bwd<ops::name::F>, &dbwd<ops::name::F>},
    TA_GATED_OPS(TA_X)
#undef TA_X
};
static_assert(sizeof(kTable) / sizeof(kTable[0]) == static_cast<size_t>(GatedOp::kCount));

}  // namespace

const GatedKernels* gated_kernels() {
  return kTable;
}

}  // namespace CPU_CAPABILITY
}  // namespace ta::cpu
