#include "bnlstm/train/workflow.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "bnlstm/core/error.hpp"
#include "train/synthetic.hpp"

namespace bnlstm {
namespace {

TrainRunOptions tiny_options() {
  TrainRunOptions o;
  o.data.split = {0.6, 0.2};
  o.data.windows.lookback = 3;
  o.network.hidden_size = 6;
  o.training.epochs = 4;
  o.training.batch_size = 16;
  o.seed = 5;
  return o;
}

TEST(Workflow, IsTheSamePipelineAsTheStepsByHandBitForBit) {
  const TrainRunOptions o = tiny_options();
  const TrainRun run = run_training(testing::synthetic_series(150), o);

  // the same steps by hand, in the order bnlstm train took them before the workflow existed
  Dataset d = make_dataset(testing::synthetic_series(150), o.data);
  ForecasterConfig c;
  c.columns = d.series.columns;
  c.windows = d.windows.spec();
  c.network = o.network;
  Rng rng = make_rng(o.seed);
  Forecaster f(c, d.scaler, rng);
  f.network().head().weight().value.setZero();  // the default zero head
  const TrainingHistory h = Trainer<float>(f.network(), d.windows, o.training)
                                .fit(d.split.train_windows, d.split.validation_windows, rng);
  const RangeForecast test = evaluate_range(f, d.windows, d.split.test_windows, "test");

  ASSERT_EQ(run.history.epochs.size(), h.epochs.size());
  for (size_t i = 0; i < h.epochs.size(); ++i) {
    EXPECT_EQ(run.history.epochs[i].train_loss, h.epochs[i].train_loss);
    EXPECT_EQ(run.history.epochs[i].val_loss, h.epochs[i].val_loss);
  }
  EXPECT_EQ(run.test.predicted, test.predicted);
  EXPECT_EQ(run.test.comparison.model.rmse, test.comparison.model.rmse);
  EXPECT_EQ(run.history.part, ValidationPart::validation);
  EXPECT_EQ(run.validation, d.split.validation_windows);
  EXPECT_FALSE(run.validated_on_test);
  EXPECT_GT(run.parameters, 0);
  // MASE against persistence on the training rows
  EXPECT_DOUBLE_EQ(run.test.comparison.model.mase,
                   run.test.comparison.model.mae /
                       naive_scale(d.windows.target_prices(), 0, d.split.train_rows.end, 1));
  // provenance filled
  EXPECT_EQ(run.forecaster.data().rows, 150);
  EXPECT_EQ(run.forecaster.data().split.test_rows, d.split.test_rows);
}

// A default TrainRunOptions is `bnlstm train` without flags (docs/workflow.md, issue 11).
TEST(Workflow, DefaultsAreThoseOfTheCommandLine) {
  const TrainRunOptions o;
  EXPECT_EQ(o.data.split.train, 0.7);
  EXPECT_EQ(o.data.split.validation, 0.1);
  EXPECT_FALSE(o.validate_on_test);
  EXPECT_TRUE(o.zero_head);
  EXPECT_TRUE(o.training.score_initial);
  EXPECT_EQ(o.training.delta, 0.0);
  EXPECT_EQ(o.data.scaler, ScalerKind::z_score);
  EXPECT_EQ(o.data.windows.target, Target::delta);
  EXPECT_EQ(o.network.init, InitScheme::xavier);
  // so a run with nothing set trains, validates on its own part and starts at persistence
  TrainRunOptions small;
  small.network.hidden_size = 4;
  small.training.epochs = 1;
  const TrainRun run = run_training(testing::synthetic_series(150), small);
  EXPECT_EQ(run.history.part, ValidationPart::validation);
  EXPECT_EQ(run.history.epochs.front().epoch, 0);
  EXPECT_NEAR(run.history.epochs.front().val_loss, run.persistence_validation_loss,
              1e-6 * run.persistence_validation_loss);
}

TEST(Workflow, NeedsAValidationPartUnlessTheTestPartIsChosenExplicitly) {
  TrainRunOptions o = tiny_options();
  o.data.split = {0.7, 0.0};
  EXPECT_THROW(run_training(testing::synthetic_series(150), o), Error);
  o.validate_on_test = true;
  const TrainRun run = run_training(testing::synthetic_series(150), o);
  EXPECT_TRUE(run.validated_on_test);
  EXPECT_EQ(run.validation, run.data.split.test_windows);
  // every output names the curve for what it is
  EXPECT_EQ(run.history.part, ValidationPart::test);
  EXPECT_EQ(run.history.to_csv().rfind("epoch,train_loss,test_loss\n", 0), 0u);
  EXPECT_NE(run.history.to_json().find("\"test_loss\""), std::string::npos);
  EXPECT_EQ(run.history.to_json().find("\"val_loss\""), std::string::npos);
  EXPECT_EQ(run.history.part_label(), "test loss");
  // both at once is a contradiction
  o.data.split = {0.6, 0.2};
  EXPECT_THROW(run_training(testing::synthetic_series(150), o), Error);
}

TEST(Workflow, ReportsTheSeasonalBaselineWhenGivenASeason) {
  TrainRunOptions o = tiny_options();
  o.season = 20;
  const TrainRun run = run_training(testing::synthetic_series(150), o);
  ASSERT_TRUE(run.test.comparison.seasonal.has_value());
  EXPECT_EQ(run.test.comparison.season, 20);
  EXPECT_EQ(run.test.seasonal.rows(), run.test.predicted.rows());
  // the first test forecast's seasonal naive value is the price 20 rows before its target
  const Index i = run.test.windows.front();
  const Index target_row = run.data.windows.first_target_row(i);
  EXPECT_EQ(run.test.seasonal(0, 0), run.data.series.values(target_row - 20, 0));
  // MASE is now scaled by the seasonal naive forecast's in-sample error
  EXPECT_DOUBLE_EQ(run.test.comparison.model.mase,
                   run.test.comparison.model.mae / naive_scale(run.data.windows.target_prices(), 0,
                                                               run.data.split.train_rows.end, 20));
  EXPECT_NE(forecasts_csv(run.test, run.data.windows).find("seasonal_naive"), std::string::npos);
  o.season = 1000;
  EXPECT_THROW(run_training(testing::synthetic_series(150), o), Error);
}

// The defaults of `bnlstm train` (--head-init zero, epoch 0 scored): with a delta target the
// untrained model IS the persistence forecast, and a run whose every epoch is worse keeps it.
TEST(Workflow, AZeroHeadStartsAtPersistenceAndEpochZeroKeepsItWhenTrainingOnlyHurts) {
  TrainRunOptions o = tiny_options();
  o.zero_head = true;
  o.training.score_initial = true;
  o.training.optimizer = OptimizerKind::adam;
  o.training.optimizer_config.lr = 0.5;  // steps of about 0.5 on every weight: every epoch worse
  o.training.epochs = 2;
  const TrainRun run = run_training(testing::synthetic_series(150), o);
  ASSERT_EQ(run.history.epochs.front().epoch, 0);
  // epoch 0's validation loss is the persistence forecast's on the same windows (float sums)
  EXPECT_NEAR(run.history.epochs[0].val_loss, run.persistence_validation_loss,
              1e-6 * run.persistence_validation_loss);
  for (size_t i = 1; i < run.history.epochs.size(); ++i)
    ASSERT_GT(run.history.epochs[i].val_loss, run.history.epochs[0].val_loss)
        << "precondition: epoch " << i;
  EXPECT_EQ(run.history.best_epoch, 0);
  // and the test forecasts are the persistence forecasts (float rounding of price + 0)
  ASSERT_EQ(run.test.predicted.rows(), run.test.persistence.rows());
  EXPECT_LT((run.test.predicted - run.test.persistence).cwiseAbs().maxCoeff(),
            1e-5 * run.test.persistence.cwiseAbs().maxCoeff());
  EXPECT_NEAR(run.test.comparison.model.rmse, run.test.comparison.baseline.rmse,
              1e-5 * run.test.comparison.baseline.rmse);

  // without epoch 0 the same run keeps its least bad epoch, worse than persistence
  o.training.score_initial = false;
  const TrainRun worse = run_training(testing::synthetic_series(150), o);
  EXPECT_GE(worse.history.best_epoch, 1);
  EXPECT_GT(worse.test.comparison.model.rmse, 1.01 * worse.test.comparison.baseline.rmse);
}

// --horizon > 1: the errors of every step, in the table's JSON, are those of that step's column.
TEST(Workflow, ErrorsPerHorizonStepAreThoseOfEachStepsForecasts) {
  TrainRunOptions o = tiny_options();
  o.data.windows.horizon = 3;
  o.season = 10;
  const TrainRun run = run_training(testing::synthetic_series(150), o);
  const ForecastComparison& c = run.test.comparison;
  ASSERT_EQ(c.model_steps.size(), 3u);
  ASSERT_EQ(c.baseline_steps.size(), 3u);
  ASSERT_EQ(c.seasonal_steps.size(), 3u);
  const auto rmse = [](const MatrixD& p, const MatrixD& a, Index k) {
    return std::sqrt((p.col(k) - a.col(k)).squaredNorm() / static_cast<double>(p.rows()));
  };
  const nlohmann::json j = nlohmann::json::parse(comparison_json(c));
  ASSERT_EQ(j["by_step"].size(), 3u);
  for (Index k = 0; k < 3; ++k) {
    const double m = rmse(run.test.predicted, run.test.actual, k);
    const double p = rmse(run.test.persistence, run.test.actual, k);
    const double s = rmse(run.test.seasonal, run.test.actual, k);
    EXPECT_NEAR(c.model_steps[static_cast<size_t>(k)].rmse, m, 1e-9 * m) << "step " << k + 1;
    EXPECT_NEAR(c.baseline_steps[static_cast<size_t>(k)].rmse, p, 1e-9 * p) << "step " << k + 1;
    const auto& js = j["by_step"][static_cast<size_t>(k)];
    EXPECT_EQ(js["step"].get<int>(), k + 1);
    EXPECT_NEAR(js["model"]["rmse"].get<double>(), m, 1e-9 * m);
    EXPECT_NEAR(js["persistence"]["rmse"].get<double>(), p, 1e-9 * p);
    EXPECT_NEAR(js["seasonal_naive"]["rmse"].get<double>(), s, 1e-9 * s);
  }
  // persistence repeats the last value: its error grows with the step on a trending series
  EXPECT_LT(c.baseline_steps[0].rmse, c.baseline_steps[2].rmse);
  // the CSV names each forecast's origin (the last observed date) beside its target date
  const std::string csv = forecasts_csv(run.test, run.data.windows);
  const Index i = run.test.windows.front();
  const Index origin = run.data.windows.first_target_row(i) - 1;
  EXPECT_NE(csv.find("\n" + format_date(run.data.series.dates[static_cast<size_t>(origin)]) + "," +
                     format_date(run.data.series.dates[static_cast<size_t>(origin + 3)]) + ",3,"),
            std::string::npos)
      << csv.substr(0, 300);
}

TEST(Workflow, ShouldStopEndsTheRun) {
  TrainRunOptions o = tiny_options();
  o.training.epochs = 50;
  o.training.patience = 0;
  int epochs = 0;
  TrainCallbacks cb;
  cb.on_epoch = [&](const EpochRecord&, const EarlyStopping&) { ++epochs; };
  cb.should_stop = [&] { return epochs == 3; };
  const TrainRun run = run_training(testing::synthetic_series(150), o, cb);
  EXPECT_EQ(run.history.epochs.size(), 3u);
  EXPECT_TRUE(run.history.stopped_by_request);
}

TEST(Workflow, SelectsColumnsAsTheCommandLineDoes) {
  ForecastColumns c = select_columns({}, "");
  EXPECT_TRUE(c.load.empty());
  EXPECT_EQ(c.inputs, std::vector<Index>{0});
  c = select_columns({"Open", "Close"}, "");
  EXPECT_EQ(c.load, (std::vector<std::string>{"Open", "Close"}));
  EXPECT_EQ(c.target, 0);
  c = select_columns({"Open", "Close"}, "close");
  EXPECT_EQ(c.target, 1);
  c = select_columns({"Open"}, "Close");
  EXPECT_EQ(c.load, (std::vector<std::string>{"Open", "Close"}));
  EXPECT_EQ(c.inputs, std::vector<Index>{0});
  EXPECT_EQ(c.target, 1);
}

}  // namespace
}  // namespace bnlstm
