#pragma once
// The CSV reader's options under their Python names, shared by bnlstm.datasets.read_csv and
// bnlstm.Forecaster (fit, evaluate, predict): one place that turns the keywords into the
// library's CsvOptions (bnlstm/data/csv.hpp), loads the file with the library's reader, and
// words its errors with the keywords in place of the command-line flags
// ("...; select one with series_col='symbol', series='MSFT'").
#include <optional>
#include <string>
#include <vector>

#include "bnlstm/data/csv.hpp"
#include "bnlstm/data/frequency.hpp"

namespace bnlstm::python {

// `bnlstm train`'s data flags, by their Python names. Empty strings: not given.
struct CsvArgs {
  std::string path;
  std::string date_col;                 // --date-col
  std::vector<std::string> value_cols;  // the columns to load (--value-col/--target-col chosen)
  std::optional<std::string> start, end;
  bool strict = false;
  double max_bad_share = CsvOptions{}.max_bad_share;
  std::string date_format;  // --date-format ("" = ISO dates or Unix timestamps)
  std::string series_col;   // --series-col
  std::string series;       // --series
  std::string freq;         // --freq ("" = inferred from the dates)
};

// A loaded file; report.frequency is freq when given, else the one inferred from the dates.
struct LoadedCsv {
  Series series;
  LoadReport report;
};

// Reads a.path with the library's reader (releases the GIL while reading). `what` prefixes the
// messages about the keywords themselves ("read_csv", "Forecaster.fit"); the reader's own
// messages name the file, line and column. Throws bnlstm::Error.
LoadedCsv load_csv_args(const CsvArgs& a, const std::string& what);

// The frequency named by `freq` (any name parse_frequency reads: "month", "M", "monthly", ...),
// nullopt for "", else throws "<what>: freq: expected business, day, week, month, quarter or
// year, got 'x'".
std::optional<Frequency> frequency_arg(const std::string& freq, const std::string& what);

// Checks a date format spec: throws "<what>: date_format: ..." (DateFormat::from_spec's text).
DateFormat date_format_arg(const std::string& spec, const std::string& what);

}  // namespace bnlstm::python
