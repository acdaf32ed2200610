// The operators of each pointwise activation D (a descriptor of
// csrc/generated/spec.h):
//
//   D(Tensor self, <args>) -> Tensor
//   D_(Tensor(a!) self, <args>) -> ()      (in place; returns nothing, which
//                                          torch.compile can functionalize)
//   D_backward(Tensor grad_output, Tensor self, <args>)                g·f'(x)
//   D_double_backward(Tensor grad_grad, Tensor grad_output, Tensor self, <args>)
//                                                                      gg·g·f''(x)
//   D_jet(Tensor grad_output, Tensor self, int order, <args>)          g·f^(order)(x)
//   D_backward_from_result(Tensor grad_output, Tensor result, <args>)  g·dy(y)
//   D_double_backward_from_result(Tensor grad_grad, Tensor grad_output,
//                                 Tensor result, <args>)               gg·g·dy'(y)
//   D_jet_from_result(Tensor grad_output, Tensor result, int order, <args>)
//                                                                      g·dy^(order)(y)
//
// (no double backward or jet ops for piecewise-linear functors, whose
// derivatives past the first are 0; the _from_result ops only for functors
// with an output-based derivative, which the in-place op uses).  Each op is
// a meta step (checks, the output: the same on every device, and all of the
// Meta kernel) and, on a device, a run step (the kernel).
#pragma once

#include <c10/core/DeviceGuard.h>
#include <torch/library.h>

#include <array>
#include <string>

#include "../math/jet.h"
#include "common.h"
#include "elementwise.h"
#include "kernel_table.h"

namespace ta {

template <class D, class Sig = decltype(&D::pack)>
struct Pointwise;

template <class D, class... A>
struct Pointwise<D, typename D::F::Args (*)(at::ScalarType, A...)> {
  using F = typename D::F;
  using Args = typename F::Args;
  using Tensor = at::Tensor;
  static constexpr int kIdx = static_cast<int>(D::kIndex);
  // Derivatives past the first exist (f'', jets).
  static constexpr bool kSmooth = !F::kZeroD2;
  static constexpr bool kFromResult = F::kOutputDeriv;

  static std::string name(const char* suffix = "") { return std::string(D::kName) + suffix; }

  static void define(torch::Library& m) {
    const std::string a = tail(D::kArgs);
    def_op(m, name() + "(Tensor self" + a + ") -> Tensor");
    def_op(m, name("_") + "(Tensor(a!) self" + a + ") -> ()");
    def_op(m, name("_backward") + "(Tensor grad_output, Tensor self" + a + ") -> Tensor");
    if constexpr (kSmooth) {
      def_op(m, name("_double_backward") + "(Tensor grad_grad, Tensor grad_output, Tensor self" + a +
                    ") -> Tensor");
      def_op(m, name("_jet") + "(Tensor grad_output, Tensor self, int order" + a + ") -> Tensor");
    }
    if constexpr (kFromResult) {
      def_op(m, name("_backward_from_result") + "(Tensor grad_output, Tensor result" + a + ") -> Tensor");
      if constexpr (kSmooth) {
        def_op(m, name("_double_backward_from_result") +
                      "(Tensor grad_grad, Tensor grad_output, Tensor result" + a + ") -> Tensor");
        def_op(m, name("_jet_from_result") + "(Tensor grad_output, Tensor result, int order" + a +
                      ") -> Tensor");
      }
    }
  }

  // ------------------------------------------------------------ meta steps
  // The output, the inputs, the functor's arguments (and a jet's order).
  template <std::size_t NIn>
  struct Step {
    Tensor out;
    std::array<Tensor, NIn> in;
    Args args;
    int order = 0;
  };

  static Args pack(const Tensor& t, A... a) { return D::pack(t.scalar_type(), a...); }

