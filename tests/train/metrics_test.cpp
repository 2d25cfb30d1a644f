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
  ForecastComparison c{"x", e, e};
  EXPECT_NE(format_comparison(c).find("n/a"), std::string::npos);
}

TEST(Metrics, RejectsMismatchedShapesAndEmptyInput) {
  const MatrixD a(3, 1), b(2, 1), empty(0, 1);
  EXPECT_THROW(forecast_errors(a, b, a, b), Error);
  EXPECT_THROW(forecast_errors(empty, empty, empty, empty), Error);
}

}  // namespace
}  // namespace bnlstm
