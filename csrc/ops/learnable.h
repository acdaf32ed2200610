// The operators of each learnable op D (learnable_ops.h):
//
//   D(Tensor self, Tensor weight, <args>) -> Tensor
//   D_backward(Tensor grad_output, Tensor self, Tensor weight, <args>)
//       -> (Tensor grad_self, Tensor grad_weight)
//   D_double_backward(Tensor grad_grad_self, Tensor grad_grad_weight,
//       Tensor grad_output, Tensor self, Tensor weight, <args>)
//       -> (Tensor grad_grad_output, Tensor grad_self, Tensor grad_weight)
//
// Each op is a meta step, the same on every device and all of the Meta
// kernel (the checks: dtype, device, the weight's shape against the input's
// channels, on symbolic shapes; the outputs), and on a device a run step
// (the [P, G] view of the weight, the [N, C, S] layout, the kernel).
#pragma once

#include <c10/core/DeviceGuard.h>
#include <torch/library.h>

#include "kernel_table.h"
#include "learnable_ops.h"

namespace ta {

template <class D, class Sig = decltype(&D::config)>
struct Learnable;

template <class D, class... A>
struct Learnable<D, typename D::F::Args (*)(int64_t, A...)> {
  using Tensor = at::Tensor;
  using Args = typename D::F::Args;

  static std::string name(const char* suffix = "") { return std::string(D::kName) + suffix; }

  static void define(torch::Library& m) {
    const std::string a = tail(D::kArgs);
    def_op(m, name() + "(Tensor self, Tensor weight" + a + ") -> Tensor");
    def_op(m, name("_backward") + "(Tensor grad_output, Tensor self, Tensor weight" + a +
                  ") -> (Tensor, Tensor)");
    def_op(m, name("_double_backward") +
                  "(Tensor grad_grad_self, Tensor grad_grad_weight, Tensor grad_output, "
                  "Tensor self, Tensor weight" +
                  a + ") -> (Tensor, Tensor, Tensor)");
  }

  // ------------------------------------------------------------ meta step
  // The checks of (self, weight, args) on symbolic shapes; the functor's Args.
  static Args check(const char* op, const Tensor& self, const Tensor& weight, A... a) {
    check_floating(op, "input", self);
    check_like(op, "input", self, "weight", weight);
    const bool channels = self.dim() >= 2;
    const c10::SymInt C = channels ? self.sym_size(1) : c10::SymInt(1);
    c10::SymInt P;
    if constexpr (D::kLayout == WeightLayout::kOneD) {
      TORCH_CHECK(weight.dim() == 1, op, ": weight must be 1-D ([1] or [C]), got shape ", weight.sym_sizes());
      P = 1;
    } else if constexpr (D::kLayout == WeightLayout::kTwoD) {
      TORCH_CHECK(weight.dim() == 2, op,
                  ": weight must have shape [P, G] (P parameters for each of G = 1 or C groups), got shape ",
                  weight.sym_sizes());
      P = weight.sym_size(0);
    } else {
      TORCH_CHECK(weight.dim() == 4 && weight.sym_size(3) == 2, op,
                  ": coefs must have shape [N, C or 1, K, 2], got ", weight.sym_sizes());
      TORCH_CHECK(channels, op, ": the input must have a batch and a channel dimension, got ", self.dim(),
                  " dimension(s)");
      const c10::SymInt N = self.sym_size(0);
      TORCH_CHECK(weight.sym_size(0) == N && (weight.sym_size(1) == C || weight.sym_size(1) == 1), op,
                  ": coefs have shape ", weight.sym_sizes(), " but the input has N = ", N, " and C = ", C,
                  " (expected [", N, ", ", C, " or 1, K, 2])");
      P = weight.sym_size(2) * 2;
    }
    const Args args = D::config(P.guard_int(__FILE__, __LINE__), a...);
    if constexpr (D::kLayout != WeightLayout::kCoefs) {
      const c10::SymInt G = weight.sym_size(-1);
      if (!channels) {
        TORCH_CHECK(G == 1, op, ": the input has no channel dimension (", self.dim(),
                    "-D), so the weight must have 1 group, got ", G);
      }
      TORCH_CHECK(G == 1 || G == C, op, ": weight has ", G, " groups but the input has C = input.size(1) = ", C,
                  " channels (expected 1 or ", C, ")");
    }
    return args;
  }

  // ------------------------------------------------------------- run step
  // The weight seen as [P, G].
  static Tensor to2d(const Tensor& w) {
    if constexpr (D::kLayout == WeightLayout::kOneD) {
      return w.unsqueeze(0);
    } else if constexpr (D::kLayout == WeightLayout::kTwoD) {
      return w;
    } else {
      return w.permute({3, 2, 0, 1}).reshape({w.size(3) * w.size(2), w.size(0) * w.size(1)});
    }
  }
  // A [P, G] gradient back in the weight's own layout.
  static Tensor from2d(const Tensor& g2, const Tensor& w) {
    if constexpr (D::kLayout == WeightLayout::kOneD) {
      return g2.squeeze(0);
    } else if constexpr (D::kLayout == WeightLayout::kTwoD) {
      return g2;
    } else {
      return g2.reshape({w.size(3), w.size(2), w.size(0), w.size(1)}).permute({2, 3, 1, 0}).contiguous();
    }
  }

