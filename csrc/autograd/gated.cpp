// Autograd of the gated ops, reverse and forward mode.  With (a, b) the
// halves of x and φ the gate, the double backward op computes, for upstream
// gradients gg = (gga, ggb) of the backward's output,
//   d_g = gga φ + ggb a φ',   d_x = (ggb g φ', gga g φ' + ggb g a φ'')
// which is g times the Hessian of a φ(b) applied to gg (plus the mixed term
// d_g).  So:
//   D(x)                   saves x; ∂x = D_backward(G, x);
//                          tangent: the d_g of D_double_backward(ẋ, ·, x)
//   D_backward(g, x)       ∂(g, x) = D_double_backward(G, g, x);
//                          tangent D_backward(ġ, x) + d_x of D_double_backward(ẋ, g, x)
//   D_double_backward(gg, g, x)   linear in gg and in g:
//                          ∂gg = D_backward(U_g, x) + d_x of D_double_backward(U_x, g, x),
//                          ∂g  = Σ_halves U_x ⊙ d_x of D_double_backward(gg, 1, x);
//                          the derivative in x would be of order three and raises.
#include <torch/library.h>

#include "../ops/gated.h"
#include "node.h"

namespace ta::autograd {
namespace {

template <class D, class Sig = decltype(&D::pack)>
struct GatedAutograd;

template <class D, class... A>
struct GatedAutograd<D, typename D::Gate::Args (*)(at::ScalarType, A...)> {
  using G = Gated<D>;

  static Tensor dbwd_dx(const Tensor& gg, const Tensor& g, const Tensor& x, int64_t dim, A... a) {
    return std::get<1>(G::double_backward_op().call(gg, g, x, dim, a...));
  }
  static Tensor dbwd_dg(const Tensor& gg, const Tensor& x, int64_t dim, A... a) {
    // d_g does not read g: any tensor of the output's shape stands in for it.
    const int64_t d = wrap_dim(D::kName, x, dim, false);
    const Tensor stand_in = gg.narrow(d, 0, gg.size(d) / 2);
    return std::get<0>(G::double_backward_op().call(gg, stand_in, x, dim, a...));
  }

  // ------------------------------------------------------------ forward
  struct ForwardNode : OpNode<ForwardNode, 1, int64_t, A...> {
    variable_list run(const variable_list& grads) {
      if (!grads[0].defined() || !this->task_should_compute_output(0)) return {Tensor()};
      const Tensor x = this->unpack(0);
      return {this->with_args([&](int64_t dim, const auto&... a) {
        return G::backward_op().call(grads[0], x, dim, a...);
      })};
    }
  };

  static Tensor forward(c10::DispatchKeySet ks, const Tensor& self, int64_t dim, A... a) {
    const bool grad = requires_grad({&self});
    Tensor out;
    {
      at::AutoDispatchBelowADInplaceOrView guard;
      out = G::forward_op().redispatch(below_autograd(ks), self, dim, a...);
    }
    if (grad) {
      auto node = make_op_node<ForwardNode>(D::kName, {&self});
      node->args = store_args<int64_t, A...>(dim, a...);
      node->saved[0] = SavedVariable(self, false);
      torch::autograd::set_history(out, as_node(node));
    }
    if (any_tangent({&self})) set_tangent(out, dbwd_dg(tangent(self), primal(self), dim, a...));
    return out;
  }

  // ------------------------------------------------------------ backward
  struct BackwardNode : OpNode<BackwardNode, 2, int64_t, A...> {
    variable_list run(const variable_list& grads) {
      if (!grads[0].defined()) return {Tensor(), Tensor()};
      const Tensor g = this->unpack(0), x = this->unpack(1);
      auto [d_g, d_x] = this->with_args([&](int64_t dim, const auto&... a) {
        return G::double_backward_op().call(grads[0], g, x, dim, a...);
      });
      return {this->task_should_compute_output(0) ? d_g : Tensor(),
              this->task_should_compute_output(1) ? d_x : Tensor()};
    }
  };

