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
#include "bnlstm/core/error.hpp"
#include "bnlstm/nn/batch_norm.hpp"
#include "batch_norm_tiling.hpp"
#include "norm_internal.hpp"

namespace bnlstm {

using namespace batch_norm_tiling;

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

// L = 1, one tile: per-channel mean and m2 = sum (x - mean)^2 of x[:, 0:tw], x: (N, C) offset
// to the tile. Rows go in L1-resident blocks of kBlockRows: within a block a corrected two-pass
// in T (block mean, then the deviations' sum and sum of squares), vectorized across channels;
// blocks are merged in double (Chan, Golub & LeVeque). Accurate in float for any N, even when
// |mean| >> std, while x is read from memory once.
template <typename T>
void stats_rows(double* __restrict mean, double* __restrict m2, const T* __restrict x, Index N,
                Index C, Index tw) {
  std::fill_n(mean, tw, 0.0);
  std::fill_n(m2, tw, 0.0);
  for (Index n0 = 0; n0 < N; n0 += kBlockRows) {
    const Index nb = std::min(kBlockRows, N - n0);
    const T* xb = x + n0 * C;
    const double na = double(n0), nbd = double(nb), w = nbd / (na + nbd);
    for_lanes<T>(tw, [&](Index c0, Index width, auto lane) {
      using Lane = decltype(lane);
      using Row = Eigen::Map<const Lane>;
      // block mean
      Lane s = Lane::Zero(width);
      for (Index i = 0; i < nb; ++i) s += Row(xb + i * C + c0, width);
      s *= T(1) / T(nb);
      // deviations from it
      Lane p = Lane::Zero(width), q = Lane::Zero(width);
      for (Index i = 0; i < nb; ++i) {
        const Lane d = Row(xb + i * C + c0, width) - s;
        p += d;
        q += d * d;
      }
      // merge the block into the totals
      const double inv_nb = 1.0 / nbd, cross = na * w;
      for (Index j = 0; j < width; ++j) {
        const double pc = p[j];
        const double delta = (double(s[j]) + pc * inv_nb) - mean[c0 + j];
        mean[c0 + j] += delta * w;
        m2[c0 + j] += (double(q[j]) - pc * pc * inv_nb) + delta * delta * cross;
      }
    });
  }
}

// L > 1, channels [0, tw) of x: (N, C, L) offset to the tile: per run of L values a two-pass
// mean and m2 in double, runs merged as in stats_rows.
template <typename T>
void stats_runs(double* mean, double* m2, const T* x, Index N, Index C, Index L, Index tw) {
  std::fill_n(mean, tw, 0.0);
  std::fill_n(m2, tw, 0.0);
  for (Index n = 0; n < N; ++n) {
    const double na = double(n * L), w = double(L) / (na + double(L));
    for (Index c = 0; c < tw; ++c) {
      const T* r = x + (n * C + c) * L;
      const double m =
          detail::fixed_order_sum(L, [r](Index l) { return double(r[l]); }) / double(L);
      const double q = detail::fixed_order_sum(L, [r, m](Index l) {
        const double d = double(r[l]) - m;
        return d * d;
      });
      const double delta = m - mean[c];
      mean[c] += delta * w;
      m2[c] += q + delta * delta * na * w;
    }
  }
}

// L = 1, one tile: per-channel sums of dy and of dy * (x - mean) over the rows; blocks of
// kBlockRows rows accumulate in T (vectorized across channels), the totals in double.
template <typename T>
void grad_sums_rows(double* __restrict sdy, double* __restrict sdyx, const T* __restrict dy,
                    const T* __restrict x, const T* __restrict mean, Index N, Index C, Index tw) {
  std::fill_n(sdy, tw, 0.0);
  std::fill_n(sdyx, tw, 0.0);
  for (Index n0 = 0; n0 < N; n0 += kBlockRows) {
    const Index nb = std::min(kBlockRows, N - n0);
    for_lanes<T>(tw, [&](Index c0, Index width, auto lane) {
      using Lane = decltype(lane);
      using Row = Eigen::Map<const Lane>;
      const Lane m = Row(mean + c0, width);
      Lane a = Lane::Zero(width), b = Lane::Zero(width);
      for (Index i = n0; i < n0 + nb; ++i) {
        const Lane g = Row(dy + i * C + c0, width);
        a += g;
        b += g * (Row(x + i * C + c0, width) - m);
      }
      for (Index j = 0; j < width; ++j) {
        sdy[c0 + j] += a[j];
        sdyx[c0 + j] += b[j];
      }
    });
  }
}

// L > 1, channels [0, tw): the same sums, per run of L values in double.
template <typename T>
void grad_sums_runs(double* sdy, double* sdyx, const T* dy, const T* x, const T* mean, Index N,
                    Index C, Index L, Index tw) {
  std::fill_n(sdy, tw, 0.0);
  std::fill_n(sdyx, tw, 0.0);
  for (Index n = 0; n < N; ++n) {
    for (Index c = 0; c < tw; ++c) {
      const T* g = dy + (n * C + c) * L;
      const T* r = x + (n * C + c) * L;
      const double m = mean[c];
      sdy[c] += detail::fixed_order_sum(L, [g](Index l) { return double(g[l]); });
      sdyx[c] += detail::fixed_order_sum(
          L, [g, r, m](Index l) { return double(g[l]) * (double(r[l]) - m); });
    }
  }
}

// out = (in - a) * k + b per channel; in, out: (N, C, L) offset to a tile of tw channels;
// a, k, b: (tw). With in = x it normalizes (a = mean, k = rstd * gamma, b = beta).
// copy: like out or nullptr; receives in, in the same pass.
template <typename T>
void affine_map(T* __restrict out, const T* __restrict in, const T* __restrict a,
                const T* __restrict k, const T* __restrict b, Index N, Index C, Index L, Index tw,
                T* __restrict copy = nullptr) {
  if (L == 1) {
    // rows from the last: the pass before this one (the statistics) read them first to last,
    // so its most recent rows, still in L2, come first (see run_rows)
    for (Index n = N - 1; n >= 0; --n) {
      const T* r = in + n * C;
      T* o = out + n * C;
      // (an Eigen copy: a plain loop here becomes a memcpy call per row)
      if (copy) Eigen::Map<PartRow<T>>(copy + n * C, tw) = Eigen::Map<const PartRow<T>>(r, tw);
      for (Index c = 0; c < tw; ++c) o[c] = (r[c] - a[c]) * k[c] + b[c];
    }
    return;
  }
  if (copy) {
    for (Index n = 0; n < N; ++n)
      for (Index c = 0; c < tw; ++c) std::copy_n(in + (n * C + c) * L, L, copy + (n * C + c) * L);
  }
  for (Index n = 0; n < N; ++n) {
    for (Index c = 0; c < tw; ++c) {
      const T* r = in + (n * C + c) * L;
      T* o = out + (n * C + c) * L;
      const T ac = a[c], kc = k[c], bc = b[c];
      for (Index l = 0; l < L; ++l) o[l] = (r[l] - ac) * kc + bc;
    }
  }
}

// dx = k * (dy - a - (x - mean) * b) per channel, the training-mode input gradient with
// k = gamma * rstd, a = mean(dy), b = rstd^2 * mean(dy * (x - mean)). Tile as in affine_map.
template <typename T>
void input_grad(T* __restrict dx, const T* __restrict dy, const T* __restrict x,
                const T* __restrict mean, const T* __restrict k, const T* __restrict a,
                const T* __restrict b, Index N, Index C, Index L, Index tw) {
  if (L == 1) {
    for (Index n = N - 1; n >= 0; --n) {  // from the last row, as in affine_map
      const T* g = dy + n * C;
      const T* r = x + n * C;
      T* o = dx + n * C;
      for (Index c = 0; c < tw; ++c) o[c] = k[c] * (g[c] - a[c] - (r[c] - mean[c]) * b[c]);
    }
    return;
  }
  for (Index n = 0; n < N; ++n) {
    for (Index c = 0; c < tw; ++c) {
      const Index off = (n * C + c) * L;
      const T mc = mean[c], kc = k[c], ac = a[c], bc = b[c];
      for (Index l = 0; l < L; ++l) dx[off + l] = kc * (dy[off + l] - ac - (x[off + l] - mc) * bc);
    }
  }
}

// running = (1 - factor) * running + factor * batch over n channels, the variance unbiased.
template <typename T>
void update_running(T* __restrict running_mean, T* __restrict running_var, const T* __restrict mean,
                    const T* __restrict var, Index n, double unbias, double factor) {
  for (Index c = 0; c < n; ++c) {
    running_mean[c] = T((1 - factor) * double(running_mean[c]) + factor * double(mean[c]));
    running_var[c] = T((1 - factor) * double(running_var[c]) + factor * double(var[c]) * unbias);
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
