// Autograd of the learnable ops (csrc/autograd/param_autograd.h).
#include <torch/library.h>

#include "../ops/learnable.h"
#include "param_autograd.h"

namespace ta::autograd {
namespace {

template <class D, class Sig = decltype(&D::config)>
struct LearnableOps;

template <class D, class... A>
struct LearnableOps<D, typename D::F::Args (*)(int64_t, A...)> : Learnable<D> {
  static const char* name() { return D::kName; }
  using Autograd = ParamAutograd<LearnableOps, A...>;
};

}  // namespace

TORCH_LIBRARY_IMPL(torch_activations, Autograd, m) {
#define TA_X(name) LearnableOps<ops::name>::Autograd::impl(m, #name);
  TA_LEARNABLE_OPS(TA_X)
#undef TA_X
}

}  // namespace ta::autograd
