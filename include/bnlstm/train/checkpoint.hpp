#pragma once
// Forecaster checkpoints in the safetensors format (bnlstm/io/safetensors.hpp), readable by
// Python's safetensors package and by numpy (tools/golden_io.py load()).
//
// Tensors: the network's parameters and batch-norm running statistics, F32, named as in
// ForecastNetwork::save_state ("lstm.weight_ih_l0", "head.weight", ...).
// "__metadata__" (all values strings; structured ones JSON-encoded):
//   format          "bnlstm-forecaster"
//   format_version  "1"
//   config          {"columns": [...], "input_columns": [0], "target_column": 0, "lookback": 1,
//                    "horizon": 1, "target": "delta", "input": "level", "input_size": 1, "hidden_size": 256,
//                    "norm": "batch", "init": "xavier"}
//   columns         {"inputs": ["Close"], "target": "Close"}   (names, for people and scripts)
//   scaler          Scaler::to_json(), e.g. {"kind":"min_max","columns":["Close"],...}
//   data            {"source": "google.csv", "date_column": "", "start": "2005-01-01",
//                    "end": "2020-12-31", "first": "2005-01-03", "last": "2020-12-31",
//                    "rows": 4028, "train_fraction": 0.7, "validation_fraction": 0,
//                    "split": {"train_rows": [0, 2819], "validation_rows": [...], ...}}
//   training        free-form JSON from Forecaster::training_json() (optimizer, epochs, ...)
// The file is written atomically (temporary file + rename).
#include <filesystem>

#include "bnlstm/io/safetensors.hpp"
#include "bnlstm/train/forecaster.hpp"

namespace bnlstm {

TensorFile checkpoint_tensors(const Forecaster& forecaster);
void save_checkpoint(const std::filesystem::path& path, const Forecaster& forecaster);

// Throws bnlstm::Error "<path>: not a bnlstm checkpoint: <why>" for a file that is not
// safetensors, lacks the metadata above, or whose tensors do not fit its config.
Forecaster forecaster_from_tensors(const TensorFile& file);
Forecaster load_checkpoint(const std::filesystem::path& path);
// The file's tensors and metadata, unchecked beyond the safetensors format; throws
// bnlstm::Error "<path>: ..." for a folder, a missing file or one that is not safetensors.
TensorFile read_checkpoint_file(const std::filesystem::path& path);

}  // namespace bnlstm
