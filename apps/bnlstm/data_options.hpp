#pragma once
// Flags shared by `train`, `evaluate` and `predict`: where the data comes from (--data,
// --date-col, --start, --end, --strict), which columns (--value-col, --target-col) and how
// windows are cut (--look-back, --horizon, --target, --input, --scaler, --train-size, --val-size).
//
// Numbers and dates are taken as text and parsed here, so that a bad value gives the same
// one-line bnlstm::Error as every other input problem:
//   "--epochs: expected an integer >= 1, got 'ten'"
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bnlstm/core/error.hpp"
#include "bnlstm/data/csv.hpp"
#include "bnlstm/data/series.hpp"
#include "bnlstm/data/split.hpp"
#include "bnlstm/train/forecaster.hpp"

namespace bnlstm::cli {

// A flag given twice takes its last value (so a script's defaults can be overridden by appending),
// except the list flag --value-col, which collects all. Call right after add_subcommand().
void last_flag_wins(CLI::App* cmd);

// One-line errors naming the flag.
Index parse_int_flag(std::string_view flag, const std::string& text, Index min);
double parse_double_flag(std::string_view flag, const std::string& text);
std::optional<Date> parse_date_flag(std::string_view flag, const std::string& text);
// parse(text) for a flag that takes one of a few words; its error becomes
// "<flag>: expected <expected>, got '<text>'".
template <typename Parse>
auto parse_choice(std::string_view flag, const std::string& text, std::string_view expected,
                  Parse parse) {
  try {
    return parse(text);
  } catch (const Error&) {
    throw Error(fmt::format("{}: expected {}, got '{}'", flag, expected, text));
  }
}

// The built-in data set data/sp500.csv: looked for next to the executable and one or two
// folders up from it (build trees, installed share/bnlstm/), then under the source tree the
// executable was built from (BNLSTM_SOURCE_DIR, when defined). Throws bnlstm::Error listing
// the places tried.
std::filesystem::path builtin_data_path();
// "built-in S&P 500 (data/sp500.csv)" for "", the path otherwise.
std::string data_label(const std::string& source);

struct DataFlags {
  std::string data;                     // empty: built-in S&P 500
  std::string date_col;                 // empty: automatic
  std::vector<std::string> value_cols;  // model inputs; empty: the target only
  std::string target_col;               // empty: the first --value-col, else close
  std::string start, end;               // YYYY-MM-DD, inclusive
  bool strict = false;
};

// --data --date-col --start --end --strict; with `columns` also --value-col and --target-col.
void add_data_flags(CLI::App* cmd, DataFlags& flags, bool columns);

// Reads flags.data (or the built-in file; source "" stands for it in checkpoints) with the
// given value columns. report may be nullptr.
Series load_series(const DataFlags& flags, const std::vector<std::string>& value_columns,
                   LoadReport* report);

// The data a checkpoint is evaluated on or predicts from: --data if given (with --date-col,
// --start, --end as given), else the checkpoint's own source, date column and range, each
// overridable by its flag. The columns are the checkpoint's.
Series load_series_for(const Forecaster& forecaster, const DataFlags& flags, LoadReport* report);

struct WindowFlags {
  std::string look_back = "1";
  std::string horizon = "1";
  std::string target = "delta";
  std::string input = "level";
  std::string scaler = "zscore";
  std::string train_size = "0.7";
  std::string val_size;  // empty: validate on the test part (the notebook)
};

void add_window_flags(CLI::App* cmd, WindowFlags& flags);

// train/validation fractions from --train-size / --val-size (checked: 0 < train <= 1,
// 0 <= val, train + val < 1 so that a test part remains).
SplitFractions parse_fractions(const std::string& train_size, const std::string& val_size);

}  // namespace bnlstm::cli
