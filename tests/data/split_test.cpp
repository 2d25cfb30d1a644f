#include "bnlstm/data/split.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "bnlstm/core/error.hpp"
#include "bnlstm/data/windows.hpp"
#include "testing/errors.hpp"

namespace bnlstm {
namespace {

using testing::error_of;

TEST(Split, NotebookSeventyThirty) {
  const Split s = chronological_split(10, 1, 1, {0.7, 0.0});
  EXPECT_EQ(s.train_rows, (Range{0, 7}));
  EXPECT_TRUE(s.validation_rows.empty());
  EXPECT_EQ(s.test_rows, (Range{7, 10}));
  // 9 windows; window i has input row i and target row i+1.
  EXPECT_EQ(s.train_windows, (Range{0, 6}));  // targets rows 1..6
  EXPECT_EQ(s.validation_windows.size(), 0);
  EXPECT_EQ(s.test_windows, (Range{6, 9}));  // targets rows 7..9; window 6 reads train row 6
}

TEST(Split, RowCountsFloorLikeTheNotebook) {
  // int(4028 * 0.7) = 2819 (GOOG 2005..2020)
  const Split s = chronological_split(4028, 1, 1);
  EXPECT_EQ(s.train_rows.end, 2819);
  EXPECT_EQ(s.test_rows.size(), 1209);
}

TEST(Split, ValidationPartSitsBetweenTrainAndTest) {
  const Split s = chronological_split(10, 2, 1, {0.7, 0.2});
  EXPECT_EQ(s.train_rows, (Range{0, 7}));
  EXPECT_EQ(s.validation_rows, (Range{7, 9}));
  EXPECT_EQ(s.test_rows, (Range{9, 10}));
  EXPECT_EQ(s.train_windows, (Range{0, 5}));       // targets rows 2..6
  EXPECT_EQ(s.validation_windows, (Range{5, 7}));  // targets rows 7, 8; inputs from row 5
  EXPECT_EQ(s.test_windows, (Range{7, 8}));        // target row 9
}

TEST(Split, WindowsStraddlingACutBelongToNoPart) {
  // T = 20, L = 2, H = 3: 16 windows; rows train [0,10), validation [10,15), test [15,20).
  const Split s = chronological_split(20, 2, 3, {0.5, 0.25});
  EXPECT_EQ(s.train_windows, (Range{0, 6}));        // window 5: targets rows 7..9
  EXPECT_EQ(s.validation_windows, (Range{8, 11}));  // window 8: targets rows 10..12
  EXPECT_EQ(s.test_windows, (Range{13, 16}));       // window 13: targets rows 15..17
  // windows 6, 7 (targets reach rows 10, 11) and 11, 12 (rows 15, 16) are in no part
}

// Every window of a part has all targets inside the part and inputs at most L rows before it;
// with H = 1 the parts cover every window exactly once.
TEST(Split, PartsHoldExactlyTheWindowsWhoseTargetsTheyContain) {
  for (Index L : {1, 3, 10})
    for (Index H : {1, 2, 5}) {
      const Index T = 97;
      const Split s = chronological_split(T, L, H, {0.6, 0.2});
      const Index count = T - L - H + 1;
      std::vector<int> owners(count, 0);
      for (auto [rows, windows] : {std::pair{s.train_rows, s.train_windows},
                                   std::pair{s.validation_rows, s.validation_windows},
                                   std::pair{s.test_rows, s.test_windows}}) {
        for (Index i = 0; i < count; ++i) {
          const bool inside = rows.contains(i + L) && rows.contains(i + L + H - 1);
          EXPECT_EQ(windows.contains(i), inside) << "L=" << L << " H=" << H << " i=" << i;
          if (windows.contains(i)) {
            ++owners[i];
            EXPECT_GE(i, rows.begin - L);
          }
        }
      }
      for (Index i = 0; i < count; ++i) EXPECT_LE(owners[i], 1);
      if (H == 1) {
        for (Index i = 0; i < count; ++i) EXPECT_EQ(owners[i], 1) << "L=" << L << " i=" << i;
      }
    }
}

TEST(Split, FitScalerSeesTrainRowsOnly) {
  Series series;
  series.source = "s";
  series.columns = {"close"};
  series.values.resize(10, 1);
  for (Index t = 0; t < 10; ++t) {
    series.dates.push_back(Date{std::chrono::days{t}});
    series.values(t, 0) = static_cast<double>(t + 1);  // 1..10
  }
  const Split split = chronological_split(10, 1, 1);
  const Scaler mm = fit_scaler(ScalerKind::min_max, series, split);
  EXPECT_EQ(mm.shift()[0], 1.0);
  EXPECT_EQ(mm.scale()[0], 6.0);  // max of rows 0..6 is 7
  EXPECT_DOUBLE_EQ(mm.transform(10.0, 0), 1.5);
  EXPECT_EQ(mm.columns(), std::vector<std::string>{"close"});
  const Scaler z = fit_scaler(ScalerKind::z_score, series, split);
  EXPECT_DOUBLE_EQ(z.shift()[0], 4.0);  // mean of 1..7
  EXPECT_DOUBLE_EQ(z.scale()[0], 2.0);  // population std of 1..7
}

TEST(Split, Errors) {
  EXPECT_EQ(error_of([] {
              chronological_split(10, 1, 1, {0.0, 0.0});
            }),
            "split: expected a train fraction in (0, 1], got 0");
  EXPECT_EQ(error_of([] {
              chronological_split(10, 1, 1, {0.7, 0.5});
            }),
            "split: expected a validation fraction in [0, 1 - train] = [0, 0.3], got 0.5");
  EXPECT_EQ(error_of([] {
              chronological_split(10, 3, 1, {0.3, 0.0});
            }),
            "split: the train part has 3 of the 10 rows (train fraction 0.3); look-back 3 and "
            "horizon 1 need at least 4 rows in it");
  // the message that used to contradict itself: "(1 of 2 rows) ... (needs at least 2 rows)"
  EXPECT_EQ(error_of([] {
              chronological_split(2, 1, 1, {0.7, 0.0});
            }),
            "split: the train part has 1 of the 2 rows (train fraction 0.7); look-back 1 and "
            "horizon 1 need at least 2 rows in it");
  EXPECT_EQ(error_of([] {
              chronological_split(10, 1, 3, {0.8, 0.0});
            }),
            "split: the test part has 2 rows; horizon 3 needs at least 3 rows in it");
  // All rows for training: the test part is empty, which is allowed.
  const Split all = chronological_split(10, 1, 1, {1.0, 0.0});
  EXPECT_EQ(all.train_windows, (Range{0, 9}));
  EXPECT_TRUE(all.test_windows.empty());
}

// Finite values near the ends of double's range overflow in the scaler: the message names the
// file and the column and says so (it used to be "scaler: column 0: expected a finite shift and
// a scale > 0, got inf and inf").
TEST(FitScaler, OverflowingValuesNameTheFileAndColumn) {
  Series s;
  s.source = "big.csv";
  s.columns = {"Close"};
  s.values.resize(4, 1);
  s.values << 1e308, -1e308, 1e308, -1e308;
  for (int d = 0; d < 4; ++d) s.dates.push_back(Date{std::chrono::days{d}});
  for (ScalerKind kind : {ScalerKind::z_score, ScalerKind::min_max})
    EXPECT_EQ(error_of([&] {
                fit_scaler(kind, s, chronological_split(4, 1, 1, {0.5, 0.0}));
              }),
              "big.csv: column 'Close': the values overflow when scaled (values from -1e+308 to "
              "1e+308); expected numbers below about 1e300");
}

}  // namespace
}  // namespace bnlstm
