// GCC 12 with -march=native warns "'__Y' may be used uninitialized" inside avx512fintrin.h when
// Eigen reductions are inlined here (GCC bug 105593, fixed in GCC 13): silenced for this file.
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ < 13
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include "bnlstm/data/dataset.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <iostream>

#include "bnlstm/core/error.hpp"
#include "bnlstm/data/csv.hpp"
#include "testing/errors.hpp"

namespace bnlstm {
namespace {

Date ymd(int y, unsigned m, unsigned d) {
  return std::chrono::sys_days{std::chrono::year{y} / std::chrono::month{m} / std::chrono::day{d}};
}

using testing::error_of;

const std::string kBuiltin = std::string(BNLSTM_SOURCE_DIR) + "/data/sp500.csv";
const std::string kGoogle = std::string(BNLSTM_SHARED_DATA_DIR) + "/google.csv";

// Max and min of the targets of windows [begin, end), in scaled units.
std::pair<double, double> target_extremes(const Windows& w, Range part) {
  std::vector<Index> idx;
  MatrixD x, y;
  w.gather(x, y, indices_of(part, idx));
  return {y.maxCoeff(), y.minCoeff()};
}

TEST(Dataset, FitsTheScalerOnTrainRowsAndWindowsTheWholeSeries) {
  Series s;
  s.source = "s";
  s.columns = {"close"};
  s.values.resize(10, 1);
  for (Index t = 0; t < 10; ++t) {
    s.dates.push_back(ymd(2021, 1, static_cast<unsigned>(t + 1)));
    s.values(t, 0) = static_cast<double>(t + 1);  // 1..10
  }
  DatasetOptions opt;
  EXPECT_EQ(opt.scaler, ScalerKind::z_score);  // the default (docs/workflow.md: measured)
  opt.scaler = ScalerKind::min_max;  // the values below are min-max ones
  opt.windows.target = Target::level;
  const Dataset d = make_dataset(s, opt);
  EXPECT_EQ(d.split.train_windows, (Range{0, 6}));
  EXPECT_EQ(d.scaler.scale()[0], 6.0);  // train rows 1..7 only
  auto [hi, lo] = target_extremes(d.windows, d.split.test_windows);
  EXPECT_DOUBLE_EQ(hi, 1.5);      // 10 scaled with train min/max: above 1
  EXPECT_DOUBLE_EQ(lo, 7.0 / 6);  // 8 scaled
  // A given scaler is used as is (checkpoint): not refitted on these rows.
  const Scaler given(ScalerKind::min_max, VectorD::Constant(1, 0.0), VectorD::Constant(1, 20.0),
                     {"Close"});
  const Dataset e = make_dataset(s, opt, &given);
  EXPECT_EQ(e.scaler.scale()[0], 20.0);
  std::tie(hi, lo) = target_extremes(e.windows, e.split.test_windows);
  EXPECT_DOUBLE_EQ(hi, 0.5);
  const Scaler other(ScalerKind::min_max, VectorD::Zero(1), VectorD::Ones(1), {"volume"});
  EXPECT_EQ(error_of([&] { make_dataset(s, opt, &other); }),
            "s: the scaler was fitted on columns 'volume', the series has 'close'");
  s.values.conservativeResize(2, 1);
  s.dates.resize(2);
  opt.windows.lookback = 2;
  EXPECT_EQ(error_of([&] { make_dataset(s, opt); }),
            "too few rows for look-back 2 and horizon 1: have 2, need at least 3");
}

// Delta inputs: the split uses the span L + 1, so every part's windows have their first target
// in that part and the first test window's delta input reaches back to the last train row.
TEST(Dataset, DeltaInputsSplitWithTheSpan) {
  Series s;
  s.source = "s";
  s.columns = {"close"};
  s.values.resize(10, 1);
  for (Index t = 0; t < 10; ++t) {
    s.dates.push_back(ymd(2021, 1, static_cast<unsigned>(t + 1)));
    s.values(t, 0) = static_cast<double>((t + 1) * (t + 1));  // 1, 4, 9, ..., 100
  }
  DatasetOptions opt;
  opt.scaler = ScalerKind::min_max;  // the values below are min-max ones
  opt.windows.input = InputKind::delta;
  opt.split = {0.5, 0.2};  // rows 0..4 train, 5..6 validation, 7..9 test
  const Dataset d = make_dataset(s, opt);
  EXPECT_EQ(d.windows.count(), 8);
  EXPECT_EQ(d.split.train_windows, (Range{0, 3}));  // targets rows 2, 3, 4
  EXPECT_EQ(d.split.validation_windows, (Range{3, 5}));
  EXPECT_EQ(d.split.test_windows, (Range{5, 8}));
  EXPECT_EQ(d.windows.first_target_row(d.split.test_windows.begin), d.split.test_rows.begin);
  EXPECT_EQ(d.scaler.scale()[0], 24.0);  // train rows 1..25
  std::vector<Index> idx;
  MatrixD x, y;
  d.windows.gather(x, y, indices_of(d.split.test_windows, idx));
  // inputs: the change into rows 6, 7, 8 (49-36, 64-49, 81-64) / 24; targets: rows 7, 8, 9
  EXPECT_TRUE(x.isApprox((MatrixD(3, 1) << 13, 15, 17).finished() / 24.0, 1e-14)) << x;
  EXPECT_TRUE(y.isApprox((MatrixD(3, 1) << 15, 17, 19).finished() / 24.0, 1e-14)) << y;
}

TEST(Dataset, IndicesOfReusesTheVector) {
  std::vector<Index> v;
  EXPECT_THAT(indices_of(Range{3, 6}, v), ::testing::ElementsAre(3, 4, 5));
  EXPECT_TRUE(indices_of(Range{4, 4}, v).empty());
}

TEST(BuiltinData, Sp500LoadsWithExpectedRowsAndValues) {
  LoadReport report;
  const Series s = load_csv(kBuiltin, {}, &report);
  EXPECT_EQ(s.columns, std::vector<std::string>{"close"});
  ASSERT_EQ(s.rows(), 5105);
  EXPECT_EQ(s.dates.front(), ymd(2000, 1, 3));
  EXPECT_EQ(s.dates.back(), ymd(2020, 4, 17));
  EXPECT_EQ(s.values(0, 0), 1455.219971);
  EXPECT_EQ(s.values(5104, 0), 2874.560059);  // last line, no trailing newline
  EXPECT_EQ(s.values.minCoeff(), 676.530029);
  EXPECT_EQ(s.values.maxCoeff(), 3386.149902);
  EXPECT_EQ(report.skipped(), 0);
  EXPECT_EQ(report.summary(), kBuiltin + ": 5105 rows 2000-01-03..2020-04-17, business days");
}

class GoogleData : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(kGoogle))
      GTEST_SKIP() << kGoogle << " not found (shared data set absent)";
  }
  static CsvOptions notebook_range() {
    CsvOptions opt;
    opt.start = ymd(2005, 1, 1);
    opt.end = ymd(2020, 12, 31);
    return opt;
  }
};

