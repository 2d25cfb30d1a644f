#pragma once
// The pictures of a forecasting run, drawn through the plot API (bnlstm/plot/charts.hpp,
// panel_chart.hpp); each file is written atomically, in the format of ImageOptions::format or
// the extension.
//   plot_price_series   the target column over the loaded range, one colour per split part
//                       (the notebook's cell 6 plots the Close price)
//   plot_loss_history   training and validation (or, under the notebook's protocol, test) loss
//                       per epoch, in the loss's own scaled units, with the kept epoch marked and
//                       the persistence forecast's loss as a reference line when known; a log
//                       axis when asked for or when the values span more than two decades
//   plot_forecasts      two panels over the forecast dates: actual, model, persistence (and
//                       seasonal naive) on top; below, each one's rolling mean absolute error,
//                       with its RMSE in the legend. Optionally one horizon step, the last N rows.
#include <filesystem>
#include <optional>
#include <string>

#include "bnlstm/data/series.hpp"
#include "bnlstm/data/split.hpp"
#include "bnlstm/plot/charts.hpp"
#include "bnlstm/plot/panel_chart.hpp"
#include "bnlstm/train/evaluation.hpp"
#include "bnlstm/train/history.hpp"

namespace bnlstm {

// column: the series column to draw; split: row ranges (parts that are empty are left out).
DateChart price_series_chart(const Series& series, Index column, const Split& split);
void plot_price_series(const std::filesystem::path& path, const Series& series, Index column,
                       const Split& split, const ImageOptions& options = {});

struct LossChartOptions {
  bool log_y = false;  // true: always a log axis; false: one when the values span > 2 decades
  // the persistence forecast's loss on the validation (or test) windows, same units; drawn as a
  // horizontal reference when given
  std::optional<double> persistence_loss;
};

// "MSE of scaled values" for "mse", and so on for mae and huber.
std::string loss_axis_label(const std::string& loss);
// true when the positive values of both curves span more than two decades (max / min > 100)
bool loss_needs_log_axis(const TrainingHistory& history);

LineChart loss_history_chart(const TrainingHistory& history, const LossChartOptions& options);
LineChart loss_history_chart(const TrainingHistory& history, bool log_y);
void plot_loss_history(const std::filesystem::path& path, const TrainingHistory& history,
                       const LossChartOptions& chart, const ImageOptions& options = {});
void plot_loss_history(const std::filesystem::path& path, const TrainingHistory& history,
                       bool log_y, const ImageOptions& options = {});

struct ForecastChartOptions {
  Index step = 1;      // the horizon step drawn, 1..H
  Index last = 0;      // draw only the last N forecasts (0: all)
  Index rolling = 20;  // forecasts in the rolling mean of the absolute error (>= 1)
};

// Throws bnlstm::Error for a step outside 1..H or rolling < 1.
PanelChart forecasts_chart(const RangeForecast& forecast, const Windows& w,
                           const std::string& column, const ForecastChartOptions& options = {});
void plot_forecasts(const std::filesystem::path& path, const RangeForecast& forecast,
                    const Windows& w, const std::string& column, const ImageOptions& options = {});
void plot_forecasts(const std::filesystem::path& path, const RangeForecast& forecast,
                    const Windows& w, const std::string& column, const ForecastChartOptions& chart,
                    const ImageOptions& options);

}  // namespace bnlstm
