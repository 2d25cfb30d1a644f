#pragma once
// Batch normalization with statistics per time step, for recurrent layers (Cooijmans et al. 2016,
// "Recurrent Batch Normalization", section 3): γ and β are shared across steps and owned by the
// caller, but every time step t keeps its own running mean and variance. In training, step t uses
// the batch statistics of step t (and the gradient flows through them); in eval, step t uses the
// running statistics of step t, and steps beyond the longest training sequence reuse the last
// step's statistics. The maths of each step is exactly torch.nn.functional.batch_norm.
//
// Layout: x for one step is row-major (N, C), one sample per row.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "bnlstm/core/tensor.hpp"
#include "bnlstm/io/safetensors.hpp"
#include "bnlstm/nn/stats_reducer.hpp"

namespace bnlstm {

template <typename T>
class RecurrentBatchNorm {
 public:
  // momentum: torch's momentum (0.1); nullopt is torch's momentum=None (cumulative average, per step).
  RecurrentBatchNorm(Index channels, double eps = 1e-5, std::optional<double> momentum = 0.1);

  Index channels() const { return channels_; }
  double eps() const { return eps_; }
  // Number of time steps that have running statistics (the longest training sequence seen).
  Index steps_seen() const { return running_mean_.rows(); }
  // running_mean/var: (steps_seen, C), row t = step t; initialised to 0 / 1 as in torch.
  const Matrix<T>& running_mean() const { return running_mean_; }
  const Matrix<T>& running_var() const { return running_var_; }
  // Batches that updated step t's statistics: (steps_seen).
  const std::vector<int64_t>& num_batches_tracked() const { return num_batches_tracked_; }

  // Sizes the per-step batch-statistics buffers for a training sequence of L steps (no allocation
  // while L is unchanged) and adds running statistics for steps not seen before.
  // replace_running: the sequence's batch statistics replace the running ones (momentum 1) and
  // num_batches_tracked is left as it is (at least 1): precise BN's recalibration pass.
  void begin_training_sequence(Index L, bool replace_running = false);

  // Training-mode step t: y = (x - mean_t) * rstd_t * gamma + beta with the batch statistics of x,
  // which are kept for backward; step t's running statistics are updated.
  // x, y: (N, C); gamma, beta: (C) or nullptr. Throws bnlstm::Error when N < 2.
  void forward_train(T* y, const T* x, const T* gamma, const T* beta, Index t, Index N);

  // Training-mode forward of steps 0..L-1 at once (L from begin_training_sequence): the same as
  // forward_train for each t, but with a reducer the statistics of all steps cross it in one
  // call. x, y: (L*N, C) time-major (row t*N + n); gamma, beta: (C) or nullptr.
  void forward_train_steps(T* y, const T* x, const T* gamma, const T* beta, Index N);

  // Training-mode step t whose input is zero on every worker (the LSTM's W_hh h_0 for the
  // default zero state): records mean 0 and variance 0 and updates step t's running statistics,
  // without a pass over the rows and without communication. There is no output (it would be
  // β, and the caller adds nothing) and backward is not called for this step.
  void forward_train_zero(Index t);

  // Eval-mode step t with the running statistics of step min(t, steps_seen - 1) (the torch
  // defaults mean 0, var 1 before any training). x, y: (N, C); gamma, beta: (C) or nullptr.
  void forward_eval(T* y, const T* x, const T* gamma, const T* beta, Index t, Index N) const;

  // Backward of forward_train for step t (x is that step's input).
  // dy, x: (N, C); dx: (N, C) overwritten; dgamma, dbeta: (C) accumulated (+=), may be nullptr.
  void backward(T* dx, T* dgamma, T* dbeta, const T* dy, const T* x, const T* gamma, Index t,
                Index N);

  // Backward of forward_train_steps: the same as backward for each t, the sums of all steps
  // crossing the reducer in one call. dy, x, dx: (L*N, C); dgamma, dbeta: (C) or nullptr.
  void backward_steps(T* dx, T* dgamma, T* dbeta, const T* dy, const T* x, const T* gamma,
                      Index N);

  // Data-parallel training (see BatchNorm1d::set_stats_reducer): the training steps' statistics
  // are those of all workers' shares together. nullptr (the default): local statistics.
  void set_stats_reducer(BatchStatsReducer* reducer) { reducer_ = reducer; }
  BatchStatsReducer* stats_reducer() const { return reducer_; }

  // Backward of forward_eval for step t: the running statistics are constants, so
  // dx = dy * gamma * rstd. Same arguments as backward.
  void backward_eval(T* dx, T* dgamma, T* dbeta, const T* dy, const T* x, const T* gamma, Index t, Index N);

  // Running statistics as <prefix>running_mean (steps, C), <prefix>running_var (steps, C),
  // <prefix>num_batches_tracked (steps, I64).
  void save_state(TensorFile& file, const std::string& prefix) const;
  // Throws bnlstm::Error naming the file and tensor when absent or of the wrong shape.
  void load_state(const TensorFile& file, const std::string& prefix);

  // The same state as values in memory (a trainer's best-epoch snapshot): copying into the same
  // RunningState again allocates nothing while the number of steps is unchanged.
  struct RunningState {
    Matrix<T> mean, var;           // (steps, C)
    std::vector<int64_t> tracked;  // (steps)
  };
  void copy_running_state(RunningState& to) const {
    to.mean = running_mean_;
    to.var = running_var_;
    to.tracked = num_batches_tracked_;
  }
  void set_running_state(const RunningState& from) {
    running_mean_ = from.mean;
    running_var_ = from.var;
    num_batches_tracked_ = from.tracked;
  }

 private:
  // The factor of step t's running-statistics update (and num_batches_tracked's increment).
  double running_factor(Index t);
  // With a reducer: step t's local moments (rows t of moments_) -> combined -> y.
  void finish_step(T* y, const T* x, const T* gamma, const T* beta, Index t, Index N, double count);

  Index channels_;
  double eps_;
  std::optional<double> momentum_;
  bool replace_running_ = false;  // the current training sequence's, see begin_training_sequence
  Matrix<T> running_mean_, running_var_;      // (steps_seen, C)
  std::vector<int64_t> num_batches_tracked_;  // (steps_seen)
  Matrix<T> batch_mean_, batch_var_, batch_rstd_;  // (L, C): the last training sequence
  RowVector<T> default_mean_, default_var_;        // (C): 0 and 1, for eval before any training
  RowVector<T> eval_rstd_;                         // (C) scratch for backward_eval
  Matrix<T> zero_rows_, zero_out_;                 // (2, C): forward_train_zero's input/output
  // With a reducer: per-step local moments, then combined ones (mean, m2: (L, C), row t = step
  // t), backward's sums (L, 2C) (row t: Σdy | Σdy (x - mean)), and each step's count of values
  // over all workers (L).
  BatchStatsReducer* reducer_ = nullptr;
  Matrix<double> moment_mean_, moment_m2_, sums_;
  std::vector<double> count_;
};

extern template class RecurrentBatchNorm<float>;
extern template class RecurrentBatchNorm<double>;

}  // namespace bnlstm
