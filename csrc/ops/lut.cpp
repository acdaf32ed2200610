// The look-up-table activation:
//   lut(Tensor self, Tensor table, float lo=-1.0, float hi=1.0) -> Tensor
//   lut_backward(Tensor grad_output, Tensor self, Tensor table, float lo, float hi)
//       -> (Tensor, Tensor)
//   lut_double_backward(Tensor grad_grad_self, Tensor grad_grad_table,
//       Tensor grad_output, Tensor self, Tensor table, float lo, float hi)
//       -> (Tensor, Tensor, Tensor)
// with C++ autograd (second order; a third derivative raises).
#include <c10/core/DeviceGuard.h>
#include <torch/autograd.h>
#include <torch/library.h>

#include "../autograd/saved_args.h"
#include "common.h"
#include "kernel_table.h"

namespace ta {
namespace {

using at::Tensor;

void check_lut(const char* op, const Tensor& self, const Tensor& table, double lo, double hi) {
  check_floating(op, "input", self);
  check_floating(op, "table", table);
  TORCH_CHECK(table.dim() == 1, op, ": table must be 1-D, got shape ", table.sym_sizes());
  TORCH_CHECK(table.sym_size(0) >= 2, op, ": table must have at least 2 entries, got ",
              table.sym_size(0));
  TORCH_CHECK(self.scalar_type() == table.scalar_type(), op, ": input has dtype ",
              self.scalar_type(), " but table has dtype ", table.scalar_type());
  TORCH_CHECK(self.device() == table.device(), op, ": input is on ", self.device(),
              " but table is on ", table.device());
  check_finite_param(op, "lo", lo);
  check_finite_param(op, "hi", hi);
  TORCH_CHECK(lo < hi, op, ": lo must be < hi, got lo=", lo, " and hi=", hi);
}

LutCall make_call(const Tensor& self, const Tensor& table, double lo, double hi) {
  LutCall c;
  c.x = self.contiguous();
  c.table = table.contiguous();
  c.lo = lo;
  c.hi = hi;
  return c;
}

Tensor lut(const Tensor& self, const Tensor& table, double lo, double hi) {
  check_lut("lut", self, table, lo, hi);
  c10::DeviceGuard guard(self.device());
  LutCall c = make_call(self, table, lo, hi);
  c.out0 = at::empty_like(c.x, at::MemoryFormat::Contiguous);
  if (c.x.numel() > 0) kernels_for(self, "lut").lut.fwd(c);
  return c.out0;
}

std::tuple<Tensor, Tensor> lut_backward(const Tensor& grad, const Tensor& self,
                                        const Tensor& table, double lo, double hi) {
  check_lut("lut_backward", self, table, lo, hi);
  check_same("lut_backward", "grad_output", grad, "self", self);
  c10::DeviceGuard guard(self.device());
  LutCall c = make_call(self, table, lo, hi);
  c.g = grad.contiguous();
  c.out0 = at::empty_like(c.x, at::MemoryFormat::Contiguous);
  c.table_out = at::zeros_like(c.table);
  if (c.x.numel() > 0) kernels_for(self, "lut_backward").lut.bwd(c);
  return {c.out0, c.table_out};
}

std::tuple<Tensor, Tensor, Tensor> lut_double_backward(const Tensor& gg_self,
                                                       const Tensor& gg_table,
                                                       const Tensor& grad, const Tensor& self,
                                                       const Tensor& table, double lo,
                                                       double hi) {
  const char* op = "lut_double_backward";
  check_lut(op, self, table, lo, hi);
  check_same(op, "grad_output", grad, "self", self);
  check_same(op, "grad_grad_self", gg_self, "self", self);
  check_same(op, "grad_grad_table", gg_table, "table", table);
  c10::DeviceGuard guard(self.device());
  LutCall c = make_call(self, table, lo, hi);
  c.g = grad.contiguous();
  c.ggx = gg_self.contiguous();
  c.gg_table = gg_table.contiguous();
  c.out0 = at::empty_like(c.x, at::MemoryFormat::Contiguous);
  c.out1 = at::empty_like(c.x, at::MemoryFormat::Contiguous);
  c.table_out = at::zeros_like(c.table);
  if (c.x.numel() > 0) kernels_for(self, op).lut.dbwd(c);
  return {c.out0, c.out1, c.table_out};
}

// ---------------------------------------------------------------- Meta
Tensor lut_meta(const Tensor& self, const Tensor& table, double lo, double hi) {
  check_lut("lut", self, table, lo, hi);
  return at::empty_like(self, at::MemoryFormat::Contiguous);
}
std::tuple<Tensor, Tensor> lut_backward_meta(const Tensor& grad, const Tensor& self,
                                             const Tensor& table, double lo, double hi) {
  check_lut("lut_backward", self, table, lo, hi);
  check_same("lut_backward", "grad_output", grad, "self", self);
  return {at::empty_like(self, at::MemoryFormat::Contiguous), at::empty_like(table)};
}
std::tuple<Tensor, Tensor, Tensor> lut_double_backward_meta(const Tensor& gg_self,
                                                            const Tensor& gg_table,
                                                            const Tensor& grad,
                                                            const Tensor& self,
                                                            const Tensor& table, double lo,
                                                            double hi) {
  const char* op = "lut_double_backward";
  check_lut(op, self, table, lo, hi);
  check_same(op, "grad_output", grad, "self", self);
  check_same(op, "grad_grad_self", gg_self, "self", self);
  check_same(op, "grad_grad_table", gg_table, "table", table);
  return {at::empty_like(self, at::MemoryFormat::Contiguous),
          at::empty_like(self, at::MemoryFormat::Contiguous), at::empty_like(table)};
}

// ------------------------------------------------------------- Autograd
using torch::autograd::AutogradContext;
using torch::autograd::Function;
using torch::autograd::variable_list;

using FwdSig = Tensor(const Tensor&, const Tensor&, double, double);
using BwdSig = std::tuple<Tensor, Tensor>(const Tensor&, const Tensor&, const Tensor&, double,
                                          double);
using DbwdSig = std::tuple<Tensor, Tensor, Tensor>(const Tensor&, const Tensor&, const Tensor&,
                                                   const Tensor&, const Tensor&, double, double);

struct LutFunction : Function<LutFunction> {
  static Tensor forward(AutogradContext* ctx, const Tensor& self, const Tensor& table, double lo,
                        double hi) {
    static const auto op = find_op<FwdSig>("lut");
    at::AutoDispatchBelowADInplaceOrView guard;
    autograd::save_args(ctx, lo, hi);
    ctx->save_for_backward({self, table});
    return op.call(self, table, lo, hi);
  }
  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    static const auto op = find_op<BwdSig>("lut_backward");
    const auto v = ctx->get_saved_variables();
    auto [gx, gt] = autograd::with_saved_args<double, double>(
        ctx, [&](double lo, double hi) { return op.call(grads[0], v[0], v[1], lo, hi); });
    return {gx, gt, Tensor(), Tensor()};
  }
};

struct LutBackwardFunction : Function<LutBackwardFunction> {
  static variable_list forward(AutogradContext* ctx, const Tensor& grad, const Tensor& self,
                               const Tensor& table, double lo, double hi) {
    static const auto op = find_op<BwdSig>("lut_backward");
    at::AutoDispatchBelowADInplaceOrView guard;
    autograd::save_args(ctx, lo, hi);
    ctx->save_for_backward({grad, self, table});
    auto [gx, gt] = op.call(grad, self, table, lo, hi);
    return {gx, gt};
  }
  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    static const auto op = find_op<DbwdSig>("lut_double_backward");
    const auto v = ctx->get_saved_variables();
    const Tensor ggx = grads[0].defined() ? grads[0] : at::zeros_like(v[1]);
    const Tensor ggt = grads[1].defined() ? grads[1] : at::zeros_like(v[2]);
    auto [d_g, d_x, d_t] = autograd::with_saved_args<double, double>(
        ctx, [&](double lo, double hi) { return op.call(ggx, ggt, v[0], v[1], v[2], lo, hi); });
    return {d_g, d_x, d_t, Tensor(), Tensor()};
  }
};

