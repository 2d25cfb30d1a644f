#include "bnlstm/plot/histogram.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>

#include "bnlstm/core/error.hpp"

namespace bnlstm {

static void check_finite(std::span<const double> values) {
  for (size_t i = 0; i < values.size(); ++i) {
    if (!std::isfinite(values[i])) {
      throw Error(fmt::format("histogram: value {} at index {} is not finite", values[i], i));
    }
  }
}

Histogram compute_histogram(std::span<const double> values, int bins, double lo, double hi) {
  if (bins < 1) throw Error(fmt::format("histogram: {} bins, expected at least 1", bins));
  if (!(lo < hi)) throw Error(fmt::format("histogram: range [{}, {}] is empty", lo, hi));
  check_finite(values);
  Histogram h;
  h.edges.resize(static_cast<size_t>(bins) + 1);
  const double width = (hi - lo) / bins;
  for (int i = 0; i <= bins; ++i) h.edges[static_cast<size_t>(i)] = lo + width * i;
  h.edges.back() = hi;  // exact right edge, whatever the rounding
  h.counts.assign(static_cast<size_t>(bins), 0.0);
  for (const double v : values) {
    if (v < lo || v > hi) continue;
    // index from the width, then fix the rare off-by-one from rounding against the edges
    auto i = std::min(static_cast<size_t>((v - lo) / width), static_cast<size_t>(bins) - 1);
    if (v < h.edges[i])
      --i;
    else if (i + 1 < static_cast<size_t>(bins) && v >= h.edges[i + 1])
      ++i;
    h.counts[i] += 1.0;
  }
  return h;
}

Histogram compute_histogram(std::span<const double> values, int bins) {
  if (values.empty()) throw Error("histogram: no values");
  check_finite(values);
  const auto [lo, hi] = std::minmax_element(values.begin(), values.end());
  if (*lo == *hi) return compute_histogram(values, bins, *lo - 0.5, *hi + 0.5);
  return compute_histogram(values, bins, *lo, *hi);
}

void normalize_density(Histogram& histogram) {
  double total = 0.0;
  for (const double c : histogram.counts) total += c;
  if (total == 0.0) return;
  for (size_t i = 0; i < histogram.counts.size(); ++i) {
    histogram.counts[i] /= total * (histogram.edges[i + 1] - histogram.edges[i]);
  }
}

}  // namespace bnlstm
