#include "bnlstm/optim/clip.hpp"

#include <cmath>

#include "bnlstm/core/error.hpp"

namespace bnlstm {

template <typename T>
void clip_grad_value(const ParameterList<T>& params, T clip_value) {
  if (!(clip_value >= 0) || !std::isfinite(clip_value)) {
    throw Error("clip_grad_value: clip value must be a finite number >= 0, got " +
                std::to_string(clip_value));
  }
  for (auto* p : params) p->grad.array() = p->grad.array().max(-clip_value).min(clip_value);
}

template <typename T>
T grad_norm(const ParameterList<T>& params) {
  double sum = 0;
  for (const auto* p : params) {
    // per-parameter sum of squares in T (vectorized), accumulated across parameters in double
    sum += static_cast<double>(p->grad.squaredNorm());
  }
  return static_cast<T>(std::sqrt(sum));
}

template <typename T>
T clip_grad_norm(const ParameterList<T>& params, T max_norm) {
  if (!(max_norm >= 0) || !std::isfinite(max_norm)) {
    throw Error("clip_grad_norm: max norm must be a finite number >= 0, got " +
                std::to_string(max_norm));
  }
  const T total = grad_norm(params);
  if (!std::isfinite(total)) {
    throw Error("clip_grad_norm: the total gradient norm is " + std::to_string(total) +
                " (NaN or infinite gradients; lower the learning rate or check the input data)");
  }
  // torch: grads *= clamp(max_norm / (total + 1e-6), max=1)
  const T coef = max_norm / (total + static_cast<T>(1e-6));
  if (coef < 1) {
    for (auto* p : params) p->grad *= coef;
  }
  return total;
}

template void clip_grad_value<float>(const ParameterList<float>&, float);
template void clip_grad_value<double>(const ParameterList<double>&, double);
template float clip_grad_norm<float>(const ParameterList<float>&, float);
template double clip_grad_norm<double>(const ParameterList<double>&, double);
template float grad_norm<float>(const ParameterList<float>&);
template double grad_norm<double>(const ParameterList<double>&);

}  // namespace bnlstm
