#include "bnlstm/optim/sgd.hpp"

#include <gtest/gtest.h>

#include <string>

#include "bnlstm/core/error.hpp"
#include "optim/trajectory.hpp"

namespace bnlstm {
namespace {

using testing::LinearProblem;
using testing::replay;

SGDOptions sgd(double lr, double momentum = 0, double dampening = 0, double weight_decay = 0,
               bool nesterov = false) {
  SGDOptions o;
  o.lr = lr;
  o.momentum = momentum;
  o.dampening = dampening;
  o.weight_decay = weight_decay;
  o.nesterov = nesterov;
  return o;
}

// Each case: golden name and the options of tools/golden_optim.py's OPTIMIZERS entry.
struct Case {
  const char* name;
  SGDOptions options;
};

const Case kCases[] = {{"sgd", sgd(0.1)},
                       {"sgd_momentum", sgd(0.05, 0.9)},
                       {"sgd_nesterov", sgd(0.05, 0.9, 0, 0.01, true)},
                       {"sgd_dampening", sgd(0.1, 0.5, 0.3, 0.1)}};

template <typename T>
void check_trajectories(double rtol) {
  for (const Case& c : kCases) {
    LinearProblem<T> problem;
    SGD<T> optimizer(problem.parameters(), c.options);
    replay<T>(c.name, optimizer, problem, rtol);
    if (c.options.momentum != 0) {
      const auto& g = testing::trajectory_golden();
      for (Index i = 0; i < 2; ++i) {
        const std::string key =
            std::string(c.name) + ".state." + std::to_string(i) + ".momentum_buffer";
        EXPECT_TENSOR_NEAR(key, optimizer.momentum_buffer(i), g.matrix<double>(key), rtol);
      }
    }
  }
}

TEST(SGD, TrajectoriesMatchTorchDouble) {
  check_trajectories<double>(1e-12);
}
TEST(SGD, TrajectoriesMatchTorchFloat) {
  check_trajectories<float>(1e-5);
}

// The notebook's clipping: every gradient clamped to ±c before a plain SGD step.
TEST(SGD, WithValueClippingMatchesTorch) {
  LinearProblem<double> problem;
  SGD<double> optimizer(problem.parameters(), sgd(0.1));
  replay<double>("sgd_clip_value", optimizer, problem, 1e-12, 0, -1,
                 [](const ParameterList<double>& p) {
                   clip_grad_value(p, 0.5);
                   return 0.0;
                 });
}

TEST(SGD, PlainStepIsTheNotebookUpdate) {
  Parameter<double> p("w", 1, 3);
  p.value << 1, 2, 3;
  p.grad << 0.5, -1, 0;
  SGD<double> optimizer({&p}, sgd(0.1));
  optimizer.step();
  EXPECT_EQ(p.value, (MatrixD(1, 3) << 1 - 0.1 * 0.5, 2 + 0.1, 3).finished());
  EXPECT_EQ(p.grad, (MatrixD(1, 3) << 0.5, -1, 0).finished());  // the gradient is left alone
  EXPECT_EQ(optimizer.steps(), 1);
}

TEST(SGD, RejectsInvalidOptions) {
  Parameter<double> p("w", 2, 2);
  EXPECT_THROW(SGD<double>({&p}, sgd(-0.1)), Error);
  EXPECT_THROW(SGD<double>({&p}, sgd(0.1, -0.5)), Error);
  EXPECT_THROW(SGD<double>({&p}, sgd(0.1, 0.9, 0, -1)), Error);
  try {
    SGD<double>({&p}, sgd(0.1, 0, 0, 0, true));
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()),
              "sgd: nesterov momentum requires momentum > 0 and dampening = 0");
  }
}

}  // namespace
}  // namespace bnlstm
