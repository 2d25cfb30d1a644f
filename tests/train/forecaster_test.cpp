#include "bnlstm/train/forecaster.hpp"

#include <gtest/gtest.h>

#include <numeric>

#include "bnlstm/core/error.hpp"
#include "testing/errors.hpp"
#include "train/synthetic.hpp"

namespace bnlstm {
namespace {

std::vector<std::string> formatted(const std::vector<Date>& days) {
  std::vector<std::string> out;
  for (Date d : days) out.push_back(format_date(d));
  return out;
}

TEST(Forecaster, NextBusinessDaysSkipWeekendsOnly) {
  // 2020-12-31 is a Thursday
  EXPECT_EQ(formatted(next_business_days(parse_date("2020-12-31", "t"), 4)),
            (std::vector<std::string>{"2021-01-01", "2021-01-04", "2021-01-05", "2021-01-06"}));
  // from a Friday and from a Saturday, Monday comes next
  EXPECT_EQ(formatted(next_business_days(parse_date("2021-01-08", "t"), 1)),
            std::vector<std::string>{"2021-01-11"});
  EXPECT_EQ(formatted(next_business_days(parse_date("2021-01-09", "t"), 1)),
            std::vector<std::string>{"2021-01-11"});
  EXPECT_TRUE(next_business_days(parse_date("2021-01-09", "t"), 0).empty());
}

// `predict` after data ending in 9999 used to print 10000-01-03.
TEST(Forecaster, NextBusinessDaysStopAtTheLastSupportedDate) {
  // 9999-12-30 is a Thursday
  EXPECT_EQ(formatted(next_business_days(parse_date("9999-12-30", "t"), 1)),
            std::vector<std::string>{"9999-12-31"});
  EXPECT_EQ(
      testing::error_of([] { next_business_days(parse_date("9999-12-30", "t"), 2); }),
      "forecasts for 2 business day(s) after 9999-12-30 would fall beyond 9999-12-31, the last "
      "date supported");
}

Forecaster make(const Dataset& d, Rng& rng) {
  ForecasterConfig c;
  c.columns = d.series.columns;
  c.windows = d.windows.spec();
  c.network.hidden_size = 5;
  c.network.norm = LstmNorm::none;
  return Forecaster(c, d.scaler, rng);
}

TEST(Forecaster, PricesAreTheScaledForecastsMappedBack) {
  const Dataset d = testing::synthetic_dataset(80, 3, 2, Target::delta);
  Rng rng(1);
  Forecaster f = make(d, rng);
  std::vector<Index> origins{0, 5, d.windows.origins() - 1};
  const MatrixF s = f.predict_scaled(d.windows, origins);
  const MatrixD p = f.predict_prices(d.windows, origins);
  const double scale = d.scaler.scale()[0];
  for (Index n = 0; n < 3; ++n)
    for (Index k = 0; k < 2; ++k)
      EXPECT_DOUBLE_EQ(p(n, k), d.windows.last_observed_price(origins[n]) +
                                    static_cast<double>(s(n, k)) * scale);
}

TEST(Forecaster, PredictionsDoNotDependOnTheChunking) {
  const Dataset d = testing::synthetic_dataset(1200, 1, 1, Target::level, 0.5, 0.1);
  Rng rng(1);
  Forecaster f = make(d, rng);
  std::vector<Index> all(static_cast<size_t>(d.windows.origins()));
  std::iota(all.begin(), all.end(), 0);
  const MatrixF whole = f.predict_scaled(d.windows, all);  // > 1024: two chunks
  const std::vector<Index> one{1100};
  EXPECT_FLOAT_EQ(f.predict_scaled(d.windows, one)(0, 0), whole(1100, 0));
}

TEST(Forecaster, RejectsDataWithOtherColumns) {
  const Dataset d = testing::synthetic_dataset(50, 1, 1, Target::level);
  Rng rng(1);
  Forecaster f = make(d, rng);
  Series other = testing::synthetic_series(50);
  other.columns = {"Open"};
  try {
    f.windows(other);
    FAIL() << "no throw";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()),
              "synthetic: the model reads columns 'Close', the data has 'Open'");
  }
}

}  // namespace
}  // namespace bnlstm
