// EvoNorm-B0 and EvoNorm-S0 (Liu et al., NeurIPS 2020), registered as
// CompositeImplicitAutograd ops: they are compositions of reductions and
// elementwise ATen ops, so autograd (to any order), Meta/fake tensors,
// torch.compile and every device come from the composition.
//
//   evonorm_b0(Tensor self, Tensor gamma, Tensor beta, Tensor v, Tensor? running_var,
//              bool training, float eps=1e-05) -> (Tensor, Tensor)
//     y = x / max(sqrt(s²_batch + eps), v x + sqrt(s²_instance + eps)) γ + β;
//     s²_batch over (N, spatial) per channel in training (running_var in eval),
//     s²_instance over the spatial dims; also returns the batch variance used
//     ([C], biased), from which the module updates its running variance.
//   evonorm_s0(Tensor self, Tensor gamma, Tensor beta, Tensor v, int groups,
//              float eps=1e-05) -> Tensor
//     y = x σ(v x) / sqrt(s²_group + eps) γ + β, s²_group over each group of
//     C/groups channels and the spatial dims, per sample.
#include <ATen/ATen.h>
#include <torch/library.h>

#include "../generated/spec.h"
#include "common.h"

namespace ta {
namespace {

using at::Tensor;

// [C] parameters as [1, C, 1, ...] for an input of `dim` dimensions.
Tensor per_channel(const Tensor& p, int64_t dim) {
  std::vector<int64_t> shape(dim, 1);
  shape[1] = -1;
  return p.reshape(shape);
}

void check_param(const char* op, const char* name, const Tensor& p, const Tensor& x) {
  check_like(op, "input", x, name, p);
  TORCH_CHECK(p.dim() == 1 && p.sym_size(0) == x.sym_size(1), op, ": ", name,
              " must have shape [C] = [", x.sym_size(1), "], got ", p.sym_sizes());
}

std::tuple<Tensor, Tensor> evonorm_b0(const Tensor& x, const Tensor& gamma, const Tensor& beta,
                                      const Tensor& v, const std::optional<Tensor>& running_var,
                                      bool training, double eps) {
  const char* op = "evonorm_b0";
  check_floating(op, "input", x);
  TORCH_CHECK(x.dim() >= 3, op, ": expected an input [N, C, *] with at least one spatial dimension, got shape ",
              x.sym_sizes());
  check_param(op, "gamma", gamma, x);
  check_param(op, "beta", beta, x);
  check_param(op, "v", v, x);
  TORCH_CHECK(eps > 0, op, ": eps must be positive, got ", eps);
  std::vector<int64_t> batch_dims{0}, instance_dims;
  for (int64_t d = 2; d < x.dim(); ++d) {
    batch_dims.push_back(d);
    instance_dims.push_back(d);
  }
  Tensor var;
  if (training) {
    var = at::var(x, batch_dims, /*correction=*/0, /*keepdim=*/true);
  } else {
    TORCH_CHECK(running_var.has_value() && running_var->defined(), op,
                ": running_var is required in eval mode (training=False)");
    check_param(op, "running_var", *running_var, x);
    var = per_channel(*running_var, x.dim());
  }
  const Tensor batch_std = at::sqrt(var + eps);
  const Tensor instance_std = at::sqrt(at::var(x, instance_dims, /*correction=*/0, true) + eps);
  const Tensor den = at::maximum(batch_std, per_channel(v, x.dim()) * x + instance_std);
  const Tensor y = x / den * per_channel(gamma, x.dim()) + per_channel(beta, x.dim());
  return {y, var.reshape({-1})};
}

Tensor evonorm_s0(const Tensor& x, const Tensor& gamma, const Tensor& beta, const Tensor& v,
                  int64_t groups, double eps) {
  const char* op = "evonorm_s0";
  check_floating(op, "input", x);
  TORCH_CHECK(x.dim() >= 2, op, ": expected an input [N, C, *], got shape ", x.sym_sizes());
  check_param(op, "gamma", gamma, x);
  check_param(op, "beta", beta, x);
  check_param(op, "v", v, x);
  TORCH_CHECK(groups >= 1, op, ": groups must be >= 1, got ", groups);
  const c10::SymInt C = x.sym_size(1);
  TORCH_CHECK(C % groups == 0, op, ": the number of channels (", C,
              ") is not divisible by groups (", groups, ")");
  TORCH_CHECK(eps > 0, op, ": eps must be positive, got ", eps);
  // variance over each group of C/groups channels and the spatial dims
  const Tensor grouped = x.reshape_symint({x.sym_size(0), c10::SymInt(groups), -1});
  const Tensor var = at::var(grouped, {2}, /*correction=*/0, /*keepdim=*/true);
  const Tensor std = at::sqrt(var + eps)
                         .expand_symint({x.sym_size(0), c10::SymInt(groups), grouped.sym_size(2)})
                         .reshape_symint(x.sym_sizes());
  const Tensor gate = at::sigmoid(per_channel(v, x.dim()) * x);
  return x * gate / std * per_channel(gamma, x.dim()) + per_channel(beta, x.dim());
}

}  // namespace

void define_evonorm(torch::Library& m) {
  def_op(m, std::string("evonorm_b0(Tensor self, ") + spec::kEvonormB0Args + ") -> (Tensor, Tensor)");
  def_op(m, std::string("evonorm_s0(Tensor self, ") + spec::kEvonormS0Args + ") -> Tensor");
}

TORCH_LIBRARY_IMPL(torch_activations, CompositeImplicitAutograd, m) {
  m.impl("evonorm_b0", &evonorm_b0);
  m.impl("evonorm_s0", &evonorm_s0);
}

}  // namespace ta
