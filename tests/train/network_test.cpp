// GCC 12 with AVX-512 reports a false -Wmaybe-uninitialized inside Eigen's vectorized
// reductions (fixed in GCC 13); it is not about this file's code.
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ < 13
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include "bnlstm/train/network.hpp"

#include <gtest/gtest.h>

#include <random>

#include "bnlstm/core/error.hpp"
#include "testing/gradcheck.hpp"

namespace bnlstm {
namespace {

MatrixD random_matrix(Index r, Index c, Rng& rng) {
  std::normal_distribution<double> n(0, 1);
  MatrixD m(r, c);
  for (Index i = 0; i < m.size(); ++i) m.data()[i] = n(rng);
  return m;
}

// loss = Σ y ⊙ w for a fixed w, so dL/dy = w; every parameter's gradient is checked against
// central differences.
void check_gradients(LstmNorm norm) {
  Rng rng(3);
  NetworkConfig cfg{2, 5, 3, norm, InitScheme::glorot_uniform};
  ForecastNetwork<double> net(cfg, rng);
  const Index L = 3, N = 4;
  const MatrixD x = random_matrix(L * N, 2, rng), w = random_matrix(N, 3, rng);
  net.train();
  auto loss = [&] { return net.forward(x, L).cwiseProduct(w).sum(); };
  for (auto* p : net.parameters()) p->zero_grad();
  loss();
  net.backward(w);
  for (auto* p : net.parameters()) {
    const VectorD numeric = testing::numeric_gradient(loss, p->value.data(), p->value.size());
    const Eigen::Map<const VectorD> analytic(p->grad.data(), p->grad.size());
    EXPECT_LT((analytic - numeric).norm(), 1e-6 * (1 + numeric.norm()))
        << to_string(norm) << " " << p->name;
  }
}

TEST(ForecastNetwork, GradientsMatchFiniteDifferencesNoNorm) {
  check_gradients(LstmNorm::none);
}
TEST(ForecastNetwork, GradientsMatchFiniteDifferencesBatchNorm) {
  check_gradients(LstmNorm::batch);
}
TEST(ForecastNetwork, GradientsMatchFiniteDifferencesLayerNorm) {
  check_gradients(LstmNorm::layer);
}

TEST(ForecastNetwork, OutputIsTheHeadOfTheLastHiddenState) {
  Rng rng(1);
  ForecastNetwork<double> net({1, 4, 2, LstmNorm::none, InitScheme::xavier}, rng);
  const MatrixD x = random_matrix(3 * 2, 1, rng);
  const MatrixD y = net.forward(x, 3);
  const MatrixD& h = net.lstm().output();
  const MatrixD expected = (h.bottomRows(2) * net.head().weight().value.transpose()).rowwise() +
                           net.head().bias().value.row(0);
  EXPECT_LT((y - expected).norm(), 1e-12);
}

TEST(ForecastNetwork, StateRoundTripsIncludingRunningStatistics) {
  Rng rng(5), rng2(6);
  const NetworkConfig cfg{1, 6, 1, LstmNorm::batch, InitScheme::xavier};
  ForecastNetwork<float> a(cfg, rng), b(cfg, rng2);
  const MatrixF x = random_matrix(2 * 8, 1, rng).cast<float>();
  a.train();
  a.forward(x, 2);  // moves the running statistics away from 0 / 1
  TensorFile f;
  a.save_state(f);
  b.load_state(f);
  a.eval();
  b.eval();
  const MatrixF ya = a.forward(x, 2), yb = b.forward(x, 2);
  EXPECT_EQ(ya, yb);
  EXPECT_TRUE(f.contains("lstm.norm_c.running_mean"));
  EXPECT_TRUE(f.contains("head.weight"));
}

// copy_state / set_state (the trainer's best-epoch snapshot) restore exactly what save_state
// writes: every parameter and the running statistics with their counters.
TEST(ForecastNetwork, InMemoryStateRestoresEverythingSaveStateWrites) {
  for (const LstmNorm norm : {LstmNorm::none, LstmNorm::batch}) {
    Rng rng(5);
    ForecastNetwork<float> net({1, 6, 1, norm, InitScheme::xavier}, rng);
    const MatrixF x = random_matrix(2 * 8, 1, rng).cast<float>();
    net.train();
    net.forward(x, 2);
    ForecastNetwork<float>::State state;
    net.copy_state(state);
    TensorFile before;
    net.save_state(before);
    // change every parameter and the running statistics
    for (Parameter<float>* p : net.parameters()) p->value.array() += 1.0f;
    net.forward(x, 2);
    net.set_state(state);
    TensorFile after;
    net.save_state(after);
    ASSERT_EQ(after.tensors.size(), before.tensors.size());
    for (const auto& [name, t] : before.tensors)
      EXPECT_EQ(after.get(name).bytes, t.bytes) << to_string(norm) << " " << name;
    // a state of another network's shape is refused, and nothing is changed
    ForecastNetwork<float> other({1, 7, 1, norm, InitScheme::xavier}, rng);
    EXPECT_THROW(other.set_state(state), Error);
  }
}

TEST(ForecastNetwork, LoadStateRejectsAnotherShapeAndChangesNothing) {
  Rng rng(5);
  ForecastNetwork<float> a({1, 6, 1, LstmNorm::none, InitScheme::xavier}, rng);
  ForecastNetwork<float> b({1, 7, 1, LstmNorm::none, InitScheme::xavier}, rng);
  TensorFile f;
  f.source = "m.safetensors";
  a.save_state(f);
  const MatrixF before = b.head().weight().value;
  try {
    b.load_state(f);
    FAIL() << "no throw";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()),
              "m.safetensors: tensor 'lstm.weight_ih_l0' has shape (24, 1), expected (28, 1) for "
              "this model");
  }
  EXPECT_EQ(b.head().weight().value, before);
}

}  // namespace
}  // namespace bnlstm

