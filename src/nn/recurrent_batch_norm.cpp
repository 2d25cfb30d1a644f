#include "bnlstm/nn/recurrent_batch_norm.hpp"

#include <algorithm>
#include <cmath>

#include "batch_norm_internal.hpp"
#include "bnlstm/core/error.hpp"
#include "bnlstm/nn/batch_norm.hpp"
#include "bnlstm/nn/batch_norm_phases.hpp"

namespace bnlstm {

template <typename T>
RecurrentBatchNorm<T>::RecurrentBatchNorm(Index channels, double eps,
                                          std::optional<double> momentum)
    : channels_(channels), eps_(eps), momentum_(momentum) {
  if (channels < 1)
    throw Error("RecurrentBatchNorm: channels must be >= 1, got " + std::to_string(channels));
  if (!(eps > 0)) throw Error("RecurrentBatchNorm: eps must be > 0, got " + std::to_string(eps));
  if (momentum && !(*momentum >= 0 && *momentum <= 1))
    throw Error("RecurrentBatchNorm: momentum must be in [0, 1], got " + std::to_string(*momentum));
  running_mean_.resize(0, channels);
  running_var_.resize(0, channels);
  default_mean_ = RowVector<T>::Zero(channels);
  default_var_ = RowVector<T>::Ones(channels);
  eval_rstd_.resize(channels);
  zero_rows_ = Matrix<T>::Zero(2, channels);
  zero_out_.resize(2, channels);
}

// L: number of steps of the coming training sequence.
template <typename T>
void RecurrentBatchNorm<T>::begin_training_sequence(Index L, bool replace_running) {
  replace_running_ = replace_running;
  batch_mean_.resize(L, channels_);  // no-ops while L is unchanged
  batch_var_.resize(L, channels_);
  batch_rstd_.resize(L, channels_);
  if (reducer_) {
    moment_mean_.resize(L, channels_);
    moment_m2_.resize(L, channels_);
    sums_.resize(L, 2 * channels_);
    count_.resize(static_cast<size_t>(L));
  }
  const Index seen = steps_seen();
  if (L > seen) {
    // new steps start from torch's initial running statistics
    running_mean_.conservativeResize(L, channels_);
    running_var_.conservativeResize(L, channels_);
    running_mean_.bottomRows(L - seen).setZero();
    running_var_.bottomRows(L - seen).setOnes();
    num_batches_tracked_.resize(static_cast<size_t>(L), 0);
  }
}

namespace {

void check_sequence_count(double count) {
  if (count < 2)
    throw Error(
        "RecurrentBatchNorm: training needs a batch of at least 2 sequences (per-step batch "
        "statistics), got " +
        std::to_string(static_cast<int64_t>(count)));
}

}  // namespace

template <typename T>
double RecurrentBatchNorm<T>::running_factor(Index t) {
  auto& tracked = num_batches_tracked_[static_cast<size_t>(t)];
  if (replace_running_) {
    tracked = std::max<int64_t>(tracked, 1);
    return 1.0;  // replace: (1 - 1) * running + 1 * batch is the batch's, exactly
  }
  ++tracked;
  return momentum_ ? *momentum_ : 1.0 / static_cast<double>(tracked);
}

// x, y: (N, C) of step t.
template <typename T>
void RecurrentBatchNorm<T>::forward_train(T* y, const T* x, const T* gamma, const T* beta, Index t,
                                          Index N) {
  if (t >= batch_mean_.rows())
    throw Error("RecurrentBatchNorm: step " + std::to_string(t) + " beyond the sequence");
  if (reducer_) {
    // this share's moments, combined with the other workers'
    double count = double(N);
    batch_norm_moments(moment_mean_.row(t).data(), moment_m2_.row(t).data(), x, N, channels_,
                       Index{1});
    reducer_->combine_moments(count, moment_mean_.row(t).data(), moment_m2_.row(t).data(),
                              channels_);
    finish_step(y, x, gamma, beta, t, N, count);
    return;
  }
  check_sequence_count(double(N));
  T* mean = batch_mean_.row(t).data();
  T* var = batch_var_.row(t).data();
  T* rstd = batch_rstd_.row(t).data();
  // running statistics of this step only, updated by the kernel as it goes
  const detail::RunningStats<T> running{running_mean_.row(t).data(), running_var_.row(t).data(),
                                        running_factor(t)};
  detail::batch_norm_forward_train_fused(y, static_cast<T*>(nullptr), mean, var, rstd, x, gamma,
                                         beta, N, channels_, Index{1}, static_cast<T>(eps_),
                                         running);
}

// x, y: (N, C) of step t; rows t of moment_mean_/moment_m2_ hold the combined moments over
// `count` sequences.
template <typename T>
void RecurrentBatchNorm<T>::finish_step(T* y, const T* x, const T* gamma, const T* beta, Index t,
                                        Index N, double count) {
  check_sequence_count(count);  // the same on every worker
  T* mean = batch_mean_.row(t).data();
  T* var = batch_var_.row(t).data();
  T* rstd = batch_rstd_.row(t).data();
  batch_norm_statistics(mean, var, rstd, moment_mean_.row(t).data(), moment_m2_.row(t).data(),
                        count, channels_, static_cast<T>(eps_));
  batch_norm_update_running_stats(running_mean_.row(t).data(), running_var_.row(t).data(), mean,
                                  var, channels_, static_cast<Index>(count), running_factor(t));
  count_[static_cast<size_t>(t)] = count;
  batch_norm_normalize(y, x, mean, rstd, gamma, beta, N, channels_, Index{1});
}

// x, y: (L*N, C), steps 0..L-1.
template <typename T>
void RecurrentBatchNorm<T>::forward_train_steps(T* y, const T* x, const T* gamma, const T* beta,
                                                Index N) {
  const Index L = batch_mean_.rows(), C = channels_;
  if (!reducer_) {
    for (Index t = 0; t < L; ++t) forward_train(y + t * N * C, x + t * N * C, gamma, beta, t, N);
    return;
  }
  // every step's moments, combined in one call
  for (Index t = 0; t < L; ++t)
    batch_norm_moments(moment_mean_.row(t).data(), moment_m2_.row(t).data(), x + t * N * C, N, C,
                       Index{1});
  double count = double(N);
  reducer_->combine_moments(count, moment_mean_.data(), moment_m2_.data(), L * C);
  for (Index t = 0; t < L; ++t) finish_step(y + t * N * C, x + t * N * C, gamma, beta, t, N, count);
}

template <typename T>
void RecurrentBatchNorm<T>::forward_train_zero(Index t) {
  if (t >= batch_mean_.rows())
    throw Error("RecurrentBatchNorm: step " + std::to_string(t) + " beyond the sequence");
  // two zero rows give exactly the statistics of any number of zero rows
  BatchStatsReducer* reducer = reducer_;
  reducer_ = nullptr;
  forward_train(zero_out_.data(), zero_rows_.data(), nullptr, nullptr, t, 2);
  reducer_ = reducer;
}

// x, y: (N, C) of step t.
template <typename T>
void RecurrentBatchNorm<T>::forward_eval(T* y, const T* x, const T* gamma, const T* beta, Index t,
                                         Index N) const {
  const Index seen = steps_seen();
  // steps beyond the longest training sequence reuse the last step's statistics
  const T* mean = seen ? running_mean_.row(std::min(t, seen - 1)).data() : default_mean_.data();
  const T* var = seen ? running_var_.row(std::min(t, seen - 1)).data() : default_var_.data();
  batch_norm_forward_eval(y, x, mean, var, gamma, beta, N, channels_, Index{1},
                          static_cast<T>(eps_));
}

// dy, x, dx: (N, C) of step t.
template <typename T>
void RecurrentBatchNorm<T>::backward(T* dx, T* dgamma, T* dbeta, const T* dy, const T* x,
                                     const T* gamma, Index t, Index N) {
  if (!reducer_) {
    batch_norm_backward(dx, dgamma, dbeta, dy, x, batch_mean_.row(t).data(),
                        batch_rstd_.row(t).data(), gamma, N, channels_, Index{1});
    return;
  }
  // local sums -> this share's dγ, dβ; summed over the workers -> dx
  const Index C = channels_;
  double* sums = sums_.row(t).data();
  batch_norm_grad_sums(sums, sums + C, dy, x, batch_mean_.row(t).data(), N, C, Index{1});
  batch_norm_param_grads(dgamma, dbeta, sums, sums + C, batch_rstd_.row(t).data(), C);
  reducer_->sum(sums, 2 * C);
  batch_norm_input_grad(dx, dy, x, batch_mean_.row(t).data(), batch_rstd_.row(t).data(), gamma,
                        sums, sums + C, count_[static_cast<size_t>(t)], N, C, Index{1});
}

// dy, x, dx: (L*N, C), steps 0..L-1.
template <typename T>
void RecurrentBatchNorm<T>::backward_steps(T* dx, T* dgamma, T* dbeta, const T* dy, const T* x,
                                           const T* gamma, Index N) {
  const Index L = batch_mean_.rows(), C = channels_;
  if (!reducer_) {
    for (Index t = 0; t < L; ++t)
      backward(dx + t * N * C, dgamma, dbeta, dy + t * N * C, x + t * N * C, gamma, t, N);
    return;
  }
  // every step's sums, summed over the workers in one call
  for (Index t = 0; t < L; ++t) {
    double* sums = sums_.row(t).data();
    batch_norm_grad_sums(sums, sums + C, dy + t * N * C, x + t * N * C, batch_mean_.row(t).data(),
                         N, C, Index{1});
    batch_norm_param_grads(dgamma, dbeta, sums, sums + C, batch_rstd_.row(t).data(), C);
  }
  reducer_->sum(sums_.data(), L * 2 * C);
  for (Index t = 0; t < L; ++t) {
    const double* sums = sums_.row(t).data();
    batch_norm_input_grad(dx + t * N * C, dy + t * N * C, x + t * N * C, batch_mean_.row(t).data(),
                          batch_rstd_.row(t).data(), gamma, sums, sums + C,
                          count_[static_cast<size_t>(t)], N, C, Index{1});
  }
}

// dy, x, dx: (N, C) of step t.
template <typename T>
void RecurrentBatchNorm<T>::backward_eval(T* dx, T* dgamma, T* dbeta, const T* dy, const T* x,
                                          const T* gamma, Index t, Index N) {
  const Index seen = steps_seen();
  const T* mean = seen ? running_mean_.row(std::min(t, seen - 1)).data() : default_mean_.data();
  const T* var = seen ? running_var_.row(std::min(t, seen - 1)).data() : default_var_.data();
  for (Index c = 0; c < channels_; ++c)
    eval_rstd_[c] = T(1) / std::sqrt(var[c] + static_cast<T>(eps_));
  batch_norm_backward_eval(dx, dgamma, dbeta, dy, x, mean, eval_rstd_.data(), gamma, N, channels_,
                           Index{1});
}

template <typename T>
void RecurrentBatchNorm<T>::save_state(TensorFile& file, const std::string& prefix) const {
  const auto steps = static_cast<int64_t>(steps_seen());
  const auto C = static_cast<int64_t>(channels_);
  file.put<T>(prefix + "running_mean", running_mean_.data(), {steps, C});
  file.put<T>(prefix + "running_var", running_var_.data(), {steps, C});
  file.put<int64_t>(prefix + "num_batches_tracked", num_batches_tracked_.data(), {steps});
}

template <typename T>
void RecurrentBatchNorm<T>::load_state(const TensorFile& file, const std::string& prefix) {
  const StoredTensor& mean = file.get(prefix + "running_mean");
  const StoredTensor& var = file.get(prefix + "running_var");
  const StoredTensor& tracked = file.get(prefix + "num_batches_tracked");
  const auto C = static_cast<int64_t>(channels_);
  const bool ok = mean.shape.size() == 2 && mean.shape[1] == C && var.shape == mean.shape &&
                  tracked.shape == std::vector<int64_t>{mean.shape[0]};
  if (!ok)
    throw Error(file.source + ": " + prefix +
                "running_mean/running_var/num_batches_tracked: expected shapes (steps, " +
                std::to_string(C) + "), (steps, " + std::to_string(C) + "), (steps)");
  const Index steps = mean.shape[0];
  const std::vector<T> m = mean.values<T>(), v = var.values<T>();
  const std::vector<int64_t> n = tracked.values<int64_t>();
  // untrusted: a negative or NaN variance would give NaN forecasts without a word
  for (size_t i = 0; i < m.size(); ++i)
    if (!std::isfinite(m[i]) || !std::isfinite(v[i]) || v[i] < 0)
      throw Error(file.source + ": " + prefix +
                  "running_mean/running_var: expected finite means and variances >= 0, got " +
                  std::to_string(m[i]) + " and " + std::to_string(v[i]));
  for (int64_t k : n)
    if (k < 0) throw Error(file.source + ": " + prefix + "num_batches_tracked: negative count");
  running_mean_ = ConstMatrixMap<T>(m.data(), steps, channels_);
  running_var_ = ConstMatrixMap<T>(v.data(), steps, channels_);
  num_batches_tracked_ = n;
}

template class RecurrentBatchNorm<float>;
template class RecurrentBatchNorm<double>;

}  // namespace bnlstm
