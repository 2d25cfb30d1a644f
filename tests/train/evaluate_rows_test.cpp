#include "bnlstm/train/evaluate_rows.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "bnlstm/core/error.hpp"
#include "bnlstm/data/date.hpp"
#include "train/synthetic.hpp"

namespace bnlstm {
namespace {

// An untrained forecaster on the synthetic series: which windows are scored does not depend on
// the weights.
struct Fixture {
  Dataset d = testing::synthetic_dataset(100, 3, 2, Target::delta, 0.6, 0.2);
  Forecaster f = [this] {
    ForecasterConfig c;
    c.columns = d.series.columns;
    c.windows = d.windows.spec();
    c.network.hidden_size = 4;
    Rng rng(3);
    Forecaster out(c, d.scaler, rng);
    out.data().fractions = {0.6, 0.2};
    return out;
  }();
};

TEST(EvaluateRows, OwnRowsScoreTheTestPartAndOtherRowsAllOfThem) {
  Fixture x;
  const Windows& w = x.d.windows;
  const Evaluation own = evaluate_rows(x.f, w, EvaluateRequest{});
  EXPECT_EQ(own.part, EvaluatePart::test);
  EXPECT_EQ(own.windows, x.d.split.test_windows);
  EXPECT_FALSE(own.all_other_rows);
  EXPECT_EQ(own.forecast.comparison.label, "test");

  EvaluateRequest other;
  other.other_rows = true;
  const Evaluation all = evaluate_rows(x.f, w, other);
  EXPECT_EQ(all.part, EvaluatePart::all);
  EXPECT_TRUE(all.all_other_rows);
  EXPECT_EQ(all.windows, (Range{0, w.count()}));  // 100 - 3 - 2 + 1 = 96
  EXPECT_EQ(all.windows.size(), 96);
  EXPECT_EQ(all.rows, (Range{0, 100}));  // every row, first input to last target
  EXPECT_EQ(all.forecast.comparison.model.count, 96 * 2);

  // a part asked for wins, on other rows too
  other.part = EvaluatePart::train;
  const Evaluation train = evaluate_rows(x.f, w, other);
  EXPECT_EQ(train.windows, x.d.split.train_windows);
  EXPECT_FALSE(train.all_other_rows);

  // "scored" says which rows
  const auto j = nlohmann::json::parse(evaluation_json(all, w));
  EXPECT_EQ(j["scored"]["part"], "all");
  EXPECT_EQ(j["scored"]["windows"], 96);
  EXPECT_EQ(j["scored"]["rows"], nlohmann::json::array({0, 99}));
  EXPECT_EQ(j["scored"]["dates"][0], format_date(x.d.series.dates.front()));
  EXPECT_EQ(j["scored"]["dates"][1], format_date(x.d.series.dates.back()));
  EXPECT_EQ(j["scored"]["forecast_dates"][0], format_date(x.d.series.dates[3]));
  EXPECT_EQ(j["model"]["rmse"], all.forecast.comparison.model.rmse);
}

TEST(EvaluateRows, AValidationPartOfAModelTrainedWithoutOneNamesTheSettings) {
  Fixture x;
  x.f.data().fractions = {0.7, 0.0};
  EvaluateRequest r;
  r.part = EvaluatePart::validation;
  r.validation_part_setting = "part='validation'";
  r.val_size_setting = "val_size";
  try {
    evaluate_rows(x.f, x.d.windows, r);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(),
                 "part='validation': the model was trained without val_size (it validated on the "
                 "test part); give val_size to cut one");
  }
  r.fractions = SplitFractions{0.6, 0.2};  // another split cuts one
  EXPECT_EQ(evaluate_rows(x.f, x.d.windows, r).windows, x.d.split.validation_windows);
}

}  // namespace
}  // namespace bnlstm
