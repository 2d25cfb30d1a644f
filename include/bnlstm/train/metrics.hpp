#pragma once
// Forecast errors and the naive baselines: persistence ("tomorrow = today") and, for seasonal
// data, seasonal naive ("the same day last season").
//
// Every forecast is judged twice: in scaled units (MSE, comparable with the training "Val Loss"
// of a level model and with the notebook's printout) and in price units (RMSE, MAE, MAPE, MASE).
// The persistence forecast on the same rows is always reported beside the model, because on daily
// prices it is very hard to beat and a model that does not beat it has learnt nothing useful.
//
// MASE (Hyndman & Koehler 2006) = MAE / (in-sample MAE of the naive forecast), where the naive
// forecast is persistence (m = 1) or seasonal naive with period m: its in-sample MAE is
// mean |y_t - y_{t-m}| over the training rows (naive_scale). Below 1: better than that naive
// forecast was on the training rows, in the same units for every series.
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "bnlstm/core/tensor.hpp"

namespace bnlstm {

struct ForecastErrors {
  Index count = 0;        // number of forecast values compared (rows * horizon)
  double mse_scaled = 0;  // mean squared error in scaled units
  double rmse = 0;        // root mean squared error, price units
  double mae = 0;         // mean absolute error, price units
  double mape = 0;        // mean absolute percentage error in percent; NaN if an actual is 0
  double mase = 0;        // mae / naive scale; NaN when no scale was given
};

// predicted, actual: (R, H) in price units; predicted_scaled, actual_scaled: (R, H), the same
// values in scaled units; mase_scale: naive_scale() of the training rows (NaN: MASE undefined).
// Throws bnlstm::Error on mismatched shapes or no rows.
ForecastErrors forecast_errors(const MatrixD& predicted, const MatrixD& actual,
                               const MatrixD& predicted_scaled, const MatrixD& actual_scaled,
                               double mase_scale = std::numeric_limits<double>::quiet_NaN());

// The errors of each column (horizon step) separately: (H) entries, entry k for step k + 1.
std::vector<ForecastErrors> forecast_errors_by_step(
    const MatrixD& predicted, const MatrixD& actual, const MatrixD& predicted_scaled,
    const MatrixD& actual_scaled, double mase_scale = std::numeric_limits<double>::quiet_NaN());

// The persistence forecast for windows whose last observed value is last: (R) repeated over
// the horizon H. last: (R), result: (R, H).
MatrixD persistence_forecast(const VectorD& last, Index horizon);

// The seasonal-naive forecast with period m (rows) for origins whose last observed row is
// origin_rows[r]: step h = 1..H is the value at row t + h - m * (floor((h - 1) / m) + 1), i.e.
// the last observed value of the same phase of the season. values: (T) the series; result (R, H).
// Throws bnlstm::Error when m < 1 or a needed row lies before row 0.
MatrixD seasonal_naive_forecast(const VectorD& values, const std::vector<Index>& origin_rows,
                                Index horizon, Index season);

// mean |values[t] - values[t - m]| over t in [rows.begin + m, rows.end): the in-sample MAE of
// the (seasonal) naive forecast with period m >= 1 (m = 1: persistence). values: (T).
// Throws bnlstm::Error when the rows hold no such pair or m < 1.
double naive_scale(const VectorD& values, Index begin, Index end, Index season);

struct ForecastComparison {
  std::string label;  // e.g. "test 2016-03-01..2020-12-31"
  ForecastErrors model;
  ForecastErrors baseline;                 // persistence on the same rows
  std::optional<ForecastErrors> seasonal;  // seasonal naive on the same rows, when season > 0
  Index season = 0;                        // its period in rows (0: none)
  Index mase_season = 1;                   // the naive forecast MASE is scaled by (1 or season)
  // The series' step as a noun ("month", "business day"; frequency.hpp period_name), naming the
  // baselines: "persistence (previous month)", "seasonal naive (12 months)". Empty (unknown):
  // "persistence (tomorrow=today)", "seasonal naive (12 rows)".
  std::string period;
  // per horizon step (H entries each; the seasonal one empty without a season)
  std::vector<ForecastErrors> model_steps, baseline_steps, seasonal_steps;
  // true when the model's RMSE is strictly below the baseline's
  bool model_beats_baseline() const { return model.rmse < baseline.rmse; }
  bool model_beats_seasonal() const { return seasonal && model.rmse < seasonal->rmse; }
};

// A small fixed-width table with a row per forecast and a one-line verdict per baseline, e.g.
//   test (1180 forecasts)            MSE(scaled)        RMSE         MAE     MAPE    MASE
//   model                              0.0004215       12.31        8.77    1.04%   1.021
//   persistence (tomorrow=today)       0.0003120       10.59        7.01    0.83%   0.998
//   verdict: the model does NOT beat persistence (RMSE 12.31 vs 10.59, +16.2%)
// With a season, a "seasonal naive (12 rows)" row and verdict follow; with H > 1 a table of the
// RMSE per step. RMSE and MAE (the data's units) have 4 decimals, more when the smallest of them
// is below 0.01, so that each keeps three significant digits ("RMSE 0.000123 vs 0.000119").
std::string format_comparison(const ForecastComparison& c);

}  // namespace bnlstm
