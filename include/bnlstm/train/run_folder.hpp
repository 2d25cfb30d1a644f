#pragma once
// A finished run read back from its --out folder, for comparing runs (`bnlstm compare`): what
// was trained (norm, hidden size, seed), on which data, its loss curve and its test metrics.
//
// Two kinds of folder are read:
//   forecast  (`bnlstm train`, `study-forecast`'s runs): history.json (TrainingHistory),
//             metrics.json ({"test": comparison_json(...), "training": {...}}) and
//             model.safetensors, whose metadata names the norm, the columns and the data
//             (checkpoint.hpp; the weights are checked as by `evaluate`, not used)
//   classify  (`bnlstm classify`): history.json (ClassificationHistory::to_json: one point per
//             --eval-every optimizer steps) and metrics.json ({"test": {"loss", "accuracy", ...},
//             "training": {"norm", "hidden", "seed", "view", ...}})
// Every file is untrusted: a folder that is not a run, a file that is missing, not JSON, or
// lacks a field throws bnlstm::Error with one line naming the folder or file and what was
// expected, e.g. "run1/metrics.json: not a run's metrics: key 'test' not found".
//
//   RunFolder a = read_run_folder("run1"), b = read_run_folder("run2");
//   a.curve.val_loss.back(); a.forecast->model.rmse;
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "bnlstm/core/tensor.hpp"

namespace bnlstm {

enum class RunKind { forecast, classify };
std::string to_string(RunKind kind);  // "train" (a forecasting run) or "classify"

// A run's loss per epoch (forecast) or per evaluation point (classify).
struct LossCurve {
  std::string x_label;                  // "epoch" or "optimizer step"
  std::string loss;                     // "mse", "mae", "huber", "cross-entropy"
  std::string part;                     // "validation" or "test" (the notebook's protocol)
  std::vector<double> x;                // (n) epochs (0 = the starting weights) or optimizer steps
  std::vector<double> train_loss;       // (n)
  std::vector<double> val_loss;         // (n) on the validation (or test) part
  double kept_x = 0;                    // the epoch or step whose weights were kept
  std::optional<double> kept_val_loss;  // its validation loss, when it is on the curve
  std::optional<double> persistence_loss;  // forecast: persistence's loss on the same part
};

// Errors of one forecaster on the test part, in the data's units (metrics.hpp); NaN when the
// file says null (MAPE with zeros, MASE without in-sample rows).
struct TestErrors {
  double mse_scaled = 0, rmse = 0, mae = 0, mape = 0, mase = 0;
};

struct ForecastRunMetrics {
  Index forecasts = 0;  // forecasts scored (windows x horizon)
  TestErrors model, persistence;
  std::optional<TestErrors> seasonal;  // with --season
  Index season = 0;
  std::string mase_naive;  // what scales MASE: "persistence" or "seasonal naive (12 rows)"
  int epochs = 0;      // --epochs
  int epochs_run = 0;  // the last epoch trained
  bool stopped_early = false;
  double seconds = 0;  // training time
  // the data, from the checkpoint
  std::string source;  // as given when training ("" = the built-in S&P 500)
  std::string source_absolute;
  std::string series;       // long format: the series read ("" = the whole file)
  std::string target;       // the forecast column's name
  std::string target_kind;  // "delta" or "level"
  std::string scaler;       // "z_score" or "min_max"
  std::string first, last;  // dates loaded, YYYY-MM-DD
  Index rows = 0;
  Index test_begin = 0, test_end = 0;  // test rows [begin, end)
  Index lookback = 0, horizon = 0;
};

struct ClassifyRunMetrics {
  Index images = 0;               // test images
  double loss = 0, accuracy = 0;  // accuracy in [0, 1]
  double best_val_accuracy = 0;   // over the evaluation points
  int64_t steps = 0;              // optimizer steps trained
  std::string view;               // "rows", "pixels", ...; " permuted" appended when it was
};

struct RunFolder {
  std::filesystem::path folder;  // as given
  RunKind kind = RunKind::forecast;
  std::string norm;  // "none", "batch", "layer"
  Index hidden = 0;
  std::optional<uint64_t> seed;
  LossCurve curve;
  std::optional<ForecastRunMetrics> forecast;  // kind forecast
  std::optional<ClassifyRunMetrics> classify;  // kind classify

  // "run1 (batch, hidden 32, seed 1)": how tables and legends name the run
  std::string label() const;
};

RunFolder read_run_folder(const std::filesystem::path& folder);

}  // namespace bnlstm