  static Tensor backward(c10::DispatchKeySet ks, const Tensor& g, const Tensor& x, int64_t dim, A... a) {
    const bool grad = requires_grad({&g, &x});
    Tensor out;
    {
      at::AutoDispatchBelowADInplaceOrView guard;
      out = G::backward_op().redispatch(below_autograd(ks), g, x, dim, a...);
    }
    if (grad) {
      auto node = make_op_node<BackwardNode>(D::kName, {&g, &x});
      node->args = store_args<int64_t, A...>(dim, a...);
      node->saved[0] = SavedVariable(g, false);
      node->saved[1] = SavedVariable(x, false);
      torch::autograd::set_history(out, as_node(node));
    }
    if (any_tangent({&g, &x})) {
      const Tensor gp = primal(g), xp = primal(x);
      Tensor t;
      if (tangent(g).defined()) t = G::backward_op().call(tangent(g), xp, dim, a...);
      if (tangent(x).defined()) t = add_defined(t, dbwd_dx(tangent(x), gp, xp, dim, a...));
      set_tangent(out, t);
    }
    return out;
  }

  // ----------------------------------------------------- double backward
  struct DoubleBackwardNode : OpNode<DoubleBackwardNode, 3, int64_t, A...> {
    variable_list run(const variable_list& grads) {
      const Tensor &U_g = grads[0], &U_x = grads[1];
      TORCH_CHECK(!this->task_should_compute_output(2), D::kName,
                  ": the derivative of the double backward with respect to the input (a third "
                  "derivative) is not implemented");
      const Tensor gg = this->unpack(0), g = this->unpack(1), x = this->unpack(2);
      Tensor d_gg, d_g;
      this->with_args([&](int64_t dim, const auto&... a) {
        if (this->task_should_compute_output(0)) {
          if (U_g.defined()) d_gg = G::backward_op().call(U_g, x, dim, a...);
          if (U_x.defined()) d_gg = add_defined(d_gg, dbwd_dx(U_x, g, x, dim, a...));
        }
        if (this->task_should_compute_output(1) && U_x.defined()) {
          const Tensor w = U_x * dbwd_dx(gg, at::ones_like(g), x, dim, a...);
          const int64_t d = wrap_dim(D::kName, x, dim, false);
          const int64_t h = x.size(d) / 2;
          d_g = w.narrow(d, 0, h) + w.narrow(d, h, h);
        }
      });
      return {d_gg, d_g, Tensor()};
    }
  };

  static std::tuple<Tensor, Tensor> double_backward(c10::DispatchKeySet ks, const Tensor& gg, const Tensor& g,
                                                    const Tensor& x, int64_t dim, A... a) {
    const bool grad = requires_grad({&gg, &g, &x});
    Tensor d_g, d_x;
    {
      at::AutoDispatchBelowADInplaceOrView guard;
      std::tie(d_g, d_x) = G::double_backward_op().redispatch(below_autograd(ks), gg, g, x, dim, a...);
    }
    if (grad) {
      auto node = make_op_node<DoubleBackwardNode>(D::kName, {&gg, &g, &x});
      node->args = store_args<int64_t, A...>(dim, a...);
      node->saved[0] = SavedVariable(gg, false);
      node->saved[1] = SavedVariable(g, false);
      node->saved[2] = SavedVariable(x, false);
      torch::autograd::set_history(d_g, as_node(node));
      torch::autograd::set_history(d_x, as_node(node));
    }
    if (any_tangent({&gg, &g, &x})) {
      TORCH_CHECK(!tangent(x).defined(), D::kName,
                  ": the forward derivative of the double backward with respect to the input (a "
                  "third derivative) is not implemented");
      const Tensor ggp = primal(gg), gp = primal(g), xp = primal(x);
      Tensor t_g, t_x;
      if (tangent(gg).defined()) {
        std::tie(t_g, t_x) = G::double_backward_op().call(tangent(gg), gp, xp, dim, a...);
      }
      if (tangent(g).defined()) t_x = add_defined(t_x, dbwd_dx(ggp, tangent(g), xp, dim, a...));
      set_tangent(d_g, t_g);
      set_tangent(d_x, t_x);
    }
    return {d_g, d_x};
  }

  static void impl(torch::Library& m) {
    m.impl(G::name().c_str(), &forward);
    m.impl(G::name("_backward").c_str(), &backward);
    m.impl(G::name("_double_backward").c_str(), &double_backward);
  }
};

}  // namespace

TORCH_LIBRARY_IMPL(torch_activations, Autograd, m) {
#define TA_X(name) GatedAutograd<spec::name>::impl(m);
  TA_GATED_OPS(TA_X)
#undef TA_X
}

}  // namespace ta::autograd
