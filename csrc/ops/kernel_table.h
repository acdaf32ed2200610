// The interface between device-generic host code and the kernels compiled
// per instruction set (csrc/cpu) or for CUDA (csrc/cuda): tables of plain
// function pointers, indexed by the ops' positions in the family lists of
// csrc/generated/spec.h.  Every kernel receives its op's arguments as a
// pointer to the functor's Args (a plain struct, filled by the descriptor):
// the kernel and the descriptor name the same functor, so the cast is safe.
#pragma once

#include <ATen/TensorIterator.h>
#include <ATen/core/Generator.h>
#include <ATen/core/Tensor.h>

#include <optional>

#include "../generated/spec.h"

namespace ta {

// An elementwise kernel over an iterator, and the same over operands that are
// all contiguous with n elements (data: the outputs, then the inputs).
using IterFn = void (*)(at::TensorIteratorBase&, const void* args);
using ContiguousFn = void (*)(at::ScalarType, char* const* data, int64_t n, const void* args);
struct ElementwiseFn {
  IterFn iter = nullptr;
  ContiguousFn contiguous = nullptr;
  explicit operator bool() const { return iter != nullptr; }
};

// Null where the functor does not provide that derivative.
struct PointwiseKernels {
  ElementwiseFn fwd;     // y = f(x)
  ElementwiseFn bwd;     // g·f'(x)              inputs (g, x)
  ElementwiseFn dbwd;    // gg·g·f''(x)          inputs (gg, g, x)
  ElementwiseFn bwd_y;   // g·dy(y)              inputs (g, y)
  ElementwiseFn dbwd_y;  // gg·g·d2y(y)          inputs (gg, g, y)
};

// Derivatives of any order from jets (csrc/math/jet.h): g·f^(order)(x) and
// g·(d/dy)^order dy(y), iterator (out | g, x) and (out | g, y).
using JetFn = void (*)(at::TensorIteratorBase&, const void* args, int order);
struct PointwiseJetKernels {
  JetFn jet;    // null for piecewise-linear functors
  JetFn jet_y;  // null without an output-based derivative
};

// The gated ops (csrc/math/gated.h).
struct GatedKernels {
  ElementwiseFn fwd;   // (y | a, b)
  ElementwiseFn bwd;   // (grad_a, grad_b | g, a, b)
  ElementwiseFn dbwd;  // (d_g, d_a, d_b | gga, ggb, g, a, b)
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

// crelu: (pos, neg | x) and (grad_x | g_pos, g_neg, x); no arguments.
struct CreluKernels {
  ElementwiseFn fwd;
  ElementwiseFn bwd;
};

// Activations with learnable parameters (csrc/ops/learnable.h).
// x is contiguous [N, C, S]; the weight is contiguous [P, G].
struct ParamLayout {
  int64_t N, C, S, P, G;
  bool per_sample;  // G = N·C: one parameter vector per (sample, channel)
  // The group of row (n, c) of x.
  C10_HOST_DEVICE int64_t group(int64_t n, int64_t c) const {
    return G == 1 ? 0 : (per_sample ? n * C + c : c);
  }
  // Parameters vary along the contiguous dimension (x is [N, C]).
  bool lanes() const { return S == 1 && C > 1 && G > 1; }
};

// The work of a learnable kernel is cut into chunks of at most kParamChunk
// elements, independent of the thread count; each chunk sums its parameter
// gradients, and the chunk sums are added in chunk order (deterministic).
constexpr int64_t kParamChunk = 4096;

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
using ParamFn = void (*)(const ParamCall&, const void* args);
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
  const PointwiseKernels* pointwise;     // [PW::kCount]
  const PointwiseJetKernels* jets;       // [PW::kCount]
  const GatedKernels* gated;             // [GatedOp::kCount]
  SoftmaxKernels softmax;
  CreluKernels crelu;
  const ParamKernels* learnable;         // [LearnableOp::kCount]
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
