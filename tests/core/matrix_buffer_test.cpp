#include "bnlstm/core/matrix_buffer.hpp"

#include <gtest/gtest.h>

namespace bnlstm {
namespace {

// Storage grows to the largest shape and is kept: a smaller or equal shape reuses it.
TEST(MatrixBuffer, KeepsItsLargestStorage) {
  MatrixBuffer<float> b;
  EXPECT_EQ(b.rows(), 0);
  EXPECT_EQ(b.capacity(), 0);
  MatrixMap<float> m = b.resize(4, 3);
  EXPECT_EQ(m.rows(), 4);
  EXPECT_EQ(m.cols(), 3);
  EXPECT_EQ(b.capacity(), 12);
  const float* storage = b.data();
  m.setConstant(2.0f);
  // smaller, then another shape of the same size: same storage, contents kept row-major
  EXPECT_EQ(b.resize(2, 3).data(), storage);
  EXPECT_EQ(b.rows(), 2);
  EXPECT_EQ(b.view().sum(), 12.0f);
  EXPECT_EQ(b.resize(6, 2).data(), storage);
  EXPECT_EQ(b.const_view().cols(), 2);
  EXPECT_EQ(b.capacity(), 12);
  // larger: new storage
  b.resize(5, 3);
  EXPECT_EQ(b.capacity(), 15);
  EXPECT_EQ(b.view().size(), 15);
}

}  // namespace
}  // namespace bnlstm
