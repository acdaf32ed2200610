// The operators generated for each learnable op D (learnable_ops.h):
//
//   D(Tensor self, Tensor weight, <args>) -> Tensor
//   D_backward(Tensor grad_output, Tensor self, Tensor weight, <args>)
//       -> (Tensor grad_self, Tensor grad_weight)
//   D_double_backward(Tensor grad_grad_self, Tensor grad_grad_weight,
//       Tensor grad_output, Tensor self, Tensor weight, <args>)
//       -> (Tensor grad_grad_output, Tensor grad_self, Tensor grad_weight)
//
// The host side: checks (dtype, device, the weight's shape against the
// input's channels), the [P, G] view of the weight, the kernel call.
#pragma once

#include <c10/core/DeviceGuard.h>
#include <torch/library.h>

#include "kernel_table.h"
#include "learnable_ops.h"

namespace ta {

template <class D, class Sig = decltype(&D::config)>
struct Learnable;

template <class D, class... A>
struct Learnable<D, Params (*)(int64_t, A...)> : OpNames<D> {
  using Tensor = at::Tensor;

  using OpNames<D>::name;
  using OpNames<D>::args;

  static void define(torch::Library& m) {
    def_op(m, name() + "(Tensor self, Tensor weight" + args() + ") -> Tensor");
    def_op(m, name("_backward") + "(Tensor grad_output, Tensor self, Tensor weight" + args() +
                  ") -> (Tensor, Tensor)");
    def_op(m, name("_double_backward") +
                  "(Tensor grad_grad_self, Tensor grad_grad_weight, Tensor grad_output, "
                  "Tensor self, Tensor weight" +
                  args() + ") -> (Tensor, Tensor, Tensor)");
  }

  struct Prepared {
    ParamLayout layout;
    Tensor w2;  // [P, G], contiguous
    Params cfg;
  };

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

  static void check_weight_shape(const Tensor& self, const Tensor& weight, int64_t N, int64_t C) {
    const char* op = D::kName;
    if constexpr (D::kLayout == WeightLayout::kOneD) {
      TORCH_CHECK(weight.dim() == 1, op, ": weight must be 1-D ([1] or [C]), got shape ",
                  weight.sizes());
    } else if constexpr (D::kLayout == WeightLayout::kTwoD) {
      TORCH_CHECK(weight.dim() == 2, op,
                  ": weight must have shape [P, G] (P parameters for each of G = 1 or C "
                  "groups), got shape ",
                  weight.sizes());
    } else {
      TORCH_CHECK(weight.dim() == 4 && weight.size(3) == 2, op,
                  ": coefs must have shape [N, C or 1, K, 2], got ", weight.sizes());
      TORCH_CHECK(self.dim() >= 2, op, ": the input must have a batch and a channel dimension, got ",
                  self.dim(), " dimension(s)");
      TORCH_CHECK(weight.size(0) == N && (weight.size(1) == C || weight.size(1) == 1), op,
                  ": coefs have shape ", weight.sizes(), " but the input has N = ", N, " and C = ", C,
                  " (expected [", N, ", ", C, " or 1, K, 2])");
    }
  }

  static Prepared prepare(const Tensor& self, const Tensor& weight, A... a, bool values) {
    const char* op = D::kName;
    check_floating(op, "input", self);
    check_floating(op, "weight", weight);
    TORCH_CHECK(self.scalar_type() == weight.scalar_type(), op, ": input has dtype ",
                self.scalar_type(), " but weight has dtype ", weight.scalar_type());
    TORCH_CHECK(self.device() == weight.device(), op, ": input is on ", self.device(),
                " but weight is on ", weight.device());
    const bool channels = self.dim() >= 2;
    const int64_t N = channels ? self.size(0) : 1;
    const int64_t C = channels ? self.size(1) : 1;
    int64_t S = 1;
    for (int64_t d = 2; d < self.dim(); ++d) S *= self.size(d);
    if (!channels) S = self.numel();
    check_weight_shape(self, weight, N, C);
    const Tensor w2 = to2d(weight).contiguous();
    const int64_t P = w2.size(0), G = w2.size(1);
    const Params cfg = D::config(P, a...);
    if (values) D::check_values(w2);
    ParamLayout L{N, C, S, P, G, false};
    if constexpr (D::kLayout == WeightLayout::kCoefs) {
      L.per_sample = true;
      if (weight.size(1) == 1) L = {N, 1, C * S, P, G, true};
    } else {
      if (!channels) {
        TORCH_CHECK(G == 1, op, ": the input has no channel dimension (", self.dim(),
                    "-D), so the weight must have 1 group, got ", G);
      }
      TORCH_CHECK(G == 1 || G == C, op, ": weight has ", G,
                  " groups but the input has C = input.size(1) = ", C, " channels (expected 1 or ",
                  C, ")");
      if (G == 1) L = {1, 1, self.numel(), P, 1, false};
    }
    return {L, w2, cfg};
  }

  static const ParamKernels& kernels(const Tensor& t) {
    return kernels_for(t, D::kName).learnable[static_cast<int>(D::kIndex)];
  }

  // ------------------------------------------------------------- kernels
  static Tensor forward(const Tensor& self, const Tensor& weight, A... a) {
    const Prepared p = prepare(self, weight, a..., true);
    c10::DeviceGuard guard(self.device());
    ParamCall call{p.layout};
    call.in[0] = self.contiguous();
    call.out[0] = at::empty_like(call.in[0], at::MemoryFormat::Contiguous);
    call.weight = p.w2;
    if (self.numel() > 0) kernels(self).fwd(call, p.cfg);
    return call.out[0];
  }

