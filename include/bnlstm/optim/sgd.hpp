#pragma once
// Stochastic gradient descent with torch.optim.SGD's semantics (PyTorch 1.13, single-tensor path).
// For every parameter p with gradient g:
//   g = g + weight_decay * p                     (if weight_decay != 0; the stored grad is
//   unchanged) if momentum != 0:
//     buf = g                                    (first step)
//     buf = momentum * buf + (1 - dampening) * g (later steps)
//     g = g + momentum * buf  if nesterov, else g = buf
//   p = p - lr * g
// With the defaults (momentum 0, no weight decay) this is the notebook's plain update
// `w -= learning_rate * dw`.
#include <vector>

#include "bnlstm/optim/optimizer.hpp"

namespace bnlstm {

struct SGDOptions {
  double lr = 0.01;
  double momentum = 0;
  double dampening = 0;
  double weight_decay = 0;
  bool nesterov = false;  // requires momentum > 0 and dampening = 0, as in torch
};

template <typename T>
class SGD : public Optimizer<T> {
 public:
  // Throws bnlstm::Error for a negative lr, momentum or weight decay, or an invalid nesterov.
  explicit SGD(ParameterList<T> params, const SGDOptions& options = {});

  void step() override;
  std::string name() const override { return "sgd"; }

  const SGDOptions& options() const { return options_; }
  // Momentum buffer of parameter i (same shape; zero before the first step; empty if momentum = 0).
  const Matrix<T>& momentum_buffer(Index i) const { return momentum_[static_cast<size_t>(i)]; }

 protected:
  std::vector<typename Optimizer<T>::StateBuffer> state_buffers() override;

 private:
  SGDOptions options_;
  std::vector<Matrix<T>> momentum_;  // one per parameter, allocated once (when momentum != 0)
};

extern template class SGD<float>;
extern template class SGD<double>;

}  // namespace bnlstm