  static Step<1> forward_meta(const Tensor& self, A... a) {
    check_floating(D::kName, "input", self);
    return {alloc_like(self), {self}, pack(self, a...)};
  }
  static Step<1> inplace_meta(const Tensor& self, A... a) {
    check_floating(D::kName, "input", self);
    return {self, {self}, pack(self, a...)};
  }
  // g·(derivative)(saved): the backward ops.
  static Step<2> grad_meta(const char* suffix, const char* saved_name, const Tensor& grad,
                           const Tensor& saved, A... a) {
    const std::string op = name(suffix);
    check_same(op.c_str(), "grad_output", grad, saved_name, saved);
    return {alloc_like(saved), {grad, saved}, pack(saved, a...)};
  }
  static Step<3> grad2_meta(const char* suffix, const char* saved_name, const Tensor& grad_grad,
                            const Tensor& grad, const Tensor& saved, A... a) {
    const std::string op = name(suffix);
    check_same(op.c_str(), "grad_grad", grad_grad, saved_name, saved);
    check_same(op.c_str(), "grad_output", grad, saved_name, saved);
    return {alloc_like(saved), {grad_grad, grad, saved}, pack(saved, a...)};
  }
  static Step<2> jet_meta(const char* suffix, const char* saved_name, int64_t lowest,
                          const Tensor& grad, const Tensor& saved, int64_t order, A... a) {
    const std::string op = name(suffix);
    check_same(op.c_str(), "grad_output", grad, saved_name, saved);
    TORCH_CHECK(order >= lowest && order <= math::kJetMaxOrder, op, ": order must be in [", lowest,
                ", ", math::kJetMaxOrder, "], got ", order, " (", D::kName,
                " has derivatives up to order ", math::kJetMaxOrder, ")");
    Step<2> s{alloc_like(saved), {grad, saved}, pack(saved, a...)};
    s.order = static_cast<int>(order);
    return s;
  }

  // ------------------------------------------------------------- run steps
  static const PointwiseKernels& table(const Tensor& t) { return kernels_for(t, D::kName).pointwise[kIdx]; }

  template <std::size_t NIn>
  static void run(ElementwiseFn PointwiseKernels::*which, const Step<NIn>& s) {
    c10::OptionalDeviceGuard guard;
    if (!s.out.is_cpu()) guard.reset_device(s.out.device());
    run_elementwise<1, NIn>(table(s.out).*which, {s.out}, s.in, &s.args);
  }
  // The jet kernels exist for float and double: 16-bit operands go through
  // float (where they compute anyway) and round once.
  static void run_jet(JetFn PointwiseJetKernels::*which, const Step<2>& s) {
    if (s.out.numel() == 0) return;
    c10::OptionalDeviceGuard guard;
    if (!s.out.is_cpu()) guard.reset_device(s.out.device());
    const bool wide = s.out.scalar_type() == at::kHalf || s.out.scalar_type() == at::kBFloat16;
    const Tensor out = wide ? at::empty(s.out.sizes(), s.out.options().dtype(at::kFloat)) : s.out;
    auto iter = at::TensorIteratorConfig()
                    .add_output(out)
                    .add_const_input(wide ? s.in[0].to(at::kFloat) : s.in[0])
                    .add_const_input(wide ? s.in[1].to(at::kFloat) : s.in[1])
                    .build();
    (kernels_for(s.out, D::kName).jets[kIdx].*which)(iter, &s.args, s.order);
    if (wide) s.out.copy_(out);
  }

