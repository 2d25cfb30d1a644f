#include "bnlstm/data/dataset.hpp"

#include <numeric>

#include "bnlstm/core/error.hpp"

namespace bnlstm {

namespace {

Scaler checked(const Scaler& fitted, const Series& series) {
  if (fitted.cols() != series.cols())
    throw Error(series.source + ": the scaler was fitted on " + std::to_string(fitted.cols()) +
                " columns, the series has " + std::to_string(series.cols()));
  if (!fitted.columns().empty())
    for (Index c = 0; c < series.cols(); ++c)
      if (!find_column({series.columns[c]}, fitted.columns()[c]))
        throw Error(series.source + ": the scaler was fitted on columns " +
                    list_columns(fitted.columns()) + ", the series has " +
                    list_columns(series.columns));
  return fitted;
}

}  // namespace

Dataset make_dataset(Series series, const DatasetOptions& options, const Scaler* fitted) {
  const WindowSpec& w = options.windows;
  window_count(series.rows(), w);  // the plain "too few rows" message first
  // the split sees the span (L, or L + 1 with delta inputs): a window's targets follow its span
  Split split = chronological_split(series.rows(), window_span(w), w.horizon, options.split);
  Scaler scaler = fitted ? checked(*fitted, series) : fit_scaler(options.scaler, series, split);
  Windows windows(series, scaler, w);
  return Dataset{std::move(series), split, std::move(scaler), std::move(windows)};
}

std::vector<Index>& indices_of(Range range, std::vector<Index>& out) {
  out.resize(static_cast<size_t>(std::max<Index>(0, range.size())));
  std::iota(out.begin(), out.end(), range.begin);
  return out;
}

}  // namespace bnlstm
