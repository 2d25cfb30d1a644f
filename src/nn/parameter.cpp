#include "bnlstm/nn/parameter.hpp"

#include <fmt/format.h>

#include "bnlstm/core/error.hpp"

namespace bnlstm {

template <typename T>
void check_shape(const Parameter<T>& p, Index rows, Index cols, const char* layer, bool grad) {
  const auto fail = [&](const char* what, const Matrix<T>& m) {
    throw Error(fmt::format("{}: parameter '{}' has a {} of shape ({}, {}), expected ({}, {})",
                            layer, p.name, what, m.rows(), m.cols(), rows, cols));
  };
  if (p.value.rows() != rows || p.value.cols() != cols) fail("value", p.value);
  if (grad && (p.grad.rows() != rows || p.grad.cols() != cols)) fail("gradient", p.grad);
}

template void check_shape<float>(const Parameter<float>&, Index, Index, const char*, bool);
template void check_shape<double>(const Parameter<double>&, Index, Index, const char*, bool);

}  // namespace bnlstm
