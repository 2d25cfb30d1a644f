#pragma once
// The settings of a run that continues a checkpoint (--resume) or starts from its weights
// (--init-from), reconciled with what the user asked for: the checkpoint's where it fixes them,
// the user's elsewhere, and a one-line error naming the setting when the two contradict each
// other. Settings go by their snake_case names (the command line's flags without "--", with "_"
// for "-"; Python's keyword arguments); the front end says how to print a name and whether the
// user gave it.
#include <functional>
#include <string>
#include <string_view>

#include "bnlstm/train/forecaster.hpp"
#include "bnlstm/train/resume.hpp"
#include "bnlstm/train/workflow.hpp"

namespace bnlstm {

// How a front end names a setting given by its snake_case name ("look_back" -> "--look-back" for
// the command line, "look_back" for Python), and whether the user gave it explicitly.
using SettingName = std::function<std::string(std::string_view)>;
using SettingGiven = std::function<bool(std::string_view)>;

// The columns a checkpoint's model reads: load = its columns, inputs and target as trained.
ForecastColumns checkpoint_columns(const Forecaster& forecaster);

// --resume: sets every setting of `options` to the checkpoint's, except epochs, patience, threads
// and season when given (and the pointers); `columns` become the checkpoint's. Not given, those
// four are the checkpoint's too: its --epochs (the total it was to reach, e.g. after a stop on
// request), its patience, threads and season. A setting given explicitly
// (given(snake_name)) with another value than the checkpoint's throws bnlstm::Error
//   "--hidden: run1/model.safetensors was trained with 64, got 32; --resume continues that run
//    with its settings (only --epochs, --patience, --threads and --season may change; a new run
//    from its weights: --init-from)"
// Settings: train_size, val_size, validate_on_test, scaler, look_back, horizon, target, input,
// value_col, target_col, hidden, norm, init, head_init, no_epoch_zero, optimizer, lr, momentum,
// weight_decay, loss, huber_delta, batch_size, delta, clip, clip_mode, no_restore,
// no_recalibrate, seed.
void resume_settings(TrainRunOptions& options, ForecastColumns& columns,
                     const TrainingCheckpoint& checkpoint, const SettingGiven& given,
                     const SettingName& name);

// --init-from: the network (hidden, norm, init) is the model's; horizon, look_back, target,
// input, scaler and the columns are the model's unless given; zero_head off (the head is the
// model's). Throws bnlstm::Error naming the setting when a given one contradicts the network:
// hidden, norm or horizon other than the model's, init or head_init given at all (the weights
// are not drawn), or inputs whose feature count differs from the model's input size.
// Everything else (split, optimizer, epochs, seed, ...) is the new run's own.
void init_settings(TrainRunOptions& options, ForecastColumns& columns, const Forecaster& model,
                   const std::string& model_path, const SettingGiven& given,
                   const SettingName& name);

}  // namespace bnlstm