struct LutDoubleBackwardFunction : Function<LutDoubleBackwardFunction> {
  static variable_list forward(AutogradContext*, const Tensor& gg_self, const Tensor& gg_table,
                               const Tensor& grad, const Tensor& self, const Tensor& table,
                               double lo, double hi) {
    static const auto op = find_op<DbwdSig>("lut_double_backward");
    at::AutoDispatchBelowADInplaceOrView guard;
    auto [a, b, c] = op.call(gg_self, gg_table, grad, self, table, lo, hi);
    return {a, b, c};
  }
  static variable_list backward(AutogradContext*, variable_list) {
    fail_third_derivative("lut");
  }
};

Tensor lut_autograd(const Tensor& self, const Tensor& table, double lo, double hi) {
  return LutFunction::apply(self, table, lo, hi);
}
std::tuple<Tensor, Tensor> lut_backward_autograd(const Tensor& grad, const Tensor& self,
                                                 const Tensor& table, double lo, double hi) {
  auto out = LutBackwardFunction::apply(grad, self, table, lo, hi);
  return {out[0], out[1]};
}
std::tuple<Tensor, Tensor, Tensor> lut_double_backward_autograd(
    const Tensor& gg_self, const Tensor& gg_table, const Tensor& grad, const Tensor& self,
    const Tensor& table, double lo, double hi) {
  auto out = LutDoubleBackwardFunction::apply(gg_self, gg_table, grad, self, table, lo, hi);
  return {out[0], out[1], out[2]};
}

}  // namespace

void define_lut(torch::Library& m) {
  def_op(m, "lut(Tensor self, Tensor table, float lo=-1.0, float hi=1.0) -> Tensor");
  def_op(m, "lut_backward(Tensor grad_output, Tensor self, Tensor table, float lo, float hi) "
            "-> (Tensor, Tensor)");
  def_op(m, "lut_double_backward(Tensor grad_grad_self, Tensor grad_grad_table, "
            "Tensor grad_output, Tensor self, Tensor table, float lo, float hi) "
            "-> (Tensor, Tensor, Tensor)");
}

TORCH_LIBRARY_IMPL(torch_activations, CPU, m) {
  m.impl("lut", &lut);
  m.impl("lut_backward", &lut_backward);
  m.impl("lut_double_backward", &lut_double_backward);
}

TORCH_LIBRARY_IMPL(torch_activations, CUDA, m) {
  m.impl("lut", &lut);
  m.impl("lut_backward", &lut_backward);
  m.impl("lut_double_backward", &lut_double_backward);
}

TORCH_LIBRARY_IMPL(torch_activations, Meta, m) {
  m.impl("lut", &lut_meta);
  m.impl("lut_backward", &lut_backward_meta);
  m.impl("lut_double_backward", &lut_double_backward_meta);
}

TORCH_LIBRARY_IMPL(torch_activations, Autograd, m) {
  m.impl("lut", &lut_autograd);
  m.impl("lut_backward", &lut_backward_autograd);
  m.impl("lut_double_backward", &lut_double_backward_autograd);
}

}  // namespace ta
