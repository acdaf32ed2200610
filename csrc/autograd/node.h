// The autograd of the library, written the way PyTorch's generated
// VariableType kernels are (see docs/autograd.md for why): an op's Autograd
// kernel creates a Node (a subclass of torch::autograd::Node) holding what
// the backward needs (SavedVariable, the op's non-tensor arguments), calls
// the op below the autograd keys, sets the outputs' history, and computes
// the outputs' forward-mode tangents.  Every backward formula calls ops of
// the library through the dispatcher with autograd on, so derivatives nest
// (create_graph, forward-over-reverse), and torch.func transforms accept the
// ops (functorch refuses C++ torch::autograd::Function).
//
// This header holds the pieces every family uses.
#pragma once

#include <ATen/core/dispatch/Dispatcher.h>
#include <c10/core/impl/LocalDispatchKeySet.h>
#include <torch/autograd.h>
#include <torch/csrc/autograd/VariableTypeUtils.h>
#include <torch/csrc/autograd/function.h>
#include <torch/csrc/autograd/functions/utils.h>
#include <torch/csrc/autograd/saved_variable.h>

#include <array>
#include <memory>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>

#include "../ops/common.h"

namespace ta::autograd {

using at::Tensor;
using torch::autograd::Node;
using torch::autograd::SavedVariable;
using torch::autograd::variable_list;

// What owns a Node: std::shared_ptr up to torch 2.12, c10::intrusive_ptr
// from 2.13 on (Node::getptr returns it either way).
using NodePtr = decltype(std::declval<Node&>().getptr());
constexpr bool kSharedNodes = std::is_same_v<NodePtr, std::shared_ptr<Node>>;

// A new node of type T.  (torch <= 2.12 frees long chains of nodes with
// deleteNode, found by argument-dependent lookup so that the name need not
// exist in newer versions, whose branch this is not.)
template <class T>
auto make_node() {
  if constexpr (kSharedNodes) {
    return std::shared_ptr<T>(new T(), [](T* n) { deleteNode(n); });
  } else {
    return c10::make_intrusive<T>();
  }
}

// A node pointer as the base class's pointer type.
template <class P>
NodePtr as_node(const P& p) {
  return p;
}

// ------------------------------------------------------ non-tensor arguments
// Kept by value in a node (a string_view argument as a std::string).
template <class A>
struct Stored {
  using type = std::decay_t<A>;
};
template <>
struct Stored<c10::string_view> {
  using type = std::string;
};
template <class... A>
using ArgTuple = std::tuple<typename Stored<A>::type...>;
template <class... A>
ArgTuple<A...> store_args(const A&... a) {
  return ArgTuple<A...>(typename Stored<A>::type(a)...);
}

// ------------------------------------------------------------ tensors
inline bool requires_grad(std::initializer_list<const Tensor*> ts) {
  if (!at::GradMode::is_enabled()) return false;
  for (const Tensor* t : ts) {
    if (t->defined() && t->requires_grad()) return true;
  }
  return false;
}

// The forward-mode tangent of t (undefined when it has none).
inline Tensor tangent(const Tensor& t) {
  return t.defined() ? t._fw_grad(/*level=*/0) : Tensor();
}
// t without its tangent: what forward-mode formulas are evaluated at.
inline Tensor primal(const Tensor& t) {
  return t.defined() && t._fw_grad(0).defined() ? t._fw_primal(0) : t;
}
inline bool any_tangent(std::initializer_list<const Tensor*> ts) {
  for (const Tensor* t : ts) {
    if (t->defined() && t->_fw_grad(0).defined()) return true;
  }
  return false;
}

// a + b where either may be undefined (a missing tangent term).
inline Tensor add_defined(const Tensor& a, const Tensor& b) {
  if (!a.defined()) return b;
  if (!b.defined()) return a;
  return a + b;
}

inline void set_tangent(const Tensor& out, const Tensor& t, bool inplace = false) {
  if (t.defined() && out.defined()) out._set_fw_grad(t, /*level=*/0, inplace);
}

// The keys below autograd, for redispatching from an Autograd kernel.
inline c10::DispatchKeySet below_autograd(c10::DispatchKeySet ks) {
  return ks & c10::after_autograd_keyset;
}

// ------------------------------------------------------------------ nodes
// A node with N saved tensors and the op's arguments A...; `Derived::run`
// computes the input gradients.
template <class Derived, std::size_t N, class... A>
struct OpNode : Node {
  std::array<SavedVariable, N> saved;
  ArgTuple<A...> args;
  std::string op;  // the op's name, for name()

  Tensor unpack(std::size_t i) { return saved[i].unpack(getptr()); }

  variable_list apply(variable_list&& grads) override {
    return static_cast<Derived*>(this)->run(grads);
  }
  void release_variables() override {
    for (auto& s : saved) s.reset_data();
  }
  std::string name() const override { return "torch_activations::" + op + "_backward"; }

  template <class Fn>
  decltype(auto) with_args(Fn&& fn) const {
    return std::apply(std::forward<Fn>(fn), args);
  }
};

// The node of an op's output(s), connected to the op's tensor inputs.
template <class NodeT>
auto make_op_node(const std::string& op, std::initializer_list<const Tensor*> inputs) {
  auto node = make_node<NodeT>();
  node->op = op;
  torch::autograd::edge_list edges;
  edges.reserve(inputs.size());
  for (const Tensor* t : inputs) {
    edges.emplace_back(t->defined() ? torch::autograd::impl::gradient_edge(*t)
                                    : torch::autograd::Edge());
  }
  node->set_next_edges(std::move(edges));
  return node;
}

}  // namespace ta::autograd
