// Autograd of the pointwise ops (Autograd and ADInplaceOrView keys), reverse
// and forward mode, to any order.
//
//   D(x)                  saves x; ∂x = D_backward(g, x); tangent D_backward(ẋ, x)
//   D_(x) (in place)      saves the output y when the functor's derivative can
//                         be written in y for these arguments (∂ = D_backward_from_result),
//                         else a differentiable copy of the input
//   D_backward(g, x)            = g f'(x)       ∂g = D_backward(G, x), ∂x = D_double_backward(G, g, x)
//   D_double_backward(a, b, x)  = a b f''(x)    ∂a, ∂b: the op again; ∂x = D_jet(G a b, x, 3)
//   D_jet(g, x, n)              = g f^(n)(x)    ∂g = D_jet(G, x, n), ∂x = D_jet(G g, x, n + 1)
//   (the _from_result ops likewise in y, with D_jet_from_result)
//
// Every op is linear in its gradient arguments and a derivative of the same
// function in the saved one, so one rule, `Chain` below, gives the gradients
// and the tangents of all of them.  Piecewise-linear functors have no ops
// past the backward: their higher derivatives are 0.
#include <torch/library.h>

#include "../ops/pointwise.h"
#include "node.h"

namespace ta::autograd {
namespace {

template <class D, class Sig = decltype(&D::pack)>
struct PointwiseAutograd;

template <class D, class... A>
struct PointwiseAutograd<D, typename D::F::Args (*)(at::ScalarType, A...)> {
  using P = Pointwise<D>;
  using F = typename D::F;
  static constexpr bool kSmooth = P::kSmooth;

  // The family of functions g·h_k(s) of a saved tensor s (x, or y for the
  // _from_result ops): h_1 = f' (or dy), h_2 = f'' (or dy'), h_n from jets.
  // apply(n, g, s) computes g·h_n(s); a two-gradient form (gg, g) of order 2
  // is gg·g·h_2(s).
  template <bool kFromResult>
  struct Chain {
    static Tensor apply(int64_t n, const Tensor& g, const Tensor& s, A... a) {
      if (n == 1) {
        return kFromResult ? P::backward_from_result_op().call(g, s, a...)
                           : P::backward_op().call(g, s, a...);
      }
      if constexpr (kSmooth) {
        return kFromResult ? P::jet_from_result_op().call(g, s, n - 1, a...)
                           : P::jet_op().call(g, s, n, a...);
      }
      TORCH_INTERNAL_ASSERT(false, "no derivatives past the first");
      return Tensor();
    }
    static Tensor apply2(const Tensor& gg, const Tensor& g, const Tensor& s, A... a) {
      return kFromResult ? P::double_backward_from_result_op().call(gg, g, s, a...)
                         : P::double_backward_op().call(gg, g, s, a...);
    }
  };

  // --------------------------------------------------------------- forward
  struct ForwardNode : OpNode<ForwardNode, 1, A...> {
    bool from_result = false;  // in place: saved[0] is the output
    variable_list run(const variable_list& grads) {
      if (!grads[0].defined() || !this->task_should_compute_output(0)) return {Tensor()};
      Tensor s = F::kConstantDeriv ? grads[0] : this->unpack(0);
      return {this->with_args([&](const auto&... a) {
        return from_result ? Chain<true>::apply(1, grads[0], s, a...)
                           : Chain<false>::apply(1, grads[0], s, a...);
      })};
    }
  };

  static Tensor forward(c10::DispatchKeySet ks, const Tensor& self, A... a) {
    const bool grad = requires_grad({&self});
    Tensor out;
    {
      at::AutoDispatchBelowADInplaceOrView guard;
      out = P::forward_op().redispatch(below_autograd(ks), self, a...);
    }
    if (grad) {
      auto node = make_op_node<ForwardNode>(D::kName, {&self});
      node->args = store_args<A...>(a...);
      if constexpr (!F::kConstantDeriv) node->saved[0] = SavedVariable(self, false);
      torch::autograd::set_history(out, as_node(node));
    }
    if (any_tangent({&self})) {
      set_tangent(out, Chain<false>::apply(1, tangent(self), primal(self), a...));
    }
    return out;
  }

