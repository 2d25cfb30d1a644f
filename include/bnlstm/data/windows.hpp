#pragma once
// Sliding windows over a scaled series: look-back inputs and a multi-step target.
//
// With L = look-back, H = horizon and T rows, window i (0 <= i < count() = T - L - H + 1) has
//   inputs   rows i .. i+L-1          (L steps of the I input columns, scaled)
//   targets  rows i+L .. i+L+H-1      (H values of the target column: direct multi-step output,
//                                      like Darts' output_chunk_length)
// The last observed value of window i is the target column at row i+L-1. Targets are
//   level:  y[k] = s[i+L+k]                      (s = the scaled target column)
//   delta:  y[k] = s[i+L+k] - s[i+L-1]           (change from the last observed value; default)
// The notebook's setup is L = 1, H = 1, level. Delta is the default because, with the scaler
// fitted on the training rows only, levels in a later test range leave the training range (GOOG
// 2005..2020, min-max: test levels up to 2.46) while daily changes stay small (|delta| <= 0.20).
//
// Inverse mapping to price units (to_price), with scale/shift of the target column:
//   level:  price[k] = y[k] * scale + shift
//   delta:  price[k] = last_observed_price + y[k] * scale
//
// Batch layout for an LSTM with time-major input (L, N, I): gather() writes x as a row-major
// (L*N, I) matrix whose row t*N + n is step t of sample n, and y as (N, H). The caller owns x and
// y; they are resized only when the shape changes, so a training loop allocates nothing.
#include <span>
#include <string_view>
#include <vector>

#include "bnlstm/core/matrix_buffer.hpp"
#include "bnlstm/data/scaler.hpp"
#include "bnlstm/data/series.hpp"

namespace bnlstm {

enum class Target { level, delta };

// What the model sees of each input column at each step (--input):
//   level  the scaled value of row r                       (the notebook)
//   delta  its change from the previous row, scaled[r] - scaled[r-1] = (p_r - p_{r-1}) / scale,
//          i.e. in the scaler's units (the shift cancels)
//   both   level and delta as two features per column: x row = [levels of the I columns,
//          deltas of the I columns]
// delta and both need the row before the first input row, so a window spans L + 1 rows (its
// "span"): window i then reads rows i..i+L, feeds steps i+1..i+L and has its targets at rows
// i+L+1... . Row 0 has no delta and is never fed; the first window starts one row later, so a
// delta series has one window less. Across a split cut the earlier row may lie in the previous
// part, like any input (split.hpp), and the split is computed with the span, not L.
enum class InputKind { level, delta, both };

// "level" / "delta"; parse throws bnlstm::Error listing the choices.
std::string_view to_string(Target target);
Target parse_target(std::string_view name);
// "level" / "delta" / "both"; parse throws "input: expected level, delta or both, got 'x'".
std::string_view to_string(InputKind input);
InputKind parse_input_kind(std::string_view name);

struct WindowSpec {
  Index lookback = 1;                // L >= 1, input steps (notebook: 1)
  Index horizon = 1;                 // H >= 1, target steps
  std::vector<Index> input_columns;  // series columns fed to the model; empty = all, in order
  Index target_column = 0;           // series column predicted
  Target target = Target::delta;
  InputKind input = InputKind::level;
};

// Rows a window reads before its first target: L, plus one for delta / both inputs (see InputKind).
Index window_span(const WindowSpec& spec);
// Features per step fed to the model, I: input columns (all C when empty), twice that for both.
Index input_features(const WindowSpec& spec, Index columns);

// Number of windows with complete targets, T - L - H + 1. Throws bnlstm::Error for L or H < 1 and
// "too few rows for look-back L and horizon H: have T, need at least L+H" when it would be < 1.
Index window_count(Index rows, Index lookback, Index horizon);
// The same for a spec, with its span (T - S - H + 1); for delta / both inputs the message reads
// "too few rows for look-back L, horizon H and delta inputs: have T, need at least L+1+H".
Index window_count(Index rows, const WindowSpec& spec);

class Windows {
 public:
  // series: (T, C) in price units; scaler: fitted on C columns (on the training rows only).
  // Throws bnlstm::Error on bad spec (L, H < 1, column out of range), a scaler with another
  // column count, or "too few rows for look-back L and horizon H: have T" when no window fits.
  Windows(const Series& series, const Scaler& scaler, WindowSpec spec);

