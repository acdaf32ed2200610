// rrelu in training mode on CPU: a slope a ~ U(lower, upper) for every
// element x <= 0, drawn in order from a CPU generator under its lock (the same
// draws, in the same order, as torch's F.rrelu, so results are reproducible
// under torch.manual_seed and match torch's).  Sequential by nature.
#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Dispatch.h>
#include <ATen/OpMathType.h>
#include <ATen/core/DistributionsHelper.h>
#include <ATen/core/Tensor.h>
#include <ATen/ops/empty_like.h>

#include <mutex>

namespace ta::cpu {

void rrelu_train(at::Tensor& out, at::Tensor& noise, const at::Tensor& in,
                 double lower, double upper, std::optional<at::Generator> generator) {
  const at::Tensor x = in.contiguous();
  at::Tensor y = out.is_contiguous() ? out : at::empty_like(x);
  at::Tensor n = noise.is_contiguous() ? noise : at::empty_like(x);
  AT_DISPATCH_FLOATING_TYPES_AND2(at::kHalf, at::kBFloat16, x.scalar_type(), "rrelu", [&] {
    using opmath_t = at::opmath_type<scalar_t>;
    const scalar_t* xp = x.const_data_ptr<scalar_t>();
    scalar_t* yp = y.data_ptr<scalar_t>();
    scalar_t* np = n.data_ptr<scalar_t>();
    auto* gen = at::get_generator_or_default<at::CPUGeneratorImpl>(
        generator, at::detail::getDefaultCPUGenerator());
    std::lock_guard<std::mutex> lock(gen->mutex_);
    // The bounds rounded to the computation type first, as torch's rrelu.
    const double lo = static_cast<opmath_t>(lower), hi = static_cast<opmath_t>(upper);
    const int64_t numel = x.numel();
    for (int64_t i = 0; i < numel; ++i) {
      const opmath_t v = static_cast<opmath_t>(xp[i]);
      if (v <= opmath_t(0)) {
        at::uniform_real_distribution<double> uniform(lo, hi);
        const auto slope = static_cast<opmath_t>(uniform(gen));
        yp[i] = static_cast<scalar_t>(v * slope);
        np[i] = static_cast<scalar_t>(slope);
      } else {
        yp[i] = xp[i];
        np[i] = static_cast<scalar_t>(1);
      }
    }
  });
  if (!y.is_same(out)) out.copy_(y);
  if (!n.is_same(noise)) noise.copy_(n);
}

}  // namespace ta::cpu
