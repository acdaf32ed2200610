// Helpers shared by the host-side op wrappers: argument checks whose errors
// name the op, and cached typed handles for calling ops through the
// dispatcher.
#pragma once

#include <ATen/ATen.h>
#include <ATen/core/dispatch/Dispatcher.h>
#include <c10/util/Exception.h>
#include <torch/library.h>

#include <cmath>
#include <string>
#include <vector>

namespace ta {

inline bool is_supported_floating(at::ScalarType t) {
  return t == at::kFloat || t == at::kDouble || t == at::kHalf ||
         t == at::kBFloat16;
}

// "gelu: expected input to be a floating-point tensor (float32, float64,
// float16 or bfloat16), got Long"
inline void check_floating(const char* op, const char* arg, const at::Tensor& t) {
  TORCH_CHECK(t.defined(), op, ": ", arg, " is an undefined tensor");
  TORCH_CHECK(is_supported_floating(t.scalar_type()), op, ": expected ", arg,
              " to be a floating-point tensor (float32, float64, float16 or "
              "bfloat16), got ", t.scalar_type());
  TORCH_CHECK(t.layout() == at::kStrided, op, ": expected ", arg,
              " to be a strided (dense) tensor, got layout ", t.layout());
}

// Same dtype, device and shape: the tensors of a backward op.
inline void check_same(const char* op, const char* a_name, const at::Tensor& a,
                       const char* b_name, const at::Tensor& b) {
  check_floating(op, a_name, a);
  check_floating(op, b_name, b);
  TORCH_CHECK(a.scalar_type() == b.scalar_type(), op, ": ", a_name, " has dtype ",
              a.scalar_type(), " but ", b_name, " has dtype ", b.scalar_type());
  TORCH_CHECK(a.device() == b.device(), op, ": ", a_name, " is on ", a.device(),
              " but ", b_name, " is on ", b.device());
  TORCH_CHECK(a.sym_sizes() == b.sym_sizes(), op, ": ", a_name, " has shape ",
              a.sym_sizes(), " but ", b_name, " has shape ", b.sym_sizes());
}

inline void check_finite_param(const char* op, const char* name, double v) {
  TORCH_CHECK(std::isfinite(v), op, ": ", name, " must be finite, got ", v);
}

// Defines an op from its schema text, tagged pt2_compliant (plus `extra`).
inline void def_op(torch::Library& m, const std::string& schema,
                   std::vector<at::Tag> extra = {}) {
  extra.push_back(at::Tag::pt2_compliant_tag);
  const std::vector<at::Tag>& tags = extra;
  m.def(schema.c_str(), tags);
}

// The schema names of descriptor D's op family (D::kName + suffix) and its
// catalog arguments as a schema tail (", float alpha=1.0" or "").
template <class D>
struct OpNames {
  static std::string name(const char* suffix = "") {
    return std::string(D::kName) + suffix;
  }
  static std::string args() {
    const std::string a = D::kArgs;
    return a.empty() ? "" : ", " + a;
  }
};

// The error of the backward of a double backward op.
[[noreturn]] inline void fail_third_derivative(const char* op) {
  TORCH_CHECK(false, op, ": derivatives of order three and higher are not implemented");
  __builtin_unreachable();
}

// A typed handle to torch_activations::<name>, looked up once.
template <class Sig>
c10::TypedOperatorHandle<Sig> find_op(const std::string& name) {
  return c10::Dispatcher::singleton()
      .findSchemaOrThrow(("torch_activations::" + name).c_str(), "")
      .template typed<Sig>();
}

}  // namespace ta
