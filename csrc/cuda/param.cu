// CUDA kernels of the activations with learnable parameters (the functors of
// csrc/math/learnable.h, as on the CPU).  Deterministic parameter gradients
// without atomics: every chunk of work (a block) sums its contributions in a
// fixed order into its own slot, and a second kernel adds the chunk sums of
// each (parameter, group) in chunk order, in double.
//   rows:  one block per chunk of kParamChunk elements of an (n, c) row, the
//          row's parameters broadcast;
//   lanes: x is [N, C] and the parameters vary along C: a thread per channel,
//          a block row per chunk of rows.
#include <ATen/cuda/CUDAContext.h>
#include <c10/cuda/CUDAException.h>

#include "../math/learnable.h"
#include "../ops/kernel_table.h"
#include "../ops/learnable_ops.h"
#include "loops.cuh"

namespace ta::cuda {
namespace {

using math::Mode;

constexpr int64_t kChunk = kParamChunk;

template <class scalar_t>
struct Ptrs {
  scalar_t* out[2];
  const scalar_t* in[3];
  const scalar_t* w;
  const scalar_t* ggw;
  ParamLayout L;
};

template <Mode M, class F, class scalar_t>
__global__ void rows_kernel(Ptrs<scalar_t> t, F fn, int64_t per_row, int64_t chunks,
                            double* partial) {
  using T = at::opmath_type<scalar_t>;
  constexpr int NI = math::kModeInputs<M>, NO = math::kModeOutputs<M>;
  for (int64_t ch = blockIdx.x; ch < chunks; ch += gridDim.x) {
    const int64_t row = ch / per_row;
    const int64_t g = t.L.group(row / t.L.C, row % t.L.C);
    T p[F::kMaxP], ggp[F::kMaxP], acc[F::kMaxP];
    for (int k = 0; k < fn.P; ++k) {
      p[k] = static_cast<T>(t.w[k * t.L.G + g]);
      ggp[k] = t.ggw ? static_cast<T>(t.ggw[k * t.L.G + g]) : T(0);
      acc[k] = T(0);
    }
    const int64_t s0 = (ch % per_row) * kChunk;
    const int64_t s1 = s0 + kChunk < t.L.S ? s0 + kChunk : t.L.S;
    for (int64_t s = s0 + threadIdx.x; s < s1; s += blockDim.x) {
      const int64_t i = row * t.L.S + s;
      T in[NI], out[2];
      for (int a = 0; a < NI; ++a) in[a] = static_cast<T>(t.in[a][i]);
      math::learnable_element<M>(fn, in, out, p, ggp, acc);
      for (int o = 0; o < NO; ++o) t.out[o][i] = static_cast<scalar_t>(out[o]);
    }
    if constexpr (M != Mode::kForward) {
      for (int k = 0; k < fn.P; ++k) {
        const double sum = block_sum(static_cast<double>(acc[k]));
        if (threadIdx.x == 0) partial[ch * fn.P + k] = sum;
      }
    }
  }
}

// Adds the chunk sums of each (k, g) in chunk order.
template <class scalar_t>
__global__ void rows_reduce(const double* partial, scalar_t* red, int64_t P, int64_t G, int64_t N,
                            int64_t C, int64_t per_row, bool per_sample) {
  const int64_t kg = blockIdx.x * (int64_t)blockDim.x + threadIdx.x;
  if (kg >= P * G) return;
  const int64_t k = kg / G, g = kg % G;
  double s = 0;
  if (G == 1) {
    for (int64_t ch = 0; ch < N * C * per_row; ++ch) s += partial[ch * P + k];
  } else if (per_sample) {
    for (int64_t j = 0; j < per_row; ++j) s += partial[(g * per_row + j) * P + k];
  } else {
    for (int64_t n = 0; n < N; ++n) {
      for (int64_t j = 0; j < per_row; ++j) s += partial[((n * C + g) * per_row + j) * P + k];
    }
  }
  red[k * G + g] = static_cast<scalar_t>(s);
}

template <Mode M, class F, class scalar_t>
__global__ void lanes_kernel(Ptrs<scalar_t> t, F fn, int64_t rows_per_chunk, int64_t chunks,
                             scalar_t* red, double* partial) {
  using T = at::opmath_type<scalar_t>;
  constexpr int NI = math::kModeInputs<M>, NO = math::kModeOutputs<M>;
  const int64_t c = blockIdx.x * (int64_t)blockDim.x + threadIdx.x;
  if (c >= t.L.C) return;
  for (int64_t ch = blockIdx.y; ch < chunks; ch += gridDim.y) {
    T acc[F::kMaxP];
    for (int k = 0; k < fn.P; ++k) acc[k] = T(0);
    const int64_t n0 = ch * rows_per_chunk;
    const int64_t n1 = n0 + rows_per_chunk < t.L.N ? n0 + rows_per_chunk : t.L.N;
    for (int64_t n = n0; n < n1; ++n) {
      const int64_t g = t.L.group(n, c);
      T p[F::kMaxP], ggp[F::kMaxP], one[F::kMaxP];
      for (int k = 0; k < fn.P; ++k) {
        p[k] = static_cast<T>(t.w[k * t.L.G + g]);
        ggp[k] = t.ggw ? static_cast<T>(t.ggw[k * t.L.G + g]) : T(0);
        one[k] = T(0);
      }
      const int64_t i = n * t.L.C + c;
      T in[NI], out[2];
      for (int a = 0; a < NI; ++a) in[a] = static_cast<T>(t.in[a][i]);
      math::learnable_element<M>(fn, in, out, p, ggp, one);
      for (int o = 0; o < NO; ++o) t.out[o][i] = static_cast<scalar_t>(out[o]);
      if constexpr (M != Mode::kForward) {
        for (int k = 0; k < fn.P; ++k) {
          if (t.L.per_sample) {
            red[k * t.L.G + g] = static_cast<scalar_t>(one[k]);
          } else {
            acc[k] = acc[k] + one[k];
          }
        }
      }
    }
    if constexpr (M != Mode::kForward) {
      if (!t.L.per_sample) {
        for (int k = 0; k < fn.P; ++k) partial[(ch * fn.P + k) * t.L.C + c] = acc[k];
      }
    }
  }
}

template <class scalar_t>
__global__ void lanes_reduce(const double* partial, scalar_t* red, int64_t P, int64_t C,
                             int64_t chunks) {
  const int64_t kc = blockIdx.x * (int64_t)blockDim.x + threadIdx.x;
  if (kc >= P * C) return;
  double s = 0;
  for (int64_t ch = 0; ch < chunks; ++ch) s += partial[ch * P * C + kc];
  red[kc] = static_cast<scalar_t>(s);
}

template <Mode M, class F>
void run(const ParamCall& call, const void* args) {
  const F fn(*static_cast<const typename F::Args*>(args));
  const ParamLayout& L = call.layout;
  auto stream = at::cuda::getCurrentCUDAStream();
  TA_DISPATCH_FLOATING_CUDA(call.in[0].scalar_type(), "param_activation_cuda", [&] {
    Ptrs<scalar_t> t{};
    for (int o = 0; o < 2; ++o) t.out[o] = call.out[o].defined() ? call.out[o].data_ptr<scalar_t>() : nullptr;
    for (int a = 0; a < 3; ++a) t.in[a] = call.in[a].defined() ? call.in[a].const_data_ptr<scalar_t>() : nullptr;
    t.w = call.weight.const_data_ptr<scalar_t>();
    t.ggw = call.grad_weight_in.defined() ? call.grad_weight_in.const_data_ptr<scalar_t>() : nullptr;
    t.L = L;
    scalar_t* red = call.weight_out.defined() ? call.weight_out.data_ptr<scalar_t>() : nullptr;
    const auto dopts = call.in[0].options().dtype(at::kDouble);
    if (L.lanes()) {
      const int64_t rows_per_chunk = std::max<int64_t>(1, kChunk / L.C);
      const int64_t chunks = (L.N + rows_per_chunk - 1) / rows_per_chunk;
      const bool reduce = M != Mode::kForward && !L.per_sample;
      at::Tensor partial = at::empty({reduce ? chunks * fn.P * L.C : 0}, dopts);
      const dim3 grid(static_cast<unsigned>((L.C + kThreads - 1) / kThreads),
                      static_cast<unsigned>(std::min<int64_t>(chunks, 65535)));
      lanes_kernel<M, F, scalar_t><<<grid, kThreads, 0, stream>>>(
          t, fn, rows_per_chunk, chunks, red, reduce ? partial.data_ptr<double>() : nullptr);
      C10_CUDA_KERNEL_LAUNCH_CHECK();
      if (reduce) {
        lanes_reduce<scalar_t><<<blocks_for(fn.P * L.C), kThreads, 0, stream>>>(
            partial.data_ptr<double>(), red, fn.P, L.C, chunks);
        C10_CUDA_KERNEL_LAUNCH_CHECK();
      }
    } else {
      const int64_t per_row = std::max<int64_t>(1, (L.S + kChunk - 1) / kChunk);
      const int64_t chunks = L.N * L.C * per_row;
      const bool reduce = M != Mode::kForward;
      at::Tensor partial = at::empty({reduce ? chunks * fn.P : 0}, dopts);
      rows_kernel<M, F, scalar_t><<<static_cast<unsigned>(std::min<int64_t>(chunks, 65535 * 16)),
                                    kThreads, 0, stream>>>(
          t, fn, per_row, chunks, reduce ? partial.data_ptr<double>() : nullptr);
      C10_CUDA_KERNEL_LAUNCH_CHECK();
      if (reduce) {
        rows_reduce<scalar_t><<<blocks_for(fn.P * L.G), kThreads, 0, stream>>>(
            partial.data_ptr<double>(), red, fn.P, L.G, L.N, L.C, per_row, L.per_sample);
        C10_CUDA_KERNEL_LAUNCH_CHECK();
      }
    }
  });
}

template <class F>
constexpr ParamKernels make() {
  return {&run<Mode::kForward, F>, &run<Mode::kBackward, F>, &run<Mode::kDoubleBackward, F>};
}

constexpr ParamKernels kTable[] = {
#define TA_X(name) make<ops::name::F>(),
    TA_LEARNABLE_OPS(TA_X)
#undef TA_X
};

}  // namespace

const ParamKernels* param_kernels() {
  return kTable;
}

}  // namespace ta::cuda
