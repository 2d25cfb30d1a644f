#include "bnlstm/train/run_folder.hpp"

#include <fmt/core.h>

#include <cmath>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>

#include "bnlstm/core/error.hpp"
#include "bnlstm/core/printable.hpp"
#include "bnlstm/train/checkpoint.hpp"
#include "bnlstm/train/history.hpp"

namespace bnlstm {

namespace fs = std::filesystem;
using Json = nlohmann::json;

namespace {

// history.json and metrics.json are a few kilobytes; anything this large is not one
constexpr std::uintmax_t kMaxJsonBytes = 64u << 20;

std::string shown(const fs::path& p) {
  return printable(p.string());
}

// The file's JSON; `what` says what the file should hold ("the run's test metrics").
Json read_json(const fs::path& path, const std::string& what) {
  std::error_code ec;
  const auto status = fs::status(path, ec);
  if (!fs::exists(status)) throw Error(fmt::format("{}: missing ({})", shown(path), what));
  if (!fs::is_regular_file(status)) throw Error(fmt::format("{}: not a file", shown(path)));
  const auto size = fs::file_size(path, ec);
  if (ec || size > kMaxJsonBytes)
    throw Error(fmt::format("{}: {} bytes, too large for {}", shown(path), size, what));
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  if (!in) throw Error(fmt::format("{}: cannot read it", shown(path)));
  try {
    return Json::parse(text.str());
  } catch (const Json::exception&) {
    throw Error(fmt::format("{}: not JSON ({} expected)", shown(path), what));
  }
}

// A number of the file; JSON null (how NaN is written: MAPE with zeros) reads as NaN.
double number(const Json& j, const char* key) {
  const Json& v = j.at(key);
  if (v.is_null()) return std::numeric_limits<double>::quiet_NaN();
  if (!v.is_number()) throw Error(fmt::format("'{}' is not a number", key));
  return v.get<double>();
}

TestErrors test_errors(const Json& j) {
  return {number(j, "mse_scaled"), number(j, "rmse"), number(j, "mae"), number(j, "mape"),
          number(j, "mase")};
}

// classify's history.json: columns "step", "train_loss", "val_loss", "val_accuracy", "best_step"
void read_classify_history(const Json& h, RunFolder& run) {
  LossCurve& c = run.curve;
  c.x_label = "optimizer step";
  c.loss = "cross-entropy";
  c.part = "validation";
  const Json &step = h.at("step"), &tl = h.at("train_loss"), &vl = h.at("val_loss"),
             &va = h.at("val_accuracy");
  if (!step.is_array() || tl.size() != step.size() || vl.size() != step.size() ||
      va.size() != step.size())
    throw Error("arrays 'step', 'train_loss', 'val_loss', 'val_accuracy' differ in length");
  ClassifyRunMetrics& m = *run.classify;
  for (size_t i = 0; i < step.size(); ++i) {
    c.x.push_back(step[i].get<double>());
    c.train_loss.push_back(tl[i].get<double>());
    c.val_loss.push_back(vl[i].get<double>());
    m.best_val_accuracy = std::max(m.best_val_accuracy, va[i].get<double>());
  }
  if (c.x.empty()) throw Error("no evaluation points");
  c.kept_x = h.at("best_step").get<double>();
  for (size_t i = 0; i < c.x.size(); ++i)
    if (c.x[i] == c.kept_x) c.kept_val_loss = c.val_loss[i];
  m.steps = c.x.empty() ? 0 : static_cast<int64_t>(c.x.back());
}

void read_forecast_history(const TrainingHistory& h, const fs::path& path, RunFolder& run) {
  if (h.epochs.empty()) throw Error(fmt::format("{}: no epochs recorded", shown(path)));
  LossCurve& c = run.curve;
  c.x_label = "epoch";
  c.loss = h.loss;
  c.part = h.part == ValidationPart::test ? "test" : "validation";
  for (const EpochRecord& e : h.epochs) {
    c.x.push_back(e.epoch);
    c.train_loss.push_back(e.train_loss);
    c.val_loss.push_back(e.val_loss);
  }
  c.kept_x = h.best_epoch;
  if (const EpochRecord* kept = h.find(h.best_epoch)) c.kept_val_loss = kept->val_loss;
}

void read_forecast_metrics(const Json& m, RunFolder& run) {
  ForecastRunMetrics& f = *run.forecast;
  const Json& test = m.at("test");
  f.forecasts = test.at("forecasts").get<Index>();
  f.model = test_errors(test.at("model"));
  f.persistence = test_errors(test.at("persistence"));
  if (test.contains("seasonal_naive")) {
    f.seasonal = test_errors(test.at("seasonal_naive"));
    f.season = test.value("season", Index{0});
  }
  f.mase_naive = test.value("mase_naive", std::string("persistence"));
  const Json& t = m.at("training");
  f.epochs = t.at("epochs").get<int>();
  f.epochs_run = t.at("epochs_run").get<int>();
  f.stopped_early = t.at("stopped_early").get<bool>();
  f.seconds = t.value("seconds", 0.0);
  run.seed = t.at("seed").get<uint64_t>();
  // "persistence_val_loss", or "persistence_test_loss" under the notebook's protocol
  for (const char* key : {"persistence_val_loss", "persistence_test_loss"})
    if (t.contains(key)) run.curve.persistence_loss = number(t, key);
}

void read_classify_metrics(const Json& m, RunFolder& run) {
  ClassifyRunMetrics& c = *run.classify;
  const Json& test = m.at("test");
  c.images = test.at("images").get<Index>();
  c.loss = number(test, "loss");
  c.accuracy = number(test, "accuracy");
  const Json& t = m.at("training");
  run.norm = t.at("norm").get<std::string>();
  run.hidden = t.at("hidden").get<Index>();
  run.seed = t.at("seed").get<uint64_t>();
  c.view = t.at("view").get<std::string>();
  if (t.value("permuted", false)) c.view += " permuted";
}

// The checkpoint's description of the network and the data (forecast runs).
void read_forecast_checkpoint(const fs::path& path, RunFolder& run) {
  std::error_code ec;
  if (!fs::exists(path, ec))
    throw Error(fmt::format("{}: missing (the run's checkpoint: norm and data)", shown(path)));
  const Forecaster f = load_checkpoint(path);
  const ForecasterConfig& c = f.config();
  run.norm = to_string(c.network.norm);
  run.hidden = c.network.hidden_size;
  ForecastRunMetrics& m = *run.forecast;
  const DataProvenance& d = f.data();
  m.source = d.source;
  m.source_absolute = d.source_absolute;
  m.series = d.series;
  m.target = c.columns.at(static_cast<size_t>(c.windows.target_column));
  m.target_kind = std::string(to_string(c.windows.target));
  m.scaler = std::string(to_string(f.scaler().kind()));
  m.first = format_date(d.first);
  m.last = format_date(d.last);
  m.rows = d.rows;
  m.test_begin = d.split.test_rows.begin;
  m.test_end = d.split.test_rows.end;
  m.lookback = c.windows.lookback;
  m.horizon = c.windows.horizon;
}

}  // namespace

std::string to_string(RunKind kind) {
  return kind == RunKind::classify ? "classify" : "train";
}

std::string RunFolder::label() const {
  std::string s = printable(folder.string()) + " (" + norm;
  if (hidden > 0) s += fmt::format(", hidden {}", hidden);
  if (seed) s += fmt::format(", seed {}", *seed);
  return s + ")";
}

RunFolder read_run_folder(const fs::path& folder) {
  std::error_code ec;
  if (!fs::exists(folder, ec)) throw Error(fmt::format("{}: no such folder", shown(folder)));
  if (!fs::is_directory(folder, ec))
    throw Error(fmt::format("{}: not a folder (expected a run's --out folder)", shown(folder)));
  const fs::path history_path = folder / "history.json", metrics_path = folder / "metrics.json";
  if (fs::exists(folder / "backtest.json", ec))
    throw Error(fmt::format(
        "{}: a backtest's folder (backtest.json); compare reads training runs (history.json, "
        "metrics.json)",
        shown(folder)));
  if (!fs::exists(history_path, ec) && !fs::exists(metrics_path, ec))
    throw Error(fmt::format(
        "{}: not a run's --out folder (no history.json, no metrics.json: written by bnlstm "
        "train or classify)",
        shown(folder)));
  const Json history = read_json(history_path, "the run's loss per epoch");
  const Json metrics = read_json(metrics_path, "the run's test metrics");

  RunFolder run;
  run.folder = folder;
  // a classifier's history counts optimizer steps; a forecaster's, epochs
  run.kind =
      history.is_object() && history.contains("step") ? RunKind::classify : RunKind::forecast;
  if (run.kind == RunKind::classify) {
    run.classify.emplace();
    try {
      read_classify_history(history, run);
    } catch (const std::exception& e) {
      throw Error(
          fmt::format("{}: not a classify run's history: {}", shown(history_path), e.what()));
    }
    try {
      read_classify_metrics(metrics, run);
    } catch (const std::exception& e) {
      throw Error(
          fmt::format("{}: not a classify run's metrics: {}", shown(metrics_path), e.what()));
    }
    return run;
  }
  run.forecast.emplace();
  // TrainingHistory::from_json names the file in its messages
  read_forecast_history(TrainingHistory::from_json(history.dump(), shown(history_path)),
                        history_path, run);
  try {
    read_forecast_metrics(metrics, run);
  } catch (const std::exception& e) {
    throw Error(fmt::format("{}: not a run's metrics: {}", shown(metrics_path), e.what()));
  }
  read_forecast_checkpoint(folder / "model.safetensors", run);
  return run;
}

}  // namespace bnlstm
