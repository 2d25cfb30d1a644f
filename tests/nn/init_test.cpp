#include "bnlstm/nn/init.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "bnlstm/core/error.hpp"
#include "bnlstm/io/safetensors.hpp"
#include "bnlstm/nn/lstm.hpp"
#include "testing/compare.hpp"

namespace bnlstm {
namespace {

struct Stats {
  double mean, std, min, max;
};

template <typename T>
Stats stats(const Matrix<T>& w) {
  const Eigen::ArrayXd a = Eigen::Map<const Eigen::Array<T, Eigen::Dynamic, 1>>(w.data(), w.size())
                               .template cast<double>();
  const double mean = a.mean();
  const double var = (a - mean).square().sum() / static_cast<double>(a.size() - 1);
  return {mean, std::sqrt(var), a.minCoeff(), a.maxCoeff()};
}

// rows != cols so that a divisor taken from the wrong dimension shows (sqrt(200) vs sqrt(800)).
constexpr Index kRows = 200, kCols = 800;
constexpr double kN = static_cast<double>(kRows * kCols);

// Mean within 5 standard errors of 0; sample std within 2% of sigma (the standard error of the
// sample std is sigma / sqrt(2n) = 0.18% here).
void expect_centered_with_std(const Stats& s, double sigma) {
  EXPECT_NEAR(s.mean, 0.0, 5 * sigma / std::sqrt(kN));
  EXPECT_NEAR(s.std / sigma, 1.0, 0.02) << "std " << s.std << " expected " << sigma;
}

TEST(Init, ParsesEveryNameAndRoundTrips) {
  for (const char* name :
       {"random", "xavier", "he", "uniform", "glorot_uniform", "orthogonal", "torch"}) {
    EXPECT_EQ(to_string(parse_init_scheme(name)), name);
  }
}

TEST(Init, UnknownNameListsValidOnes) {
  try {
    parse_init_scheme("kaiming");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()),
              "unknown init scheme 'kaiming' (expected one of: random, xavier, he, uniform, "
              "glorot_uniform, orthogonal, identity, torch)");
  }
}

TEST(Init, RandomIsStandardNormal) {
  Rng rng = make_rng(1);
  MatrixD w(kRows, kCols);
  init_weight(w, InitScheme::random, rng);
  expect_centered_with_std(stats(w), 1.0);
}

TEST(Init, XavierDividesByTheSquareRootOfRowsAsTheNotebook) {
  Rng rng = make_rng(2);
  MatrixD w(kRows, kCols);
  init_weight(w, InitScheme::xavier, rng);
  expect_centered_with_std(stats(w), 1.0 / std::sqrt(static_cast<double>(kRows)));
}

TEST(Init, HeScalesBySqrtTwoOverRowsAsTheNotebook) {
  Rng rng = make_rng(3);
  MatrixD w(kRows, kCols);
  init_weight(w, InitScheme::he, rng);
  expect_centered_with_std(stats(w), std::sqrt(2.0 / static_cast<double>(kRows)));
}

TEST(Init, UniformIsWithinMinusOneOne) {
  Rng rng = make_rng(4);
  MatrixD w(kRows, kCols);
  init_weight(w, InitScheme::uniform, rng);
  const Stats s = stats(w);
  expect_centered_with_std(s, 1.0 / std::sqrt(3.0));
  EXPECT_GE(s.min, -1.0);
  EXPECT_LT(s.max, 1.0);
  EXPECT_LT(s.min, -0.999);
  EXPECT_GT(s.max, 0.999);
}

TEST(Init, GlorotUniformBoundUsesBothFans) {
  Rng rng = make_rng(5);
  MatrixD w(kRows, kCols);
  init_weight(w, InitScheme::glorot_uniform, rng);
  const double a = std::sqrt(6.0 / static_cast<double>(kRows + kCols));
  const Stats s = stats(w);
  expect_centered_with_std(s, a / std::sqrt(3.0));
  EXPECT_GE(s.min, -a);
  EXPECT_LE(s.max, a);
  EXPECT_LT(s.min, -0.999 * a);
  EXPECT_GT(s.max, 0.999 * a);
}

