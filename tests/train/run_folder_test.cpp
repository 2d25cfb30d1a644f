// read_run_folder (run_folder.hpp) and the comparison built on it (run_comparison.hpp): a run
// folder written as `bnlstm train` writes it is read back value for value; the table holds each
// run's numbers; runs on other data are told apart; bad folders and files fail with one line
// naming them.
#include "bnlstm/train/run_folder.hpp"

#include <fmt/core.h>
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "bnlstm/core/error.hpp"
#include "bnlstm/train/checkpoint.hpp"
#include "bnlstm/train/run_comparison.hpp"
#include "bnlstm/train/workflow.hpp"
#include "plot/plot_testing.hpp"
#include "train/synthetic.hpp"

namespace bnlstm {
namespace {

namespace fs = std::filesystem;
using testing::ScratchDir;

void write_text(const fs::path& p, const std::string& text) {
  std::ofstream(p, std::ios::binary) << text;
}

struct RunSettings {
  uint64_t seed = 5;
  LstmNorm norm = LstmNorm::batch;
  ScalerKind scaler = ScalerKind::z_score;
  uint64_t data_seed = 11;  // of the synthetic series
  std::string source = "synthetic.csv";
};

// A run folder as `bnlstm train` writes it (history, metrics, checkpoint) for a tiny model.
TrainRun write_run(const fs::path& dir, const RunSettings& s = {}) {
  TrainRunOptions o;
  o.data.split = {0.6, 0.2};
  o.data.windows.lookback = 3;
  o.data.scaler = s.scaler;
  o.network.hidden_size = 6;
  o.network.norm = s.norm;
  o.training.epochs = 4;
  o.training.batch_size = 16;
  o.seed = s.seed;
  TrainRun run = run_training(testing::synthetic_series(150, s.data_seed), o);
  fs::create_directories(dir);
  run.history.save(dir / "history.csv", dir / "history.json");
  nlohmann::ordered_json training;
  training["epochs"] = 4;
  training["epochs_run"] = run.history.epochs.back().epoch;
  training["best_epoch"] = run.history.best_epoch;
  training["persistence_val_loss"] = run.persistence_validation_loss;
  training["stopped_early"] = run.history.stopped_early;
  training["seed"] = s.seed;
  training["seconds"] = 0.25;
  write_text(dir / "metrics.json", "{\"test\": " + comparison_json(run.test.comparison) +
                                       ", \"training\": " + training.dump() + "}\n");
  run.forecaster.data().source = s.source;
  save_checkpoint(dir / "model.safetensors", run.forecaster);
  return run;
}

// The message of read_run_folder(dir)'s error ("" when it reads).
std::string read_error(const fs::path& dir) {
  try {
    read_run_folder(dir);
    return "";
  } catch (const Error& e) {
    return e.what();
  }
}

TEST(RunFolder, ReadsAForecastRunsCurveMetricsAndSettings) {
  ScratchDir dir("run-folder-read");
  const TrainRun run = write_run(dir.path / "a", {.seed = 7});
  const RunFolder r = read_run_folder(dir.path / "a");
  EXPECT_EQ(r.kind, RunKind::forecast);
  EXPECT_EQ(r.norm, "batch");
  EXPECT_EQ(r.hidden, 6);
  ASSERT_TRUE(r.seed.has_value());
  EXPECT_EQ(*r.seed, 7u);
  ASSERT_EQ(r.curve.x.size(), run.history.epochs.size());
  for (size_t i = 0; i < r.curve.x.size(); ++i) {
    EXPECT_EQ(r.curve.x[i], run.history.epochs[i].epoch);
    EXPECT_EQ(r.curve.train_loss[i], run.history.epochs[i].train_loss);
    EXPECT_EQ(r.curve.val_loss[i], run.history.epochs[i].val_loss);
  }
  EXPECT_EQ(r.curve.kept_x, run.history.best_epoch);
  EXPECT_EQ(r.curve.kept_val_loss, run.history.find(run.history.best_epoch)->val_loss);
  EXPECT_EQ(r.curve.persistence_loss, run.persistence_validation_loss);
  EXPECT_EQ(r.curve.x_label, "epoch");
  EXPECT_EQ(r.curve.part, "validation");
  ASSERT_TRUE(r.forecast.has_value());
  const ForecastRunMetrics& m = *r.forecast;
  EXPECT_EQ(m.model.rmse, run.test.comparison.model.rmse);
  EXPECT_EQ(m.model.mae, run.test.comparison.model.mae);
  EXPECT_EQ(m.model.mase, run.test.comparison.model.mase);
  EXPECT_EQ(m.persistence.rmse, run.test.comparison.baseline.rmse);
  EXPECT_EQ(m.forecasts, run.test.comparison.model.count);
  EXPECT_FALSE(m.seasonal.has_value());
  EXPECT_EQ(m.mase_naive, "persistence");
  EXPECT_EQ(m.epochs, 4);
  EXPECT_EQ(m.source, "synthetic.csv");
  EXPECT_EQ(m.target, "Close");
  EXPECT_EQ(m.target_kind, "delta");
  EXPECT_EQ(m.rows, 150);
  EXPECT_EQ(m.test_begin, run.data.split.test_rows.begin);
  EXPECT_EQ(m.test_end, run.data.split.test_rows.end);
  EXPECT_EQ(m.horizon, 1);
  EXPECT_EQ(r.label(), (dir.path / "a").string() + " (batch, hidden 6, seed 7)");
}

TEST(RunComparison, TableHoldsEachRunsNumbersInEveryFormat) {
  ScratchDir dir("run-folder-table");
  const TrainRun a = write_run(dir.path / "a", {.seed = 1, .norm = LstmNorm::none});
  const TrainRun b = write_run(dir.path / "b", {.seed = 2});
  const std::vector<RunFolder> runs = {read_run_folder(dir.path / "a"),
                                       read_run_folder(dir.path / "b")};
  const RunDifferences d = run_differences(runs);
  EXPECT_TRUE(d.data.empty()) << d.data.front();
  EXPECT_TRUE(d.curves.empty()) << d.curves.front();

  const ComparisonTable t = comparison_table(runs);
  ASSERT_EQ(t.rows.size(), 2u);
  const auto column = [&](const std::string& key) {
    for (size_t c = 0; c < t.columns.size(); ++c)
      if (t.columns[c].key == key) return c;
    ADD_FAILURE() << "no column " << key;
    return size_t{0};
  };
  const TrainRun* trained[] = {&a, &b};
  for (size_t i = 0; i < 2; ++i) {
    const auto& row = t.rows[i];
    const ForecastComparison& c = trained[i]->test.comparison;
    EXPECT_EQ(row[column("rmse")].number, c.model.rmse);
    EXPECT_EQ(row[column("mae")].number, c.model.mae);
    EXPECT_EQ(row[column("mase")].number, c.model.mase);
    EXPECT_EQ(row[column("rmse_vs_persistence")].number, c.model.rmse / c.baseline.rmse);
    EXPECT_EQ(row[column("kept_epoch")].number, trained[i]->history.best_epoch);
    EXPECT_EQ(row[column("epochs_run")].number, trained[i]->history.epochs.back().epoch);
    EXPECT_EQ(row[column("seed")].number, static_cast<double>(i + 1));
  }
  EXPECT_EQ(t.rows[0][column("norm")].text, "none");
  EXPECT_EQ(t.rows[1][column("norm")].text, "batch");

  // JSON and CSV carry the exact numbers; text and Markdown the rounded ones
  const auto json = nlohmann::json::parse(format_table(t, TableFormat::json));
  ASSERT_EQ(json.size(), 2u);
  EXPECT_EQ(json[1]["rmse"].get<double>(), b.test.comparison.model.rmse);
  EXPECT_EQ(json[0]["norm"], "none");
  const std::string csv = format_table(t, TableFormat::csv);
  EXPECT_EQ(csv.substr(0, csv.find('\n')),
            "run,norm,hidden,seed,epochs_run,kept_epoch,val_loss,rmse,mae,mase,"
            "rmse_vs_persistence,seconds");
  EXPECT_NE(csv.find(fmt::format(",{},", a.test.comparison.model.rmse)), std::string::npos);
  const std::string md = format_table(t, TableFormat::markdown);
  EXPECT_EQ(md.substr(0, md.find('\n')),
            "| run | norm | hidden | seed | epochs | kept | val loss | RMSE | MAE | MASE | vs "
            "persistence | seconds |");
  const std::string text = format_table(t, TableFormat::text);
  EXPECT_NE(text.find(fmt::format("{:#.5g}", b.test.comparison.model.rmse)), std::string::npos);
  EXPECT_NE(text.find("vs persistence: the model's test RMSE over persistence's"),
            std::string::npos);
  EXPECT_THROW(parse_table_format("html"), Error);
}

TEST(RunComparison, RunsOnOtherDataOrInOtherUnitsAreToldApart) {
  ScratchDir dir("run-folder-differences");
  write_run(dir.path / "a");
  write_run(dir.path / "b", {.scaler = ScalerKind::min_max, .data_seed = 12, .source = "b.csv"});
  const std::vector<RunFolder> runs = {read_run_folder(dir.path / "a"),
                                       read_run_folder(dir.path / "b")};
  const RunDifferences d = run_differences(runs);
  ASSERT_EQ(d.data.size(), 1u);
  EXPECT_EQ(d.data[0], (dir.path / "b").string() + ": data 'b.csv', " + (dir.path / "a").string() +
                           ": 'synthetic.csv'");
  ASSERT_EQ(d.curves.size(), 1u);
  EXPECT_EQ(d.curves[0], (dir.path / "b").string() + ": scaler min_max, " +
                             (dir.path / "a").string() + ": z_score");
  EXPECT_TRUE(d.mase.empty());
  // the same folder twice
  EXPECT_THROW(run_differences({runs[0], runs[0]}), Error);
}

TEST(RunComparison, ChartOverlaysEveryRunInOneColourWithItsKeptEpoch) {
  ScratchDir dir("run-folder-chart");
  const TrainRun a = write_run(dir.path / "a", {.seed = 1});
  write_run(dir.path / "b", {.seed = 2});
  const std::vector<RunFolder> runs = {read_run_folder(dir.path / "a"),
                                       read_run_folder(dir.path / "b")};
  const LineChart c = comparison_chart(runs, false);
  // validation and training per run, then persistence (the same validation rows and scaler)
  ASSERT_EQ(c.series.size(), 5u);
  EXPECT_EQ(c.series[0].colour, 0);
  EXPECT_EQ(c.series[1].colour, 0);
  EXPECT_FALSE(c.series[0].dashed);
  EXPECT_TRUE(c.series[1].dashed);
  EXPECT_EQ(c.series[2].colour, 1);
  EXPECT_TRUE(c.series[4].reference);
  EXPECT_EQ(c.series[4].y[0], a.persistence_validation_loss);
  EXPECT_EQ(c.series[0].y, runs[0].curve.val_loss);
  ASSERT_EQ(c.markers.size(), 2u);
  EXPECT_EQ(c.markers[0].x, a.history.best_epoch);
  EXPECT_EQ(c.markers[1].colour, 1);
  EXPECT_EQ(c.xlabel, "epoch");
  EXPECT_TRUE(comparison_chart(runs, true).log_y);
  const std::string script = line_script(c).text();
  EXPECT_NE(script.find("dt 2 lc rgb '#0072B2' title"), std::string::npos) << script;
}

TEST(RunFolder, BadFoldersAndFilesFailWithOneLineNamingThem) {
  ScratchDir dir("run-folder-bad");
  const fs::path run = dir.path / "run";
  write_run(run);
  const std::string r = run.string();
  EXPECT_EQ(read_error(dir.path / "nope"), (dir.path / "nope").string() + ": no such folder");
  EXPECT_EQ(read_error(run / "metrics.json"),
            r + "/metrics.json: not a folder (expected a run's --out folder)");
  fs::create_directories(dir.path / "empty");
  EXPECT_EQ(read_error(dir.path / "empty"),
            (dir.path / "empty").string() +
                ": not a run's --out folder (no history.json, no metrics.json: written by bnlstm "
                "train or classify)");
  const std::string metrics = testing::read_bytes(run / "metrics.json");
  const std::string history = testing::read_bytes(run / "history.json");

  fs::remove(run / "metrics.json");
  EXPECT_EQ(read_error(run), r + "/metrics.json: missing (the run's test metrics)");
  write_text(run / "metrics.json", metrics.substr(0, metrics.size() / 2));
  EXPECT_EQ(read_error(run), r + "/metrics.json: not JSON (the run's test metrics expected)");
  write_text(run / "metrics.json", "{\"training\": {}}");
  EXPECT_EQ(read_error(run).rfind(r + "/metrics.json: not a run's metrics: ", 0), 0u)
      << read_error(run);
  write_text(run / "metrics.json", metrics);

  write_text(run / "history.json", "[1, 2]");
  EXPECT_EQ(read_error(run).rfind(r + "/history.json: not a training history", 0), 0u)
      << read_error(run);
  fs::remove(run / "history.json");
  EXPECT_EQ(read_error(run), r + "/history.json: missing (the run's loss per epoch)");
  write_text(run / "history.json", history);

  const std::string model = testing::read_bytes(run / "model.safetensors");
  write_text(run / "model.safetensors", model.substr(0, 100));
  EXPECT_EQ(read_error(run).rfind(r + "/model.safetensors: ", 0), 0u) << read_error(run);
  fs::remove(run / "model.safetensors");
  EXPECT_EQ(read_error(run),
            r + "/model.safetensors: missing (the run's checkpoint: norm and data)");
  write_text(run / "model.safetensors", model);
  EXPECT_EQ(read_error(run), "");

  fs::create_directories(dir.path / "bt");
  write_text(dir.path / "bt" / "backtest.json", "{}");
  EXPECT_EQ(read_error(dir.path / "bt"),
            (dir.path / "bt").string() +
                ": a backtest's folder (backtest.json); compare reads training runs "
                "(history.json, metrics.json)");
}

// A classify run's files as `bnlstm classify` writes them (the parts compare reads).
void write_classify_run(const fs::path& dir) {
  fs::create_directories(dir);
  write_text(dir / "history.json", R"({"steps_per_epoch": 10, "best_step": 20,
    "seconds_per_epoch": 1.5, "step": [10, 20, 30], "epoch": [1, 2, 3],
    "train_loss": [2.0, 1.0, 0.8], "train_accuracy": [0.2, 0.5, 0.6],
    "val_loss": [1.9, 1.1, 1.2], "val_accuracy": [0.25, 0.61, 0.6],
    "train_seconds": [1, 2, 3]})");
  write_text(dir / "metrics.json", R"({"test": {"images": 500, "loss": 1.15, "accuracy": 0.59,
    "confusion": []}, "training": {"view": "rows", "permuted": false, "norm": "layer",
    "hidden": 16, "seed": 3}})");
}

