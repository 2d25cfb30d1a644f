#include "bnlstm/train/early_stopping.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "bnlstm/core/error.hpp"

namespace bnlstm {
namespace {

// Feeds losses until the rule says stop; returns the epoch (1-based) it stopped at, or 0.
int stop_epoch(EarlyStopping& es, const std::vector<double>& losses) {
  for (double l : losses) {
    es.update(l);
    if (es.should_stop()) return es.epochs_seen();
  }
  return 0;
}

// The notebook's EarlyStopping.__call__, transcribed literally, as an independent reference.
int notebook_stop_epoch(int patience, double delta, const std::vector<double>& losses) {
  bool has_best = false;
  double best_score = 0;
  int counter = 0;
  for (size_t i = 0; i < losses.size(); ++i) {
    const double score = -losses[i];
    if (!has_best) {
      has_best = true;
      best_score = score;
    } else if (score < best_score + delta) {
      counter += 1;
      if (counter >= patience) return static_cast<int>(i) + 1;
    } else {
      best_score = score;
      counter = 0;
    }
  }
  return 0;
}

TEST(EarlyStopping, StopsExactlyPatienceEpochsAfterLastImprovement) {
  // 1.0 sets the reference; 0.85 improves by 0.15 >= 0.1 (reset); 0.80 and 0.78 improve by less
  // than delta (counter 1, 2); 0.90 is worse (counter 3 = patience): stop after epoch 5.
  EarlyStopping es(3, 0.1);
  EXPECT_EQ(stop_epoch(es, {1.0, 0.85, 0.80, 0.78, 0.90, 0.1, 0.1}), 5);
  EXPECT_EQ(es.counter(), 3);
  EXPECT_DOUBLE_EQ(es.reference(), 0.85);
  // the weights to keep are those of the lowest loss, epoch 4, not the last reset (epoch 2)
  EXPECT_EQ(es.best_epoch(), 4);
  EXPECT_DOUBLE_EQ(es.best_loss(), 0.78);
}

TEST(EarlyStopping, NotebookDefaultsStopAtEpochElevenWithoutImprovement) {
  EarlyStopping es(10, 0.001);
  std::vector<double> flat(30, 0.5);
  EXPECT_EQ(stop_epoch(es, flat), 11);
  EXPECT_EQ(es.best_epoch(), 1);
}

TEST(EarlyStopping, AnImprovementOfExactlyDeltaCounts) {
  // exactly representable: 0.5 - 0.25 = 0.25, the notebook treats it as an improvement
  EarlyStopping es(1, 0.25);
  EXPECT_EQ(stop_epoch(es, {0.5, 0.25, 0.0, 0.0}), 4);
  EXPECT_DOUBLE_EQ(es.reference(), 0.0);
}

TEST(EarlyStopping, UpdateReportsNewBestOnlyOnStrictlyLowerLoss) {
  EarlyStopping es(5, 0.0);
  EXPECT_TRUE(es.update(0.4));
  EXPECT_FALSE(es.update(0.4));
  EXPECT_TRUE(es.update(0.3));
  EXPECT_FALSE(es.update(0.35));
  EXPECT_EQ(es.best_epoch(), 3);
}

TEST(EarlyStopping, NonFiniteLossCountsAgainstPatienceAndIsNeverBest) {
  EarlyStopping es(2, 0.0);
  EXPECT_FALSE(es.update(std::numeric_limits<double>::quiet_NaN()));
  EXPECT_EQ(es.best_epoch(), 0);
  EXPECT_TRUE(es.update(0.2));
  EXPECT_FALSE(es.update(std::numeric_limits<double>::infinity()));
  EXPECT_FALSE(es.should_stop());
  es.update(0.3);
  EXPECT_TRUE(es.should_stop());
  EXPECT_EQ(es.best_epoch(), 2);
}

TEST(EarlyStopping, MatchesTheNotebookRuleOnRandomSequences) {
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> step(-0.02, 0.015);
  for (int trial = 0; trial < 200; ++trial) {
    const int patience = 1 + static_cast<int>(rng() % 6);
    const double delta = (rng() % 4) * 0.005;
    std::vector<double> losses{1.0};
    for (int i = 0; i < 60; ++i) losses.push_back(losses.back() + step(rng));
    EarlyStopping es(patience, delta);
    EXPECT_EQ(stop_epoch(es, losses), notebook_stop_epoch(patience, delta, losses))
        << "trial " << trial << " patience " << patience << " delta " << delta;
  }
}

TEST(EarlyStopping, RejectsBadSettings) {
  EXPECT_THROW(EarlyStopping(0, 0.001), Error);
  EXPECT_THROW(EarlyStopping(3, -1.0), Error);
  EXPECT_THROW(EarlyStopping(3, std::numeric_limits<double>::quiet_NaN()), Error);
}

}  // namespace
}  // namespace bnlstm
