#pragma once
// Per-column affine scaling of a series: y = (x - shift) / scale, x = y * scale + shift.
//
//   min_max  shift = min, scale = max - min        (the notebook's MinMaxScaler, to [0, 1])
//   z_score  shift = mean, scale = population std  (sklearn StandardScaler, ddof = 0)
//
// Fit on the TRAINING rows only (split.hpp gives them). The notebook fits on the whole series,
// which leaks the test range into training; fitted on the train rows, later values may leave
// [0, 1] under min-max (on GOOG 2005..2020 the test part reaches about 2.46), which is expected.
//
// Constant column (scale would be 0): scale is set to 1, so min_max maps the column to 0 and
// z_score maps it to 0; transform and inverse stay exact inverses and never produce NaN
// (sklearn's handle_zeros_in_scale behaviour). Non-finite input or zero rows throw bnlstm::Error.
//
// Serialization: to_json() gives a one-line JSON object (stored in checkpoint metadata), e.g.
//   {"kind":"min_max","columns":["Close"],"shift":[87.58],"scale":[706.38]}
// with doubles written in full precision, so from_json(to_json()) reproduces the scaler exactly.
#include <string>
#include <string_view>
#include <vector>

#include "bnlstm/core/tensor.hpp"

namespace bnlstm {

enum class ScalerKind { min_max, z_score };

// "min_max" / "z_score"; parse also accepts "minmax", "min-max", "zscore", "z-score",
// "standard" and throws bnlstm::Error listing the choices otherwise.
std::string_view to_string(ScalerKind kind);
ScalerKind parse_scaler_kind(std::string_view name);

class Scaler {
 public:
  Scaler() = default;  // empty: cols() == 0; fit or from_json before use

  // values: (R, C); statistics per column over all R rows. `columns` (optional, C names) are
  // kept for checkpoints and messages.
  static Scaler fit(ScalerKind kind, const Eigen::Ref<const Matrix<double>>& values,
                    std::vector<std::string> columns = {});

  // Builds a scaler from known statistics; shift/scale: (C), every scale finite and > 0.
  Scaler(ScalerKind kind, Vector<double> shift, Vector<double> scale,
         std::vector<std::string> columns = {});

  ScalerKind kind() const { return kind_; }
  Index cols() const { return shift_.size(); }
  const Vector<double>& shift() const { return shift_; }  // (C)
  const Vector<double>& scale() const { return scale_; }  // (C)
  const std::vector<std::string>& columns() const { return columns_; }

  // values: (R, C), in place. Throws bnlstm::Error when the column count differs.
  void transform(Matrix<double>& values) const;
  void inverse_transform(Matrix<double>& values) const;

  // One value of column c.
  double transform(double x, Index c) const { return (x - shift_[c]) / scale_[c]; }
  double inverse_transform(double y, Index c) const { return y * scale_[c] + shift_[c]; }

  std::string to_json() const;
  // Throws bnlstm::Error "scaler JSON: ..." on malformed text, unknown kind, length mismatch,
  // or a scale that is not finite and > 0.
  static Scaler from_json(std::string_view text);

 private:
  void check_cols(Index C, const char* what) const;

  ScalerKind kind_ = ScalerKind::min_max;
  Vector<double> shift_;
  Vector<double> scale_;
  std::vector<std::string> columns_;
};

}  // namespace bnlstm
