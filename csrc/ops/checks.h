// The checks every op makes of its arguments, with errors that name the op
// and the argument.  Scalar arguments are checked in the type the kernels
// compute in (float for float32, float16 and bfloat16 input; double for
// float64): a parameter that does not fit that type is an error, never a
// NaN in the output.
#pragma once

#include <ATen/core/Tensor.h>
#include <c10/util/Exception.h>
#include <c10/util/string_view.h>

#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <string>

namespace ta {

inline bool is_supported_floating(at::ScalarType t) {
  return t == at::kFloat || t == at::kDouble || t == at::kHalf || t == at::kBFloat16;
}

// The type the kernels compute in, for input of dtype t.
inline bool computes_in_double(at::ScalarType t) {
  return t == at::kDouble;
}
inline const char* compute_type_name(at::ScalarType t) {
  return computes_in_double(t) ? "float64" : "float32";
}

// ------------------------------------------------------ scalar arguments
// Finite, and representable in the computation type.
inline void check_float(const char* op, const char* name, double v, at::ScalarType t) {
  TORCH_CHECK(std::isfinite(v), op, ": ", name, " must be finite, got ", v);
  TORCH_CHECK(computes_in_double(t) || std::abs(v) <= std::numeric_limits<float>::max(), op, ": ",
              name, "=", v, " cannot be converted to ", compute_type_name(t),
              " (the computation type of ", t, " input) without overflow");
}

// The value the kernels see.
inline double as_compute_type(double v, at::ScalarType t) {
  return computes_in_double(t) ? v : static_cast<double>(static_cast<float>(v));
}

inline void check_positive(const char* op, const char* name, double v, at::ScalarType t) {
  check_float(op, name, v, t);
  TORCH_CHECK(v > 0.0, op, ": ", name, " must be positive, got ", v);
  TORCH_CHECK(as_compute_type(v, t) > 0.0, op, ": ", name, "=", v, " underflows to 0 in ",
              compute_type_name(t), " (the computation type of ", t, " input)");
}

// Nonzero, with a finite reciprocal in the computation type.
inline void check_invertible(const char* op, const char* name, double v, at::ScalarType t) {
  check_float(op, name, v, t);
  TORCH_CHECK(v != 0.0, op, ": ", name, " must be nonzero (", op, " divides by ", name, ")");
  const double c = as_compute_type(v, t);
  const double limit = computes_in_double(t) ? std::numeric_limits<double>::max()
                                             : static_cast<double>(std::numeric_limits<float>::max());
  TORCH_CHECK(c != 0.0 && std::abs(1.0 / c) <= limit, op, ": ", name, "=", v,
              " is too small: its reciprocal does not fit in ", compute_type_name(t),
              " (the computation type of ", t, " input)");
}

// A threshold: ±inf allowed.
inline void check_not_nan(const char* op, const char* name, double v) {
  TORCH_CHECK(!std::isnan(v), op, ": ", name, " must not be NaN");
}

inline void check_min(const char* op, const char* name, int64_t v, int64_t lo) {
  TORCH_CHECK(v >= lo, op, ": ", name, " must be >= ", lo, ", got ", v);
}

// The index of `v` among `choices`: "gelu: approximate must be 'none' or
// 'tanh', got 'fast'".
inline int64_t check_choice(const char* op, const char* name, c10::string_view v,
                            std::initializer_list<const char*> choices) {
  int64_t i = 0;
  for (const char* c : choices) {
    if (v == c) return i;
    ++i;
  }
  std::string list;
  i = 0;
  const int64_t n = static_cast<int64_t>(choices.size());
  for (const char* c : choices) {
    list += (i == 0 ? "'" : (i == n - 1 ? " or '" : ", '")) + std::string(c) + "'";
    ++i;
  }
  TORCH_CHECK(false, op, ": ", name, " must be ", list, ", got '", v, "'");
  return -1;
}

// ------------------------------------------------------- tensor arguments
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

// `b` is a floating tensor of `a`'s dtype on `a`'s device: every tensor of an
// op with several (a weight, a table, a gradient) is checked against the
// input by this one function, in the device and the Meta kernels alike.
inline void check_like(const char* op, const char* a_name, const at::Tensor& a,
                       const char* b_name, const at::Tensor& b) {
  check_floating(op, b_name, b);
  TORCH_CHECK(a.device() == b.device(), op, ": ", a_name, " is on ", a.device(), " but ", b_name,
              " is on ", b.device(), " (expected every tensor on one device)");
  TORCH_CHECK(a.scalar_type() == b.scalar_type(), op, ": ", a_name, " has dtype ", a.scalar_type(),
              " but ", b_name, " has dtype ", b.scalar_type());
}

// The same and the same shape: the tensors of an elementwise backward op.
inline void check_same(const char* op, const char* a_name, const at::Tensor& a,
                       const char* b_name, const at::Tensor& b) {
  check_floating(op, a_name, a);
  check_like(op, a_name, a, b_name, b);
  TORCH_CHECK(a.sym_sizes() == b.sym_sizes(), op, ": ", a_name, " has shape ", a.sym_sizes(),
              " but ", b_name, " has shape ", b.sym_sizes());
}

// `dim` wrapped for `t`, with an error that names the op.  allow_scalar: a
// 0-dim tensor accepts dim 0 and -1 (as torch's softmax).
inline int64_t wrap_dim(const char* op, const at::Tensor& t, int64_t dim, bool allow_scalar) {
  const int64_t nd = t.dim();
  if (nd == 0 && allow_scalar) {
    TORCH_CHECK(dim == 0 || dim == -1, op, ": dim ", dim, " is out of range for a 0-dim tensor");
    return 0;
  }
  TORCH_CHECK(dim >= -nd && dim < nd, op, ": dim ", dim, " is out of range for a tensor with ", nd,
              " dimension(s)");
  return dim < 0 ? dim + nd : dim;
}

}  // namespace ta
