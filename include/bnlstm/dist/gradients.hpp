#pragma once
// Data-parallel parameter updates on MPI: every rank's parameter gradients summed in one
// collective before clipping and the optimizer step, so that every rank takes the same step
// from the same weights.
//
//   dist::GradientSum<float> grads(comm, network.parameters());
//   grads.broadcast_values();  // once: rank 0's initial weights everywhere
//   ... backward on this rank's share ...; grads.sum(); clip; optimizer.step();
#include <vector>

#include "bnlstm/dist/communicator.hpp"
#include "bnlstm/nn/parameter.hpp"

namespace bnlstm::dist {

template <typename T>
class GradientSum {
 public:
  GradientSum(Communicator& comm, ParameterList<T> params);

  // Every parameter's grad := its sum over the ranks (one MPI_Allreduce over all of them).
  void sum();
  // Every parameter's value := rank `from`'s.
  void broadcast_values(int from = 0);
  // True when every parameter's value is the same, bit for bit, on every rank.
  bool values_identical();

 private:
  Communicator& comm_;
  ParameterList<T> params_;
  std::vector<T> flat_, root_;  // all parameters end to end; reused
};

extern template class GradientSum<float>;
extern template class GradientSum<double>;

}  // namespace bnlstm::dist
