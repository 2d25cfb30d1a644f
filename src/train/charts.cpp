#include "bnlstm/train/charts.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "bnlstm/core/error.hpp"

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

std::string loss_axis_label(const std::string& loss) {
  if (loss == "mse") return "MSE of scaled values";
  if (loss == "mae") return "MAE of scaled values";
  if (loss == "huber") return "Huber loss of scaled values";
  return loss + " of scaled values";
}

bool loss_needs_log_axis(const TrainingHistory& history) {
  double lo = std::numeric_limits<double>::infinity(), hi = 0;
  for (const auto& e : history.epochs)
    for (const double v : {e.train_loss, e.val_loss})
      if (std::isfinite(v) && v > 0) {
        lo = std::min(lo, v);
        hi = std::max(hi, v);
      }
  return hi > 100 * lo;
}

LineChart loss_history_chart(const TrainingHistory& history, const LossChartOptions& options) {
  LineChart chart;
  const std::string part = history.part_label();  // "validation loss" or "test loss"
  const EpochRecord* kept = history.find(history.best_epoch);
  chart.title = history.part == ValidationPart::test
                    ? "Training and test loss (the test part chose the epoch: notebook protocol)"
                    : "Training and validation loss";
  chart.xlabel = "epoch";
  // a log axis only with positive values; otherwise the linear one
  bool positive = true;
  for (const auto& e : history.epochs) positive = positive && e.train_loss > 0 && e.val_loss > 0;
  chart.log_y = positive && (options.log_y || loss_needs_log_axis(history));
  chart.ylabel = loss_axis_label(history.loss) + (chart.log_y ? " (log scale)" : "");
  chart.points = history.epochs.size() <= 30;
  chart.legend_below = true;
  LineSeries train, val;
  train.title = "training loss";
  val.title = part;
  for (const auto& e : history.epochs) {
    train.x.push_back(e.epoch);
    train.y.push_back(e.train_loss);
    val.x.push_back(e.epoch);
    val.y.push_back(e.val_loss);
  }
  chart.series = {std::move(train), std::move(val)};
  if (options.persistence_loss && std::isfinite(*options.persistence_loss) &&
      (!chart.log_y || *options.persistence_loss > 0)) {
    const double first = history.epochs.front().epoch, last = history.epochs.back().epoch;
    LineSeries reference;
    reference.title = fmt::format("persistence on the {} part",
                                  history.part == ValidationPart::test ? "test" : "validation");
    reference.x = {first, last};
    reference.y = {*options.persistence_loss, *options.persistence_loss};
    reference.reference = true;
    chart.series.push_back(std::move(reference));
  }
  if (kept)
    chart.markers.push_back(LineMarker{
        kept->epoch == 0
            ? fmt::format("kept: epoch 0, the starting weights ({} {:.3g})", part, kept->val_loss)
            : fmt::format("kept: epoch {} ({} {:.3g})", kept->epoch, part, kept->val_loss),
        static_cast<double>(kept->epoch), kept->val_loss});
  return chart;
}

LineChart loss_history_chart(const TrainingHistory& history, bool log_y) {
  LossChartOptions o;
  o.log_y = log_y;
  return loss_history_chart(history, o);
}

void plot_loss_history(const std::filesystem::path& path, const TrainingHistory& history,
                       const LossChartOptions& chart, const ImageOptions& options) {
  plot_lines(path, loss_history_chart(history, chart), options);
}

void plot_loss_history(const std::filesystem::path& path, const TrainingHistory& history,
                       bool log_y, const ImageOptions& options) {
  plot_lines(path, loss_history_chart(history, log_y), options);
}

namespace {

// mean |x| over the last `window` values up to each position (fewer at the start)
std::vector<double> rolling_mean_abs(const std::vector<double>& x, Index window) {
  std::vector<double> out(x.size());
  double sum = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    sum += std::abs(x[i]);
    if (i >= static_cast<size_t>(window)) sum -= std::abs(x[i - static_cast<size_t>(window)]);
    out[i] = sum / static_cast<double>(std::min<size_t>(i + 1, static_cast<size_t>(window)));
  }
  return out;
}

}  // namespace

