#include "bnlstm/nn/linear.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "bnlstm/core/error.hpp"
#include "bnlstm/io/safetensors.hpp"
#include "testing/compare.hpp"
#include "testing/errors.hpp"
#include "testing/gradcheck.hpp"

namespace bnlstm {
namespace {

TensorFile golden() {
  return TensorFile::load(std::string(BNLSTM_GOLDEN_DIR) + "/optim_linear.safetensors");
}

template <typename T>
void check_against_torch(double rtol) {
  const TensorFile g = golden();
  const Matrix<T> x = g.matrix<T>("x");
  Linear<T> layer(x.cols(), g.matrix<T>("weight").rows());
  layer.weight().value = g.matrix<T>("weight");
  layer.bias().value = g.matrix<T>("bias");
  Matrix<T> y, dx;
  layer.forward(x, y);
  layer.backward(g.matrix<T>("dy"), dx);
  EXPECT_TENSOR_NEAR("y", y, g.matrix<double>("y"), rtol);
  EXPECT_TENSOR_NEAR("dx", dx, g.matrix<double>("dx"), rtol);
  EXPECT_TENSOR_NEAR("dweight", layer.weight().grad, g.matrix<double>("dweight"), rtol);
  EXPECT_TENSOR_NEAR("dbias", layer.bias().grad, g.matrix<double>("dbias"), rtol);
}

TEST(Linear, MatchesTorchDouble) {
  check_against_torch<double>(1e-12);
}
TEST(Linear, MatchesTorchFloat) {
  check_against_torch<float>(1e-5);
}

TEST(Linear, ParameterGradientsAccumulate) {
  const TensorFile g = golden();
  Linear<double> layer(4, 3);
  layer.weight().value = g.matrix<double>("weight");
  layer.bias().value = g.matrix<double>("bias");
  MatrixD y, dx;
  for (int i = 0; i < 2; ++i) {
    layer.forward(g.matrix<double>("x"), y);
    layer.backward(g.matrix<double>("dy"), dx);
  }
  EXPECT_TENSOR_NEAR("2 dweight", layer.weight().grad, 2 * g.matrix<double>("dweight"), 1e-12);
  EXPECT_TENSOR_NEAR("2 dbias", layer.bias().grad, 2 * g.matrix<double>("dbias"), 1e-12);
  zero_grad(layer.parameters());
  EXPECT_EQ(layer.weight().grad.cwiseAbs().maxCoeff(), 0.0);
}

// Finite differences of L = Σ y ⊙ r (r fixed) against backward(dy = r).
TEST(Linear, GradientsMatchFiniteDifferences) {
  Rng rng = make_rng(7);
  Linear<double> layer(5, 4);
  layer.reset_parameters(rng);
  MatrixD x = MatrixD::Random(6, 5);
  const MatrixD r = MatrixD::Random(6, 4);
  MatrixD y, dx;
  const auto loss = [&] {
    layer.forward(x, y);
    return (y.array() * r.array()).sum();
  };
  loss();
  layer.backward(r, dx);
  const VectorD nx = testing::numeric_gradient(loss, x.data(), x.size());
  const VectorD nw =
      testing::numeric_gradient(loss, layer.weight().value.data(), layer.weight().value.size());
  const VectorD nb =
      testing::numeric_gradient(loss, layer.bias().value.data(), layer.bias().value.size());
  EXPECT_TENSOR_NEAR("dx vs numeric", dx.reshaped<Eigen::RowMajor>(), nx, 1e-8);
  EXPECT_TENSOR_NEAR("dweight vs numeric", layer.weight().grad.reshaped<Eigen::RowMajor>(), nw,
                     1e-8);
  EXPECT_TENSOR_NEAR("dbias vs numeric", layer.bias().grad.reshaped<Eigen::RowMajor>(), nb, 1e-8);
}

TEST(Linear, ParametersAreNamedAndShapedAsTorch) {
  Linear<float> layer(7, 2, "head.");
  const auto params = layer.parameters();
  ASSERT_EQ(params.size(), 2u);
  EXPECT_EQ(params[0]->name, "head.weight");
  EXPECT_EQ(params[0]->value.rows(), 2);
  EXPECT_EQ(params[0]->value.cols(), 7);
  EXPECT_EQ(params[1]->name, "head.bias");
  EXPECT_EQ(params[1]->value.rows(), 1);
  EXPECT_EQ(params[1]->value.cols(), 2);
  EXPECT_EQ(Linear<float>(3, 1).weight().name, "weight");
}

TEST(Linear, ResetParametersUsesTorchBound) {
  Rng rng = make_rng(8);
  Linear<double> layer(16, 40);
  layer.reset_parameters(rng);
  const double bound = 0.25;  // 1 / sqrt(16)
  EXPECT_LE(layer.weight().value.cwiseAbs().maxCoeff(), bound);
  EXPECT_GT(layer.weight().value.cwiseAbs().maxCoeff(), 0.9 * bound);
  EXPECT_LE(layer.bias().value.cwiseAbs().maxCoeff(), bound);
  EXPECT_GT(layer.bias().value.cwiseAbs().maxCoeff(), 0.0);
}

TEST(Linear, InitByNameZeroesTheBias) {
  Rng rng = make_rng(9);
  Linear<double> layer(16, 40);
  layer.reset_parameters(rng);
  layer.init(InitScheme::orthogonal, rng);
  EXPECT_EQ(layer.bias().value.cwiseAbs().maxCoeff(), 0.0);
  EXPECT_TENSOR_NEAR("WᵀW", MatrixD(layer.weight().value.transpose() * layer.weight().value),
                     MatrixD::Identity(16, 16), 1e-12);
}

TEST(Linear, RejectsWrongShapes) {
  Linear<double> layer(4, 3);
  MatrixD y, dx;
  try {
    layer.forward(MatrixD::Zero(2, 5), y);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), "Linear forward: input has shape (2, 5), expected (N, 4)");
  }
  EXPECT_THROW(layer.backward(MatrixD::Zero(2, 3), dx), Error);  // before forward
  layer.forward(MatrixD::Zero(2, 4), y);
  try {
    layer.backward(MatrixD::Zero(3, 3), dx);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()),
              "Linear backward: output gradient has shape (3, 3), expected (2, 3)");
  }
  EXPECT_THROW(Linear<double>(0, 3), Error);
  // views must come with the right shape
  MatrixBuffer<double> out;
  EXPECT_EQ(testing::error_of([&] { layer.forward(MatrixD::Zero(2, 4), out.resize(3, 3)); }),
            "Linear forward: output has shape (3, 3), expected (2, 3)");
  EXPECT_EQ(testing::error_of([&] { layer.backward(MatrixD::Zero(2, 3), out.resize(2, 3)); }),
            "Linear backward: input gradient has shape (2, 3), expected (2, 4)");
}

// Into views (the network's MatrixBuffers): the same values as into matrices.
TEST(Linear, ViewsGetTheSameValuesAsMatrices) {
  Rng rng = make_rng(10);
  Linear<double> layer(4, 3);
  layer.reset_parameters(rng);
  const MatrixD x = MatrixD::Random(5, 4), dy = MatrixD::Random(5, 3);
  MatrixD y, dx;
  layer.forward(x, y);
  layer.backward(dy, dx);
  MatrixBuffer<double> yb, dxb;
  layer.forward(x, yb.resize(5, 3));
  layer.backward(dy, dxb.resize(5, 4));
  EXPECT_EQ(MatrixD(yb.view()), y);
  EXPECT_EQ(MatrixD(dxb.view()), dx);
  EXPECT_TRUE(layer.weight().grad.isApprox(2 * (dy.transpose() * x), 1e-14));
}

}  // namespace
}  // namespace bnlstm
