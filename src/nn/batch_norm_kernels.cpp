// Batch normalization kernels (include/bnlstm/nn/batch_norm.hpp); the BatchNorm1d layer is in
// batch_norm.cpp.
//
// Structure, after ATen's CPU kernels: for L = 1 the contiguous dimension is C, so reductions
// run down the rows with one accumulator per channel, vectorized across channels; for L > 1
// every (n, c) is a contiguous run of L values, reduced along L. Channels go in tiles whose
// accumulators live on the stack (no allocation); for L = 1 a tile is narrow enough that its
// (N, tile) slice is still in L2 when the second pass (normalize, or dx) reads it again.
// Every loop has a fixed order, so results do not change from run to run.
//
// Threads (L = 1, OpenMP, from about 64K values up): either the channel tiles are shared out
// (each tile is reduced by one thread, as above), or, when there are too few tiles (C small,
// N large), the rows are cut into at most kMaxChunks chunks whose partial statistics are merged
// in chunk order. Tiles and chunks depend on N and C only, never on the number of threads, so
// the results are the same bit for bit with any thread count.
#include <fmt/format.h>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <type_traits>

#include "batch_norm_internal.hpp"
#include "batch_norm_passes.hpp"
#include "batch_norm_tiling.hpp"
#include "bnlstm/core/error.hpp"
#include "bnlstm/nn/batch_norm.hpp"
#include "norm_internal.hpp"

