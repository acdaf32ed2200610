#pragma once

#include <string>

namespace ta::cpu {

enum : int { kDefault = 0, kAvx2 = 1, kAvx512 = 2 };

// The instruction set the CPU kernels use now.
int current_capability();
const char* capability_name(int cap);
// Lowers (or restores) the instruction set; returns the previous one.
int set_capability(const std::string& name);

// Whether the contiguous elementwise loops (loops.h) prefetch their inputs
// ahead.  On Intel it speeds up the kernels whose arithmetic fills the
// out-of-order window (2^22 floats, one thread, Sapphire Rapids: gelu 19.2
// -> 17.6 cycles per 16 floats); on AMD Zen 4 it slows the memory-bound ones
// (relu at 2^22: 1162 vs 899 us) and gains nothing on the others, so there
// it is off.  TORCH_ACTIVATIONS_CPU_PREFETCH=0 or 1 overrides the choice.
bool software_prefetch();

}  // namespace ta::cpu
