// Data-parallel training on MPI against one process, in double (run with 2 and with 3 ranks by
// ctest): every rank trains on its share of each global batch with synchronized batch
// statistics (dist::MpiStatsReducer) and gradients summed across ranks, and checks its share of
// outputs and input gradients, the loss, every summed parameter gradient and the running
// statistics against the whole batch in one process, after every one of several SGD steps,
// within 1e-12 (normwise relative). The checks themselves are in testing/data_parallel.hpp.
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ < 13
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "bnlstm/dist/communicator.hpp"
#include "bnlstm/dist/stats_reducer.hpp"
#include "bnlstm/dist/workers.hpp"
#include "bnlstm/nn/lstm.hpp"
#include "testing/data_parallel.hpp"

namespace bnlstm {
namespace {

using testing::Agreement;
using testing::Share;

constexpr double kRtol = 1e-12;

dist::Communicator& comm() {
  return dist::Communicator::world();
}

// The splits of a global batch tested at this number of ranks: equal shares, uneven shares
// (3+5+4 with 3 ranks), and shares of 1 or 0 samples where the layer allows them.
std::vector<std::vector<Index>> splits(bool empty_share_allowed) {
  const int K = comm().size();
  if (K == 2) return {{6, 6}, {1, 4}};
  if (K == 3) {
    if (empty_share_allowed) return {{3, 5, 4}, {1, 0, 3}};
    return {{3, 5, 4}, {1, 2, 1}};
  }
  std::vector<Index> even(static_cast<size_t>(K), 4), uneven;
  for (int k = 0; k < K; ++k) uneven.push_back(2 + k % 3);
  return {even, uneven};
}

std::string share_string(const std::vector<Index>& shares) {
  std::string s;
  for (Index n : shares) s += (s.empty() ? "" : "+") + std::to_string(n);
  return s;
}

void report(const char* what, const std::vector<Index>& shares, const Agreement& agree) {
  if (comm().root())
    std::printf("  %s, shares %s: %s\n", what, share_string(shares).c_str(),
                agree.summary().c_str());
}

TEST(Dist, RunsOnSeveralRanks) {
  EXPECT_GE(comm().size(), 2) << "run under mpirun -np 2 or more";
  double v[2] = {1.0, double(comm().rank())};
  comm().sum(v, 2);
  EXPECT_EQ(v[0], comm().size());
  EXPECT_EQ(v[1], comm().size() * (comm().size() - 1) / 2);
}

TEST(Dist, SynchronizedBatchNorm1dEqualsOneProcess) {
  dist::MpiStatsReducer sync(comm());
  for (const auto& shares : splits(true)) {
    Agreement agree(kRtol);
    testing::check_batch_norm(agree, Share{comm().rank(), shares}, sync, 6, 1, 4);
    report("BatchNorm1d (N, 6)", shares, agree);
  }
  const auto shares = splits(true)[0];
  Agreement agree(kRtol);
  testing::check_batch_norm(agree, Share{comm().rank(), shares}, sync, 5, 3, 4);
  report("BatchNorm1d (N, 5, 3)", shares, agree);
}

TEST(Dist, SynchronizedLstmEqualsOneProcess) {
  dist::MpiStatsReducer sync(comm());
  for (LstmNorm norm : {LstmNorm::none, LstmNorm::batch, LstmNorm::layer}) {
    // (only the synchronized batch variant runs on an empty share)
    for (const auto& shares : splits(norm == LstmNorm::batch)) {
      Agreement agree(kRtol);
      testing::check_lstm(agree, Share{comm().rank(), shares}, sync, norm, 5, 3, 4, 4);
      report(("Lstm " + to_string(norm) + ", L 5").c_str(), shares, agree);
    }
  }
}

// The mutation the checks must catch: batch statistics left local (only the counts shared).
class MomentsLeftLocal final : public BatchStatsReducer {
 public:
  explicit MomentsLeftLocal(BatchStatsReducer& inner) : inner_(inner) {}
  void combine_moments(double& count, double*, double*, Index) override { inner_.sum(&count, 1); }
  void sum(double* values, Index n) override { inner_.sum(values, n); }

 private:
  BatchStatsReducer& inner_;
};

TEST(Dist, LocalStatisticsBreakTheEquality) {
  dist::MpiStatsReducer sync(comm());
  MomentsLeftLocal broken(sync);
  const auto shares = splits(false)[0];
  Agreement bn(kRtol, /*strict=*/false), lstm(kRtol, false);
  testing::check_batch_norm(bn, Share{comm().rank(), shares}, broken, 6, 1, 2);
  testing::check_lstm(lstm, Share{comm().rank(), shares}, broken, LstmNorm::batch, 4, 3, 4, 2);
  EXPECT_GT(bn.worst(), 1e-3);
  EXPECT_GT(lstm.worst(), 1e-3);
  if (comm().root())
    std::printf("  local statistics: worst relative error BatchNorm1d %.2g, Lstm %.2g\n",
                bn.worst(), lstm.worst());
}

TEST(Dist, ParameterSyncSumsEveryRanksGradientsAndKeepsWeightsIdentical) {
  dist::MpiWorkers workers(comm());
  Rng rng(comm().rank() + 1);  // different initial weights on every rank
  LstmOptions o;
  o.input_size = 2;
  o.hidden_size = 3;
  o.norm = LstmNorm::batch;
  Lstm<float> lstm(o, rng);
  ParameterSync<float> sync(workers, lstm.parameters());
  EXPECT_FALSE(sync.values_identical());
  sync.broadcast_values();
  EXPECT_TRUE(sync.values_identical());
  const int K = comm().size(), r = comm().rank();
  for (auto* p : lstm.parameters()) {
    for (Index i = 0; i < p->grad.size(); ++i) p->grad.data()[i] = float(i + 1) * float(r + 1);
  }
  sync.sum_gradients();
  for (auto* p : lstm.parameters()) {
    for (Index i = 0; i < p->grad.size(); ++i)
      EXPECT_EQ(p->grad.data()[i], float(i + 1) * float(K * (K + 1) / 2)) << p->name;
  }
}

}  // namespace
}  // namespace bnlstm