namespace bnlstm {
namespace {

TEST(ForecastNetwork, RecalibrationSetsRunningStatisticsToThoseOfTheWindows) {
  Rng rng(12);
  ForecastNetwork<double> net({1, 6, 1, LstmNorm::batch, InitScheme::xavier}, rng);
  const Index L = 2, N = 400;
  // mini-batches from another distribution leave the running averages elsewhere
  net.train();
  for (int k = 0; k < 5; ++k)
    net.forward(MatrixD(random_matrix(L * 8, 1, rng).array() * 3.0 + 2.0), L);
  const MatrixD x = random_matrix(L * N, 1, rng);
  const MatrixD w_ih = net.lstm().weight_ih().value;
  const std::vector<int64_t> tracked = net.lstm().norm_c()->num_batches_tracked();
  net.eval();
  net.recalibrate_batch_norm(x, L);
  EXPECT_EQ(net.lstm().norm_c()->num_batches_tracked(), tracked);  // counters kept
  EXPECT_FALSE(net.training());                                    // mode kept
  EXPECT_EQ(net.lstm().weight_ih().value, w_ih);                   // parameters untouched
  // step 0 of the input normalization: mean and unbiased variance of x W_ihᵀ over the N windows
  const MatrixD xw = x.topRows(N) * w_ih.transpose();
  const auto* bn = net.lstm().norm_ih();
  for (Index c = 0; c < xw.cols(); ++c) {
    const double mean = xw.col(c).mean();
    const double var = (xw.col(c).array() - mean).square().sum() / (N - 1);
    EXPECT_NEAR(bn->running_mean()(0, c), mean, 1e-12);
    EXPECT_NEAR(bn->running_var()(0, c), var, 1e-12 * (1 + var));
  }
  // eval mode now matches a training-mode pass over the same windows (up to N/(N-1) in the
  // variance)
  const MatrixD eval = net.forward(x, L);
  net.train();
  const MatrixD full = net.forward(x, L);
  EXPECT_LT((eval - full).cwiseAbs().maxCoeff(), 1e-2 * full.cwiseAbs().maxCoeff());
  // that training pass is an ordinary one again: it counts itself
  EXPECT_EQ(net.lstm().norm_c()->num_batches_tracked()[0], tracked[0] + 1);
}

}  // namespace
}  // namespace bnlstm
