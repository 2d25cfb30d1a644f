#pragma once
// A trainable tensor and its gradient. Layers own their Parameters and expose them as a list
// of pointers; optimizers, gradient clipping and checkpoints work on that list.
#include <string>
#include <vector>

#include "bnlstm/core/tensor.hpp"

namespace bnlstm {

template <typename T>
struct Parameter {
  std::string name;  // state-dict style name, e.g. "lstm.weight_ih"
  Matrix<T> value;   // 1-D parameters are stored as one row
  Matrix<T> grad;    // same shape as value; backward accumulates into it (+=)

  Parameter() = default;
  Parameter(std::string name_, Index rows, Index cols)
      : name(std::move(name_)), value(Matrix<T>::Zero(rows, cols)), grad(Matrix<T>::Zero(rows, cols)) {}

  void zero_grad() { grad.setZero(); }
};

template <typename T>
using ParameterList = std::vector<Parameter<T>*>;

// Throws bnlstm::Error naming the layer and the parameter when p.value (or, with grad, p.grad)
// is not (rows, cols). value and grad are public Matrices that a caller may assign any shape;
// layers read them through raw pointers sized by their own dimensions, so they check first.
template <typename T>
void check_shape(const Parameter<T>& p, Index rows, Index cols, const char* layer,
                 bool grad = false);

template <typename T>
void zero_grad(const ParameterList<T>& params) {
  for (auto* p : params) p->zero_grad();
}

}  // namespace bnlstm