  static std::tuple<Tensor, Tensor> backward(const Tensor& grad, const Tensor& self,
                                             const Tensor& weight, A... a) {
    check_same(name("_backward").c_str(), "grad_output", grad, "self", self);
    const Prepared p = prepare(self, weight, a..., true);
    c10::DeviceGuard guard(self.device());
    ParamCall call{p.layout};
    call.in[0] = self.contiguous();
    call.in[1] = grad.contiguous();
    call.out[0] = at::empty_like(call.in[0], at::MemoryFormat::Contiguous);
    call.weight = p.w2;
    call.weight_out = self.numel() > 0 ? at::empty_like(p.w2) : at::zeros_like(p.w2);
    if (self.numel() > 0) kernels(self).bwd(call, p.cfg);
    return {call.out[0], from2d(call.weight_out, weight)};
  }

  static std::tuple<Tensor, Tensor, Tensor> double_backward(const Tensor& gg_self,
                                                            const Tensor& gg_weight,
                                                            const Tensor& grad, const Tensor& self,
                                                            const Tensor& weight, A... a) {
    const std::string op = name("_double_backward");
    check_same(op.c_str(), "grad_grad_self", gg_self, "self", self);
    check_same(op.c_str(), "grad_output", grad, "self", self);
    check_same(op.c_str(), "grad_grad_weight", gg_weight, "weight", weight);
    const Prepared p = prepare(self, weight, a..., true);
    c10::DeviceGuard guard(self.device());
    ParamCall call{p.layout};
    call.in[0] = self.contiguous();
    call.in[1] = grad.contiguous();
    call.in[2] = gg_self.contiguous();
    call.out[0] = at::empty_like(call.in[0], at::MemoryFormat::Contiguous);
    call.out[1] = at::empty_like(call.in[0], at::MemoryFormat::Contiguous);
    call.weight = p.w2;
    call.grad_weight_in = to2d(gg_weight).contiguous();
    call.weight_out = self.numel() > 0 ? at::empty_like(p.w2) : at::zeros_like(p.w2);
    if (self.numel() > 0) kernels(self).dbwd(call, p.cfg);
    return {call.out[0], call.out[1], from2d(call.weight_out, weight)};
  }

  // ---------------------------------------------------------------- Meta
  // The same checks on symbolic shapes (torch.compile with dynamic shapes).
  static void check_meta(const Tensor& self, const Tensor& weight, A... a) {
    const char* op = D::kName;
    check_floating(op, "input", self);
    check_floating(op, "weight", weight);
    TORCH_CHECK(self.scalar_type() == weight.scalar_type(), op, ": input has dtype ",
                self.scalar_type(), " but weight has dtype ", weight.scalar_type());
    const bool channels = self.dim() >= 2;
    const c10::SymInt C = channels ? self.sym_size(1) : c10::SymInt(1);
    c10::SymInt P;
    if constexpr (D::kLayout == WeightLayout::kOneD) {
      TORCH_CHECK(weight.dim() == 1, op, ": weight must be 1-D ([1] or [C]), got shape ",
                  weight.sym_sizes());
      P = 1;
    } else if constexpr (D::kLayout == WeightLayout::kTwoD) {
      TORCH_CHECK(weight.dim() == 2, op, ": weight must have shape [P, G], got shape ",
                  weight.sym_sizes());
      P = weight.sym_size(0);
    } else {
      TORCH_CHECK(weight.dim() == 4 && weight.sym_size(3) == 2 && channels, op,
                  ": coefs must have shape [N, C or 1, K, 2], got ", weight.sym_sizes());
      P = weight.sym_size(2) * 2;
    }
    D::config(P.guard_int(__FILE__, __LINE__), a...);
    if constexpr (D::kLayout != WeightLayout::kCoefs) {
      const c10::SymInt G = weight.sym_size(-1);
      TORCH_CHECK(G == 1 || G == C, op, ": weight has ", G,
                  " groups but the input has C = input.size(1) = ", C, " channels");
    }
  }
  static Tensor forward_meta(const Tensor& self, const Tensor& weight, A... a) {
    check_meta(self, weight, a...);
    return at::empty_like(self, at::MemoryFormat::Contiguous);
  }
  static std::tuple<Tensor, Tensor> backward_meta(const Tensor& grad, const Tensor& self,
                                                  const Tensor& weight, A... a) {
    check_same(name("_backward").c_str(), "grad_output", grad, "self", self);
    check_meta(self, weight, a...);
    return {at::empty_like(self, at::MemoryFormat::Contiguous),
            at::empty_like(weight, at::MemoryFormat::Contiguous)};
  }
  static std::tuple<Tensor, Tensor, Tensor> double_backward_meta(
      const Tensor& gg_self, const Tensor& gg_weight, const Tensor& grad, const Tensor& self,
      const Tensor& weight, A... a) {
    const std::string op = name("_double_backward");
    check_same(op.c_str(), "grad_grad_self", gg_self, "self", self);
    check_same(op.c_str(), "grad_output", grad, "self", self);
    check_same(op.c_str(), "grad_grad_weight", gg_weight, "weight", weight);
    check_meta(self, weight, a...);
    return {at::empty_like(self, at::MemoryFormat::Contiguous),
            at::empty_like(self, at::MemoryFormat::Contiguous),
            at::empty_like(weight, at::MemoryFormat::Contiguous)};
  }

  template <bool kMeta>
  static void impl(torch::Library& m) {
    m.impl(name().c_str(), kMeta ? &forward_meta : &forward);
    m.impl(name("_backward").c_str(), kMeta ? &backward_meta : &backward);
    m.impl(name("_double_backward").c_str(), kMeta ? &double_backward_meta : &double_backward);
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
