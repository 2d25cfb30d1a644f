// Workers (train/workers.hpp): how batches are shared out, and ParameterSync on a thread team.
#include "bnlstm/train/workers.hpp"

#include <gtest/gtest.h>

#include "bnlstm/nn/linear.hpp"
#include "testing/thread_team.hpp"

namespace bnlstm {
namespace {

TEST(WorkShare, ContiguousSharesCoverEveryItemOnceAndDifferByAtMostOne) {
  for (Index n : {0, 1, 2, 5, 12, 13, 1000}) {
    for (int K : {1, 2, 3, 7}) {
      Index next = 0, smallest = n, largest = 0;
      for (int r = 0; r < K; ++r) {
        const WorkShare s = work_share(n, r, K);
        EXPECT_EQ(s.begin, next) << n << " " << K;
        next += s.size;
        smallest = std::min(smallest, s.size);
        largest = std::max(largest, s.size);
      }
      EXPECT_EQ(next, n);
      EXPECT_LE(largest - smallest, 1);
    }
  }
  EXPECT_EQ(work_share(12, 2, 3).begin, 8);
  EXPECT_EQ(work_share(13, 0, 3).size, 5);  // 5 + 4 + 4
}

TEST(ParameterSync, SumsGradientsAndBroadcastsValuesAcrossWorkers) {
  testing::ThreadTeam team(3);
  team.run([](int rank, Workers& workers) {
    Linear<float> layer(2, 3, "head.");
    for (auto* p : layer.parameters()) {
      p->value.setConstant(float(rank));
      p->grad.setConstant(float(rank + 1));
    }
    ParameterSync<float> sync(workers, layer.parameters());
    EXPECT_FALSE(sync.values_identical());
    sync.broadcast_values(1);
    EXPECT_TRUE(sync.values_identical());
    sync.sum_gradients();
    for (auto* p : layer.parameters()) {
      EXPECT_TRUE((p->value.array() == 1.0f).all());
      EXPECT_TRUE((p->grad.array() == 6.0f).all());  // 1 + 2 + 3
    }
  });
}

}  // namespace
}  // namespace bnlstm
