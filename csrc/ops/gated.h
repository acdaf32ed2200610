// The operators of each gated op D (glu, geglu, swiglu, reglu):
//
//   D(Tensor self, int dim=-1, <gate args>) -> Tensor
//   D_backward(Tensor grad_output, Tensor self, int dim, <gate args>) -> Tensor
//   D_double_backward(Tensor grad_grad, Tensor grad_output, Tensor self,
//                     int dim, <gate args>) -> (Tensor, Tensor)
//
// x splits into halves a, b along `dim` (the second half is gated, as
// F.glu); each op is one fused pass (TensorIterator over views of the two
// halves) and the backward needs only the input.  Each op is a meta step
// (checks, output shapes: every device and the Meta kernel) and, on a
// device, a run step.
#pragma once

#include <c10/core/DeviceGuard.h>

#include "common.h"
#include "elementwise.h"
#include "kernel_table.h"

namespace ta {

template <class D, class Sig = decltype(&D::pack)>
struct Gated;

template <class D, class... A>
struct Gated<D, typename D::Gate::Args (*)(at::ScalarType, A...)> {
  using Tensor = at::Tensor;
  using Args = typename D::Gate::Args;

  static std::string name(const char* suffix = "") { return std::string(D::kName) + suffix; }

  static void define(torch::Library& m) {
    const std::string a = tail(D::kArgs);
    def_op(m, name() + "(Tensor self" + a + ") -> Tensor");
    def_op(m, name("_backward") + "(Tensor grad_output, Tensor self" + a + ") -> Tensor");
    def_op(m, name("_double_backward") + "(Tensor grad_grad, Tensor grad_output, Tensor self" + a +
                  ") -> (Tensor, Tensor)");
  }

  // ------------------------------------------------------------ meta steps
  // The split: the wrapped dim and the (symbolic) half size; an error that
  // names the op for a 0-dim input, a bad dim or an odd size.
  struct Split {
    int64_t d;
    c10::SymInt half;
  };
  static Split split(const char* op, const Tensor& self, int64_t dim) {
    check_floating(op, "input", self);
    TORCH_CHECK(self.dim() > 0, op, ": expected a tensor with at least one dimension, got a 0-dim tensor");
    const int64_t d = wrap_dim(op, self, dim, false);
    const c10::SymInt n = self.sym_size(d);
    TORCH_CHECK(n % 2 == 0, op, ": size of dim ", dim, " must be even, got ", n);
    return {d, n / 2};
  }
  static c10::SymDimVector half_shape(const Tensor& t, const Split& s) {
    c10::SymDimVector shape(t.sym_sizes().begin(), t.sym_sizes().end());
    shape[s.d] = s.half;
    return shape;
  }
  // A grad_output (the shape of the output) of an op on `self`.
  static void check_grad(const char* op, const Tensor& g, const Tensor& self, const Split& s) {
    check_floating(op, "grad_output", g);
    check_like(op, "self", self, "grad_output", g);
    const auto expected = half_shape(self, s);
    TORCH_CHECK(g.sym_sizes() == c10::SymIntArrayRef(expected), op, ": grad_output has shape ",
                g.sym_sizes(), " but the output of ", D::kName, " has shape ",
                c10::SymIntArrayRef(expected));
  }

  struct Step {
    Split s;
    Args args;
    Tensor out0, out1;
  };

  static Step forward_meta(const Tensor& self, int64_t dim, A... a) {
    const Split s = split(D::kName, self, dim);
    return {s, D::pack(self.scalar_type(), a...), alloc_contiguous(self, half_shape(self, s)), {}};
  }
  static Step backward_meta(const Tensor& grad, const Tensor& self, int64_t dim, A... a) {
    const std::string op = name("_backward");
    const Split s = split(op.c_str(), self, dim);
    check_grad(op.c_str(), grad, self, s);
    return {s, D::pack(self.scalar_type(), a...), alloc_like(self), {}};
  }
  static Step double_backward_meta(const Tensor& gg, const Tensor& grad, const Tensor& self, int64_t dim,
                                   A... a) {
    const std::string op = name("_double_backward");
    const Split s = split(op.c_str(), self, dim);
    check_grad(op.c_str(), grad, self, s);
    check_same(op.c_str(), "grad_grad", gg, "self", self);
    return {s, D::pack(self.scalar_type(), a...), alloc_like(grad), alloc_like(self)};
  }

  // ------------------------------------------------------------- run steps
  static const GatedKernels& kernels(const Tensor& t) {
    return kernels_for(t, D::kName).gated[static_cast<int>(D::kIndex)];
  }
  static Tensor half(const Tensor& t, const Split& s, int i) {
    const int64_t h = s.half.guard_int(__FILE__, __LINE__);
    return t.narrow(s.d, i * h, h);
  }
  struct Guard {
    c10::OptionalDeviceGuard g;
    explicit Guard(const Tensor& t) {
      if (!t.is_cpu()) g.reset_device(t.device());
    }
  };

  // ---------------------------------------------- kernels: device and Meta
  template <bool kMeta>
  static Tensor forward(const Tensor& self, int64_t dim, A... a) {
    Step st = forward_meta(self, dim, a...);
    if constexpr (!kMeta) {
      Guard guard(self);
      run_elementwise<1, 2>(kernels(self).fwd, {st.out0}, {half(self, st.s, 0), half(self, st.s, 1)},
                            &st.args);
    }
    return st.out0;
  }
  template <bool kMeta>
  static Tensor backward(const Tensor& grad, const Tensor& self, int64_t dim, A... a) {
    Step st = backward_meta(grad, self, dim, a...);
    if constexpr (!kMeta) {
      Guard guard(self);
      run_elementwise<2, 3>(kernels(self).bwd, {half(st.out0, st.s, 0), half(st.out0, st.s, 1)},
                            {grad, half(self, st.s, 0), half(self, st.s, 1)}, &st.args);
    }
    return st.out0;
  }
  template <bool kMeta>
  static std::tuple<Tensor, Tensor> double_backward(const Tensor& gg, const Tensor& grad, const Tensor& self,
                                                    int64_t dim, A... a) {
    Step st = double_backward_meta(gg, grad, self, dim, a...);
    if constexpr (!kMeta) {
      Guard guard(self);
      run_elementwise<3, 5>(kernels(self).dbwd, {st.out0, half(st.out1, st.s, 0), half(st.out1, st.s, 1)},
                            {half(gg, st.s, 0), half(gg, st.s, 1), grad, half(self, st.s, 0),
                             half(self, st.s, 1)},
                            &st.args);
    }
    return {st.out0, st.out1};
  }

  template <bool kMeta>
  static void impl(torch::Library& m) {
    m.impl(name().c_str(), &forward<kMeta>);
    m.impl(name("_backward").c_str(), &backward<kMeta>);
    m.impl(name("_double_backward").c_str(), &double_backward<kMeta>);
  }

  // ---------------------------------------------- calls through the dispatcher
  using FwdSig = Tensor(const Tensor&, int64_t, A...);
  using BwdSig = Tensor(const Tensor&, const Tensor&, int64_t, A...);
  using DbwdSig = std::tuple<Tensor, Tensor>(const Tensor&, const Tensor&, const Tensor&, int64_t, A...);
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
