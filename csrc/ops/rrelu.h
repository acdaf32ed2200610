// rrelu: leaky_relu with slope (lower+upper)/2 in eval mode; in training mode
// a random slope per element, drawn from torch's generator, kept (as
// `noise`) for the backward.
//
//   rrelu(Tensor self, float lower, float upper, bool training, Generator?)
//   rrelu_(Tensor(a!) self, ...) -> ()              in place
//   rrelu_with_noise(Tensor self, float lower, float upper, Generator?)
//       -> (Tensor output, Tensor noise)            training mode only
#pragma once

#include "common.h"

namespace ta::rrelu {

using at::Tensor;
using Gen = std::optional<at::Generator>;

inline void check(const Tensor& self, double lower, double upper) {
  check_floating("rrelu", "input", self);
  check_float("rrelu", "lower", lower, self.scalar_type());
  check_float("rrelu", "upper", upper, self.scalar_type());
  TORCH_CHECK(lower <= upper, "rrelu: lower must be <= upper, got lower=", lower, " and upper=", upper);
}

// The eval-mode slope (as torch: the mean in double precision).
inline double eval_slope(double lower, double upper) {
  return (lower + upper) / 2.0;
}

using RreluSig = Tensor(const Tensor&, double, double, bool, Gen);
using InplaceSig = void(Tensor&, double, double, bool, Gen);
using WithNoiseSig = std::tuple<Tensor, Tensor>(const Tensor&, double, double, Gen);
using LeakySig = Tensor(const Tensor&, double);
using LeakyInplaceSig = void(Tensor&, double);

#define TA_HANDLE(fn, sig, opname)                   \
  inline const c10::TypedOperatorHandle<sig>& fn() { \
    static const auto h = find_op<sig>(opname);      \
    return h;                                        \
  }
TA_HANDLE(rrelu_op, RreluSig, "rrelu")
TA_HANDLE(rrelu_inplace_op, InplaceSig, "rrelu_")
TA_HANDLE(with_noise_op, WithNoiseSig, "rrelu_with_noise")
TA_HANDLE(leaky_relu_op, LeakySig, "leaky_relu")
TA_HANDLE(leaky_relu_inplace_op, LeakyInplaceSig, "leaky_relu_")
#undef TA_HANDLE

}  // namespace ta::rrelu
