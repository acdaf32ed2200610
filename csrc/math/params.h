// The parameters of a pointwise activation, as they travel from the op's
// host wrapper (which validates the schema arguments) to a kernel compiled for
// some instruction set or for CUDA.  Plain data with one layout everywhere:
// every parameter is stored as a double (bools as 0/1, enums as small codes).
#pragma once

namespace ta {

struct Params {
  double v[4] = {0.0, 0.0, 0.0, 0.0};
};

}  // namespace ta
