// Autograd of rrelu.  Eval mode is leaky_relu's graph (the op is called with
// autograd on).  Training mode: out = x·noise with the slopes drawn in the
// forward, so ∂x = g·noise and the tangent ẋ·noise (ATen's mul: any order).
#include <torch/library.h>

#include "../ops/rrelu.h"
#include "node.h"

namespace ta::autograd {
namespace {

namespace R = ta::rrelu;

struct WithNoiseNode : OpNode<WithNoiseNode, 1> {
  variable_list run(const variable_list& grads) {
    if (!grads[0].defined() || !task_should_compute_output(0)) return {Tensor()};
    return {grads[0] * unpack(0)};
  }
};

std::tuple<Tensor, Tensor> with_noise(c10::DispatchKeySet ks, const Tensor& self, double lower, double upper,
                                      R::Gen gen) {
  const bool grad = requires_grad({&self});
  Tensor out, noise;
  {
    at::AutoDispatchBelowADInplaceOrView guard;
    std::tie(out, noise) = R::with_noise_op().redispatch(below_autograd(ks), self, lower, upper, gen);
  }
  if (grad) {
    auto node = make_op_node<WithNoiseNode>("rrelu", {&self});
    node->saved[0] = SavedVariable(noise, false);
    torch::autograd::set_history(out, as_node(node));
  }
  if (any_tangent({&self})) set_tangent(out, tangent(self) * noise);
  return {out, noise};
}

Tensor rrelu(c10::DispatchKeySet, const Tensor& self, double lower, double upper, bool training, R::Gen gen) {
  R::check(self, lower, upper);
  if (!training) return R::leaky_relu_op().call(self, R::eval_slope(lower, upper));
  return std::get<0>(R::with_noise_op().call(self, lower, upper, gen));
}

void rrelu_(c10::DispatchKeySet, Tensor& self, double lower, double upper, bool training, R::Gen gen) {
  R::check(self, lower, upper);
  if (!training) {
    R::leaky_relu_inplace_op().call(self, R::eval_slope(lower, upper));
    return;
  }
  // The slopes must be kept for the backward anyway, so the in-place form
  // computes out of place and copies back (copy_ carries the autograd).
  self.copy_(std::get<0>(R::with_noise_op().call(self, lower, upper, gen)));
}

}  // namespace

TORCH_LIBRARY_IMPL(torch_activations, Autograd, m) {
  m.impl("rrelu", &rrelu);
  m.impl("rrelu_", &rrelu_);
  m.impl("rrelu_with_noise", &with_noise);
}

}  // namespace ta::autograd
