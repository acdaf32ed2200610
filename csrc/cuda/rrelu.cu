// rrelu in training mode on CUDA: for every element x <= 0 a slope
// a ~ U(lower, upper) from the Philox stream of a CUDA generator (element k
// uses offset base + k), so results are reproducible under torch.manual_seed.
#include <ATen/cuda/CUDAContext.h>
#include <ATen/cuda/CUDAGeneratorImpl.h>
#include <ATen/cuda/PhiloxUtils.cuh>
#include <c10/cuda/CUDAException.h>

#include <mutex>

#include "loops.cuh"

namespace ta::cuda {
namespace {

// Philox-4x32-10 (Salmon et al., SC'11): the four 32-bit outputs of the
// counter-based generator for key `seed` and counter (offset, 0).  Written
// here: torch's stateless version is newer than the oldest torch supported.
__device__ uint4 philox_4x32(uint64_t seed, uint64_t offset) {
  uint32_t k0 = static_cast<uint32_t>(seed), k1 = static_cast<uint32_t>(seed >> 32);
  uint32_t c0 = static_cast<uint32_t>(offset), c1 = static_cast<uint32_t>(offset >> 32), c2 = 0, c3 = 0;
  constexpr uint32_t kM0 = 0xD2511F53u, kM1 = 0xCD9E8D57u, kW0 = 0x9E3779B9u, kW1 = 0xBB67AE85u;
  for (int round = 0; round < 10; ++round) {
    const uint32_t hi0 = __umulhi(kM0, c0), lo0 = kM0 * c0;
    const uint32_t hi1 = __umulhi(kM1, c2), lo1 = kM1 * c2;
    const uint32_t n0 = hi1 ^ c1 ^ k0, n2 = hi0 ^ c3 ^ k1;
    c0 = n0;
    c1 = lo1;
    c2 = n2;
    c3 = lo0;
    k0 += kW0;
    k1 += kW1;
  }
  return make_uint4(c0, c1, c2, c3);
}

template <class scalar_t>
__global__ void rrelu_train_kernel(const scalar_t* x, scalar_t* y, scalar_t* noise, int64_t numel,
                                   double lower, double upper, at::PhiloxCudaState philox) {
  using T = at::opmath_type<scalar_t>;
  const auto seeds = at::cuda::philox::unpack(philox);
  for (int64_t k = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; k < numel;
       k += (int64_t)gridDim.x * blockDim.x) {
    const T v = static_cast<T>(x[k]);
    if (v <= T(0)) {
      // the bounds rounded to the computation type first, as torch
      const uint4 bits = philox_4x32(std::get<0>(seeds), std::get<1>(seeds) + k);
      const double u = (bits.x >> 8) * (1.0 / 16777216.0);  // [0, 1)
      const double lo = static_cast<T>(lower), hi = static_cast<T>(upper);
      const T slope = static_cast<T>(lo + (hi - lo) * u);
      y[k] = static_cast<scalar_t>(v * slope);
      noise[k] = static_cast<scalar_t>(slope);
    } else {
      y[k] = x[k];
      noise[k] = scalar_t(1);
    }
  }
}

}  // namespace

void rrelu_train(at::Tensor& out, at::Tensor& noise, const at::Tensor& in, double lower,
                 double upper, std::optional<at::Generator> generator) {
  const at::Tensor x = in.contiguous();
  at::Tensor y = out.is_contiguous() ? out : at::empty_like(x);
  at::Tensor n = noise.is_contiguous() ? noise : at::empty_like(x);
  auto* gen = at::get_generator_or_default<at::CUDAGeneratorImpl>(
      generator, at::cuda::detail::getDefaultCUDAGenerator());
  at::PhiloxCudaState philox;
  {
    std::lock_guard<std::mutex> lock(gen->mutex_);
    philox = gen->philox_cuda_state(static_cast<uint64_t>(x.numel()));
  }
  auto stream = at::cuda::getCurrentCUDAStream();
  TA_DISPATCH_FLOATING_CUDA(x.scalar_type(), "rrelu_cuda", [&] {
    rrelu_train_kernel<scalar_t><<<blocks_for(x.numel()), kThreads, 0, stream>>>(
        x.const_data_ptr<scalar_t>(), y.data_ptr<scalar_t>(), n.data_ptr<scalar_t>(), x.numel(),
        lower, upper, philox);
    C10_CUDA_KERNEL_LAUNCH_CHECK();
  });
  if (!y.is_same(out)) out.copy_(y);
  if (!n.is_same(noise)) noise.copy_(n);
}

}  // namespace ta::cuda
