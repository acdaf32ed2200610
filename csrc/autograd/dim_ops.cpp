// Autograd of softmax, crelu and maxout.  Forward saves one tensor (softmax:
// the output; crelu, maxout: the input); each backward op is differentiable:
//   softmax_backward(g, y):  linear in g (the op again); in y,
//                            gg (g - Σ g y) - g Σ gg y
//   crelu_backward(g, x):    linear in g: relu_backward on each half; 0 in x
//   maxout_backward(g, x):   linear in g: gg at the first maxima; 0 in x
// (the second derivatives are composed of ATen ops and torch_activations ops,
// so they are themselves differentiable).
#include <torch/autograd.h>
#include <torch/library.h>

#include "../ops/dim_ops.h"
#include "saved_args.h"

namespace ta::autograd {
namespace {

namespace D = ta::dim_ops;

int64_t saved_int(AutogradContext* ctx, const char* key) {
  return ctx->saved_data.at(key).toInt();
}

// ---------------------------------------------------------------- softmax
struct SoftmaxFunction : Function<SoftmaxFunction> {
  static Tensor forward(AutogradContext* ctx, const Tensor& self, int64_t dim) {
    at::AutoDispatchBelowADInplaceOrView guard;
    Tensor y = D::softmax_op().call(self, dim);
    ctx->saved_data["dim"] = dim;
    ctx->save_for_backward({y});
    return y;
  }
  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const Tensor y = ctx->get_saved_variables()[0];
    return {D::softmax_backward_op().call(grads[0], y, saved_int(ctx, "dim")), Tensor()};
  }
};

struct SoftmaxBackwardFunction : Function<SoftmaxBackwardFunction> {
  static Tensor forward(AutogradContext* ctx, const Tensor& grad, const Tensor& output,
                        int64_t dim) {
    at::AutoDispatchBelowADInplaceOrView guard;
    ctx->saved_data["dim"] = dim;
    ctx->save_for_backward({grad, output});
    return D::softmax_backward_op().call(grad, output, dim);
  }
  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const auto v = ctx->get_saved_variables();
    const Tensor &g = v[0], &y = v[1], &gg = grads[0];
    const int64_t dim = saved_int(ctx, "dim");
    Tensor d_g, d_y;
    if (ctx->needs_input_grad(0)) d_g = D::softmax_backward_op().call(gg, y, dim);
    if (ctx->needs_input_grad(1)) {
      const int64_t d = y.dim() == 0 ? 0 : (dim < 0 ? dim + y.dim() : dim);
      if (y.dim() == 0) {
        d_y = gg * (g - g * y) - g * (gg * y);
      } else {
        d_y = gg * (g - (g * y).sum(d, true)) - g * (gg * y).sum(d, true);
      }
    }
    return {d_g, d_y, Tensor()};
  }
};

// ------------------------------------------------------------------ crelu
using ReluBwdSig = Tensor(const Tensor&, const Tensor&);

struct CreluFunction : Function<CreluFunction> {
  static Tensor forward(AutogradContext* ctx, const Tensor& self, int64_t dim) {
    at::AutoDispatchBelowADInplaceOrView guard;
    ctx->saved_data["dim"] = dim;
    ctx->save_for_backward({self});
    return D::crelu_op().call(self, dim);
  }
  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const Tensor x = ctx->get_saved_variables()[0];
    return {D::crelu_backward_op().call(grads[0], x, saved_int(ctx, "dim")), Tensor()};
  }
};

struct CreluBackwardFunction : Function<CreluBackwardFunction> {
  static Tensor forward(AutogradContext* ctx, const Tensor& grad, const Tensor& self,
                        int64_t dim) {
    at::AutoDispatchBelowADInplaceOrView guard;
    ctx->saved_data["dim"] = dim;
    ctx->save_for_backward({self});
    return D::crelu_backward_op().call(grad, self, dim);
  }
  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    static const auto relu_backward = find_op<ReluBwdSig>("relu_backward");
    const Tensor x = ctx->get_saved_variables()[0];
    const Tensor& gg = grads[0];
    Tensor d_g, d_x;
    if (ctx->needs_input_grad(0)) {
      const int64_t d = D::wrap_dim("crelu_backward", x, saved_int(ctx, "dim"), false);
      d_g = at::cat({relu_backward.call(gg, x), relu_backward.call(-gg, -x)}, d);
    }
    if (ctx->needs_input_grad(1)) d_x = at::zeros_like(x);
    return {d_g, d_x, Tensor()};
  }
};

