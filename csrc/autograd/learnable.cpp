// Autograd of the learnable ops: gradients for the input and the weight, to
// second order (the backward op's derivatives are the double backward op);
// a third derivative raises.  The forward keeps the input and the weight.
#include <torch/autograd.h>
#include <torch/library.h>

#include "../ops/learnable.h"
#include "saved_args.h"

namespace ta::autograd {
namespace {

template <class D, class Sig = decltype(&D::config)>
struct LearnableAutograd;

template <class D, class... A>
struct LearnableAutograd<D, Params (*)(int64_t, A...)> {
  using L = Learnable<D>;
  static constexpr std::size_t kArgs = sizeof...(A);

  static Tensor or_zeros(const Tensor& t, const Tensor& like) {
    return t.defined() ? t : at::zeros_like(like);
  }

  struct Forward : Function<Forward> {
    static Tensor forward(AutogradContext* ctx, const Tensor& self, const Tensor& weight, A... a) {
      at::AutoDispatchBelowADInplaceOrView guard;
      save_args(ctx, a...);
      ctx->save_for_backward({self, weight});
      return L::forward_op().call(self, weight, a...);
    }
    static variable_list backward(AutogradContext* ctx, variable_list grads) {
      const auto v = ctx->get_saved_variables();
      auto [gx, gw] = with_saved_args<A...>(ctx, [&](A... a) {
        return L::backward_op().call(grads[0], v[0], v[1], a...);
      });
      return grads_then_none({ctx->needs_input_grad(0) ? gx : Tensor(),
                              ctx->needs_input_grad(1) ? gw : Tensor()},
                             kArgs);
    }
  };

  struct Backward : Function<Backward> {
    static variable_list forward(AutogradContext* ctx, const Tensor& grad, const Tensor& self,
                                 const Tensor& weight, A... a) {
      at::AutoDispatchBelowADInplaceOrView guard;
      save_args(ctx, a...);
      ctx->save_for_backward({grad, self, weight});
      auto [gx, gw] = L::backward_op().call(grad, self, weight, a...);
      return {gx, gw};
    }
    static variable_list backward(AutogradContext* ctx, variable_list grads) {
      const auto v = ctx->get_saved_variables();
      const Tensor gg_self = or_zeros(grads[0], v[1]);
      const Tensor gg_weight = or_zeros(grads[1], v[2]);
      auto [d_grad, d_self, d_weight] = with_saved_args<A...>(ctx, [&](A... a) {
        return L::double_backward_op().call(gg_self, gg_weight, v[0], v[1], v[2], a...);
      });
      return grads_then_none({ctx->needs_input_grad(0) ? d_grad : Tensor(),
                              ctx->needs_input_grad(1) ? d_self : Tensor(),
                              ctx->needs_input_grad(2) ? d_weight : Tensor()},
                             kArgs);
    }
  };

  struct DoubleBackward : Function<DoubleBackward> {
    static variable_list forward(AutogradContext*, const Tensor& gg_self, const Tensor& gg_weight,
                                 const Tensor& grad, const Tensor& self, const Tensor& weight,
                                 A... a) {
      at::AutoDispatchBelowADInplaceOrView guard;
      auto [x, y, z] = L::double_backward_op().call(gg_self, gg_weight, grad, self, weight, a...);
      return {x, y, z};
    }
    static variable_list backward(AutogradContext*, variable_list) {
      fail_third_derivative(D::kName);
    }
  };

  static Tensor forward_autograd(const Tensor& self, const Tensor& weight, A... a) {
    return Forward::apply(self, weight, a...);
  }
  static std::tuple<Tensor, Tensor> backward_autograd(const Tensor& grad, const Tensor& self,
                                                      const Tensor& weight, A... a) {
    auto out = Backward::apply(grad, self, weight, a...);
    return {out[0], out[1]};
  }
  static std::tuple<Tensor, Tensor, Tensor> double_backward_autograd(
      const Tensor& gg_self, const Tensor& gg_weight, const Tensor& grad, const Tensor& self,
      const Tensor& weight, A... a) {
    auto out = DoubleBackward::apply(gg_self, gg_weight, grad, self, weight, a...);
    return {out[0], out[1], out[2]};
  }

  static void impl(torch::Library& m) {
    m.impl(L::name().c_str(), &forward_autograd);
    m.impl(L::name("_backward").c_str(), &backward_autograd);
    m.impl(L::name("_double_backward").c_str(), &double_backward_autograd);
  }
};

}  // namespace

TORCH_LIBRARY_IMPL(torch_activations, Autograd, m) {
#define TA_X(name) LearnableAutograd<ops::name>::impl(m);
  TA_LEARNABLE_OPS(TA_X)
#undef TA_X
}

}  // namespace ta::autograd
