#include "bnlstm/nn/linear.hpp"

#include <cmath>
#include <random>

#include "bnlstm/core/error.hpp"
#include "bnlstm/io/safetensors.hpp"
#include "bnlstm/nn/parameter_io.hpp"

namespace bnlstm {
namespace {

std::string shape(Index rows, Index cols) {
  return "(" + std::to_string(rows) + ", " + std::to_string(cols) + ")";
}

}  // namespace

template <typename T>
Linear<T>::Linear(Index in_features, Index out_features, const std::string& prefix)
    : in_(in_features),
      out_(out_features),
      weight_(prefix + "weight", out_features, in_features),
      bias_(prefix + "bias", 1, out_features) {
  if (in_features <= 0 || out_features <= 0) {
    throw Error("Linear: in_features and out_features must be positive, got in=" +
                std::to_string(in_features) + " out=" + std::to_string(out_features));
  }
}

template <typename T>
void Linear<T>::reset_parameters(Rng& rng) {
  // kaiming_uniform_(a=sqrt(5)) on W and the bias rule both reduce to U(±1/sqrt(in))
  const double bound = 1.0 / std::sqrt(static_cast<double>(in_features()));
  std::uniform_real_distribution<double> uniform(-bound, bound);
  for (Index i = 0; i < weight_.value.size(); ++i)
    weight_.value.data()[i] = static_cast<T>(uniform(rng));
  for (Index i = 0; i < bias_.value.size(); ++i)
    bias_.value.data()[i] = static_cast<T>(uniform(rng));
}

template <typename T>
void Linear<T>::init(InitScheme scheme, Rng& rng) {
  init_weight(weight_.value, scheme, rng);
  bias_.value.setZero();
}

// x: (N, in), y: (N, out)
template <typename T>
void Linear<T>::forward(const Eigen::Ref<const Matrix<T>>& x, Matrix<T>& y) {
  y.resize(x.rows(), out_features());
  forward(x, Eigen::Ref<Matrix<T>>(y));
}

// x: (N, in), y: (N, out)
template <typename T>
void Linear<T>::forward(const Eigen::Ref<const Matrix<T>>& x, Eigen::Ref<Matrix<T>> y) {
  if (x.cols() != in_features()) {
    throw Error("Linear forward: input has shape " + shape(x.rows(), x.cols()) + ", expected (N, " +
                std::to_string(in_features()) + ")");
  }
  if (y.rows() != x.rows() || y.cols() != out_features())
    throw Error("Linear forward: output has shape " + shape(y.rows(), y.cols()) + ", expected " +
                shape(x.rows(), out_features()));
  check_parameter_shapes(false);
  // cache the input for backward
  x_.resize(x.rows(), x.cols()) = x;
  has_input_ = true;
  // y = x Wᵀ + b
  y.noalias() = x * weight_.value.transpose();
  y.rowwise() += bias_.value.row(0);
}

// dy: (N, out), dx: (N, in)
template <typename T>
void Linear<T>::backward(const Eigen::Ref<const Matrix<T>>& dy, Matrix<T>& dx) {
  dx.resize(dy.rows(), in_features());
  backward(dy, Eigen::Ref<Matrix<T>>(dx));
}

// dy: (N, out), dx: (N, in)
template <typename T>
void Linear<T>::backward(const Eigen::Ref<const Matrix<T>>& dy, Eigen::Ref<Matrix<T>> dx) {
  if (!has_input_) throw Error("Linear backward: called before forward");
  if (dy.rows() != x_.rows() || dy.cols() != out_features()) {
    throw Error("Linear backward: output gradient has shape " + shape(dy.rows(), dy.cols()) +
                ", expected " + shape(x_.rows(), out_features()));
  }
  if (dx.rows() != dy.rows() || dx.cols() != in_features())
    throw Error("Linear backward: input gradient has shape " + shape(dx.rows(), dx.cols()) +
                ", expected " + shape(dy.rows(), in_features()));
  check_parameter_shapes(true);
  // parameter gradients (accumulated)
  weight_.grad.noalias() += dy.transpose() * x_.view();
  bias_.grad.row(0) += dy.colwise().sum();
  // input gradient: dx = dy W
  dx.noalias() = dy * weight_.value;
}

template <typename T>
void Linear<T>::check_parameter_shapes(bool grads) const {
  check_shape(weight_, out_, in_, "Linear", grads);
  check_shape(bias_, 1, out_, "Linear", grads);
}

template <typename T>
void Linear<T>::save_parameters(TensorFile& file, const std::string& prefix) const {
  check_parameter_shapes(false);
  file.put_matrix(prefix + weight_.name, weight_.value);
  file.put_matrix(prefix + bias_.name, bias_.value);
}

template <typename T>
void Linear<T>::load_parameters(const TensorFile& file, const std::string& prefix) {
  check_parameter_shapes(false);  // the expected shapes are the parameters' own
  bnlstm::load_parameters(file, parameters(), prefix);
}

template class Linear<float>;
template class Linear<double>;

}  // namespace bnlstm
