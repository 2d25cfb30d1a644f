#pragma once
// Chronological train / validation / test split of a series and of its windows.
//
// Rows (T of them, oldest first) are cut, never shuffled across the cut:
//   train       rows [0, n_train)                    n_train = floor(train * T)   (notebook: 0.7,
//   validation  rows [n_train, n_train + n_val)      n_val   = floor(validation * T)  int(len*0.7))
//   test        rows [n_train + n_val, T)            the rest
// The scaler is fitted on the train rows only (fit_scaler below).
//
// Windows (windows.hpp: window i has inputs rows i..i+L-1, targets rows i+L..i+L+H-1):
//   a window belongs to the part that contains its FIRST target row, provided ALL its targets lie
//   in that part. Its inputs may reach back into the previous part (as in Darts, where a test
//   forecast is conditioned on the last L training values). Windows whose targets straddle a cut
//   (only possible when H > 1; H - 1 windows per cut) belong to no part, so no train target comes
//   from validation/test rows and no validation target from test rows.
// In window indices, part [b, e) of the rows holds windows [b - L, e - L - H + 1) clipped to
// [0, count). With H = 1 every window belongs to exactly one part.
#include "bnlstm/core/tensor.hpp"
#include "bnlstm/data/scaler.hpp"
#include "bnlstm/data/series.hpp"

namespace bnlstm {

// A half-open range [begin, end) of rows or window indices.
struct Range {
  Index begin = 0;
  Index end = 0;
  Index size() const { return end - begin; }
  bool empty() const { return end <= begin; }
  bool contains(Index i) const { return begin <= i && i < end; }
  bool operator==(const Range&) const = default;
};

struct SplitFractions {
  double train = 0.7;       // 0 < train <= 1
  double validation = 0.0;  // 0 <= validation, train + validation <= 1; the rest is test
};

struct Split {
  Range train_rows, validation_rows, test_rows;
  Range train_windows, validation_windows, test_windows;
};

// rows: T; lookback: L; horizon: H. Throws bnlstm::Error for fractions out of range, and when a
// non-empty part holds no window ("split: the test part (2 rows) holds no window for horizon 3"),
// in particular when the train part is shorter than L + H rows.
Split chronological_split(Index rows, Index lookback, Index horizon,
                          const SplitFractions& fractions = {});

// The same cut at given rows instead of fractions: train [0, train_end), validation
// [train_end, validation_end), test [validation_end, test_end); rows from test_end on belong to no
// part (a backtest fold's later rows). Window ranges and errors as chronological_split.
// Throws bnlstm::Error unless 0 <= train_end <= validation_end <= test_end <= rows, and as
// chronological_split when a non-empty part holds no window (the train part must hold one).
Split split_at_rows(Index rows, Index lookback, Index horizon, Index train_end,
                    Index validation_end, Index test_end);

// Fits on rows split.train_rows of series.values only: no statistic sees validation/test rows.
Scaler fit_scaler(ScalerKind kind, const Series& series, const Split& split);

}  // namespace bnlstm
