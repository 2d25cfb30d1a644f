#pragma once
// Forecast errors and the naive persistence baseline ("tomorrow = today").
//
// Every forecast is judged twice: in scaled units (MSE, comparable with the training "Val Loss"
// of a level model and with the notebook's printout) and in price units (RMSE, MAE, MAPE). The
// persistence forecast on the same rows is always reported beside the model, because on daily
// prices it is very hard to beat and a model that does not beat it has learnt nothing useful.
#include <string>

#include "bnlstm/core/tensor.hpp"

namespace bnlstm {

struct ForecastErrors {
  Index count = 0;        // number of forecast values compared (rows * horizon)
  double mse_scaled = 0;  // mean squared error in scaled units
  double rmse = 0;        // root mean squared error, price units
  double mae = 0;         // mean absolute error, price units
  double mape = 0;        // mean absolute percentage error in percent; NaN if an actual is 0
};

// predicted, actual: (R, H) in price units; predicted_scaled, actual_scaled: (R, H), the same
// values in scaled units. Throws bnlstm::Error on mismatched shapes or no rows.
ForecastErrors forecast_errors(const MatrixD& predicted, const MatrixD& actual,
                               const MatrixD& predicted_scaled, const MatrixD& actual_scaled);

// The persistence forecast for windows whose last observed value is last: (R) repeated over
// the horizon H. last: (R), result: (R, H).
MatrixD persistence_forecast(const VectorD& last, Index horizon);

struct ForecastComparison {
  std::string label;  // e.g. "test 2016-03-01..2020-12-31"
  ForecastErrors model;
  ForecastErrors baseline;  // persistence on the same rows
  // true when the model's RMSE is strictly below the baseline's
  bool model_beats_baseline() const { return model.rmse < baseline.rmse; }
};

// A small fixed-width table with both rows and a one-line verdict, e.g.
//   test (1180 forecasts)       MSE(scaled)        RMSE         MAE     MAPE
//   model                        0.0004215       12.31        8.77    1.04%
//   persistence (tomorrow=today) 0.0003120       10.59        7.01    0.83%
//   verdict: the model does NOT beat persistence (RMSE 12.31 vs 10.59, +16.2%)
std::string format_comparison(const ForecastComparison& c);

}  // namespace bnlstm
