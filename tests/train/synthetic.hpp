#pragma once
// A small synthetic daily price series for the training tests: a noisy sine on a trend, on
// consecutive business days from 2020-01-01.
#include <cmath>
#include <random>

#include "bnlstm/data/dataset.hpp"
#include "bnlstm/data/series.hpp"
#include "bnlstm/train/forecaster.hpp"

namespace bnlstm::testing {

inline Series synthetic_series(Index rows, uint64_t seed = 11, Index columns = 1) {
  Series s;
  s.source = "synthetic";
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> noise(0, 0.3);
  const std::vector<Date> days =
      next_business_days(Date{std::chrono::days{18262}}, rows);  // after 2020-01-01
  s.dates = days;
  for (Index c = 0; c < columns; ++c)
    s.columns.push_back(c == 0 ? "Close" : "Volume" + std::to_string(c));
  s.values.resize(rows, columns);
  for (Index t = 0; t < rows; ++t)
    for (Index c = 0; c < columns; ++c)
      s.values(t, c) = 100 + 0.05 * t + 5 * std::sin(0.2 * t + c) + noise(rng) + 10 * c;
  return s;
}

inline Dataset synthetic_dataset(Index rows, Index lookback, Index horizon, Target target,
                                 double train = 0.6, double validation = 0.2) {
  DatasetOptions o;
  o.split = {train, validation};
  o.windows.lookback = lookback;
  o.windows.horizon = horizon;
  o.windows.target = target;
  return make_dataset(synthetic_series(rows), o);
}

}  // namespace bnlstm::testing