PanelChart forecasts_chart(const RangeForecast& forecast, const Windows& w,
                           const std::string& column, const ForecastChartOptions& options) {
  const Index H = w.horizon(), k = options.step - 1;
  if (options.step < 1 || options.step > H)
    throw Error(fmt::format("forecast chart: step {} is not in 1..{}", options.step, H));
  if (options.rolling < 1)
    throw Error(fmt::format("forecast chart: rolling window {} is not >= 1", options.rolling));
  const Index N = static_cast<Index>(forecast.windows.size());
  const Index first = options.last > 0 ? std::max<Index>(0, N - options.last) : 0;
  const bool seasonal = forecast.seasonal.size() > 0;

  // the lines: actual, model, persistence, seasonal naive
  std::vector<std::string> dates;
  std::vector<double> actual, model, naive, snaive;
  for (Index n = first; n < N; ++n) {
    dates.push_back(format_date(w.target_date(forecast.windows[static_cast<size_t>(n)], k)));
    actual.push_back(forecast.actual(n, k));
    model.push_back(forecast.predicted(n, k));
    naive.push_back(forecast.persistence(n, k));
    if (seasonal) snaive.push_back(forecast.seasonal(n, k));
  }
  auto errors = [&](const std::vector<double>& f) {
    std::vector<double> e(f.size());
    for (size_t i = 0; i < f.size(); ++i) e[i] = f[i] - actual[i];
    return e;
  };
  auto rmse = [](const std::vector<double>& e) {
    double sq = 0;
    for (const double x : e) sq += x * x;
    return std::sqrt(sq / static_cast<double>(e.size()));
  };

  PanelChart chart;
  const Index shown = N - first;
  chart.title = fmt::format(
      "{}: {} forecasts of {}", forecast.comparison.label,
      shown < N ? fmt::format("the last {} of {}", shown, N) : fmt::format("{}", N), column);
  if (H > 1) chart.title += fmt::format(", step {} of {}", options.step, H);
  DatePanel lines, errs;
  lines.ylabel = column;
  lines.height = 3;
  lines.series.push_back(PanelSeries{"actual", dates, actual, 7, false, 2.5});
  lines.series.push_back(PanelSeries{"model", dates, model, 0, false, 1.5});
  lines.series.push_back(PanelSeries{"persistence (last value)", dates, naive, 1, true, 1.5});
  if (seasonal)
    lines.series.push_back(
        PanelSeries{fmt::format("seasonal naive ({} rows)", forecast.comparison.season), dates,
                    snaive, 2, true, 1.5});
  errs.ylabel = fmt::format("mean |error|, last {}", options.rolling);
  errs.height = 2;
  errs.from_zero = true;
  auto err_series = [&](const std::string& name, const std::vector<double>& f, int colour) {
    const std::vector<double> e = errors(f);
    return PanelSeries{fmt::format("{} (RMSE {:.4g})", name, rmse(e)),
                       dates,
                       rolling_mean_abs(e, options.rolling),
                       colour,
                       false,
                       1.5};
  };
  errs.series.push_back(err_series("model", model, 0));
  errs.series.push_back(err_series("persistence", naive, 1));
  if (seasonal) errs.series.push_back(err_series("seasonal naive", snaive, 2));
  chart.panels = {std::move(lines), std::move(errs)};
  return chart;
}

void plot_forecasts(const std::filesystem::path& path, const RangeForecast& forecast,
                    const Windows& w, const std::string& column, const ImageOptions& options) {
  plot_panels(path, forecasts_chart(forecast, w, column), options);
}

void plot_forecasts(const std::filesystem::path& path, const RangeForecast& forecast,
                    const Windows& w, const std::string& column, const ForecastChartOptions& chart,
                    const ImageOptions& options) {
  plot_panels(path, forecasts_chart(forecast, w, column, chart), options);
}

}  // namespace bnlstm
