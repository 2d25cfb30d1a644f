#pragma once
// The LSTM's parallel building blocks (src/nn/lstm_bptt.cpp): output panels of the large
// products shared out among the OpenMP threads, each panel an ordinary one-thread Eigen product
// whose packed operands fit Eigen's 128 KB stack buffer (no product allocates); fused parallel
// phases; the input-side gradient pass. Panels and blocks depend on the sizes only, so results do
// not depend on the thread count. Internal header.
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ < 13
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"  // Eigen + AVX-512, fixed in GCC 13
#endif
#include <omp.h>

#include <algorithm>
#include <type_traits>

#include "bnlstm/core/tensor.hpp"
#include "packed_weight.hpp"

namespace bnlstm::lstm_kernels {
// (unnamed: one translation unit includes this, and its helpers keep internal linkage, as
// they had in it; with external linkage GCC inlined differently: +5 % at (32, 1024))
namespace {

constexpr Index kPanelBytes = 128 * 1024;  // EIGEN_STACK_ALLOCATION_LIMIT's default
constexpr Index kMinPanel = 16;            // narrower panels waste the GEMM kernel
constexpr Index kPanels = 4;               // panels of a large product, at least

// Width of the panels of n output columns (or rows) when every one of them comes with `depth`
// packed values: the widest multiple of kMinPanel whose packed panel fits kPanelBytes, and
// narrow enough for kPanels panels (work for every thread). Depends on the sizes only.
template <typename T>
Index panel_width(Index n, Index depth) {
  const Index fit = kPanelBytes / (std::max<Index>(depth, 1) * Index(sizeof(T)));
  const Index share = (n + kPanels - 1) / kPanels;
  return std::max(kMinPanel, std::min(fit, share) / kMinPanel * kMinPanel);
}

// f(begin, width) for the panels [begin, begin + width) of [0, n), shared out among the OpenMP
// threads (one thread, or inside a parallel region: a plain loop).
template <typename F>
void for_panels(Index n, Index width, F f) {
  const Index panels = (n + width - 1) / width;
  const int team = omp_in_parallel() ? 1 : int(std::min<Index>(omp_get_max_threads(), panels));
  if (team > 1) {
#pragma omp parallel for schedule(static) num_threads(team)
    for (Index p = 0; p < panels; ++p) f(p * width, std::min(width, n - p * width));
  } else {
    for (Index p = 0; p < panels; ++p) f(p * width, std::min(width, n - p * width));
  }
}

// f1(k) for k < n1, f2(k) for k < n2, f3(k) for k < n3, in one parallel region.
template <typename F1, typename F2, typename F3>
void three_phases(Index n1, F1 f1, Index n2, F2 f2, Index n3, F3 f3) {
  const int team =
      omp_in_parallel() ? 1 : int(std::min<Index>(omp_get_max_threads(), std::max({n1, n2, n3})));
  if (team > 1) {
#pragma omp parallel num_threads(team)
    {
#pragma omp for schedule(static)
      for (Index k = 0; k < n1; ++k) f1(k);
#pragma omp for schedule(static)
      for (Index k = 0; k < n2; ++k) f2(k);
#pragma omp for schedule(static) nowait  // the region's end is the barrier
      for (Index k = 0; k < n3; ++k) f3(k);
    }
  } else {
    for (Index k = 0; k < n1; ++k) f1(k);
    for (Index k = 0; k < n2; ++k) f2(k);
    for (Index k = 0; k < n3; ++k) f3(k);
  }
}

// f1(k) for k < n1, then f2(k) for k < n2, in one parallel region (the threads meet once in
// between instead of forking twice); a plain loop with one thread.
template <typename F1, typename F2>
void two_phases(Index n1, F1 f1, Index n2, F2 f2) {
  three_phases(n1, f1, n2, f2, Index{0}, [](Index) {});
}

// The packed W_hh (packed_weight.hpp): panels of n output columns, at least kPanels of them.
inline Index packed_width(Index n) {
  return std::max(kMinPanel, n / kPanels / kMinPanel * kMinPanel);
}
template <typename T>
detail::PackedWeight<T> packed_view(const Vector<T>& storage, Index outputs, Index depth) {
  detail::PackedWeight<T> v;
  v.data = storage.data();
  v.outputs = outputs;
  v.depth = depth;
  v.width = packed_width(outputs);
  return v;
}

// out (N, n) = a (N, depth) op(W) for a packed W, a with row stride lda, out with ldo; the left
// operand packed into rhs first, then the panels shared out.
template <typename T>
void packed_product(T* out, Index ldo, const T* a, Index lda, Index N,
                    const detail::PackedWeight<T>& w, T* rhs) {
  w.pack_rhs(rhs, a, lda, 0, N);
  for_panels(w.outputs, w.width, [&](Index c0, Index cw) {
    for (Index m = 0; m < N; ++m) std::fill_n(out + m * ldo + c0, cw, T(0));
    w.multiply_add(out, ldo, rhs, N, c0 / w.width);
  });
}

// Row blocks of an element-wise pass over n rows of `cols` values: results do not depend on them.
inline Index row_block(Index n, Index cols) {
  constexpr Index kMinValues = 4096;  // per block
  return std::max<Index>({1, (n + kPanels - 1) / kPanels, kMinValues / std::max<Index>(cols, 1)});
}

// out (M, G) (+)= a (M, K) * w^T with w (G, K), in panels of w's rows; then(g0, gw), if given,
// runs on each finished panel in the same thread (e.g. the gates' nonlinearity).
struct NoThen {
  void operator()(Index, Index) const {}
};
template <typename Out, typename A, typename W, typename Then = NoThen>
void product_wt(Out&& out, const A& a, const W& w, bool accumulate, Then then = {}) {
  using T = typename std::decay_t<W>::Scalar;
  // packed: the panel of w (gw, K), and all of a (whole, whatever the panels)
  for_panels(w.rows(), panel_width<T>(w.rows(), w.cols()), [&](Index g0, Index gw) {
    auto o = out.middleCols(g0, gw);
    if (accumulate) {
      o.noalias() += a * w.middleRows(g0, gw).transpose();
    } else {
      o.noalias() = a * w.middleRows(g0, gw).transpose();
    }
    then(g0, gw);
  });
}

// The gates' nonlinearity on columns [c0, c0 + cw) of a (N, 4H), in place: i, f (columns
// [0, 2H)) and o ([3H, 4H)) -> σ, g ([2H, 3H)) -> tanh.
template <typename M>
void activate_gates(M& a, Index c0, Index cw, Index H) {
  auto apply = [&](Index lo, Index hi, bool is_tanh) {
    lo = std::max(lo, c0);
    hi = std::min(hi, c0 + cw);
    if (lo >= hi) return;
    auto block = a.middleCols(lo, hi - lo).array();
    if (is_tanh) {
      block = block.tanh();
    } else {
      block = block.logistic();
    }
  };
  apply(0, 2 * H, false);
  apply(2 * H, 3 * H, true);
  apply(3 * H, 4 * H, false);
}

// grad (G, K) += d^T b with d (R, G), b (R, K): panels of grad's rows, and R summed in chunks,
// so that both packed operands fit kPanelBytes.
template <typename G, typename D, typename B>
void add_product_tn(G& grad, const D& d, const B& b) {
  using T = typename G::Scalar;
  // packed: a chunk of b (chunk, K) and the matching block of d (chunk, gw)
  const Index chunk = std::max(kMinPanel, kPanelBytes / (b.cols() * Index(sizeof(T))));
  for_panels(grad.rows(), panel_width<T>(grad.rows(), std::min(chunk, d.rows())),
             [&](Index g0, Index gw) {
               for (Index r0 = 0; r0 < d.rows(); r0 += chunk) {
                 const Index rc = std::min(chunk, d.rows() - r0);
                 grad.middleRows(g0, gw).noalias() +=
                     d.block(r0, g0, rc, gw).transpose() * b.middleRows(r0, rc);
               }
             });
}

// out (M, G) = x (M, I) * w^T with w (G, I): the input projection of all steps. With a few inputs
// (the notebook has one) a sum of I outer products, one pass over out; else panels as above.
// bias: (1, G) added to every row, or empty.
template <typename Out, typename X, typename W,
          typename B = Matrix<typename std::decay_t<W>::Scalar>>
void input_product(Out&& out, const X& x, const W& w, const B& bias = B()) {
  constexpr Index kOuterInputs = 4;
  if (x.cols() > kOuterInputs) {
    product_wt(out, x, w, false, [&](Index g0, Index gw) {
      if (bias.size()) out.middleCols(g0, gw).rowwise() += bias.row(0).segment(g0, gw);
    });
    return;
  }
  constexpr Index kMinValues = 32768;  // per panel: smaller ones do not pay for a thread
  const Index rows = std::max({kMinPanel, (out.rows() + kPanels - 1) / kPanels,
                               (kMinValues + out.cols() - 1) / std::max<Index>(out.cols(), 1)});
  for_panels(out.rows(), rows, [&](Index r0, Index rn) {
    auto o = out.middleRows(r0, rn);
    o.noalias() = x.col(0).segment(r0, rn) * w.col(0).transpose();
    for (Index i = 1; i < x.cols(); ++i)
      o.noalias() += x.col(i).segment(r0, rn) * w.col(i).transpose();
    if (bias.size()) o.rowwise() += bias.row(0);  // while the panel is in cache
  });
}

// The input side's gradients, in column panels of G, each one pass over the rows:
//   db (1, G) += Σ_rows dg, db2 likewise (the second torch bias of norm none) if given,
//   dw (G, I) += d^T x  with dg, d: (R, G) (the same matrix without normalization), x: (R, I).
// Row by row, so the panel's accumulators stay in L1 and every row is read once, contiguously
// (Eigen's column sums and transposed products walk a row-major matrix down its columns).
template <typename M, typename DG, typename D, typename X>
void add_input_grads(M& db, M* db2, M& dw, const DG& dg, const D& d, const X& x) {
  using T = typename M::Scalar;
  constexpr Index kChunk = 256;  // columns per accumulator block
  const Index G = dg.cols(), R = dg.rows(), I = x.cols();
  const Index width = std::max(kChunk, (G + kPanels - 1) / kPanels / kChunk * kChunk);
  for_panels(G, width, [&](Index g0, Index gw) {
    for (Index c0 = g0; c0 < g0 + gw; c0 += kChunk) {
      const Index cw = std::min(kChunk, g0 + gw - c0);
      T sum[kChunk] = {}, wsum[kChunk] = {};
      // bias sums and the first input column together
      for (Index r = 0; r < R; ++r) {
        const T* __restrict grow = &dg.coeffRef(r, c0);
        const T* __restrict drow = &d.coeffRef(r, c0);
        const T xr = x(r, 0);
        for (Index c = 0; c < cw; ++c) {
          sum[c] += grow[c];
          wsum[c] += drow[c] * xr;
        }
      }
      for (Index c = 0; c < cw; ++c) {
        db(0, c0 + c) += sum[c];
        dw(c0 + c, 0) += wsum[c];
      }
      if (db2)
        for (Index c = 0; c < cw; ++c) (*db2)(0, c0 + c) += sum[c];
      for (Index i = 1; i < I; ++i) {
        std::fill_n(wsum, cw, T(0));
        for (Index r = 0; r < R; ++r) {
          const T* __restrict drow = &d.coeffRef(r, c0);
          const T xr = x(r, i);
          for (Index c = 0; c < cw; ++c) wsum[c] += drow[c] * xr;
        }
        for (Index c = 0; c < cw; ++c) dw(c0 + c, i) += wsum[c];
      }
    }
  });
}

// A NaN or inf would spread through every later step silently: refuse it with its position.

}  // namespace
}  // namespace bnlstm::lstm_kernels
