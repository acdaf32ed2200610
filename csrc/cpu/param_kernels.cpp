// CPU kernels of the activations with learnable parameters (the functors of
// csrc/math/learnable.h): forward, backward (input gradient and parameter
// gradients) and double backward, for every dtype.  Compiled once per
// instruction set.
//
// Layout (see ParamLayout): x is contiguous [N, C, S] and the parameters are
// [P, G] with G groups: one (shared), C (per channel) or N·C (per sample and
// channel).  Two loop shapes:
//   - rows: each (n, c) row of S elements shares one parameter vector, which
//     is broadcast; vectorized along the row;
//   - lanes (S == 1, parameters vary along the contiguous C): vectorized
//     across channels with the parameters loaded as vectors.
// Parameter gradients are reduced deterministically: the work is cut into
// fixed chunks (independent of the number of threads), each chunk sums its
// own contributions, and the chunk sums are added in chunk order, in double.
// Every element goes through the vector code (the tail of a row or of the
// channels through a partially filled vector whose unused lanes add nothing),
// so an element's outputs do not depend on its position.
#include <ATen/Parallel.h>
#include <ATen/core/Tensor.h>

#include <vector>

#include "../ops/kernel_table.h"
#include "../ops/learnable_ops.h"
#include "loops.h"

namespace ta::cpu {
inline namespace CPU_CAPABILITY {
namespace {

constexpr int64_t kChunk = kParamChunk;

using math::Mode;

// `count` (<= VecO::size()) consecutive values as an opmath vector, zeros in
// the other lanes.
template <class scalar_t, class opmath_t>
at::vec::Vectorized<opmath_t> load_opmath(const scalar_t* ptr, int64_t count) {
  using VecO = at::vec::Vectorized<opmath_t>;
  if constexpr (std::is_same_v<scalar_t, opmath_t>) {
    return VecO::loadu(ptr, count);
  } else {  // 16-bit: the low half of a widened vector
    return std::get<0>(at::vec::convert_to_float<scalar_t>(at::vec::Vectorized<scalar_t>::loadu(ptr, count)));
  }
}

template <class scalar_t, class opmath_t>
void store_opmath(const at::vec::Vectorized<opmath_t>& v, scalar_t* ptr, int64_t count) {
  if constexpr (std::is_same_v<scalar_t, opmath_t>) {
    v.store(ptr, count);
  } else {
    at::vec::convert_from_float<scalar_t>(v, v).store(ptr, count);
  }
}

// Lanes [0, count) of v, zeros elsewhere.
template <class opmath_t>
at::vec::Vectorized<opmath_t> first_lanes(const at::vec::Vectorized<opmath_t>& v, int64_t count) {
  using VecO = at::vec::Vectorized<opmath_t>;
  if (count >= VecO::size()) return v;
  opmath_t tmp[VecO::size()];
  v.store(tmp);
  for (int64_t l = count; l < VecO::size(); ++l) tmp[l] = opmath_t(0);
  return VecO::loadu(tmp);
}

// The tensors of one call, as raw pointers (all contiguous, one dtype).
template <class scalar_t>
struct Ptrs {
  // forward: out[0] = y;                     in[0] = x
  // backward: out[0] = gx;                   in[0] = x, in[1] = g
  // double backward: out[0] = dg, out[1] = dx;  in[0] = x, in[1] = g, in[2] = ggx
  scalar_t* out[2] = {nullptr, nullptr};
  const scalar_t* in[3] = {nullptr, nullptr, nullptr};
  const scalar_t* w = nullptr;    // [P, G]
  const scalar_t* ggw = nullptr;  // [P, G] (double backward)
  scalar_t* red = nullptr;        // [P, G]: gw (backward) or dw (double backward)
};

template <Mode M, class F, class T>
inline void element(const F& fn, const T* in, T* out, const T* p, const T* ggp, T* acc) {
  math::learnable_element<M>(fn, in, out, p, ggp, acc);
}

template <Mode M>
constexpr int kIn = math::kModeInputs<M>;
template <Mode M>
constexpr int kOut = math::kModeOutputs<M>;

// Elements [begin, end) of one row whose parameters are p (broadcast);
// returns the parameter sums in `sums` (opmath), added lane by lane in a
// fixed order.
template <Mode M, class F, class scalar_t>
void run_row(const F& fn, const Ptrs<scalar_t>& t, int64_t begin, int64_t end,
             const at::opmath_type<scalar_t>* p, const at::opmath_type<scalar_t>* ggp,
             at::opmath_type<scalar_t>* sums) {
  using opmath_t = at::opmath_type<scalar_t>;
  using VecO = at::vec::Vectorized<opmath_t>;
  constexpr int NI = kIn<M>, NO = kOut<M>;
  constexpr int64_t kW = VecO::size();
  VecO pv[F::kMaxP], ggpv[F::kMaxP], accv[F::kMaxP];
  for (int k = 0; k < fn.P; ++k) {
    pv[k] = VecO(p[k]);
    ggpv[k] = VecO(ggp ? ggp[k] : opmath_t(0));
    accv[k] = VecO(opmath_t(0));
  }
  for (int64_t i = begin; i < end; i += kW) {
    const int64_t count = std::min(kW, end - i);
    VecO in[NI], res[2];
    for (int a = 0; a < NI; ++a) in[a] = load_opmath<scalar_t, opmath_t>(t.in[a] + i, count);
    if (count == kW) {
      element<M>(fn, in, res, pv, ggpv, accv);
    } else {
      VecO part[F::kMaxP];
      for (int k = 0; k < fn.P; ++k) part[k] = VecO(opmath_t(0));
      element<M>(fn, in, res, pv, ggpv, part);
      for (int k = 0; k < fn.P; ++k) accv[k] = accv[k] + first_lanes(part[k], count);
    }
    for (int o = 0; o < NO; ++o) store_opmath<scalar_t, opmath_t>(res[o], t.out[o] + i, count);
  }
  if constexpr (M != Mode::kForward) {
    for (int k = 0; k < fn.P; ++k) {
      opmath_t tmp[kW];
      accv[k].store(tmp);
      opmath_t total = opmath_t(0);
      for (int64_t l = 0; l < kW; ++l) total += tmp[l];
      sums[k] = total;
    }
  }
}

// Rows: chunks of at most kChunk elements inside each (n, c) row.
template <Mode M, class F, class scalar_t>
void run_rows(const F& fn, const Ptrs<scalar_t>& t, const ParamLayout& L) {
  using opmath_t = at::opmath_type<scalar_t>;
  const int64_t rows = L.N * L.C;
  const int64_t per_row = std::max<int64_t>(1, (L.S + kChunk - 1) / kChunk);
  const int64_t chunks = rows * per_row;
  std::vector<double> partial(M == Mode::kForward ? 0 : chunks * fn.P);
  auto group = [&](int64_t row) { return L.group(row / L.C, row % L.C); };
  at::parallel_for(0, chunks, 1, [&](int64_t cb, int64_t ce) {
    opmath_t p[F::kMaxP], ggp[F::kMaxP], sums[F::kMaxP];
    for (int64_t ch = cb; ch < ce; ++ch) {
      const int64_t row = ch / per_row;
      const int64_t g = group(row);
      for (int k = 0; k < fn.P; ++k) {
        p[k] = static_cast<opmath_t>(t.w[k * L.G + g]);
        ggp[k] = t.ggw ? static_cast<opmath_t>(t.ggw[k * L.G + g]) : opmath_t(0);
      }
      const int64_t s0 = (ch % per_row) * kChunk;
      const int64_t s1 = std::min(L.S, s0 + kChunk);
      Ptrs<scalar_t> r = t;
      for (auto& o : r.out) o = o ? o + row * L.S : o;
      for (auto& in : r.in) in = in ? in + row * L.S : in;
      run_row<M>(fn, r, s0, s1, p, t.ggw ? ggp : nullptr, sums);
      if constexpr (M != Mode::kForward) {
        for (int k = 0; k < fn.P; ++k) partial[ch * fn.P + k] = sums[k];
      }
    }
  });
  if constexpr (M != Mode::kForward) {
    std::vector<double> total(fn.P * L.G, 0.0);
    for (int64_t ch = 0; ch < chunks; ++ch) {
      const int64_t g = group(ch / per_row);
      for (int k = 0; k < fn.P; ++k) total[k * L.G + g] += partial[ch * fn.P + k];
    }
    for (int64_t i = 0; i < fn.P * L.G; ++i) t.red[i] = static_cast<scalar_t>(total[i]);
  }
}

// Lanes: x is [N, C] (S == 1) and the parameters vary along C (G = C or
// N·C); chunks are blocks of rows, vectorized across C.
template <Mode M, class F, class scalar_t>
void run_lanes(const F& fn, const Ptrs<scalar_t>& t, const ParamLayout& L) {
  using opmath_t = at::opmath_type<scalar_t>;
  using VecO = at::vec::Vectorized<opmath_t>;
  constexpr int NI = kIn<M>, NO = kOut<M>;
  constexpr int64_t kW = VecO::size();
  const int64_t C = L.C;
  const int64_t rows_per_chunk = std::max<int64_t>(1, kChunk / C);
  const int64_t chunks = (L.N + rows_per_chunk - 1) / rows_per_chunk;
  const bool per_sample = L.G == L.N * L.C && L.N > 1;
  // per-sample groups get exactly one contribution each: no reduction.
  std::vector<double> partial(M == Mode::kForward || per_sample ? 0 : chunks * fn.P * C);
  at::parallel_for(0, chunks, 1, [&](int64_t cb, int64_t ce) {
    std::vector<opmath_t> acc(fn.P * C);
    for (int64_t ch = cb; ch < ce; ++ch) {
      std::fill(acc.begin(), acc.end(), opmath_t(0));
      const int64_t n0 = ch * rows_per_chunk, n1 = std::min(L.N, n0 + rows_per_chunk);
      for (int64_t n = n0; n < n1; ++n) {
        const int64_t base = n * C;
        const int64_t gbase = per_sample ? n * C : 0;
        // accumulate into acc[k * C + c] (or write directly, per sample)
        auto emit = [&](int64_t c, int k, auto value) {
          if constexpr (M != Mode::kForward) {
            if (per_sample) {
              t.red[k * L.G + gbase + c] = static_cast<scalar_t>(value);
            } else {
              acc[k * C + c] += value;
            }
          }
        };
        for (int64_t c = 0; c < C; c += kW) {
          const int64_t count = std::min(kW, C - c);
          VecO in[NI], res[2], pv[F::kMaxP], ggpv[F::kMaxP], contrib[F::kMaxP];
          for (int a = 0; a < NI; ++a) in[a] = load_opmath<scalar_t, opmath_t>(t.in[a] + base + c, count);
          for (int k = 0; k < fn.P; ++k) {
            pv[k] = load_opmath<scalar_t, opmath_t>(t.w + k * L.G + gbase + c, count);
            ggpv[k] = t.ggw ? load_opmath<scalar_t, opmath_t>(t.ggw + k * L.G + gbase + c, count)
                            : VecO(opmath_t(0));
            contrib[k] = VecO(opmath_t(0));
          }
          element<M>(fn, in, res, pv, ggpv, contrib);
          for (int o = 0; o < NO; ++o) store_opmath<scalar_t, opmath_t>(res[o], t.out[o] + base + c, count);
          if constexpr (M != Mode::kForward) {
            for (int k = 0; k < fn.P; ++k) {
              opmath_t tmp[kW];
              contrib[k].store(tmp);
              for (int64_t l = 0; l < count; ++l) emit(c + l, k, tmp[l]);
            }
          }
        }
      }
      if (!partial.empty()) {
        for (int64_t i = 0; i < fn.P * C; ++i) partial[ch * fn.P * C + i] = acc[i];
      }
    }
  });
  if (M != Mode::kForward && !per_sample) {
    std::vector<double> total(fn.P * C, 0.0);
    for (int64_t ch = 0; ch < chunks; ++ch) {
      for (int64_t i = 0; i < fn.P * C; ++i) total[i] += partial[ch * fn.P * C + i];
    }
    for (int64_t i = 0; i < fn.P * C; ++i) t.red[i] = static_cast<scalar_t>(total[i]);
  }
}

template <Mode M, class F>
void run(const ParamCall& call, const void* args) {
  const F fn(*static_cast<const typename F::Args*>(args));
  const ParamLayout& L = call.layout;
  AT_DISPATCH_FLOATING_TYPES_AND2(at::kHalf, at::kBFloat16, call.in[0].scalar_type(),
                                  "param_activation", [&] {
    Ptrs<scalar_t> t;
    for (int o = 0; o < 2; ++o) {
      if (call.out[o].defined()) t.out[o] = call.out[o].data_ptr<scalar_t>();
    }
    for (int a = 0; a < 3; ++a) {
      if (call.in[a].defined()) t.in[a] = call.in[a].const_data_ptr<scalar_t>();
    }
    t.w = call.weight.const_data_ptr<scalar_t>();
    if (call.grad_weight_in.defined()) t.ggw = call.grad_weight_in.const_data_ptr<scalar_t>();
    if (call.weight_out.defined()) t.red = call.weight_out.data_ptr<scalar_t>();
    if (L.lanes()) {
      run_lanes<M>(fn, t, L);
    } else {
      run_rows<M>(fn, t, L);
    }
  });
}

template <class F>
constexpr ParamKernels make() {
  return {&run<Mode::kForward, F>, &run<Mode::kBackward, F>, &run<Mode::kDoubleBackward, F>};
}

constexpr ParamKernels kTable[] = {
#define TA_X(name) make<ops::name::F>(),
    TA_LEARNABLE_OPS(TA_X)
#undef TA_X
};
static_assert(sizeof(kTable) / sizeof(kTable[0]) == static_cast<size_t>(LearnableOp::kCount));

}  // namespace

const ParamKernels* param_kernels() {
  return kTable;
}

}  // namespace CPU_CAPABILITY
}  // namespace ta::cpu
