#include "bnlstm/train/backtest.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "bnlstm/core/error.hpp"
#include "train/synthetic.hpp"

namespace bnlstm {
namespace {

TEST(Backtest, FoldsExpandTheTrainingRowsAndCoverEveryLaterRowOnce) {
  // 100 rows, train 0.6, validation 0.1: the first fold forecasts from row 70, 10 rows a fold
  const auto folds = plan_folds(100, 1, 1, {0.6, 0.1}, 10);
  ASSERT_EQ(folds.size(), 3u);
  EXPECT_EQ(folds[0].rows, (Range{70, 80}));
  EXPECT_EQ(folds[0].train_rows, (Range{0, 60}));
  EXPECT_EQ(folds[0].validation_rows, (Range{60, 70}));
  EXPECT_EQ(folds[1].train_rows, (Range{0, 70}));
  EXPECT_EQ(folds[1].validation_rows, (Range{70, 80}));
  EXPECT_EQ(folds[2].rows, (Range{90, 100}));
  EXPECT_EQ(folds[2].train_rows, (Range{0, 80}));
  // window i's first target is row i + 1
  EXPECT_EQ(folds[0].windows, (Range{69, 79}));
  EXPECT_EQ(folds[2].windows, (Range{89, 99}));
  // a shorter last fold; horizon 3 drops the last origins whose targets run past the data
  const auto h3 = plan_folds(100, 2, 3, {0.6, 0.1}, 12);
  ASSERT_EQ(h3.size(), 3u);
  EXPECT_EQ(h3[2].rows, (Range{94, 100}));
  EXPECT_EQ(h3[2].windows, (Range{92, 96}));  // 100 - 2 - 3 + 1 = 96 windows in all
  EXPECT_THROW(plan_folds(100, 1, 1, {0.6, 0.1}, 0), Error);
  EXPECT_THROW(plan_folds(100, 1, 1, {0.9, 0.1}, 10), Error);
}

BacktestOptions tiny(Index fold_rows, bool refit) {
  BacktestOptions o;
  o.run.data.split = {0.6, 0.1};
  o.run.data.windows.lookback = 2;
  o.run.network.hidden_size = 4;
  o.run.training.epochs = 2;
  o.run.training.batch_size = 16;
  o.run.seed = 3;
  o.run.season = 5;
  o.fold_rows = fold_rows;
  o.refit = refit;
  return o;
}

TEST(Backtest, FoldDatesForecastsAndPooledErrors) {
  const Series s = testing::synthetic_series(120);
  int progress = 0;
  BacktestCallbacks cb;
  cb.on_fold = [&](const BacktestFold& f, int folds) {
    EXPECT_EQ(f.index, progress++);
    EXPECT_EQ(folds, 3);
  };
  const BacktestResult r = run_backtest(s, tiny(12, true), cb);
  ASSERT_EQ(r.folds.size(), 3u);  // rows 84..95, 96..107, 108..119
  EXPECT_EQ(progress, 3);
  Index total = 0;
  for (const BacktestFold& f : r.folds) {
    const auto d = [&](Index row) { return s.dates[static_cast<size_t>(row)]; };
    EXPECT_EQ(f.first_target, d(f.rows.begin));
    EXPECT_EQ(f.first_origin, d(f.rows.begin - 1));
    EXPECT_EQ(f.last_target, d(f.rows.end - 1));
    EXPECT_TRUE(f.refitted);
    EXPECT_EQ(f.history.epochs.size(), 3u);  // epoch 0 (the default) and two epochs
    EXPECT_EQ(f.comparison.model.count, f.rows.size());
    total += f.comparison.model.count;
  }
  EXPECT_EQ(r.folds[1].train_rows, (Range{0, 84}));
  EXPECT_EQ(total, 36);
  EXPECT_EQ(r.comparison.model.count, 36);
  EXPECT_EQ(r.forecasts.predicted.rows(), 36);
  // the pooled persistence RMSE is that of the pooled rows
  EXPECT_DOUBLE_EQ(r.comparison.baseline.rmse,
                   std::sqrt((r.forecasts.persistence - r.forecasts.actual).squaredNorm() / 36));
  ASSERT_TRUE(r.comparison.seasonal.has_value());
  EXPECT_EQ(r.forecasts.seasonal(0, 0), s.values(84 - 5, 0));
  // files
  const std::string folds = backtest_folds_csv(r, s);
  EXPECT_EQ(folds.rfind("fold,train_end,first_origin,", 0), 0u) << folds;
  EXPECT_NE(folds.find("\n2," + format_date(s.dates[83]) + "," + format_date(s.dates[95]) + ","),
            std::string::npos)
      << folds;
  const std::string csv = backtest_forecasts_csv(r, s, 2);
  EXPECT_NE(csv.find("\n1," + format_date(s.dates[83]) + "," + format_date(s.dates[84]) + ",1,"),
            std::string::npos)
      << csv.substr(0, 200);
  // the JSON: per fold its dates and its own errors (RMSE of that fold's rows), then the pooled
  const nlohmann::json j = nlohmann::json::parse(backtest_json(r, s));
  ASSERT_EQ(j["folds"].size(), 3u);
  Index row = 0;
  for (size_t k = 0; k < 3; ++k) {
    const BacktestFold& f = r.folds[k];
    const auto& jf = j["folds"][k];
    EXPECT_EQ(jf["fold"].get<int>(), static_cast<int>(k) + 1);
    EXPECT_EQ(jf["first_target"].get<std::string>(),
              format_date(s.dates[static_cast<size_t>(f.rows.begin)]));
    EXPECT_EQ(jf["last_target"].get<std::string>(),
              format_date(s.dates[static_cast<size_t>(f.rows.end - 1)]));
    const Index n = f.rows.size();
    const auto block = [&](const MatrixD& m) { return m.middleRows(row, n); };
    const double model =
        std::sqrt((block(r.forecasts.predicted) - block(r.forecasts.actual)).squaredNorm() /
                  static_cast<double>(n));
    const double naive =
        std::sqrt((block(r.forecasts.persistence) - block(r.forecasts.actual)).squaredNorm() /
                  static_cast<double>(n));
    EXPECT_NEAR(jf["errors"]["model"]["rmse"].get<double>(), model, 1e-9 * model)
        << "fold " << k + 1;
    EXPECT_NEAR(jf["errors"]["persistence"]["rmse"].get<double>(), naive, 1e-9 * naive);
    EXPECT_EQ(jf["errors"]["forecasts"].get<Index>(), n);
    row += n;
  }
  EXPECT_EQ(j["backtest"]["forecasts"].get<Index>(), 36);
  EXPECT_DOUBLE_EQ(j["backtest"]["persistence"]["rmse"].get<double>(), r.comparison.baseline.rmse);
}

TEST(Backtest, IsDeterministicAndAFixedModelIsTrainedOnce) {
  const Series s = testing::synthetic_series(120);
  const BacktestResult a = run_backtest(s, tiny(12, false)), b = run_backtest(s, tiny(12, false));
  EXPECT_EQ(a.forecasts.predicted, b.forecasts.predicted);
  ASSERT_EQ(a.folds.size(), 3u);
  EXPECT_TRUE(a.folds[0].refitted);
  EXPECT_FALSE(a.folds[1].refitted);
  EXPECT_FALSE(a.folds[2].refitted);
  EXPECT_EQ(a.folds[2].train_rows, a.folds[0].train_rows);
  // refitting changes the later folds' forecasts, not the first's
  const BacktestResult c = run_backtest(s, tiny(12, true));
  EXPECT_EQ(c.forecasts.predicted.topRows(12), a.forecasts.predicted.topRows(12));
  EXPECT_NE(c.forecasts.predicted.bottomRows(12), a.forecasts.predicted.bottomRows(12));
}

TEST(Backtest, EpochsRunCountsTheEpochsTrainedNotEpochZero) {
  BacktestOptions o = tiny(12, false);
  o.run.training.score_initial = true;  // history: epochs 0, 1, 2
  const Series s = testing::synthetic_series(120);
  const BacktestResult r = run_backtest(s, o);
  ASSERT_EQ(r.folds[0].history.epochs.size(), 3u);
  const nlohmann::json j = nlohmann::json::parse(backtest_json(r, s));
  EXPECT_EQ(j["folds"][0]["epochs_run"].get<int>(), 2);
  EXPECT_FALSE(j["folds"][1].contains("epochs_run"));  // a kept model is not trained again
  // folds.csv: forecasts, epochs, best epoch; empty for the folds that kept the first model
  const std::string csv = backtest_folds_csv(r, s);
  EXPECT_NE(csv.find("," + format_date(s.dates[95]) + ",12,2,"), std::string::npos) << csv;
  EXPECT_NE(csv.find("," + format_date(s.dates[107]) + ",12,,,"), std::string::npos) << csv;
}

TEST(Backtest, NeedsAValidationPart) {
  BacktestOptions o = tiny(12, true);
  o.run.data.split = {0.7, 0.0};
  EXPECT_THROW(run_backtest(testing::synthetic_series(120), o), Error);
}

}  // namespace
}  // namespace bnlstm
