#include "bnlstm/optim/rmsprop.hpp"

#include <gtest/gtest.h>

#include <string>

#include "bnlstm/core/error.hpp"
#include "bnlstm/optim/clip.hpp"
#include "optim/trajectory.hpp"

namespace bnlstm {
namespace {

using testing::LinearProblem;
using testing::replay;

RMSpropOptions rmsprop(double lr, double momentum = 0, double alpha = 0.99, double eps = 1e-8,
                       double wd = 0, bool centered = false) {
  RMSpropOptions o;
  o.lr = lr;
  o.momentum = momentum;
  o.alpha = alpha;
  o.eps = eps;
  o.weight_decay = wd;
  o.centered = centered;
  return o;
}

template <typename T>
void check_state(const std::string& name, const RMSprop<T>& optimizer, double rtol) {
  const auto& g = testing::trajectory_golden();
  for (Index i = 0; i < 2; ++i) {
    const std::string key = name + ".state." + std::to_string(i);
    EXPECT_TENSOR_NEAR(key + ".square_avg", optimizer.square_avg(i),
                       g.matrix<double>(key + ".square_avg"), rtol);
    if (g.contains(key + ".momentum_buffer")) {
      EXPECT_TENSOR_NEAR(key + ".momentum_buffer", optimizer.momentum_buffer(i),
                         g.matrix<double>(key + ".momentum_buffer"), rtol);
    }
    if (g.contains(key + ".grad_avg")) {
      EXPECT_TENSOR_NEAR(key + ".grad_avg", optimizer.grad_avg(i),
                         g.matrix<double>(key + ".grad_avg"), rtol);
    }
  }
}

// Options as in tools/golden_optim.py's OPTIMIZERS.
template <typename T>
void check_trajectories(double rtol) {
  {
    LinearProblem<T> problem;
    RMSprop<T> optimizer(problem.parameters(), rmsprop(0.01));
    replay<T>("rmsprop", optimizer, problem, rtol);
    check_state("rmsprop", optimizer, rtol);
  }
  {
    // Cooijmans et al.'s setting: lr 1e-3, momentum 0.9, global-norm clipping at 1
    LinearProblem<T> problem;
    RMSprop<T> optimizer(problem.parameters(), rmsprop(1e-3, 0.9));
    replay<T>("rmsprop_momentum", optimizer, problem, rtol, 0, -1,
              [](const ParameterList<T>& p) { return clip_grad_norm(p, T(1)); });
    check_state("rmsprop_momentum", optimizer, rtol);
  }
  {
    LinearProblem<T> problem;
    RMSprop<T> optimizer(problem.parameters(), rmsprop(0.01, 0.5, 0.9, 1e-6, 0.1, true));
    replay<T>("rmsprop_centered", optimizer, problem, rtol);
    check_state("rmsprop_centered", optimizer, rtol);
  }
}

TEST(RMSprop, DoubleMatchesTorchTrajectories) {
  check_trajectories<double>(1e-10);
}
TEST(RMSprop, FloatMatchesTorchTrajectories) {
  check_trajectories<float>(1e-5);
}

TEST(RMSprop, ByNameFromMakeOptimizer) {
  LinearProblem<double> problem;
  OptimizerConfig c;
  c.lr = 0.01;
  auto opt = make_optimizer<double>(parse_optimizer("rmsprop"), problem.parameters(), c);
  EXPECT_EQ(opt->name(), "rmsprop");
  replay<double>("rmsprop", *opt, problem, 1e-10);
}

TEST(RMSprop, StateRoundTripResumesTheSameTrajectory) {
  LinearProblem<double> first;
  RMSprop<double> a(first.parameters(), rmsprop(1e-3, 0.9));
  const auto clip = [](const ParameterList<double>& p) { return clip_grad_norm(p, 1.0); };
  replay<double>("rmsprop_momentum", a, first, 1e-10, 0, 4, clip);
  TensorFile file;
  a.save_state(file);
  LinearProblem<double> second;
  second.head.weight().value = first.head.weight().value;
  second.head.bias().value = first.head.bias().value;
  RMSprop<double> b(second.parameters(), rmsprop(1e-3, 0.9));
  b.load_state(TensorFile::parse(file.serialize(), "state"));
  replay<double>("rmsprop_momentum", b, second, 1e-10, 4, -1, clip);
}

TEST(RMSprop, RejectsBadOptions) {
  LinearProblem<double> p;
  EXPECT_THROW(RMSprop<double>(p.parameters(), rmsprop(-1)), Error);
  EXPECT_THROW(RMSprop<double>(p.parameters(), rmsprop(0.01, -0.1)), Error);
  EXPECT_THROW(RMSprop<double>(p.parameters(), rmsprop(0.01, 0, 1.0)), Error);
  EXPECT_THROW(RMSprop<double>(p.parameters(), rmsprop(0.01, 0, 0.99, -1)), Error);
}

}  // namespace
}  // namespace bnlstm
