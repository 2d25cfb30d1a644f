// GCC 12 with AVX-512 reports a false -Wmaybe-uninitialized inside Eigen's vectorized
// reductions (fixed in GCC 13); it is not about this file's code.
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ < 13
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include "bnlstm/train/trainer.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "bnlstm/core/error.hpp"
#include "train/synthetic.hpp"

namespace bnlstm {
namespace {

struct TrainRun {
  TrainingHistory history;
  TensorFile final_state;
  std::vector<TensorFile> per_epoch;  // weights after each epoch, before any restore
};

TrainRun train_once(uint64_t seed, const TrainOptions& o, LstmNorm norm = LstmNorm::batch,
                    Index hidden = 8) {
  const Dataset d = testing::synthetic_dataset(160, 3, 1, Target::delta);
  Rng rng(seed);
  ForecastNetwork<float> net({1, hidden, 1, norm, InitScheme::xavier}, rng);
  Trainer<float> trainer(net, d.windows, o);
  TrainRun run;
  TrainCallbacks cb;
  cb.on_epoch = [&](const EpochRecord&, const EarlyStopping&) {
    run.per_epoch.emplace_back();
    net.save_state(run.per_epoch.back());
  };
  run.history = trainer.fit(d.split.train_windows, d.split.validation_windows, rng, cb);
  net.save_state(run.final_state);
  return run;
}

bool same_tensors(const TensorFile& a, const TensorFile& b) {
  if (a.tensors.size() != b.tensors.size()) return false;
  for (const auto& [name, t] : a.tensors) {
    if (!b.contains(name)) return false;
    if (t.bytes != b.get(name).bytes || t.shape != b.get(name).shape) return false;
  }
  return true;
}

TrainOptions quick(int epochs = 8) {
  TrainOptions o;
  o.epochs = epochs;
  o.batch_size = 16;
  o.patience = 0;
  o.optimizer = OptimizerKind::adam;
  o.optimizer_config.lr = 1e-2;
  return o;
}

TEST(Trainer, SameSeedGivesIdenticalHistoryBitForBit) {
  const TrainRun a = train_once(42, quick()), b = train_once(42, quick());
  ASSERT_EQ(a.history.epochs.size(), 8u);
  ASSERT_EQ(b.history.epochs.size(), 8u);
  for (size_t i = 0; i < a.history.epochs.size(); ++i) {
    EXPECT_EQ(a.history.epochs[i].train_loss, b.history.epochs[i].train_loss) << "epoch " << i + 1;
    EXPECT_EQ(a.history.epochs[i].val_loss, b.history.epochs[i].val_loss) << "epoch " << i + 1;
  }
  EXPECT_EQ(a.history.to_json(), b.history.to_json());
  EXPECT_TRUE(same_tensors(a.final_state, b.final_state));
  // and the seed matters
  const TrainRun c = train_once(43, quick());
  EXPECT_NE(a.history.epochs[0].train_loss, c.history.epochs[0].train_loss);
}

TEST(Trainer, TrainingLowersTheValidationLoss) {
  const TrainRun r = train_once(1, quick(20));
  EXPECT_LT(r.history.epochs.back().train_loss, r.history.epochs.front().train_loss);
  const auto best = std::min_element(r.history.epochs.begin(), r.history.epochs.end(),
                                     [](auto& x, auto& y) { return x.val_loss < y.val_loss; });
  EXPECT_LT(best->val_loss, r.history.epochs.front().val_loss);
}

TEST(Trainer, RestoresTheWeightsOfTheLowestValidationLoss) {
  // a large learning rate makes the validation loss wander, so the best epoch is not the last
  TrainOptions o = quick(12);
  o.optimizer_config.lr = 0.05;
  const TrainRun r = train_once(7, o);
  const auto& ep = r.history.epochs;
  const auto best = std::min_element(ep.begin(), ep.end(),
                                     [](auto& x, auto& y) { return x.val_loss < y.val_loss; });
  const int best_epoch = best->epoch;
  ASSERT_LT(best_epoch, static_cast<int>(ep.size()))
      << "precondition: the best epoch must not be the last";
  EXPECT_EQ(r.history.best_epoch, best_epoch);
  EXPECT_TRUE(same_tensors(r.final_state, r.per_epoch[static_cast<size_t>(best_epoch - 1)]));
  EXPECT_FALSE(same_tensors(r.final_state, r.per_epoch.back()));
}

TEST(Trainer, RestoredWeightsReproduceTheBestValidationLoss) {
  TrainOptions o = quick(12);
  o.optimizer_config.lr = 0.05;
  const Dataset d = testing::synthetic_dataset(160, 3, 1, Target::delta);
  Rng rng(7);
  ForecastNetwork<float> net({1, 8, 1, LstmNorm::batch, InitScheme::xavier}, rng);
  Trainer<float> trainer(net, d.windows, o);
  const TrainingHistory h = trainer.fit(d.split.train_windows, d.split.validation_windows, rng);
  EXPECT_EQ(trainer.evaluate(d.split.validation_windows),
            h.epochs[static_cast<size_t>(h.best_epoch - 1)].val_loss);
}

TEST(Trainer, EarlyStoppingEndsTheRunWhereTheRuleSays) {
  TrainOptions o = quick(60);
  o.patience = 3;
  o.delta = 0.0005;
  o.optimizer_config.lr = 0.05;
  const TrainRun r = train_once(3, o);
  // replay the recorded validation losses through the rule: it must stop at the same epoch
  EarlyStopping replay(3, 0.0005);
  int stop = 0;
  for (const auto& e : r.history.epochs) {
    replay.update(e.val_loss);
    if (replay.should_stop()) {
      stop = e.epoch;
      break;
    }
  }
  ASSERT_GT(stop, 0) << "precondition: the run should stop early";
  EXPECT_EQ(static_cast<int>(r.history.epochs.size()), stop);
  EXPECT_TRUE(r.history.stopped_early);
}

TEST(Trainer, ShufflesOnlyTrainingWindows) {
  const Dataset d = testing::synthetic_dataset(120, 2, 1, Target::level);
  Rng rng(5);
  ForecastNetwork<float> net({1, 4, 1, LstmNorm::none, InitScheme::xavier}, rng);
  Trainer<float> trainer(net, d.windows, quick(2));
  trainer.fit(d.split.train_windows, d.split.validation_windows, rng);
  std::vector<Index> order = trainer.last_order();
  std::vector<Index> sorted = order;
  std::sort(sorted.begin(), sorted.end());
  std::vector<Index> expected;
  for (Index i = d.split.train_windows.begin; i < d.split.train_windows.end; ++i)
    expected.push_back(i);
  EXPECT_EQ(sorted, expected);
  EXPECT_NE(order, expected);  // and it did shuffle
}

TEST(Trainer, BatchNormToleratesALastBatchOfOne) {
  // 0.6 * 60 = 36 train rows, look-back 3: 33 train windows = 32 + 1
  const Dataset d = testing::synthetic_dataset(60, 3, 1, Target::delta, 0.6, 0.2);
  ASSERT_EQ(d.split.train_windows.size(), 33);
  Rng rng(2);
  ForecastNetwork<float> net({1, 4, 1, LstmNorm::batch, InitScheme::xavier}, rng);
  TrainOptions o = quick(2);
  o.batch_size = 32;
  Trainer<float> trainer(net, d.windows, o);
  EXPECT_NO_THROW(trainer.fit(d.split.train_windows, d.split.validation_windows, rng));
}

TEST(Trainer, EvaluateIsTheMeanLossOverAllValidationWindows) {
  const Dataset d = testing::synthetic_dataset(100, 2, 2, Target::level);
  Rng rng(9);
  ForecastNetwork<double> net({1, 5, 2, LstmNorm::layer, InitScheme::xavier}, rng);
  Trainer<double> trainer(net, d.windows, quick(1));
  std::vector<Index> idx;
  indices_of(d.split.validation_windows, idx);
  MatrixD x, y;
  d.windows.gather(x, y, idx);
  net.eval();
  const double expected = (net.forward(x, 2) - y).squaredNorm() / static_cast<double>(y.size());
  EXPECT_NEAR(trainer.evaluate(d.split.validation_windows), expected, 1e-14);
}

TEST(Trainer, RejectsBadOptions) {
  const Dataset d = testing::synthetic_dataset(60, 1, 1, Target::level);
  Rng rng(1);
  ForecastNetwork<float> net({1, 4, 1, LstmNorm::none, InitScheme::xavier}, rng);
  TrainOptions o;
  o.epochs = 0;
  EXPECT_THROW(Trainer<float>(net, d.windows, o), Error);
  o = TrainOptions{};
  o.batch_size = 0;
  EXPECT_THROW(Trainer<float>(net, d.windows, o), Error);
  o = TrainOptions{};
  o.clip = -1;
  EXPECT_THROW(Trainer<float>(net, d.windows, o), Error);
  ForecastNetwork<float> wrong({2, 4, 1, LstmNorm::none, InitScheme::xavier}, rng);
  EXPECT_THROW(Trainer<float>(wrong, d.windows, TrainOptions{}), Error);
}

}  // namespace
}  // namespace bnlstm

