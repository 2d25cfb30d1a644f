// GCC 12 with AVX-512 reports a false -Wmaybe-uninitialized inside Eigen's vectorized
// reductions (fixed in GCC 13); it is not about this file's code.
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ < 13
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include "bnlstm/train/metrics.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "bnlstm/core/error.hpp"
#include "bnlstm/train/error_decimals.hpp"

namespace bnlstm {

ForecastErrors forecast_errors(const MatrixD& predicted, const MatrixD& actual,
                               const MatrixD& predicted_scaled, const MatrixD& actual_scaled,
                               double mase_scale) {
  auto shape = [](const MatrixD& m) { return fmt::format("({}, {})", m.rows(), m.cols()); };
  if (predicted.rows() != actual.rows() || predicted.cols() != actual.cols() ||
      predicted_scaled.rows() != actual.rows() || predicted_scaled.cols() != actual.cols() ||
      actual_scaled.rows() != actual.rows() || actual_scaled.cols() != actual.cols())
    throw Error(fmt::format(
        "forecast errors: shapes differ: predicted {}, actual {}, scaled {} and {}",
        shape(predicted), shape(actual), shape(predicted_scaled), shape(actual_scaled)));
  if (actual.size() == 0) throw Error("forecast errors: no forecasts to compare (0 rows)");

  ForecastErrors e;
  e.count = actual.size();
  const double n = static_cast<double>(e.count);
  // price-unit errors
  const MatrixD diff = predicted - actual;
  e.rmse = std::sqrt(diff.squaredNorm() / n);
  e.mae = diff.cwiseAbs().sum() / n;
  // percentage errors are undefined at a zero price
  if ((actual.array() == 0.0).any())
    e.mape = std::numeric_limits<double>::quiet_NaN();
  else
    e.mape = 100.0 * (diff.array() / actual.array()).abs().sum() / n;
  // scaled-unit error
  e.mse_scaled = (predicted_scaled - actual_scaled).squaredNorm() / n;
  // relative to the naive forecast's in-sample error
  e.mase = mase_scale > 0 ? e.mae / mase_scale : std::numeric_limits<double>::quiet_NaN();
  return e;
}

std::vector<ForecastErrors> forecast_errors_by_step(const MatrixD& predicted, const MatrixD& actual,
                                                    const MatrixD& predicted_scaled,
                                                    const MatrixD& actual_scaled,
                                                    double mase_scale) {
  // the full check first, so a shape error names the whole matrices
  forecast_errors(predicted, actual, predicted_scaled, actual_scaled, mase_scale);
  std::vector<ForecastErrors> steps;
  for (Index k = 0; k < actual.cols(); ++k)
    steps.push_back(forecast_errors(predicted.col(k), actual.col(k), predicted_scaled.col(k),
                                    actual_scaled.col(k), mase_scale));
  return steps;
}

MatrixD persistence_forecast(const VectorD& last, Index horizon) {
  MatrixD out(last.size(), horizon);
  for (Index h = 0; h < horizon; ++h) out.col(h) = last;
  return out;
}

MatrixD seasonal_naive_forecast(const VectorD& values, const std::vector<Index>& origin_rows,
                                Index horizon, Index season) {
  if (season < 1) throw Error(fmt::format("seasonal naive: season must be >= 1, got {}", season));
  const Index R = static_cast<Index>(origin_rows.size()), T = values.size();
  MatrixD out(R, horizon);
  for (Index r = 0; r < R; ++r) {
    const Index t = origin_rows[static_cast<size_t>(r)];
    for (Index h = 1; h <= horizon; ++h) {
      // the same phase, one season (or more, beyond the first season) before the target
      const Index row = t + h - season * ((h - 1) / season + 1);
      if (row < 0 || t >= T)
        throw Error(fmt::format(
            "seasonal naive: a season of {} rows needs {} rows before the forecast from row {}",
            season, season, t));
      out(r, h - 1) = values[row];
    }
  }
  return out;
}

double naive_scale(const VectorD& values, Index begin, Index end, Index season) {
  if (season < 1) throw Error(fmt::format("naive scale: season must be >= 1, got {}", season));
  begin = std::max<Index>(begin, 0);
  end = std::min<Index>(end, values.size());
  if (end - begin <= season)
    throw Error(
        fmt::format("naive scale: {} rows hold no pair {} rows apart", end - begin, season));
  double sum = 0;
  for (Index t = begin + season; t < end; ++t) sum += std::abs(values[t] - values[t - season]);
  return sum / static_cast<double>(end - begin - season);
}

namespace {

std::string number_or_na(double x, const char* format) {
  return std::isnan(x) ? std::string("n/a") : fmt::format(fmt::runtime(format), x);
}

// Decimals of the errors in the data's units (RMSE, MAE): error_decimals (a series in the
// thousandths would otherwise print "RMSE 0.0001 vs 0.0001"). A column is wide enough for them.
struct Units {
  int decimals = 4;
  int width = 12;
};

Units units_of(const ForecastComparison& c) {
  std::vector<double> errors;
  for (const ForecastErrors* e : {&c.model, &c.baseline}) {
    errors.push_back(e->rmse);
    errors.push_back(e->mae);
  }
  if (c.seasonal) {
    errors.push_back(c.seasonal->rmse);
    errors.push_back(c.seasonal->mae);
  }
  for (const auto* steps : {&c.model_steps, &c.baseline_steps, &c.seasonal_steps})
    for (const ForecastErrors& e : *steps) errors.push_back(e.rmse);
  Units u;
  u.decimals = error_decimals(errors);
  u.width = std::max(12, u.decimals + 5);
  return u;
}

std::string row(const std::string& name, const ForecastErrors& e, size_t width, const Units& u) {
  return fmt::format("{:<{}}{:>13.7f}{:>{}.{}f}{:>{}.{}f}{:>9}{:>8}\n", name, width, e.mse_scaled,
                     e.rmse, u.width, u.decimals, e.mae, u.width, u.decimals,
                     number_or_na(e.mape, "{:.2f}%"), number_or_na(e.mase, "{:.3f}"));
}

std::string verdict(const ForecastErrors& model, const ForecastErrors& base,
                    const std::string& name, const Units& u) {
  const double rel = base.rmse > 0 ? 100.0 * (model.rmse / base.rmse - 1.0) : 0.0;
  return fmt::format("verdict: the model {} {} (RMSE {:.{}f} vs {:.{}f}, {:+.1f}%)\n",
                     model.rmse < base.rmse ? "beats" : "does NOT beat", name, model.rmse,
                     u.decimals, base.rmse, u.decimals, rel);
}

}  // namespace

std::string format_comparison(const ForecastComparison& c) {
  const std::string persistence_name =
      c.period.empty() ? std::string("persistence (tomorrow=today)")
                       : fmt::format("persistence (previous {})", c.period);
  const std::string seasonal_name =
      fmt::format("seasonal naive ({} {}s)", c.season, c.period.empty() ? "row" : c.period);
  // the name column is 32 wide unless a name needs more
  size_t width = 32;
  for (const std::string* name : {&persistence_name, &seasonal_name})
    width = std::max(width, name->size() + 1);
  const Units u = units_of(c);
  std::string out = fmt::format("{:<{}}{:>13}{:>{}}{:>{}}{:>9}{:>8}\n",
                                fmt::format("{} ({} forecasts)", c.label, c.model.count), width,
                                "MSE(scaled)", "RMSE", u.width, "MAE", u.width, "MAPE", "MASE");
  out += row("model", c.model, width, u);
  out += row(persistence_name, c.baseline, width, u);
  if (c.seasonal) out += row(seasonal_name, *c.seasonal, width, u);
  out += verdict(c.model, c.baseline, "persistence", u);
  if (c.seasonal) out += verdict(c.model, *c.seasonal, "seasonal naive", u);
  // errors per horizon step
  if (c.model_steps.size() > 1) {
    const int w = u.width + 2;
    out += fmt::format("\n{:<8}{:>{}}{:>{}}{:>10}", "step", "RMSE model", w, "persistence", w,
                       "ratio");
    if (c.seasonal) out += fmt::format("{:>{}}{:>10}", "seasonal naive", w + 2, "ratio");
    out += "\n";
    for (size_t k = 0; k < c.model_steps.size(); ++k) {
      const double m = c.model_steps[k].rmse, p = c.baseline_steps[k].rmse;
      out += fmt::format("{:<8}{:>{}.{}f}{:>{}.{}f}{:>9.3f}x", k + 1, m, w, u.decimals, p, w,
                         u.decimals, m / p);
      if (c.seasonal && k < c.seasonal_steps.size())
        out += fmt::format("{:>{}.{}f}{:>9.3f}x", c.seasonal_steps[k].rmse, w + 2, u.decimals,
                           m / c.seasonal_steps[k].rmse);
      out += "\n";
    }
  }
  if (!std::isnan(c.model.mase))
    out += fmt::format("MASE: mean absolute error / that of the {} on the training rows\n",
                       c.mase_season > 1
                           ? fmt::format("seasonal naive forecast ({} {}s)", c.mase_season,
                                         c.period.empty() ? "row" : c.period)
                           : std::string("persistence forecast"));
  return out;
}

}  // namespace bnlstm
