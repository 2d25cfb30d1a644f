#include "bnlstm/train/workflow.hpp"

#include <gtest/gtest.h>

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
