#pragma once
// Equality checks of data-parallel training against one process, shared by the thread-team
// tests (tests/nn/) and the MPI tests (tests/dist/). Each worker calls a check_* function with
// its rank, the split of every global batch into shares, and its statistics reducer; the
// function runs the one-process reference on the whole batch and the worker's share with
// synchronized statistics side by side, several SGD steps in double, and EXPECTs after every
// step that outputs, loss, input gradients, every parameter gradient (summed over the workers)
// and the running statistics agree within rtol (normwise relative error per tensor).
//
// Every worker must run the same checks in the same order (the reducer calls are collectives);
// failures are EXPECTs, never ASSERTs, so a failing worker keeps taking part in them.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <numeric>
#include <string>
#include <vector>

#include "bnlstm/core/random.hpp"
#include "bnlstm/nn/batch_norm.hpp"
#include "bnlstm/nn/lstm.hpp"
#include "bnlstm/nn/stats_reducer.hpp"
#include "testing/random.hpp"

namespace bnlstm::testing {

// One worker's place in the split: shares[k] samples of every global batch go to rank k, in
// rank order (rank k's rows start at offset()).
struct Share {
  int rank = 0;
  std::vector<Index> shares;
  Index offset() const { return std::accumulate(shares.begin(), shares.begin() + rank, Index{0}); }
  Index size() const { return shares[static_cast<size_t>(rank)]; }
  Index total() const { return std::accumulate(shares.begin(), shares.end(), Index{0}); }
};

// Worst normwise relative error per tensor name over a check, for one summary line. strict:
// EXPECT every error <= rtol; otherwise only record them (to show that a broken
// synchronization is detected).
class Agreement {
 public:
  explicit Agreement(double rtol, bool strict = true) : rtol_(rtol), strict_(strict) {}
  // name: the tensor (one summary entry), where: e.g. " step 2" (in failure messages)
  template <typename A, typename B>
  void expect(const std::string& name, const A& actual, const B& expected,
              const std::string& where = "") {
    const Matrix<double> a = actual.template cast<double>(), e = expected.template cast<double>();
    if (a.rows() != e.rows() || a.cols() != e.cols()) {
      ADD_FAILURE() << name << where << ": shape (" << a.rows() << ", " << a.cols() << ") != ("
                    << e.rows() << ", " << e.cols() << ")";
      return;
    }
    const double diff = a.size() ? (a - e).cwiseAbs().maxCoeff() : 0.0;
    const double ref = e.size() ? e.cwiseAbs().maxCoeff() : 0.0;
    const double rel = diff == 0 ? 0 : diff / std::max(ref, std::numeric_limits<double>::min());
    double& worst = worst_[name];
    worst = std::max(worst, rel);
    if (!a.allFinite()) worst = std::numeric_limits<double>::infinity();
    if (strict_) {
      EXPECT_TRUE(a.allFinite() && rel <= rtol_)
          << name << where << ": relative error " << rel << " > " << rtol_ << " (max abs diff "
          << diff << ")";
    }
  }
  void expect_scalar(const std::string& name, double actual, double expected,
                     const std::string& where = "") {
    Matrix<double> a(1, 1), e(1, 1);
    a(0, 0) = actual;
    e(0, 0) = expected;
    expect(name, a, e, where);
  }
  // the worst error over every tensor
  double worst() const {
    double w = 0;
    for (const auto& [name, rel] : worst_) w = std::max(w, rel);
    return w;
  }
  // "worst <rel> (<tensor>) over <n> tensors"
  std::string summary() const {
    std::string name = "-";
    double w = -1;
    for (const auto& [n, rel] : worst_) {
      if (rel > w) {
        w = rel;
        name = n;
      }
    }
    char buf[160];
    std::snprintf(buf, sizeof buf, "worst relative error %.1e (%s) over %zu tensors",
                  std::max(w, 0.0), name.c_str(), worst_.size());
    return buf;
  }