TEST(RunFolder, ReadsAClassifyRunAndRefusesToMixKinds) {
  ScratchDir dir("run-folder-classify");
  write_classify_run(dir.path / "c");
  const RunFolder c = read_run_folder(dir.path / "c");
  EXPECT_EQ(c.kind, RunKind::classify);
  EXPECT_EQ(c.norm, "layer");
  EXPECT_EQ(c.hidden, 16);
  EXPECT_EQ(c.curve.x, (std::vector<double>{10, 20, 30}));
  EXPECT_EQ(c.curve.kept_x, 20);
  EXPECT_EQ(c.curve.kept_val_loss, 1.1);
  EXPECT_EQ(c.curve.x_label, "optimizer step");
  ASSERT_TRUE(c.classify.has_value());
  EXPECT_EQ(c.classify->accuracy, 0.59);
  EXPECT_EQ(c.classify->best_val_accuracy, 0.61);
  EXPECT_EQ(c.classify->steps, 30);
  const ComparisonTable t = comparison_table({c});
  EXPECT_EQ(t.columns[7].key, "best_val_accuracy");
  EXPECT_EQ(t.rows[0][7].text, "61.00");
  EXPECT_EQ(t.rows[0][9].number, 100 * 0.59);

  write_run(dir.path / "f");
  const RunFolder f = read_run_folder(dir.path / "f");
  try {
    run_differences({f, c});
    ADD_FAILURE() << "mixed kinds accepted";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), (dir.path / "c").string() + " is a classify run, " +
                                         (dir.path / "f").string() +
                                         " a train run: compare runs of one kind");
  }
  EXPECT_THROW(comparison_table({f, c}), Error);
}

}  // namespace
}  // namespace bnlstm
