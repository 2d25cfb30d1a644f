// The batch-statistics hook (nn/stats_reducer.hpp, nn/batch_norm_phases.hpp) without MPI:
// (1) with statistics left as they are (LocalStatsReducer) the split kernels give the fused
//     kernels' results bit for bit, in float and double, on every kernel path;
// (2) workers as threads of one process (testing/thread_team.hpp), their statistics combined
//     as src/dist/ combines them across MPI ranks, agree with one process on the whole batch
//     (testing/data_parallel.hpp; the same checks run under mpirun in tests/dist/);
// (3) and they do not when the statistics stay local: the check can fail.
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ < 13
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include "bnlstm/nn/stats_reducer.hpp"

#include <gtest/gtest.h>

#include <cstdio>

#include "bnlstm/nn/batch_norm.hpp"
#include "bnlstm/nn/lstm.hpp"
#include "testing/data_parallel.hpp"
#include "testing/random.hpp"
#include "testing/thread_team.hpp"

namespace bnlstm {
namespace {

using testing::Agreement;
using testing::random_matrix;
using testing::Share;
using testing::ThreadTeam;

template <typename T>
void expect_same_bits(const Matrix<T>& a, const Matrix<T>& b, const char* what) {
  ASSERT_EQ(a.rows(), b.rows()) << what;
  ASSERT_EQ(a.cols(), b.cols()) << what;
  EXPECT_TRUE(a == b) << what << ": max abs diff " << (a - b).cwiseAbs().maxCoeff();
}

struct Shape {
  Index N, C, L;
};

template <typename T>
void split_path_is_fused_path(Shape s) {
  LocalStatsReducer local;
  BatchNorm1d<T> fused(s.C), split(s.C);
  split.set_stats_reducer(&local);
  for (int step = 0; step < 3; ++step) {
    const Matrix<T> x = random_matrix<T>(s.N, s.C * s.L, 10 + step, 2.0, 3.0);
    const Matrix<T> dy = random_matrix<T>(s.N, s.C * s.L, 20 + step);
    Matrix<T> y1, y2, dx1, dx2;
    fused.forward(x, y1, s.L);
    split.forward(x, y2, s.L);
    fused.backward(dy, dx1);
    split.backward(dy, dx2);
    expect_same_bits(y1, y2, "y");
    expect_same_bits(dx1, dx2, "dx");
    expect_same_bits<T>(fused.weight().grad, split.weight().grad, "dgamma");
    expect_same_bits<T>(fused.bias().grad, split.bias().grad, "dbeta");
    expect_same_bits<T>(fused.running_mean(), split.running_mean(), "running_mean");
    expect_same_bits<T>(fused.running_var(), split.running_var(), "running_var");
  }
}

// (N, C, L): small; L > 1; C beyond one 1024-channel tile; N beyond 1024 rows (row chunks)
const Shape kShapes[] = {{7, 5, 1}, {2, 300, 3}, {33, 1100, 1}, {1500, 9, 1}, {16, 33, 7}};

TEST(StatsReducer, SplitKernelsEqualFusedKernelsBitForBit) {
  for (const Shape& s : kShapes) {
    SCOPED_TRACE(::testing::Message() << "(" << s.N << ", " << s.C << ", " << s.L << ")");
    split_path_is_fused_path<float>(s);
    split_path_is_fused_path<double>(s);
  }
}

TEST(StatsReducer, LstmWithLocalReducerEqualsLstmBitForBit) {
  LstmOptions o;
  o.input_size = 3;
  o.hidden_size = 8;
  o.norm = LstmNorm::batch;
  Rng r1(3), r2(3);
  Lstm<float> plain(o, r1), split(o, r2);
  LocalStatsReducer local;
  split.set_stats_reducer(&local);
  for (int step = 0; step < 3; ++step) {
    const MatrixF x = random_matrix<float>(5 * 6, 3, 30 + step, 1.0, 2.0);
    const MatrixF dy = random_matrix<float>(5 * 6, 8, 40 + step);
    const MatrixF y1 = plain.forward(x, 5), y2 = split.forward(x, 5);
    const MatrixF dx1 = plain.backward(dy), dx2 = split.backward(dy);
    expect_same_bits(y1, y2, "output");
    expect_same_bits(dx1, dx2, "dx");
    const auto p1 = plain.parameters(), p2 = split.parameters();
    for (size_t k = 0; k < p1.size(); ++k) expect_same_bits(p1[k]->grad, p2[k]->grad, "grad");
    expect_same_bits(plain.norm_c()->running_var(), split.norm_c()->running_var(), "running_var");
  }
}

TEST(StatsReducer, MergedMomentsEqualTheWholeBatch) {
  // Chan's update of two halves against a two-pass over the whole, with |mean| >> std
  const Matrix<double> x = random_matrix<double>(11, 4, 5, 1e6, 1.0);
  double count = 0;
  Eigen::RowVectorXd mean = Eigen::RowVectorXd::Zero(4), m2 = Eigen::RowVectorXd::Zero(4);
  for (auto [r0, n] : {std::pair<Index, Index>{0, 0}, {0, 4}, {4, 7}}) {
    const Matrix<double> part = x.middleRows(r0, n);
    Eigen::RowVectorXd pm = Eigen::RowVectorXd::Zero(4), pm2 = Eigen::RowVectorXd::Zero(4);
    if (n > 0) {
      pm = part.colwise().mean();
      pm2 = (part.rowwise() - pm).array().square().colwise().sum();
    }
    merge_batch_moments(count, mean.data(), m2.data(), double(n), pm.data(), pm2.data(), 4);
  }
  const Eigen::RowVectorXd m = x.colwise().mean();
  const Eigen::RowVectorXd q = (x.rowwise() - m).array().square().colwise().sum();
  EXPECT_EQ(count, 11);
  EXPECT_LT((mean - m).cwiseAbs().maxCoeff(), 1e-15 * 1e6);
  EXPECT_LT(((m2 - q).array() / q.array()).abs().maxCoeff(), 1e-9);
}

constexpr double kRtol = 1e-12;

std::string share_string(const std::vector<Index>& shares) {
  std::string s;
  for (Index n : shares) s += (s.empty() ? "" : "+") + std::to_string(n);
  return s;
}

// Runs check(agree, share, reducer) on one thread per share and prints rank 0's summary.
template <typename Check>
void run_team(const std::vector<Index>& shares, const char* what, Check check) {
  ThreadTeam team(static_cast<int>(shares.size()));
  team.run([&](int rank, BatchStatsReducer& reducer) {
    Agreement agree(kRtol);
    check(agree, Share{rank, shares}, reducer);
    if (rank == 0)
      std::printf("  %s, shares %s: %s\n", what, share_string(shares).c_str(),
                  agree.summary().c_str());
  });
}

TEST(StatsReducer, ThreadWorkersEqualOneProcessBatchNorm1d) {
  for (const std::vector<Index>& shares : {std::vector<Index>{4, 4}, {3, 5, 4}, {1, 0, 3}}) {
    run_team(shares, "BatchNorm1d (N, 6)", [](Agreement& a, const Share& s, BatchStatsReducer& r) {
      testing::check_batch_norm(a, s, r, 6, 1, 4);
    });
  }
  run_team({3, 5, 4}, "BatchNorm1d (N, 5, 3)",
           [](Agreement& a, const Share& s, BatchStatsReducer& r) {
             testing::check_batch_norm(a, s, r, 5, 3, 4);
           });
}

TEST(StatsReducer, ThreadWorkersEqualOneProcessLstm) {
  for (LstmNorm norm : {LstmNorm::none, LstmNorm::batch, LstmNorm::layer}) {
    std::vector<std::vector<Index>> splits = {{4, 4}, {3, 5, 4}, {1, 2}};
    if (norm == LstmNorm::batch) splits.push_back({2, 0, 3});  // an empty share
    for (const std::vector<Index>& shares : splits) {
      const std::string what = "Lstm " + to_string(norm);
      run_team(shares, what.c_str(), [&](Agreement& a, const Share& s, BatchStatsReducer& r) {
        testing::check_lstm(a, s, r, norm, 5, 3, 4, 3);
      });
    }
  }
}

// Statistics left local (only the sums are combined): the same checks fail, far beyond rtol.
class MomentsLeftLocal final : public BatchStatsReducer {
 public:
  explicit MomentsLeftLocal(BatchStatsReducer& inner) : inner_(inner) {}
  void combine_moments(double& count, double*, double*, Index) override {
    inner_.sum(&count, 1);  // the count alone, as if only N were shared
  }
  void sum(double* values, Index n) override { inner_.sum(values, n); }

 private:
  BatchStatsReducer& inner_;
};

TEST(StatsReducer, LocalStatisticsBreakTheEquality) {
  for (int which = 0; which < 2; ++which) {
    ThreadTeam team(3);
    std::vector<double> worst(3);
    team.run([&](int rank, BatchStatsReducer& reducer) {
      MomentsLeftLocal broken(reducer);
      Agreement agree(kRtol, /*strict=*/false);
      const Share share{rank, {3, 5, 4}};
      if (which == 0)
        testing::check_batch_norm(agree, share, broken, 6, 1, 2);
      else
        testing::check_lstm(agree, share, broken, LstmNorm::batch, 4, 3, 4, 2);
      worst[static_cast<size_t>(rank)] = agree.worst();
    });
    for (double w : worst) EXPECT_GT(w, 1e-3) << (which == 0 ? "BatchNorm1d" : "Lstm");
    std::printf("  %s with local statistics: worst relative error %.2g\n",
                which == 0 ? "BatchNorm1d" : "Lstm", worst[0]);
  }
}

}  // namespace
}  // namespace bnlstm
