#pragma once
// Flags shared by `train` and `backtest`: the network, the optimizer, early stopping, the seed,
// the seasonal baseline and the notebook preset. Together with the data and window flags
// (data_options.hpp) they become a TrainRunOptions (bnlstm/train/workflow.hpp), so both commands
// train exactly as the library's run_training does.
//
// --notebook sets the notebook's own settings (docs/workflow.md, "Defaults"), each unless its flag
// is given too: --validate-on-test, --target level, --scaler minmax, --delta 0.001, --head-init
// drawn, --no-epoch-zero (hidden 256, SGD lr 1e-3, batch 32, clip 1.0, xavier, look-back 1 and
// train 0.7 are the defaults anyway).
#include <CLI/CLI.hpp>
#include <string>

#include "bnlstm/train/history.hpp"
#include "bnlstm/train/workflow.hpp"
#include "data_options.hpp"

namespace bnlstm::cli {

// --optimizer: the library's kinds plus "momentum", which is SGD with a momentum buffer
enum class OptimizerFlag { sgd, momentum, adam, adamw };
std::string to_string(OptimizerFlag o);

// --head-init: zero (the default: a delta model starts as persistence) or drawn with --init
enum class HeadInit { zero, drawn };

struct ModelFlags {
  Index hidden = 256;
  LstmNorm norm = LstmNorm::batch;
  InitScheme init = InitScheme::xavier;
  HeadInit head = HeadInit::zero;
  bool no_epoch_zero = false;
  OptimizerFlag optimizer = OptimizerFlag::sgd;
  double lr = 1e-3, momentum = 0.9;
  double weight_decay = -1;  // -1 (not given): 0, adamw 0.01
  LossKind loss = LossKind::mse;
  double huber_delta = 1.0;
  int epochs = 100;
  Index batch_size = 32;
  int patience = 10;
  double delta = 0;  // the notebook's 0.001 exceeds the losses themselves (docs/workflow.md)
  double clip = 1.0;
  ClipMode clip_mode = ClipMode::value;
  uint64_t seed = 42;
  int threads = 1;
  bool no_restore = false;
  bool no_recalibrate = false;
  Index season = 0;
  bool validate_on_test = false;
  bool notebook = false;
};

// --hidden ... --notebook (see ModelFlags), each a typed option with its range.
void add_model_flags(CLI::App* cmd, ModelFlags& flags);

// Applies --notebook to the flags not given on the command line (cmd->count), then checks and
// builds the run: columns from select_columns(), windows and split from `windows`. Throws
// bnlstm::Error for contradicting flags (--validate-on-test with --val-size) and too much memory.
TrainRunOptions run_options(const CLI::App* cmd, ModelFlags& model, WindowFlags& windows,
                            const ForecastColumns& columns);

// The "training" object of metrics.json and of the checkpoint's metadata.
std::string training_json(const ModelFlags& flags, const TrainRunOptions& run,
                          const TrainingHistory& history, double persistence_loss, double seconds);

// "model: LSTM(norm=batch, hidden=256, init=xavier, head zero) + Linear(256 -> 1); ..." and the
// "training: ..." line, both ending in a newline.
std::string describe_run(const ModelFlags& flags, const TrainRunOptions& run,
                         const std::string& target_name, Index parameters);

// "Epoch 3/100 - Loss: 0.00123, Val Loss: 0.00456" (the notebook's line; "Test Loss" when the
// test part validates; epoch 0 is marked as the starting weights)
std::string epoch_line(const EpochRecord& e, int epochs, ValidationPart part);

}  // namespace bnlstm::cli
