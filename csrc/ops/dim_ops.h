// Softmax, crelu and maxout: schemas, dispatcher handles and the helpers
// their device, Meta and autograd kernels share.
//
//   softmax(Tensor self, int dim) -> Tensor
//   softmax_backward(Tensor grad_output, Tensor output, int dim) -> Tensor
//   crelu(Tensor self, int dim=1) -> Tensor
//   crelu_backward(Tensor grad_output, Tensor self, int dim) -> Tensor
//   maxout(Tensor self, int pool_size, int dim=1) -> Tensor
//   maxout_backward(Tensor grad_output, Tensor self, int pool_size, int dim) -> Tensor
#pragma once

#include <ATen/WrapDimUtils.h>

#include "common.h"
#include "kernel_table.h"

namespace ta::dim_ops {

using at::Tensor;

inline void define(torch::Library& m) {
  def_op(m, "softmax(Tensor self, int dim) -> Tensor");
  def_op(m, "softmax_backward(Tensor grad_output, Tensor output, int dim) -> Tensor");
  def_op(m, "crelu(Tensor self, int dim=1) -> Tensor");
  def_op(m, "crelu_backward(Tensor grad_output, Tensor self, int dim) -> Tensor");
  def_op(m, "maxout(Tensor self, int pool_size, int dim=1) -> Tensor");
  def_op(m, "maxout_backward(Tensor grad_output, Tensor self, int pool_size, int dim) -> Tensor");
}

// `dim` wrapped for `t`, with an error that names the op.
inline int64_t wrap_dim(const char* op, const Tensor& t, int64_t dim, bool allow_scalar) {
  const int64_t nd = t.dim();
  if (nd == 0 && allow_scalar) {
    TORCH_CHECK(dim == 0 || dim == -1, op, ": dim ", dim, " is out of range for a 0-dim tensor");
    return 0;
  }
  TORCH_CHECK(dim >= -nd && dim < nd, op, ": dim ", dim, " is out of range for a tensor with ",
              nd, " dimension(s)");
  return dim < 0 ? dim + nd : dim;
}

// crelu: the output doubles the size of `dim`.
inline c10::SymDimVector crelu_shape(const Tensor& self, int64_t d) {
  c10::SymDimVector s(self.sym_sizes().begin(), self.sym_sizes().end());
  s[d] = s[d] * 2;
  return s;
}

inline void check_maxout(const Tensor& self, int64_t pool_size, int64_t d, int64_t dim) {
  TORCH_CHECK(pool_size >= 1, "maxout: pool_size must be >= 1, got ", pool_size);
  const c10::SymInt n = self.sym_size(d);
  TORCH_CHECK(n % pool_size == 0, "maxout: size of dim ", dim, " (", n,
              ") is not divisible by pool_size ", pool_size);
}

using SoftmaxSig = Tensor(const Tensor&, int64_t);
using SoftmaxBwdSig = Tensor(const Tensor&, const Tensor&, int64_t);
using MaxoutSig = Tensor(const Tensor&, int64_t, int64_t);
using MaxoutBwdSig = Tensor(const Tensor&, const Tensor&, int64_t, int64_t);

#define TA_HANDLE(fn, sig, opname)                 \
  inline const c10::TypedOperatorHandle<sig>& fn() { \
    static const auto h = find_op<sig>(opname);    \
    return h;                                      \
  }
TA_HANDLE(softmax_op, SoftmaxSig, "softmax")
TA_HANDLE(softmax_backward_op, SoftmaxBwdSig, "softmax_backward")
TA_HANDLE(crelu_op, SoftmaxSig, "crelu")
TA_HANDLE(crelu_backward_op, SoftmaxBwdSig, "crelu_backward")
TA_HANDLE(maxout_op, MaxoutSig, "maxout")
TA_HANDLE(maxout_backward_op, MaxoutBwdSig, "maxout_backward")
#undef TA_HANDLE

}  // namespace ta::dim_ops
