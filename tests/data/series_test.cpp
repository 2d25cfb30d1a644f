#include "bnlstm/data/series.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "bnlstm/core/error.hpp"

namespace bnlstm {
namespace {

using ::testing::HasSubstr;

Date ymd(int y, unsigned m, unsigned d) {
  return std::chrono::sys_days{std::chrono::year{y} / std::chrono::month{m} / std::chrono::day{d}};
}

TEST(Dates, ParsesIsoDatesWithOptionalTimePart) {
  EXPECT_EQ(try_parse_date("2020-01-02"), ymd(2020, 1, 2));
  EXPECT_EQ(try_parse_date(" \"2020-01-02\" "), ymd(2020, 1, 2));
  EXPECT_EQ(try_parse_date("2020-01-02 16:00:00"), ymd(2020, 1, 2));
  EXPECT_EQ(try_parse_date("2020-01-02T23:59:59.999"), ymd(2020, 1, 2));
  EXPECT_EQ(try_parse_date("2020-01-02T09:30"), ymd(2020, 1, 2));
  EXPECT_EQ(try_parse_date("2020-01-02T09:30:00Z"), ymd(2020, 1, 2));
  EXPECT_EQ(try_parse_date("1969-12-31"), ymd(1969, 12, 31));
  EXPECT_EQ(try_parse_date("2020-02-29"), ymd(2020, 2, 29));
}

TEST(Dates, RejectsInvalidDatesAndTrailingText) {
  EXPECT_EQ(try_parse_date("2021-02-29"), std::nullopt);  // not a leap year
  EXPECT_EQ(try_parse_date("2021-13-01"), std::nullopt);
  EXPECT_EQ(try_parse_date("01/02/2021"), std::nullopt);
  EXPECT_EQ(try_parse_date("2021-01-02x"), std::nullopt);
  EXPECT_EQ(try_parse_date("2021-01-02 25:00"), std::nullopt);
  EXPECT_EQ(try_parse_date(""), std::nullopt);
  EXPECT_EQ(try_parse_date("null"), std::nullopt);
  // the scanner's edges: one-digit month/day as before, years 0001..9999 only
  EXPECT_EQ(try_parse_date("2020-1-2"), ymd(2020, 1, 2));
  EXPECT_EQ(try_parse_date("9999-12-31"), ymd(9999, 12, 31));
  EXPECT_EQ(try_parse_date("10000-01-01"), std::nullopt);
  EXPECT_EQ(try_parse_date("0000-01-01"), std::nullopt);
  EXPECT_EQ(try_parse_date("2020-01-02T"), std::nullopt);
  EXPECT_EQ(try_parse_date("2020-01-02 9:30"), ymd(2020, 1, 2));
  EXPECT_EQ(try_parse_date("2020-01-02 09:30:60.5Z"), ymd(2020, 1, 2));
  EXPECT_EQ(try_parse_date("2020-01-02 09:60"), std::nullopt);
  EXPECT_EQ(try_parse_date("2020-01-02 09:30:00.Z"), std::nullopt);
  EXPECT_EQ(try_parse_date("2020-01-02ZZ"), std::nullopt);
}

TEST(Dates, AnIsoTimeWithAUtcOffsetIsTheUtcDay) {
  // each of these would be the day as written without the conversion
  EXPECT_EQ(try_parse_date("2021-01-04T23:30:00-05:00"), ymd(2021, 1, 5));
  EXPECT_EQ(try_parse_date("2021-01-04T23:30:00-0500"), ymd(2021, 1, 5));
  EXPECT_EQ(try_parse_date("2021-01-04 23:30-05"), ymd(2021, 1, 5));
  EXPECT_EQ(try_parse_date("2021-01-05T00:30:00+01:00"), ymd(2021, 1, 4));
  EXPECT_EQ(try_parse_date("2021-01-01T05:00:00.5+05:30"), ymd(2020, 12, 31));
  EXPECT_EQ(try_parse_date("2021-01-04T18:59:59-05:00"), ymd(2021, 1, 4));  // 23:59:59 UTC
  EXPECT_EQ(try_parse_date("2021-01-04T23:59:60Z"), ymd(2021, 1, 4));       // a leap second
  EXPECT_EQ(try_parse_date("2020-02-28T22:00:00-03:00"), ymd(2020, 2, 29));
  // an offset needs a time, and two digits of hours
  EXPECT_EQ(try_parse_date("2021-01-04+01:00"), std::nullopt);
  EXPECT_EQ(try_parse_date("2021-01-04T10:00+1:00"), std::nullopt);
  EXPECT_EQ(try_parse_date("2021-01-04T10:00+01:"), std::nullopt);
  EXPECT_EQ(try_parse_date("2021-01-04T10:00+01:60"), std::nullopt);
  EXPECT_EQ(try_parse_date("9999-12-31T23:00:00-01:00"), std::nullopt);  // past 9999-12-31
  EXPECT_EQ(utc_day(ymd(2021, 1, 4), 0, 86'399), ymd(2021, 1, 3));
  EXPECT_EQ(utc_day(ymd(2021, 1, 4), 86'400, 0), ymd(2021, 1, 4));
}

TEST(Dates, ParseDateErrorSaysWhatWasExpected) {
  try {
    parse_date("2021/01/02", "start date");
    FAIL() << "no exception";
  } catch (const Error& e) {
    EXPECT_STREQ(
        e.what(),
        "start date: expected a date YYYY-MM-DD (optionally with a time), got '2021/01/02'");
  }
}

TEST(Dates, FormatsAsIso) {
  EXPECT_EQ(format_date(ymd(2004, 8, 19)), "2004-08-19");
  EXPECT_EQ(format_date(ymd(1999, 12, 31)), "1999-12-31");
}

TEST(Columns, LookupIsCaseInsensitiveAndIgnoresSpacesAndQuotes) {
  const std::vector<std::string> yahoo = {"Date",  "Open",      "High",  "Low",
                                          "Close", "Adj Close", "Volume"};
  EXPECT_EQ(find_column(yahoo, "close"), 4);
  EXPECT_EQ(find_column(yahoo, " \"CLOSE\" "), 4);
  EXPECT_EQ(find_column(yahoo, "adj close"), 5);
  EXPECT_EQ(find_column(yahoo, "adjclose"), std::nullopt);
  EXPECT_EQ(find_column(yahoo, "clos"), std::nullopt);
  const std::vector<std::string> quoted = {" \"Trade Date\" ", "Price"};
  EXPECT_EQ(find_column(quoted, "trade date"), 0);
}

TEST(Columns, NumberedAlphaVantageNamesMatchWithoutTheirPrefix) {
  const std::vector<std::string> av = {"", "1. open", "2. high", "3. low", "4. close", "5. volume"};
  EXPECT_EQ(find_column(av, "close"), 4);
  EXPECT_EQ(find_column(av, "4. Close"), 4);
  EXPECT_EQ(find_column(av, "5. volume"), 5);
  EXPECT_EQ(find_column(av, "volume"), 5);
  // An exact match wins over a prefix match; two prefix matches are ambiguous.
  EXPECT_EQ(find_column({"4. close", "close"}, "close"), 1);
  EXPECT_EQ(find_column({"4. close", "5. close"}, "close"), std::nullopt);
}

TEST(Columns, SeriesColumnIndexListsAvailableColumns) {
  Series s;
  s.source = "prices.csv";
  s.columns = {"Close", "Volume"};
  EXPECT_EQ(s.column_index("volume"), 1);
  try {
    s.column_index("Price");
    FAIL() << "no exception";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "prices.csv: no column 'Price' (available: 'Close', 'Volume')");
  }
}

}  // namespace
}  // namespace bnlstm
