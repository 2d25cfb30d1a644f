#pragma once
// Central finite differences in double precision: the second, independent check of every
// hand-written backward pass (the first is the PyTorch golden files).
#include <functional>

#include "bnlstm/core/tensor.hpp"

namespace bnlstm::testing {

// d loss / d values[i] for every i, by (loss(v + h) - loss(v - h)) / 2h; values is restored.
// values: (n) elements of any tensor the loss reads; loss: recomputes the scalar loss.
inline Vector<double> numeric_gradient(const std::function<double()>& loss, double* values, Index n,
                                       double h = 1e-6) {
  Vector<double> grad(n);
  for (Index i = 0; i < n; ++i) {
    const double saved = values[i];
    values[i] = saved + h;
    const double plus = loss();
    values[i] = saved - h;
    const double minus = loss();
    values[i] = saved;
    grad[i] = (plus - minus) / (2 * h);
  }
  return grad;
}

}  // namespace bnlstm::testing
