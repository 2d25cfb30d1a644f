#include "bnlstm/train/evaluation.hpp"

#include <gtest/gtest.h>

#include "bnlstm/core/error.hpp"
#include "bnlstm/train/trainer.hpp"
#include "train/synthetic.hpp"

namespace bnlstm {
namespace {

Forecaster trained(const Dataset& d, LstmNorm norm) {
  ForecasterConfig c;
  c.columns = d.series.columns;
  c.windows = d.windows.spec();
  c.network.hidden_size = 6;
  c.network.norm = norm;
  Rng rng(8);
  Forecaster f(c, d.scaler, rng);
  TrainOptions o;
  o.epochs = 3;
  o.batch_size = 16;
  o.optimizer = OptimizerKind::adam;
  Trainer<float>(f.network(), d.windows, o)
      .fit(d.split.train_windows, d.split.validation_windows, rng);
  return f;
}

void check(Target target) {
  const Dataset d = testing::synthetic_dataset(140, 2, 1, target);
  Forecaster f = trained(d, LstmNorm::batch);
  const RangeForecast r = evaluate_range(f, d.windows, d.split.test_windows, "test");
  const Index N = d.split.test_windows.size();
  ASSERT_EQ(r.predicted.rows(), N);
  // persistence: the last observed price; actual: the next one
  for (Index n = 0; n < N; ++n) {
    const Index i = d.split.test_windows.begin + n;
    EXPECT_EQ(r.persistence(n, 0), d.series.values(i + 1, 0));
    EXPECT_EQ(r.actual(n, 0), d.series.values(i + 2, 0));
    EXPECT_EQ(r.last_dates[static_cast<size_t>(n)], d.series.dates[static_cast<size_t>(i + 1)]);
  }
  // MSE(scaled) of the model is the training loss (MSE) on the same windows, for both targets
  Trainer<float> t(f.network(), d.windows, TrainOptions{});
  const double loss = t.evaluate(d.split.test_windows);
  EXPECT_NEAR(r.comparison.model.mse_scaled, loss, 1e-5 * loss) << to_string(target);
  // persistence RMSE by hand
  double sq = 0;
  for (Index n = 0; n < N; ++n) sq += std::pow(r.actual(n, 0) - r.persistence(n, 0), 2);
  EXPECT_DOUBLE_EQ(r.comparison.baseline.rmse, std::sqrt(sq / static_cast<double>(N)));
}

TEST(Evaluation, DeltaModelScaledMseEqualsItsLossAndBaselineIsPersistence) {
  check(Target::delta);
}
TEST(Evaluation, LevelModelScaledMseEqualsItsLossAndBaselineIsPersistence) {
  check(Target::level);
}

TEST(Evaluation, CsvHasOneRowPerTargetWithItsDate) {
  const Dataset d = testing::synthetic_dataset(60, 1, 2, Target::delta);
  Forecaster f = trained(d, LstmNorm::none);
  const RangeForecast r = evaluate_range(f, d.windows, Range{0, 2}, "first");
  const std::string csv = forecasts_csv(r, d.windows);
  // window 0 of look-back 1: origin row 0, targets rows 1 and 2
  EXPECT_EQ(
      csv.rfind("origin,date,step,actual,predicted,persistence\n" + format_date(d.series.dates[0]) +
                    "," + format_date(d.series.dates[1]) + ",1,",
                0),
      0u)
      << csv;
  EXPECT_NE(csv.find(format_date(d.series.dates[0]) + "," + format_date(d.series.dates[2]) + ",2,"),
            std::string::npos)
      << csv;
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 5);
  EXPECT_NE(comparison_json(r.comparison).find("\"model_beats_persistence\""), std::string::npos);
}

TEST(Evaluation, RejectsAnEmptyRange) {
  const Dataset d = testing::synthetic_dataset(60, 1, 1, Target::delta);
  Forecaster f = trained(d, LstmNorm::none);
  EXPECT_THROW(evaluate_range(f, d.windows, Range{3, 3}, "validation"), Error);
}

}  // namespace
}  // namespace bnlstm
