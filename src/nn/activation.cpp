#include "bnlstm/nn/activation.hpp"

#include <fmt/core.h>

#include "bnlstm/core/error.hpp"

namespace bnlstm {

Activation parse_activation(std::string_view name) {
  if (name == "tanh") return Activation::tanh;
  if (name == "sigmoid") return Activation::sigmoid;
  if (name == "relu") return Activation::relu;
  throw Error(fmt::format("unknown activation '{}': expected tanh, sigmoid or relu", name));
}

std::string_view activation_name(Activation activation) {
  switch (activation) {
    case Activation::tanh:
      return "tanh";
    case Activation::sigmoid:
      return "sigmoid";
    case Activation::relu:
      return "relu";
  }
  return "?";
}

std::vector<std::string> activation_names() {
  return {"tanh", "sigmoid", "relu"};
}

template <typename T>
void activation_forward(T* y, const T* x, Index n, Activation activation) {
  // Eigen's tanh and logistic are vectorized and saturate cleanly (no overflow for large |x|)
  Eigen::Map<const Eigen::Array<T, Eigen::Dynamic, 1>> in(x, n);
  Eigen::Map<Eigen::Array<T, Eigen::Dynamic, 1>> out(y, n);
  switch (activation) {
    case Activation::tanh:
      out = in.tanh();
      break;
    case Activation::sigmoid:
      out = in.logistic();
      break;
    case Activation::relu:
      out = in.max(T(0));
      break;
  }
}

template <typename T>
void activation_backward(T* dx, const T* dy, const T* y, Index n, Activation activation) {
  Eigen::Map<const Eigen::Array<T, Eigen::Dynamic, 1>> g(dy, n), out(y, n);
  Eigen::Map<Eigen::Array<T, Eigen::Dynamic, 1>> d(dx, n);
  switch (activation) {
    case Activation::tanh:
      d = g * (T(1) - out.square());
      break;
    case Activation::sigmoid:
      d = g * out * (T(1) - out);
      break;
    case Activation::relu:
      d = (out > T(0)).select(g, T(0));
      break;
  }
}

template void activation_forward<float>(float*, const float*, Index, Activation);
template void activation_forward<double>(double*, const double*, Index, Activation);
template void activation_backward<float>(float*, const float*, const float*, Index, Activation);
template void activation_backward<double>(double*, const double*, const double*, Index, Activation);

}  // namespace bnlstm
