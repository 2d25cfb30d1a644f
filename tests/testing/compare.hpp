#pragma once
// Tensor comparison for golden and gradient tests, in the llm.c manner: every comparison
// prints the tensor's name, its max-abs difference and relative error, and OK / NOT OK.
//
// Relative error is normwise: max|actual - expected| / max|expected| (max norm), so that
// entries that are zero in the reference do not blow up the ratio.
#include <gtest/gtest.h>

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <string>

namespace bnlstm::testing {

template <typename A, typename B>
::testing::AssertionResult tensors_close(const std::string& name, const Eigen::DenseBase<A>& actual,
                                         const Eigen::DenseBase<B>& expected, double rtol) {
  if (actual.rows() != expected.rows() || actual.cols() != expected.cols()) {
    return ::testing::AssertionFailure() << name << ": shape (" << actual.rows() << ", " << actual.cols()
                                         << ") != expected (" << expected.rows() << ", " << expected.cols() << ")";
  }
  double max_diff = 0, max_ref = 0;
  bool finite = true;
  for (Eigen::Index i = 0; i < actual.rows(); ++i) {
    for (Eigen::Index j = 0; j < actual.cols(); ++j) {
      const double a = static_cast<double>(actual.derived().coeff(i, j));
      const double e = static_cast<double>(expected.derived().coeff(i, j));
      if (!std::isfinite(a)) finite = false;
      max_diff = std::max(max_diff, std::abs(a - e));
      max_ref = std::max(max_ref, std::abs(e));
    }
  }
  const double rel = max_diff / std::max(max_ref, std::numeric_limits<double>::min());
  const bool ok = finite && (max_diff == 0 || rel <= rtol);
  std::printf("  %-40s max abs diff %.3e  rel %.3e  %s\n", name.c_str(), max_diff, rel, ok ? "OK" : "NOT OK");
  if (ok) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << name << ": relative error " << rel << " > " << rtol
                                       << " (max abs diff " << max_diff << (finite ? "" : ", non-finite values")
                                       << ")";
}

}  // namespace bnlstm::testing

#define EXPECT_TENSOR_NEAR(name, actual, expected, rtol) \
  EXPECT_TRUE(::bnlstm::testing::tensors_close((name), (actual), (expected), (rtol)))
