// The operators generated for each gated op D (glu, geglu, swiglu, reglu):
//
//   D(Tensor self, int dim=-1, <args>) -> Tensor
//   D_backward(Tensor grad_output, Tensor self, int dim, <args>) -> Tensor
//   D_double_backward(Tensor grad_grad, Tensor grad_output, Tensor self,
//                     int dim, <args>) -> (Tensor, Tensor)
//
// x splits into halves a, b along `dim` (the second half is gated, as
// F.glu); each op is one fused pass (TensorIterator over views of the two
// halves) and the backward needs only the input.
#pragma once

#include <ATen/WrapDimUtils.h>

#include "gated_ops.h"
#include "pointwise.h"

namespace ta {

template <class D, class Sig = decltype(&D::pack)>
struct Gated;

template <class D, class... A>
struct Gated<D, Params (*)(A...)> : OpNames<D> {
  using Tensor = at::Tensor;

  using OpNames<D>::name;
  using OpNames<D>::args;

  static void define(torch::Library& m) {
    def_op(m, name() + "(Tensor self, int dim=-1" + args() + ") -> Tensor");
    def_op(m, name("_backward") + "(Tensor grad_output, Tensor self, int dim" + args() +
                  ") -> Tensor");
    def_op(m, name("_double_backward") +
                  "(Tensor grad_grad, Tensor grad_output, Tensor self, int dim" + args() +
                  ") -> (Tensor, Tensor)");
  }

  // The wrapped dim; a clear error for odd sizes.
  static int64_t split_dim(const Tensor& self, int64_t dim) {
    check_floating(D::kName, "input", self);
    TORCH_CHECK(self.dim() > 0, D::kName,
                ": expected a tensor with at least one dimension, got a 0-dim tensor");
    const int64_t d = at::maybe_wrap_dim(dim, self.dim());
    const c10::SymInt n = self.sym_size(d);
    TORCH_CHECK(n % 2 == 0, D::kName, ": size of dim ", dim, " must be even, got ", n);
    return d;
  }
  // Device kernels: the dim and the (concrete) half size.
  static std::pair<int64_t, int64_t> split(const Tensor& self, int64_t dim) {
    const int64_t d = split_dim(self, dim);
    return {d, self.size(d) / 2};
  }
  static Tensor half(const Tensor& t, int64_t d, int64_t h, int i) {
    return t.narrow(d, i * h, h);
  }
  // The output's shape (symbolic, for Meta kernels under torch.compile).
  static c10::SymDimVector half_shape(const Tensor& t, int64_t d) {
    c10::SymDimVector s(t.sym_sizes().begin(), t.sym_sizes().end());
    s[d] = s[d] / 2;
    return s;
  }
  static const GatedKernels& kernels(const Tensor& t) {
    return kernels_for(t, D::kName).gated[static_cast<int>(D::kIndex)];
  }
  static at::TensorIterator iter(std::initializer_list<Tensor> outs,
                                 std::initializer_list<Tensor> ins) {
    at::TensorIteratorConfig config;
    for (const auto& t : outs) config.add_output(t);
    for (const auto& t : ins) config.add_const_input(t);
    return config.build();
  }
  static void run(PointwiseFn fn, at::TensorIterator iter, const Params& p) {
    if (iter.numel() > 0) fn(iter, p);
  }

  // ------------------------------------------------------------- kernels
  static Tensor forward(const Tensor& self, int64_t dim, A... a) {
    const auto [d, h] = split(self, dim);
    const Params p = D::pack(a...);
    c10::DeviceGuard guard(self.device());
    Tensor out = at::empty_symint(half_shape(self, d), self.options());
    run(kernels(self).fwd, iter({out}, {half(self, d, h, 0), half(self, d, h, 1)}), p);
    return out;
  }

