#pragma once
// A daily time series: one date per row, one or more named value columns.
//
// This is what the CSV loader (csv.hpp) produces and what the scaler, the windows and the split
// consume. Values stay in double and in price units here; scaling and the cast to the model's
// float happen later (scaler.hpp, windows.hpp).
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bnlstm/core/tensor.hpp"
#include "bnlstm/data/date.hpp"  // Date, try_parse_date, parse_date, format_date

namespace bnlstm {

// Drops surrounding spaces, then one pair of surrounding double quotes, then spaces again:
// how header names, cells and wanted column names are compared.
std::string_view trim_field(std::string_view s);

// Finds a column by name: case-insensitive, ignoring surrounding spaces and double quotes on both
// sides. If no name matches exactly, a name matches after dropping an Alpha Vantage style
// numbered prefix ("4. close" matches "close"). Returns nullopt when nothing (or, for the prefix
// rule, more than one column) matches.
std::optional<Index> find_column(const std::vector<std::string>& names, std::string_view wanted);

// "'Date', 'Open', 'Close'": the names quoted and comma separated, for error messages.
std::string list_columns(const std::vector<std::string>& names);

struct Series {
  std::string source;                // where it came from (file path), for messages
  std::vector<Date> dates;           // (T) strictly increasing
  std::vector<std::string> columns;  // (C) value column names as written in the file header
  Matrix<double> values;             // (T, C) row t = the values on dates[t]

  Index rows() const { return static_cast<Index>(dates.size()); }
  Index cols() const { return static_cast<Index>(columns.size()); }

  // Index of a value column (find_column rules); throws bnlstm::Error
  // "<source>: no column 'x' (available: 'a', 'b')" when absent.
  Index column_index(std::string_view name) const;
};

}  // namespace bnlstm
