// GCC 12 with -march=native warns "'__Y' may be used uninitialized" inside avx512fintrin.h when
// Eigen reductions are inlined here (GCC bug 105593, fixed in GCC 13): silenced for this file.
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ < 13
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include "bnlstm/data/windows.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <limits>

#include "bnlstm/core/error.hpp"
#include "testing/errors.hpp"

namespace bnlstm {
namespace {

using testing::error_of;

Date day(int d) {
  return std::chrono::sys_days{std::chrono::year{2021} / 3 / d};
}

// 7 rows: close 10, 11, 13, 16, 20, 25, 31 and volume 100..700. Scaled with shift 10, scale 10
// (close) and shift 100, scale 100 (volume): close s = 0, .1, .3, .6, 1, 1.5, 2.1; volume v = 0..6.
Series tiny() {
  Series s;
  s.source = "tiny";
  s.columns = {"close", "volume"};
  for (int d = 1; d <= 7; ++d) s.dates.push_back(day(d));
  s.values.resize(7, 2);
  s.values << 10, 100, 11, 200, 13, 300, 16, 400, 20, 500, 25, 600, 31, 700;
  return s;
}

Scaler tiny_scaler() {
  return Scaler(ScalerKind::min_max, (VectorD(2) << 10, 100).finished(),
                (VectorD(2) << 10, 100).finished());
}

WindowSpec spec(Index L, Index H, Target target, std::vector<Index> inputs = {0}) {
  WindowSpec w;
  w.lookback = L;
  w.horizon = H;
  w.target = target;
  w.input_columns = std::move(inputs);
  return w;
}

MatrixD rows(std::initializer_list<std::initializer_list<double>> r) {
  MatrixD m(r.size(), r.begin()->size());
  Index i = 0;
  for (auto& row : r) {
    Index j = 0;
    for (double v : row) m(i, j++) = v;
    ++i;
  }
  return m;
}

TEST(Windows, NotebookSetupLookBackOneHorizonOneLevel) {
  const Windows w(tiny(), tiny_scaler(), spec(1, 1, Target::level));
  EXPECT_EQ(w.count(), 6);
  MatrixD x, y;
  const std::vector<Index> all = {0, 1, 2, 3, 4, 5};
  w.gather(x, y, all);
  // x[i] = s[i], y[i] = s[i+1], as in the notebook's create_dataset(data, look_back=1)
  EXPECT_TRUE(x.isApprox(rows({{0}, {.1}, {.3}, {.6}, {1}, {1.5}}), 1e-15)) << x;
  EXPECT_TRUE(y.isApprox(rows({{.1}, {.3}, {.6}, {1}, {1.5}, {2.1}}), 1e-15)) << y;
}

// Delta inputs: d[r] = s[r] - s[r-1] = .1, .2, .3, .4, .5, .6 for rows 1..6 (row 0 has none).
TEST(Windows, DeltaInputsLookBackOneSkipTheFirstRow) {
  WindowSpec ws = spec(1, 1, Target::level);
  ws.input = InputKind::delta;
  const Windows w(tiny(), tiny_scaler(), ws);
  EXPECT_EQ(w.span(), 2);
  EXPECT_EQ(w.count(), 5);    // one less than with level inputs: row 0 has no delta
  EXPECT_EQ(w.origins(), 6);  // last origin feeds row 6's delta
  EXPECT_EQ(w.inputs(), 1);
  MatrixD x, y;
  const std::vector<Index> all = {0, 1, 2, 3, 4};
  w.gather(x, y, all);
  // window i feeds d[i+1] and targets s[i+2]
  EXPECT_TRUE(x.isApprox(rows({{.1}, {.2}, {.3}, {.4}, {.5}}), 1e-14)) << x;
  EXPECT_TRUE(y.isApprox(rows({{.3}, {.6}, {1}, {1.5}, {2.1}}), 1e-14)) << y;
  EXPECT_EQ(w.first_target_row(0), 2);
  EXPECT_EQ(w.target_date(0, 0), day(3));
  EXPECT_EQ(w.last_input_date(0), day(2));
  EXPECT_EQ(w.last_observed_price(0), 11);

  ws.target = Target::delta;
  const Windows v(tiny(), tiny_scaler(), ws);
  v.gather(x, y, all);
  EXPECT_TRUE(x.isApprox(rows({{.1}, {.2}, {.3}, {.4}, {.5}}), 1e-14)) << x;
  EXPECT_TRUE(y.isApprox(rows({{.2}, {.3}, {.4}, {.5}, {.6}}), 1e-14)) << y;  // s[i+2] - s[i+1]
  // the final origin forecasts after row 6 from d[6]
  const std::vector<Index> last = {5};
  v.gather_inputs(x, last);
  EXPECT_TRUE(x.isApprox(rows({{.6}}), 1e-14)) << x;
  EXPECT_EQ(v.last_input_date(5), day(7));
  double price = 0;
  const double pred = 0.5;
  v.to_price(&price, &pred, 5);
  EXPECT_DOUBLE_EQ(price, 31 + 0.5 * 10);
}

TEST(Windows, DeltaInputsLookBackThreeTimeMajor) {
  WindowSpec ws = spec(3, 1, Target::delta);
  ws.input = InputKind::delta;
  const Windows w(tiny(), tiny_scaler(), ws);
  EXPECT_EQ(w.span(), 4);
  EXPECT_EQ(w.count(), 3);
  MatrixD x, y;
  const std::vector<Index> all = {0, 1, 2};
  w.gather(x, y, all);
  // window i feeds d[i+1], d[i+2], d[i+3]; row t*N + n = step t of window n
  EXPECT_TRUE(x.isApprox(rows({{.1}, {.2}, {.3}, {.2}, {.3}, {.4}, {.3}, {.4}, {.5}}), 1e-14)) << x;
  EXPECT_TRUE(y.isApprox(rows({{.4}, {.5}, {.6}}), 1e-14)) << y;  // s[i+4] - s[i+3]
  ws.target = Target::level;
  const Windows v(tiny(), tiny_scaler(), ws);
  v.gather(x, y, all);
  EXPECT_TRUE(x.isApprox(rows({{.1}, {.2}, {.3}, {.2}, {.3}, {.4}, {.3}, {.4}, {.5}}), 1e-14)) << x;
  EXPECT_TRUE(y.isApprox(rows({{1}, {1.5}, {2.1}}), 1e-14)) << y;
  EXPECT_EQ(v.target_date(0, 0), day(5));
  EXPECT_EQ(v.target_price(2, 0), 31);
}

// both: [levels of the input columns, deltas of the input columns] per step
TEST(Windows, BothInputsAreLevelsThenDeltas) {
  WindowSpec ws = spec(2, 1, Target::delta, {0, 1});
  ws.input = InputKind::both;
  const Windows w(tiny(), tiny_scaler(), ws);
  EXPECT_EQ(w.inputs(), 4);
  EXPECT_EQ(input_features(ws, 2), 4);
  EXPECT_EQ(w.count(), 4);
  MatrixD x, y;
  const std::vector<Index> windows = {0, 3};
  w.gather(x, y, windows);
  EXPECT_TRUE(x.isApprox(rows({{.1, 1, .1, 1},     // t=0, window 0: row 1
                               {1, 4, .4, 1},      // t=0, window 3: row 4
                               {.3, 2, .2, 1},     // t=1, window 0: row 2
                               {1.5, 5, .5, 1}}),  // t=1, window 3: row 5
                         1e-14))
      << x;
  EXPECT_TRUE(y.isApprox(rows({{.3}, {.6}}), 1e-14)) << y;
}

TEST(Windows, DeltaInputsNeedOneMoreRow) {
  WindowSpec ws = spec(6, 1, Target::delta);
  EXPECT_EQ(Windows(tiny(), tiny_scaler(), ws).count(), 1);
  ws.input = InputKind::delta;
  EXPECT_EQ(error_of([&] { Windows(tiny(), tiny_scaler(), ws); }),
            "too few rows for look-back 6, horizon 1 and delta inputs: have 7, need at least 8");
  EXPECT_EQ(to_string(parse_input_kind("Both")), "both");
  EXPECT_EQ(error_of([] { parse_input_kind("log"); }),
            "input: expected level, delta or both, got 'log'");
}

TEST(Windows, LevelTargetsHorizonThree) {
  const Windows w(tiny(), tiny_scaler(), spec(2, 3, Target::level));
  EXPECT_EQ(w.count(), 3);  // 7 - 2 - 3 + 1
  EXPECT_EQ(w.origins(), 6);
  MatrixD x, y;
  const std::vector<Index> batch = {2, 0};
  w.gather(x, y, batch);
  // time-major: row t*N + n = step t of sample n
  EXPECT_TRUE(x.isApprox(rows({{.3}, {0}, {.6}, {.1}}), 1e-15)) << x;
  EXPECT_TRUE(y.isApprox(rows({{1, 1.5, 2.1}, {.3, .6, 1}}), 1e-15)) << y;
}

TEST(Windows, DeltaTargetsAreChangesFromTheLastObservedValue) {
  const Windows w(tiny(), tiny_scaler(), spec(2, 3, Target::delta));
  MatrixD x, y;
  const std::vector<Index> batch = {0, 1, 2};
  w.gather(x, y, batch);
  // window 0: last observed s[1] = .1, targets s[2..4] = .3 .6 1
  EXPECT_TRUE(y.isApprox(rows({{.2, .5, .9}, {.3, .7, 1.2}, {.4, .9, 1.5}}), 1e-14)) << y;
  EXPECT_TRUE(x.isApprox(rows({{0}, {.1}, {.3}, {.1}, {.3}, {.6}}), 1e-15)) << x;
}

TEST(Windows, SeveralInputColumnsInTheGivenOrder) {
  WindowSpec s = spec(2, 1, Target::level, {1, 0});
  const Windows w(tiny(), tiny_scaler(), s);
  EXPECT_EQ(w.inputs(), 2);
  Matrix<float> x, y;
  const std::vector<Index> batch = {4, 1};
  w.gather(x, y, batch);
  MatrixD expected = rows({{4, 1}, {1, .1}, {5, 1.5}, {2, .3}});  // (volume, close)
  EXPECT_TRUE(x.cast<double>().isApprox(expected, 1e-6)) << x;
  EXPECT_TRUE(y.cast<double>().isApprox(rows({{2.1}, {.6}}), 1e-6)) << y;
  // into MatrixBuffers (the trainer's): the same values, shaped to the batch
  MatrixBuffer<float> xb, yb;
  w.gather(xb, yb, std::vector<Index>{0, 1, 2});  // larger first
  w.gather(xb, yb, batch);
  EXPECT_EQ(Matrix<float>(xb.view()), x);
  EXPECT_EQ(Matrix<float>(yb.view()), y);
  w.gather_inputs(xb, std::vector<Index>{4});
  // window 4's two steps: rows 0 and 2 of the time-major x above
  EXPECT_EQ(Matrix<float>(xb.view()), Matrix<float>(x(std::vector<Index>{0, 2}, Eigen::all)));
}

TEST(Windows, TargetDatesAndPrices) {
  const Windows w(tiny(), tiny_scaler(), spec(2, 3, Target::delta));
  EXPECT_EQ(w.last_input_date(0), day(2));
  EXPECT_EQ(w.target_date(0, 0), day(3));
  EXPECT_EQ(w.target_date(2, 2), day(7));
  EXPECT_EQ(w.last_observed_price(1), 13.0);
  EXPECT_EQ(w.target_price(1, 2), 25.0);
  EXPECT_EQ(w.first_target_row(1), 3);
  EXPECT_EQ(error_of([&] { w.target_date(3, 0); }), "windows: window index 3 out of range [0, 3)");
  EXPECT_EQ(error_of([&] { w.target_date(0, 3); }),
            "windows: target step index 3 out of range [0, 3)");
}

TEST(Windows, ToPriceInvertsTheTargetsForBothKinds) {
  for (Target kind : {Target::level, Target::delta}) {
    const Windows w(tiny(), tiny_scaler(), spec(2, 3, kind));
    for (Index i = 0; i < w.count(); ++i) {
      float y[3];
      double price[3];
      w.target(y, i);
      w.to_price(price, y, i);
      for (Index k = 0; k < 3; ++k)
        EXPECT_NEAR(price[k], w.target_price(i, k), 1e-5) << to_string(kind);
    }
  }
  // Delta adds to the last observed price, level to the scaler's shift.
  const Windows d(tiny(), tiny_scaler(), spec(2, 3, Target::delta));
  const double pred[3] = {0, 0.5, -1};
  double price[3];
  d.to_price(price, pred, 0);
  EXPECT_THAT(price, ::testing::ElementsAre(11, 16, 1));
  const Windows l(tiny(), tiny_scaler(), spec(2, 3, Target::level));
  l.to_price(price, pred, 0);
  EXPECT_THAT(price, ::testing::ElementsAre(10, 15, 0));
}

TEST(Windows, ToPriceForABatchAndForTheFinalForecastOrigin) {
  const Windows w(tiny(), tiny_scaler(), spec(2, 3, Target::delta));
  Matrix<float> pred(2, 3);
  pred << 0.1f, 0.2f, 0.3f, 0, 0, 0;
  const std::vector<Index> origins = {5, 0};  // 5 = origins()-1: inputs rows 5, 6, no targets
  MatrixD price;
  w.to_price(price, pred, origins);
  EXPECT_TRUE(price.isApprox(rows({{32, 33, 34}, {11, 11, 11}}), 1e-6)) << price;
  MatrixD x;
  w.gather_inputs(x, origins);
  EXPECT_TRUE(x.isApprox(rows({{1.5}, {0}, {2.1}, {.1}}), 1e-15)) << x;
  MatrixD y;
  EXPECT_EQ(error_of([&] { w.gather(x, y, origins); }),
            "windows: window index 5 out of range [0, 3)");
  const std::vector<Index> beyond = {6};
  EXPECT_EQ(error_of([&] { w.gather_inputs(x, beyond); }),
            "windows: origin index 6 out of range [0, 6)");
}

TEST(Windows, GatherReusesCallerBuffers) {
  const Windows w(tiny(), tiny_scaler(), spec(2, 2, Target::delta));
  Matrix<float> x, y;
  const std::vector<Index> a = {0, 1}, b = {3, 2};
  w.gather(x, y, a);
  const float* xp = x.data();
  const float* yp = y.data();
  w.gather(x, y, b);
  EXPECT_EQ(x.data(), xp);
  EXPECT_EQ(y.data(), yp);
  EXPECT_FLOAT_EQ(x(0, 0), 0.6f);  // step 0 of window 3
}

TEST(Windows, TooFewRowsIsAnError) {
  Series s = tiny();
  EXPECT_EQ(error_of([&] { Windows(s, tiny_scaler(), spec(5, 3, Target::delta)); }),
            "too few rows for look-back 5 and horizon 3: have 7, need at least 8");
  EXPECT_EQ(Windows(s, tiny_scaler(), spec(4, 3, Target::delta)).count(), 1);
  EXPECT_EQ(error_of([&] { Windows(s, tiny_scaler(), spec(0, 1, Target::delta)); }),
            "windows: look-back must be >= 1, got 0");
  EXPECT_EQ(error_of([&] { Windows(s, tiny_scaler(), spec(1, 1, Target::delta, {2})); }),
            "windows: input column 2 out of range, the series has 2 columns");
  const Scaler one(ScalerKind::min_max, VectorD::Zero(1), VectorD::Ones(1));
  EXPECT_EQ(error_of([&] { Windows(s, one, spec(1, 1, Target::delta)); }),
            "windows: scaler has 1 columns, the series 2");
}

TEST(Windows, TargetNames) {
  EXPECT_EQ(parse_target("Delta"), Target::delta);
  EXPECT_EQ(parse_target("level"), Target::level);
  EXPECT_EQ(error_of([] { parse_target("diff"); }), "target: expected level or delta, got 'diff'");
  EXPECT_EQ(WindowSpec{}.target, Target::delta);
}

}  // namespace
}  // namespace bnlstm

namespace bnlstm {
namespace {

// A look-back or horizon from a checkpoint may be anything: L + H is not computed with overflow
// (it used to wrap into "need at least -9223372036854775808", and UBSan stopped there).
TEST(WindowCount, HugeLookBackAndHorizonDoNotOverflow) {
  constexpr Index kMax = std::numeric_limits<Index>::max();
  EXPECT_EQ(testing::error_of([] { window_count(150, kMax, 1); }),
            "too few rows for look-back 9223372036854775807 and horizon 1: have 150, need at "
            "least 9223372036854775807");
  EXPECT_EQ(testing::error_of([] { window_count(150, 3, kMax); }),
            "too few rows for look-back 3 and horizon 9223372036854775807: have 150, need at "
            "least 9223372036854775807");
  WindowSpec spec;
  spec.lookback = kMax;
  spec.input = InputKind::delta;
  EXPECT_EQ(testing::error_of([&] { window_count(150, spec); }),
            "too few rows for look-back 9223372036854775807, horizon 1 and delta inputs: have 150, "
            "need at least 9223372036854775807");
}

}  // namespace
}  // namespace bnlstm