namespace bnlstm {

using namespace batch_norm_tiling;
using namespace batch_norm_passes;

namespace {

void check_train_batch(Index N, Index C, Index L) {
  if (N * L == 1) {
    throw Error("Expected more than 1 value per channel when training, got input size " +
                detail::shape_string(N, C, L));
  }
  if (N * L * C == 0) {
    throw Error("Expected a non-empty input when training, got input size " +
                detail::shape_string(N, C, L));
  }
}

// The training forward. x_copy: (N, C, L) or nullptr; when given, it receives a copy of x, written
// (for L = 1) during the normalize pass, so that BatchNorm1d keeps its input for backward without
// a pass of its own over x.
template <typename T>
void forward_train(T* y, T* x_copy, T* mean, T* var, T* rstd, const T* x, const T* gamma,
                   const T* beta, Index N, Index C, Index L, T eps,
                   detail::RunningStats<T> running = {}) {
  check_train_batch(N, C, L);
  const double count = double(N * L);
  // (mean, m2) -> mean, var, rstd; a and b become the mean and the scale rstd * gamma
  // (vectorized: with few rows, a scalar sqrt and division per channel would cost as much as
  // the passes over x; plain loops for the casts, Eigen for the sqrt: a cast inside an Eigen
  // expression, or std::sqrt in a loop, stays scalar)
  // (rstd in T: in double, the sqrt and the division per channel cost as much as a pass over
  // x at N = 32; float's are correctly rounded too, and ATen computes it in float as well)
  const double inv_count = 1.0 / count;
  auto finish = [=](double* a, double* b, Index c0, Index tw) {
    for (Index c = 0; c < tw; ++c) b[c] = std::max(b[c] * inv_count, 0.0);  // biased variance
    T* __restrict m = mean + c0;
    T* __restrict v = var + c0;
    T* __restrict rs = rstd + c0;
    for (Index c = 0; c < tw; ++c) {
      m[c] = T(a[c]);
      v[c] = T(b[c]);
      a[c] = double(m[c]);
    }
    VecMap<T>(rs, tw) = (ConstVecMap<T>(v, tw) + eps).sqrt().inverse();
    if (running.mean) {
      update_running(running.mean + c0, running.var + c0, m, v, tw, count / (count - 1),
                     running.factor);
    }
    if (gamma) {
      for (Index c = 0; c < tw; ++c) b[c] = double(rs[c] * gamma[c0 + c]);
    } else {
      for (Index c = 0; c < tw; ++c) b[c] = double(rs[c]);
    }
  };
  // the normalize pass's coefficients: m = mean, k = rstd * gamma, sh = beta; all (tw)
  auto coefficients = [=](T* m, T* k, T* sh, Index c0, Index tw, const double* a, const double* b) {
    VecMap<T>(m, tw) = ConstVecMap<double>(a, tw).template cast<T>();
    VecMap<T>(k, tw) = ConstVecMap<double>(b, tw).template cast<T>();
    if (beta) {
      VecMap<T>(sh, tw) = ConstVecMap<T>(beta + c0, tw);
    } else {
      VecMap<T>(sh, tw).setZero();
    }
  };
  // normalize, scale and shift
  auto apply = [=](Index row0, Index n, Index c0, Index tw, const double* a, const double* b) {
    T m[kMaxTile], k[kMaxTile], sh[kMaxTile];
    coefficients(m, k, sh, c0, tw, a, b);
    const Index off = (row0 * C + c0) * L;
    affine_map(y + off, x + off, m, k, sh, n, C, L, tw, x_copy ? x_copy + off : nullptr);
  };
  if (L == 1) {
    auto reduce = [=](double* a, double* b, Index row0, Index n, Index c0, Index tw) {
      stats_rows(a, b, x + row0 * C + c0, n, C, tw);
    };
    run_rows(row_plan<T>(N, C, x_copy ? 3 : 2), N, C, reduce, merge_moments, finish, apply);
    return;
  }
  for (Index c0 = 0; c0 < C; c0 += kMaxTile) {
    const Index tw = std::min(kMaxTile, C - c0);
    double a[kMaxTile], b[kMaxTile];
    stats_runs(a, b, x + c0 * L, N, C, L, tw);
    finish(a, b, c0, tw);
    apply(0, N, c0, tw, a, b);
  }
}

}  // namespace

template <typename T>
void batch_norm_forward_train(T* y, T* mean, T* var, T* rstd, const T* x, const T* gamma,
                              const T* beta, Index N, Index C, Index L, T eps) {
  forward_train(y, static_cast<T*>(nullptr), mean, var, rstd, x, gamma, beta, N, C, L, eps);
}

template <typename T>
void batch_norm_forward_eval(T* y, const T* x, const T* mean, const T* var, const T* gamma,
                             const T* beta, Index N, Index C, Index L, T eps) {
  // normalize with the given statistics, scale and shift
  auto apply = [=](Index row0, Index n, Index c0, Index tw, const double*, const double*) {
    T k[kMaxTile], sh[kMaxTile];
    VecMap<T> mk(k, tw), msh(sh, tw);
    // as batch_norm_inverse_std()
    mk = (ConstVecMap<T>(var + c0, tw).template cast<double>().max(0.0) + double(eps))
             .sqrt()
             .inverse()
             .template cast<T>();
    if (gamma) mk *= ConstVecMap<T>(gamma + c0, tw);
    if (beta) {
      msh = ConstVecMap<T>(beta + c0, tw);
    } else {
      msh.setZero();
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

template <typename T>
void batch_norm_backward(T* dx, T* dgamma, T* dbeta, const T* dy, const T* x, const T* mean,
                         const T* rstd, const T* gamma, Index N, Index C, Index L) {
  const double inv_count = 1.0 / double(N * L);
  // (sum dy, sum dy * (x - mean)) -> dgamma = sum dy * xhat, dbeta = sum dy; a and b become
  // mean(dy) and rstd^2 * mean(dy * (x - mean))
  auto finish = [=](double* a, double* b, Index c0, Index tw) {
    VecMap<double> ma(a, tw), mb(b, tw);
    const auto r = ConstVecMap<T>(rstd + c0, tw).template cast<double>();
    if (dgamma) VecMap<T>(dgamma + c0, tw) += (mb * r).template cast<T>();
    if (dbeta) VecMap<T>(dbeta + c0, tw) += ma.template cast<T>();
    ma = (ma * inv_count).template cast<T>().template cast<double>();
    mb = (r * r * mb * inv_count).template cast<T>().template cast<double>();
  };
  // the dx pass's coefficients: k = gamma * rstd, am = mean(dy), bm = rstd^2 mean(dy (x - mean))
  auto coefficients = [=](T* k, T* am, T* bm, Index c0, Index tw, const double* a,
                          const double* b) {
    const auto r = ConstVecMap<T>(rstd + c0, tw).template cast<double>();
    if (gamma) {
      VecMap<T>(k, tw) =
          (r * ConstVecMap<T>(gamma + c0, tw).template cast<double>()).template cast<T>();
    } else {
      VecMap<T>(k, tw) = r.template cast<T>();
    }
    VecMap<T>(am, tw) = ConstVecMap<double>(a, tw).template cast<T>();
    VecMap<T>(bm, tw) = ConstVecMap<double>(b, tw).template cast<T>();
  };
  // dx = gamma * rstd * (dy - mean(dy) - xhat * mean(dy * xhat))
  auto apply = [=](Index row0, Index n, Index c0, Index tw, const double* a, const double* b) {
    T k[kMaxTile], am[kMaxTile], bm[kMaxTile];
    coefficients(k, am, bm, c0, tw, a, b);
    const Index off = (row0 * C + c0) * L;
    input_grad(dx + off, dy + off, x + off, mean + c0, k, am, bm, n, C, L, tw);
  };
  if (L == 1) {
    auto reduce = [=](double* a, double* b, Index row0, Index n, Index c0, Index tw) {
      const Index off = row0 * C + c0;
      grad_sums_rows(a, b, dy + off, x + off, mean + c0, n, C, tw);
    };
    run_rows(row_plan<T>(N, C, 3), N, C, reduce, merge_sums, finish, apply);
    return;
  }
  for (Index c0 = 0; c0 < C; c0 += kMaxTile) {
    const Index tw = std::min(kMaxTile, C - c0);
    double a[kMaxTile], b[kMaxTile];
    grad_sums_runs(a, b, dy + c0 * L, x + c0 * L, mean + c0, N, C, L, tw);
    finish(a, b, c0, tw);
    apply(0, N, c0, tw, a, b);
  }
}

template <typename T>
void batch_norm_backward_eval(T* dx, T* dgamma, T* dbeta, const T* dy, const T* x, const T* mean,
                              const T* rstd, const T* gamma, Index N, Index C, Index L) {
  const bool sums = dgamma || dbeta;
  // dgamma = sum dy * xhat, dbeta = sum dy (xhat from the fixed statistics)
  auto finish = [=](double* a, double* b, Index c0, Index tw) {
    if (!sums) return;
    const auto r = ConstVecMap<T>(rstd + c0, tw).template cast<double>();
    if (dgamma) VecMap<T>(dgamma + c0, tw) += (ConstVecMap<double>(b, tw) * r).template cast<T>();
    if (dbeta) VecMap<T>(dbeta + c0, tw) += ConstVecMap<double>(a, tw).template cast<T>();
  };
  // dx = dy * gamma * rstd
  auto apply = [=](Index row0, Index n, Index c0, Index tw, const double*, const double*) {
    T k[kMaxTile], zero[kMaxTile];
    VecMap<T>(k, tw) = ConstVecMap<T>(rstd + c0, tw);
    if (gamma) VecMap<T>(k, tw) *= ConstVecMap<T>(gamma + c0, tw);
    VecMap<T>(zero, tw).setZero();
    const Index off = (row0 * C + c0) * L;
    affine_map(dx + off, dy + off, zero, k, zero, n, C, L, tw);
  };
  if (L == 1) {
    auto reduce = [=](double* a, double* b, Index row0, Index n, Index c0, Index tw) {
      const Index off = row0 * C + c0;
      if (sums) {
        grad_sums_rows(a, b, dy + off, x + off, mean + c0, n, C, tw);
      } else {
        std::fill_n(a, tw, 0.0);
        std::fill_n(b, tw, 0.0);
      }
    };
    run_rows(row_plan<T>(N, C, sums ? 3 : 2), N, C, reduce, merge_sums, finish, apply);
    return;
  }
  for (Index c0 = 0; c0 < C; c0 += kMaxTile) {
    const Index tw = std::min(kMaxTile, C - c0);
    double a[kMaxTile], b[kMaxTile];
    if (sums) grad_sums_runs(a, b, dy + c0 * L, x + c0 * L, mean + c0, N, C, L, tw);
    finish(a, b, c0, tw);  // does nothing without sums
    apply(0, N, c0, tw, a, b);
  }
}

template <typename T>
void batch_norm_update_running_stats(T* running_mean, T* running_var, const T* mean, const T* var,
                                     Index C, Index count, double factor) {
  if (count < 2) {
    throw Error(
        "batch_norm_update_running_stats: the unbiased variance needs at least 2 values per "
        "channel, got " +
        std::to_string(count));
  }
  update_running(running_mean, running_var, mean, var, C, double(count) / double(count - 1),
                 factor);
}

namespace detail {

template <typename T>
void batch_norm_forward_train_fused(T* y, T* x_copy, T* mean, T* var, T* rstd, const T* x,
                                    const T* gamma, const T* beta, Index N, Index C, Index L, T eps,
                                    RunningStats<T> running) {
  forward_train(y, x_copy, mean, var, rstd, x, gamma, beta, N, C, L, eps, running);
}

void batch_norm_check_train_batch(Index N, Index C, Index L) {
  check_train_batch(N, C, L);
}

}  // namespace detail

#define BNLSTM_INSTANTIATE(T)                                                                     \
  template void batch_norm_forward_train<T>(T*, T*, T*, T*, const T*, const T*, const T*, Index,  \
                                            Index, Index, T);                                     \
  template void batch_norm_forward_eval<T>(T*, const T*, const T*, const T*, const T*, const T*,  \
                                           Index, Index, Index, T);                               \
  template void batch_norm_backward<T>(T*, T*, T*, const T*, const T*, const T*, const T*,        \
                                       const T*, Index, Index, Index);                            \
  template void batch_norm_backward_eval<T>(T*, T*, T*, const T*, const T*, const T*, const T*,   \
                                            const T*, Index, Index, Index);                       \
  template void batch_norm_update_running_stats<T>(T*, T*, const T*, const T*, Index, Index,      \
                                                   double);                                       \
  template void detail::batch_norm_forward_train_fused<T>(T*, T*, T*, T*, T*, const T*, const T*, \
                                                          const T*, Index, Index, Index, T,       \
                                                          detail::RunningStats<T>);

BNLSTM_INSTANTIATE(float)
BNLSTM_INSTANTIATE(double)
#undef BNLSTM_INSTANTIATE

}  // namespace bnlstm
