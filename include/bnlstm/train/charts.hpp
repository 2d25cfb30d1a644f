#pragma once
// The pictures of a forecasting run, drawn through the plot API (bnlstm/plot/charts.hpp);
// each file is written atomically, in the format of ImageOptions::format or the extension.
//   plot_price_series   the target column over the loaded range, one colour per split part
//                       (the notebook's cell 6 plots the Close price)
//   plot_loss_history   training and validation loss per epoch, optionally on a log-scale y axis
//   plot_forecasts      predicted vs actual over a range of windows, dates on the x axis
#include <filesystem>
#include <string>

#include "bnlstm/data/series.hpp"
#include "bnlstm/data/split.hpp"
#include "bnlstm/plot/charts.hpp"
#include "bnlstm/train/evaluation.hpp"
#include "bnlstm/train/history.hpp"

namespace bnlstm {

// column: the series column to draw; split: row ranges (parts that are empty are left out).
DateChart price_series_chart(const Series& series, Index column, const Split& split);
void plot_price_series(const std::filesystem::path& path, const Series& series, Index column,
                       const Split& split, const ImageOptions& options = {});

LineChart loss_history_chart(const TrainingHistory& history, bool log_y);
void plot_loss_history(const std::filesystem::path& path, const TrainingHistory& history,
                       bool log_y, const ImageOptions& options = {});

// The first forecast step of every window, at its target date.
DateChart forecasts_chart(const RangeForecast& forecast, const Windows& w,
                          const std::string& column);
void plot_forecasts(const std::filesystem::path& path, const RangeForecast& forecast,
                    const Windows& w, const std::string& column, const ImageOptions& options = {});

}  // namespace bnlstm