// ----------------------------------------------------------------- maxout
struct MaxoutFunction : Function<MaxoutFunction> {
  static Tensor forward(AutogradContext* ctx, const Tensor& self, int64_t pool_size,
                        int64_t dim) {
    at::AutoDispatchBelowADInplaceOrView guard;
    ctx->saved_data["pool_size"] = pool_size;
    ctx->saved_data["dim"] = dim;
    ctx->save_for_backward({self});
    return D::maxout_op().call(self, pool_size, dim);
  }
  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const Tensor x = ctx->get_saved_variables()[0];
    return {D::maxout_backward_op().call(grads[0], x, saved_int(ctx, "pool_size"),
                                         saved_int(ctx, "dim")),
            Tensor(), Tensor()};
  }
};

struct MaxoutBackwardFunction : Function<MaxoutBackwardFunction> {
  static Tensor forward(AutogradContext* ctx, const Tensor& grad, const Tensor& self,
                        int64_t pool_size, int64_t dim) {
    at::AutoDispatchBelowADInplaceOrView guard;
    ctx->saved_data["pool_size"] = pool_size;
    ctx->saved_data["dim"] = dim;
    ctx->save_for_backward({self});
    return D::maxout_backward_op().call(grad, self, pool_size, dim);
  }
  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const Tensor x = ctx->get_saved_variables()[0];
    const int64_t k = saved_int(ctx, "pool_size");
    const int64_t d = D::wrap_dim("maxout_backward", x, saved_int(ctx, "dim"), false);
    Tensor d_g, d_x;
    if (ctx->needs_input_grad(0)) {
      // gg at the positions the gradient went to: the first maxima.
      const Tensor xg = x.unflatten_symint(d, {x.sym_size(d) / k, c10::SymInt(k)});
      const Tensor index = std::get<1>(at::max(xg, d + 1, true));
      d_g = grads[0].unflatten_symint(d, {x.sym_size(d) / k, c10::SymInt(k)})
                .gather(d + 1, index)
                .squeeze(d + 1);
    }
    if (ctx->needs_input_grad(1)) d_x = at::zeros_like(x);
    return {d_g, d_x, Tensor(), Tensor()};
  }
};

Tensor softmax_autograd(const Tensor& self, int64_t dim) {
  return SoftmaxFunction::apply(self, dim);
}
Tensor softmax_backward_autograd(const Tensor& grad, const Tensor& output, int64_t dim) {
  return SoftmaxBackwardFunction::apply(grad, output, dim);
}
Tensor crelu_autograd(const Tensor& self, int64_t dim) {
  return CreluFunction::apply(self, dim);
}
Tensor crelu_backward_autograd(const Tensor& grad, const Tensor& self, int64_t dim) {
  return CreluBackwardFunction::apply(grad, self, dim);
}
Tensor maxout_autograd(const Tensor& self, int64_t pool_size, int64_t dim) {
  return MaxoutFunction::apply(self, pool_size, dim);
}
Tensor maxout_backward_autograd(const Tensor& grad, const Tensor& self, int64_t pool_size,
                                int64_t dim) {
  return MaxoutBackwardFunction::apply(grad, self, pool_size, dim);
}

}  // namespace

TORCH_LIBRARY_IMPL(torch_activations, Autograd, m) {
  m.impl("softmax", &softmax_autograd);
  m.impl("softmax_backward", &softmax_backward_autograd);
  m.impl("crelu", &crelu_autograd);
  m.impl("crelu_backward", &crelu_backward_autograd);
  m.impl("maxout", &maxout_autograd);
  m.impl("maxout_backward", &maxout_backward_autograd);
}

}  // namespace ta::autograd
