#pragma once
// A forecaster judged on a range of windows, beside the persistence forecast (and, given a
// season, the seasonal-naive forecast) on the same rows: the forecasts themselves (for CSV files
// and plots) and the error table (metrics.hpp), pooled and per horizon step.
#include <string>
#include <vector>

#include "bnlstm/data/dataset.hpp"
#include "bnlstm/data/split.hpp"
#include "bnlstm/data/windows.hpp"
#include "bnlstm/nn/loss.hpp"
#include "bnlstm/train/forecaster.hpp"
#include "bnlstm/train/metrics.hpp"

namespace bnlstm {

struct RangeForecast {
  std::vector<Index> windows;    // (N) window indices
  std::vector<Date> last_dates;  // (N) date of the last observed value of each window (origin)
  MatrixD predicted;             // (N, H) model forecasts, price units
  MatrixD persistence;           // (N, H) last observed value repeated
  MatrixD seasonal;              // (N, H) seasonal naive; empty (0, 0) without a season
  MatrixD actual;                // (N, H)
  ForecastComparison comparison;
};

// The baselines beside the model.
struct BaselineOptions {
  Index season = 0;  // seasonal-naive period in rows; 0: no seasonal baseline
  // rows whose naive in-sample error scales MASE (the training rows); empty: MASE undefined (NaN).
  // The naive forecast is seasonal naive when season > 0, persistence otherwise.
  Range in_sample_rows;
};

// Forecasts every window in `range` (indices < w.count(), non-empty) and compares them with the
// actual values. MSE(scaled) is measured on the target column scaled by the forecaster's scaler
// (level units for both targets: for a delta model the error of a change equals the error of
// the resulting level), so it is comparable with the notebook's "Val Loss".
// Throws bnlstm::Error for an empty range, or a season that reaches before row 0.
RangeForecast evaluate_range(Forecaster& forecaster, const Windows& w, Range range,
                             const std::string& label, const BaselineOptions& baselines = {});

// The comparison of given forecasts (all (N, H), price units) with the baselines' errors, as
// evaluate_range computes it; backtests pool their folds' forecasts through this. scaler_shift
// and scaler_scale map the target column to scaled units; mase_scale as in forecast_errors.
ForecastComparison compare_forecasts(const MatrixD& predicted, const MatrixD& actual,
                                     const MatrixD& persistence, const MatrixD& seasonal,
                                     Index season, double scaler_shift, double scaler_scale,
                                     double mase_scale, Index mase_season,
                                     const std::string& label);

// The persistence forecast's mean loss on windows `range` (non-empty) in the model's scaled target
// units, i.e. the validation loss a model must go below to beat persistence there: its prediction
// is "no change" (delta targets: 0; level targets: the last observed scaled value).
double persistence_loss(const Windows& w, Range range, const Loss<double>& loss);

// "origin,date,step,actual,predicted,persistence[,seasonal_naive]\n" then one row per window
// and step: origin = the date of the last observed value, date = the target's date.
std::string forecasts_csv(const RangeForecast& r, const Windows& w);

// {"label": ..., "forecasts": N*H, "model": {"mse_scaled": ..., "rmse": ..., "mae": ..., "mape":
// ..., "mase": ...}, "persistence": {...}, "model_beats_persistence": true|false,
// with a season also "season": m, "seasonal_naive": {...}, "model_beats_seasonal_naive": ...,
// "mase_naive": "persistence" | "seasonal naive (m rows)",
// and "by_step": [{"step": 1, "model": {...}, "persistence": {...}[, "seasonal_naive": {...}]},
// ...]} (MAPE and MASE null when undefined).
std::string comparison_json(const ForecastComparison& c);

}  // namespace bnlstm
