// The interface between device-generic host code and the kernels compiled
// per instruction set (csrc/cpu) or for CUDA (csrc/cuda): tables of plain
// function pointers, indexed by ta::PW.
#pragma once

#include <ATen/TensorIterator.h>
#include <ATen/core/Generator.h>
#include <ATen/core/Tensor.h>

#include <optional>

#include "../math/config.h"
#include "../math/params.h"
#include "pointwise_list.h"

namespace ta {

using PointwiseFn = void (*)(at::TensorIteratorBase&, const Params&);

// Null where the functor does not provide that derivative.
struct PointwiseKernels {
  PointwiseFn fwd;     // y = f(x)
  PointwiseFn bwd;     // g·f'(x)              inputs (g, x)
  PointwiseFn dbwd;    // gg·g·f''(x)          inputs (gg, g, x)
  PointwiseFn bwd_y;   // g·dy(y)              inputs (g, y)
  PointwiseFn dbwd_y;  // gg·g·d2y(y)          inputs (gg, g, y)
};

// The gated ops (csrc/ops/gated_ops.h), indexed by ta::GatedOp.
struct GatedKernels {
  PointwiseFn fwd;   // iterator (y | a, b)
  PointwiseFn bwd;   // iterator (grad_a, grad_b | g, a, b)
  PointwiseFn dbwd;  // iterator (d_g, d_a, d_b | gga, ggb, g, a, b)
};

// A contiguous tensor seen as [outer, n, inner] around dimension `dim`
// (a 0-dim tensor: one line of one element).
struct LineShape {
  int64_t outer, n, inner;
};

// (In the instruction set's own namespace: this header is compiled once per
// instruction set, and an inline function shared by those objects could be
// linked from the AVX-512 one.)
inline namespace TA_NS {
inline LineShape line_shape(const at::Tensor& t, int64_t dim) {
  if (t.dim() == 0) return {1, 1, 1};
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < dim; ++d) outer *= t.size(d);
  for (int64_t d = dim + 1; d < t.dim(); ++d) inner *= t.size(d);
  return {outer, t.size(dim), inner};
}
}  // namespace TA_NS

// Softmax over a dimension (contiguous tensors of one shape).
struct SoftmaxKernels {
  void (*fwd)(const at::Tensor& out, const at::Tensor& in, int64_t dim);
  void (*bwd)(const at::Tensor& grad_in, const at::Tensor& grad, const at::Tensor& out,
              int64_t dim);
};

// crelu: iterators (pos, neg | x) and (grad_x | g_pos, g_neg, x).
struct CreluKernels {  // called with empty Params
  PointwiseFn fwd;
  PointwiseFn bwd;
};

// Activations with learnable parameters (csrc/ops/learnable_ops.h).
// x is contiguous [N, C, S]; the weight is contiguous [P, G].
struct ParamLayout {
  int64_t N, C, S, P, G;
  bool per_sample;  // G = N·C: one parameter vector per (sample, channel)
  int64_t group(int64_t n, int64_t c) const {
    return G == 1 ? 0 : (per_sample ? n * C + c : c);
  }
  // Parameters vary along the contiguous dimension (x is [N, C]).
  bool lanes() const { return S == 1 && C > 1 && G > 1; }
};

// The tensors of one call (undefined where unused):
//   forward:         out = {y},       in = {x}
//   backward:        out = {gx},      in = {x, g},        weight_out = gw
//   double backward: out = {dg, dx},  in = {x, g, ggx},   grad_weight_in = ggw,
//                                                          weight_out = dw
struct ParamCall {
  ParamLayout layout;
  at::Tensor out[2];
  at::Tensor in[3];
  at::Tensor weight, grad_weight_in, weight_out;
};
using ParamFn = void (*)(const ParamCall&, const Params&);
struct ParamKernels {
  ParamFn fwd, bwd, dbwd;
};

// The look-up-table activation (csrc/cpu/lut.cpp); contiguous tensors.
struct LutCall {
  at::Tensor x, g, ggx;               // inputs (g, ggx: backward, double backward)
  at::Tensor table, gg_table;         // [n]
  at::Tensor out0, out1, table_out;   // y | gx | d_grad, d_x; gtable | d_table
  double lo, hi;
};
struct LutKernels {
  void (*fwd)(const LutCall&);
  void (*bwd)(const LutCall&);
  void (*dbwd)(const LutCall&);
};

// rrelu in training mode: random slopes drawn from a generator.
// (out, noise, in, lower, upper, generator)
using RreluTrainFn = void (*)(at::Tensor&, at::Tensor&, const at::Tensor&,
                              double, double, std::optional<at::Generator>);

struct KernelSet {
  const PointwiseKernels* pointwise;  // [PW::kCount]
  const GatedKernels* gated;          // [GatedOp::kCount]
  SoftmaxKernels softmax;
  CreluKernels crelu;
  const ParamKernels* learnable;      // [LearnableOp::kCount]
  LutKernels lut;
  RreluTrainFn rrelu_train;
};

// The CPU kernels of the instruction set chosen at run time (see
// csrc/cpu/capability.cpp).
const KernelSet& cpu_kernels();
// The CUDA kernels, or nullptr in a build without CUDA.
const KernelSet* cuda_kernels();
// The kernels for a tensor's device; a clear error for unsupported devices.
const KernelSet& kernels_for(const at::Tensor& t, const char* op);

}  // namespace ta
