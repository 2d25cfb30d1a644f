#pragma once
// Layer normalization over the last dimension, with the semantics of torch.nn.LayerNorm.
// Layout: x is contiguous row-major (M, D); statistics per row over its D values.
//
//   y = (x - mean_row) / sqrt(var_row + eps) * weight + bias   (var_row biased, over D)
//
// The same in training and eval mode (no running statistics). The notebook's "BatchNorm"
// normalizes one sample across its hidden units: that is this layer, not BatchNorm1d.
#include <string>

#include "bnlstm/core/matrix_buffer.hpp"
#include "bnlstm/core/tensor.hpp"
#include "bnlstm/nn/parameter.hpp"

namespace bnlstm {

class TensorFile;

// x: (M, D), y: (M, D), mean/rstd: (M), weight/bias: (D) or nullptr (no elementwise affine).
template <typename T>
void layer_norm_forward(T* y, T* mean, T* rstd, const T* x, const T* weight, const T* bias, Index M,
                        Index D, T eps);

// dy, x: (M, D); mean, rstd: (M). dx: (M, D) overwritten; dweight, dbias: (D) accumulated (+=).
// weight/dweight/dbias may be nullptr (no elementwise affine).
template <typename T>
void layer_norm_backward(T* dx, T* dweight, T* dbias, const T* dy, const T* x, const T* mean,
                         const T* rstd, const T* weight, Index M, Index D);

// Options of LayerNorm; the defaults are torch.nn.LayerNorm's.
struct LayerNormOptions {
  double eps = 1e-5;               // added to the variance before the square root
  bool elementwise_affine = true;  // learnable weight (starts at 1) and bias (0), each (D)
};

// A LayerNorm layer over the last dimension D (torch's normalized_shape = (D,)).
//
//   LayerNorm<float> ln(64);
//   ln.forward(x, y);                      // x, y: (M, 64); a (N, T, 64) batch is (N*T, 64)
//   ln.zero_grad(); ln.backward(dy, dx);   // weight/bias grads accumulate (+=)
//
// forward() keeps a copy of x and the per-row mean and 1/std for backward().
template <typename T>
class LayerNorm {
 public:
  explicit LayerNorm(Index normalized_size, LayerNormOptions options = {});

  // No effect on the computation; kept so that every layer answers train()/eval().
  void train(bool on = true) { training_ = on; }
  void eval() { training_ = false; }
  bool training() const { return training_; }

  // Inputs are Eigen::Refs, as in Lstm and Linear: a Matrix, a Map (e.g. the view Lstm::forward
  // returns) or a block with contiguous rows is read in place, without a copy.
  // x: (M, D), y: (M, D)
  void forward(const Eigen::Ref<const Matrix<T>>& x, Matrix<T>& y);
  // dy: shape of the last forward's x, dx: same (overwritten).
  void backward(const Eigen::Ref<const Matrix<T>>& dy, Matrix<T>& dx);

  // {weight, bias} when elementwise_affine, else empty. Values and grads are (1, D) and keep that
  // shape: forward, backward and save_state throw bnlstm::Error naming a parameter of another.
  ParameterList<T> parameters();
  void zero_grad();

  Parameter<T>& weight() { return weight_; }
  Parameter<T>& bias() { return bias_; }
  const Parameter<T>& weight() const { return weight_; }
  const Parameter<T>& bias() const { return bias_; }
  Index normalized_size() const { return size_; }
  const LayerNormOptions& options() const { return options_; }

  // torch state_dict names prefix + weight, prefix + bias (when elementwise_affine);
  // load_state checks presence and shape, throws bnlstm::Error naming the tensor.
  void save_state(TensorFile& file, const std::string& prefix) const;
  void load_state(const TensorFile& file, const std::string& prefix);

 private:
  Index size_;
  LayerNormOptions options_;
  bool training_ = true;
  Parameter<T> weight_, bias_;
  // Cache of the last forward, for backward.
  Matrix<T> x_;
  Vector<T> mean_, rstd_;
  bool cached_ = false;
  MatrixBuffer<T> gathered_dy_;  // dy's rows when they are not contiguous
  void check_parameter_shapes(bool grads) const;
};

}  // namespace bnlstm
