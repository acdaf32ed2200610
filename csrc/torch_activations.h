// torch_activations: the C++ API for LibTorch programs.
//
//   #include <torch_activations/torch_activations.h>
//   at::Tensor y = torch_activations::mish(x);      // differentiable
//
// Every function calls the registered operator torch.ops.torch_activations.<name>
// through the dispatcher, so it runs on CPU and CUDA, records autograd, and
// is the same op that Python and TorchScript call.  Linking this library
// (CMake: find_package(TorchActivations), target TorchActivations::TorchActivations)
// also registers the ops, so a TorchScript model that uses them loads with
// torch::jit::load.  Parameters and defaults follow ../shared/ACTIVATIONS.md.
#pragma once

#include <ATen/core/Generator.h>
#include <ATen/core/Tensor.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace torch_activations {

// ---------------------------------------------- stateless pointwise (§1)
at::Tensor sigmoid(const at::Tensor& x);
at::Tensor tanh(const at::Tensor& x);
at::Tensor linear(const at::Tensor& x);
at::Tensor relu(const at::Tensor& x);
at::Tensor relu6(const at::Tensor& x);
at::Tensor leaky_relu(const at::Tensor& x, double negative_slope = 0.01);
at::Tensor elu(const at::Tensor& x, double alpha = 1.0);
at::Tensor selu(const at::Tensor& x);
at::Tensor celu(const at::Tensor& x, double alpha = 1.0);
at::Tensor gelu(const at::Tensor& x, std::string_view approximate = "none");
at::Tensor swish(const at::Tensor& x, double beta = 1.0);
at::Tensor silu(const at::Tensor& x);
at::Tensor eswish(const at::Tensor& x, double beta = 1.5);
at::Tensor mish(const at::Tensor& x);
at::Tensor sqnl(const at::Tensor& x);
at::Tensor bent_identity(const at::Tensor& x);
at::Tensor softplus(const at::Tensor& x, double beta = 1.0, double threshold = 20.0);
at::Tensor softsign(const at::Tensor& x);
at::Tensor sine(const at::Tensor& x, double w0 = 1.0);
at::Tensor cosine(const at::Tensor& x, double w0 = 1.0);
at::Tensor sinc(const at::Tensor& x, bool normalized = true);
at::Tensor arctan(const at::Tensor& x);
at::Tensor logsigmoid(const at::Tensor& x);
at::Tensor tanhexp(const at::Tensor& x);
at::Tensor hard_swish(const at::Tensor& x);
at::Tensor hard_sigmoid(const at::Tensor& x, double slope = 1.0 / 6.0, double offset = 0.5);
at::Tensor quant_relu(const at::Tensor& x, int64_t levels = 4, double max_val = 1.0);
at::Tensor rrelu(const at::Tensor& x, double lower = 1.0 / 8.0, double upper = 1.0 / 3.0,
                 bool training = false,
                 std::optional<at::Generator> generator = std::nullopt);

// Any activation of the library by name with its default parameters, e.g.
// apply("mish", x).  Errors for names that are not pointwise activations.
at::Tensor apply(const std::string& name, const at::Tensor& x);

// The names of the pointwise activations `apply` accepts.
std::vector<std::string> pointwise_names();

}  // namespace torch_activations
