#include "bnlstm/optim/adam.hpp"

#include <gtest/gtest.h>

#include <string>

#include "bnlstm/core/error.hpp"
#include "optim/trajectory.hpp"

namespace bnlstm {
namespace {

using testing::LinearProblem;
using testing::replay;

AdamOptions adam(double lr, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8,
                 double wd = 0) {
  AdamOptions o;
  o.lr = lr;
  o.beta1 = beta1;
  o.beta2 = beta2;
  o.eps = eps;
  o.weight_decay = wd;
  return o;
}

AdamWOptions adamw(double lr, double beta1 = 0.9, double beta2 = 0.999, double wd = 0.01) {
  AdamWOptions o;
  o.lr = lr;
  o.beta1 = beta1;
  o.beta2 = beta2;
  o.weight_decay = wd;
  return o;
}

template <typename T>
void check_state(const std::string& name, const Adam<T>& optimizer, double rtol) {
  const auto& g = testing::trajectory_golden();
  for (Index i = 0; i < 2; ++i) {
    const std::string key = name + ".state." + std::to_string(i);
    EXPECT_TENSOR_NEAR(key + ".exp_avg", optimizer.exp_avg(i), g.matrix<double>(key + ".exp_avg"),
                       rtol);
    EXPECT_TENSOR_NEAR(key + ".exp_avg_sq", optimizer.exp_avg_sq(i),
                       g.matrix<double>(key + ".exp_avg_sq"), rtol);
  }
}

// Options as in tools/golden_optim.py's OPTIMIZERS.
template <typename T>
void check_trajectories(double rtol) {
  {
    LinearProblem<T> problem;
    Adam<T> optimizer(problem.parameters(), adam(0.01));
    replay<T>("adam", optimizer, problem, rtol);
    check_state("adam", optimizer, rtol);
  }
  {
    LinearProblem<T> problem;
    Adam<T> optimizer(problem.parameters(), adam(0.02, 0.8, 0.99, 1e-6, 0.1));
    replay<T>("adam_wd", optimizer, problem, rtol);
    check_state("adam_wd", optimizer, rtol);
  }
  {
    LinearProblem<T> problem;
    AdamW<T> optimizer(problem.parameters(), adamw(0.01));
    replay<T>("adamw", optimizer, problem, rtol);
    check_state("adamw", optimizer, rtol);
  }
  {
    LinearProblem<T> problem;
    AdamW<T> optimizer(problem.parameters(), adamw(0.05, 0.85, 0.995, 0.3));
    replay<T>("adamw_wd", optimizer, problem, rtol);
    check_state("adamw_wd", optimizer, rtol);
  }
}

TEST(Adam, TrajectoriesMatchTorchDouble) {
  check_trajectories<double>(1e-12);
}
TEST(Adam, TrajectoriesMatchTorchFloat) {
  check_trajectories<float>(1e-5);
}

// Gradients clipped to global norm 0.5 before every Adam step.
TEST(Adam, WithNormClippingMatchesTorch) {
  LinearProblem<double> problem;
  Adam<double> optimizer(problem.parameters(), adam(0.01));
  replay<double>("adam_clip_norm", optimizer, problem, 1e-12, 0, -1,
                 [](const ParameterList<double>& p) { return clip_grad_norm(p, 0.5); });
}

TEST(Adam, DefaultsAreTorchs) {
  Parameter<float> p("w", 2, 2);
  const Adam<float> a({&p});
  EXPECT_EQ(a.lr(), 1e-3);
  EXPECT_EQ(a.options().beta1, 0.9);
  EXPECT_EQ(a.options().beta2, 0.999);
  EXPECT_EQ(a.options().eps, 1e-8);
  EXPECT_EQ(a.options().weight_decay, 0.0);
  EXPECT_EQ(a.name(), "adam");
  const AdamW<float> w({&p});
  EXPECT_EQ(w.options().weight_decay, 0.01);
  EXPECT_EQ(w.name(), "adamw");
}

// The first step moves every weight by lr (times sign of g) whatever the gradient's scale:
// m̂ = g, v̂ = g², so the update is lr g / (|g| + eps).
TEST(Adam, FirstStepIsBiasCorrected) {
  Parameter<double> p("w", 1, 3);
  p.value << 1, 1, 1;
  p.grad << 1e-3, -5, 100;
  Adam<double> optimizer({&p}, adam(0.1, 0.9, 0.999, 0));
  optimizer.step();
  EXPECT_TENSOR_NEAR("w after one step", p.value, (MatrixD(1, 3) << 0.9, 1.1, 0.9).finished(),
                     1e-14);
}

TEST(Adam, StateBuffersAreAllocatedOnce) {
  LinearProblem<float> problem;
  Adam<float> optimizer(problem.parameters());
  const float* m = optimizer.exp_avg(0).data();
  const float* v = optimizer.exp_avg_sq(1).data();
  for (int i = 0; i < 3; ++i) {
    optimizer.zero_grad();
    problem.forward_backward();
    optimizer.step();
  }
  EXPECT_EQ(optimizer.exp_avg(0).data(), m);
  EXPECT_EQ(optimizer.exp_avg_sq(1).data(), v);
}

TEST(Adam, RejectsInvalidOptions) {
  Parameter<double> p("w", 2, 2);
  EXPECT_THROW(Adam<double>({&p}, adam(-1)), Error);
  EXPECT_THROW(Adam<double>({&p}, adam(0.1, 1.0)), Error);
  EXPECT_THROW(Adam<double>({&p}, adam(0.1, 0.9, -0.1)), Error);
  EXPECT_THROW(Adam<double>({&p}, adam(0.1, 0.9, 0.999, -1e-8)), Error);
  try {
    AdamW<double>({&p}, adamw(0.1, 0.9, 1.5));
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), "adamw: beta2 must be in [0, 1), got 1.500000");
  }
}

}  // namespace
}  // namespace bnlstm
