// Autograd of the ops with a parameter tensor, y = op(x, w, <args>): the
// learnable activations (w: the weight) and the look-up table (w: the
// table).  The family's backward op gives (∂x, ∂w) and its double backward
// op gives, for upstream (ggx, ggw) of those, (dg, dx, dw) with
//   dg = ggx f_x + Σ ggw f_w        (the directional derivative of f)
//   (dx, dw) = g H (ggx, ggw)        (H: f's Hessian in (x, w), symmetric)
// so every derivative and tangent is one of the two ops:
//   op(x, w)            saves x, w; (∂x, ∂w) = backward(G, x, w);
//                       tangent: dg of double_backward(ẋ, ẇ, ·, x, w)
//   backward(g, x, w)   (∂g, ∂x, ∂w) = double_backward(Ugx, Ugw, g, x, w);
//                       tangent backward(ġ, x, w) + (dx, dw) of double_backward(ẋ, ẇ, g, x, w)
//   double_backward     linear in (ggx, ggw): ∂ = backward(Udg, x, w) + (dx, dw) of
//                       double_backward(Udx, Udw, g, x, w); in g, x and w a
//                       third derivative, which raises.
// `Ops` provides name() and the typed handles forward_op(), backward_op()
// and double_backward_op() of signatures (x, w, A...), (g, x, w, A...),
// (ggx, ggw, g, x, w, A...).
#pragma once

#include "node.h"

namespace ta::autograd {

template <class Ops, class... A>
struct ParamAutograd {
  static Tensor or_zeros(const Tensor& t, const Tensor& like) {
    return t.defined() ? t : at::zeros_like(like);
  }
  // (dg, dx, dw) of the double backward op, missing inputs as zeros.
  static std::tuple<Tensor, Tensor, Tensor> dbwd(const Tensor& ggx, const Tensor& ggw, const Tensor& g,
                                                 const Tensor& x, const Tensor& w, A... a) {
    return Ops::double_backward_op().call(or_zeros(ggx, x), or_zeros(ggw, w), or_zeros(g, x), x, w, a...);
  }

  // ------------------------------------------------------------ forward
  struct ForwardNode : OpNode<ForwardNode, 2, A...> {
    variable_list run(const variable_list& grads) {
      if (!grads[0].defined()) return {Tensor(), Tensor()};
      const Tensor x = this->unpack(0), w = this->unpack(1);
      auto [gx, gw] = this->with_args([&](const auto&... a) {
        return Ops::backward_op().call(grads[0], x, w, a...);
      });
      return {this->task_should_compute_output(0) ? gx : Tensor(),
              this->task_should_compute_output(1) ? gw : Tensor()};
    }
  };

  static Tensor forward(c10::DispatchKeySet ks, const Tensor& x, const Tensor& w, A... a) {
    const bool grad = requires_grad({&x, &w});
    Tensor y;
    {
      at::AutoDispatchBelowADInplaceOrView guard;
      y = Ops::forward_op().redispatch(below_autograd(ks), x, w, a...);
    }
    if (grad) {
      auto node = make_op_node<ForwardNode>(Ops::name(), {&x, &w});
      node->args = store_args<A...>(a...);
      node->saved[0] = SavedVariable(x, false);
      node->saved[1] = SavedVariable(w, false);
      torch::autograd::set_history(y, as_node(node));
    }
    if (any_tangent({&x, &w})) {
      const Tensor xp = primal(x);
      set_tangent(y, std::get<0>(dbwd(tangent(x), tangent(w), Tensor(), xp, primal(w), a...)));
    }
    return y;
  }

  // ------------------------------------------------------------ backward
  struct BackwardNode : OpNode<BackwardNode, 3, A...> {
    variable_list run(const variable_list& grads) {
      if (!grads[0].defined() && !grads[1].defined()) return {Tensor(), Tensor(), Tensor()};
      const Tensor g = this->unpack(0), x = this->unpack(1), w = this->unpack(2);
      auto [dg, dx, dw] = this->with_args([&](const auto&... a) { return dbwd(grads[0], grads[1], g, x, w, a...); });
      return {this->task_should_compute_output(0) ? dg : Tensor(),
              this->task_should_compute_output(1) ? dx : Tensor(),
              this->task_should_compute_output(2) ? dw : Tensor()};
    }
  };

