// Schemas, device (CPU, CUDA) and Meta kernels of the look-up-table
// activation (csrc/ops/lut.h).  Each kernel is a meta step (checks and
// outputs) and, on a device, a run step.
#include "lut.h"

#include <c10/core/DeviceGuard.h>
#include <torch/library.h>

#include "kernel_table.h"

namespace ta {
namespace {

using at::Tensor;

// The checks of every lut op, in the computation type of the input: lo < hi
// must hold there too (lo = 1, hi = 1 + 1e-10 collapse in float32).
void check_lut(const char* op, const Tensor& self, const Tensor& table, double lo, double hi) {
  check_floating(op, "input", self);
  check_like(op, "input", self, "table", table);
  TORCH_CHECK(table.dim() == 1, op, ": table must be 1-D, got shape ", table.sym_sizes());
  TORCH_CHECK(table.sym_size(0) >= 2, op, ": table must have at least 2 entries, got ", table.sym_size(0));
  check_float(op, "lo", lo, self.scalar_type());
  check_float(op, "hi", hi, self.scalar_type());
  TORCH_CHECK(lo < hi, op, ": lo must be < hi, got lo=", lo, " and hi=", hi);
  const double span = as_compute_type(hi, self.scalar_type()) - as_compute_type(lo, self.scalar_type());
  TORCH_CHECK(span > 0.0 && std::isfinite(span), op, ": lo=", lo, " and hi=", hi, " are not distinct in ",
              compute_type_name(self.scalar_type()), " (the computation type of ", self.scalar_type(),
              " input), or their difference overflows");
}

LutCall make_call(const Tensor& self, const Tensor& table, double lo, double hi) {
  LutCall c;
  c.x = self.contiguous();
  c.table = table.contiguous();
  c.lo = lo;
  c.hi = hi;
  return c;
}

struct Guard {
  c10::OptionalDeviceGuard g;
  explicit Guard(const Tensor& t) {
    if (!t.is_cpu()) g.reset_device(t.device());
  }
};

Tensor out_like(const Tensor& t) {
  return alloc_contiguous(t, t.sym_sizes());
}

template <bool kMeta>
Tensor lut(const Tensor& self, const Tensor& table, double lo, double hi) {
  check_lut("lut", self, table, lo, hi);
  Tensor y = out_like(self);
  if constexpr (!kMeta) {
    Guard guard(self);
    LutCall c = make_call(self, table, lo, hi);
    c.out0 = y;
    if (c.x.numel() > 0) kernels_for(self, "lut").lut.fwd(c);
  }
  return y;
}

template <bool kMeta>
std::tuple<Tensor, Tensor> lut_backward(const Tensor& grad, const Tensor& self, const Tensor& table, double lo,
                                        double hi) {
  check_lut("lut_backward", self, table, lo, hi);
  check_same("lut_backward", "grad_output", grad, "self", self);
  Tensor gx = out_like(self), gt = out_like(table);
  if constexpr (!kMeta) {
    Guard guard(self);
    LutCall c = make_call(self, table, lo, hi);
    c.g = grad.contiguous();
    c.out0 = gx;
    c.table_out = gt;
    if (c.x.numel() > 0) {
      kernels_for(self, "lut_backward").lut.bwd(c);
    } else {
      gt.zero_();
    }
  }
  return {gx, gt};
}

template <bool kMeta>
std::tuple<Tensor, Tensor, Tensor> lut_double_backward(const Tensor& gg_self, const Tensor& gg_table,
                                                       const Tensor& grad, const Tensor& self,
                                                       const Tensor& table, double lo, double hi) {
  const char* op = "lut_double_backward";
  check_lut(op, self, table, lo, hi);
  check_same(op, "grad_output", grad, "self", self);
  check_same(op, "grad_grad_self", gg_self, "self", self);
  check_same(op, "grad_grad_table", gg_table, "table", table);
  Tensor dg = out_like(self), dx = out_like(self), dt = out_like(table);
  if constexpr (!kMeta) {
    Guard guard(self);
    LutCall c = make_call(self, table, lo, hi);
    c.g = grad.contiguous();
    c.ggx = gg_self.contiguous();
    c.gg_table = gg_table.contiguous();
    c.out0 = dg;
    c.out1 = dx;
    c.table_out = dt;
    if (c.x.numel() > 0) {
      kernels_for(self, op).lut.dbwd(c);
    } else {
      dt.zero_();
    }
  }
  return {dg, dx, dt};
}

template <bool kMeta>
void impl_lut(torch::Library& m) {
  m.impl("lut", &lut<kMeta>);
  m.impl("lut_backward", &lut_backward<kMeta>);
  m.impl("lut_double_backward", &lut_double_backward<kMeta>);
}

}  // namespace

void define_lut(torch::Library& m) {
  def_op(m, std::string("lut(Tensor self, ") + spec::kLutArgs + ") -> Tensor");
  def_op(m, "lut_backward(Tensor grad_output, Tensor self, Tensor table, float lo, float hi) "
            "-> (Tensor, Tensor)");
  def_op(m, "lut_double_backward(Tensor grad_grad_self, Tensor grad_grad_table, "
            "Tensor grad_output, Tensor self, Tensor table, float lo, float hi) "
            "-> (Tensor, Tensor, Tensor)");
}

TA_REGISTER_DEVICE_AND_META(impl_lut)

}  // namespace ta
