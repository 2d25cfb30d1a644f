#pragma once
// Batch normalization over (N, C) or (N, C, L) inputs, with the semantics of
// torch.nn.BatchNorm1d. Kernels are free functions (outputs first, then inputs, then sizes);
// the BatchNorm1d class below owns parameters, gradients and running statistics.
//
// Layout: x is contiguous row-major (N, C, L); (N, C) is the case L = 1. Statistics are per
// channel c, over the N*L values x[n, c, l].
//
//   training:  y = (x - mean_B) / sqrt(var_B + eps) * gamma + beta   (var_B biased, over N*L)
//              running = (1 - momentum) * running + momentum * batch  (running_var unbiased)
//   eval:      y = (x - running_mean) / sqrt(running_var + eps) * gamma + beta
// Derivation of the backward pass and accuracy notes: docs/batch_norm.md.
#include <cstdint>
#include <optional>
#include <string>

#include "bnlstm/core/matrix_buffer.hpp"
#include "bnlstm/core/tensor.hpp"
#include "bnlstm/nn/parameter.hpp"
#include "bnlstm/nn/stats_reducer.hpp"

namespace bnlstm {

class TensorFile;

// Training-mode forward with batch statistics.
// x: (N, C, L), y: (N, C, L), mean/var/rstd: (C). var is the biased batch variance,
// rstd = 1/sqrt(var + eps). gamma/beta: (C) or nullptr (no affine).
// Throws bnlstm::Error when N*L == 1 (a single value per channel cannot be normalized).
template <typename T>
void batch_norm_forward_train(T* y, T* mean, T* var, T* rstd, const T* x, const T* gamma,
                              const T* beta, Index N, Index C, Index L, T eps);

// Forward with given statistics (eval mode): y = (x - mean) / sqrt(var + eps) * gamma + beta.
// x: (N, C, L), y: (N, C, L), mean/var/gamma/beta: (C); gamma/beta may be nullptr.
template <typename T>
void batch_norm_forward_eval(T* y, const T* x, const T* mean, const T* var, const T* gamma,
                             const T* beta, Index N, Index C, Index L, T eps);

// Backward of the training-mode forward (gradient flows through the batch statistics).
// dy, x: (N, C, L); mean, rstd, gamma: (C) from the forward. dx: (N, C, L) is overwritten;
// dgamma, dbeta: (C) are accumulated (+=); gamma/dgamma/dbeta may be nullptr (no affine).
template <typename T>
void batch_norm_backward(T* dx, T* dgamma, T* dbeta, const T* dy, const T* x, const T* mean,
                         const T* rstd, const T* gamma, Index N, Index C, Index L);

// Backward of the eval-mode forward, where mean and rstd are constants (running statistics):
// dx = dy * gamma * rstd, dgamma += sum dy * (x - mean) * rstd, dbeta += sum dy.
// Same arguments as batch_norm_backward; rstd = 1/sqrt(running_var + eps).
template <typename T>
void batch_norm_backward_eval(T* dx, T* dgamma, T* dbeta, const T* dy, const T* x, const T* mean,
                              const T* rstd, const T* gamma, Index N, Index C, Index L);

// running = (1 - factor) * running + factor * batch, with the unbiased variance
// var * count / (count - 1). factor is the momentum, or 1/num_batches_tracked for a
// cumulative moving average (momentum unset). running_mean/var, mean/var: (C).
template <typename T>
void batch_norm_update_running_stats(T* running_mean, T* running_var, const T* mean, const T* var,
                                     Index C, Index count, double factor);

// Options of BatchNorm1d; the defaults are torch.nn.BatchNorm1d's.
struct BatchNormOptions {
  double eps = 1e-5;                     // added to the variance before the square root
  std::optional<double> momentum = 0.1;  // running-stat update factor; nullopt = cumulative average
  bool affine = true;                    // learnable weight (gamma, starts at 1) and bias (beta, 0)
  bool track_running_stats = true;       // keep running_mean / running_var for eval mode
  // forward() keeps a copy of x for backward(dy, dx). Off: it keeps none, and backward must be
  // given x again, backward(x, dy, dx) (as oneDNN's and mlpack's backward take the input):
  // one write of x less per step, 10-25 % of a forward + backward.
  bool copy_input = true;
};

// A BatchNorm1d layer. Starts in training mode.
//
//   BatchNorm1d<float> bn(64);            // C = 64
//   bn.forward(x, y);                      // x, y: (N, 64)
//   bn.forward(x, y, L);                   // x, y: (N, 64 * L), the row-major (N, 64, L) layout
//   bn.zero_grad(); bn.backward(dy, dx);   // dx: like x; weight/bias grads accumulate (+=)
//   bn.backward(x, dy, dx);                // the same with the caller's x (copy_input off)
//
// Training mode (or track_running_stats off) normalizes with batch statistics; eval mode with
// the running statistics. forward() keeps the per-channel mean and 1/std, and a copy of x unless
// options.copy_input is off, for backward(), which differentiates the last forward in the mode
// it ran in.
template <typename T>
class BatchNorm1d {
 public:
  explicit BatchNorm1d(Index num_features, BatchNormOptions options = {});

