// Softmax, crelu and maxout: schemas, device and Meta kernels.  Each kernel
// is a meta step (checks, the output: every device and the Meta kernel) and,
// on a device, a run step.  maxout is a composition of ATen ops (max over
// the unflattened groups, whose backward sends the gradient to the index
// max returns: the first maximum), registered as CompositeImplicitAutograd,
// so its autograd (to any order), forward mode, vmap and export come from
// ATen.
#include "dim_ops.h"

#include <c10/core/DeviceGuard.h>
#include <torch/library.h>

#include "elementwise.h"

namespace ta {
namespace dim_ops {
namespace {

struct Guard {
  c10::OptionalDeviceGuard g;
  explicit Guard(const Tensor& t) {
    if (!t.is_cpu()) g.reset_device(t.device());
  }
};

// ---------------------------------------------------------------- softmax
template <bool kMeta>
Tensor softmax(const Tensor& self, int64_t dim) {
  check_floating("softmax", "input", self);
  const int64_t d = wrap_dim("softmax", self, dim, true);
  Tensor out = alloc_contiguous(self, self.sym_sizes());
  if constexpr (!kMeta) {
    Guard guard(self);
    if (self.numel() > 0) kernels_for(self, "softmax").softmax.fwd(out, self.contiguous(), d);
  }
  return out;
}

template <bool kMeta>
Tensor softmax_backward(const Tensor& grad, const Tensor& output, int64_t dim) {
  check_same("softmax_backward", "grad_output", grad, "output", output);
  const int64_t d = wrap_dim("softmax_backward", output, dim, true);
  Tensor gx = alloc_contiguous(output, output.sym_sizes());
  if constexpr (!kMeta) {
    Guard guard(output);
    if (output.numel() > 0) {
      kernels_for(output, "softmax_backward").softmax.bwd(gx, grad.contiguous(), output.contiguous(), d);
    }
  }
  return gx;
}

// ------------------------------------------------------------------ crelu
// The output doubles the size of `dim`.
c10::SymDimVector crelu_shape(const Tensor& self, int64_t d) {
  c10::SymDimVector s(self.sym_sizes().begin(), self.sym_sizes().end());
  s[d] = s[d] * 2;
  return s;
}

template <bool kMeta>
Tensor crelu(const Tensor& self, int64_t dim) {
  check_floating("crelu", "input", self);
  const int64_t d = wrap_dim("crelu", self, dim, false);
  Tensor out = alloc_contiguous(self, crelu_shape(self, d));
  if constexpr (!kMeta) {
    Guard guard(self);
    const int64_t n = self.size(d);
    const math::NoArgs none;
    run_elementwise<2, 1>(kernels_for(self, "crelu").crelu.fwd, {out.narrow(d, 0, n), out.narrow(d, n, n)},
                          {self}, &none);
  }
  return out;
}

template <bool kMeta>
Tensor crelu_backward(const Tensor& grad, const Tensor& self, int64_t dim) {
  const char* op = "crelu_backward";
  check_floating(op, "self", self);
  const int64_t d = wrap_dim(op, self, dim, false);
  check_floating(op, "grad_output", grad);
  check_like(op, "self", self, "grad_output", grad);
  const auto expected = crelu_shape(self, d);
  TORCH_CHECK(grad.sym_sizes() == c10::SymIntArrayRef(expected), op, ": grad_output has shape ",
              grad.sym_sizes(), " but the output of crelu has shape ", c10::SymIntArrayRef(expected));
  Tensor gx = alloc_like(self);
  if constexpr (!kMeta) {
    Guard guard(self);
    const int64_t n = self.size(d);
    const math::NoArgs none;
    run_elementwise<1, 3>(kernels_for(self, op).crelu.bwd, {gx}, {grad.narrow(d, 0, n), grad.narrow(d, n, n), self},
                          &none);
  }
  return gx;
}

// ----------------------------------------------------------------- maxout
Tensor maxout(const Tensor& self, int64_t pool_size, int64_t dim) {
  check_floating("maxout", "input", self);
  const int64_t d = wrap_dim("maxout", self, dim, false);
  TORCH_CHECK(pool_size >= 1, "maxout: pool_size must be >= 1, got ", pool_size);
  const c10::SymInt n = self.sym_size(d);
  TORCH_CHECK(n % pool_size == 0, "maxout: size of dim ", dim, " (", n, ") is not divisible by pool_size ",
              pool_size);
  // x viewed as [..., n/k, k, ...]: the groups are the new dimension d + 1.
  const Tensor groups = self.unflatten_symint(d, {n / pool_size, c10::SymInt(pool_size)});
  return std::get<0>(at::max(groups, d + 1));
}

template <bool kMeta>
void impl_dim_ops(torch::Library& m) {
  m.impl("softmax", &softmax<kMeta>);
  m.impl("softmax_backward", &softmax_backward<kMeta>);
  m.impl("crelu", &crelu<kMeta>);
  m.impl("crelu_backward", &crelu_backward<kMeta>);
}

}  // namespace
}  // namespace dim_ops

void define_dim_ops(torch::Library& m) {
  def_op(m, std::string("softmax(Tensor self, ") + spec::kSoftmaxArgs + ") -> Tensor");
  def_op(m, "softmax_backward(Tensor grad_output, Tensor output, int dim) -> Tensor");
  def_op(m, std::string("crelu(Tensor self, ") + spec::kCreluArgs + ") -> Tensor");
  def_op(m, "crelu_backward(Tensor grad_output, Tensor self, int dim) -> Tensor");
  def_op(m, std::string("maxout(Tensor self, ") + spec::kMaxoutArgs + ") -> Tensor");
}

TA_REGISTER_DEVICE_AND_META(dim_ops::impl_dim_ops)

TORCH_LIBRARY_IMPL(torch_activations, CompositeImplicitAutograd, m) {
  m.impl("maxout", &dim_ops::maxout);
}

}  // namespace ta
