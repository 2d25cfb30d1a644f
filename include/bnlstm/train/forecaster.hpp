#pragma once
// A Forecaster is everything needed to turn recent prices into forecasts: the network
// (network.hpp), the scaler fitted on the training rows, the window layout (columns, look-back,
// horizon, level/delta target) and where its training data came from. It is the unit that is
// trained, checkpointed (checkpoint.hpp) and used by `evaluate` and `predict`.
//
// Column convention: the series a forecaster reads has exactly config().columns, in that order
// (the scaler's columns); windows.input_columns and windows.target_column index into them.
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "bnlstm/core/random.hpp"
#include "bnlstm/core/tensor.hpp"
#include "bnlstm/data/csv.hpp"
#include "bnlstm/data/scaler.hpp"
#include "bnlstm/data/series.hpp"
#include "bnlstm/data/split.hpp"
#include "bnlstm/data/windows.hpp"
#include "bnlstm/train/network.hpp"

namespace bnlstm {

struct ForecasterConfig {
  std::vector<std::string> columns;  // (C) series value columns, as named in the training file
  WindowSpec windows;     // look-back, horizon, input/target columns, target and input kind
  NetworkConfig network;  // input_size = input_features(windows, C), horizon = H
};

// Where the training data came from and how it was cut; stored in checkpoints so that
// `evaluate` and `predict` can reload the same rows by default.
struct DataProvenance {
  std::string source;              // CSV path as given ("" = built-in data)
  std::string source_absolute;     // the same path made absolute when training ("" = unknown)
  std::string date_column;         // --date-col as given ("" = automatic)
  std::string date_format;         // --date-format as given ("" = automatic; date_format.hpp)
  std::string series_column;       // long format: the column naming the series ("" = none)
  std::string series;              // and the series read
  std::string frequency;           // frequency_name() of the rows' frequency ("" = irregular)
  std::optional<Date> start, end;  // --start / --end as given
  Date first{}, last{};            // first and last date actually loaded
  Index rows = 0;
  SplitFractions fractions;  // train / validation fractions
  Split split;               // row and window ranges of each part
};

// One line per part, e.g. "train 2005-01-03..2016-03-16 (2819 rows)"; empty parts are skipped.
std::string describe_split(const Split& split, const std::vector<Date>& dates);

class Forecaster {
 public:
  // A new, randomly initialised network (from rng) for the given layout and fitted scaler.
  // Throws bnlstm::Error when the scaler's column count differs from config.columns.
  Forecaster(ForecasterConfig config, Scaler scaler, Rng& rng);

  const ForecasterConfig& config() const { return config_; }
  const Scaler& scaler() const { return scaler_; }
  ForecastNetwork<float>& network() { return network_; }
  const ForecastNetwork<float>& network() const { return network_; }
  DataProvenance& data() { return data_; }
  const DataProvenance& data() const { return data_; }
  // Free-form JSON describing how it was trained (stored in the checkpoint's metadata).
  std::string& training_json() { return training_json_; }
  const std::string& training_json() const { return training_json_; }

  // CSV options that load exactly the columns this forecaster reads (date column, range and
  // strictness as given).
  CsvOptions csv_options(const std::string& date_column, std::optional<Date> start,
                         std::optional<Date> end, bool strict) const;
  // Windows over a series loaded with csv_options(), scaled by this forecaster's scaler.
  // Throws bnlstm::Error when the series' columns are not this forecaster's (find_column rules)
  // or too short for one window.
  Windows windows(const Series& series) const;

  // Forecasts for window origins (each < w.origins()), in eval mode, in chunks of at most
  // 1024 windows. scaled: (N, H) in the model's target units; prices: (N, H) in price units.
  MatrixF predict_scaled(const Windows& w, std::span<const Index> origins);
  MatrixD predict_prices(const Windows& w, std::span<const Index> origins);

 private:
  ForecasterConfig config_;
  Scaler scaler_;
  ForecastNetwork<float> network_;
  DataProvenance data_;
  std::string training_json_ = "{}";
};

// The dates of the next n business days (Monday to Friday) after `last`; no exchange holiday
// calendar is applied, so last = Thursday 2020-12-31 gives Friday 2021-01-01 (New Year's Day)
// and then Monday 2021-01-04, Tuesday 2021-01-05, ... Throws bnlstm::Error when a date would
// pass 9999-12-31.
std::vector<Date> next_business_days(Date last, Index n);

}  // namespace bnlstm
