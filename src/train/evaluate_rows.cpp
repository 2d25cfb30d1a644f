#include "bnlstm/train/evaluate_rows.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "bnlstm/core/error.hpp"
#include "bnlstm/data/date.hpp"

namespace bnlstm {

std::optional<EvaluatePart> parse_evaluate_part(std::string_view name) {
  if (name == "test") return EvaluatePart::test;
  if (name == "validation") return EvaluatePart::validation;
  if (name == "train") return EvaluatePart::train;
  if (name == "all") return EvaluatePart::all;
  return std::nullopt;
}

std::string to_string(EvaluatePart part) {
  switch (part) {
    case EvaluatePart::validation:
      return "validation";
    case EvaluatePart::train:
      return "train";
    case EvaluatePart::all:
      return "all";
    default:
      return "test";
  }
}

Index trained_season(const Forecaster& forecaster) {
  const auto j = nlohmann::json::parse(forecaster.training_json(), nullptr, false);
  if (j.is_object() && j.contains("season") && j["season"].is_number_integer())
    return std::max<Index>(0, j["season"].get<Index>());
  return 0;
}

Evaluation evaluate_rows(Forecaster& forecaster, const Windows& w, const EvaluateRequest& request) {
  Evaluation e;
  e.fractions = request.fractions.value_or(forecaster.data().fractions);
  e.split = chronological_split(w.rows(), w.span(), w.horizon(), e.fractions);
  // other rows than the checkpoint's: all of them unless a part was asked for
  e.other_rows = request.other_rows;
  e.all_other_rows = !request.part && request.other_rows;
  e.part = request.part.value_or(request.other_rows ? EvaluatePart::all : EvaluatePart::test);
  switch (e.part) {
    case EvaluatePart::train:
      e.windows = e.split.train_windows;
      break;
    case EvaluatePart::all:
      e.windows = Range{0, w.count()};
      break;
    case EvaluatePart::validation:
      if (e.fractions.validation == 0)
        throw Error(fmt::format(
            "{}: the model was trained without {} (it validated on the test part); give {} to "
            "cut one",
            request.validation_part_setting, request.val_size_setting, request.val_size_setting));
      e.windows = e.split.validation_windows;
      break;
    default:
      e.windows = e.split.test_windows;
  }
  // rows read: the first window's inputs (row i) .. the last one's targets (row i + S + H - 1)
  e.rows = Range{e.windows.begin, e.windows.end - 1 + w.span() + w.horizon()};
  BaselineOptions baselines;
  baselines.season = request.season >= 0 ? request.season : trained_season(forecaster);
  baselines.in_sample_rows = e.split.train_rows;  // MASE: the naive forecast's training error
  e.forecast = evaluate_range(forecaster, w, e.windows, to_string(e.part), baselines);
  return e;
}

std::string evaluation_json(const Evaluation& e, const Windows& w) {
  nlohmann::ordered_json j = nlohmann::ordered_json::parse(comparison_json(e.forecast.comparison));
  nlohmann::ordered_json s;
  s["part"] = to_string(e.part);
  s["other_rows"] = e.other_rows;
  s["windows"] = e.windows.size();
  s["rows"] = {e.rows.begin, e.rows.end - 1};
  s["dates"] = {format_date(w.row_date(e.rows.begin)), format_date(w.row_date(e.rows.end - 1))};
  s["forecast_dates"] = {format_date(w.target_date(e.windows.begin, 0)),
                         format_date(w.target_date(e.windows.end - 1, w.horizon() - 1))};
  s["split"] = {{"train", e.fractions.train}, {"validation", e.fractions.validation}};
  j["scored"] = s;
  return j.dump(2);
}

}  // namespace bnlstm
