// LayerNorm against torch.nn.LayerNorm (golden files from tools/golden_norm.py), finite
// differences, error paths and the state round trip.
#include "bnlstm/nn/layer_norm.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "bnlstm/core/error.hpp"
#include "bnlstm/io/safetensors.hpp"
#include "testing/compare.hpp"
#include "testing/gradcheck.hpp"
#include "testing/errors.hpp"
#include "testing/random.hpp"

namespace bnlstm {
namespace {

template <typename T>
constexpr double kRtol = sizeof(T) == 8 ? 1e-10 : 1e-5;

using testing::random_matrix;

// A (N, T, D) golden tensor is stored as (N, T*D); the layer sees its M rows of D.
template <typename T>
Matrix<T> rows_of(const TensorFile& f, const std::string& name, Index M, Index D) {
  Matrix<T> m = f.matrix<T>(name);
  return Eigen::Map<const Matrix<T>>(m.data(), M, D);
}

using testing::error_of;

template <typename T>
void run_golden_case(const TensorFile& f, const std::string& name) {
  const Index M = std::stol(f.metadata.at("M")), D = std::stol(f.metadata.at("D"));
  LayerNormOptions options;
  options.eps = std::stod(f.metadata.at("eps"));
  options.elementwise_affine = f.metadata.at("affine") == "1";
  const double rtol = kRtol<T>;
  LayerNorm<T> ln(D, options);
  if (options.elementwise_affine) {
    ln.weight().value = f.matrix<T>("weight0");
    ln.bias().value = f.matrix<T>("bias0");
  }
  const Matrix<T> x = rows_of<T>(f, "x", M, D);
  const Matrix<T> dy = rows_of<T>(f, "dy", M, D);
  Matrix<T> y, dx;
  ln.zero_grad();
  ln.forward(x, y);
  ln.backward(dy, dx);
  EXPECT_TENSOR_NEAR(name + "/y", y, rows_of<T>(f, "y", M, D), rtol);
  EXPECT_TENSOR_NEAR(name + "/dx", dx, rows_of<T>(f, "dx", M, D), rtol);
  if (options.elementwise_affine) {
    EXPECT_TENSOR_NEAR(name + "/dweight", ln.weight().grad, f.matrix<T>("dweight"), rtol);
    EXPECT_TENSOR_NEAR(name + "/dbias", ln.bias().grad, f.matrix<T>("dbias"), rtol);
  }
  // The kernel's row statistics, directly.
  std::vector<T> mean(M), rstd(M);
  Matrix<T> y2(M, D);
  layer_norm_forward<T>(y2.data(), mean.data(), rstd.data(), x.data(), nullptr, nullptr, M, D,
                        T(options.eps));
  using Map = Eigen::Map<const RowVector<T>>;
  EXPECT_TENSOR_NEAR(name + "/mean", Map(mean.data(), M), f.matrix<T>("mean"), rtol);
  EXPECT_TENSOR_NEAR(name + "/rstd", Map(rstd.data(), M), f.matrix<T>("rstd"), rtol);
  // Eval mode computes the same.
  ln.eval();
  Matrix<T> y3;
  ln.forward(x, y3);
  EXPECT_EQ(y3, y);
}

class LayerNormGolden : public ::testing::TestWithParam<std::string> {};

TEST_P(LayerNormGolden, MatchesTorch) {
  const TensorFile f =
      TensorFile::load(std::string(BNLSTM_GOLDEN_DIR) + "/norm_ln_" + GetParam() + ".safetensors");
  if (f.metadata.at("dtype") == "f64") {
    run_golden_case<double>(f, GetParam());
  } else {
    run_golden_case<float>(f, GetParam());
  }
}

INSTANTIATE_TEST_SUITE_P(Cases, LayerNormGolden,
                         ::testing::Values("1x2_f64", "2x3_f64", "7x5_f32", "3x4x5_f64",
                                           "16x33_f32", "5x64_f64_eps", "7x5_f64_no_affine",
                                           "3x4x5_f32_no_affine", "33x260_f32", "33x8_f64_offset",
                                           "9x17_f32_offset"),
                         [](const auto& info) { return info.param; });

TEST(LayerNormGoldenFiles, EveryFileIsListed) {
  int files = 0;
  for (const auto& e : std::filesystem::directory_iterator(BNLSTM_GOLDEN_DIR)) {
    if (e.path().filename().string().rfind("norm_ln_", 0) == 0) ++files;
  }
  EXPECT_EQ(files, 11);
}

TEST(LayerNorm, DefaultsAreTorchs) {
  const LayerNormOptions o;
  EXPECT_EQ(o.eps, 1e-5);
  EXPECT_TRUE(o.elementwise_affine);
  LayerNorm<float> ln(3);
  EXPECT_EQ(ln.weight().value, Matrix<float>::Ones(1, 3));
  EXPECT_EQ(ln.bias().value, Matrix<float>::Zero(1, 3));
}

// Finite differences (double), loss = sum(y * w): dx, dweight, dbias.
TEST(LayerNorm, GradientsMatchFiniteDifferences) {
  for (const Index D : {Index(1), Index(7), Index(40)}) {
    const Index M = 5;
    LayerNorm<double> ln(D);
    ln.weight().value = random_matrix<double>(1, D, 1, 1.0, 0.5);
    ln.bias().value = random_matrix<double>(1, D, 2);
    Matrix<double> x = random_matrix<double>(M, D, 3, 0.5, 2.0), y, dx;
    const Matrix<double> w = random_matrix<double>(M, D, 4);
    auto loss = [&] {
      Matrix<double> out;
      ln.forward(x, out);
      return out.cwiseProduct(w).sum();
    };
    ln.zero_grad();
    ln.forward(x, y);
    ln.backward(w, dx);
    const Matrix<double> dweight = ln.weight().grad, dbias = ln.bias().grad;
    const std::string s = "D=" + std::to_string(D);
    const Vector<double> ndx = testing::numeric_gradient(loss, x.data(), x.size());
    if (D == 1) {  // y = bias whatever x is: dx is zero up to rounding
      EXPECT_LT(dx.cwiseAbs().maxCoeff(), 1e-12);
      EXPECT_LT(ndx.cwiseAbs().maxCoeff(), 1e-12);
    } else {
      EXPECT_TENSOR_NEAR(s + " dx", dx.reshaped<Eigen::RowMajor>(), ndx, 1e-7);
    }
    EXPECT_TENSOR_NEAR(s + " dweight", dweight.reshaped<Eigen::RowMajor>(),
                       testing::numeric_gradient(loss, ln.weight().value.data(), D), 1e-7);
    EXPECT_TENSOR_NEAR(s + " dbias", dbias.reshaped<Eigen::RowMajor>(),
                       testing::numeric_gradient(loss, ln.bias().value.data(), D), 1e-7);
  }
}

TEST(LayerNorm, SingleValueRowsGiveBiasAndZeroGradient) {
  // D = 1: every value is its row's mean, so y = bias, dx = 0 and dweight = 0 (no NaN).
  LayerNorm<double> ln(1);
  ln.bias().value.setConstant(0.25);
  const Matrix<double> x = random_matrix<double>(4, 1, 1), dy = random_matrix<double>(4, 1, 2);
  Matrix<double> y, dx;
  ln.forward(x, y);
  ln.backward(dy, dx);
  EXPECT_EQ(y, Matrix<double>::Constant(4, 1, 0.25));
  EXPECT_LT(dx.cwiseAbs().maxCoeff(), 1e-12);
  EXPECT_EQ(ln.weight().grad(0, 0), 0.0);
  EXPECT_DOUBLE_EQ(ln.bias().grad(0, 0), dy.sum());
}

TEST(LayerNorm, GradientsAccumulateUntilZeroGrad) {
  LayerNorm<double> ln(4);
  const Matrix<double> x = random_matrix<double>(3, 4, 1), dy = random_matrix<double>(3, 4, 2);
  Matrix<double> y, dx;
  ln.forward(x, y);
  ln.backward(dy, dx);
  const Matrix<double> once = ln.weight().grad;
  ln.backward(dy, dx);
  EXPECT_TENSOR_NEAR("dweight twice", ln.weight().grad, 2 * once, 1e-15);
  ln.zero_grad();
  EXPECT_EQ(ln.weight().grad, Matrix<double>::Zero(1, 4));
  ASSERT_EQ(ln.parameters().size(), 2u);
  EXPECT_EQ(ln.parameters()[0]->name, "weight");
  EXPECT_TRUE(LayerNorm<double>(4, {.elementwise_affine = false}).parameters().empty());
}

// Inputs are Eigen::Refs: a Map (an LSTM's output view) is read in place, a block of some
// columns (rows not contiguous) works too; either way the results are the Matrix's.
TEST(LayerNorm, MapsAndColumnBlocksGiveTheMatrixResults) {
  const Matrix<double> x = random_matrix<double>(7, 6, 1, 0.5), dy = random_matrix<double>(7, 6, 2);
  Matrix<double> wide_x = random_matrix<double>(7, 9, 3), wide_dy = random_matrix<double>(7, 8, 4);
  wide_x.middleCols(3, 6) = x;
  wide_dy.middleCols(1, 6) = dy;
  LayerNorm<double> a(6), b(6), c(6);
  Matrix<double> ya, yb, yc, dxa, dxb, dxc;
  a.forward(x, ya);
  b.forward(ConstMatrixMap<double>(x.data(), 7, 6), yb);
  c.forward(wide_x.middleCols(3, 6), yc);
  EXPECT_EQ(yb, ya);
  EXPECT_EQ(yc, ya);
  a.backward(dy, dxa);
  b.backward(ConstMatrixMap<double>(dy.data(), 7, 6), dxb);
  c.backward(wide_dy.middleCols(1, 6), dxc);
  EXPECT_EQ(dxb, dxa);
  EXPECT_EQ(dxc, dxa);
  EXPECT_EQ(c.weight().grad, a.weight().grad);
}

TEST(LayerNorm, ShapeMismatchesAreErrors) {
  LayerNorm<float> ln(5);
  Matrix<float> y, dx;
  EXPECT_EQ(error_of([&] { ln.backward(Matrix<float>::Ones(2, 5), dx); }),
            "LayerNorm: backward() called before forward()");
  EXPECT_EQ(error_of([&] { ln.forward(Matrix<float>::Ones(2, 4), y); }),
            "LayerNorm(5): input has shape (2, 4), expected (M, 5)");
  ln.forward(Matrix<float>::Ones(2, 5), y);
  EXPECT_TRUE(y.allFinite());  // constant rows: var 0, y = bias, no NaN
  EXPECT_EQ(error_of([&] { ln.backward(Matrix<float>::Ones(3, 5), dx); }),
            "LayerNorm(5): gradient has shape (3, 5), expected (2, 5) as the last forward's input");
  EXPECT_EQ(error_of([] { LayerNorm<float> l(0); }),
            "LayerNorm: normalized size must be >= 1, got 0");
}

TEST(LayerNorm, StateRoundTripsExactly) {
  LayerNorm<float> a(6);
  a.weight().value = random_matrix<float>(1, 6, 1, 1.0);
  a.bias().value = random_matrix<float>(1, 6, 2);
  TensorFile file;
  a.save_state(file, "ln.");
  const TensorFile loaded = TensorFile::parse(file.serialize(), "ln.safetensors");
  LayerNorm<float> b(6);
  b.load_state(loaded, "ln.");
  EXPECT_EQ(b.weight().value, a.weight().value);
  EXPECT_EQ(b.bias().value, a.bias().value);
  const Matrix<float> x = random_matrix<float>(4, 6, 3);
  Matrix<float> ya, yb;
  a.forward(x, ya);
  b.forward(x, yb);
  EXPECT_EQ(ya, yb);
  LayerNorm<float> c(7);
  EXPECT_EQ(error_of([&] { c.load_state(loaded, "ln."); }),
            "ln.safetensors: tensor 'ln.weight' has shape [6], expected [7]");
  EXPECT_EQ(error_of([&] { b.load_state(loaded, "x."); }),
            "ln.safetensors: missing tensor 'x.weight'");
}

}  // namespace
}  // namespace bnlstm
