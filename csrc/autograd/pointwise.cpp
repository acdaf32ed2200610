// Autograd of the pointwise ops, at the Autograd dispatch key, so that the
// ops are differentiable from Python, TorchScript and C++ alike.
//
//   D            saves the input (or only the output, for functors whose
//                derivative is written in y) and calls D_backward[_from_result]
//   D_           in place; saves the output when dy is valid for these
//                parameters, otherwise a copy of the input (only when a
//                gradient is needed)
//   D_backward   differentiable: d/d grad_output is D_backward again,
//                d/d saved is D_double_backward (zeros for piecewise-linear)
//   D_double_backward   differentiable in grad_grad and grad_output; the
//                derivative in the input (a third derivative) raises
//
// Each Function calls the ops through the dispatcher below the autograd keys;
// backward formulas call them with autograd on, so create_graph works.
#include <torch/autograd.h>
#include <torch/library.h>

#include "../ops/pointwise.h"
#include "saved_args.h"

namespace ta::autograd {
namespace {

template <class D, class Sig = decltype(&D::pack)>
struct PointwiseAutograd;

template <class D, class... A>
struct PointwiseAutograd<D, Params (*)(A...)> {
  using P = Pointwise<D>;
  using F = typename D::F;
  static constexpr std::size_t kArgs = sizeof...(A);
  // What the out-of-place forward keeps for the backward.
  static constexpr bool kSavesOutput =
      F::kOutputDeriv && (!F::kInputDeriv || F::kPreferOutput);

  template <bool kFromResult>
  static Tensor call_backward(AutogradContext* ctx, const Tensor& grad,
                              const Tensor& saved) {
    return with_saved_args<A...>(ctx, [&](A... a) {
      return P::template backward_op<kFromResult>().call(grad, saved, a...);
    });
  }

  // grad_input from the saved tensor, by whichever derivative was saved for
  // (a constant derivative saves nothing: grad stands in for the tensor).
  static Tensor grad_input(AutogradContext* ctx, const Tensor& grad, bool from_result) {
    const Tensor saved = F::kConstantDeriv ? grad : ctx->get_saved_variables()[0];
    if constexpr (F::kInputDeriv && F::kOutputDeriv) {
      return from_result ? call_backward<true>(ctx, grad, saved)
                         : call_backward<false>(ctx, grad, saved);
    } else {
      return call_backward<F::kOutputDeriv>(ctx, grad, saved);
    }
  }

  struct Forward : Function<Forward> {
    static Tensor forward(AutogradContext* ctx, const Tensor& self, A... a) {
      Tensor out;
      {
        at::AutoDispatchBelowADInplaceOrView guard;
        out = P::forward_op().call(self, a...);
      }
      save_args(ctx, a...);
      if constexpr (!F::kConstantDeriv) {
        ctx->save_for_backward({kSavesOutput ? out : self});
      }
      return out;
    }
    static variable_list backward(AutogradContext* ctx, variable_list grads) {
      return grads_then_none({grad_input(ctx, grads[0], kSavesOutput)}, kArgs);
    }
  };

  // In place.  kFromResult: the backward reads the output (self after the
  // op).  Otherwise `original` is a differentiable copy of the input, made
  // before the Function with autograd on, so the backward is differentiable
  // through it (second order); it is an extra input of the Function.
  template <bool kFromResult>
  struct Inplace : Function<Inplace<kFromResult>> {
    static Tensor run(AutogradContext* ctx, const Tensor& self, A... a) {
      ctx->mark_dirty({self});
      {
        at::AutoDispatchBelowADInplaceOrView guard;
        Tensor s = self;
        P::inplace_op().call(s, a...);
      }
      save_args(ctx, a...);
      return self;
    }
    static Tensor forward(AutogradContext* ctx, const Tensor& self, A... a) {
      static_assert(kFromResult);
      run(ctx, self, a...);
      if constexpr (!F::kConstantDeriv) {
        ctx->save_for_backward({self});
      }
      return self;
    }
    static Tensor forward(AutogradContext* ctx, const Tensor& self, const Tensor& original,
                          A... a) {
      static_assert(!kFromResult);
      run(ctx, self, a...);
      ctx->save_for_backward({original});
      return self;
    }
    static variable_list backward(AutogradContext* ctx, variable_list grads) {
      if constexpr (kFromResult) {
        return grads_then_none({grad_input(ctx, grads[0], true)}, kArgs);
      } else {
        return grads_then_none({grad_input(ctx, grads[0], false), Tensor()}, kArgs);
      }
    }
  };

  template <bool kFromResult>
  struct Backward : Function<Backward<kFromResult>> {
    static Tensor forward(AutogradContext* ctx, const Tensor& grad, const Tensor& saved,
                          A... a) {
      Tensor out;
      {
        at::AutoDispatchBelowADInplaceOrView guard;
        out = P::template backward_op<kFromResult>().call(grad, saved, a...);
      }
      save_args(ctx, a...);
      ctx->save_for_backward({grad, saved});
      return out;
    }
    static variable_list backward(AutogradContext* ctx, variable_list grads) {
      const Tensor& gg = grads[0];
      const auto saved_vars = ctx->get_saved_variables();
      const Tensor& grad = saved_vars[0];
      const Tensor& saved = saved_vars[1];
      Tensor d_grad, d_saved;
      if (ctx->needs_input_grad(0)) {
        d_grad = call_backward<kFromResult>(ctx, gg, saved);
      }
      if (ctx->needs_input_grad(1)) {
        if constexpr (F::kZeroD2) {
          d_saved = at::zeros_like(saved);
        } else {
          d_saved = with_saved_args<A...>(ctx, [&](A... a) {
            return P::template double_backward_op<kFromResult>().call(gg, grad, saved,
                                                                      a...);
          });
        }
      }
      return grads_then_none({d_grad, d_saved}, kArgs);
    }
  };

