#include "bnlstm/data/windows.hpp"

#include <cctype>

#include "bnlstm/core/checked.hpp"
#include "bnlstm/core/error.hpp"

namespace bnlstm {

std::string_view to_string(Target target) {
  return target == Target::level ? "level" : "delta";
}

Target parse_target(std::string_view name) {
  std::string n;
  for (char c : name) n += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (n == "level") return Target::level;
  if (n == "delta") return Target::delta;
  throw Error("target: expected level or delta, got '" + std::string(name) + "'");
}

std::string_view to_string(InputKind input) {
  switch (input) {
    case InputKind::level:
      return "level";
    case InputKind::delta:
      return "delta";
    case InputKind::both:
      return "both";
  }
  return "level";
}

InputKind parse_input_kind(std::string_view name) {
  std::string n;
  for (char c : name) n += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (n == "level") return InputKind::level;
  if (n == "delta") return InputKind::delta;
  if (n == "both") return InputKind::both;
  throw Error("input: expected level, delta or both, got '" + std::string(name) + "'");
}

Index window_span(const WindowSpec& spec) {
  // saturating: a look-back from a checkpoint may be anything
  return saturating_add(spec.lookback, spec.input == InputKind::level ? 0 : 1);
}

Index input_features(const WindowSpec& spec, Index columns) {
  const Index I =
      spec.input_columns.empty() ? columns : static_cast<Index>(spec.input_columns.size());
  return spec.input == InputKind::both ? 2 * I : I;
}

Index window_count(Index rows, Index lookback, Index horizon) {
  const Index T = rows, L = lookback, H = horizon;
  if (L < 1) throw Error("windows: look-back must be >= 1, got " + std::to_string(L));
  if (H < 1) throw Error("windows: horizon must be >= 1, got " + std::to_string(H));
  const Index need = saturating_add(L, H);  // L + H without overflow
  if (T < need)
    throw Error("too few rows for look-back " + std::to_string(L) + " and horizon " +
                std::to_string(H) + ": have " + std::to_string(T) + ", need at least " +
                std::to_string(need));
  return T - need + 1;
}

Index window_count(Index rows, const WindowSpec& spec) {
  const Index need = saturating_add(window_span(spec), spec.horizon);
  if (spec.input == InputKind::level || spec.lookback < 1 || spec.horizon < 1 || rows >= need)
    return window_count(rows, window_span(spec), spec.horizon);
  throw Error("too few rows for look-back " + std::to_string(spec.lookback) + ", horizon " +
              std::to_string(spec.horizon) + " and " + std::string(to_string(spec.input)) +
              " inputs: have " + std::to_string(rows) + ", need at least " + std::to_string(need));
}

Windows::Windows(const Series& series, const Scaler& scaler, WindowSpec spec)
    : spec_(std::move(spec)), scaler_(scaler), dates_(series.dates) {
  const Index T = series.rows(), C = series.cols();
  span_ = window_span(spec_);
  count_ = window_count(T, spec_);
  if (series.values.rows() != T || series.values.cols() != C)
    throw Error("windows: series values are (" + std::to_string(series.values.rows()) + ", " +
                std::to_string(series.values.cols()) + "), expected (" + std::to_string(T) + ", " +
                std::to_string(C) + ")");
  if (scaler.cols() != C)
    throw Error("windows: scaler has " + std::to_string(scaler.cols()) + " columns, the series " +
                std::to_string(C));
  if (spec_.input_columns.empty())
    for (Index c = 0; c < C; ++c) spec_.input_columns.push_back(c);
  for (Index c : spec_.input_columns)
    if (c < 0 || c >= C)
      throw Error("windows: input column " + std::to_string(c) + " out of range, the series has " +
                  std::to_string(C) + " columns");
  if (spec_.target_column < 0 || spec_.target_column >= C)
    throw Error("windows: target column " + std::to_string(spec_.target_column) +
                " out of range, the series has " + std::to_string(C) + " columns");

  // scale once; the batches only copy
  Matrix<double> scaled = series.values;
  scaler_.transform(scaled);
  const Index I = static_cast<Index>(spec_.input_columns.size());
  const bool level = spec_.input != InputKind::delta;
  const bool delta = spec_.input != InputKind::level;
  inputs_.resize(T, input_features(spec_, C));
  Index f = 0;
  if (level)
    for (Index c = 0; c < I; ++c) inputs_.col(f++) = scaled.col(spec_.input_columns[c]);
  if (delta)
    for (Index c = 0; c < I; ++c, ++f) {
      const auto col = scaled.col(spec_.input_columns[c]);
      inputs_(0, f) = 0.0;  // no previous row; never fed (windows start at row 1)
      inputs_.col(f).tail(T - 1) = col.tail(T - 1) - col.head(T - 1);
    }
  target_ = scaled.col(spec_.target_column);
  target_raw_ = series.values.col(spec_.target_column);
}

void Windows::check_index(Index i, Index limit, const char* what) const {
  if (i < 0 || i >= limit)
    throw Error(std::string("windows: ") + what + " index " + std::to_string(i) +
                " out of range [0, " + std::to_string(limit) + ")");
}

Date Windows::row_date(Index t) const {
  check_index(t, rows(), "row");
  return dates_[static_cast<size_t>(t)];
}

Date Windows::last_input_date(Index i) const {
  check_index(i, origins(), "origin");
  return dates_[i + span_ - 1];
}

Date Windows::target_date(Index i, Index k) const {
  check_index(i, count_, "window");
  check_index(k, spec_.horizon, "target step");
  return dates_[i + span_ + k];
}

double Windows::last_observed_price(Index i) const {
  check_index(i, origins(), "origin");
  return target_raw_[i + span_ - 1];
}

double Windows::target_price(Index i, Index k) const {
  check_index(i, count_, "window");
  check_index(k, spec_.horizon, "target step");
  return target_raw_[i + span_ + k];
}

// y: (H)
template <typename T>
void Windows::target(T* y, Index i) const {
  check_index(i, count_, "window");
  const Index first = i + span_, H = spec_.horizon;
  const double base = spec_.target == Target::delta ? target_[first - 1] : 0.0;
  for (Index k = 0; k < H; ++k) y[k] = static_cast<T>(target_[first + k] - base);
}

// x: (L*N, I), y: (N, H) or nullptr
template <typename T>
void Windows::fill(T* x, T* y, std::span<const Index> windows) const {
  const Index N = static_cast<Index>(windows.size()), L = spec_.lookback, I = inputs_.cols();
  MatrixMap<T> xm(x, L * N, I);
  // time-major: row t*N + n holds step t of sample n; delta inputs skip the window's first row
  const Index skip = span_ - L;
  for (Index t = 0; t < L; ++t)
    for (Index n = 0; n < N; ++n)
      xm.row(t * N + n) = inputs_.row(windows[n] + skip + t).template cast<T>();
  if (y)
    for (Index n = 0; n < N; ++n) target(y + n * spec_.horizon, windows[n]);
}

// x: (L*N, I), y: (N, H) or nullptr; Out is Matrix<T> or MatrixBuffer<T> (resize, data)
template <typename Out>
void Windows::gather_into(Out& x, Out* y, std::span<const Index> windows, Index limit,
                          const char* what) const {
  const Index N = static_cast<Index>(windows.size());
  for (Index n = 0; n < N; ++n) check_index(windows[n], limit, what);
  x.resize(spec_.lookback * N, inputs_.cols());
  if (y) y->resize(N, spec_.horizon);
  fill(x.data(), y ? y->data() : nullptr, windows);
}

template <typename T>
void Windows::gather(Matrix<T>& x, Matrix<T>& y, std::span<const Index> windows) const {
  gather_into(x, &y, windows, count_, "window");
}
template <typename T>
void Windows::gather(MatrixBuffer<T>& x, MatrixBuffer<T>& y, std::span<const Index> windows) const {
  gather_into(x, &y, windows, count_, "window");
}
template <typename T>
void Windows::gather_inputs(Matrix<T>& x, std::span<const Index> windows) const {
  gather_into(x, static_cast<Matrix<T>*>(nullptr), windows, origins(), "origin");
}
template <typename T>
void Windows::gather_inputs(MatrixBuffer<T>& x, std::span<const Index> windows) const {
  gather_into(x, static_cast<MatrixBuffer<T>*>(nullptr), windows, origins(), "origin");
}

// price, pred: (H)
template <typename T>
void Windows::to_price(double* price, const T* pred, Index i) const {
  check_index(i, origins(), "origin");
  const Index c = spec_.target_column, H = spec_.horizon;
  const double scale = scaler_.scale()[c];
  const double base =
      spec_.target == Target::delta ? target_raw_[i + span_ - 1] : scaler_.shift()[c];
  for (Index k = 0; k < H; ++k) price[k] = base + static_cast<double>(pred[k]) * scale;
}

// price, pred: (N, H)
template <typename T>
void Windows::to_price(Matrix<double>& price, const Matrix<T>& pred,
                       std::span<const Index> windows) const {
  const Index N = static_cast<Index>(windows.size()), H = spec_.horizon;
  if (pred.rows() != N || pred.cols() != H)
    throw Error("windows: predictions are (" + std::to_string(pred.rows()) + ", " +
                std::to_string(pred.cols()) + "), expected (" + std::to_string(N) + ", " +
                std::to_string(H) + ")");
  if (price.rows() != N || price.cols() != H) price.resize(N, H);
  for (Index n = 0; n < N; ++n) to_price(price.data() + n * H, pred.data() + n * H, windows[n]);
}

template void Windows::target<float>(float*, Index) const;
template void Windows::target<double>(double*, Index) const;
template void Windows::gather<float>(Matrix<float>&, Matrix<float>&, std::span<const Index>) const;
template void Windows::gather<double>(Matrix<double>&, Matrix<double>&,
                                      std::span<const Index>) const;
template void Windows::gather<float>(MatrixBuffer<float>&, MatrixBuffer<float>&,
                                     std::span<const Index>) const;
template void Windows::gather<double>(MatrixBuffer<double>&, MatrixBuffer<double>&,
                                      std::span<const Index>) const;
template void Windows::gather_inputs<float>(Matrix<float>&, std::span<const Index>) const;
template void Windows::gather_inputs<double>(Matrix<double>&, std::span<const Index>) const;
template void Windows::gather_inputs<float>(MatrixBuffer<float>&, std::span<const Index>) const;
template void Windows::gather_inputs<double>(MatrixBuffer<double>&, std::span<const Index>) const;
template void Windows::to_price<float>(double*, const float*, Index) const;
template void Windows::to_price<double>(double*, const double*, Index) const;
template void Windows::to_price<float>(Matrix<double>&, const Matrix<float>&,
                                       std::span<const Index>) const;
template void Windows::to_price<double>(Matrix<double>&, const Matrix<double>&,
                                        std::span<const Index>) const;

}  // namespace bnlstm
