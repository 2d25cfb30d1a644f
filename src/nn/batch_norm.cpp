// The BatchNorm1d layer (include/bnlstm/nn/batch_norm.hpp): parameters, running statistics, the
// cache of the last forward, and state files. The kernels it calls are in batch_norm_kernels.cpp.
#include "bnlstm/nn/batch_norm.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "batch_norm_internal.hpp"
#include "bnlstm/core/error.hpp"
#include "bnlstm/io/safetensors.hpp"
#include "bnlstm/nn/batch_norm_phases.hpp"
#include "norm_internal.hpp"

namespace bnlstm {

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
void BatchNorm1d<T>::forward(const Eigen::Ref<const Matrix<T>>& x, Matrix<T>& y, Index L) {
  const Index N = x.rows(), C = channels_;
  if (L < 1) throw Error(fmt::format("BatchNorm1d({}): L must be >= 1, got {}", C, L));
  if (x.cols() != C * L) {
    throw Error(L == 1 ? fmt::format("BatchNorm1d({}): input has shape ({}, {}), expected (N, {})",
                                     C, N, x.cols(), C)
                       : fmt::format("BatchNorm1d({}): input has shape ({}, {}), expected (N, C * "
                                     "L) = (N, {}) for L = {}",
                                     C, N, x.cols(), C * L, L));
  }
  check_parameter_shapes(false);
  const T* gamma = options_.affine ? weight_.value.data() : nullptr;
  const T* beta = options_.affine ? bias_.value.data() : nullptr;
  const T eps = T(options_.eps);
  const T* xp = detail::contiguous_rows(x, gathered_x_);
  y.resize(N, C * L);
  mean_.resize(C);
  var_.resize(C);
  rstd_.resize(C);
  const bool batch_stats = training_ || !options_.track_running_stats;
  const bool copy = options_.copy_input;
  if (batch_stats && reducer_) {
    // the split kernels, with every worker's statistics combined in between
    moments_.resize(2, C);
    batch_norm_moments(moments_.row(0).data(), moments_.row(1).data(), xp, N, C, L);
    double count = double(N * L);
    reducer_->combine_moments(count, moments_.row(0).data(), moments_.row(1).data(), C);
    if (count < 2) {  // the same on every worker
      throw Error(fmt::format(
          "BatchNorm1d({}): expected more than 1 value per channel when training, got {} over "
          "all workers",
          C, count));
    }
    batch_norm_statistics(mean_.data(), var_.data(), rstd_.data(), moments_.row(0).data(),
                          moments_.row(1).data(), count, C, eps);
    if (training_ && options_.track_running_stats) {
      ++num_batches_tracked_;
      batch_norm_update_running_stats(
          running_mean_.data(), running_var_.data(), mean_.data(), var_.data(), C, Index(count),
          options_.momentum ? *options_.momentum : 1.0 / double(num_batches_tracked_));
    }
    batch_norm_normalize(y.data(), xp, mean_.data(), rstd_.data(), gamma, beta, N, C, L);
    if (copy) x_ = x;
    count_ = count;
  } else if (batch_stats) {
    detail::batch_norm_check_train_batch(N, C, L);  // before anything changes
    detail::RunningStats<T> running;
    if (training_ && options_.track_running_stats) {
      ++num_batches_tracked_;
      running = {running_mean_.data(), running_var_.data(),
                 options_.momentum ? *options_.momentum : 1.0 / double(num_batches_tracked_)};
    }
    // the kernel copies x (for backward) in its normalize pass and updates the running
    // statistics tile by tile
    if (copy) x_.resize(N, C * L);
    detail::batch_norm_forward_train_fused(y.data(), copy ? x_.data() : nullptr, mean_.data(),
                                           var_.data(), rstd_.data(), xp, gamma, beta, N, C, L, eps,
                                           running);
  } else {
    batch_norm_forward_eval(y.data(), xp, running_mean_.data(), running_var_.data(), gamma, beta, N,
                            C, L, eps);
    mean_ = running_mean_;
    var_ = running_var_;
    for (Index c = 0; c < C; ++c) rstd_[c] = detail::batch_norm_inverse_std(double(var_[c]), eps);
    if (copy) x_ = x;
  }
  if (!copy) x_.resize(0, 0);
  rows_ = N;
  cols_ = C * L;
  length_ = L;
  batch_stats_ = batch_stats;
}

template <typename T>
void BatchNorm1d<T>::backward(const Eigen::Ref<const Matrix<T>>& dy, Matrix<T>& dx) {
  if (length_ != 0 && !options_.copy_input) {
    throw Error(
        fmt::format("BatchNorm1d({}): copy_input is off, so backward needs the forward's "
                    "input: call backward(x, dy, dx)",
                    channels_));
  }
  backward(x_, dy, dx);
}

template <typename T>
void BatchNorm1d<T>::backward(const Eigen::Ref<const Matrix<T>>& x,
                              const Eigen::Ref<const Matrix<T>>& dy, Matrix<T>& dx) {
  if (length_ == 0) throw Error("BatchNorm1d: backward() called before forward()");
  if (x.rows() != rows_ || x.cols() != cols_) {
    throw Error(
        fmt::format("BatchNorm1d({}): input has shape ({}, {}), expected ({}, {}) as in "
                    "the last forward",
                    channels_, x.rows(), x.cols(), rows_, cols_));
  }
  if (dy.rows() != rows_ || dy.cols() != cols_) {
    throw Error(
        fmt::format("BatchNorm1d({}): gradient has shape ({}, {}), expected ({}, {}) as the last "
                    "forward's input",
                    channels_, dy.rows(), dy.cols(), rows_, cols_));
  }
  check_parameter_shapes(true);
  T* dgamma = options_.affine ? weight_.grad.data() : nullptr;
  T* dbeta = options_.affine ? bias_.grad.data() : nullptr;
  const T* gamma = options_.affine ? weight_.value.data() : nullptr;
  const T* xp = detail::contiguous_rows(x, gathered_x_);
  const T* dyp = detail::contiguous_rows(dy, gathered_dy_);
  dx.resize(rows_, cols_);
  if (batch_stats_ && reducer_) {
    // local sums -> this share's parameter gradients; the whole batch's sums -> dx
    const Index C = channels_;
    moments_.resize(2, C);
    double* sums = moments_.data();  // (Σdy, Σdy (x - mean)): one collective
    batch_norm_grad_sums(sums, sums + C, dyp, xp, mean_.data(), rows_, C, length_);
    batch_norm_param_grads(dgamma, dbeta, sums, sums + C, rstd_.data(), C);
    reducer_->sum(sums, 2 * C);
    batch_norm_input_grad(dx.data(), dyp, xp, mean_.data(), rstd_.data(), gamma, sums, sums + C,
                          count_, rows_, C, length_);
    return;
  }
  auto kernel = batch_stats_ ? batch_norm_backward<T> : batch_norm_backward_eval<T>;
  kernel(dx.data(), dgamma, dbeta, dyp, xp, mean_.data(), rstd_.data(), gamma, rows_, channels_,
         length_);
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
void BatchNorm1d<T>::check_parameter_shapes(bool grads) const {
  if (!options_.affine) return;
  check_shape(weight_, 1, channels_, "BatchNorm1d", grads);
  check_shape(bias_, 1, channels_, "BatchNorm1d", grads);
}

template <typename T>
void BatchNorm1d<T>::save_state(TensorFile& file, const std::string& prefix) const {
  check_parameter_shapes(false);
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
  if (options_.affine) {  // assigned, not copied into: value may have been given another shape
    weight_.value = ConstMatrixMap<T>(w.data(), 1, C);
    bias_.value = ConstMatrixMap<T>(b.data(), 1, C);
  }
  if (options_.track_running_stats) {
    std::copy(rm.begin(), rm.end(), running_mean_.data());
    std::copy(rv.begin(), rv.end(), running_var_.data());
    num_batches_tracked_ = tracked;
  }
}

template class BatchNorm1d<float>;
template class BatchNorm1d<double>;

}  // namespace bnlstm
