#pragma once
// `bnlstm train --resume CHECKPOINT` and `--init-from CHECKPOINT`: the flags, loading the
// checkpoint, and reconciling the other flags with it (the library's resume_settings /
// init_settings, with flags named "--look-back" and "given" meaning given on the command line).
#include <CLI/CLI.hpp>
#include <optional>
#include <string>

#include "bnlstm/train/resume.hpp"
#include "bnlstm/train/workflow.hpp"
#include "data_options.hpp"

namespace bnlstm::cli {

struct StartFlags {
  std::string resume;     // --resume CHECKPOINT
  std::string init_from;  // --init-from CHECKPOINT
};

// --resume and --init-from (exclusive).
void add_start_flags(CLI::App* cmd, StartFlags& flags);

// What a run starts from; options point into it, so it must outlive the run (and not move).
struct TrainStart {
  std::optional<TrainingCheckpoint> resume;
  std::optional<Forecaster> init;
  std::string path;  // the checkpoint given
  // epochs the resumed run had already run (0 otherwise)
  int epochs_before() const { return resume ? resume->state.trainer.epochs_run() : 0; }
};

// Loads the checkpoint (if any) and makes `options` and `columns` those of the run: the
// checkpoint's settings for --resume, its network for --init-from. Throws bnlstm::Error with one
// line naming the flag or file (a missing or damaged checkpoint, one without training state, a
// flag that contradicts it).
void begin_start(TrainStart& start, const CLI::App* cmd, const StartFlags& flags,
                 TrainRunOptions& options, ForecastColumns& columns);

// The rows a run trains on: with --resume the checkpoint's own data (its file, date column,
// range, series) unless --data and the like say otherwise; else the data flags' as usual.
Series load_start_series(const TrainStart& start, const DataFlags& flags,
                         const ForecastColumns& columns, LoadReport* report);

// "resuming run1/model.safetensors after epoch 5: epochs 6..10" or "starting from the weights of
// run1/model.safetensors (hidden 64, norm batch); scaler fitted on these training rows", with a
// newline; "" for a new run.
std::string describe_start(const TrainStart& start, const TrainRunOptions& options);

// Records the start in the "training" JSON of metrics.json and the checkpoint:
// "resumed_from": path, "resumed_after_epoch": k, or "init_from": path.
std::string with_start(const std::string& training_json, const TrainStart& start);

}  // namespace bnlstm::cli
