#pragma once
// Replays the optimizer trajectories of tools/golden_optim.py: a Linear(4, 3) layer with MSE on a
// fixed batch of 8, k = 8 steps of zero_grad / forward / loss / backward / [clip] / step, with our
// Linear, loss and optimizer, comparing the parameters after every step with torch's.
#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "bnlstm/io/safetensors.hpp"
#include "bnlstm/nn/linear.hpp"
#include "bnlstm/nn/loss.hpp"
#include "bnlstm/optim/clip.hpp"
#include "bnlstm/optim/optimizer.hpp"
#include "testing/compare.hpp"

namespace bnlstm::testing {

inline const TensorFile& trajectory_golden() {
  static const TensorFile file =
      TensorFile::load(std::string(BNLSTM_GOLDEN_DIR) + "/optim_trajectory.safetensors");
  return file;
}

inline int trajectory_steps() {
  return std::stoi(trajectory_golden().metadata.at("steps"));
}

// The fixed problem, with the layer at torch's initial parameters.
template <typename T>
struct LinearProblem {
  Matrix<T> x, target, y, dy, dx;
  Linear<T> head{4, 3};

  LinearProblem() {
    const TensorFile& g = trajectory_golden();
    x = g.matrix<T>("x");
    target = g.matrix<T>("target");
    head.weight().value = g.matrix<T>("weight0");
    head.bias().value = g.matrix<T>("bias0");
  }
  ParameterList<T> parameters() { return head.parameters(); }

  // forward, loss, backward (gradients accumulate into the parameters); returns the loss
  T forward_backward() {
    head.forward(x, y);
    const T loss = mse_loss<T>(y, target);
    mse_loss_backward(dy, y, target);
    head.backward(dy, dx);
    return loss;
  }
};

// What happens between backward and step; returns the total norm for norm clipping.
template <typename T>
using ClipFn = std::function<T(const ParameterList<T>&)>;

// Runs steps [first, last) of the golden trajectory `name` and compares, for those steps, the
// parameters after each step and the loss before it. rtol: normwise relative tolerance.
template <typename T>
void replay(const std::string& name, Optimizer<T>& optimizer, LinearProblem<T>& problem,
            double rtol, int first = 0, int last = -1, const ClipFn<T>& clip = nullptr) {
  const TensorFile& g = trajectory_golden();
  if (last < 0) last = trajectory_steps();
  const Index n = last - first;
  const Index wsize = problem.head.weight().value.size(), bsize = problem.head.bias().value.size();
  Matrix<T> weights(n, wsize), biases(n, bsize), losses(n, 1), norms(n, 1);
  for (int s = first; s < last; ++s) {
    optimizer.zero_grad();
    losses(s - first, 0) = problem.forward_backward();
    if (clip) norms(s - first, 0) = clip(problem.parameters());
    optimizer.step();
    weights.row(s - first) =
        problem.head.weight().value.template reshaped<Eigen::RowMajor>().transpose();
    biases.row(s - first) = problem.head.bias().value.row(0);
  }
  const auto rows = [&](const std::string& key) {
    const MatrixD all = g.matrix<double>(name + "." + key);
    return MatrixD(all.middleRows(first, n));
  };
  EXPECT_TENSOR_NEAR(name + " weight (steps x 12)", weights, rows("weight"), rtol);
  EXPECT_TENSOR_NEAR(name + " bias (steps x 3)", biases, rows("bias"), rtol);
  const MatrixD golden_losses = g.matrix<double>(name + ".loss").transpose();
  EXPECT_TENSOR_NEAR(name + " loss", losses, golden_losses.middleRows(first, n), rtol);
  if (g.contains(name + ".total_norm")) {
    const MatrixD golden_norms = g.matrix<double>(name + ".total_norm").transpose();
    EXPECT_TENSOR_NEAR(name + " total norm", norms, golden_norms.middleRows(first, n), rtol);
  }
}

}  // namespace bnlstm::testing
