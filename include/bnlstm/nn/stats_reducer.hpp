#pragma once
// How batch normalization sees a batch that is split across workers (data-parallel training):
// every worker computes the per-channel statistics of its own share, and a BatchStatsReducer
// turns them into those of the whole batch. The library only declares the hook; src/dist/
// implements it on an MPI communicator, so nothing here depends on MPI.
//
// What crosses the hook (per channel, in double):
//   forward:  (count, mean, m2) with m2 = Σ (x - mean)², combined with Chan, Golub & LeVeque's
//             parallel formula (merge_batch_moments below), not as E[x] and E[x²], which
//             cancel catastrophically when |mean| >> std;
//   backward: Σ dy and Σ dy (x - mean), plain sums.
// Calls take many channels at once, so a layer can batch its collectives: the LSTM hands over
// the input term's statistics of all time steps in one call. Every worker must make the same
// calls in the same order with the same n (they are collectives).
#include "bnlstm/core/tensor.hpp"

namespace bnlstm {

class BatchStatsReducer {
 public:
  virtual ~BatchStatsReducer() = default;
  // mean, m2: (n) statistics of `count` local values per channel (count may be 0: this worker's
  // share is empty). On return: count, mean and m2 of all workers' values together. The result
  // is the same bit for bit on every worker.
  virtual void combine_moments(double& count, double* mean, double* m2, Index n) = 0;
  // values: (n) local sums; on return the sums over all workers (the same on every worker).
  virtual void sum(double* values, Index n) = 0;
};

// One worker: leaves the statistics as they are. A layer given it runs the split kernels
// (batch_norm_phases.hpp) instead of the fused ones; the results are the same bit for bit (a
// test checks it), which makes it the one-process reference of the split code path.
class LocalStatsReducer final : public BatchStatsReducer {
 public:
  void combine_moments(double&, double*, double*, Index) override {}
  void sum(double*, Index) override {}
};

// Chan, Golub & LeVeque: (count, mean, m2) over n channels absorbs (count_b, mean_b, m2_b).
// An empty side contributes nothing (count 0 takes the other side's values as they are).
//   delta = mean_b - mean;  mean += delta * count_b / (count + count_b)
//   m2 += m2_b + delta² * count * count_b / (count + count_b)
inline void merge_batch_moments(double& count, double* mean, double* m2, double count_b,
                                const double* mean_b, const double* m2_b, Index n) {
  if (count_b == 0) return;
  if (count == 0) {
    for (Index c = 0; c < n; ++c) {
      mean[c] = mean_b[c];
      m2[c] = m2_b[c];
    }
    count = count_b;
    return;
  }
  const double total = count + count_b;
  const double w = count_b / total, cross = count * w;
  for (Index c = 0; c < n; ++c) {
    const double delta = mean_b[c] - mean[c];
    mean[c] += delta * w;
    m2[c] += m2_b[c] + delta * delta * cross;
  }
  count = total;
}

}  // namespace bnlstm
