#include "bnlstm/optim/sgd.hpp"

#include <cmath>

#include "bnlstm/core/error.hpp"

namespace bnlstm {

template <typename T>
SGD<T>::SGD(ParameterList<T> params, const SGDOptions& options)
    : Optimizer<T>(std::move(params), options.lr), options_(options) {
  const auto check = [](double v, const char* what) {
    if (!(v >= 0) || !std::isfinite(v)) {
      throw Error(std::string("sgd: ") + what + " must be a finite number >= 0, got " +
                  std::to_string(v));
    }
  };
  check(options.momentum, "momentum");
  check(options.dampening, "dampening");
  check(options.weight_decay, "weight_decay");
  if (options.nesterov && (options.momentum <= 0 || options.dampening != 0)) {
    throw Error("sgd: nesterov momentum requires momentum > 0 and dampening = 0");
  }
  // momentum buffers allocated once, only when used
  momentum_.resize(this->params_.size());
  if (options.momentum != 0) {
    for (size_t i = 0; i < this->params_.size(); ++i) {
      momentum_[i] =
          Matrix<T>::Zero(this->params_[i]->value.rows(), this->params_[i]->value.cols());
    }
  }
}

template <typename T>
void SGD<T>::step() {
  const T lr = static_cast<T>(this->lr_);
  const T wd = static_cast<T>(options_.weight_decay);
  const T mu = static_cast<T>(options_.momentum);
  const T one_minus_dampening = static_cast<T>(1 - options_.dampening);
  const bool first = this->steps_ == 0;  // torch starts the buffer at the first gradient
  const bool nesterov = options_.nesterov;
  for (size_t k = 0; k < this->params_.size(); ++k) {
    auto& p = *this->params_[k];
    T* w = p.value.data();
    const T* g = p.grad.data();
    const Index n = p.value.size();
    if (options_.momentum == 0) {
      // plain update: w -= lr (g + wd w)
      for (Index i = 0; i < n; ++i) {
        const T d = wd != 0 ? g[i] + wd * w[i] : g[i];
        w[i] -= lr * d;
      }
      continue;
    }
    T* buf = momentum_[k].data();
    for (Index i = 0; i < n; ++i) {
      // weight decay through the gradient
      T d = wd != 0 ? g[i] + wd * w[i] : g[i];
      // momentum buffer
      buf[i] = first ? d : mu * buf[i] + one_minus_dampening * d;
      d = nesterov ? d + mu * buf[i] : buf[i];
      // update
      w[i] -= lr * d;
    }
  }
  ++this->steps_;
}

template <typename T>
std::vector<typename Optimizer<T>::StateBuffer> SGD<T>::state_buffers() {
  if (options_.momentum == 0) return {};
  return {{"momentum_buffer", &momentum_}};
}

template class SGD<float>;
template class SGD<double>;

}  // namespace bnlstm