TEST_F(GoogleData, NotebookRangeRowCountAndCloses) {
  LoadReport report;
  const Series s = load_csv(kGoogle, notebook_range(), &report);
  EXPECT_EQ(s.columns, std::vector<std::string>{"Close"});
  ASSERT_EQ(s.rows(), 4028);
  EXPECT_EQ(s.dates.front(), ymd(2005, 1, 3));
  EXPECT_EQ(s.dates.back(), ymd(2020, 12, 31));
  EXPECT_EQ(s.values(0, 0), 101.456459);
  EXPECT_EQ(s.values(4027, 0), 1752.640015);
  EXPECT_EQ(report.outside_range, 403);  // 4431 data rows in the file
  EXPECT_EQ(report.skipped(), 0);
}

// The measurement behind the default "delta" target: with min-max fitted on the train 70%,
// test LEVELS reach about 2.46 (far outside the training range [0, 1]), test DELTAS stay within
// [-0.20, 0.16] (train deltas: [-0.050, 0.139]).
TEST_F(GoogleData, TestLevelsLeaveTheTrainingRangeDeltasDoNot) {
  const Series s = load_csv(kGoogle, notebook_range());
  DatasetOptions opt;
  opt.scaler = ScalerKind::min_max;  // the values below are min-max ones
  opt.split.train = 0.7;
  opt.windows.target = Target::level;
  const Dataset level = make_dataset(s, opt);
  EXPECT_EQ(level.split.train_rows.end, 2819);
  EXPECT_EQ(level.scaler.shift()[0], 87.582581);  // train min (2005-03-14)
  EXPECT_EQ(level.scaler.shift()[0] + level.scaler.scale()[0],
            793.960022);  // train max (2015-12-29)
  const auto [level_hi, level_lo] = target_extremes(level.windows, level.split.test_windows);
  const auto [train_hi, train_lo] = target_extremes(level.windows, level.split.train_windows);
  opt.windows.target = Target::delta;
  const Dataset delta = make_dataset(s, opt);
  const auto [delta_hi, delta_lo] = target_extremes(delta.windows, delta.split.test_windows);
  const auto [dtrain_hi, dtrain_lo] = target_extremes(delta.windows, delta.split.train_windows);
  std::cout << "[ MEASURE  ] GOOG 2005..2020 Close, min-max on train 70%: level targets train ["
            << train_lo << ", " << train_hi << "], test [" << level_lo << ", " << level_hi
            << "]; delta targets train [" << dtrain_lo << ", " << dtrain_hi << "], test ["
            << delta_lo << ", " << delta_hi << "]\n";
  EXPECT_NEAR(level_hi, 2.459573719597311, 1e-12);
  EXPECT_NEAR(level_lo, 0.8402836777455921, 1e-12);
  EXPECT_NEAR(train_hi, 1.0, 1e-15);
  EXPECT_NEAR(delta_hi, 0.1551438107152121, 1e-12);
  EXPECT_NEAR(delta_lo, -0.19999225881280625, 1e-12);
  EXPECT_NEAR(dtrain_hi, 0.13850947145408632, 1e-12);
  EXPECT_NEAR(dtrain_lo, -0.0501855650285411, 1e-12);
}

}  // namespace
}  // namespace bnlstm
