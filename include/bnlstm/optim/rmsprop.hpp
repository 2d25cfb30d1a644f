#pragma once
// RMSProp with torch.optim.RMSprop's semantics (PyTorch 1.13, single-tensor path). For every
// parameter p with gradient g:
//   g = g + weight_decay * p                        (the stored grad is unchanged)
//   v = alpha * v + (1 - alpha) * g²                (square_avg, starts at 0)
//   centered: m = alpha * m + (1 - alpha) * g;  avg = sqrt(v - m²) + eps
//   else:     avg = sqrt(v) + eps
//   momentum > 0: buf = momentum * buf + g / avg;  p = p - lr * buf   (buf starts at 0)
//   else:         p = p - lr * g / avg
// Defaults as torch (lr 1e-2, alpha 0.99, eps 1e-8). Cooijmans et al. (2016) train their
// sequential MNIST models with RMSProp, lr 1e-3 and momentum 0.9.
#include <vector>

#include "bnlstm/optim/optimizer.hpp"

namespace bnlstm {

struct RMSpropOptions {
  double lr = 1e-2;
  double alpha = 0.99;
  double eps = 1e-8;
  double weight_decay = 0;
  double momentum = 0;
  bool centered = false;
};

template <typename T>
class RMSprop : public Optimizer<T> {
 public:
  // Throws bnlstm::Error for lr < 0, alpha outside [0, 1), eps < 0, momentum < 0 or
  // weight_decay < 0.
  explicit RMSprop(ParameterList<T> params, const RMSpropOptions& options = {});

  void step() override;
  std::string name() const override { return "rmsprop"; }

  const RMSpropOptions& options() const { return options_; }
  // State of parameter i (same shape); momentum_buffer / grad_avg empty when not used.
  const Matrix<T>& square_avg(Index i) const { return square_avg_[static_cast<size_t>(i)]; }
  const Matrix<T>& momentum_buffer(Index i) const { return momentum_[static_cast<size_t>(i)]; }
  const Matrix<T>& grad_avg(Index i) const { return grad_avg_[static_cast<size_t>(i)]; }

 protected:
  std::vector<typename Optimizer<T>::StateBuffer> state_buffers() override;

 private:
  RMSpropOptions options_;
  std::vector<Matrix<T>> square_avg_, momentum_, grad_avg_;  // allocated once
};

extern template class RMSprop<float>;
extern template class RMSprop<double>;

}  // namespace bnlstm