 private:
  double rtol_;
  bool strict_;
  std::map<std::string, double> worst_;
};

// Rows of `share` in every one of the L time-major blocks of N rows: (L*N, C) -> (L*n, C).
inline Matrix<double> share_rows(const Matrix<double>& m, Index L, const Share& share) {
  const Index N = share.total(), n = share.size(), off = share.offset();
  Matrix<double> out(L * n, m.cols());
  for (Index t = 0; t < L; ++t) out.middleRows(t * n, n) = m.middleRows(t * N + off, n);
  return out;
}

// The gradients of `params` summed over the workers (through reducer.sum, in double).
inline std::vector<Matrix<double>> summed_grads(const ParameterList<double>& params,
                                                BatchStatsReducer& reducer) {
  std::vector<double> flat;
  for (const auto* p : params)
    flat.insert(flat.end(), p->grad.data(), p->grad.data() + p->grad.size());
  reducer.sum(flat.data(), static_cast<Index>(flat.size()));
  std::vector<Matrix<double>> out;
  size_t k = 0;
  for (const auto* p : params) {
    out.push_back(ConstMatrixMap<double>(flat.data() + k, p->grad.rows(), p->grad.cols()));
    k += static_cast<size_t>(p->grad.size());
  }
  return out;
}

// Loss 0.5 Σ (y - target)² / N over the whole batch of N samples, and its gradient for the rows
// given: this worker's part of the loss (summed over workers by the caller) and dy.
inline double half_squared_error(const Matrix<double>& y, const Matrix<double>& target, Index N,
                                 Matrix<double>& dy) {
  dy = (y - target) / double(N);
  return 0.5 * (y - target).squaredNorm() / double(N);
}

inline double sum_over_workers(double v, BatchStatsReducer& reducer) {
  reducer.sum(&v, 1);
  return v;
}

// BatchNorm1d(C) on (N, C, L) batches: `steps` SGD steps (lr 0.1), then an eval forward.
inline void check_batch_norm(Agreement& agree, const Share& share, BatchStatsReducer& reducer,
                             Index C, Index L, int steps, BatchNormOptions options = {}) {
  BatchNorm1d<double> ref(C, options), mine(C, options);
  mine.set_stats_reducer(&reducer);
  const Index N = share.total(), n = share.size(), off = share.offset();
  for (int step = 0; step < steps; ++step) {
    const std::string at = " step " + std::to_string(step);
    // inputs far from zero mean, where E[x²] - E[x]² would lose digits
    const Matrix<double> x = random_matrix<double>(N, C * L, 100 + step, 3.0, 0.5);
    const Matrix<double> target = random_matrix<double>(N, C * L, 200 + step);
    // the whole batch in one process
    Matrix<double> y, dy, dx;
    ref.forward(x, y, L);
    const double loss = half_squared_error(y, target, N, dy);
    ref.zero_grad();
    ref.backward(dy, dx);
    // this worker's share
    const Matrix<double> xs = x.middleRows(off, n);
    Matrix<double> ys, dys, dxs;
    mine.forward(xs, ys, L);
    const double loss_s =
        sum_over_workers(half_squared_error(ys, target.middleRows(off, n), N, dys), reducer);
    mine.zero_grad();
    mine.backward(dys, dxs);
    agree.expect("y", ys, y.middleRows(off, n), at);
    agree.expect_scalar("loss", loss_s, loss, at);
    agree.expect("dx", dxs, dx.middleRows(off, n), at);
    const auto grads = summed_grads(mine.parameters(), reducer);
    const auto ref_params = ref.parameters();
    const auto my_params = mine.parameters();
    for (size_t k = 0; k < ref_params.size(); ++k) {
      agree.expect("grad " + ref_params[k]->name, grads[k], ref_params[k]->grad, at);
      // SGD with the summed gradients: identical weights on every worker
      ref_params[k]->value -= 0.1 * ref_params[k]->grad;
      my_params[k]->value -= 0.1 * grads[k];
    }
    if (options.track_running_stats) {
      agree.expect("running_mean", mine.running_mean(), ref.running_mean(), at);
      agree.expect("running_var", mine.running_var(), ref.running_var(), at);
      EXPECT_EQ(mine.num_batches_tracked(), ref.num_batches_tracked());
    }
  }
  // eval mode: running statistics, no communication
  ref.eval();
  mine.eval();
  const Matrix<double> x = random_matrix<double>(N, C * L, 300, 3.0, 0.5);
  Matrix<double> y, ys;
  ref.forward(x, y, L);
  mine.forward(x.middleRows(off, n), ys, L);
  agree.expect("eval y", ys, y.middleRows(off, n));
}

// Lstm(I -> H, norm) on sequences of L steps: `steps` SGD steps (lr 0.05) with the loss on
// every step's output, a recalibration pass (norm=batch), then an eval forward.
inline void check_lstm(Agreement& agree, const Share& share, BatchStatsReducer& reducer,
                       LstmNorm norm, Index L, Index I, Index H, int steps) {
  LstmOptions o;
  o.input_size = I;
  o.hidden_size = H;
  o.norm = norm;
  o.gamma_init = 0.5;
  Rng rng_ref(7), rng_mine(7);
  Lstm<double> ref(o, rng_ref), mine(o, rng_mine);
  mine.set_stats_reducer(&reducer);
  const Index N = share.total();
  auto running = [&](const std::string& at) {
    if (norm != LstmNorm::batch) return;
    const RecurrentBatchNorm<double>* a[] = {mine.norm_ih(), mine.norm_hh(), mine.norm_c()};
    const RecurrentBatchNorm<double>* b[] = {ref.norm_ih(), ref.norm_hh(), ref.norm_c()};
    const char* names[] = {"ih", "hh", "c"};
    for (int k = 0; k < 3; ++k) {
      agree.expect(std::string("running_mean ") + names[k], a[k]->running_mean(),
                   b[k]->running_mean(), at);
      agree.expect(std::string("running_var ") + names[k], a[k]->running_var(), b[k]->running_var(),
                   at);
      EXPECT_EQ(a[k]->num_batches_tracked(), b[k]->num_batches_tracked());
    }
  };
  for (int step = 0; step < steps; ++step) {
    const std::string at = " step " + std::to_string(step);
    const Matrix<double> x = random_matrix<double>(L * N, I, 400 + step, 1.0, 2.0);
    const Matrix<double> target = random_matrix<double>(L * N, H, 500 + step, 0.0, 0.3);
    // the whole batch
    const Matrix<double> y = ref.forward(x, L);
    Matrix<double> dy;
    const double loss = half_squared_error(y, target, N, dy);
    for (auto* p : ref.parameters()) p->zero_grad();
    const Matrix<double> dx = ref.backward(dy);
    // this worker's share
    const Matrix<double> ys = mine.forward(share_rows(x, L, share), L);
    Matrix<double> dys;
    const double loss_s =
        sum_over_workers(half_squared_error(ys, share_rows(target, L, share), N, dys), reducer);
    for (auto* p : mine.parameters()) p->zero_grad();
    const Matrix<double> dxs = mine.backward(dys);
    agree.expect("output", ys, share_rows(y, L, share), at);
    agree.expect_scalar("loss", loss_s, loss, at);
    agree.expect("dx", dxs, share_rows(dx, L, share), at);
    const auto grads = summed_grads(mine.parameters(), reducer);
    const auto ref_params = ref.parameters();
    const auto my_params = mine.parameters();
    for (size_t k = 0; k < ref_params.size(); ++k) {
      agree.expect("grad " + ref_params[k]->name, grads[k], ref_params[k]->grad, at);
      ref_params[k]->value -= 0.05 * ref_params[k]->grad;
      my_params[k]->value -= 0.05 * grads[k];
    }
    running(at);
  }
  // precise-BN recalibration over a batch split the same way
  const Matrix<double> xr = random_matrix<double>(L * N, I, 600, 1.0, 2.0);
  ref.recalibrate_batch_norm(xr, L);
  mine.recalibrate_batch_norm(share_rows(xr, L, share), L);
  running(" recalibrated");
  // eval mode
  ref.eval();
  mine.eval();
  const Matrix<double> x = random_matrix<double>(L * N, I, 700, 1.0, 2.0);
  const Matrix<double> y = ref.forward(x, L);
  const Matrix<double> ys = mine.forward(share_rows(x, L, share), L);
  agree.expect("eval output", ys, share_rows(y, L, share));
}

}  // namespace bnlstm::testing
