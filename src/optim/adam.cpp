#include "bnlstm/optim/adam.hpp"

#include <cmath>

#include "bnlstm/core/error.hpp"

namespace bnlstm {
namespace {

void check_adam_options(const AdamOptions& o, const char* who) {
  const auto fail = [who](const std::string& what, double v) {
    throw Error(std::string(who) + ": " + what + ", got " + std::to_string(v));
  };
  if (!(o.beta1 >= 0 && o.beta1 < 1)) fail("beta1 must be in [0, 1)", o.beta1);
  if (!(o.beta2 >= 0 && o.beta2 < 1)) fail("beta2 must be in [0, 1)", o.beta2);
  if (!(o.eps >= 0) || !std::isfinite(o.eps)) fail("eps must be a finite number >= 0", o.eps);
  if (!(o.weight_decay >= 0) || !std::isfinite(o.weight_decay)) {
    fail("weight_decay must be a finite number >= 0", o.weight_decay);
  }
}

AdamOptions to_adam_options(const AdamWOptions& w) {
  AdamOptions o;
  o.lr = w.lr;
  o.beta1 = w.beta1;
  o.beta2 = w.beta2;
  o.eps = w.eps;
  o.weight_decay = w.weight_decay;
  return o;
}

}  // namespace

template <typename T>
Adam<T>::Adam(ParameterList<T> params, const AdamOptions& options)
    : Adam(std::move(params), options, false) {}

template <typename T>
Adam<T>::Adam(ParameterList<T> params, const AdamOptions& options, bool decoupled)
    : Optimizer<T>(std::move(params), options.lr), options_(options), decoupled_(decoupled) {
  check_adam_options(options, decoupled ? "adamw" : "adam");
  // moments allocated once
  exp_avg_.reserve(this->params_.size());
  exp_avg_sq_.reserve(this->params_.size());
  for (const auto* p : this->params_) {
    exp_avg_.push_back(Matrix<T>::Zero(p->value.rows(), p->value.cols()));
    exp_avg_sq_.push_back(Matrix<T>::Zero(p->value.rows(), p->value.cols()));
  }
}

template <typename T>
void Adam<T>::step() {
  ++this->steps_;
  // bias corrections in double, as torch computes them from Python floats
  const double t = static_cast<double>(this->steps_);
  const double bias_correction1 = 1 - std::pow(options_.beta1, t);
  const double bias_correction2 = 1 - std::pow(options_.beta2, t);
  const T step_size = static_cast<T>(this->lr_ / bias_correction1);
  const T bias_correction2_sqrt = static_cast<T>(std::sqrt(bias_correction2));
  const T beta1 = static_cast<T>(options_.beta1),
          one_minus_beta1 = static_cast<T>(1 - options_.beta1);
  const T beta2 = static_cast<T>(options_.beta2),
          one_minus_beta2 = static_cast<T>(1 - options_.beta2);
  const T eps = static_cast<T>(options_.eps);
  const T wd = static_cast<T>(options_.weight_decay);
  const T decay = static_cast<T>(1 - this->lr_ * options_.weight_decay);  // AdamW
  const bool l2 = !decoupled_ && options_.weight_decay != 0;
  for (size_t k = 0; k < this->params_.size(); ++k) {
    auto& p = *this->params_[k];
    T* w = p.value.data();
    const T* grad = p.grad.data();
    T* m = exp_avg_[k].data();
    T* v = exp_avg_sq_[k].data();
    const Index n = p.value.size();
    for (Index i = 0; i < n; ++i) {
      // weight decay: decoupled (AdamW) or through the gradient (Adam)
      if (decoupled_) w[i] *= decay;
      const T g = l2 ? grad[i] + wd * w[i] : grad[i];
      // moments
      m[i] = beta1 * m[i] + one_minus_beta1 * g;
      v[i] = beta2 * v[i] + one_minus_beta2 * g * g;
      // bias-corrected update
      const T denom = std::sqrt(v[i]) / bias_correction2_sqrt + eps;
      w[i] -= step_size * (m[i] / denom);
    }
  }
}

template <typename T>
std::vector<typename Optimizer<T>::StateBuffer> Adam<T>::state_buffers() {
  return {{"exp_avg", &exp_avg_}, {"exp_avg_sq", &exp_avg_sq_}};
}

template <typename T>
AdamW<T>::AdamW(ParameterList<T> params, const AdamWOptions& options)
    : Adam<T>(std::move(params), to_adam_options(options), true) {}

template class Adam<float>;
template class Adam<double>;
template class AdamW<float>;
template class AdamW<double>;

}  // namespace bnlstm
