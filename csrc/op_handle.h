// The typed dispatcher handle of a torch_activations op, by name (the C++ API,
// csrc/api.cpp, and the Python entry points, bindings/fast.cpp).
#pragma once

#include <ATen/core/dispatch/Dispatcher.h>

#include <string>

namespace torch_activations::detail {

template <class Sig>
c10::TypedOperatorHandle<Sig> find(const char* name) {
  return c10::Dispatcher::singleton()
      .findSchemaOrThrow((std::string("torch_activations::") + name).c_str(), "")
      .template typed<Sig>();
}

}  // namespace torch_activations::detail