  // The call of the kernel on concrete tensors: layout, [P, G] weight.
  static ParamCall prepare(const Tensor& self, const Tensor& weight) {
    const bool channels = self.dim() >= 2;
    const int64_t N = channels ? self.size(0) : 1;
    const int64_t C = channels ? self.size(1) : 1;
    const int64_t S = channels ? self.numel() / std::max<int64_t>(N * C, 1) : self.numel();
    ParamCall call;
    call.weight = to2d(weight).contiguous();
    const int64_t P = call.weight.size(0), G = call.weight.size(1);
    D::check_values(call.weight);
    if constexpr (D::kLayout == WeightLayout::kCoefs) {
      call.layout = weight.size(1) == 1 ? ParamLayout{N, 1, C * S, P, G, true} : ParamLayout{N, C, S, P, G, true};
    } else {
      call.layout = G == 1 ? ParamLayout{1, 1, self.numel(), P, 1, false} : ParamLayout{N, C, S, P, G, false};
    }
    call.in[0] = self.contiguous();
    return call;
  }

  static const ParamKernels& kernels(const Tensor& t) {
    return kernels_for(t, D::kName).learnable[static_cast<int>(D::kIndex)];
  }
  struct Guard {
    c10::OptionalDeviceGuard g;
    explicit Guard(const Tensor& t) {
      if (!t.is_cpu()) g.reset_device(t.device());
    }
  };
  static Tensor out_like(const Tensor& t) { return alloc_contiguous(t, t.sym_sizes()); }

  // ---------------------------------------------- kernels: device and Meta
  template <bool kMeta>
  static Tensor forward(const Tensor& self, const Tensor& weight, A... a) {
    const Args args = check(D::kName, self, weight, a...);
    Tensor y = out_like(self);
    if constexpr (!kMeta) {
      Guard guard(self);
      ParamCall call = prepare(self, weight);
      call.out[0] = y;
      if (self.numel() > 0) kernels(self).fwd(call, &args);
    }
    return y;
  }

  template <bool kMeta>
  static std::tuple<Tensor, Tensor> backward(const Tensor& grad, const Tensor& self, const Tensor& weight,
                                             A... a) {
    const std::string op = name("_backward");
    check_same(op.c_str(), "grad_output", grad, "self", self);
    const Args args = check(op.c_str(), self, weight, a...);
    Tensor gx = out_like(self);
    if constexpr (kMeta) {
      return {gx, out_like(weight)};
    } else {
      Guard guard(self);
      ParamCall call = prepare(self, weight);
      call.in[1] = grad.contiguous();
      call.out[0] = gx;
      call.weight_out = self.numel() > 0 ? at::empty_like(call.weight) : at::zeros_like(call.weight);
      if (self.numel() > 0) kernels(self).bwd(call, &args);
      return {gx, from2d(call.weight_out, weight)};  // contiguous, as out_like
    }
  }

  template <bool kMeta>
  static std::tuple<Tensor, Tensor, Tensor> double_backward(const Tensor& gg_self, const Tensor& gg_weight,
                                                            const Tensor& grad, const Tensor& self,
                                                            const Tensor& weight, A... a) {
    const std::string op = name("_double_backward");
    check_same(op.c_str(), "grad_grad_self", gg_self, "self", self);
    check_same(op.c_str(), "grad_output", grad, "self", self);
    check_same(op.c_str(), "grad_grad_weight", gg_weight, "weight", weight);
    const Args args = check(op.c_str(), self, weight, a...);
    Tensor dg = out_like(self), dx = out_like(self);
    if constexpr (kMeta) {
      return {dg, dx, out_like(weight)};
    } else {
      Guard guard(self);
      ParamCall call = prepare(self, weight);
      call.in[1] = grad.contiguous();
      call.in[2] = gg_self.contiguous();
      call.out[0] = dg;
      call.out[1] = dx;
      call.grad_weight_in = to2d(gg_weight).contiguous();
      call.weight_out = self.numel() > 0 ? at::empty_like(call.weight) : at::zeros_like(call.weight);
      if (self.numel() > 0) kernels(self).dbwd(call, &args);
      return {dg, dx, from2d(call.weight_out, weight)};
    }
  }

  template <bool kMeta>
  static void impl(torch::Library& m) {
    m.impl(name().c_str(), &forward<kMeta>);
    m.impl(name("_backward").c_str(), &backward<kMeta>);
    m.impl(name("_double_backward").c_str(), &double_backward<kMeta>);
  }

  // ---------------------------------------------- calls through the dispatcher
  using FwdSig = Tensor(const Tensor&, const Tensor&, A...);
  using BwdSig = std::tuple<Tensor, Tensor>(const Tensor&, const Tensor&, const Tensor&, A...);
  using DbwdSig = std::tuple<Tensor, Tensor, Tensor>(const Tensor&, const Tensor&, const Tensor&,
                                                     const Tensor&, const Tensor&, A...);
  static const c10::TypedOperatorHandle<FwdSig>& forward_op() {
    static const auto h = find_op<FwdSig>(name());
    return h;
  }
  static const c10::TypedOperatorHandle<BwdSig>& backward_op() {
    static const auto h = find_op<BwdSig>(name("_backward"));
    return h;
  }
  static const c10::TypedOperatorHandle<DbwdSig>& double_backward_op() {
    static const auto h = find_op<DbwdSig>(name("_double_backward"));
    return h;
  }
};

}  // namespace ta
