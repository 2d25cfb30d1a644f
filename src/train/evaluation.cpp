#include "bnlstm/train/evaluation.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <numeric>

#include "bnlstm/core/error.hpp"

namespace bnlstm {

ForecastComparison compare_forecasts(const MatrixD& predicted, const MatrixD& actual,
                                     const MatrixD& persistence, const MatrixD& seasonal,
                                     Index season, double scaler_shift, double scaler_scale,
                                     double mase_scale, Index mase_season,
                                     const std::string& label) {
  auto scaled = [&](const MatrixD& p) -> MatrixD {
    return (p.array() - scaler_shift) / scaler_scale;
  };
  const MatrixD actual_scaled = scaled(actual);
  ForecastComparison c;
  c.label = label;
  c.mase_season = mase_season;
  // model and persistence, pooled and per step
  const MatrixD model_scaled = scaled(predicted), persistence_scaled = scaled(persistence);
  c.model = forecast_errors(predicted, actual, model_scaled, actual_scaled, mase_scale);
  c.baseline = forecast_errors(persistence, actual, persistence_scaled, actual_scaled, mase_scale);
  c.model_steps =
      forecast_errors_by_step(predicted, actual, model_scaled, actual_scaled, mase_scale);
  c.baseline_steps =
      forecast_errors_by_step(persistence, actual, persistence_scaled, actual_scaled, mase_scale);
  // seasonal naive
  if (season > 0) {
    const MatrixD seasonal_scaled = scaled(seasonal);
    c.season = season;
    c.seasonal = forecast_errors(seasonal, actual, seasonal_scaled, actual_scaled, mase_scale);
    c.seasonal_steps =
        forecast_errors_by_step(seasonal, actual, seasonal_scaled, actual_scaled, mase_scale);
  }
  return c;
}

RangeForecast evaluate_range(Forecaster& forecaster, const Windows& w, Range range,
                             const std::string& label, const BaselineOptions& baselines) {
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
  // seasonal naive from the raw target column
  const VectorD& prices = w.target_prices();
  const Index m = baselines.season;
  if (m > 0) {
    std::vector<Index> origin_rows;
    for (const Index i : r.windows) origin_rows.push_back(i + w.span() - 1);
    r.seasonal = seasonal_naive_forecast(prices, origin_rows, H, m);
  }
  // MASE's scale: the naive forecast's in-sample error
  const Index mase_season = std::max<Index>(m, 1);
  const Range in = baselines.in_sample_rows;
  const double mase_scale = in.size() > mase_season
                                ? naive_scale(prices, in.begin, in.end, mase_season)
                                : std::numeric_limits<double>::quiet_NaN();
  // the same errors in the scaler's units of the target column
  const Index c = w.spec().target_column;
  r.comparison =
      compare_forecasts(r.predicted, r.actual, r.persistence, r.seasonal, m, w.scaler().shift()[c],
                        w.scaler().scale()[c], mase_scale, mase_season, label);
  return r;
}

double persistence_loss(const Windows& w, Range range, const Loss<double>& loss) {
  if (range.empty()) throw Error("persistence loss: no windows");
  std::vector<Index> idx;
  MatrixD x, y;
  w.gather(x, y, indices_of(range, idx));
  MatrixD none = MatrixD::Zero(y.rows(), y.cols());
  if (w.spec().target == Target::level)
    for (Index n = 0; n < y.rows(); ++n)
      none.row(n).setConstant(w.scaled_target()[idx[static_cast<size_t>(n)] + w.span() - 1]);
  return loss.value(none, y);
}

std::string forecasts_csv(const RangeForecast& r, const Windows& w) {
  const bool seasonal = r.seasonal.size() > 0;
  std::string out = "origin,date,step,actual,predicted,persistence";
  out += seasonal ? ",seasonal_naive\n" : "\n";
  for (size_t n = 0; n < r.windows.size(); ++n)
    for (Index k = 0; k < w.horizon(); ++k) {
      const Index row = static_cast<Index>(n);
      out += fmt::format("{},{},{},{},{},{}", format_date(r.last_dates[n]),
                         format_date(w.target_date(r.windows[n], k)), k + 1, r.actual(row, k),
                         r.predicted(row, k), r.persistence(row, k));
      out += seasonal ? fmt::format(",{}\n", r.seasonal(row, k)) : "\n";
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
  j["mase"] = std::isnan(e.mase) ? nlohmann::ordered_json() : nlohmann::ordered_json(e.mase);
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
  if (c.seasonal) {
    j["season"] = c.season;
    j["seasonal_naive"] = errors_json(*c.seasonal);
    j["model_beats_seasonal_naive"] = c.model_beats_seasonal();
  }
  j["mase_naive"] = c.mase_season > 1 ? fmt::format("seasonal naive ({} rows)", c.mase_season)
                                      : std::string("persistence");
  nlohmann::ordered_json steps = nlohmann::ordered_json::array();
  for (size_t k = 0; k < c.model_steps.size(); ++k) {
    nlohmann::ordered_json s;
    s["step"] = k + 1;
    s["model"] = errors_json(c.model_steps[k]);
    s["persistence"] = errors_json(c.baseline_steps[k]);
    if (k < c.seasonal_steps.size()) s["seasonal_naive"] = errors_json(c.seasonal_steps[k]);
    steps.push_back(s);
  }
  j["by_step"] = steps;
  return j.dump(2);
}

}  // namespace bnlstm
