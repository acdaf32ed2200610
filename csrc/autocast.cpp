// Autocast (torch.autocast / at::autocast) for every op of the library.
//
// torch's own activations run in their input's dtype under autocast
// ("fallthrough" ops); the ones with a weight (prelu) take it in the input's
// dtype.  One boxed kernel does that for each op here, for AutocastCPU and
// AutocastCUDA: every floating-point tensor argument after the first (the
// learnable parameters, tables, ...) is cast to the dtype of the first, then
// the op runs below autocast.  The cast is an ordinary differentiable op, so
// a float32 master weight still receives a float32 gradient.  Arguments the
// op writes to are never cast (a cast would lose the write).
#include <ATen/ATen.h>
#include <ATen/core/dispatch/Dispatcher.h>
#include <torch/library.h>

#include <memory>
#include <string>

namespace ta {
namespace {

bool floating(const c10::IValue& v) {
  return v.isTensor() && v.toTensor().defined() && at::isFloatingType(v.toTensor().scalar_type());
}

void autocast_kernel(const c10::OperatorHandle& op, c10::DispatchKeySet, torch::jit::Stack* stack) {
  const auto& args = op.schema().arguments();
  const size_t base = stack->size() - args.size();
  std::optional<at::ScalarType> dtype;
  size_t first = args.size();
  for (size_t i = 0; i < args.size(); ++i) {
    const auto& v = (*stack)[base + i];
    if (v.isTensor() && v.toTensor().defined()) {
      first = i;
      if (floating(v)) dtype = v.toTensor().scalar_type();
      break;
    }
  }
  if (dtype) {
    for (size_t i = first + 1; i < args.size(); ++i) {
      auto& v = (*stack)[base + i];
      const auto* alias = args[i].alias_info();
      if (!floating(v) || (alias && alias->isWrite()) || v.toTensor().scalar_type() == *dtype) continue;
      v = v.toTensor().to(*dtype);
    }
  }
  c10::impl::ExcludeDispatchKeyGuard no_autocast(c10::autocast_dispatch_keyset);
  op.callBoxed(stack);
}

}  // namespace

// Called at the end of the TORCH_LIBRARY block (csrc/ops.cpp), once every
// schema is defined: registers the kernel for each of them.
void register_autocast() {
  static std::unique_ptr<torch::Library> libs[2];
  const c10::DispatchKey keys[2] = {c10::DispatchKey::AutocastCPU, c10::DispatchKey::AutocastCUDA};
  const std::string prefix = "torch_activations::";
  for (int k = 0; k < 2; ++k) {
    libs[k] = std::make_unique<torch::Library>(torch::Library::IMPL, "torch_activations", keys[k], __FILE__,
                                               __LINE__);
    for (const auto& name : c10::Dispatcher::singleton().getAllOpNames()) {
      if (name.name.rfind(prefix, 0) != 0) continue;
      auto handle = c10::Dispatcher::singleton().findSchema(name);
      if (!handle) continue;
      std::string op = name.name.substr(prefix.size());
      if (!name.overload_name.empty()) op += "." + name.overload_name;
      libs[k]->impl(op.c_str(), torch::CppFunction::makeFromBoxedFunction<&autocast_kernel>());
    }
  }
}

}  // namespace ta
