// The CUDA kernel set (csrc/ops/kernel_table.h): what kernels_for() returns
// for tensors on a CUDA device.
#include "../ops/kernel_table.h"
#include "jets_part.cuh"
#include "pointwise_part.cuh"

namespace ta {
namespace cuda {

const GatedKernels* gated_kernels();
SoftmaxKernels softmax_kernels();
CreluKernels crelu_kernels();
const ParamKernels* param_kernels();
LutKernels lut_kernels();
void rrelu_train(at::Tensor& out, at::Tensor& noise, const at::Tensor& in, double lower,
                 double upper, std::optional<at::Generator> generator);

namespace {

// The pointwise table, merged from its parts.
const PointwiseKernels* pointwise_kernels() {
  static const auto table = [] {
    std::array<PointwiseKernels, static_cast<size_t>(PW::kCount)> t{};
    const PointwiseKernels* parts[kPointwiseParts] = {pointwise_part0(), pointwise_part1(),
                                                      pointwise_part2(), pointwise_part3()};
    for (size_t i = 0; i < t.size(); ++i) t[i] = parts[i % kPointwiseParts][i];
    return t;
  }();
  return table.data();
}

// The jet table, merged from its parts.
const PointwiseJetKernels* pointwise_jets() {
  static const auto table = [] {
    std::array<PointwiseJetKernels, static_cast<size_t>(PW::kCount)> t{};
    const PointwiseJetKernels* parts[kJetParts] = {jets_part0(), jets_part1(), jets_part2(), jets_part3()};
    for (size_t i = 0; i < t.size(); ++i) t[i] = parts[i % kJetParts][i];
    return t;
  }();
  return table.data();
}

}  // namespace
}  // namespace cuda

const KernelSet* cuda_kernels() {
  static const KernelSet set{cuda::pointwise_kernels(), cuda::pointwise_jets(),
                             cuda::gated_kernels(),     cuda::softmax_kernels(),
                             cuda::crelu_kernels(),     cuda::param_kernels(),
                             cuda::lut_kernels(),       &cuda::rrelu_train};
  return &set;
}

}  // namespace ta
