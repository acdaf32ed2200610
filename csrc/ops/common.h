// Helpers shared by the host-side op wrappers: schema definitions, cached
// typed handles for calling ops through the dispatcher, output allocation,
// and the registration of a family's device and Meta kernels.
#pragma once

#include <ATen/ATen.h>
#include <ATen/core/dispatch/Dispatcher.h>
#include <ATen/EmptyTensor.h>
#include <c10/util/Exception.h>
#include <torch/library.h>

#include <string>
#include <vector>

#include "checks.h"

namespace ta {

// Defines an op from its schema text, tagged pt2_compliant (plus `extra`).
inline void def_op(torch::Library& m, const std::string& schema,
                   std::vector<at::Tag> extra = {}) {
  extra.push_back(at::Tag::pt2_compliant_tag);
  const std::vector<at::Tag>& tags = extra;
  m.def(schema.c_str(), tags);
}

// ", <args>" or "" for a schema tail.
inline std::string tail(const char* args) {
  const std::string a = args;
  return a.empty() ? "" : ", " + a;
}

// The error of a derivative order the op does not provide.
[[noreturn]] inline void fail_higher_derivative(const char* op, const char* what) {
  TORCH_CHECK(false, op, ": the derivative of ", what,
              " is not implemented (derivatives of order three and higher exist for the "
              "pointwise activations only)");
  __builtin_unreachable();
}

// A typed handle to torch_activations::<name>, looked up once.
template <class Sig>
c10::TypedOperatorHandle<Sig> find_op(const std::string& name) {
  return c10::Dispatcher::singleton()
      .findSchemaOrThrow(("torch_activations::" + name).c_str(), "")
      .template typed<Sig>();
}

// A new tensor shaped like `t`, with empty_like's layout (t's strides when
// they are non-overlapping and dense, else contiguous).  On the CPU without
// a trip through the dispatcher (the fixed cost of a small op); symbolic
// shapes (Meta kernels under torch.compile) go through empty_like.
inline at::Tensor alloc_like(const at::Tensor& t) {
  if (t.device().is_cpu() && !t.unsafeGetTensorImpl()->has_symbolic_sizes_strides()) {
    if (t.is_contiguous()) {
      return at::detail::empty_cpu(t.sizes(), t.scalar_type(), false, c10::MemoryFormat::Contiguous);
    }
    if (t.is_non_overlapping_and_dense()) {
      return at::detail::empty_strided_cpu(t.sizes(), t.strides(), t.scalar_type());
    }
  }
  return at::empty_like(t);
}

// A contiguous tensor of `t`'s options and the given shape.
inline at::Tensor alloc_contiguous(const at::Tensor& t, c10::SymIntArrayRef shape) {
  if (t.device().is_cpu() && !t.unsafeGetTensorImpl()->has_symbolic_sizes_strides()) {
    return at::detail::empty_cpu(C10_AS_INTARRAYREF_SLOW(shape), t.scalar_type(), false,
                                 c10::MemoryFormat::Contiguous);
  }
  return at::empty_symint(shape, t.options());
}

// Registers a family's kernels for one dispatch key: `Register<kMeta>(m)`
// with kMeta = false for the devices (CPU, CUDA) and true for Meta.  Each
// op's kernel is its meta step (checks and outputs, the same on every
// device) followed, on a device, by its run step.
#define TA_REGISTER_DEVICE_AND_META(register_fn)   \
  TORCH_LIBRARY_IMPL(torch_activations, CPU, m) {  \
    register_fn<false>(m);                         \
  }                                                \
  TORCH_LIBRARY_IMPL(torch_activations, CUDA, m) { \
    register_fn<false>(m);                         \
  }                                                \
  TORCH_LIBRARY_IMPL(torch_activations, Meta, m) { \
    register_fn<true>(m);                          \
  }

}  // namespace ta
