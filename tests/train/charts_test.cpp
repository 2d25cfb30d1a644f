// The forecasting pictures' content, checked on the chart descriptions and gnuplot scripts
// (no gnuplot needed).
#include "bnlstm/train/charts.hpp"

#include <fmt/core.h>
#include <gtest/gtest.h>

#include <cmath>

#include "bnlstm/train/workflow.hpp"
#include "train/synthetic.hpp"

namespace bnlstm {
namespace {

TrainingHistory history(std::vector<double> val, int best) {
  TrainingHistory h;
  h.loss = "mse";
  for (size_t i = 0; i < val.size(); ++i)
    h.epochs.push_back({static_cast<int>(i + 1), 2 * val[i], val[i]});
  h.best_epoch = best;
  return h;
}

TEST(TrainCharts, LossChartNamesTheScaledLossAndMarksTheKeptEpoch) {
  const TrainingHistory h = history({0.5, 0.2, 0.3}, 2);
  LossChartOptions o;
  o.persistence_loss = 0.25;
  const LineChart c = loss_history_chart(h, o);
  EXPECT_EQ(c.ylabel, "MSE of scaled values");
  EXPECT_FALSE(c.log_y);  // 0.2..1.0: less than two decades
  ASSERT_EQ(c.series.size(), 3u);
  EXPECT_EQ(c.series[1].title, "validation loss");
  EXPECT_EQ(c.series[2].title, "persistence on the validation part");
  ASSERT_EQ(c.markers.size(), 1u);
  EXPECT_EQ(c.markers[0].x, 2);
  EXPECT_EQ(c.markers[0].y, 0.2);
  EXPECT_EQ(c.markers[0].title, "kept: epoch 2 (validation loss 0.2)");
  const std::string script = line_script(c).text();
  EXPECT_NE(script.find("set arrow from 2, graph 0 to 2, graph 1 nohead"), std::string::npos);
  EXPECT_NE(script.find("title 'kept: epoch 2 (validation loss 0.2)'"), std::string::npos);
}

TEST(TrainCharts, LossChartGoesLogarithmicBeyondTwoDecadesAndSaysTestWhenItWasTheTest) {
  TrainingHistory h = history({0.5, 0.002, 0.003}, 2);
  EXPECT_TRUE(loss_needs_log_axis(h));  // 1.0 / 0.002 = 500
  EXPECT_TRUE(loss_history_chart(h, false).log_y);
  EXPECT_EQ(loss_history_chart(h, false).ylabel, "MSE of scaled values (log scale)");
  EXPECT_TRUE(loss_history_chart(history({0.5, 0.4}, 2), true).log_y);  // asked for
  h.part = ValidationPart::test;
  const LineChart c = loss_history_chart(h, false);
  EXPECT_EQ(c.series[1].title, "test loss");
  EXPECT_NE(c.title.find("test"), std::string::npos);
  EXPECT_EQ(c.markers[0].title, "kept: epoch 2 (test loss 0.002)");
  // the starting weights kept
  h.epochs.insert(h.epochs.begin(), EpochRecord{0, 0.001, 0.001});
  h.best_epoch = 0;
  EXPECT_EQ(loss_history_chart(h, false).markers[0].title,
            "kept: epoch 0, the starting weights (test loss 0.001)");
}

TEST(TrainCharts, ForecastChartShowsPersistenceAndTheErrorsWithTheirRmse) {
  TrainRunOptions o;
  o.data.split = {0.6, 0.2};
  o.data.windows.horizon = 2;
  o.network.hidden_size = 4;
  o.training.epochs = 1;
  o.season = 5;
  const TrainRun run = run_training(testing::synthetic_series(120), o);
  const RangeForecast& f = run.test;
  const Index N = static_cast<Index>(f.windows.size());
  ForecastChartOptions co;
  co.step = 2;
  co.last = 10;
  co.rolling = 3;
  const PanelChart c = forecasts_chart(f, run.data.windows, "Close", co);
  ASSERT_EQ(c.panels.size(), 2u);
  const DatePanel& lines = c.panels[0];
  ASSERT_EQ(lines.series.size(), 4u);
  EXPECT_EQ(lines.series[2].title, "persistence (last value)");
  EXPECT_EQ(lines.series[3].title, "seasonal naive (5 rows)");
  ASSERT_EQ(lines.series[0].values.size(), 10u);
  EXPECT_EQ(lines.series[0].values.back(), f.actual(N - 1, 1));
  EXPECT_EQ(lines.series[2].values.front(), f.persistence(N - 10, 1));
  EXPECT_EQ(lines.series[0].dates.back(),
            format_date(run.data.windows.target_date(f.windows.back(), 1)));
  // errors: RMSE of the shown rows in the legend, rolling mean |error| as the line
  const DatePanel& errs = c.panels[1];
  double sq = 0;
  for (Index n = N - 10; n < N; ++n) sq += std::pow(f.persistence(n, 1) - f.actual(n, 1), 2);
  EXPECT_EQ(errs.series[1].title, fmt::format("persistence (RMSE {:.4g})", std::sqrt(sq / 10)));
  const double e0 = std::abs(f.persistence(N - 10, 1) - f.actual(N - 10, 1));
  const double e1 = std::abs(f.persistence(N - 9, 1) - f.actual(N - 9, 1));
  EXPECT_DOUBLE_EQ(errs.series[1].values[1], (e0 + e1) / 2);
  EXPECT_NE(c.title.find("the last 10 of"), std::string::npos) << c.title;
  EXPECT_NE(c.title.find("step 2 of 2"), std::string::npos) << c.title;
  const std::string script = panel_script(c).text();
  EXPECT_NE(script.find("set multiplot"), std::string::npos);
  EXPECT_NE(script.find("dt 2 title 'persistence (last value)'"), std::string::npos);
  co.step = 3;
  EXPECT_THROW(forecasts_chart(f, run.data.windows, "Close", co), Error);
}

}  // namespace
}  // namespace bnlstm
