// The forecasting study on a tiny series: every run is run_training with the variant's norm,
// optimizer and seed (bit for bit), the per-run measures (epochs to a threshold of the
// persistence loss, test ratio) follow from the histories, the summaries (median, worst, mean,
// std, curves) from the runs, and the table and JSON say so.
#include "bnlstm/train/forecast_study.hpp"

#include <fmt/core.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "bnlstm/core/error.hpp"
#include "train/synthetic.hpp"

namespace bnlstm {
namespace {

ForecastStudyOptions tiny_study() {
  ForecastStudyOptions o;
  o.run.data.split = {0.6, 0.2};
  o.run.data.windows.lookback = 3;
  o.run.network.hidden_size = 6;
  o.run.training.epochs = 4;
  o.run.training.patience = 4;
  o.run.training.batch_size = 16;
  o.run.training.score_initial = true;  // epoch 0, as bnlstm train scores it
  o.norms = {LstmNorm::none, LstmNorm::batch};
  ForecastStudyOptimizer sgd{"sgd", OptimizerKind::sgd, {}};
  sgd.config.lr = 0.05;
  ForecastStudyOptimizer adam{"adam", OptimizerKind::adam, {}};
  adam.config.lr = 0.01;
  o.optimizers = {sgd, adam};
  o.seeds = {1, 2};
  o.thresholds = {0.9, 0.01};
  return o;
}

TEST(ForecastStudy, EachRunIsRunTrainingWithItsVariantAndSeed) {
  const Series series = testing::synthetic_series(150);
  const ForecastStudyOptions o = tiny_study();
  std::vector<std::string> started;
  ForecastStudyCallbacks cb;
  cb.on_start = [&](size_t run, size_t runs, const std::string& label, uint64_t seed) {
    started.push_back(std::to_string(run) + "/" + std::to_string(runs) + " " + label + " " +
                      std::to_string(seed));
  };
  size_t finished = 0;
  cb.on_run = [&](const ForecastStudyRun&, const ForecastVariantSummary&) { ++finished; };
  const ForecastStudyResult r = run_forecast_study(series, o, cb);
  ASSERT_EQ(r.runs.size(), 8u);
  EXPECT_EQ(finished, 8u);
  // seed-major, then optimizer-major variants: none/sgd, batch/sgd, none/adam, batch/adam
  EXPECT_EQ(started.front(), "1/8 none/sgd 1");
  EXPECT_EQ(started[3], "4/8 batch/adam 1");
  EXPECT_EQ(started.back(), "8/8 batch/adam 2");
  ASSERT_EQ(r.variants.size(), 4u);
  EXPECT_EQ(r.variants[2].label, "none/adam");

  // run 7 (seed 2, none/adam) by hand
  TrainRunOptions by_hand = o.run;
  by_hand.network.norm = LstmNorm::none;
  by_hand.training.optimizer = OptimizerKind::adam;
  by_hand.training.optimizer_config.lr = 0.01;
  by_hand.seed = 2;
  const TrainRun expected = run_training(series, by_hand);
  const ForecastStudyRun& run = r.runs[6];
  EXPECT_EQ(run.seed, 2u);
  EXPECT_EQ(run.variant, 2u);
  ASSERT_EQ(run.history.epochs.size(), expected.history.epochs.size());
  for (size_t e = 0; e < run.history.epochs.size(); ++e)
    EXPECT_EQ(run.history.epochs[e].val_loss, expected.history.epochs[e].val_loss);
  EXPECT_EQ(run.test_rmse, expected.test.comparison.model.rmse);
  EXPECT_EQ(run.persistence_test_rmse, expected.test.comparison.baseline.rmse);
  EXPECT_EQ(run.persistence_validation_loss, expected.persistence_validation_loss);
  // the norms differ, the optimizers differ
  EXPECT_NE(r.runs[4].test_rmse, r.runs[5].test_rmse);
  EXPECT_NE(r.runs[4].test_rmse, r.runs[6].test_rmse);

  // epochs to a threshold: the first epoch at or below it, from the history
  for (const ForecastStudyRun& x : r.runs) {
    ASSERT_EQ(x.epochs_to.size(), 2u);
    std::optional<int> first;
    for (const EpochRecord& e : x.history.epochs)
      if (e.val_loss <= 0.9 * x.persistence_validation_loss) {
        first = e.epoch;
        break;
      }
    EXPECT_EQ(x.epochs_to[0], first);
    EXPECT_FALSE(x.epochs_to[1].has_value());  // 1 % of persistence's loss: not in 4 epochs
  }

  // summaries over the two seeds
  const ForecastVariantSummary& v = r.variants[1];  // batch/sgd: runs 2 and 6
  const double a = r.runs[1].test_ratio(), b = r.runs[5].test_ratio();
  EXPECT_EQ(v.seeds, 2);
  EXPECT_DOUBLE_EQ(v.test_ratio_median, (a + b) / 2);
  EXPECT_DOUBLE_EQ(v.test_ratio_worst, std::max(a, b));
  EXPECT_DOUBLE_EQ(v.test_ratio_std, std::abs(a - b) / std::sqrt(2.0));
  ASSERT_EQ(v.epochs.size(), 5u);  // epochs 0..4
  EXPECT_EQ(v.epochs[0], 0);
  EXPECT_DOUBLE_EQ(
      v.val_ratio_min[4],
      std::min(r.runs[1].history.epochs[4].val_loss / r.runs[1].persistence_validation_loss,
               r.runs[5].history.epochs[4].val_loss / r.runs[5].persistence_validation_loss));
  EXPECT_LE(v.val_ratio_min[2], v.val_ratio_mean[2]);
  EXPECT_LE(v.val_ratio_mean[2], v.val_ratio_max[2]);

  const std::string table = forecast_study_table(r);
  EXPECT_NE(table.find("| epochs to val. loss <= 0.9 x persistence |"), std::string::npos) << table;
  EXPECT_NE(table.find("| never (0/2) |"), std::string::npos) << table;
  EXPECT_NE(table.find(fmt::format("| batch/sgd | 2 | {:.4f} | {:.4f} |", v.test_ratio_median,
                                   v.test_ratio_worst)),
            std::string::npos)
      << table;
  const auto j = nlohmann::json::parse(forecast_study_json(r));
  EXPECT_EQ(j["variants"].size(), 4u);
  EXPECT_EQ(j["runs"].size(), 8u);
  EXPECT_EQ(j["runs"][6]["variant"], "none/adam");
  EXPECT_TRUE(j["variants"][0]["epochs_to_threshold"][1][0].is_null());
}

TEST(ForecastStudy, RejectsWhatItCannotMeasure) {
  const Series series = testing::synthetic_series(150);
  ForecastStudyOptions o = tiny_study();
  o.thresholds = {1.5};
  EXPECT_THROW(run_forecast_study(series, o), Error);
  o = tiny_study();
  o.optimizers.clear();
  EXPECT_THROW(run_forecast_study(series, o), Error);
  o = tiny_study();
  o.run.validate_on_test = true;
  o.run.data.split = {0.7, 0.0};
  EXPECT_THROW(run_forecast_study(series, o), Error);
}

}  // namespace
}  // namespace bnlstm
