#pragma once
// Regression losses with mean reduction over every element, as torch.nn.MSELoss, L1Loss and
// HuberLoss with reduction='mean'. With d = pred - target and n elements:
//   mse    mean(d²)                                   d/dpred = 2 d / n
//   mae    mean(|d|)                                  d/dpred = sign(d) / n, sign(0) = 0 (torch)
//   huber  mean(0.5 d² if |d| < delta                 d/dpred = d / n        if |d| <= delta
//               else delta (|d| - 0.5 delta))                   delta sign(d) / n otherwise
// At |d| = delta both Huber branches give the same value and gradient, as in torch.
// The notebook trains with MSE (np.mean((y_pred - y_true) ** 2)).
#include <string>
#include <string_view>
#include <type_traits>

#include "bnlstm/core/matrix_buffer.hpp"
#include "bnlstm/core/tensor.hpp"

namespace bnlstm {

enum class LossKind { mse, mae, huber };

// "mse", "mae" (alias "l1"), "huber"; throws bnlstm::Error listing the valid names otherwise.
LossKind parse_loss(std::string_view name);
std::string to_string(LossKind kind);

// A read-only view of a (N, C) matrix or block; in the *_backward functions it does not take part
// in template deduction, so T comes from dpred. The value functions need T spelled out:
// mse_loss<float>(pred, target).
template <typename T>
using RefConst = std::type_identity_t<Eigen::Ref<const Matrix<T>>>;

// pred, target: (N, C) of the same shape (throws bnlstm::Error naming both shapes otherwise).
// The gradients are written (=, not +=) to dpred, resized to (N, C).
template <typename T>
T mse_loss(const Eigen::Ref<const Matrix<T>>& pred, const Eigen::Ref<const Matrix<T>>& target);
template <typename T>
void mse_loss_backward(Matrix<T>& dpred, const RefConst<T>& pred, const RefConst<T>& target);

template <typename T>
T mae_loss(const Eigen::Ref<const Matrix<T>>& pred, const Eigen::Ref<const Matrix<T>>& target);
template <typename T>
void mae_loss_backward(Matrix<T>& dpred, const RefConst<T>& pred, const RefConst<T>& target);

// delta > 0 (throws bnlstm::Error otherwise).
template <typename T>
T huber_loss(const Eigen::Ref<const Matrix<T>>& pred, const Eigen::Ref<const Matrix<T>>& target,
             T delta = T(1));
template <typename T>
void huber_loss_backward(Matrix<T>& dpred, const RefConst<T>& pred, const RefConst<T>& target,
                         std::type_identity_t<T> delta = T(1));

// The loss chosen by name at run time (the trainer's --loss flag).
template <typename T>
class Loss {
 public:
  explicit Loss(LossKind kind = LossKind::mse, T delta = T(1));

  // pred, target: (N, C)
  T value(const Eigen::Ref<const Matrix<T>>& pred, const Eigen::Ref<const Matrix<T>>& target) const;
  // dpred: (N, C) = d value / d pred, resized (a MatrixBuffer keeps its storage)
  void gradient(const Eigen::Ref<const Matrix<T>>& pred, const Eigen::Ref<const Matrix<T>>& target,
                Matrix<T>& dpred) const;
  void gradient(const Eigen::Ref<const Matrix<T>>& pred, const Eigen::Ref<const Matrix<T>>& target,
                MatrixBuffer<T>& dpred) const;

  LossKind kind() const { return kind_; }
  T delta() const { return delta_; }

 private:
  void gradient_into(const Eigen::Ref<const Matrix<T>>& pred,
                     const Eigen::Ref<const Matrix<T>>& target, Eigen::Ref<Matrix<T>> dpred) const;

  LossKind kind_;
  T delta_;  // Huber only
};

extern template class Loss<float>;
extern template class Loss<double>;

}  // namespace bnlstm
