// Parameters by name (nn/parameter_io.hpp, Lstm/Linear::save_parameters/load_parameters) and the
// layers' checks of parameter shapes: a Parameter's value and grad are public Matrices, and a
// caller who assigns another shape gets an error naming it instead of an out-of-bounds read.
#include "bnlstm/nn/parameter_io.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <limits>
#include <string>

#include "bnlstm/io/safetensors.hpp"
#include "bnlstm/nn/batch_norm.hpp"
#include "bnlstm/nn/layer_norm.hpp"
#include "bnlstm/nn/linear.hpp"
#include "bnlstm/nn/lstm.hpp"
#include "testing/errors.hpp"
#include "testing/random.hpp"

namespace bnlstm {
namespace {

using testing::error_of;
using testing::random_matrix;

LstmOptions options_for(LstmNorm norm) {
  return {.input_size = 3, .hidden_size = 5, .norm = norm};
}

class LstmParametersByName : public ::testing::TestWithParam<LstmNorm> {};

// Saved, written to disk, loaded into an LSTM drawn from another seed: the same parameters and
// the same outputs, bit for bit.
TEST_P(LstmParametersByName, RoundTripThroughAFileGivesTheSameLayer) {
  Rng rng_a(1), rng_b(2);
  Lstm<double> a(options_for(GetParam()), rng_a), b(options_for(GetParam()), rng_b);
  TensorFile file;
  a.save_parameters(file);
  // one file per norm and process: ctest runs the three cases at once
  const auto path = std::filesystem::temp_directory_path() /
                    ("bnlstm_parameter_io_" + std::to_string(static_cast<int>(GetParam())) + "_" +
                     std::to_string(::getpid()) + ".safetensors");
  file.save(path);
  const TensorFile loaded = TensorFile::load(path);
  std::filesystem::remove(path);
  ASSERT_NE(b.weight_hh().value, a.weight_hh().value);
  b.load_parameters(loaded);
  const ParameterList<double> pa = a.parameters(), pb = b.parameters();
  for (size_t k = 0; k < pa.size(); ++k) EXPECT_EQ(pb[k]->value, pa[k]->value) << pa[k]->name;
  a.eval();
  b.eval();
  const Matrix<double> x = random_matrix<double>(4 * 2, 3, 7);
  const Matrix<double> ya = a.forward(x, 4);
  EXPECT_EQ(Matrix<double>(b.forward(x, 4)), ya);
}

INSTANTIATE_TEST_SUITE_P(Norms, LstmParametersByName,
                         ::testing::Values(LstmNorm::none, LstmNorm::batch, LstmNorm::layer),
                         [](const auto& info) { return to_string(info.param); });

TEST(ParameterIo, NamesArePrefixedAndShapesAreTheValues) {
  Rng rng(3);
  Lstm<float> lstm(options_for(LstmNorm::batch), rng);
  TensorFile file;
  save_parameters(file, lstm.parameters(), "model.");
  EXPECT_EQ(file.tensors.size(), 7u);
  EXPECT_EQ(file.get("model.lstm.weight_ih_l0").shape, (std::vector<int64_t>{20, 3}));
  EXPECT_EQ(file.get("model.lstm.norm_c.bias").shape, (std::vector<int64_t>{1, 5}));
  EXPECT_EQ(file.get("model.lstm.norm_c.bias").dtype, "F32");
  Rng other(4);
  Lstm<float> copy(options_for(LstmNorm::batch), other);
  load_parameters(file, copy.parameters(), "model.");
  EXPECT_EQ(copy.weight_ih().value, lstm.weight_ih().value);
}

// torch's state_dict stores biases and norm weights 1-D: (H) loads into a (1, H) parameter.
TEST(ParameterIo, OneRowParametersLoadFromOneDimensionalTensors) {
  Linear<double> head(4, 2, "head.");
  TensorFile file;
  const Matrix<double> w = random_matrix<double>(2, 4, 5);
  const double b[2] = {0.25, -1.5};
  file.put_matrix("head.weight", w);
  file.put<double>("head.bias", b, {2});
  head.load_parameters(file);
  EXPECT_EQ(head.weight().value, w);
  EXPECT_EQ(head.bias().value(0, 1), -1.5);
}

TEST(ParameterIo, BadTensorsAreNamedAndChangeNothing) {
  Rng rng(5);
  Lstm<double> lstm(options_for(LstmNorm::layer), rng);
  TensorFile file;
  file.source = "weights.safetensors";
  lstm.save_parameters(file);
  Rng other(6);
  Lstm<double> target(options_for(LstmNorm::layer), other);
  const Matrix<double> before = target.weight_ih().value;

  TensorFile wrong = file;
  const Matrix<double> small = Matrix<double>::Ones(3, 3);
  wrong.put_matrix("lstm.norm_hh.weight", small);
  EXPECT_EQ(error_of([&] { target.load_parameters(wrong); }),
            "weights.safetensors: tensor 'lstm.norm_hh.weight' has shape [3, 3], expected "
            "[1, 20] or [20]");
  wrong = file;
  wrong.put_matrix("lstm.weight_hh_l0", Matrix<double>::Ones(5, 20));  // transposed
  EXPECT_EQ(error_of([&] { target.load_parameters(wrong); }),
            "weights.safetensors: tensor 'lstm.weight_hh_l0' has shape [5, 20], expected [20, 5]");
  wrong = file;
  wrong.tensors.erase("lstm.bias_l0");
  EXPECT_EQ(error_of([&] { target.load_parameters(wrong); }),
            "weights.safetensors: missing tensor 'lstm.bias_l0'");
  wrong = file;
  Matrix<double> with_nan = lstm.weight_hh().value;
  with_nan(2, 4) = std::numeric_limits<double>::quiet_NaN();
  wrong.put_matrix("lstm.weight_hh_l0", with_nan);
  EXPECT_EQ(error_of([&] { target.load_parameters(wrong); }),
            "weights.safetensors: tensor 'lstm.weight_hh_l0' holds nan at row 2, column 4");
  // the first parameter would have loaded fine: still nothing changed
  EXPECT_EQ(target.weight_ih().value, before);
  EXPECT_EQ(error_of([&] { target.load_parameters(file, "other."); }),
            "weights.safetensors: missing tensor 'other.lstm.weight_ih_l0'");
}

// ---------------------------------------------------------------------------------------------
// Misshapen parameters: an error naming the parameter, never a read or write out of bounds.

TEST(ParameterShapes, LstmForwardAndBackwardNameAMisshapenParameter) {
  Rng rng(7);
  Lstm<float> lstm(options_for(LstmNorm::batch), rng);
  const Matrix<float> x = random_matrix<float>(2 * 3, 3, 8);
  lstm.weight_hh().value = Matrix<float>::Ones(3, 3);
  EXPECT_EQ(error_of([&] { lstm.forward(x, 2); }),
            "Lstm: parameter 'lstm.weight_hh_l0' has a value of shape (3, 3), expected (20, 5)");
  TensorFile file;
  EXPECT_EQ(error_of([&] { lstm.save_parameters(file); }),
            "Lstm: parameter 'lstm.weight_hh_l0' has a value of shape (3, 3), expected (20, 5)");
  lstm.weight_hh().value = Matrix<float>::Zero(20, 5);
  const Matrix<float> h = lstm.forward(x, 2);
  lstm.weight_ih().grad.resize(0, 0);
  EXPECT_EQ(error_of([&] { lstm.backward(Matrix<float>::Ones(h.rows(), h.cols())); }),
            "Lstm: parameter 'lstm.weight_ih_l0' has a gradient of shape (0, 0), expected (20, 3)");
}

TEST(ParameterShapes, NormLayersAndLinearNameAMisshapenParameter) {
  const Matrix<double> x = random_matrix<double>(4, 6, 9);
  Matrix<double> y, dx;
  BatchNorm1d<double> bn(6);
  bn.bias().value = Matrix<double>::Zero(1, 2);
  EXPECT_EQ(error_of([&] { bn.forward(x, y); }),
            "BatchNorm1d: parameter 'bias' has a value of shape (1, 2), expected (1, 6)");
  TensorFile state;
  EXPECT_EQ(error_of([&] { bn.save_state(state, "bn."); }),
            "BatchNorm1d: parameter 'bias' has a value of shape (1, 2), expected (1, 6)");
  // loading assigns the right shape back
  BatchNorm1d<double> good(6);
  good.save_state(state, "bn.");
  bn.load_state(state, "bn.");
  bn.forward(x, y);
  bn.weight().grad = Matrix<double>::Zero(6, 1);
  EXPECT_EQ(error_of([&] { bn.backward(x, dx); }),
            "BatchNorm1d: parameter 'weight' has a gradient of shape (6, 1), expected (1, 6)");

  LayerNorm<double> ln(6);
  ln.weight().value = Matrix<double>::Ones(1, 60);
  EXPECT_EQ(error_of([&] { ln.forward(x, y); }),
            "LayerNorm: parameter 'weight' has a value of shape (1, 60), expected (1, 6)");
  ln.weight().value = Matrix<double>::Ones(1, 6);
  ln.forward(x, y);
  ln.bias().grad.resize(0, 0);
  EXPECT_EQ(error_of([&] { ln.backward(x, dx); }),
            "LayerNorm: parameter 'bias' has a gradient of shape (0, 0), expected (1, 6)");

  Linear<double> linear(6, 2, "head.");
  linear.bias().value = Matrix<double>::Zero(1, 3);
  EXPECT_EQ(error_of([&] { linear.forward(x, y); }),
            "Linear: parameter 'head.bias' has a value of shape (1, 3), expected (1, 2)");
  linear.weight().value = Matrix<double>::Zero(2, 7);  // the layer's size stays (6 -> 2)
  EXPECT_EQ(linear.in_features(), 6);
  EXPECT_EQ(error_of([&] { linear.forward(x, y); }),
            "Linear: parameter 'head.weight' has a value of shape (2, 7), expected (2, 6)");
}

}  // namespace
}  // namespace bnlstm
