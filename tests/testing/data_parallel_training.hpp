#pragma once
// Whole data-parallel training runs against one process, shared by the thread-team tests and
// the MPI tests: the forecaster's Trainer for a few epochs on a synthetic series, in double,
// checked after every epoch (training and validation loss) and at the end (every parameter,
// the running statistics, the kept epoch, the test loss). Every worker runs the one-process
// reference itself (no communication) and then its data-parallel run.
#include <gtest/gtest.h>

#include <string>

#include "bnlstm/train/trainer.hpp"
#include "bnlstm/train/workers.hpp"
#include "testing/data_parallel.hpp"
#include "train/synthetic.hpp"

namespace bnlstm::testing {

struct ForecastTrainingCase {
  LstmNorm norm = LstmNorm::batch;
  OptimizerKind optimizer = OptimizerKind::adam;
  double momentum = 0;  // sgd
  ClipMode clip_mode = ClipMode::value;
  int epochs = 4;
  // 92 training windows: three batches of 30 and a last one of 2, whose shares are 1+1+0 on
  // three workers
  Index batch_size = 30;
};

struct ForecastTrainingResult {
  TrainingHistory history;
  TensorFile state;
  double test_loss = 0;
};

// The data: two columns of a synthetic series, both inputs. (With a single input column every
// channel of the batch-normalized input term is w_c x_t, whose normalization does not depend on
// |w_c|: dL/dW_ih is zero but for eps and rounding, and Adam, which divides a gradient by its
// own magnitude, turns that rounding into steps; W_ih then agreed within 1e-12 only: 9e-13.)
inline Dataset training_data() {
  DatasetOptions o;
  o.split = {0.6, 0.2};
  o.windows.lookback = 3;
  o.windows.horizon = 2;
  o.windows.target = Target::delta;
  o.windows.input_columns = {0, 1};
  o.windows.target_column = 0;
  return make_dataset(synthetic_series(160, 11, 2), o);
}

// One run: the same network (seed 5), data and options; workers nullptr: one process.
inline ForecastTrainingResult train_forecaster(const ForecastTrainingCase& c, Workers* workers) {
  const Dataset d = training_data();
  TrainOptions o;
  o.epochs = c.epochs;
  EXPECT_EQ(d.split.train_windows.size(), 92);
  o.batch_size = c.batch_size;
  o.patience = 2;
  o.delta = 0;
  o.clip_mode = c.clip_mode;
  o.clip = 0.5;
  o.optimizer = c.optimizer;
  o.optimizer_config.lr = c.optimizer == OptimizerKind::sgd ? 0.05 : 1e-2;
  o.optimizer_config.momentum = c.momentum;
  Rng rng(5);
  ForecastNetwork<double> net({d.windows.inputs(), 6, 2, c.norm, InitScheme::xavier}, rng);
  Trainer<double> trainer(net, d.windows, o, workers);
  ForecastTrainingResult r;
  r.history = trainer.fit(d.split.train_windows, d.split.validation_windows, rng);
  net.save_state(r.state);
  r.test_loss = trainer.evaluate(d.split.test_windows);
  return r;
}

// The data-parallel run on `workers` against one process.
inline void check_forecast_training(Agreement& agree, Workers& workers,
                                    const ForecastTrainingCase& c) {
  const ForecastTrainingResult one = train_forecaster(c, nullptr);
  const ForecastTrainingResult par = train_forecaster(c, &workers);
  EXPECT_EQ(par.history.epochs.size(), one.history.epochs.size());
  EXPECT_EQ(par.history.best_epoch, one.history.best_epoch);
  EXPECT_EQ(par.history.stopped_early, one.history.stopped_early);
  for (size_t e = 0; e < std::min(par.history.epochs.size(), one.history.epochs.size()); ++e) {
    const std::string at = " epoch " + std::to_string(e + 1);
    agree.expect_scalar("train loss", par.history.epochs[e].train_loss,
                        one.history.epochs[e].train_loss, at);
    agree.expect_scalar("val loss", par.history.epochs[e].val_loss, one.history.epochs[e].val_loss,
                        at);
  }
  EXPECT_EQ(par.state.tensors.size(), one.state.tensors.size());
  for (const auto& [name, t] : one.state.tensors) {
    if (!par.state.contains(name)) {
      ADD_FAILURE() << "missing " << name;
      continue;
    }
    const std::vector<double> a = par.state.get(name).values<double>(), b = t.values<double>();
    agree.expect(name, Eigen::Map<const Matrix<double>>(a.data(), 1, Index(a.size())),
                 Eigen::Map<const Matrix<double>>(b.data(), 1, Index(b.size())));
  }
  agree.expect_scalar("test loss", par.test_loss, one.test_loss);
}

}  // namespace bnlstm::testing
