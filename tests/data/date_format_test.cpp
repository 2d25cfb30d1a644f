// Date layouts of the date column: ISO with times, year-month, Unix timestamps, strftime codes.
#include "bnlstm/data/date_format.hpp"

#include <gtest/gtest.h>

#include "bnlstm/core/error.hpp"
#include "testing/errors.hpp"

namespace bnlstm {
namespace {

using testing::error_of;

Date ymd(int y, unsigned m, unsigned d) {
  return std::chrono::sys_days{std::chrono::year{y} / std::chrono::month{m} / std::chrono::day{d}};
}

std::optional<Date> read(const char* spec, const char* text) {
  return DateFormat::from_spec(spec).read(text);
}

TEST(DateFormat, AutomaticReadsIsoDatesTimesYearMonthsAndTimestamps) {
  const DateFormat a = DateFormat::automatic();
  EXPECT_EQ(a.read("2021-01-04"), ymd(2021, 1, 4));
  EXPECT_EQ(a.read(" \"2021-01-04T09:30:00Z\" "), ymd(2021, 1, 4));
  EXPECT_EQ(a.read("2021-01-04 23:59:59.999"), ymd(2021, 1, 4));
  EXPECT_EQ(a.read("2021-03"), ymd(2021, 3, 1));  // a monthly file's dates
  // Unix seconds (9-10 digits) and milliseconds (12-13 digits), UTC days
  EXPECT_EQ(a.read("1609459200"), ymd(2021, 1, 1));
  EXPECT_EQ(a.read("1609545599"), ymd(2021, 1, 1));  // 23:59:59
  EXPECT_EQ(a.read("1609459200000"), ymd(2021, 1, 1));
  EXPECT_EQ(a.read("978307200"), ymd(2001, 1, 1));
  // other digit counts are not guessed: 20210104 is a date, 11 digits nothing known
  EXPECT_EQ(a.read("20210104"), std::nullopt);
  EXPECT_EQ(a.read("16094592000"), std::nullopt);
  EXPECT_EQ(a.read("2021-13"), std::nullopt);
  EXPECT_EQ(a.read("Jan 1 2000"), std::nullopt);
  EXPECT_EQ(a.read(""), std::nullopt);
  EXPECT_TRUE(a.is_automatic());
  EXPECT_EQ(a.expected(), "a date YYYY-MM-DD");
}

TEST(DateFormat, UnixTimestampsByName) {
  EXPECT_EQ(read("unix", "0"), ymd(1970, 1, 1));
  EXPECT_EQ(read("unix", "-1"), ymd(1969, 12, 31));  // floor, not truncation
  EXPECT_EQ(read("unix", "86400.75"), ymd(1970, 1, 2));
  EXPECT_EQ(read("unix-ms", "86399999"), ymd(1970, 1, 1));
  EXPECT_EQ(read("unix", "253402300799"), ymd(9999, 12, 31));
  EXPECT_EQ(read("unix", "253402300800"), std::nullopt);        // year 10000
  EXPECT_EQ(read("unix", "99999999999999999999"), std::nullopt);  // does not fit
  EXPECT_EQ(read("unix", "1e9"), std::nullopt);
  EXPECT_EQ(read("unix", "12."), std::nullopt);
  EXPECT_EQ(DateFormat::from_spec("unix-ms").expected(), "a Unix timestamp in milliseconds");
}

TEST(DateFormat, StrftimeCodes) {
  // vega-datasets' stocks.csv
  EXPECT_EQ(read("%b %d %Y", "Jan 1 2000"), ymd(2000, 1, 1));
  EXPECT_EQ(read("%b %d %Y", "\"Dec 31 2009\""), ymd(2009, 12, 31));
  EXPECT_EQ(read("%b %d %Y", "January 1 2000"), ymd(2000, 1, 1));
  EXPECT_EQ(read("%b %d %Y", "Feb 30 2000"), std::nullopt);
  EXPECT_EQ(read("%b %d %Y", "Foo 1 2000"), std::nullopt);
  EXPECT_EQ(read("%b %d %Y", "Jan 1 2000 x"), std::nullopt);  // the whole text
  EXPECT_EQ(read("%d/%m/%Y", "31/12/1999"), ymd(1999, 12, 31));
  EXPECT_EQ(read("%m/%d/%Y", "31/12/1999"), std::nullopt);
  EXPECT_EQ(read("%d.%m.%y", "01.02.03"), ymd(2003, 2, 1));
  EXPECT_EQ(read("%Y%m%d", "20200131"), ymd(2020, 1, 31));
  EXPECT_EQ(read("%Y-%j", "2020-060"), ymd(2020, 2, 29));
  // a time of day after the date is read and dropped
  EXPECT_EQ(read("%m/%d/%Y %H:%M:%S", "12/31/1999 23:59:59"), ymd(1999, 12, 31));
  EXPECT_EQ(read("%m/%d/%Y %H:%M:%S", "12/31/1999 23:59"), std::nullopt);
  EXPECT_EQ(read("%m/%d/%Y %H:%M:%S", "12/31/1999 24:00:00"), std::nullopt);
  EXPECT_EQ(read("%Y-%m-%d %T", "2020-01-01 10:00:00.250"), ymd(2020, 1, 1));
  // the %F %T path of hinnant-date 3.0.1 with a plain date: no time, no match (and no UB)
  EXPECT_EQ(read("%F %T", "2020-01-01"), std::nullopt);
  EXPECT_EQ(read("%F %T", "2020-01-01 10:00:00"), ymd(2020, 1, 1));
  // with a UTC offset: the UTC day of that instant (23:00 at -05:00 is 04:00 UTC the next day)
  EXPECT_EQ(read("%Y-%m-%dT%H:%M:%S%z", "2020-01-01T23:00:00-05:00"), ymd(2020, 1, 2));
  EXPECT_EQ(read("%d/%m/%Y %I:%M %p", "01/02/2020 11:30 pm"), ymd(2020, 2, 1));
  EXPECT_EQ(DateFormat::from_spec("%b %d %Y").expected(), "a date like '%b %d %Y'");
  EXPECT_EQ(DateFormat::from_spec("%b %d %Y").spec(), "%b %d %Y");
}

TEST(DateFormat, ADateWithAUtcOffsetIsTheUtcDay) {
  // each would be the day as written without the conversion
  EXPECT_EQ(read("%Y-%m-%d %H:%M%z", "2020-01-01 19:00-05:00"), ymd(2020, 1, 2));
  EXPECT_EQ(read("%Y-%m-%d %H:%M%z", "2020-01-01 18:59-05:00"), ymd(2020, 1, 1));
  EXPECT_EQ(read("%Y-%m-%d %H:%M %z", "2020-03-01 01:00 +0200"), ymd(2020, 2, 29));
  EXPECT_EQ(read("%Y-%m-%d %H:%M %z", "2020-03-01 01:00 +02"), ymd(2020, 2, 29));
  EXPECT_EQ(read("%Y-%m-%d %H:%M %z", "2020-03-01 05:29 +05:30"), ymd(2020, 2, 29));
  EXPECT_EQ(read("%Y-%m-%d %H:%M %z", "2020-03-01 05:30 +05:30"), ymd(2020, 3, 1));
  EXPECT_EQ(read("%Y-%m-%d %H:%M%z", "2020-01-01 23:59Z"), ymd(2020, 1, 1));
  // 12-hour clocks: 11:30 pm at -01:00 is 00:30 UTC the next day; 12:30 am stays
  EXPECT_EQ(read("%d/%m/%Y %I:%M %p %z", "01/02/2020 11:30 pm -01:00"), ymd(2020, 2, 2));
  EXPECT_EQ(read("%d/%m/%Y %I:%M %p %z", "01/02/2020 12:30 am -01:00"), ymd(2020, 2, 1));
  EXPECT_EQ(read("%d/%m/%Y %I:%M %p %z", "01/02/2020 12:30 am +01:00"), ymd(2020, 1, 31));
  // the year's edges: moved outside 0001..9999 is no date
  EXPECT_EQ(read("%Y-%m-%d %H:%M%z", "9999-12-31 23:00-02:00"), std::nullopt);
  EXPECT_EQ(read("%Y-%m-%d %H:%M%z", "0001-01-01 01:00+02:00"), std::nullopt);
  // offsets that are none
  EXPECT_EQ(read("%Y-%m-%d %H:%M%z", "2020-01-01 10:00+24:00"), std::nullopt);
  EXPECT_EQ(read("%Y-%m-%d %H:%M%z", "2020-01-01 10:00+05:"), std::nullopt);
  EXPECT_EQ(read("%Y-%m-%d %H:%M%z", "2020-01-01 10:00+5"), std::nullopt);
  // a zone name is matched, not converted: the day as written
  EXPECT_EQ(read("%Y-%m-%d %H:%M %Z", "2020-01-01 23:00 EST"), ymd(2020, 1, 1));
  // the automatic layout: ISO times with an offset
  const DateFormat automatic = DateFormat::automatic();
  EXPECT_EQ(automatic.read("2021-01-04T23:30:00-05:00"), ymd(2021, 1, 5));
  EXPECT_EQ(automatic.read("2021-01-05T04:30:00Z"), ymd(2021, 1, 5));
}

TEST(DateFormat, SpecsThatCannotNameADayAreRefused) {
  EXPECT_EQ(error_of([] { DateFormat::from_spec("%H:%M"); }),
            "--date-format: expected strftime codes naming a year, a month and a day (e.g. '%b "
            "%d %Y' for 'Jan 1 2000', '%d/%m/%Y'), 'unix' or 'unix-ms', got '%H:%M'");
  EXPECT_EQ(error_of([] { DateFormat::from_spec("%Y-%m", "data.date_format"); }),
            "data.date_format: expected strftime codes naming a year, a month and a day (e.g. "
            "'%b %d %Y' for 'Jan 1 2000', '%d/%m/%Y'), 'unix' or 'unix-ms', got '%Y-%m'");
  EXPECT_EQ(error_of([] { DateFormat::from_spec("%H:%M %d/%m/%Y"); }),
            "--date-format: expected the time of day after the date (codes such as %H:%M after "
            "%Y-%m-%d), got '%H:%M %d/%m/%Y'");
  EXPECT_EQ(error_of([] { DateFormat::from_spec("%c"); }),
            "--date-format: expected the codes %c stands for written out (e.g. '%a %b %d "
            "%H:%M:%S %Y'), got '%c'");
  EXPECT_TRUE(DateFormat::from_spec("auto").is_automatic());
  EXPECT_TRUE(DateFormat::from_spec("").is_automatic());
}

TEST(DateFormat, SuggestsALayoutThatReadsAnUnknownDate) {
  EXPECT_EQ(suggest_date_format("Jan 1 2000"), "--date-format '%b %d %Y'");
  EXPECT_EQ(suggest_date_format("1 Jan 2000"), "--date-format '%d %b %Y'");
  EXPECT_EQ(suggest_date_format("2000/01/02"), "--date-format '%Y/%m/%d'");
  EXPECT_EQ(suggest_date_format("20000102"), "--date-format '%Y%m%d'");
  EXPECT_EQ(suggest_date_format("13/02/2000"), "--date-format '%d/%m/%Y'");
  EXPECT_EQ(suggest_date_format("02/13/2000"), "--date-format '%m/%d/%Y'");
  EXPECT_EQ(suggest_date_format("01/02/2000"),
            "--date-format '%m/%d/%Y' (or '%d/%m/%Y' if the day comes first)");
  EXPECT_EQ(suggest_date_format("2021-13-01"), "");
  EXPECT_EQ(suggest_date_format("yesterday"), "");
  // named as the front end names the setting (Python's keyword)
  EXPECT_EQ(suggest_date_format("Jan 1 2000", "date_format="), "date_format='%b %d %Y'");
  EXPECT_EQ(suggest_date_format("01/02/2000", "date_format="),
            "date_format='%m/%d/%Y' (or '%d/%m/%Y' if the day comes first)");
}

}  // namespace
}  // namespace bnlstm