TEST(Init, TorchIsLinearsDefaultBoundOneOverSqrtFanIn) {
  Rng rng = make_rng(5);
  MatrixD w(kRows, kCols);
  init_weight(w, InitScheme::torch, rng);
  const double a = 1.0 / std::sqrt(static_cast<double>(kCols));
  const Stats s = stats(w);
  expect_centered_with_std(s, a / std::sqrt(3.0));
  EXPECT_GE(s.min, -a);
  EXPECT_LE(s.max, a);
  EXPECT_LT(s.min, -0.999 * a);
  EXPECT_GT(s.max, 0.999 * a);
}

TEST(Init, TorchInAnLstmIsOneOverSqrtHiddenForEveryBlockAsTorchNnLstm) {
  // input size 1: Linear's rule would give a bound of 1 for weight_ih; nn.LSTM uses 1/sqrt(H)
  Rng rng = make_rng(5);
  LstmOptions o;
  o.input_size = 1;
  o.hidden_size = 64;
  o.weight_ih_init = o.weight_hh_init = InitScheme::torch;
  Lstm<double> lstm(o, rng);
  const double a = 1.0 / 8.0;
  for (const auto* p : lstm.parameters()) {
    if (p->name.find("weight") == std::string::npos) continue;
    EXPECT_LE(p->value.cwiseAbs().maxCoeff(), a) << p->name;
    EXPECT_GT(p->value.cwiseAbs().maxCoeff(), 0.9 * a) << p->name;
  }
}

template <typename T>
void expect_orthogonal(Index rows, Index cols, double tol) {
  Rng rng = make_rng(6);
  Matrix<T> w(rows, cols);
  init_weight(w, InitScheme::orthogonal, rng);
  const Index k = std::min(rows, cols);
  // tall: orthonormal columns; wide: orthonormal rows
  const Matrix<T> gram = rows >= cols ? Matrix<T>(w.transpose() * w) : Matrix<T>(w * w.transpose());
  const std::string name = "gram " + std::to_string(rows) + "x" + std::to_string(cols);
  EXPECT_TENSOR_NEAR(name, gram, Matrix<T>::Identity(k, k), tol);
}

TEST(Init, OrthogonalHasOrthonormalColumnsOrRows) {
  expect_orthogonal<double>(48, 12, 1e-12);  // a (4H, H) recurrent weight, H = 12
  expect_orthogonal<double>(12, 48, 1e-12);
  expect_orthogonal<double>(30, 30, 1e-12);
  expect_orthogonal<float>(48, 12, 1e-5);
  expect_orthogonal<float>(12, 48, 1e-5);
}

// The QR and sign correction against torch.nn.init.orthogonal_ applied to the same Gaussian.
TEST(Init, OrthogonalizeMatchesTorch) {
  const TensorFile golden =
      TensorFile::load(std::string(BNLSTM_GOLDEN_DIR) + "/optim_orthogonal.safetensors");
  for (const char* shape : {"12x3", "3x7", "5x5"}) {
    MatrixD w = golden.matrix<double>(std::string(shape) + ".gaussian");
    orthogonalize(w);
    EXPECT_TENSOR_NEAR(std::string("orthogonal ") + shape, w,
                       golden.matrix<double>(std::string(shape) + ".orthogonal"), 1e-12);
    MatrixF wf = golden.matrix<float>(std::string(shape) + ".gaussian");
    orthogonalize(wf);
    EXPECT_TENSOR_NEAR(std::string("orthogonal float ") + shape, wf,
                       golden.matrix<double>(std::string(shape) + ".orthogonal"), 1e-6);
  }
}

TEST(Init, SameSeedSameWeightsDifferentSeedDifferentWeights) {
  for (const auto scheme :
       {InitScheme::random, InitScheme::xavier, InitScheme::he, InitScheme::uniform,
        InitScheme::glorot_uniform, InitScheme::orthogonal}) {
    Rng a = make_rng(42), b = make_rng(42), c = make_rng(43);
    MatrixD wa(8, 5), wb(8, 5), wc(8, 5);
    init_weight(wa, scheme, a);
    init_weight(wb, scheme, b);
    init_weight(wc, scheme, c);
    EXPECT_EQ(wa, wb) << to_string(scheme);
    EXPECT_GT((wa - wc).cwiseAbs().maxCoeff(), 1e-3) << to_string(scheme);
    // float draws the same samples, rounded
    Rng f = make_rng(42);
    MatrixF wf(8, 5);
    init_weight(wf, scheme, f);
    EXPECT_TENSOR_NEAR("float vs double " + to_string(scheme), wf, wa, 1e-6);
  }
}

}  // namespace
}  // namespace bnlstm
