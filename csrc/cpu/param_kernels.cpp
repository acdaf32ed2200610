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
#include <ATen/Parallel.h>
#include <ATen/core/Tensor.h>

#include <vector>

#include "../ops/kernel_table.h"
#include "../ops/learnable_ops.h"
#include "loops.h"

namespace ta::cpu {
inline namespace CPU_CAPABILITY {
namespace {

constexpr int64_t kChunk = 4096;  // elements per reduction chunk

using math::Mode;

// VecO::size() consecutive parameters as an opmath vector.
template <class scalar_t, class opmath_t>
at::vec::Vectorized<opmath_t> load_params(const scalar_t* ptr) {
  using VecO = at::vec::Vectorized<opmath_t>;
  if constexpr (std::is_same_v<scalar_t, opmath_t>) {
    return VecO::loadu(ptr);
  } else {
    opmath_t tmp[VecO::size()];
    for (int l = 0; l < VecO::size(); ++l) tmp[l] = static_cast<opmath_t>(ptr[l]);
    return VecO::loadu(tmp);
  }
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
// returns the parameter sums in `sums` (opmath).
template <Mode M, class F, class scalar_t>
void run_row(const F& fn, const Ptrs<scalar_t>& t, int64_t begin, int64_t end,
             const at::opmath_type<scalar_t>* p, const at::opmath_type<scalar_t>* ggp,
             at::opmath_type<scalar_t>* sums) {
  using opmath_t = at::opmath_type<scalar_t>;
  using VecS = at::vec::Vectorized<scalar_t>;
  using VecO = at::vec::Vectorized<opmath_t>;
  constexpr int NI = kIn<M>, NO = kOut<M>;
  constexpr bool kReduced = c10::is_reduced_floating_point_v<scalar_t>;
  VecO pv[F::kMaxP], ggpv[F::kMaxP], accv[F::kMaxP];
  opmath_t accs[F::kMaxP];
  for (int k = 0; k < fn.P; ++k) {
    pv[k] = VecO(p[k]);
    ggpv[k] = VecO(ggp ? ggp[k] : opmath_t(0));
    accv[k] = VecO(opmath_t(0));
    accs[k] = opmath_t(0);
  }
  int64_t i = begin;
  for (; i + VecS::size() <= end; i += VecS::size()) {
    VecS raw[NI];
    for (int a = 0; a < NI; ++a) raw[a] = VecS::loadu(t.in[a] + i);
    if constexpr (kReduced) {
      VecO lo[NI], hi[NI], olo[2], ohi[2];
      for (int a = 0; a < NI; ++a) std::tie(lo[a], hi[a]) = at::vec::convert_to_float<scalar_t>(raw[a]);
      element<M>(fn, lo, olo, pv, ggpv, accv);
      element<M>(fn, hi, ohi, pv, ggpv, accv);
      for (int o = 0; o < NO; ++o) at::vec::convert_from_float<scalar_t>(olo[o], ohi[o]).store(t.out[o] + i);
    } else {
      VecO res[2];
      element<M>(fn, raw, res, pv, ggpv, accv);
      for (int o = 0; o < NO; ++o) res[o].store(t.out[o] + i);
    }
  }
  for (; i < end; ++i) {
    opmath_t v[NI], res[2];
    for (int a = 0; a < NI; ++a) v[a] = static_cast<opmath_t>(t.in[a][i]);
    element<M>(fn, v, res, p, ggp, accs);
    for (int o = 0; o < NO; ++o) t.out[o][i] = static_cast<scalar_t>(res[o]);
  }
  if constexpr (M != Mode::kForward) {
    for (int k = 0; k < fn.P; ++k) {
      opmath_t tmp[VecO::size()];
      accv[k].store(tmp);
      opmath_t s = accs[k];
      for (int l = 0; l < VecO::size(); ++l) s += tmp[l];
      sums[k] = s;
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
  using VecS = at::vec::Vectorized<scalar_t>;
  using VecO = at::vec::Vectorized<opmath_t>;
  constexpr int NI = kIn<M>, NO = kOut<M>;
  constexpr bool kReduced = c10::is_reduced_floating_point_v<scalar_t>;
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
        int64_t c = 0;
        for (; c + VecS::size() <= C; c += VecS::size()) {
          VecS raw[NI];
          for (int a = 0; a < NI; ++a) raw[a] = VecS::loadu(t.in[a] + base + c);
          auto run_half = [&](const VecO* in, VecO* res, int64_t coff) {
            VecO pv[F::kMaxP], ggpv[F::kMaxP], contrib[F::kMaxP];
            for (int k = 0; k < fn.P; ++k) {
              pv[k] = load_params<scalar_t, opmath_t>(t.w + k * L.G + gbase + c + coff);
              ggpv[k] = t.ggw ? load_params<scalar_t, opmath_t>(t.ggw + k * L.G + gbase + c + coff)
                              : VecO(opmath_t(0));
              contrib[k] = VecO(opmath_t(0));
            }
            element<M>(fn, in, res, pv, ggpv, contrib);
            if constexpr (M != Mode::kForward) {
              for (int k = 0; k < fn.P; ++k) {
                opmath_t tmp[VecO::size()];
                contrib[k].store(tmp);
                for (int l = 0; l < VecO::size(); ++l) emit(c + coff + l, k, tmp[l]);
              }
            }
          };
          if constexpr (kReduced) {
            VecO lo[NI], hi[NI], olo[2], ohi[2];
            for (int a = 0; a < NI; ++a) std::tie(lo[a], hi[a]) = at::vec::convert_to_float<scalar_t>(raw[a]);
            run_half(lo, olo, 0);
            run_half(hi, ohi, VecO::size());
            for (int o = 0; o < NO; ++o) {
              at::vec::convert_from_float<scalar_t>(olo[o], ohi[o]).store(t.out[o] + base + c);
            }
          } else {
            VecO res[2];
            run_half(raw, res, 0);
            for (int o = 0; o < NO; ++o) res[o].store(t.out[o] + base + c);
          }
        }
        for (; c < C; ++c) {
          opmath_t v[NI], res[2], p[F::kMaxP], ggp[F::kMaxP], contrib[F::kMaxP];
          for (int a = 0; a < NI; ++a) v[a] = static_cast<opmath_t>(t.in[a][base + c]);
          for (int k = 0; k < fn.P; ++k) {
            p[k] = static_cast<opmath_t>(t.w[k * L.G + gbase + c]);
            ggp[k] = t.ggw ? static_cast<opmath_t>(t.ggw[k * L.G + gbase + c]) : opmath_t(0);
            contrib[k] = opmath_t(0);
          }
          element<M>(fn, v, res, p, ggp, contrib);
          for (int o = 0; o < NO; ++o) t.out[o][base + c] = static_cast<scalar_t>(res[o]);
          if constexpr (M != Mode::kForward) {
            for (int k = 0; k < fn.P; ++k) emit(c, k, contrib[k]);
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
void run(const ParamCall& call, const Params& cfg) {
  const F fn(cfg);
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
