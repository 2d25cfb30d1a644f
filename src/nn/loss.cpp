#include "bnlstm/nn/loss.hpp"

#include <cmath>

#include "bnlstm/core/error.hpp"

namespace bnlstm {
namespace {

template <typename T>
void check_shapes(const char* what, const Eigen::Ref<const Matrix<T>>& pred,
                  const Eigen::Ref<const Matrix<T>>& target) {
  if (pred.rows() != target.rows() || pred.cols() != target.cols()) {
    throw Error(std::string(what) + ": prediction has shape (" + std::to_string(pred.rows()) +
                ", " + std::to_string(pred.cols()) + ") but target has shape (" +
                std::to_string(target.rows()) + ", " + std::to_string(target.cols()) + ")");
  }
  if (pred.size() == 0) throw Error(std::string(what) + ": empty prediction (0 elements)");
}

template <typename T>
void check_delta(T delta) {
  if (!(delta > 0) || !std::isfinite(delta)) {
    throw Error("huber loss: delta must be a positive finite number, got " + std::to_string(delta));
  }
}

// The gradients into d, already shaped like pred (= target), whose shapes are checked.
template <typename T>
void mse_gradient(Eigen::Ref<Matrix<T>> d, const RefConst<T>& pred, const RefConst<T>& target) {
  const T norm = T(2) / static_cast<T>(pred.size());
  d.array() = norm * (pred - target).array();
}
// the subgradient at d = 0 is 0, as torch's sign()
template <typename T>
void mae_gradient(Eigen::Ref<Matrix<T>> d, const RefConst<T>& pred, const RefConst<T>& target) {
  const T norm = T(1) / static_cast<T>(pred.size());
  d.array() = norm * (pred - target).array().sign();
}
// d clamped to [-delta, delta] is both branches' derivative
template <typename T>
void huber_gradient(Eigen::Ref<Matrix<T>> d, const RefConst<T>& pred, const RefConst<T>& target,
                    T delta) {
  const T norm = T(1) / static_cast<T>(pred.size());
  d.array() = norm * (pred - target).array().max(-delta).min(delta);
}

}  // namespace

LossKind parse_loss(std::string_view name) {
  if (name == "mse") return LossKind::mse;
  if (name == "mae" || name == "l1") return LossKind::mae;
  if (name == "huber") return LossKind::huber;
  throw Error("unknown loss '" + std::string(name) + "' (expected one of: mse, mae, huber)");
}

std::string to_string(LossKind kind) {
  switch (kind) {
    case LossKind::mse:
      return "mse";
    case LossKind::mae:
      return "mae";
    case LossKind::huber:
      return "huber";
  }
  return "unknown";
}

// pred, target: (N, C)
template <typename T>
T mse_loss(const Eigen::Ref<const Matrix<T>>& pred, const Eigen::Ref<const Matrix<T>>& target) {
  check_shapes("mse loss", pred, target);
  return (pred - target).squaredNorm() / static_cast<T>(pred.size());
}

// dpred, pred, target: (N, C)
template <typename T>
void mse_loss_backward(Matrix<T>& dpred, const RefConst<T>& pred, const RefConst<T>& target) {
  check_shapes("mse loss", pred, target);
  dpred.resize(pred.rows(), pred.cols());
  mse_gradient<T>(dpred, pred, target);
}

// pred, target: (N, C)
template <typename T>
T mae_loss(const Eigen::Ref<const Matrix<T>>& pred, const Eigen::Ref<const Matrix<T>>& target) {
  check_shapes("mae loss", pred, target);
  return (pred - target).array().abs().sum() / static_cast<T>(pred.size());
}

// dpred, pred, target: (N, C)
template <typename T>
void mae_loss_backward(Matrix<T>& dpred, const RefConst<T>& pred, const RefConst<T>& target) {
  check_shapes("mae loss", pred, target);
  dpred.resize(pred.rows(), pred.cols());
  mae_gradient<T>(dpred, pred, target);
}

// pred, target: (N, C)
template <typename T>
T huber_loss(const Eigen::Ref<const Matrix<T>>& pred, const Eigen::Ref<const Matrix<T>>& target,
             T delta) {
  check_shapes("huber loss", pred, target);
  check_delta(delta);
  // quadratic inside |d| < delta, linear outside
  const auto z = (pred - target).array().abs();
  const T total = (z < delta).select(T(0.5) * z * z, delta * (z - T(0.5) * delta)).sum();
  return total / static_cast<T>(pred.size());
}

// dpred, pred, target: (N, C)
template <typename T>
void huber_loss_backward(Matrix<T>& dpred, const RefConst<T>& pred, const RefConst<T>& target,
                         std::type_identity_t<T> delta) {
  check_shapes("huber loss", pred, target);
  check_delta(delta);
  dpred.resize(pred.rows(), pred.cols());
  huber_gradient<T>(dpred, pred, target, delta);
}

template <typename T>
Loss<T>::Loss(LossKind kind, T delta) : kind_(kind), delta_(delta) {
  if (kind == LossKind::huber) check_delta(delta);
}

template <typename T>
T Loss<T>::value(const Eigen::Ref<const Matrix<T>>& pred,
                 const Eigen::Ref<const Matrix<T>>& target) const {
  switch (kind_) {
    case LossKind::mse:
      return mse_loss<T>(pred, target);
    case LossKind::mae:
      return mae_loss<T>(pred, target);
    case LossKind::huber:
      return huber_loss<T>(pred, target, delta_);
  }
  throw Error("Loss: invalid LossKind value " + std::to_string(static_cast<int>(kind_)));
}

template <typename T>
void Loss<T>::gradient(const Eigen::Ref<const Matrix<T>>& pred,
                       const Eigen::Ref<const Matrix<T>>& target, Matrix<T>& dpred) const {
  dpred.resize(pred.rows(), pred.cols());
  gradient_into(pred, target, dpred);
}

template <typename T>
void Loss<T>::gradient(const Eigen::Ref<const Matrix<T>>& pred,
                       const Eigen::Ref<const Matrix<T>>& target, MatrixBuffer<T>& dpred) const {
  gradient_into(pred, target, dpred.resize(pred.rows(), pred.cols()));
}

// dpred: (N, C), shaped like pred
template <typename T>
void Loss<T>::gradient_into(const Eigen::Ref<const Matrix<T>>& pred,
                            const Eigen::Ref<const Matrix<T>>& target,
                            Eigen::Ref<Matrix<T>> dpred) const {
  switch (kind_) {
    case LossKind::mse:
      check_shapes("mse loss", pred, target);
      return mse_gradient<T>(dpred, pred, target);
    case LossKind::mae:
      check_shapes("mae loss", pred, target);
      return mae_gradient<T>(dpred, pred, target);
    case LossKind::huber:
      check_shapes("huber loss", pred, target);
      return huber_gradient<T>(dpred, pred, target, delta_);
  }
  throw Error("Loss: invalid LossKind value " + std::to_string(static_cast<int>(kind_)));
}

#define BNLSTM_INSTANTIATE_LOSS(T)                                                                 \
  template T mse_loss<T>(const Eigen::Ref<const Matrix<T>>&, const Eigen::Ref<const Matrix<T>>&);  \
  template void mse_loss_backward<T>(Matrix<T>&, const RefConst<T>&, const RefConst<T>&);          \
  template T mae_loss<T>(const Eigen::Ref<const Matrix<T>>&, const Eigen::Ref<const Matrix<T>>&);  \
  template void mae_loss_backward<T>(Matrix<T>&, const RefConst<T>&, const RefConst<T>&);          \
  template T huber_loss<T>(const Eigen::Ref<const Matrix<T>>&, const Eigen::Ref<const Matrix<T>>&, \
                           T);                                                                     \
  template void huber_loss_backward<T>(Matrix<T>&, const RefConst<T>&, const RefConst<T>&,         \
                                       std::type_identity_t<T>);                                   \
  template class Loss<T>;

BNLSTM_INSTANTIATE_LOSS(float)
BNLSTM_INSTANTIATE_LOSS(double)

}  // namespace bnlstm
