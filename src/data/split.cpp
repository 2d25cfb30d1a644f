#include "bnlstm/data/split.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "bnlstm/core/checked.hpp"
#include "bnlstm/core/error.hpp"

namespace bnlstm {

namespace {

std::string num(double x) {
  std::string s = std::to_string(x);
  s.erase(s.find_last_not_of('0') + 1);  // 0.700000 -> 0.7
  if (s.back() == '.') s.pop_back();
  return s;
}

// Windows whose targets all lie in rows [b, e): [b - L, e - L - H + 1) clipped to [0, count).
Range windows_of(Range rows, Index L, Index H, Index count) {
  Range w{std::max<Index>(0, rows.begin - L), std::min<Index>(count, rows.end - L - H + 1)};
  if (w.end < w.begin) w.end = w.begin;
  return w;
}

std::string rows_text(Index n) { return std::to_string(n) + (n == 1 ? " row" : " rows"); }

// what: e.g. " (train fraction 0.7)" when the rows came from a fraction
std::string too_few_train_rows(Index n_train, Index T, Index L, Index H, const std::string& what) {
  return "split: the train part has " + std::to_string(n_train) + " of the " + rows_text(T) + what +
         "; look-back " + std::to_string(L) + " and horizon " + std::to_string(H) +
         " need at least " + std::to_string(saturating_add(L, H)) + " rows in it";
}

}  // namespace

Split chronological_split(Index rows, Index lookback, Index horizon, const SplitFractions& f) {
  const Index T = rows, L = lookback, H = horizon;
  if (!(f.train > 0 && f.train <= 1))
    throw Error("split: expected a train fraction in (0, 1], got " + num(f.train));
  if (!(f.validation >= 0 && f.train + f.validation <= 1 + 1e-12))
    throw Error("split: expected a validation fraction in [0, 1 - train] = [0, " +
                num(1 - f.train) + "], got " + num(f.validation));
  if (L < 1 || H < 1)
    throw Error("split: look-back and horizon must be >= 1, got " + std::to_string(L) + " and " +
                std::to_string(H));

  // rows: floor like the notebook's int(len(data) * 0.7)
  const Index n_train = static_cast<Index>(std::floor(f.train * static_cast<double>(T)));
  const Index n_val =
      std::min(T - n_train, static_cast<Index>(std::floor(f.validation * static_cast<double>(T))));
  if (n_train - L - H + 1 < 1)  // no window has all its targets in the train part
    throw Error(too_few_train_rows(n_train, T, L, H, " (train fraction " + num(f.train) + ")"));
  return split_at_rows(T, L, H, n_train, n_train + n_val, T);
}

Split split_at_rows(Index rows, Index lookback, Index horizon, Index train_end,
                    Index validation_end, Index test_end) {
  const Index T = rows, L = lookback, H = horizon, n_train = train_end;
  if (L < 1 || H < 1)
    throw Error("split: look-back and horizon must be >= 1, got " + std::to_string(L) + " and " +
                std::to_string(H));
  if (!(0 <= train_end && train_end <= validation_end && validation_end <= test_end &&
        test_end <= rows))
    throw Error("split: expected 0 <= train end <= validation end <= test end <= " +
                std::to_string(rows) + " rows, got " + std::to_string(train_end) + ", " +
                std::to_string(validation_end) + ", " + std::to_string(test_end));
  Split s;
  s.train_rows = {0, train_end};
  s.validation_rows = {train_end, validation_end};
  s.test_rows = {validation_end, test_end};

  // windows: by first target, all targets inside the part
  const Index count = std::max<Index>(0, T - L - H + 1);
  s.train_windows = windows_of(s.train_rows, L, H, count);
  s.validation_windows = windows_of(s.validation_rows, L, H, count);
  s.test_windows = windows_of(s.test_rows, L, H, count);

  if (s.train_windows.empty())
    throw Error(too_few_train_rows(n_train, T, L, H, ""));
  auto check = [&](const char* name, Range part_rows, Range part_windows) {
    if (!part_rows.empty() && part_windows.empty())
      throw Error(std::string("split: the ") + name + " part has " + rows_text(part_rows.size()) +
                  "; horizon " + std::to_string(H) + " needs at least " + rows_text(H) + " in it");
  };
  check("validation", s.validation_rows, s.validation_windows);
  check("test", s.test_rows, s.test_windows);
  return s;
}

Scaler fit_scaler(ScalerKind kind, const Series& series, const Split& split) {
  if (split.train_rows.end > series.rows())
    throw Error("fit_scaler: the split has " + std::to_string(split.train_rows.end) +
                " train rows, the series " + std::to_string(series.rows()));
  try {
    return Scaler::fit(kind,
                       series.values.middleRows(split.train_rows.begin, split.train_rows.size()),
                       series.columns);
  } catch (const Error& e) {
    // "scaler: column 'Close': ..." -> "prices.csv: column 'Close': ..."
    std::string what = e.what();
    if (what.rfind("scaler: ", 0) == 0) what.erase(0, 8);
    throw Error(series.source + ": " + what);
  }
}

}  // namespace bnlstm
