// Gate pre-activations before and after normalization: the recomputed step reproduces the
// LSTM's own cell and hidden state (so every value before it is what the LSTM used), "after"
// is normalized (batch: per channel over the batch, layer: per row), the statistics and the
// picture.
#include "bnlstm/experiments/gate_preactivations.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "bnlstm/core/error.hpp"
#include "bnlstm/plot/histogram_panels.hpp"
#include "plot/plot_testing.hpp"

namespace bnlstm {
namespace {

constexpr Index kI = 3, kH = 4, kN = 16, kL = 5;

// A double LSTM whose every parameter is non-trivial; norm batch: running statistics from a few
// training batches with a noisy h_0 (so step 0's recurrent statistics are not 0 / 1 either).
Lstm<double> trained_lstm(LstmNorm norm, Rng& rng) {
  LstmOptions o;
  o.input_size = kI;
  o.hidden_size = kH;
  o.norm = norm;
  Lstm<double> lstm(o, rng);
  std::normal_distribution<double> normal(0.0, 1.0);
  for (Parameter<double>* p : lstm.parameters())
    if (p->value.rows() == 1)  // biases, γ, β
      for (Index j = 0; j < p->value.cols(); ++j) p->value(0, j) += 0.3 * normal(rng);
  lstm.train();
  for (int b = 0; b < 3; ++b) {
    MatrixD x(kL * kN, kI), h0(kN, kH);
    for (Index i = 0; i < x.size(); ++i) x.data()[i] = 1.5 * normal(rng) + 0.5;
    for (Index i = 0; i < h0.size(); ++i) h0.data()[i] = 0.2 * normal(rng);
    lstm.forward(x, kL, &h0);
  }
  return lstm;
}

MatrixD random_input(Rng& rng) {
  std::normal_distribution<double> normal(0.0, 1.0);
  MatrixD x(kL * kN, kI);
  for (Index i = 0; i < x.size(); ++i) x.data()[i] = 1.5 * normal(rng) + 0.5;
  return x;
}

class GatePreactivationsNorm : public ::testing::TestWithParam<LstmNorm> {};

TEST_P(GatePreactivationsNorm, ReproduceTheLstmsCellAndHiddenState) {
  Rng rng = make_rng(7);
  Lstm<double> lstm = trained_lstm(GetParam(), rng);
  const MatrixD x = random_input(rng);
  lstm.eval();
  const MatrixD out = lstm.forward(x, kL);  // (L*N, H), h_0 = 0
  for (Index t : {Index{0}, Index{2}, kL - 1}) {
    SCOPED_TRACE(t);
    lstm.train();  // the function runs in eval mode and gives the mode back
    const GatePreactivations g = gate_preactivations(lstm, x, kL, t);
    EXPECT_TRUE(lstm.training());
    ASSERT_EQ(g.after.rows(), kN);
    ASSERT_EQ(g.after.cols(), 4 * kH);
    EXPECT_EQ(g.step, t);
    EXPECT_LT((g.hidden_state - out.middleRows(t * kN, kN)).cwiseAbs().maxCoeff(), 1e-12);
    // c_t before normalization is the LSTM's c_n of the first t + 1 steps
    lstm.eval();
    lstm.forward(x.topRows((t + 1) * kN), t + 1);
    EXPECT_LT((g.cell_before - MatrixD(lstm.c_n())).cwiseAbs().maxCoeff(), 1e-12);
    // the pre-activations are the normalized terms plus the bias, before the raw terms plus it
    const MatrixD bias_after = g.after - g.input_after - g.recurrent_after;
    const MatrixD bias_before = g.before - g.input_before - g.recurrent_before;
    EXPECT_LT((bias_after - bias_before).cwiseAbs().maxCoeff(), 1e-12);
    EXPECT_LT((bias_after.rowwise() - bias_after.row(0)).cwiseAbs().maxCoeff(), 1e-12);
    if (t == 0) {
      EXPECT_EQ(g.recurrent_before.cwiseAbs().maxCoeff(), 0.0);  // h_0 = 0
    }
    if (GetParam() == LstmNorm::none) {
      EXPECT_EQ(g.before, g.after);
      EXPECT_EQ(g.cell_before, g.cell_after);
    } else {
      EXPECT_GT((g.before - g.after).cwiseAbs().maxCoeff(), 0.1);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Norms, GatePreactivationsNorm,
                         ::testing::Values(LstmNorm::none, LstmNorm::batch, LstmNorm::layer),
                         [](const auto& info) { return to_string(info.param); });

// Biased std of column j of m.
double column_std(const MatrixD& m, Index j) {
  const double mean = m.col(j).mean();
  return std::sqrt((m.col(j).array() - mean).square().mean());
}

TEST(GatePreactivations, BatchNormAfterRecalibrationIsStandardizedPerChannel) {
  // running statistics = this batch's own input terms: every channel of the normalized input
  // term has mean 0 and std γ_x (the running variance is the unbiased one: sqrt((N-1)/N) of it
  // for the biased std). The recurrent term's running statistics come from the recalibration
  // pass, whose h_{t-1} used batch statistics, not quite the eval pass's h_{t-1}: it is checked
  // against its formula with step t's running mean and variance instead.
  Rng rng = make_rng(3);
  Lstm<double> lstm = trained_lstm(LstmNorm::batch, rng);
  const MatrixD x = random_input(rng);
  lstm.recalibrate_batch_norm(x, kL);
  const ParameterList<double> p = lstm.parameters();
  const MatrixD& gamma_x = p[3]->value;
  const MatrixD& gamma_h = p[4]->value;
  const double shrink = std::sqrt((kN - 1.0) / kN);
  const double eps = lstm.options().eps;
  for (Index t : {Index{1}, Index{3}}) {
    const GatePreactivations g = gate_preactivations(lstm, x, kL, t);
    const MatrixD& mean_h = lstm.norm_hh()->running_mean();
    const MatrixD& var_h = lstm.norm_hh()->running_var();
    for (Index j = 0; j < 4 * kH; ++j) {
      SCOPED_TRACE(::testing::Message() << "step " << t << " channel " << j);
      EXPECT_NEAR(g.input_after.col(j).mean(), 0.0, 1e-12);
      EXPECT_NEAR(column_std(g.input_after, j), std::abs(gamma_x(0, j)) * shrink, 1e-3);
      EXPECT_GT(std::abs(column_std(g.input_before, j) - column_std(g.input_after, j)), 1e-3);
      for (Index n = 0; n < kN; ++n)
        EXPECT_NEAR(g.recurrent_after(n, j),
                    (g.recurrent_before(n, j) - mean_h(t, j)) / std::sqrt(var_h(t, j) + eps) *
                        gamma_h(0, j),
                    1e-12);
    }
  }
}

TEST(GatePreactivations, LayerNormAfterIsStandardizedPerRow) {
  Rng rng = make_rng(5);
  Lstm<double> lstm = trained_lstm(LstmNorm::layer, rng);
  for (Parameter<double>* p : lstm.parameters())
    if (p->name.find("norm_ih.weight") != std::string::npos) p->value.setOnes();  // γ_x = 1
  const MatrixD x = random_input(rng);
  const GatePreactivations g = gate_preactivations(lstm, x, kL, 2);
  for (Index n = 0; n < kN; ++n) {
    const auto row = g.input_after.row(n).array();
    EXPECT_NEAR(row.mean(), 0.0, 1e-12);
    EXPECT_NEAR(std::sqrt((row - row.mean()).square().mean()), 1.0, 1e-3);
  }
}

TEST(GatePreactivations, RejectsAStepOutsideTheSequenceAndWrongShapes) {
  Rng rng = make_rng(1);
  Lstm<double> lstm = trained_lstm(LstmNorm::batch, rng);
  const MatrixD x = random_input(rng);
  EXPECT_THROW(gate_preactivations(lstm, x, kL, kL), Error);
  EXPECT_THROW(gate_preactivations(lstm, x, kL, -1), Error);
  EXPECT_THROW(gate_preactivations(lstm, MatrixD(x.leftCols(2)), kL, 0), Error);
  EXPECT_THROW(gate_preactivations(lstm, MatrixD(x.topRows(kL * kN - 1)), kL, 0), Error);
}

TEST(GateStatistics, MeanStdAndFlatShareOfEachGateAndTheCell) {
  GatePreactivations g;
  g.norm = LstmNorm::batch;
  g.hidden = 1;
  g.before = MatrixD(2, 4);
  g.after = MatrixD(2, 4);
  // columns i f g o; 5 is flat for σ (σ' = 0.0066 < 0.025), 2 is flat for tanh (0.07 < 0.1)
  g.before << 5, 0, 2, -4, 1, 0, 0, -4;
  g.after << 0, 0, 0.5, 1, 0, 0, -0.5, 3;
  g.cell_before = MatrixD(2, 1);
  g.cell_after = MatrixD(2, 1);
  g.cell_before << 3, -3;
  g.cell_after << 1, -1;
  const std::vector<GateStatistics> s = gate_statistics(g);
  ASSERT_EQ(s.size(), 5u);
  EXPECT_EQ(s[0].name, "i (input)");
  EXPECT_DOUBLE_EQ(s[0].mean_before, 3.0);
  EXPECT_DOUBLE_EQ(s[0].std_before, 2.0);
  EXPECT_DOUBLE_EQ(s[0].flat_before, 0.5);
  EXPECT_DOUBLE_EQ(s[0].flat_after, 0.0);
  EXPECT_DOUBLE_EQ(s[2].flat_before, 0.5);  // g: tanh, 2 flat and 0 not
  EXPECT_DOUBLE_EQ(s[2].std_after, 0.5);
  EXPECT_DOUBLE_EQ(s[3].flat_before, 1.0);  // o: -4 twice
  EXPECT_DOUBLE_EQ(s[3].mean_after, 2.0);
  EXPECT_EQ(s[4].name, "c (cell)");
  EXPECT_DOUBLE_EQ(s[4].std_before, 3.0);
  EXPECT_DOUBLE_EQ(s[4].flat_before, 1.0);
  EXPECT_DOUBLE_EQ(s[4].flat_after, 0.0);
  const std::string csv = gate_statistics_csv(g);
  EXPECT_EQ(csv.substr(0, csv.find('\n')),
            "quantity,mean_before,std_before,flat_before,mean_after,std_after,flat_after");
  EXPECT_NE(csv.find("\ni,3,2,0.5,0,0,0\n"), std::string::npos) << csv;
  EXPECT_NE(format_gate_statistics(g).find("f (forget)"), std::string::npos);
}

TEST(HistogramPanels, OneMultiplotWithAPanelPerChart) {
  HistogramPanels p;
  p.title = "gates";
  p.columns = 3;
  for (int k = 0; k < 5; ++k) {
    HistogramChart chart;
    chart.title = "panel " + std::to_string(k);
    chart.samples = {{"a", {1, 2, 3}}};
    p.panels.push_back(chart);
  }
  const std::string s = histogram_panels_script(p).text();
  EXPECT_NE(s.find("set multiplot layout 2,3 rowsfirst title 'gates'"), std::string::npos);
  size_t plots = 0;
  for (size_t at = s.find("\nplot "); at != std::string::npos; at = s.find("\nplot ", at + 1))
    ++plots;
  EXPECT_EQ(plots, 5u);
  EXPECT_NE(s.rfind("unset multiplot\n"), std::string::npos);
  p.panels.clear();
  EXPECT_THROW(histogram_panels_script(p), Error);
  p.panels.push_back(HistogramChart{});
  p.columns = 0;
  EXPECT_THROW(histogram_panels_script(p), Error);
}

TEST(GatePreactivations, DrawsOnePictureWithFivePanels) {
  BNLSTM_SKIP_WITHOUT_GNUPLOT();
  testing::ScratchDir dir("gate-histograms");
  Rng rng = make_rng(2);
  Lstm<double> lstm = trained_lstm(LstmNorm::batch, rng);
  const GatePreactivations g = gate_preactivations(lstm, random_input(rng), kL, 3);
  plot_gate_histograms(g, dir.path / "gates.png", "step 3");
  EXPECT_EQ(testing::read_bytes(dir.path / "gates.png").substr(0, 8), testing::kPngSignature);
}

}  // namespace
}  // namespace bnlstm
