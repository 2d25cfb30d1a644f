#include "bnlstm/data/scaler.hpp"

#include <cctype>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "bnlstm/core/error.hpp"
#include "bnlstm/core/printable.hpp"

namespace bnlstm {

namespace {

// 1e308 -> "1e+308"
std::string fmt_number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

}  // namespace

std::string_view to_string(ScalerKind kind) {
  return kind == ScalerKind::min_max ? "min_max" : "z_score";
}

ScalerKind parse_scaler_kind(std::string_view name) {
  std::string n;
  for (char c : name) n += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (n == "min_max" || n == "minmax" || n == "min-max") return ScalerKind::min_max;
  if (n == "z_score" || n == "zscore" || n == "z-score" || n == "standard")
    return ScalerKind::z_score;
  throw Error("scaler: expected min_max or z_score, got '" + std::string(name) + "'");
}

Scaler::Scaler(ScalerKind kind, Vector<double> shift, Vector<double> scale,
               std::vector<std::string> columns)
    : kind_(kind),
      shift_(std::move(shift)),
      scale_(std::move(scale)),
      columns_(std::move(columns)) {
  if (shift_.size() != scale_.size())
    throw Error("scaler: " + std::to_string(shift_.size()) + " shifts but " +
                std::to_string(scale_.size()) + " scales");
  if (!columns_.empty() && static_cast<Index>(columns_.size()) != shift_.size())
    throw Error("scaler: " + std::to_string(columns_.size()) + " column names for " +
                std::to_string(shift_.size()) + " columns");
  for (Index c = 0; c < scale_.size(); ++c)
    if (!std::isfinite(shift_[c]) || !std::isfinite(scale_[c]) || !(scale_[c] > 0))
      throw Error("scaler: column " + std::to_string(c) +
                  ": expected a finite shift and a scale > 0, got " + std::to_string(shift_[c]) +
                  " and " + std::to_string(scale_[c]));
}

// values: (R, C) -> shift, scale: (C)
Scaler Scaler::fit(ScalerKind kind, const Eigen::Ref<const Matrix<double>>& values,
                   std::vector<std::string> columns) {
  const Index R = values.rows(), C = values.cols();
  if (R == 0) throw Error("scaler: cannot fit on 0 rows");
  if (!values.allFinite()) throw Error("scaler: cannot fit on non-finite values (NaN or infinity)");
  Vector<double> shift(C), scale(C);
  for (Index c = 0; c < C; ++c) {
    const auto x = values.col(c);
    if (kind == ScalerKind::min_max) {
      shift[c] = x.minCoeff();
      scale[c] = x.maxCoeff() - shift[c];
    } else {
      // two passes: mean, then the mean squared deviation (population variance)
      shift[c] = x.mean();
      scale[c] = std::sqrt((x.array() - shift[c]).square().mean());
    }
    if (scale[c] == 0) scale[c] = 1;  // constant column: maps to 0, see header
    // finite values near the ends of double's range (1e308) overflow in the mean or the spread
    if (!std::isfinite(shift[c]) || !std::isfinite(scale[c]))
      throw Error("scaler: column " +
                  (c < static_cast<Index>(columns.size())
                       ? "'" + printable(columns[static_cast<size_t>(c)]) + "'"
                       : std::to_string(c)) +
                  ": the values overflow when scaled (values from " + fmt_number(x.minCoeff()) +
                  " to " + fmt_number(x.maxCoeff()) + "); expected numbers below about 1e300");
  }
  return Scaler(kind, std::move(shift), std::move(scale), std::move(columns));
}

void Scaler::check_cols(Index C, const char* what) const {
  if (C != cols())
    throw Error(std::string("scaler ") + what + ": expected " + std::to_string(cols()) +
                " columns, got " + std::to_string(C));
}

// values: (R, C)
void Scaler::transform(Matrix<double>& values) const {
  check_cols(values.cols(), "transform");
  values = (values.rowwise() - shift_.transpose()).array().rowwise() / scale_.transpose().array();
}

// values: (R, C)
void Scaler::inverse_transform(Matrix<double>& values) const {
  check_cols(values.cols(), "inverse_transform");
  values = (values.array().rowwise() * scale_.transpose().array()).rowwise() +
           shift_.transpose().array();
}

std::string Scaler::to_json() const {
  nlohmann::json j;
  j["kind"] = std::string(to_string(kind_));
  j["columns"] = columns_;
  j["shift"] = std::vector<double>(shift_.data(), shift_.data() + shift_.size());
  j["scale"] = std::vector<double>(scale_.data(), scale_.data() + scale_.size());
  return j.dump();
}

Scaler Scaler::from_json(std::string_view text) {
  try {
    const nlohmann::json j = nlohmann::json::parse(text);
    const auto shift = j.at("shift").get<std::vector<double>>();
    const auto scale = j.at("scale").get<std::vector<double>>();
    auto columns = j.contains("columns") ? j.at("columns").get<std::vector<std::string>>()
                                         : std::vector<std::string>{};
    return Scaler(parse_scaler_kind(j.at("kind").get<std::string>()),
                  Eigen::Map<const Vector<double>>(shift.data(), static_cast<Index>(shift.size())),
                  Eigen::Map<const Vector<double>>(scale.data(), static_cast<Index>(scale.size())),
                  std::move(columns));
  } catch (const nlohmann::json::exception& e) {
    throw Error(std::string("scaler JSON: ") + e.what());
  } catch (const Error& e) {
    std::string_view what = e.what();
    if (what.substr(0, 8) == "scaler: ") what.remove_prefix(8);
    throw Error("scaler JSON: " + std::string(what));
  }
}

}  // namespace bnlstm
