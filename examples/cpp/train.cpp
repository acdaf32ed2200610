// Trains a small MLP in pure C++ (LibTorch) with torch_activations ops as its
// hidden activations, through the library's C++ API (a pointwise, a gated and
// a learnable op: Mish, SwiGLU, PReLU with its weight a parameter of the
// model), and checks first and second derivatives of a few ops (C++
// autograd, create_graph) against finite differences, and a third derivative
// against its formula.  Exits non-zero when a check fails.
//
//   train [steps]
#include <torch/torch.h>
#include <torch_activations/torch_activations.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

namespace ta = torch_activations;

namespace {

// in -> hidden -> hidden -> 1, activations: Mish, SwiGLU (fc2 gives both
// halves), PReLU (a learnable slope per channel), GELU (tanh).
struct MLPImpl : torch::nn::Module {
  MLPImpl(int64_t in, int64_t hidden)
      : fc1(register_module("fc1", torch::nn::Linear(in, hidden))),
        fc2(register_module("fc2", torch::nn::Linear(hidden, 2 * hidden))),
        fc3(register_module("fc3", torch::nn::Linear(hidden, hidden))),
        out(register_module("out", torch::nn::Linear(hidden, 1))),
        prelu_weight(register_parameter("prelu_weight", torch::full({hidden}, 0.25))) {}

  torch::Tensor forward(torch::Tensor x) {
    x = ta::mish(fc1(x));
    x = ta::swiglu(fc2(x));               // a * silu(b), (a, b) the halves of fc2's output
    x = ta::prelu(fc3(x), prelu_weight);  // gradients reach the weight
    return out(ta::gelu(x, "tanh"));
  }

  torch::nn::Linear fc1, fc2, fc3, out;
  torch::Tensor prelu_weight;
};
TORCH_MODULE(MLP);

// Synthetic regression: y = sin(2 x0) cos(x1) + 0.5 x2^2 on [-1.5, 1.5]^3.
std::pair<torch::Tensor, torch::Tensor> make_data(int64_t n) {
  auto x = torch::rand({n, 3}) * 3.0 - 1.5;
  auto y = torch::sin(2.0 * x.select(1, 0)) * torch::cos(x.select(1, 1)) +
           0.5 * x.select(1, 2).pow(2);
  return {x, y.unsqueeze(1)};
}

bool train(int steps) {
  torch::manual_seed(0);
  auto [x, y] = make_data(1024);
  MLP model(3, 64);
  torch::optim::Adam opt(model->parameters(), torch::optim::AdamOptions(1e-2));
  double first = 0.0, last = 0.0;
  for (int step = 0; step <= steps; ++step) {
    opt.zero_grad();
    auto loss = torch::mse_loss(model->forward(x), y);
    loss.backward();
    opt.step();
    last = loss.item<double>();
    if (step == 0) first = last;
    if (step % 50 == 0) std::printf("step %4d  loss %.6f\n", step, last);
  }
  const bool moved = !torch::allclose(model->prelu_weight, torch::full_like(model->prelu_weight, 0.25));
  const bool ok = std::isfinite(last) && last < 0.1 * first && moved;
  std::printf("training: loss %.6f -> %.6f %s\n", first, last,
              ok ? "(ok)" : "FAILED: expected it to fall below a tenth, and PReLU's weight to train");
  return ok;
}

using Fn = std::function<torch::Tensor(const torch::Tensor&)>;

// d/dx sum(f(x)) = f'(x) elementwise (f is elementwise).
torch::Tensor derivative(const Fn& f, const torch::Tensor& x) {
  auto xg = x.detach().requires_grad_(true);
  return torch::autograd::grad({f(xg).sum()}, {xg})[0];
}

double max_error(const torch::Tensor& got, const torch::Tensor& want) {
  // |got - want| relative to max(1, |want|).
  return ((got - want).abs() / want.abs().clamp_min(1.0)).max().item<double>();
}

bool check_derivatives(const std::string& name, const Fn& f) {
  const double h = 1e-5, tol = 1e-6;
  auto x = torch::linspace(-3.05, 2.95, 25, torch::kDouble);

  // Second derivative through the graph of the first one (double backward).
  auto xg = x.clone().requires_grad_(true);
  auto d1 = torch::autograd::grad({f(xg).sum()}, {xg}, {}, true, /*create_graph=*/true)[0];
  auto d2 = torch::autograd::grad({d1.sum()}, {xg})[0];

  torch::Tensor fd1, fd2;
  {
    torch::NoGradGuard no_grad;
    fd1 = (f(x + h) - f(x - h)) / (2 * h);
  }
  fd2 = (derivative(f, x + h) - derivative(f, x - h)) / (2 * h);

  const double e1 = max_error(d1.detach(), fd1), e2 = max_error(d2, fd2);
  const bool ok = e1 < tol && e2 < tol;
  std::printf("%-22s f' error %.2e  f'' error %.2e  %s\n", name.c_str(), e1, e2,
              ok ? "ok" : "FAILED");
  return ok;
}

// The third derivative of sin(w0 x), -w0^3 cos(w0 x): every order works.
bool check_third_derivative() {
  const double w0 = 3.0;
  auto x = torch::linspace(-2.0, 2.0, 17, torch::kDouble).requires_grad_(true);
  auto d1 = torch::autograd::grad({ta::sine(x, w0).sum()}, {x}, {}, true, true)[0];
  auto d2 = torch::autograd::grad({d1.sum()}, {x}, {}, true, true)[0];
  auto d3 = torch::autograd::grad({d2.sum()}, {x})[0];
  const double e = max_error(d3, -w0 * w0 * w0 * torch::cos(w0 * x.detach()));
  const bool ok = e < 1e-10;
  std::printf("%-22s third derivative error %.2e  %s\n", "sine(w0=3)", e, ok ? "ok" : "FAILED");
  return ok;
}

}  // namespace

int main(int argc, char** argv) try {
  const int steps = argc > 1 ? std::atoi(argv[1]) : 300;
  bool ok = true;

  std::printf("derivatives against central differences (float64):\n");
  ok &= check_derivatives("mish", [](const torch::Tensor& t) { return ta::mish(t); });
  ok &= check_derivatives("gelu(tanh)", [](const torch::Tensor& t) { return ta::gelu(t, "tanh"); });
  ok &= check_derivatives("gelu", [](const torch::Tensor& t) { return ta::gelu(t); });
  ok &= check_derivatives("softplus(beta=2)",
                          [](const torch::Tensor& t) { return ta::softplus(t, 2.0); });
  ok &= check_derivatives("apply(\"swish\")",
                          [](const torch::Tensor& t) { return ta::apply("swish", t); });

  ok &= check_derivatives("swiglu", [](const torch::Tensor& t) {
    return ta::swiglu(torch::stack({t, t}, 1), 1).squeeze(1);  // t * silu(t), elementwise
  });
  ok &= check_third_derivative();

  std::printf("training an MLP (Mish, SwiGLU, PReLU, GELU tanh) with Adam, %d steps:\n", steps);
  ok &= train(steps);

  std::printf("%s\n", ok ? "OK" : "FAILED");
  return ok ? 0 : 1;
} catch (const std::exception& e) {
  std::fprintf(stderr, "train: error: %s\n", e.what());
  return 2;
}
