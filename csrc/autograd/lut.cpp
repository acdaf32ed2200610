// Autograd of the look-up-table activation: the parameter-op rules of
// csrc/autograd/param_autograd.h with the table as the parameter.
#include <torch/library.h>

#include "../ops/lut.h"
#include "param_autograd.h"

namespace ta::autograd {

TORCH_LIBRARY_IMPL(torch_activations, Autograd, m) {
  ParamAutograd<lut::Ops, double, double>::impl(m, "lut");
}

}  // namespace ta::autograd
