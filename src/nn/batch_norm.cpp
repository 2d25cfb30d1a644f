// Batch normalization kernels and the BatchNorm1d layer (include/bnlstm/nn/batch_norm.hpp).
//
// Structure, after ATen's CPU kernels: for L = 1 the contiguous dimension is C, so reductions
// run down the rows with one accumulator per channel, vectorized across channels; for L > 1
// every (n, c) is a contiguous run of L values, reduced along L. Channels go in tiles whose
// accumulators live on the stack (no allocation); for L = 1 a tile is narrow enough that its
// (N, tile) slice is still in L2 when the second pass (normalize, or dx) reads it again.
// Every loop has a fixed order, so results do not change from run to run.
#include "bnlstm/nn/batch_norm.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "bnlstm/core/error.hpp"
#include "norm_internal.hpp"

namespace bnlstm {
namespace {

constexpr Index kMaxTile = 256;        // channels per tile: bounds the stack scratch
constexpr Index kBlockRows = 32;       // rows per L1-resident block of the L = 1 reductions
constexpr Index kTileBytes = 1 << 20;  // budget for a tile's slices: half of a 2 MB L2

// Channels per tile for L = 1, when a pass touches `tensors` (N, C) tensors: the tile's slices
// fit kTileBytes, in whole cache lines; whole rows (up to kMaxTile) when even one line per row
// would not fit, since then nothing can stay in L2 anyway and long runs stream best.
template <typename T>
Index tile_width(Index N, Index C, Index tensors) {
  const Index line = 64 / Index(sizeof(T));
  const Index fit = kTileBytes / (std::max<Index>(N, 1) * tensors * Index(sizeof(T)));
  const Index tw = fit < line ? kMaxTile : std::min(kMaxTile, fit / line * line);
  return std::min(tw, C);
}

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
  T s[kMaxTile], p[kMaxTile], q[kMaxTile];
  std::fill_n(mean, tw, 0.0);
  std::fill_n(m2, tw, 0.0);
  for (Index n0 = 0; n0 < N; n0 += kBlockRows) {
    const Index nb = std::min(kBlockRows, N - n0);
    const T* xb = x + n0 * C;
    // block mean
    std::fill_n(s, tw, T(0));
    for (Index i = 0; i < nb; ++i) {
      const T* r = xb + i * C;
      for (Index c = 0; c < tw; ++c) s[c] += r[c];
    }
    const T inv = T(1) / T(nb);
    for (Index c = 0; c < tw; ++c) s[c] *= inv;
    // deviations from it
    std::fill_n(p, tw, T(0));
    std::fill_n(q, tw, T(0));
    for (Index i = 0; i < nb; ++i) {
      const T* r = xb + i * C;
      for (Index c = 0; c < tw; ++c) {
        const T d = r[c] - s[c];
        p[c] += d;
        q[c] += d * d;
      }
    }
    // merge the block into the totals
    const double na = double(n0), nbd = double(nb), w = nbd / (na + nbd);
    for (Index c = 0; c < tw; ++c) {
      const double pc = p[c];
      const double delta = (double(s[c]) + pc / nbd) - mean[c];
      mean[c] += delta * w;
      m2[c] += (double(q[c]) - pc * pc / nbd) + delta * delta * na * w;
    }
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
  T a[kMaxTile], b[kMaxTile];
  std::fill_n(sdy, tw, 0.0);
  std::fill_n(sdyx, tw, 0.0);
  for (Index n0 = 0; n0 < N; n0 += kBlockRows) {
    const Index nb = std::min(kBlockRows, N - n0);
    std::fill_n(a, tw, T(0));
    std::fill_n(b, tw, T(0));
    for (Index i = n0; i < n0 + nb; ++i) {
      const T* g = dy + i * C;
      const T* r = x + i * C;
      for (Index c = 0; c < tw; ++c) {
        a[c] += g[c];
        b[c] += g[c] * (r[c] - mean[c]);
      }
    }
    for (Index c = 0; c < tw; ++c) {
      sdy[c] += a[c];
      sdyx[c] += b[c];
    }
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
template <typename T>
void affine_map(T* __restrict out, const T* __restrict in, const T* __restrict a,
                const T* __restrict k, const T* __restrict b, Index N, Index C, Index L, Index tw) {
  if (L == 1) {
    for (Index n = 0; n < N; ++n) {
      const T* r = in + n * C;
      T* o = out + n * C;
      for (Index c = 0; c < tw; ++c) o[c] = (r[c] - a[c]) * k[c] + b[c];
    }
    return;
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
    for (Index n = 0; n < N; ++n) {
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

template <typename T>
T inverse_std(double var, T eps) {
  return T(1.0 / std::sqrt(std::max(var, 0.0) + double(eps)));
}

}  // namespace

template <typename T>
void batch_norm_forward_train(T* y, T* mean, T* var, T* rstd, const T* x, const T* gamma,
                              const T* beta, Index N, Index C, Index L, T eps) {
  check_train_batch(N, C, L);
  const double count = double(N * L);
  const Index step = L == 1 ? tile_width<T>(N, C, 2) : std::min(kMaxTile, C);
  double dmean[kMaxTile], dm2[kMaxTile];
  T scale[kMaxTile], shift[kMaxTile];
  for (Index c0 = 0; c0 < C; c0 += step) {
    const Index tw = std::min(step, C - c0);
    const Index off = c0 * L;
    // batch statistics
    if (L == 1) {
      stats_rows(dmean, dm2, x + off, N, C, tw);
    } else {
      stats_runs(dmean, dm2, x + off, N, C, L, tw);
    }
    for (Index c = 0; c < tw; ++c) {
      const double v = std::max(dm2[c] / count, 0.0);
      mean[c0 + c] = T(dmean[c]);
      var[c0 + c] = T(v);
      rstd[c0 + c] = inverse_std(v, eps);
      scale[c] = gamma ? rstd[c0 + c] * gamma[c0 + c] : rstd[c0 + c];
      shift[c] = beta ? beta[c0 + c] : T(0);
    }
    // normalize, scale and shift
    affine_map(y + off, x + off, mean + c0, scale, shift, N, C, L, tw);
  }
}

template <typename T>
void batch_norm_forward_eval(T* y, const T* x, const T* mean, const T* var, const T* gamma,
                             const T* beta, Index N, Index C, Index L, T eps) {
  const Index step = L == 1 ? tile_width<T>(N, C, 2) : std::min(kMaxTile, C);
  T scale[kMaxTile], shift[kMaxTile];
  for (Index c0 = 0; c0 < C; c0 += step) {
    const Index tw = std::min(step, C - c0);
    for (Index c = 0; c < tw; ++c) {
      const T r = inverse_std(double(var[c0 + c]), eps);
      scale[c] = gamma ? r * gamma[c0 + c] : r;
      shift[c] = beta ? beta[c0 + c] : T(0);
    }
    affine_map(y + c0 * L, x + c0 * L, mean + c0, scale, shift, N, C, L, tw);
  }
}

template <typename T>
void batch_norm_backward(T* dx, T* dgamma, T* dbeta, const T* dy, const T* x, const T* mean,
                         const T* rstd, const T* gamma, Index N, Index C, Index L) {
  const double count = double(N * L);
  const Index step = L == 1 ? tile_width<T>(N, C, 3) : std::min(kMaxTile, C);
  double sdy[kMaxTile], sdyx[kMaxTile];
  T k[kMaxTile], a[kMaxTile], b[kMaxTile];
  for (Index c0 = 0; c0 < C; c0 += step) {
    const Index tw = std::min(step, C - c0);
    const Index off = c0 * L;
    // sum dy and sum dy * (x - mean), per channel
    if (L == 1) {
      grad_sums_rows(sdy, sdyx, dy + off, x + off, mean + c0, N, C, tw);
    } else {
      grad_sums_runs(sdy, sdyx, dy + off, x + off, mean + c0, N, C, L, tw);
    }
    for (Index c = 0; c < tw; ++c) {
      const double r = rstd[c0 + c];
      // dgamma = sum dy * xhat, dbeta = sum dy
      if (dgamma) dgamma[c0 + c] += T(sdyx[c] * r);
      if (dbeta) dbeta[c0 + c] += T(sdy[c]);
      k[c] = T(gamma ? r * double(gamma[c0 + c]) : r);
      a[c] = T(sdy[c] / count);
      b[c] = T(r * r * sdyx[c] / count);
    }
    // dx = gamma * rstd * (dy - mean(dy) - xhat * mean(dy * xhat))
    input_grad(dx + off, dy + off, x + off, mean + c0, k, a, b, N, C, L, tw);
  }
}

template <typename T>
void batch_norm_backward_eval(T* dx, T* dgamma, T* dbeta, const T* dy, const T* x, const T* mean,
                              const T* rstd, const T* gamma, Index N, Index C, Index L) {
  const Index step = L == 1 ? tile_width<T>(N, C, 2) : std::min(kMaxTile, C);
  double sdy[kMaxTile], sdyx[kMaxTile];
  T k[kMaxTile], zero[kMaxTile];
  std::fill_n(zero, kMaxTile, T(0));
  for (Index c0 = 0; c0 < C; c0 += step) {
    const Index tw = std::min(step, C - c0);
    const Index off = c0 * L;
    // dgamma = sum dy * xhat, dbeta = sum dy (xhat from the fixed statistics)
    if (dgamma || dbeta) {
      if (L == 1) {
        grad_sums_rows(sdy, sdyx, dy + off, x + off, mean + c0, N, C, tw);
      } else {
        grad_sums_runs(sdy, sdyx, dy + off, x + off, mean + c0, N, C, L, tw);
      }
      for (Index c = 0; c < tw; ++c) {
        if (dgamma) dgamma[c0 + c] += T(sdyx[c] * double(rstd[c0 + c]));
        if (dbeta) dbeta[c0 + c] += T(sdy[c]);
      }
    }
    // dx = dy * gamma * rstd
    for (Index c = 0; c < tw; ++c) k[c] = gamma ? rstd[c0 + c] * gamma[c0 + c] : rstd[c0 + c];
    affine_map(dx + off, dy + off, zero, k, zero, N, C, L, tw);
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
  const double unbias = double(count) / double(count - 1);
  for (Index c = 0; c < C; ++c) {
    running_mean[c] = T((1 - factor) * double(running_mean[c]) + factor * double(mean[c]));
    running_var[c] = T((1 - factor) * double(running_var[c]) + factor * double(var[c]) * unbias);
  }
}

// ---------------------------------------------------------------------------------------------
// BatchNorm1d

template <typename T>
BatchNorm1d<T>::BatchNorm1d(Index num_features, BatchNormOptions options)
    : channels_(num_features), options_(options) {
  if (num_features < 1)
    throw Error(fmt::format("BatchNorm1d: num_features must be >= 1, got {}", num_features));
  if (!(options.eps > 0))
    throw Error(fmt::format("BatchNorm1d: eps must be > 0, got {}", options.eps));
  if (options.momentum && !(*options.momentum >= 0 && *options.momentum <= 1)) {
    throw Error(fmt::format("BatchNorm1d: momentum must be in [0, 1], got {}", *options.momentum));
  }
  if (options.affine) {
    weight_ = Parameter<T>("weight", 1, num_features);
    bias_ = Parameter<T>("bias", 1, num_features);
    weight_.value.setOnes();
  }
  if (options.track_running_stats) {
    running_mean_ = RowVector<T>::Zero(num_features);
    running_var_ = RowVector<T>::Ones(num_features);
  }
}

template <typename T>
void BatchNorm1d<T>::forward(const Matrix<T>& x, Matrix<T>& y, Index L) {
  const Index N = x.rows(), C = channels_;
  if (L < 1) throw Error(fmt::format("BatchNorm1d({}): L must be >= 1, got {}", C, L));
  if (x.cols() != C * L) {
    throw Error(L == 1 ? fmt::format("BatchNorm1d({}): input has shape ({}, {}), expected (N, {})",
                                     C, N, x.cols(), C)
                       : fmt::format("BatchNorm1d({}): input has shape ({}, {}), expected (N, C * "
                                     "L) = (N, {}) for L = {}",
                                     C, N, x.cols(), C * L, L));
  }
  const T* gamma = options_.affine ? weight_.value.data() : nullptr;
  const T* beta = options_.affine ? bias_.value.data() : nullptr;
  const T eps = T(options_.eps);
  y.resize(N, C * L);
  mean_.resize(C);
  var_.resize(C);
  rstd_.resize(C);
  const bool batch_stats = training_ || !options_.track_running_stats;
  if (batch_stats) {
    batch_norm_forward_train(y.data(), mean_.data(), var_.data(), rstd_.data(), x.data(), gamma,
                             beta, N, C, L, eps);
    if (training_ && options_.track_running_stats) {
      ++num_batches_tracked_;
      const double factor =
          options_.momentum ? *options_.momentum : 1.0 / double(num_batches_tracked_);
      batch_norm_update_running_stats(running_mean_.data(), running_var_.data(), mean_.data(),
                                      var_.data(), C, N * L, factor);
    }
  } else {
    batch_norm_forward_eval(y.data(), x.data(), running_mean_.data(), running_var_.data(), gamma,
                            beta, N, C, L, eps);
    mean_ = running_mean_;
    var_ = running_var_;
    for (Index c = 0; c < C; ++c) rstd_[c] = inverse_std(double(var_[c]), eps);
  }
  x_ = x;
  length_ = L;
  batch_stats_ = batch_stats;
}

template <typename T>
void BatchNorm1d<T>::backward(const Matrix<T>& dy, Matrix<T>& dx) {
  if (length_ == 0) throw Error("BatchNorm1d: backward() called before forward()");
  if (dy.rows() != x_.rows() || dy.cols() != x_.cols()) {
    throw Error(
        fmt::format("BatchNorm1d({}): gradient has shape ({}, {}), expected ({}, {}) as the last "
                    "forward's input",
                    channels_, dy.rows(), dy.cols(), x_.rows(), x_.cols()));
  }
  T* dgamma = options_.affine ? weight_.grad.data() : nullptr;
  T* dbeta = options_.affine ? bias_.grad.data() : nullptr;
  const T* gamma = options_.affine ? weight_.value.data() : nullptr;
  dx.resize(dy.rows(), dy.cols());
  auto kernel = batch_stats_ ? batch_norm_backward<T> : batch_norm_backward_eval<T>;
  kernel(dx.data(), dgamma, dbeta, dy.data(), x_.data(), mean_.data(), rstd_.data(), gamma,
         x_.rows(), channels_, length_);
}

template <typename T>
ParameterList<T> BatchNorm1d<T>::parameters() {
  if (!options_.affine) return {};
  return {&weight_, &bias_};
}

template <typename T>
void BatchNorm1d<T>::zero_grad() {
  weight_.zero_grad();
  bias_.zero_grad();
}

template <typename T>
void BatchNorm1d<T>::save_state(TensorFile& file, const std::string& prefix) const {
  const std::vector<int64_t> shape{int64_t(channels_)};
  if (options_.affine) {
    file.put<T>(prefix + "weight", weight_.value.data(), shape);
    file.put<T>(prefix + "bias", bias_.value.data(), shape);
  }
  if (options_.track_running_stats) {
    file.put<T>(prefix + "running_mean", running_mean_.data(), shape);
    file.put<T>(prefix + "running_var", running_var_.data(), shape);
    file.put<int64_t>(prefix + "num_batches_tracked", &num_batches_tracked_, {});
  }
}

template <typename T>
void BatchNorm1d<T>::load_state(const TensorFile& file, const std::string& prefix) {
  // Read everything first, so that a bad file leaves the layer unchanged.
  const Index C = channels_;
  std::vector<T> w, b, rm, rv;
  int64_t tracked = 0;
  if (options_.affine) {
    w = detail::checked_tensor(file, prefix + "weight", C, false).values<T>();
    b = detail::checked_tensor(file, prefix + "bias", C, false).values<T>();
  }
  if (options_.track_running_stats) {
    rm = detail::checked_tensor(file, prefix + "running_mean", C, false).values<T>();
    rv = detail::checked_tensor(file, prefix + "running_var", C, false).values<T>();
    tracked =
        detail::checked_tensor(file, prefix + "num_batches_tracked", 1, true).values<int64_t>()[0];
  }
  if (options_.affine) {
    std::copy(w.begin(), w.end(), weight_.value.data());
    std::copy(b.begin(), b.end(), bias_.value.data());
  }
  if (options_.track_running_stats) {
    std::copy(rm.begin(), rm.end(), running_mean_.data());
    std::copy(rv.begin(), rv.end(), running_var_.data());
    num_batches_tracked_ = tracked;
  }
}

#define BNLSTM_INSTANTIATE(T)                                                                    \
  template void batch_norm_forward_train<T>(T*, T*, T*, T*, const T*, const T*, const T*, Index, \
                                            Index, Index, T);                                    \
  template void batch_norm_forward_eval<T>(T*, const T*, const T*, const T*, const T*, const T*, \
                                           Index, Index, Index, T);                              \
  template void batch_norm_backward<T>(T*, T*, T*, const T*, const T*, const T*, const T*,       \
                                       const T*, Index, Index, Index);                           \
  template void batch_norm_backward_eval<T>(T*, T*, T*, const T*, const T*, const T*, const T*,  \
                                            const T*, Index, Index, Index);                      \
  template void batch_norm_update_running_stats<T>(T*, T*, const T*, const T*, Index, Index,     \
                                                   double);                                      \
  template class BatchNorm1d<T>;

BNLSTM_INSTANTIATE(float)
BNLSTM_INSTANTIATE(double)
#undef BNLSTM_INSTANTIATE

}  // namespace bnlstm
