#pragma once
// `bnlstm study-forecast`: one forecasting task (a series and train's options) trained with
// several variants (norm x optimizer) and seeds through the library's run_training
// (workflow.hpp), everything else equal: a seed gives every variant the same generator, so the
// same shuffling of the training windows. The yardstick is the persistence forecast (the last
// value repeated), whose loss on the validation windows run_training reports:
//   per run      validation loss / persistence validation loss at every epoch, the first epoch
//                at which it went below each threshold (e.g. 0.5: half the no-change loss), and
//                the test RMSE / persistence RMSE of the kept weights;
//   per variant  median and worst of that test ratio over seeds (mean ± sample std too), the
//                median epoch at which each threshold was reached (and by how many seeds),
//                seconds per epoch, and curves (mean, lowest..highest over seeds).
// Written as a markdown table, JSON and two band charts, like the classification study
// (bnlstm/classify/study.hpp).
//
//   ForecastStudyOptions o;
//   o.run = ...;                                  // train's options (data, windows, training)
//   o.optimizers = {{"sgd", OptimizerKind::sgd, {.lr = 1e-3}}, {"adam", OptimizerKind::adam, ...}};
//   ForecastStudyResult r = run_forecast_study(load_csv(...), o);
//   fmt::print("{}", forecast_study_table(r));
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "bnlstm/data/series.hpp"
#include "bnlstm/optim/optimizer.hpp"
#include "bnlstm/plot/gnuplot.hpp"
#include "bnlstm/train/history.hpp"
#include "bnlstm/train/workflow.hpp"

namespace bnlstm {

struct ForecastStudyOptimizer {
  std::string name;  // as the user wrote it: sgd, momentum, adam, adamw
  OptimizerKind kind = OptimizerKind::sgd;
  OptimizerConfig config;
};

struct ForecastStudyOptions {
  std::vector<LstmNorm> norms = {LstmNorm::none, LstmNorm::batch, LstmNorm::layer};
  std::vector<ForecastStudyOptimizer> optimizers;  // at least one
  std::vector<uint64_t> seeds = {1, 2, 3};
  // Everything else; network.norm, training.optimizer(_config) and seed are replaced per run.
  // It must validate on a validation part (validate_on_test off): the thresholds are measured
  // there, and the test part is judged once with the kept weights.
  TrainRunOptions run;
  // validation loss / persistence validation loss, each in (0, 1]
  std::vector<double> thresholds = {0.5, 0.3};
};

struct ForecastStudyRun {
  size_t number = 0;   // 1-based, in the study's order (seed-major)
  size_t variant = 0;  // index into ForecastStudyResult::variants
  uint64_t seed = 0;
  TrainingHistory history;
  double persistence_validation_loss = 0;           // the yardstick of the thresholds
  std::vector<std::optional<int>> epochs_to;        // per threshold: the first epoch below it
  double test_rmse = 0, persistence_test_rmse = 0;  // price units, kept weights
  double seconds = 0;                               // Trainer::fit's wall time
  double test_ratio() const { return test_rmse / persistence_test_rmse; }
  int epochs_run() const { return history.epochs.empty() ? 0 : history.epochs.back().epoch; }
};

struct ForecastVariantSummary {
  std::string label;  // "batch" or, with several optimizers, "batch / adam lr 0.001"
  LstmNorm norm = LstmNorm::batch;
  std::string optimizer;
  double lr = 0;
  int seeds = 0;
  // test RMSE / persistence test RMSE over seeds
  double test_ratio_median = 0, test_ratio_worst = 0, test_ratio_mean = 0, test_ratio_std = 0;
  std::vector<std::vector<std::optional<int>>> epochs_to;  // [threshold][seed]
  double best_val_ratio_median = 0;  // lowest validation loss / persistence's, median over seeds
  double seconds_per_epoch = 0;      // mean over seeds
  // curves over the epochs every seed ran (from epoch 0 when it was scored)
  std::vector<double> epochs;
  std::vector<double> val_ratio_mean, val_ratio_min, val_ratio_max;
  std::vector<double> train_loss_mean, train_loss_min, train_loss_max;
};

struct ForecastStudyResult {
  ForecastStudyOptions options;
  std::vector<ForecastVariantSummary> variants;  // norm-major within each optimizer
  std::vector<ForecastStudyRun> runs;            // study order
};

struct ForecastStudyCallbacks {
  // before each run: 1-based run number, total runs, label, seed
  std::function<void(size_t run, size_t runs, const std::string& label, uint64_t seed)> on_start;
  // after each run, with its variant's summary so far
  std::function<void(const ForecastStudyRun&, const ForecastVariantSummary&)> on_run;
};

// Runs every variant for every seed (seed-major). Throws bnlstm::Error for no norm, optimizer or
// seed, a threshold outside (0, 1], validate_on_test, and whatever run_training throws.
ForecastStudyResult run_forecast_study(const Series& series, const ForecastStudyOptions& options,
                                       const ForecastStudyCallbacks& callbacks = {});

// The per-variant summaries of the runs so far (every variant, possibly with 0 seeds).
std::vector<ForecastVariantSummary> summarize_forecast_study(
    const ForecastStudyOptions& options, const std::vector<ForecastStudyRun>& runs);

// Markdown table, one row per variant; epochs to a threshold as "median (reached/seeds)" or
// "never (0/seeds)".
std::string forecast_study_table(const ForecastStudyResult& r);
// Options, per-variant summaries and every run's history.
std::string forecast_study_json(const ForecastStudyResult& r);
// Validation loss / persistence's and training loss against epochs, one band per variant.
// Throws GnuplotNotFound when gnuplot is missing.
void forecast_study_charts(const ForecastStudyResult& r,
                           const std::filesystem::path& val_ratio_path,
                           const std::filesystem::path& loss_path, const ImageOptions& image = {});

}  // namespace bnlstm