  // gg·g·f''(x) is linear in gg and in g, so those two derivatives are the op
  // again; the derivative in x would be a third derivative and raises.
  template <bool kFromResult>
  struct DoubleBackward : Function<DoubleBackward<kFromResult>> {
    static Tensor call(AutogradContext* ctx, const Tensor& a, const Tensor& b,
                       const Tensor& saved) {
      return with_saved_args<A...>(ctx, [&](A... args) {
        return P::template double_backward_op<kFromResult>().call(a, b, saved, args...);
      });
    }
    static Tensor forward(AutogradContext* ctx, const Tensor& grad_grad, const Tensor& grad,
                          const Tensor& saved, A... a) {
      Tensor out;
      {
        at::AutoDispatchBelowADInplaceOrView guard;
        out = P::template double_backward_op<kFromResult>().call(grad_grad, grad, saved,
                                                                 a...);
      }
      save_args(ctx, a...);
      ctx->save_for_backward({grad_grad, grad, saved});
      return out;
    }
    static variable_list backward(AutogradContext* ctx, variable_list grads) {
      TORCH_CHECK(!ctx->needs_input_grad(2), D::kName,
                  ": the third derivative (of the double backward with respect to ",
                  kFromResult ? "the result" : "the input", ") is not implemented");
      const auto v = ctx->get_saved_variables();
      Tensor d_gg, d_g;
      if (ctx->needs_input_grad(0)) d_gg = call(ctx, grads[0], v[1], v[2]);
      if (ctx->needs_input_grad(1)) d_g = call(ctx, grads[0], v[0], v[2]);
      return grads_then_none({d_gg, d_g, Tensor()}, kArgs);
    }
  };

  // ------------------------------------------------- dispatch-key kernels
  static Tensor forward_autograd(const Tensor& self, A... a) {
    return Forward::apply(self, a...);
  }

  static void inplace_autograd(Tensor& self, A... a) {
    const Params p = D::pack(a...);
    const bool from_result = F::kOutputDeriv && F::output_deriv_ok(p);
    if (from_result) {
      if constexpr (F::kOutputDeriv) Inplace<true>::apply(self, a...);
    } else {
      const bool keep_input = at::GradMode::is_enabled() && self.requires_grad();
      Inplace<false>::apply(self, keep_input ? self.clone() : self, a...);
    }
  }

  // Bumps the version counter of the mutated tensor when the autograd key is
  // skipped (autograd's own path bumps it through mark_dirty).
  static void inplace_view(Tensor& self, A... a) {
    {
      at::AutoDispatchBelowADInplaceOrView guard;
      P::inplace_op().call(self, a...);
    }
    torch::autograd::impl::bump_version(self);
  }

  template <bool kFromResult>
  static Tensor backward_autograd(const Tensor& grad, const Tensor& saved, A... a) {
    return Backward<kFromResult>::apply(grad, saved, a...);
  }

  template <bool kFromResult>
  static Tensor double_backward_autograd(const Tensor& grad_grad, const Tensor& grad,
                                         const Tensor& saved, A... a) {
    return DoubleBackward<kFromResult>::apply(grad_grad, grad, saved, a...);
  }

  static void impl(torch::Library& m) {
    m.impl(P::name().c_str(), &forward_autograd);
    m.impl(P::name("_").c_str(), &inplace_autograd);
    if constexpr (F::kInputDeriv) {
      m.impl(P::name("_backward").c_str(), &backward_autograd<false>);
      if constexpr (!F::kZeroD2) {
        m.impl(P::name("_double_backward").c_str(), &double_backward_autograd<false>);
      }
    }
    if constexpr (F::kOutputDeriv) {
      m.impl(P::name("_backward_from_result").c_str(), &backward_autograd<true>);
      if constexpr (!F::kZeroD2) {
        m.impl(P::name("_double_backward_from_result").c_str(),
               &double_backward_autograd<true>);
      }
    }
  }

  static void impl_inplace_view(torch::Library& m) {
    m.impl(P::name("_").c_str(), &inplace_view);
  }
};

}  // namespace

TORCH_LIBRARY_IMPL(torch_activations, Autograd, m) {
#define TA_X(name) PointwiseAutograd<ops::name>::impl(m);
  TA_POINTWISE_OPS(TA_X)
#undef TA_X
}

TORCH_LIBRARY_IMPL(torch_activations, ADInplaceOrView, m) {
#define TA_X(name) PointwiseAutograd<ops::name>::impl_inplace_view(m);
  TA_POINTWISE_OPS(TA_X)
#undef TA_X
}

}  // namespace ta::autograd
