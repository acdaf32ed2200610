// Bitwise checks of the cheaper vector helpers of csrc/math/overloads.h
// against the general forms they stand in for, in one instruction-set build
// (tests/test_vector_helpers.py compiles it with setup.py's flags):
//   scale2n_nonpos(v, n) == scale2n(v, n)   n in [-150, 0], |v| in [2^-62, 2^64), 0, inf, NaN
//   pow2n(n)             == scale2n(1, n)   n in [-126, 128]
//   exp_neg_abs(x)       == exp(-|x|)       every 61st float, ±0, ±inf, NaN
// Prints the first mismatches and exits 1 if there is any.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "math/overloads.h"

using namespace ta::math;
using VecF = at::vec::Vectorized<float>;

namespace {
int failures = 0;

uint32_t bits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}

// Lanes of a and b equal bit for bit (NaN: any NaN).
void expect_same(const char* what, const VecF& in, const VecF& a, const VecF& b) {
  alignas(64) float x[VecF::size()], ya[VecF::size()], yb[VecF::size()];
  in.store(x), a.store(ya), b.store(yb);
  for (int i = 0; i < VecF::size(); ++i) {
    if (std::isnan(ya[i]) && std::isnan(yb[i])) continue;
    if (bits(ya[i]) != bits(yb[i]) && failures++ < 10)
      std::printf("%s: at %a: %a vs %a\n", what, x[i], ya[i], yb[i]);
  }
}
}  // namespace

int main() {
  std::mt19937 g(1);
  std::uniform_real_distribution<float> e(-62.0f, 63.99f), u(1.0f, 2.0f);
  std::vector<float> vs = {0.0f, -0.0f, std::numeric_limits<float>::infinity(),
                           -std::numeric_limits<float>::infinity(), std::nanf(""), 0x1p-62f, 0x1.fffffep63f};
  for (int i = 0; i < 4000; ++i) vs.push_back((i % 2 ? -1.0f : 1.0f) * std::ldexp(u(g), static_cast<int>(e(g))));
  for (int n = -150; n <= 0; ++n) {
    for (std::size_t i = 0; i + VecF::size() <= vs.size(); i += VecF::size()) {
      const VecF v = VecF::loadu(vs.data() + i), nv(static_cast<float>(n));
      expect_same("scale2n_nonpos", v, scale2n_nonpos(v, nv), scale2n(v, nv));
    }
  }
  for (int n = -126; n <= 128; ++n) {
    const VecF nv(static_cast<float>(n));
    expect_same("pow2n", nv, pow2n(nv), scale2n(VecF(1.0f), nv));
  }
  std::vector<float> xs = {0.0f, -0.0f, std::numeric_limits<float>::infinity(),
                           -std::numeric_limits<float>::infinity(), std::nanf("")};
  for (uint64_t b = 0; b < 0x7f800000u; b += 61) {
    const uint32_t b32 = static_cast<uint32_t>(b);
    float f;
    std::memcpy(&f, &b32, 4);
    xs.push_back(b % 2 ? -f : f);
  }
  for (std::size_t i = 0; i + VecF::size() <= xs.size(); i += VecF::size()) {
    const VecF x = VecF::loadu(xs.data() + i);
    expect_same("exp_neg_abs", x, exp_neg_abs(x), exp(VecF(0.0f) - abs(x)));
  }
  std::printf("%d mismatches\n", failures);
  return failures ? 1 : 0;
}