  static void forward_(c10::DispatchKeySet ks, Tensor& self, A... a) {
    const auto args = P::pack(self, a...);
    const bool from_result = F::kOutputDeriv && F::output_deriv_ok(args);
    const bool grad = requires_grad({&self});
    torch::autograd::check_inplace(self, grad);
    decltype(make_op_node<ForwardNode>("", {})) node;
    if (grad) {
      node = make_op_node<ForwardNode>(D::kName, {&self});
      node->args = store_args<A...>(a...);
      node->from_result = from_result;
      // A copy of the input, taken with autograd on: the backward reads it,
      // and higher derivatives flow through it to the input's history.
      if (!from_result && !F::kConstantDeriv) node->saved[0] = SavedVariable(self.clone(), false);
    }
    // The tangent from the input, before it is overwritten.
    Tensor t;
    if (any_tangent({&self}) && !from_result) {
      t = Chain<false>::apply(1, tangent(self), primal(self), a...);
    }
    {
      at::AutoDispatchBelowAutograd guard;
      P::inplace_op().redispatch(below_autograd(ks), self, a...);
    }
    if (node) {
      torch::autograd::rebase_history(self, as_node(node));
      if (from_result && !F::kConstantDeriv) node->saved[0] = SavedVariable(self, true, self.is_view());
    }
    if (any_tangent({&self}) && from_result) {
      t = Chain<true>::apply(1, tangent(self), primal(self), a...);
    }
    if (t.defined()) {
      // An in-place op updates the tangent in place (autograd's rule).
      Tensor current = tangent(self);
      current.copy_(t);
      set_tangent(self, current, /*inplace=*/true);
    }
  }

  // Bumps the version counter of the mutated tensor when the autograd key is
  // skipped (the Autograd kernel reaches it through the redispatch).
  static void forward_inplace_view(c10::DispatchKeySet ks, Tensor& self, A... a) {
    {
      at::AutoDispatchBelowADInplaceOrView guard;
      P::inplace_op().redispatch(ks & c10::after_ADInplaceOrView_keyset, self, a...);
    }
    torch::autograd::increment_version(self);
  }

  // ------------------------------------------------ g·h_n(s), n from 1 up
  // One node for D_backward (n = 1), D_jet (n >= 2; the op's order) and their
  // _from_result forms: inputs (g, s).
  template <bool kFromResult>
  struct GradNode : OpNode<GradNode<kFromResult>, 2, A...> {
    int64_t n = 1;
    variable_list run(const variable_list& grads) {
      const Tensor& G = grads[0];
      if (!G.defined()) return {Tensor(), Tensor()};
      const Tensor g = this->unpack(0), s = this->unpack(1);
      Tensor dg, ds;
      this->with_args([&](const auto&... a) {
        if (this->task_should_compute_output(0)) dg = Chain<kFromResult>::apply(n, G, s, a...);
        if (this->task_should_compute_output(1)) {
          if constexpr (kSmooth) {
            ds = n == 1 ? Chain<kFromResult>::apply2(G, g, s, a...)
                        : Chain<kFromResult>::apply(n + 1, G * g, s, a...);
          } else {
            ds = at::zeros_like(s);  // piecewise linear: 0 almost everywhere
          }
        }
      });
      return {dg, ds};
    }
  };

  // jet: the op called is the jet op (even for n = 1 or 2), else the backward.
  template <bool kFromResult>
  static Tensor grad_op(c10::DispatchKeySet ks, int64_t n, bool jet, const Tensor& g, const Tensor& s,
                        A... a) {
    const bool grad = requires_grad({&g, &s});
    Tensor out;
    {
      at::AutoDispatchBelowADInplaceOrView guard;
      const auto below = below_autograd(ks);
      if (!jet) {
        out = kFromResult ? P::backward_from_result_op().redispatch(below, g, s, a...)
                          : P::backward_op().redispatch(below, g, s, a...);
      } else if constexpr (kSmooth) {
        out = kFromResult ? P::jet_from_result_op().redispatch(below, g, s, n - 1, a...)
                          : P::jet_op().redispatch(below, g, s, n, a...);
      }
    }
    if (grad) {
      auto node = make_op_node<GradNode<kFromResult>>(D::kName, {&g, &s});
      node->args = store_args<A...>(a...);
      node->n = n;
      node->saved[0] = SavedVariable(g, false);
      node->saved[1] = SavedVariable(s, false);
      torch::autograd::set_history(out, as_node(node));
    }
    if (any_tangent({&g, &s})) {
      const Tensor gp = primal(g), sp = primal(s);
      Tensor t;
      if (tangent(g).defined()) t = Chain<kFromResult>::apply(n, tangent(g), sp, a...);
      if (kSmooth && tangent(s).defined()) {
        t = add_defined(t, n == 1 ? Chain<kFromResult>::apply2(tangent(s), gp, sp, a...)
                                  : Chain<kFromResult>::apply(n + 1, gp * tangent(s), sp, a...));
      }
      set_tangent(out, t);
    }
    return out;
  }

