#include "bnlstm/optim/optimizer.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "bnlstm/core/error.hpp"
#include "bnlstm/optim/adam.hpp"
#include "bnlstm/optim/sgd.hpp"
#include "optim/trajectory.hpp"

namespace bnlstm {
namespace {

using testing::LinearProblem;
using testing::replay;

// Resuming: steps 0-3 with one optimizer, state and parameters through a file, steps 4-7 with a
// fresh optimizer and layer; the parameters must follow torch's uninterrupted trajectory.
template <typename Opt, typename Options>
void check_resume(const std::string& name, const Options& options) {
  const auto path =
      std::filesystem::temp_directory_path() / ("bnlstm_optim_" + name + ".safetensors");
  {
    LinearProblem<double> problem;
    Opt optimizer(problem.parameters(), options);
    replay<double>(name, optimizer, problem, 1e-12, 0, 4);
    TensorFile checkpoint;
    for (const auto* p : problem.parameters()) checkpoint.put_matrix(p->name, p->value);
    optimizer.save_state(checkpoint);
    checkpoint.save(path);
  }
  const TensorFile checkpoint = TensorFile::load(path);
  LinearProblem<double> problem;
  for (auto* p : problem.parameters()) p->value = checkpoint.matrix<double>(p->name);
  Opt optimizer(problem.parameters(), options);
  optimizer.load_state(checkpoint);
  EXPECT_EQ(optimizer.steps(), 4);
  replay<double>(name, optimizer, problem, 1e-12, 4, 8);
  std::filesystem::remove(path);
}

TEST(Optimizer, AdamResumesFromSavedState) {
  AdamOptions o;
  o.lr = 0.01;
  check_resume<Adam<double>>("adam", o);
}

TEST(Optimizer, AdamWResumesFromSavedState) {
  AdamWOptions o;
  o.lr = 0.01;
  check_resume<AdamW<double>>("adamw", o);
}

TEST(Optimizer, SGDMomentumResumesFromSavedState) {
  SGDOptions o;
  o.lr = 0.05;
  o.momentum = 0.9;
  check_resume<SGD<double>>("sgd_momentum", o);
}

TEST(Optimizer, LoadStateRejectsMismatches) {
  LinearProblem<double> problem;
  Adam<double> adam(problem.parameters());
  TensorFile file;
  file.source = "ckpt.safetensors";
  adam.save_state(file);

  SGDOptions o;
  o.momentum = 0.9;
  SGD<double> sgd(problem.parameters(), o);
  try {
    sgd.load_state(file);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), "ckpt.safetensors: optimizer state is for 'adam', not 'sgd'");
  }

  Linear<double> other(5, 3);
  Adam<double> adam_other(other.parameters());
  try {
    adam_other.load_state(file);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()),
              "ckpt.safetensors: tensor 'optimizer.0.exp_avg' does not match parameter 'weight' of "
              "shape (3, 5)");
  }
  EXPECT_EQ(adam_other.steps(), 0);  // nothing was changed

  Adam<double> one_param({&problem.head.weight()});
  EXPECT_THROW(one_param.load_state(file), Error);
  EXPECT_THROW(adam.load_state(TensorFile{}), Error);
}

TEST(Optimizer, FactoryBuildsEachKindWithTorchDefaults) {
  LinearProblem<float> problem;
  OptimizerConfig c;
  c.lr = 0.05;
  auto sgd = make_optimizer<float>(parse_optimizer("sgd"), problem.parameters(), c);
  EXPECT_EQ(sgd->name(), "sgd");
  EXPECT_EQ(sgd->lr(), 0.05);
  auto adamw = make_optimizer<float>(OptimizerKind::adamw, problem.parameters(), c);
  ASSERT_EQ(adamw->name(), "adamw");
  EXPECT_EQ(dynamic_cast<AdamW<float>&>(*adamw).options().weight_decay, 0.01);
  auto adam = make_optimizer<float>(OptimizerKind::adam, problem.parameters(), c);
  EXPECT_EQ(dynamic_cast<Adam<float>&>(*adam).options().weight_decay, 0.0);
  EXPECT_EQ(to_string(OptimizerKind::adam), "adam");
  try {
    parse_optimizer("adagrad");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()),
              "unknown optimizer 'adagrad' (expected one of: sgd, adam, adamw, rmsprop)");
  }
}

TEST(Optimizer, ZeroGradAndLearningRate) {
  LinearProblem<double> problem;
  SGD<double> sgd(problem.parameters());
  problem.forward_backward();
  EXPECT_GT(problem.head.weight().grad.cwiseAbs().maxCoeff(), 0.0);
  sgd.zero_grad();
  EXPECT_EQ(problem.head.weight().grad.cwiseAbs().maxCoeff(), 0.0);
  EXPECT_EQ(problem.head.bias().grad.cwiseAbs().maxCoeff(), 0.0);
  sgd.set_lr(0.5);
  EXPECT_EQ(sgd.lr(), 0.5);
  EXPECT_THROW(sgd.set_lr(-1), Error);
}

}  // namespace
}  // namespace bnlstm
