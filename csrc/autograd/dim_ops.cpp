// Autograd of softmax and crelu, reverse and forward mode (maxout is
// CompositeImplicitAutograd).  Forward saves one tensor (softmax: the
// output; crelu: the input); each backward op is differentiable again:
//   softmax_backward(g, y) = y (g - Σ g y):  linear in g (the op again); in y,
//                            gg (g - Σ g y) - g Σ gg y (ATen ops: any order)
//   crelu_backward(g, x):    linear in g: relu_backward on each half; 0 in x
#include <torch/library.h>

#include "../ops/dim_ops.h"
#include "node.h"

namespace ta::autograd {
namespace {

namespace D = ta::dim_ops;

using ReluBwdSig = Tensor(const Tensor&, const Tensor&);
const c10::TypedOperatorHandle<ReluBwdSig>& relu_backward_op() {
  static const auto h = find_op<ReluBwdSig>("relu_backward");
  return h;
}

// b(g, y) = y (g - Σ_dim g y).  Its derivative in y applied to a tangent u
// (forward mode): u (g - Σ g y) - y Σ g u; its adjoint for an upstream G
// (reverse mode): G (g - Σ g y) - g Σ G y.
Tensor sum_dim(const Tensor& t, const Tensor& y, int64_t dim) {
  if (y.dim() == 0) return t;
  return t.sum(wrap_dim("softmax_backward", y, dim, true), true);
}
Tensor softmax_backward_jvp_y(const Tensor& u, const Tensor& g, const Tensor& y, int64_t dim) {
  return u * (g - sum_dim(g * y, y, dim)) - y * sum_dim(g * u, y, dim);
}
Tensor softmax_backward_vjp_y(const Tensor& G, const Tensor& g, const Tensor& y, int64_t dim) {
  return G * (g - sum_dim(g * y, y, dim)) - g * sum_dim(G * y, y, dim);
}

// ---------------------------------------------------------------- softmax
struct SoftmaxNode : OpNode<SoftmaxNode, 1, int64_t> {
  variable_list run(const variable_list& grads) {
    if (!grads[0].defined() || !task_should_compute_output(0)) return {Tensor()};
    return {D::softmax_backward_op().call(grads[0], unpack(0), std::get<0>(args))};
  }
};

Tensor softmax(c10::DispatchKeySet ks, const Tensor& self, int64_t dim) {
  const bool grad = requires_grad({&self});
  Tensor y;
  {
    at::AutoDispatchBelowADInplaceOrView guard;
    y = D::softmax_op().redispatch(below_autograd(ks), self, dim);
  }
  if (grad) {
    auto node = make_op_node<SoftmaxNode>("softmax", {&self});
    node->args = store_args<int64_t>(dim);
    torch::autograd::set_history(y, as_node(node));
    node->saved[0] = SavedVariable(y, true);
  }
  if (any_tangent({&self})) set_tangent(y, D::softmax_backward_op().call(tangent(self), y, dim));
  return y;
}

struct SoftmaxBackwardNode : OpNode<SoftmaxBackwardNode, 2, int64_t> {
  variable_list run(const variable_list& grads) {
    const Tensor& G = grads[0];
    if (!G.defined()) return {Tensor(), Tensor()};
    const Tensor g = unpack(0), y = unpack(1);
    const int64_t dim = std::get<0>(args);
    Tensor d_g, d_y;
    if (task_should_compute_output(0)) d_g = D::softmax_backward_op().call(G, y, dim);
    if (task_should_compute_output(1)) d_y = softmax_backward_vjp_y(G, g, y, dim);
    return {d_g, d_y};
  }
};

Tensor softmax_backward(c10::DispatchKeySet ks, const Tensor& grad, const Tensor& output, int64_t dim) {
  const bool need = requires_grad({&grad, &output});
  Tensor out;
  {
    at::AutoDispatchBelowADInplaceOrView guard;
    out = D::softmax_backward_op().redispatch(below_autograd(ks), grad, output, dim);
  }
  if (need) {
    auto node = make_op_node<SoftmaxBackwardNode>("softmax_backward", {&grad, &output});
    node->args = store_args<int64_t>(dim);
    node->saved[0] = SavedVariable(grad, false);
    node->saved[1] = SavedVariable(output, false);
    torch::autograd::set_history(out, as_node(node));
  }
  if (any_tangent({&grad, &output})) {
    const Tensor gp = primal(grad), yp = primal(output);
    Tensor t;
    if (tangent(grad).defined()) t = D::softmax_backward_op().call(tangent(grad), yp, dim);
    if (tangent(output).defined()) t = add_defined(t, softmax_backward_jvp_y(tangent(output), gp, yp, dim));
    set_tangent(out, t);
  }
  return out;
}

// ------------------------------------------------------------------ crelu
// cat(relu'(x) u, relu'(-x)·(-u)): crelu's derivative applied to u.
Tensor crelu_jvp(const Tensor& u, const Tensor& x, int64_t dim) {
  const int64_t d = wrap_dim("crelu", x, dim, false);
  return at::cat({relu_backward_op().call(u, x), relu_backward_op().call(-u, -x)}, d);
}

struct CreluNode : OpNode<CreluNode, 1, int64_t> {
  variable_list run(const variable_list& grads) {
    if (!grads[0].defined() || !task_should_compute_output(0)) return {Tensor()};
    return {D::crelu_backward_op().call(grads[0], unpack(0), std::get<0>(args))};
  }
};

Tensor crelu(c10::DispatchKeySet ks, const Tensor& self, int64_t dim) {
  const bool grad = requires_grad({&self});
  Tensor y;
  {
    at::AutoDispatchBelowADInplaceOrView guard;
    y = D::crelu_op().redispatch(below_autograd(ks), self, dim);
  }
  if (grad) {
    auto node = make_op_node<CreluNode>("crelu", {&self});
    node->args = store_args<int64_t>(dim);
    node->saved[0] = SavedVariable(self, false);
    torch::autograd::set_history(y, as_node(node));
  }
  if (any_tangent({&self})) set_tangent(y, crelu_jvp(tangent(self), primal(self), dim));
  return y;
}

struct CreluBackwardNode : OpNode<CreluBackwardNode, 1, int64_t> {
  variable_list run(const variable_list& grads) {
    if (!grads[0].defined()) return {Tensor(), Tensor()};
    Tensor d_g;
    if (task_should_compute_output(0)) d_g = crelu_jvp(grads[0], unpack(0), std::get<0>(args));
    return {d_g, Tensor()};  // zero almost everywhere in x
  }
};

Tensor crelu_backward(c10::DispatchKeySet ks, const Tensor& grad, const Tensor& self, int64_t dim) {
  const bool need = requires_grad({&grad, &self});
  Tensor out;
  {
    at::AutoDispatchBelowADInplaceOrView guard;
    out = D::crelu_backward_op().redispatch(below_autograd(ks), grad, self, dim);
  }
  if (need) {
    auto node = make_op_node<CreluBackwardNode>("crelu_backward", {&grad, &self});
    node->args = store_args<int64_t>(dim);
    node->saved[0] = SavedVariable(self, false);
    torch::autograd::set_history(out, as_node(node));
  }
  if (tangent(grad).defined()) {
    set_tangent(out, D::crelu_backward_op().call(tangent(grad), primal(self), dim));
  }
  return out;
}

}  // namespace

TORCH_LIBRARY_IMPL(torch_activations, Autograd, m) {
  m.impl("softmax", &softmax);
  m.impl("softmax_backward", &softmax_backward);
  m.impl("crelu", &crelu);
  m.impl("crelu_backward", &crelu_backward);
}

}  // namespace ta::autograd