namespace bnlstm {
namespace {

TEST(Trainer, EpochTrainingLossIsTheMeanOverAllTrainingWindows) {
  // lr 0 and no normalization: the network does not change during the epoch, so the epoch's
  // training loss must equal the loss of all training windows evaluated at once
  const Dataset d = testing::synthetic_dataset(150, 2, 1, Target::level);
  Rng rng(3);
  ForecastNetwork<double> net({1, 6, 1, LstmNorm::none, InitScheme::xavier}, rng);
  TrainOptions o;
  o.epochs = 1;
  o.batch_size = 7;  // 88 train windows: 12 batches of 7 and one of 4
  o.optimizer_config.lr = 0;
  Trainer<double> trainer(net, d.windows, o);
  const TrainingHistory h = trainer.fit(d.split.train_windows, d.split.validation_windows, rng);
  ASSERT_EQ(d.split.train_windows.size() % 7, 4);
  EXPECT_NEAR(h.epochs[0].train_loss, trainer.evaluate(d.split.train_windows), 1e-15);
}

}  // namespace
}  // namespace bnlstm

namespace bnlstm {
namespace {

// A delta model with a zero head starts out as the persistence forecast.
ForecastNetwork<float> zero_head_network(Rng& rng, LstmNorm norm = LstmNorm::batch) {
  ForecastNetwork<float> net({1, 8, 1, norm, InitScheme::xavier}, rng);
  net.head().weight().value.setZero();
  return net;
}

TEST(Trainer, EpochZeroIsScoredAndKeptWhenNoEpochBeatsIt) {
  // a learning rate this large makes every epoch worse than the zero-head start
  const Dataset d = testing::synthetic_dataset(160, 3, 1, Target::delta);
  Rng rng(4);
  ForecastNetwork<float> net = zero_head_network(rng);
  std::vector<MatrixF> start;
  for (const auto* p : net.parameters()) start.push_back(p->value);
  TrainOptions o = quick(4);
  o.score_initial = true;
  o.optimizer_config.lr = 0.5;  // Adam: steps of about 0.5 on every weight
  Trainer<float> trainer(net, d.windows, o);
  std::vector<int> seen;
  TrainCallbacks cb;
  cb.on_epoch = [&](const EpochRecord& e, const EarlyStopping&) { seen.push_back(e.epoch); };
  const TrainingHistory h = trainer.fit(d.split.train_windows, d.split.validation_windows, rng, cb);
  ASSERT_EQ(h.epochs.front().epoch, 0);
  EXPECT_EQ(seen.front(), 0);
  // epoch 0's validation loss is the persistence forecast's: the mean squared scaled change
  std::vector<Index> idx;
  MatrixF x, y;
  d.windows.gather(x, y, indices_of(d.split.validation_windows, idx));
  EXPECT_NEAR(h.epochs[0].val_loss, y.squaredNorm() / static_cast<double>(y.size()), 1e-9);
  for (size_t i = 1; i < h.epochs.size(); ++i)
    ASSERT_GT(h.epochs[i].val_loss, h.epochs[0].val_loss) << "precondition: epoch " << i;
  EXPECT_EQ(h.best_epoch, 0);
  // the starting weights are back (the running statistics are those recalibrated for epoch 0)
  const auto params = net.parameters();
  for (size_t i = 0; i < params.size(); ++i)
    EXPECT_EQ(params[i]->value, start[i]) << params[i]->name;
  EXPECT_EQ(trainer.evaluate(d.split.validation_windows), h.epochs[0].val_loss);
}

TEST(Trainer, AnEpochBetterThanEpochZeroIsKept) {
  const Dataset d = testing::synthetic_dataset(160, 3, 1, Target::delta);
  Rng rng(4);
  ForecastNetwork<float> net = zero_head_network(rng, LstmNorm::none);
  TrainOptions o = quick(10);
  o.score_initial = true;
  const TrainingHistory h =
      Trainer<float>(net, d.windows, o).fit(d.split.train_windows, d.split.validation_windows, rng);
  ASSERT_EQ(h.epochs.size(), 11u);
  EXPECT_GT(h.best_epoch, 0);
  EXPECT_LT(h.find(h.best_epoch)->val_loss, h.epochs[0].val_loss);
}

TEST(Trainer, ShouldStopEndsTheRunInsideAnEpochAndRestoresTheBest) {
  const Dataset d = testing::synthetic_dataset(160, 3, 1, Target::delta);
  Rng rng(4);
  ForecastNetwork<float> net({1, 8, 1, LstmNorm::batch, InitScheme::xavier}, rng);
  TrainOptions o = quick(10);
  Index batches_seen = 0;
  TrainCallbacks cb;
  cb.on_batch = [&](const BatchProgress&) { ++batches_seen; };
  // stop after the second batch of epoch 2 (six batches per epoch here)
  cb.should_stop = [&] { return batches_seen == 8; };
  Trainer<float> trainer(net, d.windows, o);
  const TrainingHistory h = trainer.fit(d.split.train_windows, d.split.validation_windows, rng, cb);
  ASSERT_EQ(d.split.train_windows.size(), 93);  // 6 batches of 16 and the rest
  EXPECT_TRUE(h.stopped_by_request);
  EXPECT_FALSE(h.stopped_early);
  EXPECT_EQ(batches_seen, 8);
  ASSERT_EQ(h.epochs.size(), 2u);
  EXPECT_EQ(trainer.evaluate(d.split.validation_windows), h.find(h.best_epoch)->val_loss);
  EXPECT_NE(h.to_json().find("\"stopped_by_request\": true"), std::string::npos);
}

TEST(Trainer, OnBatchReportsTheRunningLossWhichEndsAtTheEpochsTrainingLoss) {
  const Dataset d = testing::synthetic_dataset(160, 3, 1, Target::delta);
  Rng rng(4);
  ForecastNetwork<float> net({1, 8, 1, LstmNorm::none, InitScheme::xavier}, rng);
  std::vector<BatchProgress> seen;
  TrainCallbacks cb;
  cb.on_batch = [&](const BatchProgress& p) { seen.push_back(p); };
  const TrainingHistory h = Trainer<float>(net, d.windows, quick(2))
                                .fit(d.split.train_windows, d.split.validation_windows, rng, cb);
  ASSERT_EQ(seen.size(), 12u);  // 2 epochs of 6 batches (93 windows, batches of 16)
  EXPECT_EQ(seen[0].epoch, 1);
  EXPECT_EQ(seen[0].batch, 1);
  EXPECT_EQ(seen[0].batches, 6);
  EXPECT_EQ(seen[0].first_epoch, 1);
  EXPECT_EQ(seen[11].epoch, 2);
  EXPECT_EQ(seen[11].batch, 6);
  // the running mean over the windows seen; after the last batch, the epoch's training loss
  EXPECT_EQ(seen[5].running_loss, h.find(1)->train_loss);
  EXPECT_EQ(seen[11].running_loss, h.find(2)->train_loss);
  EXPECT_GT(seen[0].running_loss, 0);
  EXPECT_NE(seen[0].running_loss, seen[5].running_loss);
}

}  // namespace
}  // namespace bnlstm
