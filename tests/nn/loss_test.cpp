#include "bnlstm/nn/loss.hpp"

#include <gtest/gtest.h>

#include <string>

#include "bnlstm/core/error.hpp"
#include "bnlstm/io/safetensors.hpp"
#include "testing/compare.hpp"
#include "testing/gradcheck.hpp"

namespace bnlstm {
namespace {

TensorFile golden() {
  return TensorFile::load(std::string(BNLSTM_GOLDEN_DIR) + "/optim_loss.safetensors");
}

struct Case {
  const char* name;  // key in the golden file
  LossKind kind;
  double delta;
};

constexpr Case kCases[] = {{"mse", LossKind::mse, 1.0},
                           {"mae", LossKind::mae, 1.0},
                           {"huber", LossKind::huber, 1.0},
                           {"huber_delta0.5", LossKind::huber, 0.5},
                           {"huber_delta2", LossKind::huber, 2.0}};

// pred - target holds exact 0, ±0.5, ±1 and ±2 entries: the ties of every branch.
template <typename T>
void check_against_torch(double rtol) {
  const TensorFile g = golden();
  const Matrix<T> pred = g.matrix<T>("pred"), target = g.matrix<T>("target");
  for (const Case& c : kCases) {
    const Loss<T> loss(c.kind, static_cast<T>(c.delta));
    Matrix<T> value(1, 1), grad;
    value(0, 0) = loss.value(pred, target);
    loss.gradient(pred, target, grad);
    MatrixBuffer<T> grad_buffer;  // the trainer's overload: the same values
    grad_buffer.resize(pred.rows() + 3, pred.cols());
    loss.gradient(pred, target, grad_buffer);
    EXPECT_EQ(Matrix<T>(grad_buffer.view()), grad) << c.name;
    EXPECT_TENSOR_NEAR(std::string(c.name) + " value", value,
                       g.matrix<double>(std::string(c.name) + ".value"), rtol);
    EXPECT_TENSOR_NEAR(std::string(c.name) + " grad", grad,
                       g.matrix<double>(std::string(c.name) + ".grad"), rtol);
  }
}

TEST(Loss, MatchesTorchDouble) {
  check_against_torch<double>(1e-14);
}
TEST(Loss, MatchesTorchFloat) {
  check_against_torch<float>(1e-6);
}

// The conventions at the ties, spelled out (n = 4 elements).
TEST(Loss, SubgradientsAtTiesFollowTorch) {
  const MatrixD target = MatrixD::Zero(1, 4);
  MatrixD pred(1, 4);
  pred << 0.0, 1.0, -1.0, 3.0;
  MatrixD grad;
  mae_loss_backward(grad, pred, target);
  EXPECT_EQ(grad(0, 0), 0.0);  // sign(0) = 0
  EXPECT_EQ(grad(0, 1), 0.25);
  EXPECT_EQ(grad(0, 2), -0.25);
  huber_loss_backward(grad, pred, target, 1.0);
  EXPECT_EQ(grad(0, 0), 0.0);
  EXPECT_EQ(grad(0, 1), 0.25);  // |d| = delta: d / n = delta / n
  EXPECT_EQ(grad(0, 2), -0.25);
  EXPECT_EQ(grad(0, 3), 0.25);  // linear branch: delta sign(d) / n
  // values: 0, 0.5, 0.5, 1 * (3 - 0.5) = 2.5 -> mean 0.875
  EXPECT_DOUBLE_EQ(huber_loss<double>(pred, target, 1.0), 0.875);
  EXPECT_DOUBLE_EQ(mse_loss<double>(pred, target), 11.0 / 4);
  EXPECT_DOUBLE_EQ(mae_loss<double>(pred, target), 5.0 / 4);
}

// Finite differences away from the kinks (|d| well away from 0 and delta).
TEST(Loss, GradientsMatchFiniteDifferences) {
  const MatrixD target = MatrixD::Random(5, 3);
  MatrixD d(5, 3);
  d << 0.3, -0.2, 1.7, -2.5, 0.6, -0.9, 1.3, 0.15, -0.4, 2.2, -1.6, 0.8, -0.35, 0.45, -3.0;
  for (const Case& c : kCases) {
    MatrixD pred = target + d;
    const Loss<double> loss(c.kind, c.delta);
    MatrixD grad;
    loss.gradient(pred, target, grad);
    const VectorD numeric = testing::numeric_gradient([&] { return loss.value(pred, target); },
                                                      pred.data(), pred.size());
    EXPECT_TENSOR_NEAR(std::string(c.name) + " vs numeric", grad.reshaped<Eigen::RowMajor>(),
                       numeric, 1e-8);
  }
}

TEST(Loss, ParsesNames) {
  EXPECT_EQ(parse_loss("mse"), LossKind::mse);
  EXPECT_EQ(parse_loss("mae"), LossKind::mae);
  EXPECT_EQ(parse_loss("l1"), LossKind::mae);
  EXPECT_EQ(parse_loss("huber"), LossKind::huber);
  EXPECT_EQ(to_string(LossKind::huber), "huber");
  try {
    parse_loss("rmse");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), "unknown loss 'rmse' (expected one of: mse, mae, huber)");
  }
}

TEST(Loss, RejectsMismatchedShapesAndBadDelta) {
  const Loss<double> loss;
  MatrixD grad;
  try {
    loss.value(MatrixD::Zero(4, 1), MatrixD::Zero(1, 4));
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()),
              "mse loss: prediction has shape (4, 1) but target has shape (1, 4)");
  }
  EXPECT_THROW(loss.gradient(MatrixD::Zero(2, 1), MatrixD::Zero(3, 1), grad), Error);
  EXPECT_THROW(Loss<double>(LossKind::huber, 0.0), Error);
  EXPECT_THROW(huber_loss<float>(MatrixF::Zero(1, 1), MatrixF::Zero(1, 1), -1.0f), Error);
}

}  // namespace
}  // namespace bnlstm
