// Autograd of the gated ops: the forward keeps only the input; the backward
// op is differentiable (its derivatives are the double backward op); a third
// derivative raises.
#include <torch/autograd.h>
#include <torch/library.h>

#include "../ops/gated.h"
#include "saved_args.h"

namespace ta::autograd {
namespace {

template <class D, class Sig = decltype(&D::pack)>
struct GatedAutograd;

template <class D, class... A>
struct GatedAutograd<D, Params (*)(A...)> {
  using G = Gated<D>;
  static constexpr std::size_t kArgs = 1 + sizeof...(A);  // dim, <args>

  struct Forward : Function<Forward> {
    static Tensor forward(AutogradContext* ctx, const Tensor& self, int64_t dim, A... a) {
      at::AutoDispatchBelowADInplaceOrView guard;
      save_args(ctx, dim, a...);
      ctx->save_for_backward({self});
      return G::forward_op().call(self, dim, a...);
    }
    static variable_list backward(AutogradContext* ctx, variable_list grads) {
      const Tensor self = ctx->get_saved_variables()[0];
      Tensor gx = with_saved_args<int64_t, A...>(ctx, [&](int64_t dim, A... a) {
        return G::backward_op().call(grads[0], self, dim, a...);
      });
      return grads_then_none({gx}, kArgs);
    }
  };

  struct Backward : Function<Backward> {
    static Tensor forward(AutogradContext* ctx, const Tensor& grad, const Tensor& self,
                          int64_t dim, A... a) {
      at::AutoDispatchBelowADInplaceOrView guard;
      save_args(ctx, dim, a...);
      ctx->save_for_backward({grad, self});
      return G::backward_op().call(grad, self, dim, a...);
    }
    static variable_list backward(AutogradContext* ctx, variable_list grads) {
      const auto v = ctx->get_saved_variables();
      auto [d_grad, d_self] = with_saved_args<int64_t, A...>(ctx, [&](int64_t dim, A... a) {
        return G::double_backward_op().call(grads[0], v[0], v[1], dim, a...);
      });
      return grads_then_none({ctx->needs_input_grad(0) ? d_grad : Tensor(),
                              ctx->needs_input_grad(1) ? d_self : Tensor()},
                             kArgs);
    }
  };

  struct DoubleBackward : Function<DoubleBackward> {
    static variable_list forward(AutogradContext*, const Tensor& gg, const Tensor& grad,
                                 const Tensor& self, int64_t dim, A... a) {
      at::AutoDispatchBelowADInplaceOrView guard;
      auto [x, y] = G::double_backward_op().call(gg, grad, self, dim, a...);
      return {x, y};
    }
    static variable_list backward(AutogradContext*, variable_list) {
      fail_third_derivative(D::kName);
    }
  };

  static Tensor forward_autograd(const Tensor& self, int64_t dim, A... a) {
    return Forward::apply(self, dim, a...);
  }
  static Tensor backward_autograd(const Tensor& grad, const Tensor& self, int64_t dim, A... a) {
    return Backward::apply(grad, self, dim, a...);
  }
  static std::tuple<Tensor, Tensor> double_backward_autograd(const Tensor& gg, const Tensor& grad,
                                                             const Tensor& self, int64_t dim,
                                                             A... a) {
    auto out = DoubleBackward::apply(gg, grad, self, dim, a...);
    return {out[0], out[1]};
  }

  static void impl(torch::Library& m) {
    m.impl(G::name().c_str(), &forward_autograd);
    m.impl(G::name("_backward").c_str(), &backward_autograd);
    m.impl(G::name("_double_backward").c_str(), &double_backward_autograd);
  }
};

}  // namespace

TORCH_LIBRARY_IMPL(torch_activations, Autograd, m) {
#define TA_X(name) GatedAutograd<ops::name>::impl(m);
  TA_GATED_OPS(TA_X)
#undef TA_X
}

}  // namespace ta::autograd
