#pragma once
// Tensor types shared by the whole library.
//
// Every layer is templated on its scalar type T: float is the default for training and
// inference, double is used by gradient checks and golden tests. Matrices are row-major so
// that a (N, C) batch keeps one sample per row and channels contiguous, matching PyTorch's
// memory layout; a (N, C, L) batch is a row-major (N, C*L) block.
#include <Eigen/Core>
#include <cstdint>

#include "bnlstm/core/build_check.hpp"  // fails to compile with other -march than the library

namespace bnlstm {

using Index = Eigen::Index;

template <typename T>
using Matrix = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
template <typename T>
using Vector = Eigen::Matrix<T, Eigen::Dynamic, 1>;
template <typename T>
using RowVector = Eigen::Matrix<T, 1, Eigen::Dynamic>;

template <typename T>
using MatrixMap = Eigen::Map<Matrix<T>>;
template <typename T>
using ConstMatrixMap = Eigen::Map<const Matrix<T>>;

using MatrixF = Matrix<float>;
using MatrixD = Matrix<double>;
using VectorF = Vector<float>;
using VectorD = Vector<double>;

}  // namespace bnlstm
