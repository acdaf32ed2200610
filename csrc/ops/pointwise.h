// The operators generated for each pointwise activation D (a descriptor of
// pointwise_ops.h):
//
//   D(Tensor self, <args>) -> Tensor
//   D_(Tensor(a!) self, <args>) -> ()      (in place; returns nothing, which
//                                          torch.compile can functionalize)
//   D_backward(Tensor grad_output, Tensor self, <args>)                 [df]
//   D_double_backward(Tensor grad_grad, Tensor grad_output, Tensor self, <args>)
//   D_backward_from_result(Tensor grad_output, Tensor result, <args>)   [dy]
//   D_double_backward_from_result(Tensor grad_grad, Tensor grad_output,
//                                 Tensor result, <args>)
//
// (backward ops only where the functor has that derivative; no double
// backward op for piecewise-linear functors, whose second derivative is 0).
// This header holds the schemas, the device kernels' host side (checks,
// TensorIterator, the kernel table), the Meta kernels and dispatcher handles.
#pragma once

#include <ATen/TensorIterator.h>
#include <c10/core/DeviceGuard.h>
#include <torch/library.h>

#include <string>
#include <vector>

#include "common.h"
#include "kernel_table.h"
#include "pointwise_ops.h"

namespace ta {

// Runs `fn` over out = op(ins...), all of one dtype and device.
inline void run_pointwise(PointwiseFn fn, const at::Tensor& out,
                          std::initializer_list<at::Tensor> ins, const Params& p) {
  at::TensorIteratorConfig config;
  config.add_output(out);
  for (const auto& t : ins) {
    config.add_const_input(t);
  }
  auto iter = config.build();
  if (iter.numel() > 0) {
    fn(iter, p);
  }
}

template <class D, class Sig = decltype(&D::pack)>
struct Pointwise;

template <class D, class... A>
struct Pointwise<D, Params (*)(A...)> : OpNames<D> {
  using F = typename D::F;
  using Tensor = at::Tensor;
  static constexpr int kIdx = static_cast<int>(D::kIndex);
  static constexpr bool kHasDoubleBackward = !F::kZeroD2;

  // ------------------------------------------------------------ names
  using OpNames<D>::name;
  using OpNames<D>::args;

  static void define(torch::Library& m) {
    def_op(m, name() + "(Tensor self" + args() + ") -> Tensor");
    def_op(m, name("_") + "(Tensor(a!) self" + args() + ") -> ()");
    if constexpr (F::kInputDeriv) {
      def_op(m, name("_backward") + "(Tensor grad_output, Tensor self" + args() +
                    ") -> Tensor");
      if constexpr (kHasDoubleBackward) {
        def_op(m, name("_double_backward") +
                      "(Tensor grad_grad, Tensor grad_output, Tensor self" + args() +
                      ") -> Tensor");
      }
    }
    if constexpr (F::kOutputDeriv) {
      def_op(m, name("_backward_from_result") + "(Tensor grad_output, Tensor result" +
                    args() + ") -> Tensor");
      if constexpr (kHasDoubleBackward) {
        def_op(m, name("_double_backward_from_result") +
                      "(Tensor grad_grad, Tensor grad_output, Tensor result" + args() +
                      ") -> Tensor");
      }
    }
  }

  // --------------------------------------------- device kernels (CPU, CUDA)
  static const PointwiseKernels& kernels(const Tensor& t) {
    return kernels_for(t, D::kName).pointwise[kIdx];
  }

  static Tensor forward(const Tensor& self, A... a) {
    check_floating(D::kName, "input", self);
    const Params p = D::pack(a...);
    c10::DeviceGuard guard(self.device());
    Tensor out = at::empty_like(self);
    run_pointwise(kernels(self).fwd, out, {self}, p);
    return out;
  }

  static void forward_(Tensor& self, A... a) {
    check_floating(D::kName, "input", self);
    const Params p = D::pack(a...);
    c10::DeviceGuard guard(self.device());
    run_pointwise(kernels(self).fwd, self, {self}, p);
  }

  // grad_output and the saved tensor (self or result) -> grad_input
  template <bool kFromResult>
  static Tensor backward(const Tensor& grad, const Tensor& saved, A... a) {
    const std::string op = name(kFromResult ? "_backward_from_result" : "_backward");
    check_same(op.c_str(), "grad_output", grad, kFromResult ? "result" : "self", saved);
    const Params p = D::pack(a...);
    c10::DeviceGuard guard(saved.device());
    Tensor out = at::empty_like(saved);
    const auto& k = kernels(saved);
    run_pointwise(kFromResult ? k.bwd_y : k.bwd, out, {grad, saved}, p);
    return out;
  }

