#pragma once
// The processes that train one model together (data parallelism), as the trainers see them:
// every global batch is split into contiguous shares, one per worker; each worker runs forward
// and backward on its share with the batch norms' statistics synchronized (batch_stats()),
// the parameter gradients are summed over the workers before clipping and the optimizer step
// (ParameterSync), and every worker takes the same step from the same weights. The library only
// declares the interface; dist/ implements it on MPI (dist::MpiWorkers), the tests also on
// threads. A trainer given no Workers runs as one process, exactly as before.
//
// Every call is a collective: all workers make the same calls in the same order.
#include <algorithm>
#include <vector>

#include "bnlstm/core/tensor.hpp"
#include "bnlstm/nn/parameter.hpp"
#include "bnlstm/nn/stats_reducer.hpp"

namespace bnlstm {

class Workers {
 public:
  virtual ~Workers() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;
  bool root() const { return rank() == 0; }
  // The hook the batch norms combine their statistics through (set_stats_reducer).
  virtual BatchStatsReducer& batch_stats() = 0;
  // values: (n) := their sum over the workers; the same bits on every worker.
  virtual void sum(double* values, Index n) = 0;
  virtual void sum(float* values, Index n) = 0;
  // values: (n) := worker `from`'s.
  virtual void broadcast(double* values, Index n, int from) = 0;
  virtual void broadcast(float* values, Index n, int from) = 0;
  // Seconds spent inside collectives so far (communication plus waiting for the slowest
  // worker), for the performance figures.
  virtual double communication_seconds() const = 0;
};

// Worker `rank`'s share of n items split among `workers` as evenly as possible: a contiguous
// [begin, begin + size), the first n % workers shares one item longer.
struct WorkShare {
  Index begin = 0, size = 0;
};
inline WorkShare work_share(Index n, int rank, int workers) {
  const Index K = workers, r = rank, base = n / K, extra = n % K;
  return {r * base + std::min(r, extra), base + (r < extra ? 1 : 0)};
}

// Parameter values and gradients across the workers: all of them packed end to end, so that a
// sum or a broadcast is one collective.
template <typename T>
class ParameterSync {
 public:
  ParameterSync(Workers& workers, ParameterList<T> params);

  // Every parameter's grad := its sum over the workers; extra (n_extra values, e.g. the batch's
  // loss) summed in the same collective, as T.
  void sum_gradients(double* extra = nullptr, Index n_extra = 0);
  // Every parameter's value := worker `from`'s (e.g. rank 0's initial weights).
  void broadcast_values(int from = 0);
  // True when every parameter's value is the same bit for bit on every worker.
  bool values_identical();

 private:
  Workers& workers_;
  ParameterList<T> params_;
  Index values_ = 0;             // in all the parameters
  std::vector<T> flat_, other_;  // reused: no allocation per step
};

extern template class ParameterSync<float>;
extern template class ParameterSync<double>;

}  // namespace bnlstm