  Index count() const { return count_; }  // windows with complete targets: T - L - H + 1
  Index rows() const { return static_cast<Index>(dates_.size()); }  // T
  Index lookback() const { return spec_.lookback; }                 // L, steps fed to the model
  Index span() const { return span_; }  // rows before the first target: L (+1 for delta inputs)
  Index horizon() const { return spec_.horizon; }  // H
  Index inputs() const { return inputs_.cols(); }  // I
  const WindowSpec& spec() const { return spec_; }
  const Scaler& scaler() const { return scaler_; }

  // Forecast origins: every i in [0, origins()) has complete inputs; i >= count() are the last
  // H origins whose targets lie (partly) after the data: gather_inputs() / to_price() accept
  // them, e.g. origin origins()-1 forecasts the H days after the last row.
  // With S = span() (= L for level inputs, L + 1 otherwise) below:
  Index origins() const { return rows() - span_ + 1; }

  Index first_target_row(Index i) const { return i + span_; }
  Date row_date(Index t) const;                 // date of row t, t < rows()
  Date last_input_date(Index i) const;          // date of row i+S-1, i < origins()
  Date target_date(Index i, Index k) const;     // date of row i+S+k, i < count(), k < H
  double last_observed_price(Index i) const;    // target column, row i+S-1, i < origins()
  double target_price(Index i, Index k) const;  // target column, row i+S+k, i < count()
  // (T, I) the features of every row; for delta / both, row 0's deltas are 0 and never fed.
  const Matrix<double>& scaled_inputs() const { return inputs_; }
  const Vector<double>& scaled_target() const { return target_; }  // (T) the scaled target column
  const Vector<double>& target_prices() const { return target_raw_; }  // (T) price units

  // y: (H) target of window i (level or delta, scaled), i < count().
  template <typename T>
  void target(T* y, Index i) const;

  // x: (L*N, I) with row t*N+n = step t of window windows[n], i.e. the features of row
  // windows[n] + S - L + t; y: (N, H). N = windows.size().
  // Every index must be < count(); throws bnlstm::Error naming the bad index otherwise.
  // x and y are resized; MatrixBuffers keep their storage (no allocation in a training loop).
  template <typename T>
  void gather(Matrix<T>& x, Matrix<T>& y, std::span<const Index> windows) const;
  template <typename T>
  void gather(MatrixBuffer<T>& x, MatrixBuffer<T>& y, std::span<const Index> windows) const;

  // x only, for forecasting: indices may go up to origins() - 1.
  template <typename T>
  void gather_inputs(Matrix<T>& x, std::span<const Index> windows) const;
  template <typename T>
  void gather_inputs(MatrixBuffer<T>& x, std::span<const Index> windows) const;

  // price: (H) in price units from pred: (H) scaled target of origin i (< origins()).
  template <typename T>
  void to_price(double* price, const T* pred, Index i) const;

  // price: (N, H) from pred: (N, H) for origins windows[n]; price is resized as needed.
  template <typename T>
  void to_price(Matrix<double>& price, const Matrix<T>& pred, std::span<const Index> windows) const;

 private:
  void check_index(Index i, Index limit, const char* what) const;
  // x: (L*N, I), y: (N, H) or nullptr, already shaped; the indices already checked.
  template <typename T>
  void fill(T* x, T* y, std::span<const Index> windows) const;
  // checks the indices against limit (naming them `what`), shapes x and y, fills them
  template <typename Out>
  void gather_into(Out& x, Out* y, std::span<const Index> windows, Index limit,
                   const char* what) const;

  WindowSpec spec_;
  Scaler scaler_;
  Index count_ = 0;
  Index span_ = 1;             // S
  std::vector<Date> dates_;    // (T)
  Matrix<double> inputs_;      // (T, I) features per row (scaled levels and/or deltas)
  Vector<double> target_;      // (T) scaled target column
  Vector<double> target_raw_;  // (T) target column in price units
};

}  // namespace bnlstm
