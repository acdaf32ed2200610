// Softmax and crelu: schemas, dispatcher handles and the meta steps their
// device, Meta and autograd kernels share.  (maxout is a composition of ATen
// ops, csrc/ops/dim_ops.cpp.)
//
//   softmax(Tensor self, int dim) -> Tensor
//   softmax_backward(Tensor grad_output, Tensor output, int dim) -> Tensor
//   crelu(Tensor self, int dim=1) -> Tensor
//   crelu_backward(Tensor grad_output, Tensor self, int dim) -> Tensor
//   maxout(Tensor self, int pool_size, int dim=1) -> Tensor
#pragma once

#include "common.h"
#include "kernel_table.h"

namespace ta::dim_ops {

using at::Tensor;

using SoftmaxSig = Tensor(const Tensor&, int64_t);
using SoftmaxBwdSig = Tensor(const Tensor&, const Tensor&, int64_t);

#define TA_HANDLE(fn, sig, opname)                   \
  inline const c10::TypedOperatorHandle<sig>& fn() { \
    static const auto h = find_op<sig>(opname);      \
    return h;                                        \
  }
TA_HANDLE(softmax_op, SoftmaxSig, "softmax")
TA_HANDLE(softmax_backward_op, SoftmaxBwdSig, "softmax_backward")
TA_HANDLE(crelu_op, SoftmaxSig, "crelu")
TA_HANDLE(crelu_backward_op, SoftmaxBwdSig, "crelu_backward")
#undef TA_HANDLE

}  // namespace ta::dim_ops
