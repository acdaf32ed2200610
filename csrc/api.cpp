// The C++ API: thin calls of the registered ops through the dispatcher.
#include "torch_activations.h"

#include <ATen/core/dispatch/Dispatcher.h>
#include <ATen/core/stack.h>

#include <algorithm>

#include "ops/pointwise.h"

namespace torch_activations {
namespace {

template <class D, class... A>
at::Tensor call(const at::Tensor& x, A... a) {
  return ta::Pointwise<D>::forward_op().call(x, a...);
}

}  // namespace

at::Tensor sigmoid(const at::Tensor& x) { return call<ta::ops::sigmoid>(x); }
at::Tensor tanh(const at::Tensor& x) { return call<ta::ops::tanh>(x); }
at::Tensor linear(const at::Tensor& x) { return call<ta::ops::linear>(x); }
at::Tensor relu(const at::Tensor& x) { return call<ta::ops::relu>(x); }
at::Tensor relu6(const at::Tensor& x) { return call<ta::ops::relu6>(x); }
at::Tensor leaky_relu(const at::Tensor& x, double negative_slope) {
  return call<ta::ops::leaky_relu>(x, negative_slope);
}
at::Tensor elu(const at::Tensor& x, double alpha) { return call<ta::ops::elu>(x, alpha); }
at::Tensor selu(const at::Tensor& x) { return call<ta::ops::selu>(x); }
at::Tensor celu(const at::Tensor& x, double alpha) { return call<ta::ops::celu>(x, alpha); }
at::Tensor gelu(const at::Tensor& x, std::string_view approximate) {
  return call<ta::ops::gelu>(x, approximate);
}
at::Tensor swish(const at::Tensor& x, double beta) { return call<ta::ops::swish>(x, beta); }
at::Tensor silu(const at::Tensor& x) { return call<ta::ops::silu>(x); }
at::Tensor eswish(const at::Tensor& x, double beta) { return call<ta::ops::eswish>(x, beta); }
at::Tensor mish(const at::Tensor& x) { return call<ta::ops::mish>(x); }
at::Tensor sqnl(const at::Tensor& x) { return call<ta::ops::sqnl>(x); }
at::Tensor bent_identity(const at::Tensor& x) { return call<ta::ops::bent_identity>(x); }
at::Tensor softplus(const at::Tensor& x, double beta, double threshold) {
  return call<ta::ops::softplus>(x, beta, threshold);
}
at::Tensor softsign(const at::Tensor& x) { return call<ta::ops::softsign>(x); }
at::Tensor sine(const at::Tensor& x, double w0) { return call<ta::ops::sine>(x, w0); }
at::Tensor cosine(const at::Tensor& x, double w0) { return call<ta::ops::cosine>(x, w0); }
at::Tensor sinc(const at::Tensor& x, bool normalized) {
  return call<ta::ops::sinc>(x, normalized);
}
at::Tensor arctan(const at::Tensor& x) { return call<ta::ops::arctan>(x); }
at::Tensor logsigmoid(const at::Tensor& x) { return call<ta::ops::logsigmoid>(x); }
at::Tensor tanhexp(const at::Tensor& x) { return call<ta::ops::tanhexp>(x); }
at::Tensor hard_swish(const at::Tensor& x) { return call<ta::ops::hard_swish>(x); }
at::Tensor hard_sigmoid(const at::Tensor& x, double slope, double offset) {
  return call<ta::ops::hard_sigmoid>(x, slope, offset);
}
at::Tensor quant_relu(const at::Tensor& x, int64_t levels, double max_val) {
  return call<ta::ops::quant_relu>(x, levels, max_val);
}

at::Tensor rrelu(const at::Tensor& x, double lower, double upper, bool training,
                 std::optional<at::Generator> generator) {
  static const auto op = ta::find_op<at::Tensor(const at::Tensor&, double, double, bool,
                                                std::optional<at::Generator>)>("rrelu");
  return op.call(x, lower, upper, training, std::move(generator));
}

std::vector<std::string> pointwise_names() {
  return {
#define TA_X(name) #name,
      TA_POINTWISE_OPS(TA_X)
#undef TA_X
      "rrelu"};
}

at::Tensor apply(const std::string& name, const at::Tensor& x) {
  const auto names = pointwise_names();
  TORCH_CHECK(std::find(names.begin(), names.end(), name) != names.end(),
              "torch_activations::apply: unknown pointwise activation '", name, "'");
  const auto op = c10::Dispatcher::singleton().findSchemaOrThrow(
      ("torch_activations::" + name).c_str(), "");
  const auto& arguments = op.schema().arguments();
  torch::jit::Stack stack{x};
  for (size_t i = 1; i < arguments.size(); ++i) {
    stack.push_back(*arguments[i].default_value());
  }
  op.callBoxed(&stack);
  return stack[0].toTensor();
}

}  // namespace torch_activations