  template <bool kFromResult>
  static Tensor double_backward(const Tensor& grad_grad, const Tensor& grad,
                                const Tensor& saved, A... a) {
    const std::string op =
        name(kFromResult ? "_double_backward_from_result" : "_double_backward");
    const char* saved_name = kFromResult ? "result" : "self";
    check_same(op.c_str(), "grad_grad", grad_grad, saved_name, saved);
    check_same(op.c_str(), "grad_output", grad, saved_name, saved);
    const Params p = D::pack(a...);
    c10::DeviceGuard guard(saved.device());
    Tensor out = at::empty_like(saved);
    const auto& k = kernels(saved);
    run_pointwise(kFromResult ? k.dbwd_y : k.dbwd, out, {grad_grad, grad, saved}, p);
    return out;
  }

  // ------------------------------------------------------- Meta kernels
  static Tensor forward_meta(const Tensor& self, A... a) {
    check_floating(D::kName, "input", self);
    D::pack(a...);
    return at::empty_like(self);
  }
  static void forward_meta_(Tensor& self, A... a) {
    check_floating(D::kName, "input", self);
    D::pack(a...);
  }
  template <bool kFromResult>
  static Tensor backward_meta(const Tensor& grad, const Tensor& saved, A... a) {
    const std::string op = name(kFromResult ? "_backward_from_result" : "_backward");
    check_same(op.c_str(), "grad_output", grad, kFromResult ? "result" : "self", saved);
    D::pack(a...);
    return at::empty_like(saved);
  }
  template <bool kFromResult>
  static Tensor double_backward_meta(const Tensor& grad_grad, const Tensor& grad,
                                     const Tensor& saved, A... a) {
    const std::string op =
        name(kFromResult ? "_double_backward_from_result" : "_double_backward");
    const char* saved_name = kFromResult ? "result" : "self";
    check_same(op.c_str(), "grad_grad", grad_grad, saved_name, saved);
    check_same(op.c_str(), "grad_output", grad, saved_name, saved);
    D::pack(a...);
    return at::empty_like(saved);
  }

  // Registers the functions above for one dispatch key.
  template <bool kMeta>
  static void impl(torch::Library& m) {
    if constexpr (kMeta) {
      m.impl(name().c_str(), &forward_meta);
      m.impl(name("_").c_str(), &forward_meta_);
    } else {
      m.impl(name().c_str(), &forward);
      m.impl(name("_").c_str(), &forward_);
    }
    if constexpr (F::kInputDeriv) {
      m.impl(name("_backward").c_str(), kMeta ? &backward_meta<false> : &backward<false>);
      if constexpr (kHasDoubleBackward) {
        m.impl(name("_double_backward").c_str(),
               kMeta ? &double_backward_meta<false> : &double_backward<false>);
      }
    }
    if constexpr (F::kOutputDeriv) {
      m.impl(name("_backward_from_result").c_str(),
             kMeta ? &backward_meta<true> : &backward<true>);
      if constexpr (kHasDoubleBackward) {
        m.impl(name("_double_backward_from_result").c_str(),
               kMeta ? &double_backward_meta<true> : &double_backward<true>);
      }
    }
  }

  // ---------------------------------------------- calls through the dispatcher
  using FwdSig = Tensor(const Tensor&, A...);
  using InplaceSig = void(Tensor&, A...);
  using BwdSig = Tensor(const Tensor&, const Tensor&, A...);
  using DbwdSig = Tensor(const Tensor&, const Tensor&, const Tensor&, A...);

  static const c10::TypedOperatorHandle<FwdSig>& forward_op() {
    static const auto h = find_op<FwdSig>(name());
    return h;
  }
  static const c10::TypedOperatorHandle<InplaceSig>& inplace_op() {
    static const auto h = find_op<InplaceSig>(name("_"));
    return h;
  }
  template <bool kFromResult>
  static const c10::TypedOperatorHandle<BwdSig>& backward_op() {
    static const auto h =
        find_op<BwdSig>(name(kFromResult ? "_backward_from_result" : "_backward"));
    return h;
  }
  template <bool kFromResult>
  static const c10::TypedOperatorHandle<DbwdSig>& double_backward_op() {
    static const auto h = find_op<DbwdSig>(
        name(kFromResult ? "_double_backward_from_result" : "_double_backward"));
    return h;
  }
};

}  // namespace ta
