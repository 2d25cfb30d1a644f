#pragma once
// The passes the batch-norm kernels are made of, per channel tile: statistics (mean, m2), the
// backward's sums, the element-wise normalize and input-gradient passes, the running-statistics
// update. Used by the fused kernels (batch_norm_kernels.cpp) and by the split ones whose
// statistics are combined across workers in between (batch_norm_phases.cpp). Internal header.
#include <algorithm>
#include <cmath>

#include "batch_norm_tiling.hpp"
#include "bnlstm/core/tensor.hpp"
#include "norm_internal.hpp"

namespace bnlstm::batch_norm_passes {
// (unnamed, as batch_norm_tiling.hpp: internal linkage in each translation unit that includes it)
namespace {

using namespace batch_norm_tiling;

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

}  // namespace
}  // namespace bnlstm::batch_norm_passes
