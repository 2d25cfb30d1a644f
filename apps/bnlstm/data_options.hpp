#pragma once
// Flags shared by `train`, `evaluate` and `predict`: where the data comes from (--data,
// --date-col, --date-format, --series-col, --series, --start, --end, --strict, --freq), which
// columns (--value-col, --target-col) and how
// windows are cut (--look-back, --horizon, --target, --input, --scaler, --train-size, --val-size).
//
// Every flag is a CLI11 typed option with a range or a choice (flag_checks.hpp), so a bad value
// fails while parsing, before any work, with one line naming the flag:
//   "--look-back: expected an integer <= 100000, got '9223372036854775807'"
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
#include "flag_checks.hpp"

namespace bnlstm::cli {

// A flag given twice takes its last value (so a script's defaults can be overridden by appending),
// except the list flag --value-col, which collects all. Call right after add_subcommand().
void last_flag_wins(CLI::App* cmd);

// The date of a --start/--end flag (already checked by date_text()); nullopt for "".
std::optional<Date> parse_date_flag(std::string_view flag, const std::string& text);

// Upper bounds of the size flags: beyond them no daily series has rows enough, and the buffers
// would not fit in memory anyway (model_memory.hpp checks the combination).
inline constexpr Index kMaxLookBack = 100'000;
inline constexpr Index kMaxHorizon = 100'000;

// The built-in data set data/sp500.csv: looked for next to the executable and one or two
// folders up from it (build trees, installed share/bnlstm/), then under the source tree the
// executable was built from (BNLSTM_SOURCE_DIR, when defined). Throws bnlstm::Error listing
// the places tried.
std::filesystem::path builtin_data_path();
// "built-in S&P 500 (data/sp500.csv)" for "", the path otherwise.
std::string data_label(const std::string& source);

struct DataFlags {
  std::string data;                     // empty (not given): built-in S&P 500
  std::string date_col;                 // empty: automatic
  std::vector<std::string> value_cols;  // model inputs; empty: the target only
  std::string target_col;               // empty: the first --value-col, else close
  std::string start, end;               // YYYY-MM-DD, inclusive
  bool strict = false;
  std::string date_format;              // empty: ISO dates or Unix timestamps (date_format.hpp)
  std::string series_col, series;       // long format: the column naming the series, and one
  std::string freq;                     // frequency_name(); empty: inferred from the dates
};

// --data --date-col --date-format --series-col --series --start --end --strict --freq; with
// `columns` also --value-col and --target-col.
void add_data_flags(CLI::App* cmd, DataFlags& flags, bool columns);

// Reads flags.data (or the built-in file; source "" stands for it in checkpoints) with the
// given value columns. report may be nullptr; its frequency is --freq when given (else the one
// inferred from the dates). A file of several series without --series-col fails with a line
// naming the flags that select one: "...; select one with --series-col symbol --series MSFT".
Series load_series(const DataFlags& flags, const std::vector<std::string>& value_columns,
                   LoadReport* report);

// The frequency of a loaded series, or an error naming --freq: "<source>: cannot tell how often
// the rows come (median gap 17 days); name it with --freq business|day|week|month|quarter|year".
Frequency required_frequency(const LoadReport& report);

// The series' step as a noun for ForecastComparison::period: "week", "month", "quarter",
// "year"; "" for days and business days ("tomorrow=today" says it) and when unknown.
std::string period_of(const LoadReport& report);

// The data a checkpoint is evaluated on or predicts from: --data if given (with --date-col,
// --start, --end as given), else the checkpoint's own source (as given when training, else its
// absolute path), date column and range, each overridable by its flag. The date format and the
// series (long format) are the checkpoint's unless given. The columns are the checkpoint's. A
// missing source says it came from the checkpoint `model` and to pass --data. The report's
// frequency is --freq, else the checkpoint's, else the one inferred from the dates.
//
// True when the rows are not the checkpoint's own: --data, --start, --end, --series-col or
// --series given.
Series load_series_for(const Forecaster& forecaster, const std::string& model,
                       const DataFlags& flags, LoadReport* report);
bool other_rows(const DataFlags& flags);

// Values printed with about six significant digits, the same number of decimals for all:
// decimals_for({3756.071289, 3760.5}) = 2 ("3756.07"), decimals_for({315.703}) = 3.
int decimals_for(const std::vector<double>& values);

struct WindowFlags {
  Index look_back = 1;
  Index horizon = 1;
  Target target = Target::delta;
  InputKind input = InputKind::level;
  ScalerKind scaler = ScalerKind::z_score;
  double train_size = 0.7;
  double val_size = 0.1;  // the last 10 % before the test part (--validate-on-test: none)
};

void add_window_flags(CLI::App* cmd, WindowFlags& flags);

// --train-size and --val-size for `evaluate`: fractions in (0, 1); 0 stands for "not given".
void add_fraction_flags(CLI::App* cmd, double& train_size, double& val_size,
                        const std::string& train_help, const std::string& val_help);

// train/validation fractions (each already in (0, 1), val 0 = none); throws "--val-size: ..."
// unless train + val < 1, so that a test part remains.
SplitFractions checked_fractions(double train_size, double val_size);

// --val-size must leave at least one validation row: floor(val * rows) >= 1.
void check_validation_rows(const SplitFractions& fractions, Index rows);

}  // namespace bnlstm::cli
