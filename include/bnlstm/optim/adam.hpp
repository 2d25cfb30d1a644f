#pragma once
// Adam and AdamW with torch.optim.Adam / AdamW semantics (PyTorch 1.13, single-tensor path,
// amsgrad=False, maximize=False). At step t (1, 2, ...) for every parameter p with gradient g:
//   Adam:   g = g + weight_decay * p                      (L2 penalty through the gradient)
//   AdamW:  p = p * (1 - lr * weight_decay)               (decoupled weight decay)
//   m = beta1 * m + (1 - beta1) * g
//   v = beta2 * v + (1 - beta2) * g²
//   step_size = lr / (1 - beta1^t)                        (bias corrections in double)
//   denom = sqrt(v) / sqrt(1 - beta2^t) + eps
//   p = p - step_size * m / denom
// The stored gradient is left unchanged. Defaults as torch: lr 1e-3, betas (0.9, 0.999),
// eps 1e-8, weight_decay 0 for Adam and 0.01 for AdamW.
#include <vector>

#include "bnlstm/optim/optimizer.hpp"

namespace bnlstm {

struct AdamOptions {
  double lr = 1e-3;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
  double weight_decay = 0;
};

struct AdamWOptions {
  double lr = 1e-3;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
  double weight_decay = 0.01;
};

template <typename T>
class Adam : public Optimizer<T> {
 public:
  // Throws bnlstm::Error for lr < 0, betas outside [0, 1), eps < 0 or weight_decay < 0.
  explicit Adam(ParameterList<T> params, const AdamOptions& options = {});

  void step() override;
  std::string name() const override { return decoupled_ ? "adamw" : "adam"; }

  const AdamOptions& options() const { return options_; }
  // First and second moment estimates of parameter i (same shape as the parameter).
  const Matrix<T>& exp_avg(Index i) const { return exp_avg_[static_cast<size_t>(i)]; }
  const Matrix<T>& exp_avg_sq(Index i) const { return exp_avg_sq_[static_cast<size_t>(i)]; }

 protected:
  // decoupled = true gives AdamW's update.
  Adam(ParameterList<T> params, const AdamOptions& options, bool decoupled);
  std::vector<typename Optimizer<T>::StateBuffer> state_buffers() override;

 private:
  AdamOptions options_;
  bool decoupled_;
  std::vector<Matrix<T>> exp_avg_;     // m, one per parameter, allocated once
  std::vector<Matrix<T>> exp_avg_sq_;  // v
};

template <typename T>
class AdamW : public Adam<T> {
 public:
  explicit AdamW(ParameterList<T> params, const AdamWOptions& options = {});
};

extern template class Adam<float>;
extern template class Adam<double>;
extern template class AdamW<float>;
extern template class AdamW<double>;

}  // namespace bnlstm
