#pragma once
// Fully connected layer in torch.nn.Linear's layout: y = x Wᵀ + b with W (out, in), b (1, out).
// The forecasting model's head (last hidden state -> predicted values).
//
// forward() keeps a copy of its input for backward() in a MatrixBuffer, so it allocates only
// when the batch is larger than every earlier one. backward() accumulates dW, db (+=), as every
// layer here does; zero the gradients between steps (Optimizer::zero_grad or zero_grad(list)).
#include <string>

#include "bnlstm/core/matrix_buffer.hpp"
#include "bnlstm/core/random.hpp"
#include "bnlstm/core/tensor.hpp"
#include "bnlstm/nn/init.hpp"
#include "bnlstm/nn/parameter.hpp"

namespace bnlstm {

class TensorFile;

template <typename T>
class Linear {
 public:
  // Parameters start at zero; call reset_parameters() or init() to draw them.
  // prefix is prepended to the parameter names ("head." gives "head.weight", "head.bias").
  Linear(Index in_features, Index out_features, const std::string& prefix = "");

  // torch.nn.Linear's default: W and b ~ U(-1/sqrt(in), 1/sqrt(in)).
  void reset_parameters(Rng& rng);
  // W by the named scheme (init.hpp), b = 0 (as the notebook does).
  void init(InitScheme scheme, Rng& rng);

  // x: (N, in), y: (N, out), resized if needed.
  void forward(const Eigen::Ref<const Matrix<T>>& x, Matrix<T>& y);
  // The same into a view that already has the shape (N, out) (throws bnlstm::Error otherwise),
  // e.g. MatrixBuffer::resize(N, out): nothing is allocated.
  void forward(const Eigen::Ref<const Matrix<T>>& x, Eigen::Ref<Matrix<T>> y);
  // dy: (N, out), dx: (N, in), resized if needed; weight.grad += dyᵀ x, bias.grad += Σ_n dy.
  // Uses the input of the last forward(); dx must not alias dy.
  void backward(const Eigen::Ref<const Matrix<T>>& dy, Matrix<T>& dx);
  // The same into a view of shape (N, in).
  void backward(const Eigen::Ref<const Matrix<T>>& dy, Eigen::Ref<Matrix<T>> dx);

  // {"weight" (out, in), "bias" (1, out)} with the prefix. Values and grads keep these shapes:
  // forward and backward throw bnlstm::Error naming a parameter that was given another one.
  ParameterList<T> parameters() { return {&weight_, &bias_}; }
  Parameter<T>& weight() { return weight_; }
  Parameter<T>& bias() { return bias_; }
  const Parameter<T>& weight() const { return weight_; }
  const Parameter<T>& bias() const { return bias_; }
  Index in_features() const { return in_; }
  Index out_features() const { return out_; }

  // The parameters by name, prefix + "weight" / "bias" (nn/parameter_io.hpp): checked for
  // presence, shape and values before either changes; throws bnlstm::Error naming the tensor.
  void save_parameters(TensorFile& file, const std::string& prefix = "") const;
  void load_parameters(const TensorFile& file, const std::string& prefix = "");

 private:
  // throws naming weight or bias when its value (with grads: its gradient) has another shape
  void check_parameter_shapes(bool grads) const;

  Index in_, out_;
  Parameter<T> weight_;  // (out, in)
  Parameter<T> bias_;    // (1, out)
  MatrixBuffer<T> x_;    // (N, in) input of the last forward
  bool has_input_ = false;
};

extern template class Linear<float>;
extern template class Linear<double>;

}  // namespace bnlstm
