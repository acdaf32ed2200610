// One part of the CUDA pointwise kernel table (see PointwisePart in
// csrc/ops/kernel_tables.h): the table is split over the files
// pointwise_<p>.cu so that nvcc compiles it in parallel.
#pragma once

#include "../ops/kernel_tables.h"
#include "loops.cuh"

namespace ta::cuda {

constexpr int kPointwiseParts = 4;

template <int kPart>
const PointwiseKernels* pointwise_part() {
  return tables::PointwisePart<Backend, kPointwiseParts, kPart, tables::PointwiseFunctors>::kTable.data();
}

const PointwiseKernels* pointwise_part0();
const PointwiseKernels* pointwise_part1();
const PointwiseKernels* pointwise_part2();
const PointwiseKernels* pointwise_part3();

}  // namespace ta::cuda
