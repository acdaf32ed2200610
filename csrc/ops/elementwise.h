// Running an elementwise kernel (csrc/ops/kernel_table.h) over output and
// input tensors: without an iterator when every operand has the same dense
// layout (one flat loop, the fixed cost of a small op kept low), otherwise
// through a TensorIterator (any strides; views of halves for the gated ops).
#pragma once

#include <ATen/TensorIterator.h>

#include <array>

#include "kernel_table.h"

namespace ta {

template <std::size_t NOut, std::size_t NIn>
void run_elementwise(const ElementwiseFn& fn, const std::array<at::Tensor, NOut>& outs,
                     const std::array<at::Tensor, NIn>& ins, const void* args) {
  const at::Tensor& ref = outs[0];
  if (ref.numel() == 0) return;
  bool flat = fn.contiguous != nullptr && ref.is_non_overlapping_and_dense();
  for (std::size_t k = 0; flat && k < NOut + NIn; ++k) {
    const at::Tensor& t = k < NOut ? outs[k] : ins[k - NOut];
    flat = t.sizes() == ref.sizes() && t.strides() == ref.strides();
  }
  if (flat) {
    char* data[NOut + NIn];
    for (std::size_t k = 0; k < NOut; ++k) data[k] = static_cast<char*>(outs[k].data_ptr());
    for (std::size_t k = 0; k < NIn; ++k) {
      data[NOut + k] = static_cast<char*>(const_cast<void*>(ins[k].const_data_ptr()));
    }
    fn.contiguous(ref.scalar_type(), data, ref.numel(), args);
    return;
  }
  at::TensorIteratorConfig config;
  config.check_all_same_dtype(true);
  for (const auto& t : outs) config.add_output(t);
  for (const auto& t : ins) config.add_const_input(t);
  auto iter = config.build();
  if (iter.numel() > 0) fn.iter(iter, args);
}

}  // namespace ta
