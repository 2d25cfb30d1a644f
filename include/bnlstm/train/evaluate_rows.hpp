#pragma once
// Which rows `evaluate` scores, and the scoring itself: the one rule the command line
// (`bnlstm evaluate`) and the Python binding (`Forecaster.evaluate`) share.
//
// On the checkpoint's own rows the part asked for is scored (default: test, the table `train`
// printed). On other rows (another file, range or series) every window is scored unless a part
// is asked for: whoever hands over new data wants all of it judged, not the test part of a split
// that was cut for training (a 0.7/0.1 split of 308 new rows scores 93 of them).
#include <optional>
#include <string>
#include <string_view>

#include "bnlstm/data/split.hpp"
#include "bnlstm/data/windows.hpp"
#include "bnlstm/train/evaluation.hpp"
#include "bnlstm/train/forecaster.hpp"

namespace bnlstm {

enum class EvaluatePart { test, validation, train, all };

std::optional<EvaluatePart> parse_evaluate_part(std::string_view name);  // nullopt: unknown
std::string to_string(EvaluatePart part);  // "test", "validation", "train", "all"

struct EvaluateRequest {
  std::optional<EvaluatePart> part;  // nullopt: test of the checkpoint's rows, all of other rows
  bool other_rows = false;           // the rows are not the checkpoint's own (the front end tells)
  std::optional<SplitFractions> fractions;  // another split (checked by the caller); nullopt:
                                            // the checkpoint's
  Index season = -1;  // seasonal-naive period in rows; -1: the one train was given (0: none)
  // How the front end names the settings in the one error it can cause (a validation part of a
  // model trained without one): "--part validation" / "--val-size" for the command line.
  std::string validation_part_setting = "--part validation";
  std::string val_size_setting = "--val-size";
};

struct Evaluation {
  EvaluatePart part = EvaluatePart::test;  // the part scored
  bool other_rows = false;                 // as requested
  bool all_other_rows = false;  // every window because the rows are other rows and no part was
                                // asked for
  SplitFractions fractions;     // the split the parts are cut with
  Split split;
  Range windows;           // the windows scored
  Range rows;              // the rows they read: the first one's inputs .. the last one's targets
  RangeForecast forecast;  // the forecasts and the table (forecast.comparison)
};

// Scores the windows of w (made by forecaster.windows(series)) that request selects, beside
// persistence (and seasonal naive with a season); MASE is scaled on the split's training rows.
// The table's label is the part's name. Throws bnlstm::Error when the split leaves a part without
// windows, or for a validation part of a model trained without one (naming the request's
// settings).
Evaluation evaluate_rows(Forecaster& forecaster, const Windows& w, const EvaluateRequest& request);

// The season `train` was given (the checkpoint's training JSON, "season"), else 0.
Index trained_season(const Forecaster& forecaster);

// comparison_json(e.forecast.comparison) with one more key, "scored": {"part": "all",
// "other_rows": true (the request's), "windows": 56, "rows": [first, last] (row indices of the
// series), "dates": ["2000-01-01", "2004-12-01"] (their dates), "forecast_dates": [first, last]
// (the first forecast's date and the last one's), "split": {"train": 0.7, "validation": 0.1}}.
std::string evaluation_json(const Evaluation& e, const Windows& w);

}  // namespace bnlstm
