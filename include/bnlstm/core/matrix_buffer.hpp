#pragma once
// A row-major work buffer whose storage only grows.
//
// Eigen's Matrix frees and reallocates whenever resize() changes its number of elements, so a
// layer that keeps its activations in Matrix members allocates every time the batch size
// changes: at the shorter last batch of an epoch, at the next epoch's first batch, and around
// every validation pass. A MatrixBuffer keeps the largest storage it has held and hands out a
// Map of the current shape, so once the largest shape has been seen, shaping it to any shape
// allocates nothing (checked in tests/train/allocation_test.cpp).
#include "bnlstm/core/tensor.hpp"

namespace bnlstm {

template <typename T>
class MatrixBuffer {
 public:
  // Shapes the buffer to (rows, cols) and returns it. The contents are unspecified (use
  // setZero() on the result where zeros are needed). Allocates only when rows * cols is larger
  // than every earlier shape.
  MatrixMap<T> resize(Index rows, Index cols) {
    if (rows * cols > storage_.size()) storage_.resize(rows * cols);
    rows_ = rows;
    cols_ = cols;
    return view();
  }

  // (rows(), cols()), valid until the next resize() that grows the storage.
  MatrixMap<T> view() { return MatrixMap<T>(storage_.data(), rows_, cols_); }
  ConstMatrixMap<T> view() const { return const_view(); }
  ConstMatrixMap<T> const_view() const { return ConstMatrixMap<T>(storage_.data(), rows_, cols_); }

  T* data() { return storage_.data(); }
  const T* data() const { return storage_.data(); }
  Index rows() const { return rows_; }
  Index cols() const { return cols_; }
  Index capacity() const { return storage_.size(); }  // elements held without reallocating

 private:
  Vector<T> storage_;
  Index rows_ = 0, cols_ = 0;
};

}  // namespace bnlstm
