// Lstm against PyTorch: references written by tools/golden_lstm.py (explicit cells with torch ops
// and autograd in float64; per-step F.batch_norm; F.layer_norm; torch.nn.LSTM itself).
// GCC 12 with AVX-512 reports a false -Wmaybe-uninitialized inside Eigen's vectorized
// reductions and gemm packing (fixed in GCC 13); it is not about this file's code.
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ < 13
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "bnlstm/io/safetensors.hpp"
#include "bnlstm/nn/lstm.hpp"
#include "testing/compare.hpp"

namespace bnlstm {
namespace {

const std::filesystem::path kGolden = BNLSTM_GOLDEN_DIR;

std::string short_name(const std::string& name) { return name.substr(name.find('.') + 1); }

// An Lstm with the golden file's sizes and parameters (stored under their short names).
template <typename T>
Lstm<T> make_lstm(const TensorFile& f, LstmNorm norm, std::optional<double> momentum = 0.1) {
  LstmOptions o;
  o.input_size = std::stol(f.metadata.at("I"));
  o.hidden_size = std::stol(f.metadata.at("H"));
  o.norm = norm;
  o.momentum = momentum;
  Rng rng(1);
  Lstm<T> lstm(o, rng);
  for (Parameter<T>* p : lstm.parameters()) {
    p->value = f.matrix<T>(short_name(p->name));
    p->zero_grad();
  }
  return lstm;
}

template <typename T>
Matrix<T> scalar_matrix(T v) {
  return Matrix<T>::Constant(1, 1, v);
}

// Forward, loss = Σ p_out ⊙ output + Σ p_h ⊙ h_n + Σ p_c ⊙ c_n, backward; everything compared.
// pass_state: forward gets h0, c0 (also for the zero-state cases, as explicit zeros); otherwise
// nullptr, where grad_h0 is not computed.
template <typename T>
void check_case(const std::string& file, double rtol_out, double rtol_grad, bool pass_state) {
  SCOPED_TRACE(file + (pass_state ? " (h0, c0 passed)" : " (default zero state)"));
  const TensorFile f = TensorFile::load(kGolden / file);
  const LstmNorm norm = parse_lstm_norm(f.metadata.at("norm"));
  const Index L = std::stol(f.metadata.at("L"));
  const bool given = f.metadata.at("given_state") == "1" || pass_state;
  Lstm<T> lstm = make_lstm<T>(f, norm);
  const Matrix<T> x = f.matrix<T>("x"), h0 = f.matrix<T>("h0"), c0 = f.matrix<T>("c0");
  const Matrix<T> p_out = f.matrix<T>("p_out"), p_h = f.matrix<T>("p_h"), p_c = f.matrix<T>("p_c");

  const ConstMatrixMap<T> out = lstm.forward(x, L, given ? &h0 : nullptr, given ? &c0 : nullptr);
  EXPECT_TENSOR_NEAR("output", out, f.matrix<T>("output"), rtol_out);
  EXPECT_TENSOR_NEAR("h_n", lstm.h_n(), f.matrix<T>("h_n"), rtol_out);
  EXPECT_TENSOR_NEAR("c_n", lstm.c_n(), f.matrix<T>("c_n"), rtol_out);
  const T loss = (p_out.array() * out.array()).sum() + (p_h.array() * lstm.h_n().array()).sum() +
                 (p_c.array() * lstm.c_n().array()).sum();
  EXPECT_TENSOR_NEAR("loss", scalar_matrix(loss), f.matrix<T>("loss"), rtol_out);

  const ConstMatrixMap<T> dx = lstm.backward(p_out, &p_h, &p_c);
  EXPECT_TENSOR_NEAR("grad.x", dx, f.matrix<T>("grad.x"), rtol_grad);
  if (given) EXPECT_TENSOR_NEAR("grad.h0", lstm.grad_h0(), f.matrix<T>("grad.h0"), rtol_grad);
  else EXPECT_EQ(lstm.grad_h0().rows(), 0);
  EXPECT_TENSOR_NEAR("grad.c0", lstm.grad_c0(), f.matrix<T>("grad.c0"), rtol_grad);
  for (Parameter<T>* p : lstm.parameters()) {
    const std::string name = "grad." + short_name(p->name);
    EXPECT_TENSOR_NEAR(name, p->grad, f.matrix<T>(name), rtol_grad);
  }
  if (norm == LstmNorm::batch) {
    // one training forward: every step's running statistics moved by its own batch statistics
    const RecurrentBatchNorm<T>* bns[3] = {lstm.norm_ih(), lstm.norm_hh(), lstm.norm_c()};
    const char* keys[3] = {"norm_ih.", "norm_hh.", "norm_c."};
    for (int k = 0; k < 3; ++k) {
      ASSERT_EQ(bns[k]->steps_seen(), L);
      EXPECT_TENSOR_NEAR(std::string(keys[k]) + "running_mean", bns[k]->running_mean(),
                         f.matrix<T>(std::string(keys[k]) + "running_mean"), rtol_out);
      EXPECT_TENSOR_NEAR(std::string(keys[k]) + "running_var", bns[k]->running_var(),
                         f.matrix<T>(std::string(keys[k]) + "running_var"), rtol_out);
    }
  }
}

class LstmGolden : public ::testing::TestWithParam<std::string> {};

TEST_P(LstmGolden, DoubleMatchesTorchOutputsLossAndAllGradients) {
  check_case<double>(GetParam(), 1e-9, 1e-9, true);
  check_case<double>(GetParam(), 1e-9, 1e-9, false);
}

TEST_P(LstmGolden, FloatMatchesTorchToFloatPrecision) {
  check_case<float>(GetParam(), 1e-5, 1e-4, true);
  check_case<float>(GetParam(), 1e-5, 1e-4, false);
}

INSTANTIATE_TEST_SUITE_P(Cases, LstmGolden,
                         ::testing::Values("lstm_none_L1_N2_I3_H5.safetensors", "lstm_none_L7_N2_I3_H13.safetensors",
                                           "lstm_batch_L1_N2_I3_H5.safetensors",
                                           "lstm_batch_L7_N2_I3_H13.safetensors",
                                           "lstm_batch_L7_N3_I2_H5.safetensors", "lstm_layer_L1_N2_I3_H5.safetensors",
                                           "lstm_layer_L7_N2_I3_H13.safetensors"),
                         [](const auto& info) {
                           std::string s = info.param.substr(5, info.param.find('.') - 5);
                           return s;
                         });

// Training batches of lengths 3, 4, 2 (different data), then eval on 7 steps: steps 4..6 reuse
// step 3's running statistics.
void check_running(const std::string& file, std::optional<double> momentum) {
  SCOPED_TRACE(file);
  const TensorFile f = TensorFile::load(kGolden / file);
  Lstm<double> lstm = make_lstm<double>(f, LstmNorm::batch, momentum);
  const Index lengths[3] = {3, 4, 2};
  lstm.train();
  for (int k = 0; k < 3; ++k) {
    const std::string key = "train" + std::to_string(k) + ".";
    EXPECT_TENSOR_NEAR(key + "output", lstm.forward(f.matrix<double>(key + "x"), lengths[k]),
                       f.matrix<double>(key + "output"), 1e-9);
  }
  const RecurrentBatchNorm<double>* bns[3] = {lstm.norm_ih(), lstm.norm_hh(), lstm.norm_c()};
  const char* keys[3] = {"norm_ih.", "norm_hh.", "norm_c."};
  for (int k = 0; k < 3; ++k) {
    const std::string key = keys[k];
    ASSERT_EQ(bns[k]->steps_seen(), 4);
    EXPECT_TENSOR_NEAR(key + "running_mean", bns[k]->running_mean(), f.matrix<double>(key + "running_mean"), 1e-9);
    EXPECT_TENSOR_NEAR(key + "running_var", bns[k]->running_var(), f.matrix<double>(key + "running_var"), 1e-9);
    EXPECT_EQ(bns[k]->num_batches_tracked(), (std::vector<int64_t>{3, 3, 2, 1}));
  }
  lstm.eval();
  const Matrix<double> x = f.matrix<double>("eval.x");
  EXPECT_TENSOR_NEAR("eval.output", lstm.forward(x, 7), f.matrix<double>("eval.output"), 1e-9);
  EXPECT_TENSOR_NEAR("eval.h_n", lstm.h_n(), f.matrix<double>("eval.h_n"), 1e-9);
  EXPECT_TENSOR_NEAR("eval.c_n", lstm.c_n(), f.matrix<double>("eval.c_n"), 1e-9);
}

TEST(LstmGoldenRunning, PerStepStatisticsTrainThenEvalBeyondTrainingLength) {
  check_running("lstm_batch_running.safetensors", 0.1);
}

TEST(LstmGoldenRunning, CumulativeAverageWhenMomentumUnset) {
  check_running("lstm_batch_running_cma.safetensors", std::nullopt);
}

// torch.nn.LSTM's own state_dict loads one to one into norm=none.
TEST(LstmGoldenTorchModule, StateDictLoadsAndReproducesTorchNnLstm) {
  const TensorFile f = TensorFile::load(kGolden / "lstm_torch_module.safetensors");
  LstmOptions o;
  o.input_size = 3;
  o.hidden_size = 13;
  Rng rng(3);
  Lstm<float> lstm32(o, rng);
  Lstm<double> lstm64(o, rng);
  lstm32.load_torch(f);
  lstm64.load_torch(f);
  {
    const Matrix<float> x = f.matrix<float>("x"), h0 = f.matrix<float>("h0"), c0 = f.matrix<float>("c0");
    EXPECT_TENSOR_NEAR("float output", lstm32.forward(x, 7, &h0, &c0), f.matrix<float>("output"), 1e-5);
    EXPECT_TENSOR_NEAR("float h_n", lstm32.h_n(), f.matrix<float>("h_n"), 1e-5);
    EXPECT_TENSOR_NEAR("float c_n", lstm32.c_n(), f.matrix<float>("c_n"), 1e-5);
  }
  {
    const Matrix<double> x = f.matrix<double>("x"), h0 = f.matrix<double>("h0"), c0 = f.matrix<double>("c0");
    EXPECT_TENSOR_NEAR("double output", lstm64.forward(x, 7, &h0, &c0), f.matrix<double>("output64"), 1e-12);
    EXPECT_TENSOR_NEAR("double h_n", lstm64.h_n(), f.matrix<double>("h_n64"), 1e-12);
    EXPECT_TENSOR_NEAR("double c_n", lstm64.c_n(), f.matrix<double>("c_n64"), 1e-12);
  }
}

}  // namespace
}  // namespace bnlstm
