// rrelu: leaky_relu with slope (lower+upper)/2 in eval mode; in training mode
// a random slope per element, drawn from torch's generator, saved (as
// `noise`) for the backward.
//
//   rrelu(Tensor self, float lower, float upper, bool training, Generator?)
//   rrelu_(Tensor(a!) self, ...) -> ()              in place
//   rrelu_with_noise(Tensor self, float lower, float upper, Generator?)
//       -> (Tensor output, Tensor noise)            training mode only
//
// Autograd: eval mode is leaky_relu's graph; training mode multiplies the
// gradient by the saved noise (at::mul, so it is twice differentiable).
#include <torch/autograd.h>
#include <torch/library.h>

#include "pointwise.h"

namespace ta {
namespace {

using at::Tensor;
using Gen = std::optional<at::Generator>;
using LeakyRelu = Pointwise<ops::leaky_relu>;

constexpr const char* kRreluArgs =
    "float lower=0.125, float upper=0.3333333333333333";

void check_rrelu(const Tensor& self, double lower, double upper) {
  check_floating("rrelu", "input", self);
  check_finite_param("rrelu", "lower", lower);
  check_finite_param("rrelu", "upper", upper);
  TORCH_CHECK(lower <= upper, "rrelu: lower must be <= upper, got lower=", lower,
              " and upper=", upper);
}

double eval_slope(double lower, double upper) {
  return (lower + upper) / 2.0;
}

std::tuple<Tensor, Tensor> rrelu_with_noise(const Tensor& self, double lower,
                                            double upper, Gen gen) {
  check_rrelu(self, lower, upper);
  c10::DeviceGuard guard(self.device());
  Tensor out = at::empty_like(self);
  Tensor noise = at::empty_like(self);
  if (self.numel() > 0) {
    kernels_for(self, "rrelu").rrelu_train(out, noise, self, lower, upper, gen);
  }
  return {out, noise};
}

Tensor rrelu(const Tensor& self, double lower, double upper, bool training, Gen gen) {
  check_rrelu(self, lower, upper);
  if (!training) {
    return LeakyRelu::forward(self, eval_slope(lower, upper));
  }
  return std::get<0>(rrelu_with_noise(self, lower, upper, gen));
}

void rrelu_(Tensor& self, double lower, double upper, bool training, Gen gen) {
  check_rrelu(self, lower, upper);
  if (!training) {
    LeakyRelu::forward_(self, eval_slope(lower, upper));
    return;
  }
  c10::DeviceGuard guard(self.device());
  Tensor noise = at::empty_like(self);
  if (self.numel() > 0) {
    kernels_for(self, "rrelu").rrelu_train(self, noise, self, lower, upper, gen);
  }
}

// ---------------------------------------------------------------- Meta
std::tuple<Tensor, Tensor> rrelu_with_noise_meta(const Tensor& self, double lower,
                                                 double upper, Gen) {
  check_rrelu(self, lower, upper);
  return {at::empty_like(self), at::empty_like(self)};
}

Tensor rrelu_meta(const Tensor& self, double lower, double upper, bool, Gen) {
  check_rrelu(self, lower, upper);
  return at::empty_like(self);
}

void rrelu_meta_(Tensor& self, double lower, double upper, bool, Gen) {
  check_rrelu(self, lower, upper);
}

// ------------------------------------------------------------- Autograd
using WithNoiseSig = std::tuple<Tensor, Tensor>(const Tensor&, double, double, Gen);

// out = x * noise with noise drawn in the forward: d out / dx = noise.
struct RreluWithNoiseFunction : torch::autograd::Function<RreluWithNoiseFunction> {
  static torch::autograd::variable_list forward(torch::autograd::AutogradContext* ctx,
                                                const Tensor& self, double lower,
                                                double upper, Gen gen) {
    static const auto op = find_op<WithNoiseSig>("rrelu_with_noise");
    at::AutoDispatchBelowADInplaceOrView guard;
    auto [out, noise] = op.call(self, lower, upper, gen);
    ctx->save_for_backward({noise});
    ctx->mark_non_differentiable({noise});
    return {out, noise};
  }
  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grads) {
    const Tensor noise = ctx->get_saved_variables()[0];
    Tensor grad_input = grads[0].defined() ? grads[0] * noise : Tensor();
    return {grad_input, Tensor(), Tensor(), Tensor()};
  }
};

std::tuple<Tensor, Tensor> rrelu_with_noise_autograd(const Tensor& self, double lower,
                                                     double upper, Gen gen) {
  auto out = RreluWithNoiseFunction::apply(self, lower, upper, gen);
  return {out[0], out[1]};
}

Tensor rrelu_autograd(const Tensor& self, double lower, double upper, bool training,
                      Gen gen) {
  check_rrelu(self, lower, upper);
  if (!training) {
    return LeakyRelu::forward_op().call(self, eval_slope(lower, upper));
  }
  return RreluWithNoiseFunction::apply(self, lower, upper, gen)[0];
}

void rrelu_autograd_(Tensor& self, double lower, double upper, bool training,
                     Gen gen) {
  check_rrelu(self, lower, upper);
  if (!training) {
    LeakyRelu::inplace_op().call(self, eval_slope(lower, upper));
    return;
  }
  // The slopes must be kept for the backward anyway, so the in-place form
  // computes out of place and copies back (copy_ carries the autograd).
  const Tensor out = RreluWithNoiseFunction::apply(self, lower, upper, gen)[0];
  self.copy_(out);
}

}  // namespace

void define_rrelu(torch::Library& m) {
  const std::vector<at::Tag> random{at::Tag::nondeterministic_seeded};
  const std::string args = kRreluArgs;
  def_op(m, "rrelu(Tensor self, " + args +
                ", bool training=False, Generator? generator=None) -> Tensor",
         random);
  def_op(m, "rrelu_(Tensor(a!) self, " + args +
                ", bool training=False, Generator? generator=None) -> ()",
         random);
  def_op(m, "rrelu_with_noise(Tensor self, " + args +
                ", Generator? generator=None) -> (Tensor, Tensor)",
         random);
}

TORCH_LIBRARY_IMPL(torch_activations, CPU, m) {
  m.impl("rrelu", &rrelu);
  m.impl("rrelu_", &rrelu_);
  m.impl("rrelu_with_noise", &rrelu_with_noise);
}

TORCH_LIBRARY_IMPL(torch_activations, CUDA, m) {
  m.impl("rrelu", &rrelu);
  m.impl("rrelu_", &rrelu_);
  m.impl("rrelu_with_noise", &rrelu_with_noise);
}

TORCH_LIBRARY_IMPL(torch_activations, Meta, m) {
  m.impl("rrelu", &rrelu_meta);
  m.impl("rrelu_", &rrelu_meta_);
  m.impl("rrelu_with_noise", &rrelu_with_noise_meta);
}

TORCH_LIBRARY_IMPL(torch_activations, Autograd, m) {
  m.impl("rrelu", &rrelu_autograd);
  m.impl("rrelu_", &rrelu_autograd_);
  m.impl("rrelu_with_noise", &rrelu_with_noise_autograd);
}

}  // namespace ta
