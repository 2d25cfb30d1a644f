// The training-mode batch-norm kernels cut into phases (include/bnlstm/nn/batch_norm_phases.hpp).
// Each phase runs the same passes, tiles, chunks and roundings as the fused kernels in
// batch_norm_kernels.cpp, so that with the statistics left as they are the results are the same
// bit for bit; they only stop where the statistics leave for the other workers.
#include "bnlstm/nn/batch_norm_phases.hpp"

#include <algorithm>

#include "batch_norm_passes.hpp"
#include "batch_norm_tiling.hpp"

namespace bnlstm {

using namespace batch_norm_tiling;
using namespace batch_norm_passes;

namespace {

// no element-wise pass (run_rows only reduces)
struct NoPass {
  void operator()(Index, Index, Index, Index, const double*, const double*) const {}
};

// per-channel totals of a run_rows reduction -> out_a, out_b
auto store_to(double* out_a, double* out_b) {
  return [=](double* a, double* b, Index c0, Index tw) {
    std::copy_n(a, tw, out_a + c0);
    std::copy_n(b, tw, out_b + c0);
  };
}

}  // namespace

// x: (N, C, L) -> mean, m2: (C)
template <typename T>
void batch_norm_moments(double* mean, double* m2, const T* x, Index N, Index C, Index L) {
  if (N == 0) {
    std::fill_n(mean, C, 0.0);
    std::fill_n(m2, C, 0.0);
    return;
  }
  if (L == 1) {
    // the plan, chunks and merges of the fused forward (tiles do not change a channel's sums)
    auto reduce = [=](double* a, double* b, Index row0, Index n, Index c0, Index tw) {
      stats_rows(a, b, x + row0 * C + c0, n, C, tw);
    };
    run_rows(row_plan<T>(N, C, 2), N, C, reduce, merge_moments, store_to(mean, m2), NoPass{});
    return;
  }
  for (Index c0 = 0; c0 < C; c0 += kMaxTile)
    stats_runs(mean + c0, m2 + c0, x + c0 * L, N, C, L, std::min(kMaxTile, C - c0));
}

// (mean_d, m2_d) over count values -> mean, var, rstd: (C)
template <typename T>
void batch_norm_statistics(T* mean, T* var, T* rstd, const double* mean_d, const double* m2_d,
                           double count, Index C, T eps) {
  // as the fused forward's `finish`: biased variance in double, rounded once; rstd in T
  const double inv_count = 1.0 / count;
  for (Index c = 0; c < C; ++c) {
    mean[c] = T(mean_d[c]);
    var[c] = T(std::max(m2_d[c] * inv_count, 0.0));
  }
  VecMap<T>(rstd, C) = (ConstVecMap<T>(var, C) + eps).sqrt().inverse();
}

// x, y: (N, C, L)
template <typename T>
void batch_norm_normalize(T* y, const T* x, const T* mean, const T* rstd, const T* gamma,
                          const T* beta, Index N, Index C, Index L) {
  if (N == 0) return;
  // normalize, scale and shift (the fused forward's `coefficients` and `apply`)
  auto apply = [=](Index row0, Index n, Index c0, Index tw, const double*, const double*) {
    T k[kMaxTile], sh[kMaxTile];
    for (Index c = 0; c < tw; ++c) k[c] = gamma ? rstd[c0 + c] * gamma[c0 + c] : rstd[c0 + c];
    if (beta) {
      std::copy_n(beta + c0, tw, sh);
    } else {
      std::fill_n(sh, tw, T(0));
    }
    const Index off = (row0 * C + c0) * L;
    affine_map(y + off, x + off, mean + c0, k, sh, n, C, L, tw);
  };
  if (L == 1) {
    auto zeros = [](double* a, double* b, Index, Index, Index, Index tw) {
      std::fill_n(a, tw, 0.0);
      std::fill_n(b, tw, 0.0);
    };
    auto none = [](auto&&...) {};
    run_rows(row_plan<T>(N, C, 2), N, C, zeros, none, none, apply);
    return;
  }
  for (Index c0 = 0; c0 < C; c0 += kMaxTile)
    apply(0, N, c0, std::min(kMaxTile, C - c0), nullptr, nullptr);
}

// dy, x: (N, C, L) -> sum_dy, sum_dy_xmu: (C)
template <typename T>
void batch_norm_grad_sums(double* sum_dy, double* sum_dy_xmu, const T* dy, const T* x,
                          const T* mean, Index N, Index C, Index L) {
  if (N == 0) {
    std::fill_n(sum_dy, C, 0.0);
    std::fill_n(sum_dy_xmu, C, 0.0);
    return;
  }
  if (L == 1) {
    auto reduce = [=](double* a, double* b, Index row0, Index n, Index c0, Index tw) {
      const Index off = row0 * C + c0;
      grad_sums_rows(a, b, dy + off, x + off, mean + c0, n, C, tw);
    };
    run_rows(row_plan<T>(N, C, 3), N, C, reduce, merge_sums, store_to(sum_dy, sum_dy_xmu),
             NoPass{});
    return;
  }
  for (Index c0 = 0; c0 < C; c0 += kMaxTile) {
    grad_sums_runs(sum_dy + c0, sum_dy_xmu + c0, dy + c0 * L, x + c0 * L, mean + c0, N, C, L,
                   std::min(kMaxTile, C - c0));
  }
}

// (C)
template <typename T>
void batch_norm_param_grads(T* dgamma, T* dbeta, const double* sum_dy, const double* sum_dy_xmu,
                            const T* rstd, Index C) {
  // as the fused backward's `finish`: the product rounded before the sum, as Eigen's `+=` of a
  // product does (in one expression clang contracts it to a fused multiply-add for double)
  for (Index c = 0; c < C; ++c) {
    const double g = sum_dy_xmu[c] * double(rstd[c]);
    if (dgamma) dgamma[c] += T(g);
    if (dbeta) dbeta[c] += T(sum_dy[c]);
  }
}

// dx, dy, x: (N, C, L)
template <typename T>
void batch_norm_input_grad(T* dx, const T* dy, const T* x, const T* mean, const T* rstd,
                           const T* gamma, const double* sum_dy, const double* sum_dy_xmu,
                           double count, Index N, Index C, Index L) {
  if (N == 0) return;
  const double inv_count = 1.0 / count;
  // dx = gamma * rstd * (dy - mean(dy) - xhat * mean(dy * xhat)), with the fused backward's
  // coefficients: k = gamma * rstd, am = mean(dy), bm = rstd^2 mean(dy (x - mean))
  auto apply = [=](Index row0, Index n, Index c0, Index tw, const double*, const double*) {
    T k[kMaxTile], am[kMaxTile], bm[kMaxTile];
    for (Index c = 0; c < tw; ++c) {
      const double r = double(rstd[c0 + c]);
      k[c] = gamma ? T(r * double(gamma[c0 + c])) : T(r);
      am[c] = T(sum_dy[c0 + c] * inv_count);
      bm[c] = T(r * r * sum_dy_xmu[c0 + c] * inv_count);
    }
    const Index off = (row0 * C + c0) * L;
    input_grad(dx + off, dy + off, x + off, mean + c0, k, am, bm, n, C, L, tw);
  };
  if (L == 1) {
    auto zeros = [](double* a, double* b, Index, Index, Index, Index tw) {
      std::fill_n(a, tw, 0.0);
      std::fill_n(b, tw, 0.0);
    };
    auto none = [](auto&&...) {};
    run_rows(row_plan<T>(N, C, 3), N, C, zeros, none, none, apply);
    return;
  }
  for (Index c0 = 0; c0 < C; c0 += kMaxTile)
    apply(0, N, c0, std::min(kMaxTile, C - c0), nullptr, nullptr);
}

#define BNLSTM_INSTANTIATE(T)                                                                     \
  template void batch_norm_moments<T>(double*, double*, const T*, Index, Index, Index);           \
  template void batch_norm_statistics<T>(T*, T*, T*, const double*, const double*, double, Index, \
                                         T);                                                      \
  template void batch_norm_normalize<T>(T*, const T*, const T*, const T*, const T*, const T*,     \
                                        Index, Index, Index);                                     \
  template void batch_norm_grad_sums<T>(double*, double*, const T*, const T*, const T*, Index,    \
                                        Index, Index);                                            \
  template void batch_norm_param_grads<T>(T*, T*, const double*, const double*, const T*, Index); \
  template void batch_norm_input_grad<T>(T*, const T*, const T*, const T*, const T*, const T*,    \
                                         const double*, const double*, double, Index, Index,      \
                                         Index);
BNLSTM_INSTANTIATE(float)
BNLSTM_INSTANTIATE(double)
#undef BNLSTM_INSTANTIATE

}  // namespace bnlstm