  void train(bool on = true) { training_ = on; }
  void eval() { training_ = false; }
  bool training() const { return training_; }

  // Inputs are Eigen::Refs, as in Lstm and Linear: a Matrix, a Map (e.g. the view Lstm::forward
  // returns) or a block with contiguous rows is read in place, without a copy.
  // x: (N, C), y: (N, C)
  void forward(const Eigen::Ref<const Matrix<T>>& x, Matrix<T>& y) { forward(x, y, 1); }
  // x: (N, C*L) holding (N, C, L) row-major, y: (N, C*L)
  void forward(const Eigen::Ref<const Matrix<T>>& x, Matrix<T>& y, Index L);
  // dy: shape of the last forward's x, dx: same (overwritten). Needs copy_input (the default).
  void backward(const Eigen::Ref<const Matrix<T>>& dy, Matrix<T>& dx);
  // x: the last forward's input, unchanged; dy, dx: its shape. Works with copy_input on or off.
  void backward(const Eigen::Ref<const Matrix<T>>& x, const Eigen::Ref<const Matrix<T>>& dy,
                Matrix<T>& dx);

  // Data-parallel training: batch statistics are combined across workers through `reducer`
  // (not owned; nullptr, the default, keeps them local). Then every worker passes its share of
  // the batch (possibly empty), batch statistics and running statistics are those of the whole
  // batch, dx is the gradient of the whole batch's loss for this share, and weight/bias grads
  // hold this share's part (the caller sums parameter gradients across workers). Batch
  // statistics need at least 2 values per channel in the whole batch.
  void set_stats_reducer(BatchStatsReducer* reducer) { reducer_ = reducer; }
  BatchStatsReducer* stats_reducer() const { return reducer_; }

  // {weight, bias} when affine, else empty. Values and grads are (1, C) and keep that shape:
  // forward, backward and save_state throw bnlstm::Error naming a parameter of another shape.
  ParameterList<T> parameters();
  void zero_grad();

  Parameter<T>& weight() { return weight_; }
  Parameter<T>& bias() { return bias_; }
  const Parameter<T>& weight() const { return weight_; }
  const Parameter<T>& bias() const { return bias_; }
  // (1, C); empty when track_running_stats is off.
  const RowVector<T>& running_mean() const { return running_mean_; }
  const RowVector<T>& running_var() const { return running_var_; }
  int64_t num_batches_tracked() const { return num_batches_tracked_; }
  Index num_features() const { return channels_; }
  const BatchNormOptions& options() const { return options_; }

  // torch state_dict names: prefix + weight, bias (affine), running_mean, running_var,
  // num_batches_tracked (track_running_stats). load_state checks every tensor's presence and
  // shape, throws bnlstm::Error naming the tensor, and changes nothing on error.
  void save_state(TensorFile& file, const std::string& prefix) const;
  void load_state(const TensorFile& file, const std::string& prefix);

 private:
  Index channels_;
  BatchNormOptions options_;
  bool training_ = true;
  Parameter<T> weight_, bias_;
  RowVector<T> running_mean_, running_var_;
  int64_t num_batches_tracked_ = 0;
  // Cache of the last forward, for backward.
  Matrix<T> x_;                // copy of x (copy_input); empty otherwise
  Index rows_ = 0, cols_ = 0;  // x's shape
  RowVector<T> mean_, var_, rstd_;
  Index length_ = 0;         // L of the last forward; 0 = no forward yet
  bool batch_stats_ = true;  // the last forward normalized with batch statistics
  // Synchronized statistics (set_stats_reducer): the split kernels' moments, then sums (2, C),
  // and the whole batch's count of values per channel.
  BatchStatsReducer* reducer_ = nullptr;
  Matrix<double> moments_;
  double count_ = 0;
  // Rows of an input view that are not contiguous (a column block) are gathered here first.
  MatrixBuffer<T> gathered_x_, gathered_dy_;
  void check_parameter_shapes(bool grads) const;
};

}  // namespace bnlstm
