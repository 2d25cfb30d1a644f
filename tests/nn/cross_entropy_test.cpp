#include "bnlstm/nn/cross_entropy.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "bnlstm/core/error.hpp"
#include "bnlstm/io/safetensors.hpp"
#include "testing/compare.hpp"
#include "testing/gradcheck.hpp"

namespace bnlstm {
namespace {

std::vector<int32_t> labels_of(const TensorFile& f) {
  std::vector<int32_t> out;
  for (int64_t v : f.get("labels").values<int64_t>()) out.push_back(static_cast<int32_t>(v));
  return out;
}

// torch.nn.CrossEntropyLoss on rows with logits ±1000 (exp overflows without the max
// subtracted), around -800 (exp underflows to 0) and all equal.
template <typename T>
void check_against_torch(double rtol) {
  const TensorFile f =
      TensorFile::load(std::string(BNLSTM_GOLDEN_DIR) + "/classify_cross_entropy.safetensors");
  const Matrix<T> logits = f.matrix<T>("logits");
  const std::vector<int32_t> labels = labels_of(f);
  MatrixBuffer<T> probs, grad;
  const T loss = cross_entropy_forward<T>(probs, logits, labels);
  EXPECT_TENSOR_NEAR("loss", Matrix<T>::Constant(1, 1, loss), f.matrix<T>("loss"), rtol);
  EXPECT_TENSOR_NEAR("probs", probs.view(), f.matrix<T>("probs"), rtol);
  cross_entropy_backward<T>(grad, probs.view(), labels);
  EXPECT_TENSOR_NEAR("grad", grad.view(), f.matrix<T>("grad"), rtol);
}

TEST(CrossEntropy, DoubleMatchesTorch) {
  check_against_torch<double>(1e-12);
}
TEST(CrossEntropy, FloatMatchesTorch) {
  check_against_torch<float>(1e-6);
}

TEST(CrossEntropy, GradientMatchesFiniteDifferences) {
  Matrix<double> z = Matrix<double>::Random(4, 6) * 3;
  const std::vector<int32_t> labels = {5, 0, 2, 2};
  MatrixBuffer<double> probs, grad;
  cross_entropy_forward<double>(probs, z, labels);
  cross_entropy_backward<double>(grad, probs.view(), labels);
  const auto loss = [&] {
    MatrixBuffer<double> p;
    return cross_entropy_forward<double>(p, z, labels);
  };
  const Vector<double> numeric = testing::numeric_gradient(loss, z.data(), z.size());
  const Matrix<double> numeric_m = Eigen::Map<const Matrix<double>>(numeric.data(), 4, 6);
  EXPECT_TENSOR_NEAR("dlogits vs finite differences", grad.view(), numeric_m, 1e-8);
}

TEST(CrossEntropy, CountsCorrectRowsWithFirstMaximumOnTies) {
  Matrix<float> z(3, 3);
  z << 1, 2, 0,  //
      5, 5, 1,   // tie: argmax is the first
      0, 0, 9;
  EXPECT_EQ(count_correct<float>(z, std::vector<int32_t>{1, 0, 2}), 3);
  EXPECT_EQ(count_correct<float>(z, std::vector<int32_t>{1, 1, 0}), 1);
}

TEST(CrossEntropy, RejectsBadLabels) {
  MatrixBuffer<float> p;
  const Matrix<float> z = Matrix<float>::Zero(2, 3);
  EXPECT_THROW(cross_entropy_forward<float>(p, z, std::vector<int32_t>{0, 3}), Error);
  EXPECT_THROW(cross_entropy_forward<float>(p, z, std::vector<int32_t>{0, -1}), Error);
  EXPECT_THROW(cross_entropy_forward<float>(p, z, std::vector<int32_t>{0}), Error);
}

}  // namespace
}  // namespace bnlstm
