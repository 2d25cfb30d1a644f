#pragma once
// A forecaster judged on a range of windows, beside the persistence forecast on the same rows:
// the forecasts themselves (for CSV files and plots) and the error table (metrics.hpp).
#include <string>
#include <vector>

#include "bnlstm/data/dataset.hpp"
#include "bnlstm/data/split.hpp"
#include "bnlstm/data/windows.hpp"
#include "bnlstm/train/forecaster.hpp"
#include "bnlstm/train/metrics.hpp"

namespace bnlstm {

struct RangeForecast {
  std::vector<Index> windows;    // (N) window indices
  std::vector<Date> last_dates;  // (N) date of the last observed value of each window
  MatrixD predicted;             // (N, H) model forecasts, price units
  MatrixD persistence;           // (N, H) last observed value repeated
  MatrixD actual;                // (N, H)
  ForecastComparison comparison;
};

// Forecasts every window in `range` (indices < w.count(), non-empty) and compares them with the
// actual values. MSE(scaled) is measured on the target column scaled by the forecaster's scaler
// (level units for both targets: for a delta model the error of a change equals the error of
// the resulting level), so it is comparable with the notebook's "Val Loss".
RangeForecast evaluate_range(Forecaster& forecaster, const Windows& w, Range range,
                             const std::string& label);

// "date,step,actual,predicted,persistence\n" then one row per window and step, the date being
// the target's date.
std::string forecasts_csv(const RangeForecast& r, const Windows& w);

// {"label": ..., "forecasts": N*H, "model": {"mse_scaled": ..., "rmse": ..., "mae": ..., "mape":
// ...},
//  "persistence": {...}, "model_beats_persistence": true|false} (MAPE null when undefined).
std::string comparison_json(const ForecastComparison& c);

}  // namespace bnlstm
