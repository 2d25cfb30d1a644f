#include "bnlstm/train/charts.hpp"

#include <fmt/core.h>

namespace bnlstm {

DateChart price_series_chart(const Series& series, Index column, const Split& split) {
  DateChart chart;
  const std::string name = series.columns.at(static_cast<size_t>(column));
  chart.title = fmt::format("{} ({})", name, series.source);
  chart.ylabel = name;
  auto part = [&](const char* title, Range r) {
    if (r.empty()) return;
    DateSeries s;
    s.title = title;
    for (Index t = r.begin; t < r.end; ++t) {
      s.dates.push_back(format_date(series.dates[static_cast<size_t>(t)]));
      s.values.push_back(series.values(t, column));
    }
    chart.series.push_back(std::move(s));
  };
  part("train", split.train_rows);
  part("validation", split.validation_rows);
  part("test", split.test_rows);
  return chart;
}

void plot_price_series(const std::filesystem::path& path, const Series& series, Index column,
                       const Split& split, const ImageOptions& options) {
  plot_dates(path, price_series_chart(series, column, split), options);
}

LineChart loss_history_chart(const TrainingHistory& history, bool log_y) {
  LineChart chart;
  chart.title = fmt::format("Training and validation loss ({}; best epoch {})", history.loss,
                            history.best_epoch);
  chart.xlabel = "epoch";
  chart.ylabel = history.loss + (log_y ? " (log scale)" : "");
  chart.log_y = log_y;
  chart.points = history.epochs.size() <= 30;
  LineSeries train{"training loss", {}, {}}, val{"validation loss", {}, {}};
  for (const auto& e : history.epochs) {
    train.x.push_back(e.epoch);
    train.y.push_back(e.train_loss);
    val.x.push_back(e.epoch);
    val.y.push_back(e.val_loss);
  }
  chart.series = {std::move(train), std::move(val)};
  return chart;
}

void plot_loss_history(const std::filesystem::path& path, const TrainingHistory& history,
                       bool log_y, const ImageOptions& options) {
  plot_lines(path, loss_history_chart(history, log_y), options);
}

DateChart forecasts_chart(const RangeForecast& forecast, const Windows& w,
                          const std::string& column) {
  DateChart chart;
  chart.title = fmt::format("Predicted vs actual {}, {} part", column, forecast.comparison.label);
  if (w.horizon() > 1) chart.title += fmt::format(" (first of {} steps)", w.horizon());
  chart.ylabel = column;
  DateSeries actual{"actual", {}, {}}, predicted{"predicted", {}, {}};
  for (size_t n = 0; n < forecast.windows.size(); ++n) {
    const std::string date = format_date(w.target_date(forecast.windows[n], 0));
    const Index row = static_cast<Index>(n);
    actual.dates.push_back(date);
    actual.values.push_back(forecast.actual(row, 0));
    predicted.dates.push_back(date);
    predicted.values.push_back(forecast.predicted(row, 0));
  }
  chart.series = {std::move(actual), std::move(predicted)};
  return chart;
}

void plot_forecasts(const std::filesystem::path& path, const RangeForecast& forecast,
                    const Windows& w, const std::string& column, const ImageOptions& options) {
  plot_dates(path, forecasts_chart(forecast, w, column), options);
}

}  // namespace bnlstm
