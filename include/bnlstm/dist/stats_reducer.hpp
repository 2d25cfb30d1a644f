#pragma once
// Synchronized batch normalization on MPI: the library's BatchStatsReducer hook
// (nn/stats_reducer.hpp) implemented on a Communicator. Give it to the layers, e.g.
//   dist::MpiStatsReducer sync(dist::Communicator::world());
//   network.lstm().set_stats_reducer(&sync);
//
// combine_moments: one MPI_Allgather of every rank's (count, mean, m2), merged on every rank in
//   rank order with Chan's formula, so every rank gets the same bits.
// sum: one MPI_Allreduce.
#include <vector>

#include "bnlstm/dist/communicator.hpp"
#include "bnlstm/nn/stats_reducer.hpp"

namespace bnlstm::dist {

class MpiStatsReducer final : public BatchStatsReducer {
 public:
  explicit MpiStatsReducer(Communicator& comm) : comm_(comm) {}
  void combine_moments(double& count, double* mean, double* m2, Index n) override;
  void sum(double* values, Index n) override;

  Communicator& communicator() { return comm_; }

 private:
  Communicator& comm_;
  std::vector<double> send_, all_;  // grown once, reused: no allocation per step
};

}  // namespace bnlstm::dist
