// Keeping an op's non-tensor schema arguments in an autograd context, typed:
// save_args(ctx, a...) stores them as one IValue tuple, and
// with_saved_args<A...>(ctx, fn) calls fn(a...) with them restored.
#pragma once

#include <ATen/core/ivalue.h>
#include <torch/autograd.h>

#include <string>
#include <string_view>
#include <utility>

namespace ta::autograd {

// The names every autograd translation unit uses.
using at::Tensor;
using torch::autograd::AutogradContext;
using torch::autograd::Function;
using torch::autograd::variable_list;

template <class T>
c10::IValue to_ivalue(const T& v) {
  return c10::IValue(v);
}
inline c10::IValue to_ivalue(std::string_view v) {
  return c10::IValue(std::string(v));
}

template <class T>
struct FromIValue {
  static T get(const c10::IValue& v) { return v.to<T>(); }
};
template <>
struct FromIValue<std::string_view> {
  static std::string_view get(const c10::IValue& v) { return v.toStringView(); }
};

template <class... A>
void save_args(torch::autograd::AutogradContext* ctx, const A&... a) {
  ctx->saved_data["args"] =
      c10::ivalue::Tuple::create(std::vector<c10::IValue>{to_ivalue(a)...});
}

template <class... A, class Args, class Fn, std::size_t... I>
decltype(auto) call_with(const Args& args, Fn&& fn,
                         std::index_sequence<I...>) {
  return fn(FromIValue<std::decay_t<A>>::get(args[I])...);
}

template <class... A, class Fn>
decltype(auto) with_saved_args(torch::autograd::AutogradContext* ctx, Fn&& fn) {
  const auto& args = ctx->saved_data.at("args").toTupleRef().elements();
  return call_with<A...>(args, std::forward<Fn>(fn),
                         std::index_sequence_for<A...>{});
}

// The gradients of a forward that took `tensors` tensor inputs followed by
// `extra` non-tensor arguments: those of the tensors, then undefined ones.
inline torch::autograd::variable_list grads_then_none(
    std::initializer_list<at::Tensor> grads, std::size_t extra) {
  torch::autograd::variable_list out(grads);
  out.resize(out.size() + extra);
  return out;
}

}  // namespace ta::autograd
