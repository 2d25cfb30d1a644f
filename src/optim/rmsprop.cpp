#include "bnlstm/optim/rmsprop.hpp"

#include <cmath>

#include "bnlstm/core/error.hpp"

namespace bnlstm {

template <typename T>
RMSprop<T>::RMSprop(ParameterList<T> params, const RMSpropOptions& options)
    : Optimizer<T>(std::move(params), options.lr), options_(options) {
  const auto check = [](double v, const char* what) {
    if (!(v >= 0) || !std::isfinite(v))
      throw Error(std::string("rmsprop: ") + what + " must be a finite number >= 0, got " +
                  std::to_string(v));
  };
  check(options.eps, "eps");
  check(options.momentum, "momentum");
  check(options.weight_decay, "weight_decay");
  if (!(options.alpha >= 0 && options.alpha < 1))
    throw Error("rmsprop: alpha must be in [0, 1), got " + std::to_string(options.alpha));
  // state allocated once, only the buffers in use
  const size_t n = this->params_.size();
  square_avg_.resize(n);
  momentum_.resize(n);
  grad_avg_.resize(n);
  for (size_t i = 0; i < n; ++i) {
    const Index r = this->params_[i]->value.rows(), c = this->params_[i]->value.cols();
    square_avg_[i] = Matrix<T>::Zero(r, c);
    if (options.momentum > 0) momentum_[i] = Matrix<T>::Zero(r, c);
    if (options.centered) grad_avg_[i] = Matrix<T>::Zero(r, c);
  }
}

template <typename T>
void RMSprop<T>::step() {
  const T lr = static_cast<T>(this->lr_), alpha = static_cast<T>(options_.alpha);
  const T eps = static_cast<T>(options_.eps), wd = static_cast<T>(options_.weight_decay);
  const T mu = static_cast<T>(options_.momentum);
  const bool momentum = options_.momentum > 0, centered = options_.centered;
  for (size_t k = 0; k < this->params_.size(); ++k) {
    auto& p = *this->params_[k];
    T* w = p.value.data();
    const T* grad = p.grad.data();
    T* v = square_avg_[k].data();
    T* buf = momentum ? momentum_[k].data() : nullptr;
    T* m = centered ? grad_avg_[k].data() : nullptr;
    const Index n = p.value.size();
    for (Index i = 0; i < n; ++i) {
      // weight decay through the gradient
      const T g = wd != 0 ? grad[i] + wd * w[i] : grad[i];
      // running mean of g² (and of g when centered)
      v[i] = alpha * v[i] + (1 - alpha) * g * g;
      T avg;
      if (centered) {
        m[i] = alpha * m[i] + (1 - alpha) * g;
        avg = std::sqrt(v[i] - m[i] * m[i]) + eps;
      } else {
        avg = std::sqrt(v[i]) + eps;
      }
      // update, through the momentum buffer if any
      if (momentum) {
        buf[i] = mu * buf[i] + g / avg;
        w[i] -= lr * buf[i];
      } else {
        w[i] -= lr * g / avg;
      }
    }
  }
  ++this->steps_;
}

template <typename T>
std::vector<typename Optimizer<T>::StateBuffer> RMSprop<T>::state_buffers() {
  std::vector<typename Optimizer<T>::StateBuffer> b{{"square_avg", &square_avg_}};
  if (options_.momentum > 0) b.push_back({"momentum_buffer", &momentum_});
  if (options_.centered) b.push_back({"grad_avg", &grad_avg_});
  return b;
}

template class RMSprop<float>;
template class RMSprop<double>;

}  // namespace bnlstm
