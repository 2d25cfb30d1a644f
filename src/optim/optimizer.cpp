#include "bnlstm/optim/optimizer.hpp"

#include <cmath>

#include "bnlstm/core/error.hpp"
#include "bnlstm/optim/adam.hpp"
#include "bnlstm/optim/rmsprop.hpp"
#include "bnlstm/optim/sgd.hpp"

namespace bnlstm {
namespace {

std::string shape_string(Index rows, Index cols) {
  return "(" + std::to_string(rows) + ", " + std::to_string(cols) + ")";
}

}  // namespace

template <typename T>
Optimizer<T>::Optimizer(ParameterList<T> params, double lr) : params_(std::move(params)), lr_(lr) {
  check_lr(lr, "optimizer");
  for (size_t i = 0; i < params_.size(); ++i) {
    if (params_[i] == nullptr)
      throw Error("optimizer: parameter " + std::to_string(i) + " is null");
    const auto& p = *params_[i];
    if (p.grad.rows() != p.value.rows() || p.grad.cols() != p.value.cols()) {
      throw Error("optimizer: parameter '" + p.name + "' has value " +
                  shape_string(p.value.rows(), p.value.cols()) + " but gradient " +
                  shape_string(p.grad.rows(), p.grad.cols()));
    }
  }
}

template <typename T>
void Optimizer<T>::check_lr(double lr, const std::string& who) {
  if (!(lr >= 0) || !std::isfinite(lr)) {
    throw Error(who + ": learning rate must be a finite number >= 0, got " + std::to_string(lr));
  }
}

template <typename T>
void Optimizer<T>::zero_grad() {
  bnlstm::zero_grad(params_);
}

template <typename T>
void Optimizer<T>::set_lr(double lr) {
  check_lr(lr, name());
  lr_ = lr;
}

template <typename T>
void Optimizer<T>::save_state(TensorFile& file, const std::string& prefix) const {
  file.metadata[prefix + "type"] = name();
  file.put<int64_t>(prefix + "steps", &steps_, {});
  file.put<double>(prefix + "lr", &lr_, {});
  // state_buffers() only hands out pointers; nothing is modified here
  auto buffers = const_cast<Optimizer<T>*>(this)->state_buffers();
  for (const auto& b : buffers) {
    for (size_t i = 0; i < b.buffers->size(); ++i) {
      file.put_matrix(prefix + std::to_string(i) + "." + b.name, (*b.buffers)[i]);
    }
  }
}

template <typename T>
void Optimizer<T>::load_state(const TensorFile& file, const std::string& prefix) {
  const auto type = file.metadata.find(prefix + "type");
  if (type == file.metadata.end()) {
    throw Error(file.source + ": no optimizer state (metadata '" + prefix + "type' is missing)");
  }
  if (type->second != name()) {
    throw Error(file.source + ": optimizer state is for '" + type->second + "', not '" + name() +
                "'");
  }
  // check everything before changing anything
  auto buffers = state_buffers();
  for (const auto& b : buffers) {
    for (size_t i = 0; i < b.buffers->size(); ++i) {
      const std::string key = prefix + std::to_string(i) + "." + b.name;
      const auto& stored = file.get(key);
      const auto& p = *params_[i];
      if (stored.shape != std::vector<int64_t>{p.value.rows(), p.value.cols()}) {
        throw Error(file.source + ": tensor '" + key + "' does not match parameter '" + p.name +
                    "' of shape " + shape_string(p.value.rows(), p.value.cols()));
      }
    }
  }
  const std::string extra = prefix + std::to_string(params_.size()) + "." +
                            (buffers.empty() ? std::string() : buffers.front().name);
  if (!buffers.empty() && file.contains(extra)) {
    throw Error(file.source + ": optimizer state has more parameters than the " +
                std::to_string(params_.size()) + " being optimized");
  }
  const int64_t steps = file.scalar<int64_t>(prefix + "steps");
  const double lr = file.scalar<double>(prefix + "lr");
  if (steps < 0) throw Error(file.source + ": tensor '" + prefix + "steps' is negative");
  check_lr(lr, file.source + ": tensor '" + prefix + "lr'");
  // the values, all finite, before any is assigned
  std::vector<Vector<T>> values;
  for (const auto& b : buffers) {
    for (size_t i = 0; i < b.buffers->size(); ++i) {
      const std::string key = prefix + std::to_string(i) + "." + b.name;
      values.push_back(file.vector<T>(key));
      if (!values.back().allFinite())
        throw Error(file.source + ": tensor '" + key + "' holds NaN or infinite values");
      // averages of squares (Adam's v, RMSProp's): a negative one would put NaN in the step
      const bool squares = b.name == "exp_avg_sq" || b.name == "square_avg";
      if (squares && values.back().size() > 0 && values.back().minCoeff() < 0)
        throw Error(file.source + ": tensor '" + key + "' holds negative averages of squares");
    }
  }
  size_t k = 0;
  for (const auto& b : buffers) {
    for (size_t i = 0; i < b.buffers->size(); ++i) {
      auto& m = (*b.buffers)[i];
      m = Eigen::Map<const Matrix<T>>(values[k++].data(), m.rows(), m.cols());
    }
  }
  steps_ = steps;
  lr_ = lr;
}

OptimizerKind parse_optimizer(std::string_view name) {
  if (name == "sgd") return OptimizerKind::sgd;
  if (name == "adam") return OptimizerKind::adam;
  if (name == "adamw") return OptimizerKind::adamw;
  if (name == "rmsprop") return OptimizerKind::rmsprop;
  throw Error("unknown optimizer '" + std::string(name) +
              "' (expected one of: sgd, adam, adamw, rmsprop)");
}

std::string to_string(OptimizerKind kind) {
  switch (kind) {
    case OptimizerKind::sgd:
      return "sgd";
    case OptimizerKind::adam:
      return "adam";
    case OptimizerKind::adamw:
      return "adamw";
    case OptimizerKind::rmsprop:
      return "rmsprop";
  }
  return "unknown";
}

template <typename T>
std::unique_ptr<Optimizer<T>> make_optimizer(OptimizerKind kind, ParameterList<T> params,
                                             const OptimizerConfig& c) {
  switch (kind) {
    case OptimizerKind::sgd: {
      SGDOptions o;
      o.lr = c.lr;
      o.momentum = c.momentum;
      o.nesterov = c.nesterov;
      o.weight_decay = c.weight_decay < 0 ? 0.0 : c.weight_decay;
      return std::make_unique<SGD<T>>(std::move(params), o);
    }
    case OptimizerKind::adam: {
      AdamOptions o;
      o.lr = c.lr;
      o.beta1 = c.beta1;
      o.beta2 = c.beta2;
      o.eps = c.eps;
      o.weight_decay = c.weight_decay < 0 ? 0.0 : c.weight_decay;
      return std::make_unique<Adam<T>>(std::move(params), o);
    }
    case OptimizerKind::adamw: {
      AdamWOptions o;
      o.lr = c.lr;
      o.beta1 = c.beta1;
      o.beta2 = c.beta2;
      o.eps = c.eps;
      if (c.weight_decay >= 0) o.weight_decay = c.weight_decay;
      return std::make_unique<AdamW<T>>(std::move(params), o);
    }
    case OptimizerKind::rmsprop: {
      RMSpropOptions o;
      o.lr = c.lr;
      o.alpha = c.alpha;
      o.eps = c.eps;
      o.momentum = c.momentum;
      o.centered = c.centered;
      o.weight_decay = c.weight_decay < 0 ? 0.0 : c.weight_decay;
      return std::make_unique<RMSprop<T>>(std::move(params), o);
    }
  }
  throw Error("make_optimizer: invalid OptimizerKind value " +
              std::to_string(static_cast<int>(kind)));
}

template class Optimizer<float>;
template class Optimizer<double>;
template std::unique_ptr<Optimizer<float>> make_optimizer<float>(OptimizerKind,
                                                                 ParameterList<float>,
                                                                 const OptimizerConfig&);
template std::unique_ptr<Optimizer<double>> make_optimizer<double>(OptimizerKind,
                                                                   ParameterList<double>,
                                                                   const OptimizerConfig&);

}  // namespace bnlstm
