#include "bnlstm/train/progress.hpp"

#include <gtest/gtest.h>

namespace bnlstm {
namespace {

TEST(Progress, TimeLeftIsTheRemainingBatchesOfAllEpochsAtTheRateSoFar) {
  // 10 epochs of 4 batches; 6 batches done in 3 s: 34 left at 0.5 s each
  EXPECT_DOUBLE_EQ(estimate_seconds_left({2, 2, 4, 0.1}, 10, 3.0), 17.0);
  // the first batch: one done in 1 s, 39 left
  EXPECT_DOUBLE_EQ(estimate_seconds_left({1, 1, 4, 0.1}, 10, 1.0), 39.0);
  // resumed at epoch 6 of 10: 2 batches of epoch 7 done in 6 s (4 + 2), 14 left at 1 s each
  EXPECT_DOUBLE_EQ(estimate_seconds_left({7, 2, 4, 0.1, 6}, 10, 6.0), 14.0);
  // the last batch of the last epoch: nothing left
  EXPECT_DOUBLE_EQ(estimate_seconds_left({10, 4, 4, 0.1}, 10, 20.0), 0.0);
}

TEST(Progress, DurationsReadAsSecondsMinutesHours) {
  EXPECT_EQ(format_duration(0), "0 s");
  EXPECT_EQ(format_duration(41.6), "42 s");
  EXPECT_EQ(format_duration(83), "1 min 23 s");
  EXPECT_EQ(format_duration(2 * 3600 + 5 * 60 + 10), "2 h 05 min");
  EXPECT_EQ(format_duration(-3), "0 s");
}

TEST(Progress, LineShowsTheBarTheRunningLossAndTheTimeLeft) {
  const BatchProgress p{3, 45, 112, 0.0044123};
  // (2 * 112 + 45) = 269 batches done in 26.9 s; 100 * 112 - 269 = 10931 left at 0.1 s
  EXPECT_EQ(progress_line(p, 100, 26.9, true, 10),
            " epoch 3/100 [####......] 45/112  loss 0.0044123  up to 18 min 13 s left");
  EXPECT_EQ(progress_line({1, 2, 2, 1.5}, 1, 1.0, false, 4),
            " epoch 1/1 [####] 2/2  loss 1.5000  0 s left");
}

}  // namespace
}  // namespace bnlstm
