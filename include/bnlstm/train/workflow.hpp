#pragma once
// One training run of a forecaster, as `bnlstm train` does it and as the Python binding's
// Forecaster.fit does it: the same function, so the same options, seed and thread count give
// the same history, weights and metrics bit for bit in both.
//
//   series (price units, the columns to read)                         csv.hpp load_csv
//     -> Dataset: chronological split, scaler fitted on the training rows, windows   dataset.hpp
//     -> Forecaster: a new network drawn from Rng(seed)                forecaster.hpp
//     -> Trainer::fit on the training windows, early stopping on the validation part
//     -> the test part judged beside persistence (and seasonal naive)  evaluation.hpp
//
//   TrainRunOptions o;                      // defaults = `bnlstm train`'s defaults
//   o.data.windows.lookback = 20;
//   o.seed = 7;
//   TrainRun run = run_training(load_csv("prices.csv", csv_options), o);
//   run.test.comparison.model.rmse;         // the number `bnlstm train` prints
//
// Everything a front end does besides this (parsing flags or keyword arguments, printing, writing
// files and pictures) stays in the front end. Callbacks (trainer.hpp TrainCallbacks) report each
// batch and epoch and can end training early (should_stop).
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "bnlstm/data/dataset.hpp"
#include "bnlstm/data/series.hpp"
#include "bnlstm/train/evaluation.hpp"
#include "bnlstm/train/forecaster.hpp"
#include "bnlstm/train/history.hpp"
#include "bnlstm/train/network.hpp"
#include "bnlstm/train/trainer.hpp"
#include "bnlstm/train/workers.hpp"

namespace bnlstm {

// Which columns a run reads and how they map onto the model: `load` is the list to pass to the
// CSV loader (CsvOptions::value_columns), `inputs` and `target` index into it.
struct ForecastColumns {
  std::vector<std::string> load;  // empty: the loader's default (close), which is then the target
  std::vector<Index> inputs;      // model inputs, indices into load
  Index target = 0;               // the forecast column, index into load
};

// value_columns: the model's input columns (empty: the target alone); target_column: the column
// forecast (empty: the first value column, else the loader's default). A target that is not an
// input is appended to `load` after the inputs (it is read, scaled and forecast, not fed).
ForecastColumns select_columns(const std::vector<std::string>& value_columns,
                               const std::string& target_column);

// The defaults of `bnlstm train` where they differ from those of the parts (DatasetOptions,
// TrainOptions keep the notebook's), each measured in docs/workflow.md: a validation part of 10 %
// (train 0.7, validation 0.1, test 0.2) and, for early stopping, any decrease counts (delta 0)
// and the starting weights are scored as epoch 0.
DatasetOptions default_run_data();
TrainOptions default_run_training();

struct TrainingCheckpoint;  // resume.hpp

struct TrainRunOptions {
  // split fractions, scaler, window layout (look-back, horizon, target, input kind, columns)
  DatasetOptions data = default_run_data();
  // true: early stopping and the kept epoch use the TEST part (the notebook's protocol; the
  // validation fraction must then be 0). false: they use the validation part, which must exist.
  bool validate_on_test = false;
  NetworkConfig network;  // input_size and horizon are set from the windows
  // Set the head's weight to 0 after drawing the network (the LSTM is drawn exactly as without
  // it): with a delta target the untrained model is the persistence forecast. false: the head
  // drawn with network.init (the notebook).
  bool zero_head = true;
  TrainOptions training = default_run_training();
  uint64_t seed = 42;  // initialization and shuffling (make_rng(seed))
  // Threads for Eigen and OpenMP, set process-wide for the run (Eigen::setNbThreads,
  // omp_set_num_threads); 0 leaves the current settings alone. Results depend on it.
  int threads = 1;
  // Period of the seasonal-naive baseline in rows (e.g. 12 for monthly data, 365 for daily
  // weather); 0: no seasonal baseline, MASE scaled by the one-step naive forecast.
  Index season = 0;
  // Data-parallel training (workers.hpp; not owned): every worker calls run_training with the
  // same options and data, trains its share of every batch and ends with the same weights,
  // history and metrics. nullptr (or one worker): one process.
  Workers* workers = nullptr;
  // Continue the run saved in this checkpoint (resume.hpp; not owned): on the same data (checked
  // by its fingerprint), with its split, scaler, network, optimizer state, shuffling and early
  // stopping, and these options, which must be its own except epochs (the total, earlier epochs
  // included), patience, threads and season (resume_settings() makes them so). Every worker
  // loads the same checkpoint.
  const TrainingCheckpoint* resume = nullptr;
  // Start a new run (epoch 0, a fresh optimizer) from this model's weights instead of drawn ones
  // (not owned): the network (hidden size, norm, input features, horizon) must be its (see
  // init_settings()); the scaler is fitted on the new training rows; the head is not zeroed.
  const Forecaster* init_from = nullptr;
};

// What continuing a run needs beyond the model (resume.hpp saves it beside the model).
struct TrainingState {
  TrainRunOptions options;        // the run's settings (workers, resume, init_from: null)
  uint64_t data_fingerprint = 0;  // series_fingerprint() of the series it trained on
  TrainerState<float> trainer;    // where Trainer::fit stopped
};

struct TrainRun {
  Dataset data;           // series, split, fitted scaler, windows
  Forecaster forecaster;  // trained; holds the kept epoch's weights; provenance partly filled
  TrainingHistory history;
  bool validated_on_test = false;
  Range validation;  // the windows early stopping watched
  // the persistence forecast's loss on those windows: what a validation loss must go below
  double persistence_validation_loss = 0;
  RangeForecast test;    // the test part's forecasts and error table
  Index parameters = 0;  // trainable values in the network
  double seconds = 0;    // wall time of Trainer::fit
  // of which this worker spent in the workers' collectives (0 without workers)
  double communication_seconds = 0;
  // for continuing this run later (resume.hpp save_training_checkpoint)
  TrainingState state;
};

// Called once the data set is cut and the network drawn, before the first epoch (e.g. to print
// the split and the model): the dataset, the untrained forecaster, its number of parameters.
using RunStartCallback = std::function<void(const Dataset&, const Forecaster&, Index)>;

// Throws bnlstm::Error for inconsistent options (no validation part and validate_on_test off,
// a validation part with validate_on_test on, a season longer than the training rows, resume and
// init_from together), for a series other than the resumed checkpoint's or a network other than
// init_from's, and whatever the dataset, network and trainer throw (too few rows, divergence,
// --epochs not past the resumed run's epochs, ...).
// The forecaster's DataProvenance gets first/last date, rows, fractions and split; source, date
// column and requested range are the caller's to fill.
TrainRun run_training(Series series, const TrainRunOptions& options,
                      const TrainCallbacks& callbacks = {}, const RunStartCallback& on_start = {});

}  // namespace bnlstm