  // ------------------------------------- kernels: device (CPU, CUDA) and Meta
  template <bool kMeta>
  static Tensor forward(const Tensor& self, A... a) {
    auto s = forward_meta(self, a...);
    if constexpr (!kMeta) run(&PointwiseKernels::fwd, s);
    return s.out;
  }
  template <bool kMeta>
  static void forward_(Tensor& self, A... a) {
    auto s = inplace_meta(self, a...);
    if constexpr (!kMeta) run(&PointwiseKernels::fwd, s);
  }
  template <bool kMeta>
  static Tensor backward(const Tensor& grad, const Tensor& self, A... a) {
    auto s = grad_meta("_backward", "self", grad, self, a...);
    if constexpr (!kMeta) run(&PointwiseKernels::bwd, s);
    return s.out;
  }
  template <bool kMeta>
  static Tensor double_backward(const Tensor& gg, const Tensor& grad, const Tensor& self, A... a) {
    auto s = grad2_meta("_double_backward", "self", gg, grad, self, a...);
    if constexpr (!kMeta) run(&PointwiseKernels::dbwd, s);
    return s.out;
  }
  template <bool kMeta>
  static Tensor jet(const Tensor& grad, const Tensor& self, int64_t order, A... a) {
    auto s = jet_meta("_jet", "self", 1, grad, self, order, a...);
    if constexpr (!kMeta) run_jet(&PointwiseJetKernels::jet, s);
    return s.out;
  }
  template <bool kMeta>
  static Tensor backward_from_result(const Tensor& grad, const Tensor& result, A... a) {
    auto s = grad_meta("_backward_from_result", "result", grad, result, a...);
    if constexpr (!kMeta) run(&PointwiseKernels::bwd_y, s);
    return s.out;
  }
  template <bool kMeta>
  static Tensor double_backward_from_result(const Tensor& gg, const Tensor& grad, const Tensor& result,
                                            A... a) {
    auto s = grad2_meta("_double_backward_from_result", "result", gg, grad, result, a...);
    if constexpr (!kMeta) run(&PointwiseKernels::dbwd_y, s);
    return s.out;
  }
  template <bool kMeta>
  static Tensor jet_from_result(const Tensor& grad, const Tensor& result, int64_t order, A... a) {
    auto s = jet_meta("_jet_from_result", "result", 0, grad, result, order, a...);
    if constexpr (!kMeta) run_jet(&PointwiseJetKernels::jet_y, s);
    return s.out;
  }

  template <bool kMeta>
  static void impl(torch::Library& m) {
    m.impl(name().c_str(), &forward<kMeta>);
    m.impl(name("_").c_str(), &forward_<kMeta>);
    m.impl(name("_backward").c_str(), &backward<kMeta>);
    if constexpr (kSmooth) {
      m.impl(name("_double_backward").c_str(), &double_backward<kMeta>);
      m.impl(name("_jet").c_str(), &jet<kMeta>);
    }
    if constexpr (kFromResult) {
      m.impl(name("_backward_from_result").c_str(), &backward_from_result<kMeta>);
      if constexpr (kSmooth) {
        m.impl(name("_double_backward_from_result").c_str(), &double_backward_from_result<kMeta>);
        m.impl(name("_jet_from_result").c_str(), &jet_from_result<kMeta>);
      }
    }
  }

  // ---------------------------------------------- calls through the dispatcher
  using FwdSig = Tensor(const Tensor&, A...);
  using InplaceSig = void(Tensor&, A...);
  using BwdSig = Tensor(const Tensor&, const Tensor&, A...);
  using DbwdSig = Tensor(const Tensor&, const Tensor&, const Tensor&, A...);
  using JetSig = Tensor(const Tensor&, const Tensor&, int64_t, A...);

#define TA_HANDLE(fn, sig, suffix)                           \
  static const c10::TypedOperatorHandle<sig>& fn() {         \
    static const auto h = find_op<sig>(name(suffix));        \
    return h;                                                \
  }
  TA_HANDLE(forward_op, FwdSig, "")
  TA_HANDLE(inplace_op, InplaceSig, "_")
  TA_HANDLE(backward_op, BwdSig, "_backward")
  TA_HANDLE(double_backward_op, DbwdSig, "_double_backward")
  TA_HANDLE(jet_op, JetSig, "_jet")
  TA_HANDLE(backward_from_result_op, BwdSig, "_backward_from_result")
  TA_HANDLE(double_backward_from_result_op, DbwdSig, "_double_backward_from_result")
  TA_HANDLE(jet_from_result_op, JetSig, "_jet_from_result")
#undef TA_HANDLE
};

}  // namespace ta
