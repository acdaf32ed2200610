// The look-up-table activation:
//   lut(Tensor self, Tensor table, float lo=-1.0, float hi=1.0) -> Tensor
//   lut_backward(Tensor grad_output, Tensor self, Tensor table, float lo, float hi)
//       -> (Tensor, Tensor)
//   lut_double_backward(Tensor grad_grad_self, Tensor grad_grad_table,
//       Tensor grad_output, Tensor self, Tensor table, float lo, float hi)
//       -> (Tensor, Tensor, Tensor)
// The dispatcher handles (the autograd, csrc/autograd/lut.cpp, calls them).
#pragma once

#include "common.h"

namespace ta::lut {

using at::Tensor;
using FwdSig = Tensor(const Tensor&, const Tensor&, double, double);
using BwdSig = std::tuple<Tensor, Tensor>(const Tensor&, const Tensor&, const Tensor&, double, double);
using DbwdSig = std::tuple<Tensor, Tensor, Tensor>(const Tensor&, const Tensor&, const Tensor&,
                                                   const Tensor&, const Tensor&, double, double);

struct Ops {
  static const char* name() { return "lut"; }
  static const c10::TypedOperatorHandle<FwdSig>& forward_op() {
    static const auto h = find_op<FwdSig>("lut");
    return h;
  }
  static const c10::TypedOperatorHandle<BwdSig>& backward_op() {
    static const auto h = find_op<BwdSig>("lut_backward");
    return h;
  }
  static const c10::TypedOperatorHandle<DbwdSig>& double_backward_op() {
    static const auto h = find_op<DbwdSig>("lut_double_backward");
    return h;
  }
};

}  // namespace ta::lut
