// Device and Meta kernels of softmax and crelu; maxout is composed of ATen
// ops (max over the unflattened groups, which returns the first maximum),
// registered once for every backend.
#include "dim_ops.h"

#include <c10/core/DeviceGuard.h>
#include <torch/library.h>

namespace ta {
namespace dim_ops {
namespace {

// ---------------------------------------------------------------- softmax
Tensor softmax(const Tensor& self, int64_t dim) {
  check_floating("softmax", "input", self);
  const int64_t d = wrap_dim("softmax", self, dim, true);
  c10::DeviceGuard guard(self.device());
  const Tensor x = self.contiguous();
  Tensor out = at::empty_like(x, at::MemoryFormat::Contiguous);
  if (x.numel() > 0) kernels_for(x, "softmax").softmax.fwd(out, x, d);
  return out;
}

Tensor softmax_backward(const Tensor& grad, const Tensor& output, int64_t dim) {
  check_same("softmax_backward", "grad_output", grad, "output", output);
  const int64_t d = wrap_dim("softmax_backward", output, dim, true);
  c10::DeviceGuard guard(output.device());
  const Tensor y = output.contiguous();
  Tensor gx = at::empty_like(y, at::MemoryFormat::Contiguous);
  if (y.numel() > 0) {
    kernels_for(y, "softmax_backward").softmax.bwd(gx, grad.contiguous(), y, d);
  }
  return gx;
}

Tensor softmax_meta(const Tensor& self, int64_t dim) {
  check_floating("softmax", "input", self);
  wrap_dim("softmax", self, dim, true);
  return at::empty_like(self, at::MemoryFormat::Contiguous);
}

Tensor softmax_backward_meta(const Tensor& grad, const Tensor& output, int64_t dim) {
  check_same("softmax_backward", "grad_output", grad, "output", output);
  wrap_dim("softmax_backward", output, dim, true);
  return at::empty_like(output, at::MemoryFormat::Contiguous);
}

// ------------------------------------------------------------------ crelu
void check_crelu_grad(const Tensor& grad, const Tensor& self, int64_t d) {
  const char* op = "crelu_backward";
  check_floating(op, "grad_output", grad);
  check_floating(op, "self", self);
  TORCH_CHECK(grad.scalar_type() == self.scalar_type(), op, ": grad_output has dtype ",
              grad.scalar_type(), " but self has dtype ", self.scalar_type());
  TORCH_CHECK(grad.device() == self.device(), op, ": grad_output is on ", grad.device(),
              " but self is on ", self.device());
  const auto expected = crelu_shape(self, d);
  TORCH_CHECK(grad.sym_sizes() == c10::SymIntArrayRef(expected), op, ": grad_output has shape ",
              grad.sym_sizes(), " but the output of crelu has shape ", c10::SymIntArrayRef(expected));
}

Tensor crelu(const Tensor& self, int64_t dim) {
  check_floating("crelu", "input", self);
  const int64_t d = wrap_dim("crelu", self, dim, false);
  c10::DeviceGuard guard(self.device());
  Tensor out = at::empty_symint(crelu_shape(self, d), self.options());
  const int64_t n = self.size(d);
  const Tensor pos = out.narrow(d, 0, n), neg = out.narrow(d, n, n);
  auto iter = at::TensorIteratorConfig().add_output(pos).add_output(neg).add_const_input(self).build();
  if (iter.numel() > 0) kernels_for(self, "crelu").crelu.fwd(iter, Params{});
  return out;
}

Tensor crelu_backward(const Tensor& grad, const Tensor& self, int64_t dim) {
  const int64_t d = wrap_dim("crelu_backward", self, dim, false);
  check_crelu_grad(grad, self, d);
  c10::DeviceGuard guard(self.device());
  Tensor gx = at::empty_like(self);
  const int64_t n = self.size(d);
  const Tensor g_pos = grad.narrow(d, 0, n), g_neg = grad.narrow(d, n, n);
  auto iter = at::TensorIteratorConfig()
                  .add_output(gx)
                  .add_const_input(g_pos)
                  .add_const_input(g_neg)
                  .add_const_input(self)
                  .build();
  if (iter.numel() > 0) kernels_for(self, "crelu_backward").crelu.bwd(iter, Params{});
  return gx;
}

Tensor crelu_meta(const Tensor& self, int64_t dim) {
  check_floating("crelu", "input", self);
  const int64_t d = wrap_dim("crelu", self, dim, false);
  return at::empty_symint(crelu_shape(self, d), self.options());
}

Tensor crelu_backward_meta(const Tensor& grad, const Tensor& self, int64_t dim) {
  const int64_t d = wrap_dim("crelu_backward", self, dim, false);
  check_crelu_grad(grad, self, d);
  return at::empty_like(self);
}

// ----------------------------------------------------------------- maxout
// x viewed as [..., n/k, k, ...]: the groups are the new dimension d + 1.
Tensor grouped(const Tensor& self, int64_t pool_size, int64_t d) {
  const c10::SymInt n = self.sym_size(d);
  return self.unflatten_symint(d, {n / pool_size, c10::SymInt(pool_size)});
}

Tensor maxout(const Tensor& self, int64_t pool_size, int64_t dim) {
  check_floating("maxout", "input", self);
  const int64_t d = wrap_dim("maxout", self, dim, false);
  check_maxout(self, pool_size, d, dim);
  return std::get<0>(at::max(grouped(self, pool_size, d), d + 1));
}

// The gradient goes to the first maximum of each group (at::max's index).
Tensor maxout_backward(const Tensor& grad, const Tensor& self, int64_t pool_size, int64_t dim) {
  const char* op = "maxout_backward";
  check_floating(op, "grad_output", grad);
  check_floating(op, "self", self);
  const int64_t d = wrap_dim(op, self, dim, false);
  check_maxout(self, pool_size, d, dim);
  const Tensor x = grouped(self, pool_size, d);
  const Tensor index = std::get<1>(at::max(x, d + 1)).unsqueeze(d + 1);
  TORCH_CHECK(grad.sym_sizes() == index.squeeze(d + 1).sym_sizes(), op, ": grad_output has shape ",
              grad.sym_sizes(), " but the output of maxout has shape ", index.squeeze(d + 1).sym_sizes());
  TORCH_CHECK(grad.scalar_type() == self.scalar_type(), op, ": grad_output has dtype ",
              grad.scalar_type(), " but self has dtype ", self.scalar_type());
  return at::zeros_like(x).scatter(d + 1, index, grad.unsqueeze(d + 1)).flatten(d, d + 1);
}

}  // namespace
}  // namespace dim_ops

void define_dim_ops(torch::Library& m) {
  dim_ops::define(m);
}

TORCH_LIBRARY_IMPL(torch_activations, CPU, m) {
  m.impl("softmax", &dim_ops::softmax);
  m.impl("softmax_backward", &dim_ops::softmax_backward);
  m.impl("crelu", &dim_ops::crelu);
  m.impl("crelu_backward", &dim_ops::crelu_backward);
}

TORCH_LIBRARY_IMPL(torch_activations, CUDA, m) {
  m.impl("softmax", &dim_ops::softmax);
  m.impl("softmax_backward", &dim_ops::softmax_backward);
  m.impl("crelu", &dim_ops::crelu);
  m.impl("crelu_backward", &dim_ops::crelu_backward);
}

TORCH_LIBRARY_IMPL(torch_activations, Meta, m) {
  m.impl("softmax", &dim_ops::softmax_meta);
  m.impl("softmax_backward", &dim_ops::softmax_backward_meta);
  m.impl("crelu", &dim_ops::crelu_meta);
  m.impl("crelu_backward", &dim_ops::crelu_backward_meta);
}

TORCH_LIBRARY_IMPL(torch_activations, CompositeExplicitAutograd, m) {
  m.impl("maxout", &dim_ops::maxout);
  m.impl("maxout_backward", &dim_ops::maxout_backward);
}

}  // namespace ta
