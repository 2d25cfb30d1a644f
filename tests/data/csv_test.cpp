#include "bnlstm/data/csv.hpp"

#include <fmt/core.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>

#include "bnlstm/core/error.hpp"
#include "testing/errors.hpp"

namespace bnlstm {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

const std::string kFixtures = std::string(BNLSTM_SOURCE_DIR) + "/tests/data/fixtures/";

Date ymd(int y, unsigned m, unsigned d) {
  return std::chrono::sys_days{std::chrono::year{y} / std::chrono::month{m} / std::chrono::day{d}};
}

std::vector<double> column(const Series& s, Index c) {
  std::vector<double> out(s.rows());
  for (Index t = 0; t < s.rows(); ++t) out[t] = s.values(t, c);
  return out;
}

using testing::error_of;

// Files that are mostly bad rows on purpose (the fixture: 6 of 10) load with max_bad_share = 1.
CsvOptions any_share() {
  CsvOptions o;
  o.max_bad_share = 1;
  return o;
}

TEST(CsvLayouts, YahooDefaultsToCloseColumn) {
  LoadReport report;
  const Series s = load_csv(kFixtures + "yahoo.csv", {}, &report);
  EXPECT_EQ(s.columns, std::vector<std::string>{"Close"});
  ASSERT_EQ(s.rows(), 6);
  EXPECT_EQ(s.dates.front(), ymd(2021, 1, 4));
  EXPECT_EQ(s.dates.back(), ymd(2021, 1, 11));
  EXPECT_THAT(column(s, 0), ElementsAre(101.0, 102.5, 99.5, 100.25, 103.75, 104.5));
  EXPECT_EQ(report.kept, 6);
  EXPECT_EQ(report.skipped(), 0);
  EXPECT_TRUE(report.warnings.empty());
  EXPECT_EQ(report.summary(), kFixtures + "yahoo.csv: 6 rows 2021-01-04..2021-01-11, business days");
}

TEST(CsvLayouts, AlphaVantageNewestFirstIsSortedAscending) {
  // BOM, CRLF, no trailing newline, unnamed date column, "4. close".
  const Series s = load_csv(kFixtures + "alphavantage.csv");
  EXPECT_EQ(s.columns, std::vector<std::string>{"4. close"});
  ASSERT_EQ(s.rows(), 5);
  EXPECT_THAT(s.dates, ElementsAre(ymd(2021, 1, 4), ymd(2021, 1, 5), ymd(2021, 1, 6),
                                   ymd(2021, 1, 7), ymd(2021, 1, 8)));
  EXPECT_THAT(column(s, 0), ElementsAre(101.0, 102.5, 99.5, 100.25, 103.75));
  // The last line has no newline: its volume must not lose its final digit.
  CsvOptions opt;
  opt.value_columns = {"volume", "open"};
  const Series v = load_csv(kFixtures + "alphavantage.csv", opt);
  EXPECT_EQ(v.columns, (std::vector<std::string>{"5. volume", "1. open"}));
  EXPECT_THAT(column(v, 0), ElementsAre(1200, 1300, 1800, 1100, 2100));
  EXPECT_THAT(column(v, 1), ElementsAre(100.0, 101.0, 102.5, 99.5, 100.25));
}

TEST(CsvLayouts, AlphaVantageTimestampHeader) {
  const Series s = load_csv(kFixtures + "alphavantage_timestamp.csv");
  EXPECT_EQ(s.columns, std::vector<std::string>{"close"});
  EXPECT_THAT(s.dates, ElementsAre(ymd(2021, 1, 4), ymd(2021, 1, 5), ymd(2021, 1, 6)));
  EXPECT_THAT(column(s, 0), ElementsAre(101.0, 102.5, 99.5));
}

TEST(CsvLayouts, ExplicitColumnsQuotedFieldsAndTimeParts) {
  CsvOptions opt;
  opt.date_column = "trade date";
  opt.value_columns = {"PRICE (usd)", "shares"};
  LoadReport report;
  const Series s = load_csv(kFixtures + "custom.csv", opt, &report);
  EXPECT_EQ(s.columns, (std::vector<std::string>{"Price (USD)", "Shares"}));
  EXPECT_THAT(s.dates, ElementsAre(ymd(2021, 3, 1), ymd(2021, 3, 2), ymd(2021, 3, 3)));
  EXPECT_THAT(column(s, 0), ElementsAre(10.0, 11.5, 12.25));
  EXPECT_THAT(column(s, 1), ElementsAre(200, 300, 400));
  EXPECT_EQ(report.skipped(), 0);
}

TEST(CsvLayouts, SplitsQuotedRecords) {
  EXPECT_THAT(split_csv_record(R"(a,"b,c","say ""hi""",,)"),
              ElementsAre("a", "b,c", "say \"hi\"", "", ""));
  EXPECT_THAT(split_csv_record(""), ElementsAre(""));
}

TEST(CsvLayouts, QuotedFieldMaySpanLinesAndLineNumbersFollowTheFile) {
  const std::string text = "Date,Note,Close\n2021-01-04,\"two\nlines\",1\n2021-01-05,x,oops\n";
  LoadReport report;
  const Series s = parse_csv(text, "mem.csv", any_share(), &report);  // 1 of 2 rows is bad
  ASSERT_EQ(s.rows(), 1);
  EXPECT_EQ(s.values(0, 0), 1.0);
  EXPECT_THAT(report.warnings,
              ElementsAre("mem.csv:4: column 'Close': expected a number, got 'oops'"));
}

TEST(CsvRange, SelectsInclusiveDateRange) {
  CsvOptions opt;
  opt.start = ymd(2021, 1, 5);
  opt.end = ymd(2021, 1, 8);
  LoadReport report;
  const Series s = load_csv(kFixtures + "yahoo.csv", opt, &report);
  EXPECT_THAT(s.dates,
              ElementsAre(ymd(2021, 1, 5), ymd(2021, 1, 6), ymd(2021, 1, 7), ymd(2021, 1, 8)));
  EXPECT_THAT(column(s, 0), ElementsAre(102.5, 99.5, 100.25, 103.75));
  EXPECT_EQ(report.outside_range, 2);
  EXPECT_EQ(report.summary(),
            kFixtures +
                "yahoo.csv: 4 rows 2021-01-05..2021-01-08, business days (2 outside the date range)");
  // A range on a newest-first file selects the same days.
  const Series av = load_csv(kFixtures + "alphavantage.csv", opt);
  EXPECT_EQ(av.dates, s.dates);
  EXPECT_THAT(column(av, 0), ElementsAre(102.5, 99.5, 100.25, 103.75));
}

TEST(CsvRange, OpenEndedRanges) {
  CsvOptions from;
  from.start = ymd(2021, 1, 9);  // a Saturday: the first row kept is Monday 11th
  EXPECT_THAT(load_csv(kFixtures + "yahoo.csv", from).dates, ElementsAre(ymd(2021, 1, 11)));
  CsvOptions to;
  to.end = ymd(2021, 1, 4);
  EXPECT_THAT(load_csv(kFixtures + "yahoo.csv", to).dates, ElementsAre(ymd(2021, 1, 4)));
}

TEST(CsvRange, EmptyRangeIsAnErrorNamingTheRange) {
  CsvOptions opt;
  opt.start = ymd(2030, 1, 1);
  opt.end = ymd(2030, 12, 31);
  EXPECT_EQ(error_of([&] { load_csv(kFixtures + "yahoo.csv", opt); }),
            kFixtures + "yahoo.csv: no rows between 2030-01-01 and 2030-12-31 (the file covers " +
                "2021-01-04..2021-01-11)");
  opt.end.reset();
  EXPECT_EQ(error_of([&] { load_csv(kFixtures + "yahoo.csv", opt); }),
            kFixtures + "yahoo.csv: no rows between 2030-01-01 and the end (the file covers " +
                "2021-01-04..2021-01-11)");
  CsvOptions reversed;
  reversed.start = ymd(2021, 2, 1);
  reversed.end = ymd(2021, 1, 1);
  EXPECT_EQ(error_of([&] { load_csv(kFixtures + "yahoo.csv", reversed); }),
            kFixtures + "yahoo.csv: date range start 2021-02-01 is after end 2021-01-01");
}

TEST(CsvBadRows, SkippedWithCountsAndLineNumbers) {
  LoadReport report;
  const std::string f = kFixtures + "bad_rows.csv";
  const Series s = load_csv(f, any_share(), &report);
  // Lines 2, 6, 10 and 12 are good for Close (line 10 has a null Volume, not selected).
  EXPECT_THAT(s.dates,
              ElementsAre(ymd(2021, 1, 4), ymd(2021, 1, 8), ymd(2021, 1, 12), ymd(2021, 1, 13)));
  EXPECT_THAT(column(s, 0), ElementsAre(101.0, 103.75, 104.5, 105.5));
  EXPECT_EQ(report.data_lines, 10);  // the blank line 11 is not a data line
  EXPECT_EQ(report.kept, 4);
  EXPECT_EQ(report.missing_value, 2);
  EXPECT_EQ(report.non_numeric, 1);
  EXPECT_EQ(report.duplicate_date, 1);
  EXPECT_EQ(report.bad_date, 1);
  EXPECT_EQ(report.malformed, 1);
  EXPECT_EQ(report.skipped(), 6);
  EXPECT_THAT(report.warnings,
              ElementsAre(f + ":3: column 'Close': missing value 'null'",
                          f + ":4: column 'Close': missing value (empty)",
                          f + ":5: column 'Close': expected a number, got 'abc'",
                          f + ":7: duplicate date 2021-01-08 (kept the row at line 6)",
                          f + ":8: column 'Date': expected a date YYYY-MM-DD, got '2021-13-01'",
                          f + ":9: expected 7 fields as in the header, got 4"));
  EXPECT_EQ(report.summary(),
            f + ": 4 rows 2021-01-04..2021-01-13, irregular dates (median gap 4 days); skipped 6 "
                "bad rows: 2 missing values, "
                "1 non-numeric value, 1 bad date, 1 duplicate date, 1 malformed row");
}

TEST(CsvBadRows, OnlySelectedColumnsAreChecked) {
  CsvOptions opt = any_share();
  opt.value_columns = {"Close", "Volume"};
  LoadReport report;
  const Series s = load_csv(kFixtures + "bad_rows.csv", opt, &report);
  EXPECT_THAT(s.dates, ElementsAre(ymd(2021, 1, 4), ymd(2021, 1, 8), ymd(2021, 1, 13)));
  EXPECT_THAT(column(s, 1), ElementsAre(1200, 2100, 1500));
  EXPECT_EQ(report.missing_value, 3);
  ASSERT_EQ(report.warnings.size(), 7u);
  EXPECT_EQ(report.warnings.at(6),
            kFixtures + "bad_rows.csv:10: column 'Volume': missing value 'null'");
}

TEST(CsvBadRows, RowsOutsideTheRangeAreNotChecked) {
  CsvOptions opt = any_share();
  opt.start = ymd(2021, 1, 12);
  LoadReport report;
  const Series s = load_csv(kFixtures + "bad_rows.csv", opt, &report);
  EXPECT_THAT(s.dates, ElementsAre(ymd(2021, 1, 12), ymd(2021, 1, 13)));
  // Bad dates and malformed rows cannot be placed in or out of the range: still reported.
  EXPECT_EQ(report.skipped(), 2);
  EXPECT_EQ(report.outside_range, 6);
}

// 300 rows with a quote left open in the fifth: the rest of the file used to be swallowed as
// one bad row ("9 rows ...; skipped 1 bad row", exit 0).
TEST(CsvBadRows, AnUnterminatedQuoteFailsTheFileWithItsLine) {
  std::string text = "Date,Close\n";
  for (int i = 0; i < 300; ++i)
    text += format_date(ymd(2000, 1, 3) + std::chrono::days{i}) + (i == 3 ? ",\"7\n" : ",7\n");
  for (bool strict : {false, true}) {
    CsvOptions opt;
    opt.strict = strict;
    EXPECT_EQ(
        error_of([&] { parse_csv(text, "q.csv", opt); }),
        "q.csv:5: a quoted field opened on this line is never closed (expected a closing \")");
  }
  // closed quotes are fine, also around a line end
  EXPECT_EQ(parse_csv("Date,\"Close\"\n\"2021-01-04\",\"1\"\n", "ok.csv").rows(), 1);
}

// More bad rows than max_bad_share (10%) of those checked: the file fails with one line.
TEST(CsvBadRows, MostlyBadFilesFail) {
  auto file = [](int rows, int bad) {
    std::string text = "Date,Close\n";
    for (int i = 0; i < rows; ++i)
      text += format_date(ymd(2000, 1, 3) + std::chrono::days{i}) + (i < bad ? ",x\n" : ",7\n");
    return text;
  };
  EXPECT_EQ(parse_csv(file(20, 2), "ok.csv").rows(), 18);  // 10%: still allowed
  EXPECT_EQ(error_of([&] { parse_csv(file(20, 3), "bad.csv"); }),
            "bad.csv: 3 of 20 rows are bad, more than 10% (the first: bad.csv:2: column 'Close': "
            "expected a number, got 'x')");
  // rows outside --start/--end do not count
  CsvOptions opt;
  opt.start = ymd(2000, 1, 6);
  EXPECT_EQ(parse_csv(file(20, 3), "ok.csv", opt).rows(), 17);
}

// Header names and cells are echoed with control and non-UTF-8 bytes escaped.
TEST(CsvBadRows, ControlBytesAreEscapedInMessages) {
  const std::string text = "Date,\x1b[2JClose\xff\n2021-01-04,\a1\n";
  CsvOptions opt;
  opt.value_columns = {"Price"};
  EXPECT_EQ(error_of([&] { parse_csv(text, "x.csv", opt); }),
            "x.csv: no value column 'Price' (available: 'Date', '\\x1B[2JClose\\xFF')");
  opt.value_columns = {"\x1b[2JClose\xff"};
  opt.strict = true;
  EXPECT_EQ(error_of([&] { parse_csv(text, "x.csv", opt); }),
            "x.csv:2: column '\\x1B[2JClose\\xFF': expected a number, got '\\x071'");
}

TEST(CsvBadRows, StrictModeThrowsTheFirstProblem) {
  CsvOptions opt;
  opt.strict = true;
  const std::string f = kFixtures + "bad_rows.csv";
  EXPECT_EQ(error_of([&] { load_csv(f, opt); }), f + ":3: column 'Close': missing value 'null'");
  const std::string text = "Date,Close\n2021-01-04,1\n2021-01-05,abc\n";
  EXPECT_EQ(error_of([&] { parse_csv(text, "FILE", opt); }),
            "FILE:3: column 'Close': expected a number, got 'abc'");
  const std::string dup = "Date,Close\n2021-01-04,1\n2021-01-04,2\n";
  EXPECT_EQ(error_of([&] { parse_csv(dup, "FILE", opt); }),
            "FILE:3: duplicate date 2021-01-04 (kept the row at line 2)");
}

TEST(CsvBadRows, NanAndInfinityAreNotNumbers) {
  const std::string text = "Date,Close\n2021-01-04,NaN\n2021-01-05,inf\n2021-01-06,+1.5e2\n";
  LoadReport report;
  const Series s = parse_csv(text, "m", any_share(), &report);  // 2 of 3 rows are bad
  EXPECT_THAT(column(s, 0), ElementsAre(150.0));
  EXPECT_THAT(report.warnings, ElementsAre("m:2: column 'Close': missing value 'NaN'",
                                           "m:3: column 'Close': expected a number, got 'inf'"));
}

TEST(CsvErrors, UnknownColumnListsAvailableColumns) {
  CsvOptions opt;
  opt.value_columns = {"Closing"};
  const std::string f = kFixtures + "yahoo.csv";
  EXPECT_EQ(error_of([&] { load_csv(f, opt); }),
            f + ": no value column 'Closing' (available: 'Date', 'Open', 'High', 'Low', 'Close', "
                "'Adj Close', 'Volume')");
  CsvOptions date;
  date.date_column = "when";
  EXPECT_THAT(error_of([&] { load_csv(f, date); }),
              HasSubstr(": no date column 'when' (available: 'Date',"));
  EXPECT_EQ(
      error_of([&] { parse_csv("When,Price\n2021-01-04,1\n", "m"); }),
      "m: no date column (looked for date, timestamp, time, datetime, day; available: 'When', "
      "'Price'); name the date column explicitly");
}

TEST(CsvErrors, DefaultColumnsAndTheirAbsence) {
  const Series s = parse_csv("Day,Price\n2021-01-04,1\n", "m");
  EXPECT_EQ(s.columns, std::vector<std::string>{"Price"});
  EXPECT_EQ(
      error_of([&] { parse_csv("Date,Open\n2021-01-04,1\n", "m"); }),
      "m: no default target column (looked for close, adj close, price, value; available: 'Date', "
      "'Open'); name the value column(s) explicitly");
}

TEST(CsvErrors, MissingEmptyAndHeaderOnlyFiles) {
  EXPECT_EQ(error_of([&] { load_csv(kFixtures + "nope.csv"); }),
            kFixtures + "nope.csv: no such file");
  EXPECT_EQ(error_of([&] { load_csv(kFixtures + "empty.csv"); }),
            kFixtures + "empty.csv: the file is empty (expected a header line such as Date,Close)");
  EXPECT_EQ(error_of([&] { load_csv(kFixtures + "header_only.csv"); }),
            kFixtures + "header_only.csv: no data rows after the header");
  EXPECT_EQ(error_of([&] { load_csv(kFixtures); }),
            kFixtures + ": is a directory, expected a CSV file");
  EXPECT_EQ(
      error_of([&] { parse_csv("Date,Close\n2021-01-04,x\n", "m"); }),
      "m: no valid rows (1 bad rows; first: m:2: column 'Close': expected a number, got 'x')");
}

}  // namespace
}  // namespace bnlstm

namespace bnlstm {
namespace {

// vega-datasets 3.2.1 stocks.csv (monthly prices of five companies, "Jan 1 2000" dates): the
// first 24 rows of each symbol (tests/data/fixtures/README.md).
const std::string kStocks = kFixtures + "stocks.csv";

CsvOptions stocks(const std::string& series = "MSFT") {
  CsvOptions o;
  o.date_format = DateFormat::from_spec("%b %d %Y");
  o.series_column = "symbol";
  o.series = series;
  return o;
}

TEST(CsvLongFormat, SelectsOneSeries) {
  LoadReport report;
  const Series s = load_csv(kStocks, stocks(), &report);
  EXPECT_EQ(s.columns, std::vector<std::string>{"price"});
  ASSERT_EQ(s.rows(), 24);
  EXPECT_EQ(s.dates.front(), ymd(2000, 1, 1));
  EXPECT_EQ(s.dates.back(), ymd(2001, 12, 1));
  EXPECT_EQ(s.values(0, 0), 39.81);
  EXPECT_EQ(s.values(23, 0), 26.95);
  EXPECT_EQ(report.other_series, 96);
  EXPECT_EQ(report.skipped(), 0);
  EXPECT_EQ(report.frequency, Frequency::month);
  EXPECT_THAT(report.all_series, ElementsAre("MSFT", "AMZN", "IBM", "GOOG", "AAPL"));
  EXPECT_EQ(report.summary(), kStocks +
                                  " (symbol = MSFT): 24 rows 2000-01-01..2001-12-01, monthly (96 "
                                  "rows of 4 other series)");
  // another series, with a date range
  CsvOptions goog = stocks("GOOG");
  goog.start = ymd(2005, 1, 1);
  const Series g = load_csv(kStocks, goog, &report);
  EXPECT_EQ(g.dates.front(), ymd(2005, 1, 1));
  EXPECT_EQ(g.dates.back(), ymd(2006, 7, 1));
  EXPECT_EQ(report.outside_range, 5);
}

TEST(CsvLongFormat, RepeatedDatesStopAndNameTheSeriesColumn) {
  CsvOptions o;
  o.date_format = DateFormat::from_spec("%b %d %Y");
  try {
    load_csv(kStocks, o);
    ADD_FAILURE() << "no error";
  } catch (const SeveralSeriesError& e) {
    EXPECT_EQ(std::string(e.what()),
              kStocks +
                  ": 72 of 120 rows repeat a date (line 26: 2000-01-01, first at line 2): the "
                  "file holds several series, told apart by column 'symbol' (5 series: MSFT, "
                  "AMZN, IBM, GOOG, AAPL); select one");
    EXPECT_EQ(e.column, "symbol");
    EXPECT_THAT(e.series, ElementsAre("MSFT", "AMZN", "IBM", "GOOG", "AAPL"));
  }
  // a series column without a series lists them
  o.series_column = "symbol";
  EXPECT_EQ(error_of([&] { load_csv(kStocks, o); }),
            kStocks + ": column 'symbol' holds 5 series (MSFT, AMZN, IBM, GOOG, AAPL); select one");
  o.series = "TSLA";
  EXPECT_EQ(error_of([&] { load_csv(kStocks, o); }),
            kStocks + ": no series 'TSLA' in column 'symbol' (it holds MSFT, AMZN, IBM, GOOG, AAPL)");
  o.series_column = "ticker";
  EXPECT_EQ(error_of([&] { load_csv(kStocks, o); }),
            kStocks + ": no series column 'ticker' (available: 'symbol', 'date', 'price')");
}

TEST(CsvLongFormat, RepeatedDatesWithoutAColumnTellingThemApart) {
  // two rows a day (times dropped): more than 10% repeated dates
  const std::string text =
      "date,value\n2021-01-04 09:00,1\n2021-01-04 15:00,2\n2021-01-05 09:00,3\n2021-01-05 "
      "15:00,4\n";
  EXPECT_EQ(error_of([&] { parse_csv(text, "hourly.csv"); }),
            "hourly.csv: 2 of 4 rows repeat a date (line 3: 2021-01-04, first at line 2): several "
            "rows per day (bnlstm reads one row per date), or several series without a column "
            "telling them apart");
  // a few duplicates (10% or less) are still skipped rows
  std::string few = "date,value\n";
  for (int d = 1; d <= 10; ++d) few += fmt::format("2021-03-{:02},{}\n", d, d);
  few += "2021-03-10,11\n";
  LoadReport report;
  EXPECT_EQ(parse_csv(few, "few.csv", any_share(), &report).rows(), 10);
  EXPECT_EQ(report.duplicate_date, 1);
}

TEST(CsvDates, EveryLayoutReadsTheSameDays) {
  const std::vector<std::pair<std::string, std::string>> layouts = {
      {"", "2021-01-04|2021-01-05|2021-01-06"},
      {"", "2021-01-04T16:00:00Z|2021-01-05 16:00|2021-01-06T16:00:00.5"},
      {"", "1609776000|1609862400|1609948800"},  // Unix seconds
      {"unix-ms", "1609776000000|1609862400000|1609948800000"},
      {"%b %d %Y", "Jan 4 2021|Jan 5 2021|Jan 6 2021"},
      {"%d/%m/%Y", "04/01/2021|05/01/2021|06/01/2021"},
      {"%m/%d/%Y %I:%M %p", "01/04/2021 4:00 PM|01/05/2021 4:00 PM|01/06/2021 4:00 PM"},
  };
  for (const auto& [spec, dates] : layouts) {
    std::string text = "when,value\n";
    std::stringstream in(dates);
    std::string d;
    for (int v = 1; std::getline(in, d, '|'); ++v) text += "\"" + d + "\"," + std::to_string(v) + "\n";
    CsvOptions o;
    o.date_column = "when";
    o.date_format = DateFormat::from_spec(spec);
    const Series s = parse_csv(text, "mem.csv", o);
    EXPECT_THAT(s.dates, ElementsAre(ymd(2021, 1, 4), ymd(2021, 1, 5), ymd(2021, 1, 6))) << dates;
  }
}

TEST(CsvDates, DatesWithAUtcOffsetAreUtcDays) {
  // the same instant in two offsets is one date: the second row is a duplicate (a few more
  // days, so that one repeated date is a bad row and not several series)
  std::string text = "date,value\n2021-01-04T23:30:00-05:00,1\n2021-01-05T04:30:00Z,2\n";
  for (int d = 6; d <= 15; ++d) text += fmt::format("2021-01-{:02d}T09:00:00Z,{}\n", d, d - 3);
  LoadReport report;
  Series s = parse_csv(text, "tz.csv", {}, &report);
  ASSERT_EQ(s.rows(), 11);
  EXPECT_EQ(s.dates[0], ymd(2021, 1, 5));
  EXPECT_EQ(s.dates[1], ymd(2021, 1, 6));
  EXPECT_EQ(s.values(0, 0), 1.0);
  EXPECT_EQ(report.duplicate_date, 1);
  EXPECT_THAT(report.warnings, ElementsAre(HasSubstr("tz.csv:3: duplicate date 2021-01-05")));
  // daily closes stamped in New York's evening land on the UTC day; with %z the same
  CsvOptions o;
  o.date_format = DateFormat::from_spec("%m/%d/%Y %H:%M %z");
  s = parse_csv("date,value\n01/04/2021 16:00 -05:00,1\n01/04/2021 20:00 -05:00,2\n"
                "01/05/2021 19:30 -05:00,3\n",
                "ny.csv", o, &report);
  EXPECT_THAT(s.dates, ElementsAre(ymd(2021, 1, 4), ymd(2021, 1, 5), ymd(2021, 1, 6)));
}

TEST(CsvDates, ABadDateNamesTheLayoutThatReadsIt) {
  const std::string text = "date,price\nJan 1 2000,1\nFeb 1 2000,2\n";
  EXPECT_EQ(error_of([&] { parse_csv(text, "m.csv"); }),
            "m.csv: no valid rows (2 bad rows; first: m.csv:2: column 'date': expected a date "
            "YYYY-MM-DD, got 'Jan 1 2000' (--date-format '%b %d %Y' reads it))");
  CsvOptions o;
  o.date_format = DateFormat::from_spec("%d/%m/%Y");
  o.strict = true;
  EXPECT_EQ(error_of([&] { parse_csv(text, "m.csv", o); }),
            "m.csv:2: column 'date': expected a date like '%d/%m/%Y', got 'Jan 1 2000'");
}

TEST(CsvDates, FrequencyOfTheKeptRows) {
  LoadReport report;
  parse_csv("date,value\n2020-03-31,1\n2020-06-30,2\n2020-09-30,3\n2020-12-31,4\n", "q.csv", {},
            &report);
  EXPECT_EQ(report.frequency, Frequency::quarter);
  EXPECT_EQ(report.summary(), "q.csv: 4 rows 2020-03-31..2020-12-31, quarterly");
  parse_csv("date,value\n2020-01-01,1\n2020-01-15,2\n2020-02-01,3\n", "x.csv", {}, &report);
  EXPECT_EQ(report.frequency, std::nullopt);
  EXPECT_EQ(report.summary(), "x.csv: 3 rows 2020-01-01..2020-02-01, irregular dates (median gap "
                              "17 days)");
}

}  // namespace
}  // namespace bnlstm
