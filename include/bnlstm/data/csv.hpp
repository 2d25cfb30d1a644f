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
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bnlstm/data/series.hpp"

namespace bnlstm {

struct CsvOptions {
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

  Index skipped() const {
    return bad_date + missing_value + non_numeric + malformed + duplicate_date;
  }
  // e.g. "google.csv: 4028 rows 2005-01-03..2020-12-31 (403 outside the date range); skipped 2
  //       bad rows: 1 missing value, 1 duplicate date"
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
