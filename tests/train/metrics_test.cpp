#include "bnlstm/train/metrics.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "bnlstm/core/error.hpp"

namespace bnlstm {
namespace {

// Prices 100, 110, 99, 121; look-back 1, horizon 1: three forecasts of 110, 99, 121 made from
// 100, 110, 99. Min-max scaling over the series: s = (p - 99) / 22.
struct Tiny {
  MatrixD actual{{110}, {99}, {121}};
  VectorD last{{100, 110, 99}};
  MatrixD model{{108}, {100}, {120}};  // errors -2, +1, -1
  static MatrixD scaled(const MatrixD& p) { return (p.array() - 99.0) / 22.0; }
};

TEST(Metrics, ModelErrorsOnHandComputedSeries) {
  Tiny t;
  const ForecastErrors e =
      forecast_errors(t.model, t.actual, Tiny::scaled(t.model), Tiny::scaled(t.actual));
  EXPECT_EQ(e.count, 3);
  EXPECT_DOUBLE_EQ(e.rmse, std::sqrt(2.0));  // (4 + 1 + 1) / 3 = 2
  EXPECT_DOUBLE_EQ(e.mae, 4.0 / 3.0);        // (2 + 1 + 1) / 3
  EXPECT_DOUBLE_EQ(e.mape, 100.0 * (2.0 / 110 + 1.0 / 99 + 1.0 / 121) / 3);
  EXPECT_DOUBLE_EQ(e.mse_scaled, 2.0 / (22.0 * 22.0));
}

TEST(Metrics, PersistenceBaselineOnHandComputedSeries) {
  Tiny t;
  const MatrixD p = persistence_forecast(t.last, 1);
  ASSERT_EQ(p.rows(), 3);
  EXPECT_EQ(p(0, 0), 100);
  EXPECT_EQ(p(2, 0), 99);
  const ForecastErrors e = forecast_errors(p, t.actual, Tiny::scaled(p), Tiny::scaled(t.actual));
  // errors -10, +11, -22: squares 100 + 121 + 484 = 705
  EXPECT_DOUBLE_EQ(e.rmse, std::sqrt(235.0));
  EXPECT_DOUBLE_EQ(e.mae, 43.0 / 3.0);
  // 10/110 + 11/99 + 22/121 = 1/11 + 1/9 + 2/11 = 38/99
  EXPECT_DOUBLE_EQ(e.mape, 100.0 * 38.0 / 297.0);
  EXPECT_DOUBLE_EQ(e.mse_scaled, 235.0 / 484.0);
}

TEST(Metrics, PersistenceRepeatsTheLastValueOverTheHorizon) {
  const MatrixD p = persistence_forecast(VectorD{{5, 7}}, 3);
  EXPECT_EQ(p, (MatrixD{{5, 5, 5}, {7, 7, 7}}));
}

TEST(Metrics, ComparisonSaysPlainlyWhenTheModelLoses) {
  Tiny t;
  ForecastComparison c;
  c.label = "test";
  const MatrixD p = persistence_forecast(t.last, 1);
  c.baseline = forecast_errors(t.model, t.actual, Tiny::scaled(t.model), Tiny::scaled(t.actual));
  c.model = forecast_errors(p, t.actual, Tiny::scaled(p), Tiny::scaled(t.actual));
  EXPECT_FALSE(c.model_beats_baseline());
  const std::string table = format_comparison(c);
  EXPECT_NE(table.find("verdict: the model does NOT beat persistence"), std::string::npos) << table;
  std::swap(c.model, c.baseline);
  EXPECT_TRUE(c.model_beats_baseline());
  EXPECT_NE(format_comparison(c).find("verdict: the model beats persistence"), std::string::npos);
}

TEST(Metrics, MapeIsNotANumberWhenAnActualIsZeroAndShownAsNA) {
  const MatrixD a{{0}, {2}}, p{{1}, {2}};
  const ForecastErrors e = forecast_errors(p, a, p, a);
  EXPECT_TRUE(std::isnan(e.mape));
  ForecastComparison c;
  c.label = "x";
  c.model = c.baseline = e;
  EXPECT_NE(format_comparison(c).find("n/a"), std::string::npos);
}

// A season of 3 rows: 1 2 3 | 2 3 4 | 3 4 5 | ... (each season one higher)
VectorD seasonal_series(Index rows) {
  VectorD v(rows);
  for (Index t = 0; t < rows; ++t) v[t] = static_cast<double>(1 + t % 3 + t / 3);
  return v;
}

TEST(Metrics, SeasonalNaiveTakesTheSamePhaseOfTheLastSeason) {
  const VectorD v = seasonal_series(12);  // 1 2 3 2 3 4 3 4 5 4 5 6
  // origins with last observed rows 5 and 7, four steps (the fourth wraps to the season before)
  const MatrixD f = seasonal_naive_forecast(v, {5, 7}, 4, 3);
  // from row 5: targets rows 6, 7, 8, 9 <- rows 3, 4, 5 and, for h = 4, 5 + 4 - 3 * 2 = 3;
  // from row 7: rows 5, 6, 7, 5
  EXPECT_EQ(f, (MatrixD{{2, 3, 4, 2}, {4, 3, 4, 4}}));
  // a season of 1 is persistence
  EXPECT_EQ(seasonal_naive_forecast(v, {5, 7}, 2, 1), persistence_forecast(VectorD{{4, 4}}, 2));
  // a season reaching before row 0 is an error
  EXPECT_THROW(seasonal_naive_forecast(v, {1}, 1, 3), Error);
  EXPECT_THROW(seasonal_naive_forecast(v, {5}, 1, 0), Error);
}

TEST(Metrics, NaiveScaleIsTheInSampleErrorOfTheNaiveForecast) {
  const VectorD v = seasonal_series(12);
  // seasonal: |v[t] - v[t-3]| = 1 for every t >= 3
  EXPECT_DOUBLE_EQ(naive_scale(v, 0, 12, 3), 1.0);
  // persistence over rows 0..5 (1 2 3 2 3 4): |1| + |1| + |-1| + |1| + |1| = 5, five pairs
  EXPECT_DOUBLE_EQ(naive_scale(v, 0, 6, 1), 1.0);
  // rows 2..5 (3 2 3 4): 1 + 1 + 1 over three pairs
  EXPECT_DOUBLE_EQ(naive_scale(v, 2, 6, 1), 1.0);
  const VectorD w{{0, 2, 6, 6}};
  EXPECT_DOUBLE_EQ(naive_scale(w, 0, 4, 1), 2.0);  // (2 + 4 + 0) / 3
  EXPECT_DOUBLE_EQ(naive_scale(w, 0, 4, 2), 5.0);  // (6 + 4) / 2
  EXPECT_THROW(naive_scale(w, 0, 2, 2), Error);
}

TEST(Metrics, MaseDividesTheMeanAbsoluteErrorByTheNaiveScale) {
  Tiny t;
  const ForecastErrors e =
      forecast_errors(t.model, t.actual, Tiny::scaled(t.model), Tiny::scaled(t.actual), 2.0);
  EXPECT_DOUBLE_EQ(e.mase, (4.0 / 3.0) / 2.0);
  EXPECT_TRUE(std::isnan(forecast_errors(t.model, t.actual, t.model, t.actual).mase));
}

TEST(Metrics, ErrorsPerHorizonStep) {
  const MatrixD actual{{10, 20}, {30, 40}}, predicted{{11, 18}, {29, 44}};
  const auto steps = forecast_errors_by_step(predicted, actual, predicted, actual);
  ASSERT_EQ(steps.size(), 2u);
  EXPECT_EQ(steps[0].count, 2);
  EXPECT_DOUBLE_EQ(steps[0].rmse, 1.0);              // errors 1, -1
  EXPECT_DOUBLE_EQ(steps[1].rmse, std::sqrt(10.0));  // errors -2, 4
  EXPECT_DOUBLE_EQ(steps[1].mae, 3.0);
  // pooled: (1 + 1 + 4 + 16) / 4
  EXPECT_DOUBLE_EQ(forecast_errors(predicted, actual, predicted, actual).rmse, std::sqrt(5.5));
}

TEST(Metrics, TableShowsTheSeasonalBaselineAndTheStepsWhenThereAreSome) {
  const MatrixD actual{{10, 20}, {30, 40}}, model{{11, 18}, {29, 44}}, naive{{12, 22}, {33, 33}};
  ForecastComparison c;
  c.label = "test";
  c.model = forecast_errors(model, actual, model, actual, 4.0);
  c.baseline = forecast_errors(naive, actual, naive, actual, 4.0);
  c.seasonal = c.baseline;
  c.season = 12;
  c.mase_season = 12;
  c.model_steps = forecast_errors_by_step(model, actual, model, actual);
  c.baseline_steps = forecast_errors_by_step(naive, actual, naive, actual);
  c.seasonal_steps = c.baseline_steps;
  const std::string table = format_comparison(c);
  EXPECT_NE(table.find("seasonal naive (12 rows)"), std::string::npos) << table;
  EXPECT_NE(table.find("verdict: the model beats seasonal naive"), std::string::npos) << table;
  EXPECT_NE(table.find("MASE"), std::string::npos) << table;
  EXPECT_NE(table.find("seasonal naive forecast (12 rows) on the training rows"), std::string::npos)
      << table;
  // the step table: step 2 RMSE sqrt(10) = 3.1623 vs the baseline's sqrt((4 + 49) / 2) = 5.1478
  EXPECT_NE(table.find("3.1623"), std::string::npos) << table;
  EXPECT_NE(table.find("5.1478"), std::string::npos) << table;
  EXPECT_TRUE(c.model_beats_seasonal());
}

TEST(Metrics, TableKeepsThreeSignificantDigitsOfSmallErrors) {
  // a series in the thousandths: with 4 decimals both RMSEs would print 0.0001, MAE 0.0000
  const MatrixD actual{{0.00287}, {0.00301}}, model{{0.00280}, {0.00312}},
      naive{{0.00296}, {0.00288}};
  ForecastComparison c;
  c.label = "test";
  c.model = forecast_errors(model, actual, model, actual);
  c.baseline = forecast_errors(naive, actual, naive, actual);
  const std::string table = format_comparison(c);
  // RMSE sqrt((0.07^2 + 0.11^2) / 2) e-3 = 0.0000922, MAE 0.00009; baseline 0.000112, 0.00011
  EXPECT_NE(table.find("(RMSE 0.0000922 vs 0.0001118, -17.5%)"), std::string::npos) << table;
  EXPECT_NE(table.find("0.0000900"), std::string::npos) << table;
  // errors of 0.01 and more keep 4 decimals (3.1623 above)
  c.model = forecast_errors(MatrixD{{1.0}}, MatrixD{{1.5}}, MatrixD{{1.0}}, MatrixD{{1.5}});
  c.baseline = c.model;
  EXPECT_NE(format_comparison(c).find("(RMSE 0.5000 vs 0.5000, +0.0%)"), std::string::npos);
}

TEST(Metrics, RejectsMismatchedShapesAndEmptyInput) {
  const MatrixD a(3, 1), b(2, 1), empty(0, 1);
  EXPECT_THROW(forecast_errors(a, b, a, b), Error);
  EXPECT_THROW(forecast_errors(empty, empty, empty, empty), Error);
}

}  // namespace
}  // namespace bnlstm
