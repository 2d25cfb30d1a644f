#pragma once
// Whole data-parallel training runs against one process, shared by the thread-team tests and
// the MPI tests: the forecaster's Trainer for a few epochs on a synthetic series, and the
// sequence classifier's trainer on a tiny image task, in double,
// checked after every epoch (training and validation loss) and at the end (every parameter,
// the running statistics, the kept epoch, the test loss). Every worker runs the one-process
// reference itself (no communication) and then its data-parallel run.
#include <gtest/gtest.h>

#include <string>

#include "bnlstm/classify/classifier_trainer.hpp"
#include "bnlstm/classify/image_task.hpp"
#include "bnlstm/train/trainer.hpp"
#include "bnlstm/train/workers.hpp"
#include "classify/tiny_images.hpp"
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

namespace bnlstm::testing {

// The sequence classifier's trainer the same way: a tiny 3-class image task (6 x 6 images read
// row by row), h_0 noise on, RMSprop with clipping by norm (the defaults), a few epochs.

struct ClassifierTrainingCase {
  LstmNorm norm = LstmNorm::batch;
  Index batch_size = 20;  // 120 training images: 6 steps per epoch
  int epochs = 3;
  int64_t eval_every = 4;
  // RMSprop with Cooijmans et al.'s lr and momentum. (At lr 1e-2 the training itself amplifies
  // rounding: one process against 3 workers differ by 7.5e-12 after 18 steps with batch norm
  // and by 1.6e-11 with layer norm, which shares no statistics; at 1e-3: 1.6e-14 and 2.1e-14.)
  OptimizerKind optimizer = OptimizerKind::rmsprop;
  double lr = 1e-3, momentum = 0.9;

  // Batches of 2: on 3 workers one share is empty at every step. Batch statistics of 2 samples
  // normalize them to +-1 whatever their values, so gradients through them are mostly rounding
  // noise, which the optimizer turns into steps: after 60 steps one process and 3 workers
  // differ by 5.1e-6 with RMSprop (lr 1e-3; the same on 2 workers, with no empty share), by 3e-10
  // with SGD lr 0.1 and 9.1e-11 with lr 0.01 (momentum 0.9); SGD lr 1e-3 stays at 1.7e-13.
  static ClassifierTrainingCase batches_of_two() {
    ClassifierTrainingCase c;
    c.batch_size = 2;
    c.epochs = 1;
    c.eval_every = 20;
    c.optimizer = OptimizerKind::sgd;
    c.lr = 0.001;
    return c;
  }
};

struct ClassifierTrainingResult {
  ClassificationHistory history;
  TensorFile state;
  ClassificationEval test;
};

inline ClassifierTrainingResult train_classifier(const ClassifierTrainingCase& c,
                                                 Workers* workers) {
  ImageTaskOptions o;
  o.val_size = 30;
  const ImageTask task = make_image_task(tiny_images(150, 1), tiny_images(30, 2), o);
  ClassifierConfig config;
  config.hidden_size = 8;
  config.norm = c.norm;
  config.input_size = task.train_data->inputs();
  config.classes = task.classes;
  ClassifierTrainOptions t;
  t.epochs = c.epochs;
  t.batch_size = c.batch_size;
  t.eval_every = c.eval_every;
  t.optimizer = c.optimizer;
  t.optimizer_config.lr = c.lr;
  t.optimizer_config.momentum = c.momentum;
  Rng init(3), data(4), noise(5);
  SequenceClassifier<double> net(config, init);
  ClassifierTrainer<double> trainer(net, *task.train_data, t, workers);
  ClassifierTrainingResult r;
  r.history = trainer.fit(task.train, task.validation, data, noise);
  net.save_state(r.state);
  r.test = evaluate_classifier(net, *task.test_data, task.test, workers);
  return r;
}

inline void check_classifier_training(Agreement& agree, Workers& workers,
                                      const ClassifierTrainingCase& c) {
  const ClassifierTrainingResult one = train_classifier(c, nullptr);
  const ClassifierTrainingResult par = train_classifier(c, &workers);
  EXPECT_EQ(par.history.best_step, one.history.best_step);
  ASSERT_EQ(par.history.points.size(), one.history.points.size());
  for (size_t k = 0; k < one.history.points.size(); ++k) {
    const EvalPoint &a = par.history.points[k], &b = one.history.points[k];
    const std::string at = " at step " + std::to_string(b.step);
    EXPECT_EQ(a.step, b.step);
    agree.expect_scalar("train loss", a.train_loss, b.train_loss, at);
    agree.expect_scalar("train accuracy", a.train_accuracy, b.train_accuracy, at);
    agree.expect_scalar("val loss", a.val_loss, b.val_loss, at);
    agree.expect_scalar("val accuracy", a.val_accuracy, b.val_accuracy, at);
  }
  for (const auto& [name, t] : one.state.tensors) {
    if (!par.state.contains(name)) {
      ADD_FAILURE() << "missing " << name;
      continue;
    }
    const std::vector<double> a = par.state.get(name).values<double>(), b = t.values<double>();
    agree.expect(name, Eigen::Map<const Matrix<double>>(a.data(), 1, Index(a.size())),
                 Eigen::Map<const Matrix<double>>(b.data(), 1, Index(b.size())));
  }
  agree.expect_scalar("test loss", par.test.loss, one.test.loss);
  EXPECT_EQ(par.test.count, one.test.count);
  EXPECT_TRUE(par.test.confusion == one.test.confusion);
}

}  // namespace bnlstm::testing
