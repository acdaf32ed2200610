// Build configuration shared by every translation unit that includes the math.
//
// The activation math (csrc/math/*.h) is compiled several times: once per CPU
// instruction set (DEFAULT, AVX2, AVX512, selected by the CPU_CAPABILITY macro
// exactly as ATen does it), once by nvcc for CUDA, and once for host-side code
// that only needs the op descriptors.  Every inline function compiled with
// different flags must have a different mangled name, otherwise the linker
// may keep the AVX-512 copy of, say, `Gelu::f<float>` and run it on a machine
// without AVX-512.  Everything in csrc/math therefore lives in the inline
// namespace TA_NS, which is different for each of those compilations.
#pragma once

#include <c10/macros/Macros.h>

#if defined(__CUDACC__) || defined(__HIPCC__)
#define TA_NS gpu
#define TA_DEVICE_COMPILE 1
#elif defined(CPU_CAPABILITY)
#define TA_NS CPU_CAPABILITY
#else
#define TA_NS host
#endif

// Host and device: every functor method carries this.
#define TA_HD C10_HOST_DEVICE inline
