// The interface between device-generic host code and the kernels compiled
// per instruction set (csrc/cpu) or for CUDA (csrc/cuda): tables of plain
// function pointers, indexed by ta::PW.
#pragma once

#include <ATen/TensorIterator.h>
#include <ATen/core/Generator.h>

#include <optional>

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

// rrelu in training mode: random slopes drawn from a generator.
// (out, noise, in, lower, upper, generator)
using RreluTrainFn = void (*)(at::Tensor&, at::Tensor&, const at::Tensor&,
                              double, double, std::optional<at::Generator>);

struct KernelSet {
  const PointwiseKernels* pointwise;  // [PW::kCount]
  const GatedKernels* gated;          // [GatedOp::kCount]
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