  static std::tuple<Tensor, Tensor> backward(c10::DispatchKeySet ks, const Tensor& g, const Tensor& x,
                                             const Tensor& w, A... a) {
    const bool grad = requires_grad({&g, &x, &w});
    Tensor gx, gw;
    {
      at::AutoDispatchBelowADInplaceOrView guard;
      std::tie(gx, gw) = Ops::backward_op().redispatch(below_autograd(ks), g, x, w, a...);
    }
    if (grad) {
      auto node = make_op_node<BackwardNode>(Ops::name(), {&g, &x, &w});
      node->args = store_args<A...>(a...);
      node->saved[0] = SavedVariable(g, false);
      node->saved[1] = SavedVariable(x, false);
      node->saved[2] = SavedVariable(w, false);
      torch::autograd::set_history(gx, as_node(node));
      torch::autograd::set_history(gw, as_node(node));
    }
    if (any_tangent({&g, &x, &w})) {
      const Tensor gp = primal(g), xp = primal(x), wp = primal(w);
      Tensor tx, tw;
      if (tangent(g).defined()) std::tie(tx, tw) = Ops::backward_op().call(tangent(g), xp, wp, a...);
      if (tangent(x).defined() || tangent(w).defined()) {
        auto [unused, hx, hw] = dbwd(tangent(x), tangent(w), gp, xp, wp, a...);
        tx = add_defined(tx, hx);
        tw = add_defined(tw, hw);
      }
      set_tangent(gx, tx);
      set_tangent(gw, tw);
    }
    return {gx, gw};
  }

  // ----------------------------------------------------- double backward
  struct DoubleBackwardNode : OpNode<DoubleBackwardNode, 3, A...> {
    variable_list run(const variable_list& grads) {
      for (int i = 2; i < 5; ++i) {
        if (this->task_should_compute_output(i)) fail_higher_derivative(Ops::name(), "its double backward with respect to the gradient, the input or the parameters (a third derivative)");
      }
      const Tensor g = this->unpack(0), x = this->unpack(1), w = this->unpack(2);
      Tensor d_ggx, d_ggw;
      this->with_args([&](const auto&... a) {
        if (grads[0].defined()) std::tie(d_ggx, d_ggw) = Ops::backward_op().call(grads[0], x, w, a...);
        if (grads[1].defined() || grads[2].defined()) {
          auto [unused, hx, hw] = dbwd(grads[1], grads[2], g, x, w, a...);
          d_ggx = add_defined(d_ggx, hx);
          d_ggw = add_defined(d_ggw, hw);
        }
      });
      return {d_ggx, d_ggw, Tensor(), Tensor(), Tensor()};
    }
  };

  static std::tuple<Tensor, Tensor, Tensor> double_backward(c10::DispatchKeySet ks, const Tensor& ggx,
                                                            const Tensor& ggw, const Tensor& g, const Tensor& x,
                                                            const Tensor& w, A... a) {
    const bool grad = requires_grad({&ggx, &ggw, &g, &x, &w});
    Tensor dg, dx, dw;
    {
      at::AutoDispatchBelowADInplaceOrView guard;
      std::tie(dg, dx, dw) = Ops::double_backward_op().redispatch(below_autograd(ks), ggx, ggw, g, x, w, a...);
    }
    if (grad) {
      auto node = make_op_node<DoubleBackwardNode>(Ops::name(), {&ggx, &ggw, &g, &x, &w});
      node->args = store_args<A...>(a...);
      node->saved[0] = SavedVariable(g, false);
      node->saved[1] = SavedVariable(x, false);
      node->saved[2] = SavedVariable(w, false);
      torch::autograd::set_history(dg, as_node(node));
      torch::autograd::set_history(dx, as_node(node));
      torch::autograd::set_history(dw, as_node(node));
    }
    if (any_tangent({&ggx, &ggw, &g, &x, &w})) {
      TORCH_CHECK(!tangent(g).defined() && !tangent(x).defined() && !tangent(w).defined(), Ops::name(),
                  ": the forward derivative of the double backward with respect to the gradient, the input or "
                  "the parameters (a third derivative) is not implemented");
      auto [t0, t1, t2] = dbwd(tangent(ggx), tangent(ggw), primal(g), primal(x), primal(w), a...);
      set_tangent(dg, t0);
      set_tangent(dx, t1);
      set_tangent(dw, t2);
    }
    return {dg, dx, dw};
  }

  static void impl(torch::Library& m, const std::string& name) {
    m.impl(name.c_str(), &forward);
    m.impl((name + "_backward").c_str(), &backward);
    m.impl((name + "_double_backward").c_str(), &double_backward);
  }
};

}  // namespace ta::autograd
