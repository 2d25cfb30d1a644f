#pragma once
// Loading daily price CSV files into a Series (series.hpp).
//
// Layouts understood without options:
//   Yahoo Finance   Date,Open,High,Low,Close,Adj Close,Volume          (oldest row first)
//   Alpha Vantage   timestamp,1. open,2. high,3. low,4. close,5. volume (newest row first;
//                   the date column may also have an empty header)
//   built-in data   date,open,high,low,close,adjclose,volume
// and any other file through explicit date/value column names. Column lookup follows
// find_column(): case-insensitive, surrounding spaces/quotes ignored, "close" finds "4. close".
//
// Rows come out sorted by date (ascending) whatever the file order. The file may have a UTF-8
// BOM, CRLF line ends, no trailing newline and RFC 4180 quoted fields ("a,b", "say ""hi""").
//
// Bad rows: a data row is bad when its date does not parse, when a selected value column is
// empty / "null" / "NaN" (missing) or not a finite number (non-numeric), when its field count
// differs from the header's (malformed), or when its date was already kept from an earlier line
// (duplicate; the first valid row of a date wins). Only selected columns are checked, and rows
// outside [start, end] are not checked at all. By default bad rows are skipped and listed in the
// LoadReport (up to CsvOptions::max_bad_share of them); in strict mode the first one throws
// bnlstm::Error with the same text, e.g.
//   "prices.csv:7: column 'Close': expected a number, got 'abc'"
// A quote that is never closed fails the whole file, strict or not, with the line it opened on.
// Header names and cells quoted in messages are made printable (bnlstm/core/printable.hpp).
//
// Dates are read with CsvOptions::date_format (date_format.hpp: ISO dates with optional times,
// Unix timestamps, or strftime codes such as "%b %d %Y").
//
// Long format: a file holding several series, one row per (series, date), e.g. vega-datasets'
// stocks.csv "symbol,date,price". CsvOptions::series_column and series select one; the other
// series' rows are skipped without being checked. Without a series column such a file repeats
// its dates: when more than kSeveralSeriesShare of the rows checked repeat a date, loading stops
// with SeveralSeriesError, naming the column that tells the series apart when one is found
// (a non-numeric column whose value differs between two rows of the same date).
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bnlstm/core/error.hpp"
#include "bnlstm/data/date_format.hpp"
#include "bnlstm/data/frequency.hpp"
#include "bnlstm/data/series.hpp"

namespace bnlstm {

// More repeated dates than this share of the rows checked: several series (or sub-daily rows),
// not a few duplicates.
inline constexpr double kSeveralSeriesShare = 0.1;

// Rows that look like several series in one file and no series selected (see above).
class SeveralSeriesError : public Error {
 public:
  SeveralSeriesError(const std::string& message, std::string column,
                     std::vector<std::string> series)
      : Error(message), column(std::move(column)), series(std::move(series)) {}
  std::string column;               // the column telling the series apart ("": none found)
  std::vector<std::string> series;  // its distinct values in file order
};

struct CsvOptions {
  // How dates are written (date_format.hpp); default: ISO dates or Unix timestamps.
  DateFormat date_format = DateFormat::automatic();
  // How the hint for an unread date names the date format setting (suggest_date_format):
  // "--date-format " (the command-line tool), "date_format=" (Python).
  std::string date_format_setting = "--date-format ";
  // Long format: the column naming each row's series, and the series to keep (both or neither).
  // Throws SeveralSeriesError for a series column without a series, bnlstm::Error for a series
  // the column does not hold (listing those it holds).
  std::string series_column;
  std::string series;
  // Date column name. Empty: the first column named date / timestamp / time / datetime / day,
  // else the first column if its header is empty; otherwise an error.
  std::string date_column;
  // Value columns, in the order wanted (the model's target is chosen later, by index, in
  // WindowSpec). Empty: the default target only, the first of close / "4. close" / adj close /
  // adjclose / price / value that exists.
  std::vector<std::string> value_columns;
  std::optional<Date> start;  // keep rows with start <= date (inclusive)
  std::optional<Date> end;    // keep rows with date <= end (inclusive)
  bool strict = false;        // first bad row throws instead of being skipped
  // More bad rows than this share of the rows checked (those in [start, end], plus bad dates
  // and malformed rows) fail the whole file: it is then the wrong column or layout, not a few
  // bad rows, and training on the rest would hide that.
  double max_bad_share = 0.1;
};

// What happened while loading; summary() is one line the CLI can print.
struct LoadReport {
  std::string source;
  std::vector<std::string> warnings;  // one per skipped row: "file:line: what"
  Index data_lines = 0;               // non-blank lines after the header
  Index kept = 0;                     // rows in the returned Series
  Date first_date{}, last_date{};     // of the kept rows
  Index outside_range = 0;            // valid dates before start / after end (not checked further)
  Index bad_date = 0;
  Index missing_value = 0;  // empty, null, NaN
  Index non_numeric = 0;    // anything else that is not a finite number
  Index malformed = 0;      // field count differs from the header
  Index duplicate_date = 0;
  std::string series_column, series;  // as selected (long format), else empty
  Index other_series = 0;             // rows of other series (not checked)
  std::vector<std::string> all_series;  // every series the series column holds, in file order
  // How often the kept rows come (frequency.hpp); nullopt: fewer than two rows or irregular
  // dates (median_gap in days). A front end may replace it with a frequency the user named.
  std::optional<Frequency> frequency;
  Index median_gap = 0;

  Index skipped() const {
    return bad_date + missing_value + non_numeric + malformed + duplicate_date;
  }
  // e.g. "google.csv: 4028 rows 2005-01-03..2020-12-31, business days (403 outside the date
  //       range); skipped 2 bad rows: 1 missing value, 1 duplicate date"
  //      "stocks.csv (symbol = MSFT): 123 rows 2000-01-01..2010-03-01, monthly (437 rows of 4
  //       other series)"
  std::string summary() const;
};

// Reads and parses a file. Throws bnlstm::Error for a missing/unreadable file, an empty file, no
// data rows, unknown columns (listing the available ones), start after end, no rows in
// [start, end] ("no rows between 2030-01-01 and 2030-12-31 ..."), no valid rows, and (strict) the
// first bad row. `report` may be nullptr.
Series load_csv(const std::filesystem::path& path, const CsvOptions& options = {},
                LoadReport* report = nullptr);

// Same on text already in memory; `source` names it in messages (normally the file path).
Series parse_csv(std::string_view text, std::string_view source, const CsvOptions& options = {},
                 LoadReport* report = nullptr);

// Splits one CSV record (no line end) into fields: quotes removed, "" unescaped. Exposed for tests.
std::vector<std::string> split_csv_record(std::string_view record);

}  // namespace bnlstm