  static void check_grad(const char* op, const char* gname, const Tensor& g, const Tensor& self,
                         int64_t d) {
    check_floating(op, gname, g);
    TORCH_CHECK(g.scalar_type() == self.scalar_type(), op, ": ", gname, " has dtype ",
                g.scalar_type(), " but self has dtype ", self.scalar_type());
    TORCH_CHECK(g.device() == self.device(), op, ": ", gname, " is on ", g.device(),
                " but self is on ", self.device());
    const auto expected = half_shape(self, d);
    TORCH_CHECK(g.sym_sizes() == c10::SymIntArrayRef(expected), op, ": ", gname, " has shape ",
                g.sym_sizes(), " but the output of ", D::kName, " has shape ",
                c10::SymIntArrayRef(expected));
  }

  static Tensor backward(const Tensor& grad, const Tensor& self, int64_t dim, A... a) {
    const auto [d, h] = split(self, dim);
    check_grad(name("_backward").c_str(), "grad_output", grad, self, d);
    const Params p = D::pack(a...);
    c10::DeviceGuard guard(self.device());
    Tensor gx = at::empty_like(self);
    run(kernels(self).bwd,
        iter({half(gx, d, h, 0), half(gx, d, h, 1)}, {grad, half(self, d, h, 0), half(self, d, h, 1)}),
        p);
    return gx;
  }

  static std::tuple<Tensor, Tensor> double_backward(const Tensor& gg, const Tensor& grad,
                                                    const Tensor& self, int64_t dim, A... a) {
    const auto [d, h] = split(self, dim);
    const std::string op = name("_double_backward");
    check_grad(op.c_str(), "grad_output", grad, self, d);
    check_same(op.c_str(), "grad_grad", gg, "self", self);
    const Params p = D::pack(a...);
    c10::DeviceGuard guard(self.device());
    Tensor d_grad = at::empty_like(grad);
    Tensor d_self = at::empty_like(self);
    run(kernels(self).dbwd,
        iter({d_grad, half(d_self, d, h, 0), half(d_self, d, h, 1)},
             {half(gg, d, h, 0), half(gg, d, h, 1), grad, half(self, d, h, 0), half(self, d, h, 1)}),
        p);
    return {d_grad, d_self};
  }

  // ---------------------------------------------------------------- Meta
  static Tensor forward_meta(const Tensor& self, int64_t dim, A... a) {
    const int64_t d = split_dim(self, dim);
    D::pack(a...);
    return at::empty_symint(half_shape(self, d), self.options());
  }
  static Tensor backward_meta(const Tensor& grad, const Tensor& self, int64_t dim, A... a) {
    const int64_t d = split_dim(self, dim);
    check_grad(name("_backward").c_str(), "grad_output", grad, self, d);
    D::pack(a...);
    return at::empty_like(self);
  }
  static std::tuple<Tensor, Tensor> double_backward_meta(const Tensor& gg, const Tensor& grad,
                                                         const Tensor& self, int64_t dim, A... a) {
    const int64_t d = split_dim(self, dim);
    const std::string op = name("_double_backward");
    check_grad(op.c_str(), "grad_output", grad, self, d);
    check_same(op.c_str(), "grad_grad", gg, "self", self);
    D::pack(a...);
    return {at::empty_like(grad), at::empty_like(self)};
  }

  template <bool kMeta>
  static void impl(torch::Library& m) {
    m.impl(name().c_str(), kMeta ? &forward_meta : &forward);
    m.impl(name("_backward").c_str(), kMeta ? &backward_meta : &backward);
    m.impl(name("_double_backward").c_str(), kMeta ? &double_backward_meta : &double_backward);
  }

  // ---------------------------------------------- calls through the dispatcher
  using FwdSig = Tensor(const Tensor&, int64_t, A...);
  using BwdSig = Tensor(const Tensor&, const Tensor&, int64_t, A...);
  using DbwdSig = std::tuple<Tensor, Tensor>(const Tensor&, const Tensor&, const Tensor&,
                                             int64_t, A...);
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
