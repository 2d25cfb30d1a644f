#pragma once
// The trainers' Workers (train/workers.hpp) on MPI: the ranks of MPI_COMM_WORLD, batch
// statistics combined by MpiStatsReducer.
//
//   dist::MpiWorkers workers(dist::Communicator::world());
//   trainer.fit(..., &workers);      // each rank its share of every batch
#include "bnlstm/dist/communicator.hpp"
#include "bnlstm/dist/stats_reducer.hpp"
#include "bnlstm/train/workers.hpp"

namespace bnlstm::dist {

class MpiWorkers final : public Workers {
 public:
  explicit MpiWorkers(Communicator& comm) : comm_(comm), stats_(comm) {}
  int rank() const override { return comm_.rank(); }
  int size() const override { return comm_.size(); }
  BatchStatsReducer& batch_stats() override { return stats_; }
  void sum(double* values, Index n) override { comm_.sum(values, n); }
  void sum(float* values, Index n) override { comm_.sum(values, n); }
  void broadcast(double* values, Index n, int from) override { comm_.broadcast(values, n, from); }
  void broadcast(float* values, Index n, int from) override { comm_.broadcast(values, n, from); }
  double communication_seconds() const override { return comm_.seconds(); }

  Communicator& communicator() { return comm_; }

 private:
  Communicator& comm_;
  MpiStatsReducer stats_;
};

}  // namespace bnlstm::dist
