#include "bnlstm/train/forecaster.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <chrono>

#include "bnlstm/core/error.hpp"

namespace bnlstm {

namespace {

NetworkConfig checked_network(const ForecasterConfig& c) {
  NetworkConfig n = c.network;
  const Index C = static_cast<Index>(c.columns.size());
  if (C == 0) throw Error("forecaster: no value columns");
  n.input_size = input_features(c.windows, C);
  n.horizon = c.windows.horizon;
  return n;
}

}  // namespace

std::string describe_split(const Split& split, const std::vector<Date>& dates) {
  std::string out;
  auto part = [&](const char* name, Range r) {
    if (r.empty() || r.end > static_cast<Index>(dates.size())) return;
    out += fmt::format("{:<10} {}..{} ({} rows)\n", name, format_date(dates[r.begin]),
                       format_date(dates[r.end - 1]), r.size());
  };
  part("train", split.train_rows);
  part("validation", split.validation_rows);
  part("test", split.test_rows);
  return out;
}

Forecaster::Forecaster(ForecasterConfig config, Scaler scaler, Rng& rng)
    : config_(std::move(config)),
      scaler_(std::move(scaler)),
      network_(checked_network(config_), rng) {
  config_.network = network_.config();
  if (scaler_.cols() != static_cast<Index>(config_.columns.size()))
    throw Error(fmt::format("forecaster: the scaler has {} columns, the model reads {}",
                            scaler_.cols(), config_.columns.size()));
  if (config_.windows.input_columns.empty())
    for (Index c = 0; c < static_cast<Index>(config_.columns.size()); ++c)
      config_.windows.input_columns.push_back(c);
}

CsvOptions Forecaster::csv_options(const std::string& date_column, std::optional<Date> start,
                                   std::optional<Date> end, bool strict) const {
  CsvOptions o;
  o.date_column = date_column;
  o.value_columns = config_.columns;
  o.start = start;
  o.end = end;
  o.strict = strict;
  return o;
}

Windows Forecaster::windows(const Series& series) const {
  bool same = series.cols() == static_cast<Index>(config_.columns.size());
  for (Index c = 0; same && c < series.cols(); ++c)
    same = find_column({series.columns[c]}, config_.columns[c]).has_value();
  if (!same)
    throw Error(fmt::format("{}: the model reads columns {}, the data has {}", series.source,
                            list_columns(config_.columns), list_columns(series.columns)));
  return Windows(series, scaler_, config_.windows);
}

MatrixF Forecaster::predict_scaled(const Windows& w, std::span<const Index> origins) {
  constexpr size_t kChunk = 1024;
  const Index H = config_.windows.horizon, L = config_.windows.lookback;
  MatrixF out(static_cast<Index>(origins.size()), H);
  MatrixF x;
  network_.eval();
  for (size_t b = 0; b < origins.size(); b += kChunk) {
    const auto chunk = origins.subspan(b, std::min(kChunk, origins.size() - b));
    // gather and run
    w.gather_inputs(x, chunk);
    out.middleRows(static_cast<Index>(b), static_cast<Index>(chunk.size())) =
        network_.forward(x, L);
  }
  return out;
}

MatrixD Forecaster::predict_prices(const Windows& w, std::span<const Index> origins) {
  const MatrixF scaled = predict_scaled(w, origins);
  MatrixD prices;
  w.to_price(prices, scaled, origins);
  return prices;
}

std::vector<Date> next_business_days(Date last, Index n) {
  using std::chrono::days;
  std::vector<Date> out;
  Date d = last;
  while (static_cast<Index>(out.size()) < n) {
    d += days{1};
    if (d > last_supported_date())
      throw Error("forecasts for " + std::to_string(n) + " business day(s) after " +
                  format_date(last) + " would fall beyond " + format_date(last_supported_date()) +
                  ", the last date supported");
    const std::chrono::weekday wd{d};
    if (wd != std::chrono::Saturday && wd != std::chrono::Sunday) out.push_back(d);
  }
  return out;
}

}  // namespace bnlstm
