// BatchNorm1d against torch.nn.BatchNorm1d (golden files from tools/golden_norm.py), finite
// differences, error paths, state round trips and the kernels' accuracy and determinism.
#include "bnlstm/nn/batch_norm.hpp"

#include <gtest/gtest.h>
#include <omp.h>

#include <array>
#include <cmath>
#include <filesystem>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "bnlstm/core/error.hpp"
#include "bnlstm/io/safetensors.hpp"
#include "testing/compare.hpp"
#include "testing/errors.hpp"
#include "testing/gradcheck.hpp"
#include "testing/random.hpp"

namespace bnlstm {
namespace {

template <typename T>
constexpr double kRtol = sizeof(T) == 8 ? 1e-10 : 1e-5;

TensorFile golden(const std::string& name) {
  return TensorFile::load(std::string(BNLSTM_GOLDEN_DIR) + "/" + name);
}

long meta_int(const TensorFile& f, const std::string& key) {
  return std::stol(f.metadata.at(key));
}

using testing::random_matrix;

// ---------------------------------------------------------------------------------------------
// Golden files: every training step, then eval, compared tensor by tensor.

template <typename T>
void run_golden_case(const TensorFile& f, const std::string& name) {
  const Index N = meta_int(f, "N"), C = meta_int(f, "C"), L = meta_int(f, "L");
  // The "default_init" case is torch.nn.BatchNorm1d(C) as constructed: our defaults must match.
  const bool defaults = f.metadata.at("init") == "default";
  BatchNormOptions options;
  if (!defaults) {
    options.eps = std::stod(f.metadata.at("eps"));
    const std::string momentum = f.metadata.at("momentum");
    options.momentum =
        momentum == "none" ? std::nullopt : std::optional<double>(std::stod(momentum));
    options.affine = meta_int(f, "affine") != 0;
    options.track_running_stats = meta_int(f, "track_running_stats") != 0;
  }
  const bool accumulate = meta_int(f, "accumulate") != 0;
  const double rtol = kRtol<T>;
  // With two values per channel, dx = gamma * rstd * (dy1 - dy2) / 2 * eps / (var + eps) is what
  // is left of terms of size |gamma * rstd * dy| that cancel to a factor eps / var: no float
  // implementation (torch's neither) gets it to 1e-5 of itself. There the float error of dx is
  // measured against that natural scale instead.
  auto dx_rtol = [&](const std::string& s) {
    if (sizeof(T) == 8 || N * L != 2) return rtol;
    const Matrix<T> g = options.affine ? f.matrix<T>("weight0") : Matrix<T>::Ones(1, C);
    const double natural = double(g.cwiseAbs().maxCoeff()) *
                           double(f.matrix<T>("rstd" + s).maxCoeff()) *
                           double(f.matrix<T>("dy" + s).cwiseAbs().maxCoeff());
    return rtol * natural / double(f.matrix<T>("dx" + s).cwiseAbs().maxCoeff());
  };

  BatchNorm1d<T> bn = defaults ? BatchNorm1d<T>(C) : BatchNorm1d<T>(C, options);
  if (options.affine) {
    if (defaults) {
      EXPECT_EQ(bn.weight().value, f.matrix<T>("weight0"));
      EXPECT_EQ(bn.bias().value, f.matrix<T>("bias0"));
    }
    bn.weight().value = f.matrix<T>("weight0");
    bn.bias().value = f.matrix<T>("bias0");
  }
  if (options.track_running_stats) {
    EXPECT_EQ(bn.running_mean(), RowVector<T>::Zero(C));
    EXPECT_EQ(bn.running_var(), RowVector<T>::Ones(C));
  }
  Matrix<T> y, dx;
  std::vector<T> mean(C), var(C), rstd(C);
  auto step = [&](const std::string& s) {
    const Matrix<T> x = f.matrix<T>("x" + s), dy = f.matrix<T>("dy" + s);
    ASSERT_EQ(x.cols(), C * L);
    if (!accumulate || s == "_eval") bn.zero_grad();
    bn.forward(x, y, L);
    bn.backward(dy, dx);
    EXPECT_TENSOR_NEAR(name + "/y" + s, y, f.matrix<T>("y" + s), rtol);
    EXPECT_TENSOR_NEAR(name + "/dx" + s, dx, f.matrix<T>("dx" + s), dx_rtol(s));
    if (options.affine) {
      EXPECT_TENSOR_NEAR(name + "/dweight" + s, bn.weight().grad, f.matrix<T>("dweight" + s), rtol);
      EXPECT_TENSOR_NEAR(name + "/dbias" + s, bn.bias().grad, f.matrix<T>("dbias" + s), rtol);
    }
    if (options.track_running_stats) {
      EXPECT_TENSOR_NEAR(name + "/running_mean" + s, bn.running_mean(),
                         f.matrix<T>("running_mean" + s), rtol);
      EXPECT_TENSOR_NEAR(name + "/running_var" + s, bn.running_var(),
                         f.matrix<T>("running_var" + s), rtol);
      EXPECT_EQ(bn.num_batches_tracked(), f.scalar<int64_t>("num_batches_tracked" + s))
          << name << s;
    }
    // The kernel's batch statistics, directly.
    Matrix<T> y2(x.rows(), x.cols());
    batch_norm_forward_train(y2.data(), mean.data(), var.data(), rstd.data(), x.data(),
                             (const T*)nullptr, (const T*)nullptr, N, C, L, T(options.eps));
    using Map = Eigen::Map<const RowVector<T>>;
    EXPECT_TENSOR_NEAR(name + "/mean" + s, Map(mean.data(), C), f.matrix<T>("mean" + s), rtol);
    EXPECT_TENSOR_NEAR(name + "/var" + s, Map(var.data(), C), f.matrix<T>("var" + s), rtol);
    EXPECT_TENSOR_NEAR(name + "/rstd" + s, Map(rstd.data(), C), f.matrix<T>("rstd" + s), rtol);
  };
  for (long i = 0; i < meta_int(f, "steps"); ++i) step(std::to_string(i));
  bn.eval();
  step("_eval");
}

class BatchNormGolden : public ::testing::TestWithParam<std::string> {};

TEST_P(BatchNormGolden, MatchesTorch) {
  const TensorFile f = golden("norm_bn_" + GetParam() + ".safetensors");
  if (f.metadata.at("dtype") == "f64") {
    run_golden_case<double>(f, GetParam());
  } else {
    run_golden_case<float>(f, GetParam());
  }
}

INSTANTIATE_TEST_SUITE_P(Cases, BatchNormGolden,
                         ::testing::Values("2x1_f64", "2x3_f64", "2x3_f32", "7x5_f64_eps_momentum",
                                           "7x5_f32", "7x5_f64_default_init", "7x5_f64_no_affine",
                                           "7x5_f64_no_tracking", "3x4x5_f64_cma", "3x4x5_f32_cma",
                                           "3x4x5_f32_no_tracking_no_affine", "1x3x2_f64",
                                           "16x33x7_f32", "6x11x7_f64_cma_accumulate",
                                           "3x300_f64_eps_momentum", "5x300_f32", "2x300x3_f32",
                                           "40x9_f32_accumulate", "1024x3_f32_offset"),
                         [](const auto& info) { return info.param; });

TEST(BatchNormGoldenFiles, EveryFileIsListed) {
  // A golden file that no test reads would be a silent gap.
  int files = 0;
  for (const auto& e : std::filesystem::directory_iterator(BNLSTM_GOLDEN_DIR)) {
    const std::string n = e.path().filename().string();
    if (n.rfind("norm_bn_", 0) == 0) ++files;
  }
  EXPECT_EQ(files, 19 + 1);  // the cases above + the state_dict file
}

// torch's own state_dict (prefix "bn.", num_batches_tracked an int64 scalar) loads, and the layer
// then reproduces torch's eval and training outputs and the next running-stat update.
TEST(BatchNorm1d, LoadsTorchStateDict) {
  const TensorFile f = golden("norm_bn_state_dict.safetensors");
  BatchNorm1d<double> bn(4, {.momentum = std::nullopt});
  bn.load_state(f, "bn.");
  EXPECT_EQ(bn.num_batches_tracked(), 3);
  Matrix<double> y;
  bn.eval();
  bn.forward(f.matrix<double>("x"), y);
  EXPECT_TENSOR_NEAR("state_dict/y_eval", y, f.matrix<double>("y_eval"), 1e-12);
  bn.train();
  bn.forward(f.matrix<double>("x"), y);
  EXPECT_TENSOR_NEAR("state_dict/y_train", y, f.matrix<double>("y_train"), 1e-12);
  EXPECT_TENSOR_NEAR("state_dict/running_mean", bn.running_mean(),
                     f.matrix<double>("running_mean_after"), 1e-12);
  EXPECT_TENSOR_NEAR("state_dict/running_var", bn.running_var(),
                     f.matrix<double>("running_var_after"), 1e-12);
}

TEST(BatchNorm1d, DefaultsAreTorchs) {
  const BatchNormOptions o;
  EXPECT_EQ(o.eps, 1e-5);
  EXPECT_EQ(o.momentum, std::optional<double>(0.1));
  EXPECT_TRUE(o.affine);
  EXPECT_TRUE(o.track_running_stats);
  BatchNorm1d<float> bn(3);
  EXPECT_TRUE(bn.training());
  EXPECT_EQ(bn.num_batches_tracked(), 0);
}

// ---------------------------------------------------------------------------------------------
// Finite differences (double): loss = sum(y * w) for a random w, so dL/dy = w.

void check_gradients(bool training, Index L, const std::string& name) {
  const Index N = 4, C = 3;
  BatchNorm1d<double> bn(C, {.momentum = 0.5});
  bn.weight().value = random_matrix<double>(1, C, 1, 1.0, 0.5);
  bn.bias().value = random_matrix<double>(1, C, 2);
  Matrix<double> x = random_matrix<double>(N, C * L, 3, 0.5, 2.0), y, dx;
  // Non-trivial running statistics for eval mode.
  for (uint64_t s = 10; s < 13; ++s) bn.forward(random_matrix<double>(N, C * L, s, 1.0, 3.0), y, L);
  bn.train(training);
  const Matrix<double> w = random_matrix<double>(N, C * L, 4);
  auto loss = [&] {
    Matrix<double> out;
    bn.forward(x, out, L);
    return out.cwiseProduct(w).sum();
  };
  bn.zero_grad();
  bn.forward(x, y, L);
  bn.backward(w, dx);
  const Matrix<double> dweight = bn.weight().grad, dbias = bn.bias().grad;
  const Vector<double> ndx = testing::numeric_gradient(loss, x.data(), x.size());
  const Vector<double> ndw = testing::numeric_gradient(loss, bn.weight().value.data(), C);
  const Vector<double> ndb = testing::numeric_gradient(loss, bn.bias().value.data(), C);
  EXPECT_TENSOR_NEAR(name + "/dx", dx.reshaped<Eigen::RowMajor>(), ndx, 1e-7);
  EXPECT_TENSOR_NEAR(name + "/dweight", dweight.reshaped<Eigen::RowMajor>(), ndw, 1e-7);
  EXPECT_TENSOR_NEAR(name + "/dbias", dbias.reshaped<Eigen::RowMajor>(), ndb, 1e-7);
}

TEST(BatchNorm1d, GradientsMatchFiniteDifferencesTrainingNC) {
  check_gradients(true, 1, "train L=1");
}
TEST(BatchNorm1d, GradientsMatchFiniteDifferencesTrainingNCL) {
  check_gradients(true, 5, "train L=5");
}
TEST(BatchNorm1d, GradientsMatchFiniteDifferencesEvalNC) {
  check_gradients(false, 1, "eval L=1");
}
TEST(BatchNorm1d, GradientsMatchFiniteDifferencesEvalNCL) {
  check_gradients(false, 5, "eval L=5");
}

TEST(BatchNorm1d, GradientsAccumulateUntilZeroGrad) {
  BatchNorm1d<double> bn(3);
  const Matrix<double> x = random_matrix<double>(5, 3, 1), dy = random_matrix<double>(5, 3, 2);
  Matrix<double> y, dx;
  bn.forward(x, y);
  bn.backward(dy, dx);
  const Matrix<double> once = bn.weight().grad, once_b = bn.bias().grad;
  EXPECT_GT(once.norm(), 0);
  bn.backward(dy, dx);
  EXPECT_TENSOR_NEAR("dweight twice", bn.weight().grad, 2 * once, 1e-15);
  EXPECT_TENSOR_NEAR("dbias twice", bn.bias().grad, 2 * once_b, 1e-15);
  bn.zero_grad();
  EXPECT_EQ(bn.weight().grad, Matrix<double>::Zero(1, 3));
  EXPECT_EQ(bn.bias().grad, Matrix<double>::Zero(1, 3));
  ASSERT_EQ(bn.parameters().size(), 2u);
  EXPECT_EQ(bn.parameters()[0]->name, "weight");
  EXPECT_EQ(bn.parameters()[1]->name, "bias");
  EXPECT_TRUE(BatchNorm1d<double>(3, {.affine = false}).parameters().empty());
}

// Without its copy of x, the layer computes the same bits from the caller's x.
TEST(BatchNorm1d, CopyInputOffGivesTheSameResultsFromTheCallersInput) {
  for (const bool training : {true, false}) {
    for (const Index L : {Index{1}, Index{3}}) {
      SCOPED_TRACE(::testing::Message() << "training " << training << ", L " << L);
      const Index N = 33, C = 70;
      BatchNorm1d<float> kept(C), given(C, {.copy_input = false});
      for (auto* bn : {&kept, &given}) {
        bn->weight().value = random_matrix<float>(1, C, 1, 1.0, 0.5);
        bn->bias().value = random_matrix<float>(1, C, 2);
        bn->train(training);
      }
      Matrix<float> y1, y2, dx1, dx2;
      for (uint64_t s = 3; s < 6; ++s) {
        const Matrix<float> x = random_matrix<float>(N, C * L, s, 0.5, 2.0);
        const Matrix<float> dy = random_matrix<float>(N, C * L, s + 10);
        kept.forward(x, y1, L);
        given.forward(x, y2, L);
        kept.backward(dy, dx1);
        given.backward(x, dy, dx2);
        EXPECT_EQ(y1, y2);
        EXPECT_EQ(dx1, dx2);
      }
      EXPECT_EQ(kept.weight().grad, given.weight().grad);
      EXPECT_EQ(kept.bias().grad, given.bias().grad);
      EXPECT_EQ(kept.running_mean(), given.running_mean());
      EXPECT_EQ(kept.running_var(), given.running_var());
      EXPECT_GT(dx1.norm(), 0);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Errors

using testing::error_of;

TEST(BatchNorm1d, SingleValuePerChannelInTrainingIsAnError) {
  BatchNorm1d<float> bn(3);
  Matrix<float> y;
  const Matrix<float> x = Matrix<float>::Ones(1, 3);
  EXPECT_EQ(error_of([&] { bn.forward(x, y); }),
            "Expected more than 1 value per channel when training, got input size (1, 3)");
  // Nothing changed, and a (1, C, L > 1) batch is fine.
  EXPECT_EQ(bn.num_batches_tracked(), 0);
  EXPECT_EQ(bn.running_mean(), RowVector<float>::Zero(3));
  EXPECT_EQ(error_of([&] { bn.backward(x, y); }),
            "BatchNorm1d: backward() called before forward()");
  bn.forward(random_matrix<float>(1, 6, 1), y, 2);
  EXPECT_TRUE(y.allFinite());
  // The kernel says the same.
  float m[3], v[3], r[3], out[3];
  EXPECT_EQ(error_of([&] {
              batch_norm_forward_train<float>(out, m, v, r, x.data(), nullptr, nullptr, 1, 3, 1,
                                              1e-5f);
            }),
            "Expected more than 1 value per channel when training, got input size (1, 3)");
  // Eval mode uses the running statistics: one sample is fine...
  bn.eval();
  bn.forward(x, y);
  EXPECT_TRUE(y.allFinite());
  // ...unless there are none (track_running_stats off), as in torch.
  BatchNorm1d<float> untracked(3, {.track_running_stats = false});
  untracked.eval();
  EXPECT_EQ(error_of([&] { untracked.forward(x, y); }),
            "Expected more than 1 value per channel when training, got input size (1, 3)");
}

TEST(BatchNorm1d, ShapeMismatchesAreErrors) {
  BatchNorm1d<double> bn(5);
  Matrix<double> y, dx;
  EXPECT_EQ(error_of([&] { bn.forward(Matrix<double>::Ones(4, 3), y); }),
            "BatchNorm1d(5): input has shape (4, 3), expected (N, 5)");
  EXPECT_EQ(error_of([&] { bn.forward(Matrix<double>::Ones(4, 12), y, 3); }),
            "BatchNorm1d(5): input has shape (4, 12), expected (N, C * L) = (N, 15) for L = 3");
  EXPECT_EQ(error_of([&] { bn.forward(Matrix<double>::Ones(4, 5), y, 0); }),
            "BatchNorm1d(5): L must be >= 1, got 0");
  bn.forward(random_matrix<double>(4, 10, 1), y, 2);
  EXPECT_EQ(
      error_of([&] { bn.backward(Matrix<double>::Ones(4, 5), dx); }),
      "BatchNorm1d(5): gradient has shape (4, 5), expected (4, 10) as the last forward's input");
  EXPECT_EQ(
      error_of([&] { bn.backward(Matrix<double>::Ones(4, 5), Matrix<double>::Ones(4, 10), dx); }),
      "BatchNorm1d(5): input has shape (4, 5), expected (4, 10) as in the last forward");
  BatchNorm1d<double> uncopied(5, {.copy_input = false});
  uncopied.forward(random_matrix<double>(4, 5, 1), y);
  EXPECT_EQ(error_of([&] { uncopied.backward(Matrix<double>::Ones(4, 5), dx); }),
            "BatchNorm1d(5): copy_input is off, so backward needs the forward's input: call "
            "backward(x, dy, dx)");
  EXPECT_EQ(error_of([] { BatchNorm1d<float> b(0); }),
            "BatchNorm1d: num_features must be >= 1, got 0");
  EXPECT_EQ(error_of([] { BatchNorm1d<float> b(2, {.eps = 0}); }),
            "BatchNorm1d: eps must be > 0, got 0");
  EXPECT_EQ(error_of([] { BatchNorm1d<float> b(2, {.momentum = 1.5}); }),
            "BatchNorm1d: momentum must be in [0, 1], got 1.5");
}

// Inputs are Eigen::Refs: a Map (an LSTM's output view) is read in place, a block of some
// columns (rows not contiguous) is gathered first; either way the results are the Matrix's.
TEST(BatchNorm1d, MapsAndColumnBlocksGiveTheMatrixResults) {
  const Matrix<float> x = random_matrix<float>(9, 10, 1, 0.5), dy = random_matrix<float>(9, 10, 2);
  Matrix<float> wide_x = random_matrix<float>(9, 13, 3), wide_dy = random_matrix<float>(9, 13, 4);
  wide_x.middleCols(2, 10) = x;
  wide_dy.middleCols(1, 10) = dy;
  for (const bool copy_input : {true, false}) {
    BatchNorm1d<float> a(5, {.copy_input = copy_input}), b(5, {.copy_input = copy_input}),
        c(5, {.copy_input = copy_input});
    Matrix<float> ya, yb, yc, dxa, dxb, dxc;
    a.forward(x, ya, 2);
    b.forward(ConstMatrixMap<float>(x.data(), 9, 10), yb, 2);
    c.forward(wide_x.middleCols(2, 10), yc, 2);
    EXPECT_EQ(yb, ya);
    EXPECT_EQ(yc, ya);
    a.backward(x, dy, dxa);
    b.backward(ConstMatrixMap<float>(x.data(), 9, 10), ConstMatrixMap<float>(dy.data(), 9, 10),
               dxb);
    c.backward(wide_x.middleCols(2, 10), wide_dy.middleCols(1, 10), dxc);
    EXPECT_EQ(dxb, dxa);
    EXPECT_EQ(dxc, dxa);
    EXPECT_EQ(c.weight().grad, a.weight().grad);
    EXPECT_EQ(c.bias().grad, a.bias().grad);
  }
}

// ---------------------------------------------------------------------------------------------
// Saving and restoring state

TEST(BatchNorm1d, StateRoundTripsExactly) {
  const BatchNormOptions options{.momentum = std::nullopt};
  BatchNorm1d<float> a(6, options);
  a.weight().value = random_matrix<float>(1, 6, 1, 1.0);
  a.bias().value = random_matrix<float>(1, 6, 2);
  Matrix<float> y;
  for (uint64_t s = 3; s < 6; ++s) a.forward(random_matrix<float>(8, 18, s, 2.0), y, 3);
  TensorFile file;
  a.save_state(file, "layers.0.");
  EXPECT_EQ(file.get("layers.0.weight").shape, std::vector<int64_t>{6});
  EXPECT_EQ(file.get("layers.0.weight").dtype, "F32");
  EXPECT_EQ(file.get("layers.0.num_batches_tracked").dtype, "I64");
  EXPECT_EQ(file.get("layers.0.num_batches_tracked").shape, std::vector<int64_t>{});
  const auto path = std::filesystem::temp_directory_path() / "bnlstm_batch_norm_state.safetensors";
  file.save(path);
  const TensorFile loaded = TensorFile::load(path);
  std::filesystem::remove(path);

  BatchNorm1d<float> b(6, options);  // fresh: gamma 1, beta 0, running stats 0 / 1, count 0
  b.load_state(loaded, "layers.0.");
  EXPECT_EQ(b.weight().value, a.weight().value);
  EXPECT_EQ(b.bias().value, a.bias().value);
  EXPECT_EQ(b.running_mean(), a.running_mean());
  EXPECT_EQ(b.running_var(), a.running_var());
  EXPECT_EQ(b.num_batches_tracked(), 3);
  // Identical eval and training outputs (the latter needs gamma/beta, the former running stats),
  // and the same next running-stat update (which needs num_batches_tracked with momentum unset).
  const Matrix<float> x = random_matrix<float>(8, 18, 9, -1.0);
  Matrix<float> ya, yb;
  a.eval();
  b.eval();
  a.forward(x, ya, 3);
  b.forward(x, yb, 3);
  EXPECT_EQ(ya, yb);
  a.train();
  b.train();
  a.forward(x, ya, 3);
  b.forward(x, yb, 3);
  EXPECT_EQ(ya, yb);
  EXPECT_EQ(b.running_mean(), a.running_mean());
  EXPECT_EQ(b.running_var(), a.running_var());
  EXPECT_EQ(b.num_batches_tracked(), 4);
}

TEST(BatchNorm1d, LoadStateNamesMissingOrMisshapenTensors) {
  BatchNorm1d<double> a(4);
  TensorFile file;
  file.source = "ckpt.safetensors";
  a.save_state(file, "bn.");
  BatchNorm1d<double> b(5);
  EXPECT_EQ(error_of([&] { b.load_state(file, "bn."); }),
            "ckpt.safetensors: tensor 'bn.weight' has shape [4], expected [5]");
  EXPECT_EQ(error_of([&] { a.load_state(file, "other."); }),
            "ckpt.safetensors: missing tensor 'other.weight'");
  file.tensors.erase("bn.running_var");
  BatchNorm1d<double> c(4);
  c.weight().value.setConstant(7);
  EXPECT_EQ(error_of([&] { c.load_state(file, "bn."); }),
            "ckpt.safetensors: missing tensor 'bn.running_var'");
  EXPECT_EQ(c.weight().value, Matrix<double>::Constant(1, 4, 7));  // unchanged on error
  // Without affine or tracking only the tensors that exist are saved and required.
  BatchNorm1d<double> bare(4, {.affine = false, .track_running_stats = false});
  TensorFile empty;
  bare.save_state(empty, "bn.");
  EXPECT_TRUE(empty.tensors.empty());
  bare.load_state(empty, "bn.");
}

// ---------------------------------------------------------------------------------------------
// Kernels: accuracy at large N in float, many tiles, determinism.

// Batch statistics in long double, the reference for the large-N checks.
template <typename T>
void reference_stats(std::vector<long double>& mean, std::vector<long double>& var,
                     const Matrix<T>& x) {
  const Index N = x.rows(), C = x.cols();
  mean.assign(C, 0);
  var.assign(C, 0);
  for (Index n = 0; n < N; ++n)
    for (Index c = 0; c < C; ++c) mean[c] += x(n, c);
  for (Index c = 0; c < C; ++c) mean[c] /= N;
  for (Index n = 0; n < N; ++n)
    for (Index c = 0; c < C; ++c) var[c] += (x(n, c) - mean[c]) * (x(n, c) - mean[c]);
  for (Index c = 0; c < C; ++c) var[c] /= N;
}

TEST(BatchNormKernels, FloatStatisticsStayAccurateForLargeN) {
  // |mean| = 100 std: summing x and x^2 in float would lose every digit of the variance.
  const Index N = 200000, C = 3;
  const Matrix<float> x = random_matrix<float>(N, C, 7, 100.0, 1.0);
  std::vector<long double> rm, rv;
  reference_stats(rm, rv, x);
  std::vector<float> mean(C), var(C), rstd(C);
  Matrix<float> y(N, C);
  batch_norm_forward_train<float>(y.data(), mean.data(), var.data(), rstd.data(), x.data(), nullptr,
                                  nullptr, N, C, 1, 1e-5f);
  for (Index c = 0; c < C; ++c) {
    EXPECT_NEAR(mean[c], double(rm[c]), 1e-7 * 100) << c;  // float rounding of the mean itself
    EXPECT_NEAR(var[c], double(rv[c]), 1e-6 * double(rv[c])) << c;
  }
}

TEST(BatchNormKernels, FloatMatchesDoubleAcrossManyTiles) {
  // N large enough that channels are processed in several L2-sized tiles, C not a multiple of them.
  for (const auto& shape : std::vector<std::array<Index, 3>>{{4096, 300, 1}, {300, 70, 9}}) {
    const Index N = shape[0], C = shape[1], L = shape[2];  // (clang 14 cannot capture bindings)
    const Matrix<double> xd = random_matrix<double>(N, C * L, 11, 0.5, 2.0);
    const Matrix<double> dyd = random_matrix<double>(N, C * L, 12);
    const Matrix<double> gd = random_matrix<double>(1, C, 13, 1.0),
                         bd = random_matrix<double>(1, C, 14);
    auto run = [&](auto zero) {
      using T = decltype(zero);
      const Matrix<T> x = xd.cast<T>(), dy = dyd.cast<T>(), g = gd.cast<T>(), b = bd.cast<T>();
      Matrix<T> y(N, C * L), dx(N, C * L), stats(3, C), grads = Matrix<T>::Zero(2, C);
      batch_norm_forward_train(y.data(), stats.row(0).data(), stats.row(1).data(),
                               stats.row(2).data(), x.data(), g.data(), b.data(), N, C, L, T(1e-5));
      batch_norm_backward(dx.data(), grads.row(0).data(), grads.row(1).data(), dy.data(), x.data(),
                          stats.row(0).data(), stats.row(2).data(), g.data(), N, C, L);
      return std::tuple<Matrix<T>, Matrix<T>, Matrix<T>>(y, dx, grads);
    };
    const auto [yf, dxf, gf] = run(0.0f);
    const auto [ydd, dxd, gdd] = run(0.0);
    const std::string s =
        "N=" + std::to_string(N) + " C=" + std::to_string(C) + " L=" + std::to_string(L);
    EXPECT_TENSOR_NEAR(s + " y", yf, ydd, 1e-6);
    EXPECT_TENSOR_NEAR(s + " dx", dxf, dxd, 1e-6);
    EXPECT_TENSOR_NEAR(s + " dgamma,dbeta", gf, gdd, 1e-6);
  }
}

TEST(BatchNormKernels, ResultsDoNotDependOnAlignment) {
  // Same values at two addresses with different alignment: bit-identical outputs.
  for (const Index L : {Index(1), Index(13)}) {
    const Index N = 100, C = 37;
    const Matrix<float> x = random_matrix<float>(N, C * L, 21),
                        dy = random_matrix<float>(N, C * L, 22);
    std::vector<float> buf(N * C * L + 1), dbuf(N * C * L + 1);
    std::copy(x.data(), x.data() + x.size(), buf.begin() + 1);
    std::copy(dy.data(), dy.data() + dy.size(), dbuf.begin() + 1);
    auto run = [&](const float* xp, const float* dyp) {
      std::vector<float> y(N * C * L), dx(N * C * L), stats(3 * C), grads(2 * C, 0.f);
      batch_norm_forward_train<float>(y.data(), &stats[0], &stats[C], &stats[2 * C], xp, nullptr,
                                      nullptr, N, C, L, 1e-5f);
      batch_norm_backward<float>(dx.data(), &grads[0], &grads[C], dyp, xp, &stats[0], &stats[2 * C],
                                 nullptr, N, C, L);
      y.insert(y.end(), dx.begin(), dx.end());
      y.insert(y.end(), stats.begin(), stats.end());
      y.insert(y.end(), grads.begin(), grads.end());
      return y;
    };
    EXPECT_EQ(run(x.data(), dy.data()), run(buf.data() + 1, dbuf.data() + 1)) << "L=" << L;
  }
}

TEST(BatchNormKernels, ResultsDoNotDependOnTheThreadCount) {
  // Large enough for any parallel split; the same bits with 1 thread and with 3.
  struct Shape {
    Index N, C, L;
  };
  for (const Shape s : {Shape{20000, 64, 1}, Shape{3000, 300, 1}, Shape{64, 50, 40}}) {
    const Index n = s.N * s.C * s.L;
    const Matrix<float> x = random_matrix<float>(1, n, 31, 0.5, 2.0),
                        dy = random_matrix<float>(1, n, 32);
    const Matrix<float> g = random_matrix<float>(1, s.C, 33, 1.0),
                        b = random_matrix<float>(1, s.C, 34);
    auto run = [&](int threads) {
      const int saved = omp_get_max_threads();
      omp_set_num_threads(threads);
      std::vector<float> y(n), dx(n), dx_eval(n), y_eval(n), stats(3 * s.C), grads(4 * s.C, 0.f);
      float* mean = &stats[0];
      float* var = &stats[s.C];
      float* rstd = &stats[2 * s.C];
      batch_norm_forward_train(y.data(), mean, var, rstd, x.data(), g.data(), b.data(), s.N, s.C,
                               s.L, 1e-5f);
      batch_norm_backward(dx.data(), &grads[0], &grads[s.C], dy.data(), x.data(), mean, rstd,
                          g.data(), s.N, s.C, s.L);
      batch_norm_forward_eval(y_eval.data(), x.data(), mean, var, g.data(), b.data(), s.N, s.C, s.L,
                              1e-5f);
      batch_norm_backward_eval(dx_eval.data(), &grads[2 * s.C], &grads[3 * s.C], dy.data(),
                               x.data(), mean, rstd, g.data(), s.N, s.C, s.L);
      omp_set_num_threads(saved);
      for (const auto* v : {&dx, &dx_eval, &y_eval, &stats, &grads})
        y.insert(y.end(), v->begin(), v->end());
      return y;
    };
    EXPECT_EQ(run(1), run(3)) << "N=" << s.N << " C=" << s.C << " L=" << s.L;
  }
}

}  // namespace
}  // namespace bnlstm