  // ------------------------------------------------ gg·g·h_2(s)
  template <bool kFromResult>
  struct Grad2Node : OpNode<Grad2Node<kFromResult>, 3, A...> {
    variable_list run(const variable_list& grads) {
      const Tensor& G = grads[0];
      if (!G.defined()) return {Tensor(), Tensor(), Tensor()};
      const Tensor gg = this->unpack(0), g = this->unpack(1), s = this->unpack(2);
      Tensor dgg, dg, ds;
      this->with_args([&](const auto&... a) {
        if (this->task_should_compute_output(0)) dgg = Chain<kFromResult>::apply2(G, g, s, a...);
        if (this->task_should_compute_output(1)) dg = Chain<kFromResult>::apply2(G, gg, s, a...);
        if (this->task_should_compute_output(2)) ds = Chain<kFromResult>::apply(3, G * gg * g, s, a...);
      });
      return {dgg, dg, ds};
    }
  };

  template <bool kFromResult>
  static Tensor grad2_op(c10::DispatchKeySet ks, const Tensor& gg, const Tensor& g, const Tensor& s,
                         A... a) {
    const bool grad = requires_grad({&gg, &g, &s});
    Tensor out;
    {
      at::AutoDispatchBelowADInplaceOrView guard;
      out = kFromResult ? P::double_backward_from_result_op().redispatch(below_autograd(ks), gg, g, s, a...)
                        : P::double_backward_op().redispatch(below_autograd(ks), gg, g, s, a...);
    }
    if (grad) {
      auto node = make_op_node<Grad2Node<kFromResult>>(D::kName, {&gg, &g, &s});
      node->args = store_args<A...>(a...);
      node->saved[0] = SavedVariable(gg, false);
      node->saved[1] = SavedVariable(g, false);
      node->saved[2] = SavedVariable(s, false);
      torch::autograd::set_history(out, as_node(node));
    }
    if (any_tangent({&gg, &g, &s})) {
      const Tensor ggp = primal(gg), gp = primal(g), sp = primal(s);
      Tensor t;
      if (tangent(gg).defined()) t = Chain<kFromResult>::apply2(tangent(gg), gp, sp, a...);
      if (tangent(g).defined()) t = add_defined(t, Chain<kFromResult>::apply2(ggp, tangent(g), sp, a...));
      if (tangent(s).defined()) {
        t = add_defined(t, Chain<kFromResult>::apply(3, ggp * gp * tangent(s), sp, a...));
      }
      set_tangent(out, t);
    }
    return out;
  }

  // ------------------------------------------------ the Autograd kernels
  static Tensor backward(c10::DispatchKeySet ks, const Tensor& g, const Tensor& x, A... a) {
    return grad_op<false>(ks, 1, false, g, x, a...);
  }
  static Tensor backward_from_result(c10::DispatchKeySet ks, const Tensor& g, const Tensor& y, A... a) {
    return grad_op<true>(ks, 1, false, g, y, a...);
  }
  static Tensor jet(c10::DispatchKeySet ks, const Tensor& g, const Tensor& x, int64_t order, A... a) {
    return grad_op<false>(ks, order, true, g, x, a...);
  }
  static Tensor jet_from_result(c10::DispatchKeySet ks, const Tensor& g, const Tensor& y, int64_t order,
                                A... a) {
    return grad_op<true>(ks, order + 1, true, g, y, a...);
  }
  static Tensor double_backward(c10::DispatchKeySet ks, const Tensor& gg, const Tensor& g, const Tensor& x,
                                A... a) {
    return grad2_op<false>(ks, gg, g, x, a...);
  }
  static Tensor double_backward_from_result(c10::DispatchKeySet ks, const Tensor& gg, const Tensor& g,
                                            const Tensor& y, A... a) {
    return grad2_op<true>(ks, gg, g, y, a...);
  }

  static void impl(torch::Library& m) {
    m.impl(P::name().c_str(), &forward);
    m.impl(P::name("_").c_str(), &forward_);
    m.impl(P::name("_backward").c_str(), &backward);
    if constexpr (kSmooth) {
      m.impl(P::name("_double_backward").c_str(), &double_backward);
      m.impl(P::name("_jet").c_str(), &jet);
    }
    if constexpr (F::kOutputDeriv) {
      m.impl(P::name("_backward_from_result").c_str(), &backward_from_result);
      if constexpr (kSmooth) {
        m.impl(P::name("_double_backward_from_result").c_str(), &double_backward_from_result);
        m.impl(P::name("_jet_from_result").c_str(), &jet_from_result);
      }
    }
  }

  static void impl_inplace_view(torch::Library& m) {
    m.impl(P::name("_").c_str(), &forward_inplace_view);
  }
};

}  // namespace

TORCH_LIBRARY_IMPL(torch_activations, Autograd, m) {
#define TA_X(name) PointwiseAutograd<spec::name>::impl(m);
  TA_POINTWISE_OPS(TA_X)
#undef TA_X
}

TORCH_LIBRARY_IMPL(torch_activations, ADInplaceOrView, m) {
#define TA_X(name) PointwiseAutograd<spec::name>::impl_inplace_view(m);
  TA_POINTWISE_OPS(TA_X)
#undef TA_X
}

}  // namespace ta::autograd
