#pragma once

#include <string>

namespace ta::cpu {

enum : int { kDefault = 0, kAvx2 = 1, kAvx512 = 2 };

// The instruction set the CPU kernels use now.
int current_capability();
const char* capability_name(int cap);
// Lowers (or restores) the instruction set; returns the previous one.
int set_capability(const std::string& name);

}  // namespace ta::cpu
