// Schemas, device (CPU, CUDA) and Meta kernels of rrelu (csrc/ops/rrelu.h).
// Eval mode is leaky_relu (called through the dispatcher: its kernels and
// autograd); training mode draws the slopes.
#include "rrelu.h"

#include <c10/core/DeviceGuard.h>
#include <torch/library.h>

#include "kernel_table.h"

namespace ta {
namespace rrelu {
namespace {

template <bool kMeta>
std::tuple<Tensor, Tensor> with_noise(const Tensor& self, double lower, double upper, Gen gen) {
  check(self, lower, upper);
  Tensor out = alloc_like(self), noise = alloc_like(self);
  if constexpr (!kMeta) {
    c10::OptionalDeviceGuard guard;
    if (!self.is_cpu()) guard.reset_device(self.device());
    if (self.numel() > 0) kernels_for(self, "rrelu").rrelu_train(out, noise, self, lower, upper, gen);
  }
  return {out, noise};
}

template <bool kMeta>
Tensor rrelu(const Tensor& self, double lower, double upper, bool training, Gen gen) {
  check(self, lower, upper);
  if (!training) {
    at::AutoDispatchBelowAutograd guard;
    return leaky_relu_op().call(self, eval_slope(lower, upper));
  }
  return std::get<0>(with_noise<kMeta>(self, lower, upper, gen));
}

template <bool kMeta>
void rrelu_(Tensor& self, double lower, double upper, bool training, Gen gen) {
  check(self, lower, upper);
  if (!training) {
    at::AutoDispatchBelowAutograd guard;
    leaky_relu_inplace_op().call(self, eval_slope(lower, upper));
    return;
  }
  if constexpr (!kMeta) {
    c10::OptionalDeviceGuard guard;
    if (!self.is_cpu()) guard.reset_device(self.device());
    Tensor noise = alloc_like(self);
    if (self.numel() > 0) kernels_for(self, "rrelu").rrelu_train(self, noise, self, lower, upper, gen);
  }
}

template <bool kMeta>
void impl_rrelu(torch::Library& m) {
  m.impl("rrelu", &rrelu<kMeta>);
  m.impl("rrelu_", &rrelu_<kMeta>);
  m.impl("rrelu_with_noise", &with_noise<kMeta>);
}

}  // namespace
}  // namespace rrelu

void define_rrelu(torch::Library& m) {
  const std::vector<at::Tag> random{at::Tag::nondeterministic_seeded};
  const std::string args = spec::kRreluArgs;
  def_op(m, "rrelu(Tensor self, " + args + ") -> Tensor", random);
  def_op(m, "rrelu_(Tensor(a!) self, " + args + ") -> ()", random);
  // training mode only: the output and the slopes (1 where x > 0)
  def_op(m, "rrelu_with_noise(Tensor self, float lower=0.125, float upper=0.3333333333333333, "
            "Generator? generator=None) -> (Tensor, Tensor)",
         random);
}

TA_REGISTER_DEVICE_AND_META(rrelu::impl_rrelu)

}  // namespace ta
