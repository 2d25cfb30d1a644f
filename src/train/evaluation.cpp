#include "bnlstm/train/evaluation.hpp"

#include <fmt/core.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <numeric>

#include "bnlstm/core/error.hpp"

namespace bnlstm {

RangeForecast evaluate_range(Forecaster& forecaster, const Windows& w, Range range,
                             const std::string& label) {
  if (range.empty()) throw Error("evaluate: the " + label + " part holds no window");
  if (range.begin < 0 || range.end > w.count())
    throw Error(fmt::format("evaluate: windows [{}, {}) out of range [0, {})", range.begin,
                            range.end, w.count()));
  RangeForecast r;
  indices_of(range, r.windows);
  const Index N = range.size(), H = w.horizon();
  // model and baseline
  r.predicted = forecaster.predict_prices(w, r.windows);
  VectorD last(N);
  r.actual.resize(N, H);
  for (Index n = 0; n < N; ++n) {
    const Index i = r.windows[static_cast<size_t>(n)];
    last[n] = w.last_observed_price(i);
    r.last_dates.push_back(w.last_input_date(i));
    for (Index k = 0; k < H; ++k) r.actual(n, k) = w.target_price(i, k);
  }
  r.persistence = persistence_forecast(last, H);
  // the same errors in the scaler's units of the target column
  const Index c = w.spec().target_column;
  const double shift = w.scaler().shift()[c], scale = w.scaler().scale()[c];
  auto scaled = [&](const MatrixD& p) -> MatrixD { return (p.array() - shift) / scale; };
  r.comparison.label = label;
  r.comparison.model =
      forecast_errors(r.predicted, r.actual, scaled(r.predicted), scaled(r.actual));
  r.comparison.baseline =
      forecast_errors(r.persistence, r.actual, scaled(r.persistence), scaled(r.actual));
  return r;
}

std::string forecasts_csv(const RangeForecast& r, const Windows& w) {
  std::string out = "date,step,actual,predicted,persistence\n";
  for (size_t n = 0; n < r.windows.size(); ++n)
    for (Index k = 0; k < w.horizon(); ++k) {
      const Index row = static_cast<Index>(n);
      out += fmt::format("{},{},{},{},{}\n", format_date(w.target_date(r.windows[n], k)), k + 1,
                         r.actual(row, k), r.predicted(row, k), r.persistence(row, k));
    }
  return out;
}

namespace {

nlohmann::ordered_json errors_json(const ForecastErrors& e) {
  nlohmann::ordered_json j;
  j["mse_scaled"] = e.mse_scaled;
  j["rmse"] = e.rmse;
  j["mae"] = e.mae;
  j["mape"] = std::isnan(e.mape) ? nlohmann::ordered_json() : nlohmann::ordered_json(e.mape);
  return j;
}

}  // namespace

std::string comparison_json(const ForecastComparison& c) {
  nlohmann::ordered_json j;
  j["label"] = c.label;
  j["forecasts"] = c.model.count;
  j["model"] = errors_json(c.model);
  j["persistence"] = errors_json(c.baseline);
  j["model_beats_persistence"] = c.model_beats_baseline();
  return j.dump(2);
}

}  // namespace bnlstm
