// GCC 12 with -march=native warns "'__Y' may be used uninitialized" inside avx512fintrin.h when
// Eigen reductions are inlined here (GCC bug 105593, fixed in GCC 13): silenced for this file.
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ < 13
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include "bnlstm/data/scaler.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "bnlstm/core/error.hpp"
#include "testing/errors.hpp"

namespace bnlstm {
namespace {

using ::testing::HasSubstr;

using testing::error_of;

MatrixD two_columns() {
  MatrixD x(4, 2);
  x << 10, -1,  //
      20, 1,    //
      30, 3,    //
      50, 5;
  return x;
}

TEST(Scaler, MinMaxPerColumnToUnitInterval) {
  const Scaler s = Scaler::fit(ScalerKind::min_max, two_columns(), {"a", "b"});
  EXPECT_EQ(s.shift(), (VectorD(2) << 10, -1).finished());
  EXPECT_EQ(s.scale(), (VectorD(2) << 40, 6).finished());
  MatrixD y = two_columns();
  s.transform(y);
  MatrixD expected(4, 2);
  expected << 0, 0, 0.25, 2.0 / 6, 0.5, 4.0 / 6, 1, 1;
  EXPECT_TRUE(y.isApprox(expected, 1e-15)) << y;
  EXPECT_DOUBLE_EQ(s.transform(70.0, 0), 1.5);  // beyond the fitted range: > 1, not clipped
  EXPECT_DOUBLE_EQ(s.inverse_transform(1.5, 0), 70.0);
}

TEST(Scaler, ZScoreUsesMeanAndPopulationStd) {
  MatrixD x(8, 1);
  x << 2, 4, 4, 4, 5, 5, 7, 9;  // mean 5, population std 2 (sample std would be 2.138)
  const Scaler s = Scaler::fit(ScalerKind::z_score, x);
  EXPECT_DOUBLE_EQ(s.shift()[0], 5.0);
  EXPECT_DOUBLE_EQ(s.scale()[0], 2.0);
  s.transform(x);
  EXPECT_DOUBLE_EQ(x(0, 0), -1.5);
  EXPECT_DOUBLE_EQ(x(7, 0), 2.0);
  EXPECT_NEAR(x.mean(), 0.0, 1e-15);
}

TEST(Scaler, InverseTransformRoundTrips) {
  for (ScalerKind kind : {ScalerKind::min_max, ScalerKind::z_score}) {
    const Scaler s = Scaler::fit(kind, two_columns());
    MatrixD y = two_columns();
    s.transform(y);
    EXPECT_FALSE(y.isApprox(two_columns()));
    s.inverse_transform(y);
    EXPECT_TRUE(y.isApprox(two_columns(), 1e-14)) << to_string(kind);
    for (Index c = 0; c < 2; ++c)
      EXPECT_NEAR(s.inverse_transform(s.transform(1234.5, c), c), 1234.5, 1e-10);
  }
}

TEST(Scaler, FitOnTrainRowsOnlyLetsLaterValuesExceedOne) {
  MatrixD x(5, 1);
  x << 1, 2, 3, 4, 10;
  const Scaler s = Scaler::fit(ScalerKind::min_max, x.topRows(4));
  s.transform(x);
  EXPECT_DOUBLE_EQ(x(3, 0), 1.0);
  EXPECT_DOUBLE_EQ(x(4, 0), 3.0);
}

TEST(Scaler, ConstantColumnMapsToZeroWithoutNaN) {
  MatrixD x(3, 2);
  x << 7, 1, 7, 2, 7, 3;
  for (ScalerKind kind : {ScalerKind::min_max, ScalerKind::z_score}) {
    const Scaler s = Scaler::fit(kind, x);
    EXPECT_EQ(s.scale()[0], 1.0);
    EXPECT_EQ(s.shift()[0], 7.0);
    MatrixD y = x;
    s.transform(y);
    EXPECT_TRUE(y.allFinite());
    EXPECT_EQ(y.col(0), VectorD::Zero(3));
    EXPECT_DOUBLE_EQ(s.transform(8.0, 0), 1.0);  // a later change is still visible
    s.inverse_transform(y);
    EXPECT_TRUE(y.isApprox(x, 1e-15));
  }
}

TEST(Scaler, RejectsEmptyNonFiniteAndMismatchedInput) {
  EXPECT_EQ(error_of([] { Scaler::fit(ScalerKind::min_max, MatrixD(0, 1)); }),
            "scaler: cannot fit on 0 rows");
  MatrixD bad(2, 1);
  bad << 1, std::numeric_limits<double>::quiet_NaN();
  EXPECT_EQ(error_of([&] { Scaler::fit(ScalerKind::z_score, bad); }),
            "scaler: cannot fit on non-finite values (NaN or infinity)");
  const Scaler s = Scaler::fit(ScalerKind::min_max, two_columns());
  MatrixD three(1, 3);
  EXPECT_EQ(error_of([&] { s.transform(three); }), "scaler transform: expected 2 columns, got 3");
}

TEST(Scaler, JsonRoundTripIsExact) {
  MatrixD x(3, 2);
  x << 0.1, 1e-7, 0.7, 3.3333333333333335, 1.0 / 3, 1e6;
  for (ScalerKind kind : {ScalerKind::min_max, ScalerKind::z_score}) {
    const Scaler s = Scaler::fit(kind, x, {"Close", "Volume"});
    const std::string json = s.to_json();
    EXPECT_THAT(json, HasSubstr(std::string("\"kind\":\"") + std::string(to_string(kind)) + "\""));
    const Scaler t = Scaler::from_json(json);
    EXPECT_EQ(t.kind(), kind);
    EXPECT_EQ(t.columns(), s.columns());
    EXPECT_EQ(t.shift(), s.shift());  // bit-exact
    EXPECT_EQ(t.scale(), s.scale());
  }
}

TEST(Scaler, JsonErrorsAreOneLine) {
  EXPECT_THAT(error_of([] { Scaler::from_json("{"); }), HasSubstr("scaler JSON: "));
  EXPECT_EQ(error_of([] { Scaler::from_json(R"({"kind":"robust","shift":[0],"scale":[1]})"); }),
            "scaler JSON: expected min_max or z_score, got 'robust'");
  EXPECT_EQ(
      error_of([] { Scaler::from_json(R"({"kind":"min_max","shift":[0],"scale":[0]})"); }),
      "scaler JSON: column 0: expected a finite shift and a scale > 0, got 0.000000 and 0.000000");
  EXPECT_EQ(error_of([] { Scaler::from_json(R"({"kind":"min_max","shift":[0, 1],"scale":[1]})"); }),
            "scaler JSON: 2 shifts but 1 scales");
  EXPECT_THAT(error_of([] { Scaler::from_json(R"({"kind":"min_max","scale":[1]})"); }),
              HasSubstr("scaler JSON: [json.exception.out_of_range.403] key 'shift' not found"));
}

TEST(Scaler, KindNames) {
  EXPECT_EQ(parse_scaler_kind("MinMax"), ScalerKind::min_max);
  EXPECT_EQ(parse_scaler_kind("z-score"), ScalerKind::z_score);
  EXPECT_EQ(parse_scaler_kind("standard"), ScalerKind::z_score);
  EXPECT_EQ(to_string(ScalerKind::z_score), "z_score");
}

}  // namespace
}  // namespace bnlstm
