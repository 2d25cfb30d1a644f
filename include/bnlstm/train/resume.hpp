#pragma once
// Continuing a training run (--resume) and starting a new one from a model's weights
// (--init-from), in the one safetensors file a run writes (checkpoint.hpp).
//
// A run's checkpoint holds, beside the model that load_checkpoint() reads (the kept weights,
// config, scaler, provenance), everything Trainer::resume needs, under names the model loader
// ignores:
//   tensors   train.weights.<name>   the weights after the last epoch (the model's are the best)
//             train.best.<name>      the lowest validation loss's weights (absent: none yet)
//             train.optimizer.<i>.<buffer>, train.optimizer.steps, train.optimizer.lr
//             train.order            I64 (n): the training windows in the last epoch's order
//             train.history.epoch    I64, train.history.train_loss, train.history.val_loss F64
//   metadata  train.options          TrainRunOptions as JSON (every setting of the run)
//             train.state            {"early_stopping": {...}, "rng": "<mt19937_64 state>",
//                                     "data_fingerprint": "<16 hex digits>"}
//             train.optimizer.type   "sgd", "adam", "adamw"
// The generator's state is the standard library's text for std::mt19937_64 (libstdc++'s and
// libc++'s differ: a checkpoint resumes with the library it was written with; the other one's
// text is refused as unreadable).
//
//   TrainingCheckpoint ck = load_training_checkpoint("run1/model.safetensors");
//   TrainRunOptions o = ...;                      // what the user asked for
//   ForecastColumns columns = ...;                // likewise
//   resume_settings(o, columns, ck, given, name); // resume_settings.hpp: a conflict throws
//   o.resume = &ck;
//   o.training.epochs = 20;                       // the total: epochs 6..20 after a run of 5
//   TrainRun run = run_training(series, o);       // series: the checkpoint's data
//   save_training_checkpoint("run1b/model.safetensors", run.forecaster, run.state);
//
// Every field is checked before use (checkpoints are untrusted input): shapes against the
// network, finite values, counts in range, the window order a permutation of the training
// windows; errors are one line starting with the file's path.
#include <cstdint>
#include <filesystem>
#include <string>

#include "bnlstm/data/series.hpp"
#include "bnlstm/io/safetensors.hpp"
#include "bnlstm/train/forecaster.hpp"
#include "bnlstm/train/workflow.hpp"

namespace bnlstm {

// A checkpoint that can be resumed: the model and where its training stopped.
struct TrainingCheckpoint {
  Forecaster forecaster;  // the kept weights, config, scaler, data provenance
  TrainingState state;
  std::string source;  // the file, for messages
};

// FNV-1a over the series' dates and values (not its column names or source): equal for the
// same rows, different (with overwhelming probability) for any other.
uint64_t series_fingerprint(const Series& series);

// The model's tensors and metadata (checkpoint_tensors) plus the training state above.
TensorFile training_checkpoint_tensors(const Forecaster& forecaster, const TrainingState& state);
void save_training_checkpoint(const std::filesystem::path& path, const Forecaster& forecaster,
                              const TrainingState& state);

// True when the file holds a training state (its metadata has train.options).
bool has_training_state(const TensorFile& file);
// Throws bnlstm::Error "<path>: ..." for anything load_checkpoint refuses, for a checkpoint
// without training state ("holds no training state ...; start a new run from its weights with
// --init-from") and for a state that does not fit its model.
TrainingCheckpoint training_checkpoint_from_tensors(const TensorFile& file);
TrainingCheckpoint load_training_checkpoint(const std::filesystem::path& path);

}  // namespace bnlstm
