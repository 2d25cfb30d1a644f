// LSTM training trajectories against PyTorch (tools/golden_lstm.py, write_trajectory): an Lstm
// (zero initial state) + Linear(H, 1) head on h_n, MSE against a fixed target on one fixed batch
// (L=3, N=4, I=2, H=5), k = 5 steps of zero_grad / forward / loss / backward / [clip] / step:
//   sgd  — SGD lr 0.1 after clip_grad_value(1.0) (the notebook's rule; clipping acts in every variant)
//   adam — Adam lr 0.01, torch defaults otherwise
// for norm = none, batch, layer, from torch's initial parameters. Every parameter after every step,
// the loss of every step and (batch) the per-step running statistics after k steps are compared.
// GCC 12 with AVX-512 reports a false -Wmaybe-uninitialized inside Eigen's vectorized
// reductions and gemm packing (fixed in GCC 13); it is not about this file's code.
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ < 13
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "bnlstm/io/safetensors.hpp"
#include "bnlstm/nn/linear.hpp"
#include "bnlstm/nn/loss.hpp"
#include "bnlstm/nn/lstm.hpp"
#include "bnlstm/optim/adam.hpp"
#include "bnlstm/optim/clip.hpp"
#include "bnlstm/optim/sgd.hpp"
#include "testing/compare.hpp"

namespace bnlstm {
namespace {

const TensorFile& golden() {
  static const TensorFile file = TensorFile::load(std::string(BNLSTM_GOLDEN_DIR) + "/lstm_trajectory.safetensors");
  return file;
}

constexpr double kRtol = 1e-9;

// The model at torch's initial parameters; parameter names equal the golden keys
// (the Lstm is unnamed, so "weight_ih_l0", "norm_c.bias", ...; the head is "head.weight/bias").
struct Model {
  std::unique_ptr<Lstm<double>> lstm;
  Linear<double> head;
  Matrix<double> x, target, y, dy, dh, zero_out;
  Index L;

  explicit Model(const std::string& norm) : head(std::stol(golden().metadata.at("H")), 1, "head.") {
    const TensorFile& g = golden();
    L = std::stol(g.metadata.at("L"));
    LstmOptions o;
    o.input_size = std::stol(g.metadata.at("I"));
    o.hidden_size = std::stol(g.metadata.at("H"));
    o.norm = parse_lstm_norm(norm);
    o.eps = std::stod(g.metadata.at("eps"));
    o.momentum = std::stod(g.metadata.at("momentum"));
    o.name = "";
    Rng rng(1);
    lstm = std::make_unique<Lstm<double>>(o, rng);
    for (Parameter<double>* p : parameters()) p->value = g.matrix<double>(norm + ".init." + p->name);
    x = g.matrix<double>(norm + ".x");
    target = g.matrix<double>(norm + ".target");
    zero_out = Matrix<double>::Zero(x.rows(), o.hidden_size);  // the loss uses h_n only
  }

  ParameterList<double> parameters() {
    ParameterList<double> list = lstm->parameters();
    for (Parameter<double>* p : head.parameters()) list.push_back(p);
    return list;
  }

  // forward, MSE, backward (gradients accumulate); returns the loss
  double forward_backward() {
    lstm->forward(x, L);
    head.forward(lstm->h_n(), y);
    const double loss = mse_loss<double>(y, target);
    mse_loss_backward(dy, y, target);
    head.backward(dy, dh);
    lstm->backward(zero_out, &dh, nullptr);
    return loss;
  }
};

void replay(const std::string& norm, const std::string& opt_name) {
  SCOPED_TRACE(norm + " " + opt_name);
  const TensorFile& g = golden();
  const int steps = std::stoi(g.metadata.at("steps"));
  const double clip = std::stod(g.metadata.at("clip_value"));
  Model model(norm);
  const ParameterList<double> params = model.parameters();
  ASSERT_EQ(params.size(), norm == "none" ? 6u : 9u);
  std::unique_ptr<Optimizer<double>> opt;
  if (opt_name == "sgd") {
    SGDOptions o;
    o.lr = std::stod(g.metadata.at("sgd_lr"));
    opt = std::make_unique<SGD<double>>(params, o);
  } else {
    AdamOptions o;
    o.lr = std::stod(g.metadata.at("adam_lr"));
    opt = std::make_unique<Adam<double>>(params, o);
  }
  const std::string key = norm + "." + opt_name + ".";
  Matrix<double> losses(1, steps);
  for (int s = 0; s < steps; ++s) {
    opt->zero_grad();
    losses(0, s) = model.forward_backward();
    if (opt_name == "sgd") clip_grad_value(params, clip);
    opt->step();
    for (const Parameter<double>* p : params) {
      const std::string name = key + "step" + std::to_string(s) + "." + p->name;
      EXPECT_TENSOR_NEAR(name, p->value, g.matrix<double>(name), kRtol);
    }
  }
  EXPECT_TENSOR_NEAR(key + "loss", losses, g.matrix<double>(key + "loss"), kRtol);
  if (norm == "batch") {
    const RecurrentBatchNorm<double>* bns[3] = {model.lstm->norm_ih(), model.lstm->norm_hh(), model.lstm->norm_c()};
    const char* names[3] = {"norm_ih.", "norm_hh.", "norm_c."};
    for (int k = 0; k < 3; ++k) {
      const std::string n = key + names[k];
      ASSERT_EQ(bns[k]->steps_seen(), model.L);
      EXPECT_TENSOR_NEAR(n + "running_mean", bns[k]->running_mean(), g.matrix<double>(n + "running_mean"), kRtol);
      EXPECT_TENSOR_NEAR(n + "running_var", bns[k]->running_var(), g.matrix<double>(n + "running_var"), kRtol);
      EXPECT_EQ(bns[k]->num_batches_tracked(), std::vector<int64_t>(static_cast<size_t>(model.L), steps));
    }
  }
}

TEST(LstmTrajectory, SgdWithValueClippingMatchesTorchNone) { replay("none", "sgd"); }
TEST(LstmTrajectory, SgdWithValueClippingMatchesTorchBatch) { replay("batch", "sgd"); }
TEST(LstmTrajectory, SgdWithValueClippingMatchesTorchLayer) { replay("layer", "sgd"); }
TEST(LstmTrajectory, AdamMatchesTorchNone) { replay("none", "adam"); }
TEST(LstmTrajectory, AdamMatchesTorchBatch) { replay("batch", "adam"); }
TEST(LstmTrajectory, AdamMatchesTorchLayer) { replay("layer", "adam"); }

}  // namespace
}  // namespace bnlstm
