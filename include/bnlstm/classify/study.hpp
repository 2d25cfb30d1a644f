#pragma once
// `bnlstm study` for classification: the same task trained with several variants (norm x
// optimizer) and seeds, everything else equal: identical data order and initial weights per seed
// (classification_run.hpp), identical schedule and validation points. Then per variant:
//   mean and spread over seeds of the training loss and validation accuracy at every point,
//   the final test accuracy and loss (mean ± sample std over seeds),
//   for each validation-accuracy threshold the first step at which each seed reached it,
//   seconds of training per epoch.
// Written as a markdown table, JSON and two band charts (study_charts).
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "bnlstm/classify/classification_run.hpp"
#include "bnlstm/plot/gnuplot.hpp"

namespace bnlstm {

struct StudyOptimizer {
  std::string name;  // as the user wrote it: rmsprop, sgd, momentum, adam, adamw
  OptimizerKind kind = OptimizerKind::rmsprop;
  OptimizerConfig config;
};

struct StudyOptions {
  std::vector<LstmNorm> norms = {LstmNorm::none, LstmNorm::batch, LstmNorm::layer};
  std::vector<StudyOptimizer> optimizers;  // at least one
  std::vector<uint64_t> seeds = {1, 2, 3};
  ClassifierConfig network;                           // norm replaced per variant
  ClassifierTrainOptions training;                    // optimizer replaced per variant
  std::vector<double> thresholds = {0.7, 0.8, 0.85};  // validation accuracies
  // Runs trained at once, each in its own thread with the caller's OpenMP thread count. Every
  // number but the seconds is the same as with jobs = 1 (each run has its own generators);
  // runs that share the CPU take longer per epoch.
  int jobs = 1;
};

struct StudyRun {
  size_t number = 0;   // 1-based, in the study's order (seed-major)
  size_t variant = 0;  // index into StudyResult::variants
  uint64_t seed = 0;
  ClassificationHistory history;
  ClassificationEval test;
  double seconds = 0;
};

struct VariantSummary {
  std::string label;  // "batch" or, with several optimizers, "batch/adam"
  LstmNorm norm = LstmNorm::none;
  std::string optimizer;
  double lr = 0;
  int seeds = 0;
  double test_accuracy_mean = 0, test_accuracy_std = 0;  // sample std (0 for one seed)
  double test_loss_mean = 0, test_loss_std = 0;
  double final_val_accuracy_mean = 0;
  double seconds_per_epoch = 0;  // mean over seeds
  // per threshold: the step at which each seed first reached it (nullopt: never)
  std::vector<std::vector<std::optional<int64_t>>> steps_to;
  // curves over the validation points (mean, min, max over seeds)
  std::vector<double> steps, val_accuracy_mean, val_accuracy_min, val_accuracy_max;
  std::vector<double> train_loss_mean, train_loss_min, train_loss_max;
};

struct StudyResult {
  StudyOptions options;
  std::vector<VariantSummary> variants;
  std::vector<StudyRun> runs;
};

// With jobs > 1 the callbacks are called from the worker threads, one at a time (under a lock);
// on_run's summary then covers the runs finished so far.
struct StudyCallbacks {
  // before each run: 1-based run number, total runs, label, seed
  std::function<void(size_t run, size_t runs, const std::string& label, uint64_t seed)> on_start;
  std::function<void(const StudyRun&, const VariantSummary&)> on_run;  // after each run
  ClassifierCallbacks training;  // inside each run (jobs = 1 only: not called with jobs > 1)
};

// Runs every variant for every seed (seed-major: all variants of seed 1, then seed 2, ...);
// result.runs are in that order whatever `jobs`. Throws bnlstm::Error for no norm, optimizer or
// seed, a threshold outside (0, 1] or jobs < 1; an error in any run is rethrown after the
// runs under way have finished.
// workers: every run data-parallel (run_classification; jobs must be 1); nullptr: one process.
StudyResult run_study(const ImageTask& task, const StudyOptions& options,
                      const StudyCallbacks& callbacks = {}, Workers* workers = nullptr);

// The per-variant summaries from runs (also what run_study fills in).
std::vector<VariantSummary> summarize_study(const StudyOptions& options,
                                            const std::vector<StudyRun>& runs);

// Markdown table: variant, test accuracy mean ± std, test loss, steps to each threshold
// (median over the seeds that reached it, and how many did), seconds per epoch.
std::string study_table(const StudyResult& result);
std::string study_json(const StudyResult& result);

// loss.<ext> (training loss against steps) and val_accuracy.<ext> (validation accuracy against
// steps): one line per variant, the mean over seeds, the band from the lowest to the highest seed.
void study_charts(const StudyResult& result, const std::filesystem::path& loss_path,
                  const std::filesystem::path& accuracy_path, const ImageOptions& image);

}  // namespace bnlstm
