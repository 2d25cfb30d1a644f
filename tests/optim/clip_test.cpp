#include "bnlstm/optim/clip.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "bnlstm/core/error.hpp"
#include "bnlstm/io/safetensors.hpp"
#include "testing/compare.hpp"

namespace bnlstm {
namespace {

TensorFile golden() {
  return TensorFile::load(std::string(BNLSTM_GOLDEN_DIR) + "/optim_clip.safetensors");
}

// Two parameters, (3, 4) and (1, 5), holding the golden gradients.
template <typename T>
struct Grads {
  Parameter<T> a{"a", 3, 4}, b{"b", 1, 5};
  explicit Grads(const TensorFile& g) {
    a.grad = g.matrix<T>("grad0");
    b.grad = g.matrix<T>("grad1");
  }
  ParameterList<T> list() { return {&a, &b}; }
};

template <typename T>
void check_against_torch(double rtol) {
  const TensorFile g = golden();
  {
    Grads<T> p(g);
    clip_grad_value(p.list(), static_cast<T>(0.7));
    EXPECT_TENSOR_NEAR("value 0.7 grad0", p.a.grad, g.matrix<double>("value0.7.grad0"), rtol);
    EXPECT_TENSOR_NEAR("value 0.7 grad1", p.b.grad, g.matrix<double>("value0.7.grad1"), rtol);
  }
  for (const char* max_norm : {"1", "100"}) {  // clipping active, inactive
    Grads<T> p(g);
    Matrix<T> total(1, 1);
    total(0, 0) = clip_grad_norm(p.list(), static_cast<T>(std::stod(max_norm)));
    const std::string key = std::string("norm") + max_norm;
    EXPECT_TENSOR_NEAR(key + " total", total, g.matrix<double>(key + ".total"), rtol);
    EXPECT_TENSOR_NEAR(key + " grad0", p.a.grad, g.matrix<double>(key + ".grad0"), rtol);
    EXPECT_TENSOR_NEAR(key + " grad1", p.b.grad, g.matrix<double>(key + ".grad1"), rtol);
  }
}

TEST(Clip, MatchesTorchDouble) {
  check_against_torch<double>(1e-14);
}
TEST(Clip, MatchesTorchFloat) {
  check_against_torch<float>(1e-6);
}

TEST(Clip, NormClippingKeepsDirectionAndReachesMaxNorm) {
  Grads<double> p(golden());
  const MatrixD before = p.a.grad;
  const double total = clip_grad_norm(p.list(), 2.0);
  EXPECT_GT(total, 2.0);
  EXPECT_NEAR(grad_norm(p.list()), 2.0, 1e-6);
  EXPECT_TENSOR_NEAR("direction", p.a.grad, before * (2.0 / (total + 1e-6)), 1e-15);
}

TEST(Clip, RejectsBadThresholdsAndNonFiniteNorm) {
  Grads<double> p(golden());
  EXPECT_THROW(clip_grad_value(p.list(), -1.0), Error);
  EXPECT_THROW(clip_grad_norm(p.list(), -1.0), Error);
  EXPECT_THROW(clip_grad_norm(p.list(), std::numeric_limits<double>::quiet_NaN()), Error);
  p.b.grad(0, 2) = std::numeric_limits<double>::quiet_NaN();
  try {
    clip_grad_norm(p.list(), 1.0);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("clip_grad_norm: the total gradient norm is nan"),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace bnlstm
