// GCC 12 with AVX-512 reports a false -Wmaybe-uninitialized inside Eigen's vectorized
// reductions (fixed in GCC 13); it is not about this file's code.
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ < 13
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include "bnlstm/train/metrics.hpp"

#include <fmt/core.h>

#include <cmath>
#include <limits>

#include "bnlstm/core/error.hpp"

namespace bnlstm {

ForecastErrors forecast_errors(const MatrixD& predicted, const MatrixD& actual,
                               const MatrixD& predicted_scaled, const MatrixD& actual_scaled) {
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
  return e;
}

MatrixD persistence_forecast(const VectorD& last, Index horizon) {
  MatrixD out(last.size(), horizon);
  for (Index h = 0; h < horizon; ++h) out.col(h) = last;
  return out;
}

namespace {

std::string row(const std::string& name, const ForecastErrors& e) {
  const std::string mape = std::isnan(e.mape) ? std::string("n/a") : fmt::format("{:.2f}%", e.mape);
  return fmt::format("{:<30}{:>13.7f}{:>12.4f}{:>12.4f}{:>9}\n", name, e.mse_scaled, e.rmse, e.mae,
                     mape);
}

}  // namespace

std::string format_comparison(const ForecastComparison& c) {
  std::string out = fmt::format("{:<30}{:>13}{:>12}{:>12}{:>9}\n",
                                fmt::format("{} ({} forecasts)", c.label, c.model.count),
                                "MSE(scaled)", "RMSE", "MAE", "MAPE");
  out += row("model", c.model);
  out += row("persistence (tomorrow=today)", c.baseline);
  const double rel = c.baseline.rmse > 0 ? 100.0 * (c.model.rmse / c.baseline.rmse - 1.0) : 0.0;
  if (c.model_beats_baseline())
    out += fmt::format("verdict: the model beats persistence (RMSE {:.4f} vs {:.4f}, {:+.1f}%)\n",
                       c.model.rmse, c.baseline.rmse, rel);
  else
    out += fmt::format(
        "verdict: the model does NOT beat persistence (RMSE {:.4f} vs {:.4f}, {:+.1f}%)\n",
        c.model.rmse, c.baseline.rmse, rel);
  return out;
}

}  // namespace bnlstm
