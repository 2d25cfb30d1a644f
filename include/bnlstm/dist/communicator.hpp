#pragma once
// The processes of one data-parallel run, on MPI (Open MPI from Debian; any MPI-3 library).
// This header does not include mpi.h: code that uses it needs the bnlstm_dist target (built when
// CMake finds MPI), not MPI's compiler flags.
//
//   auto& comm = bnlstm::dist::Communicator::world();   // MPI_COMM_WORLD under mpirun/srun,
//   comm.rank(), comm.size();                             // else a group of one (no MPI call)
//   comm.sum(values, n);                                  // in place, the same on every rank
//
// Collectives: every rank calls them in the same order with the same n. Time spent inside them
// (communication plus waiting for the slowest rank) is added up for the performance figures.
#include "bnlstm/core/tensor.hpp"

namespace bnlstm::dist {

// True when an MPI launcher started this process (mpirun/mpiexec of Open MPI or MPICH, srun
// with PMI or PMIx): then world() initializes MPI. A process started without one never touches
// MPI, so the same binary runs exactly as a one-process build.
bool launched_by_mpi();

class Communicator {
 public:
  // MPI_COMM_WORLD. The first call initializes MPI when launched_by_mpi() (MPI is finalized at
  // exit); otherwise the communicator has one rank and its collectives only copy.
  static Communicator& world();

  int rank() const { return rank_; }
  int size() const { return size_; }
  bool root() const { return rank_ == 0; }

  // values: (n), replaced by their sum over the ranks (MPI_Allreduce, MPI_SUM).
  void sum(double* values, Index n);
  void sum(float* values, Index n);
  // mine: (n) -> all: (size * n), rank k's values at all[k * n] (MPI_Allgather).
  void all_gather(const double* mine, Index n, double* all);
  // values: (n) replaced by rank `from`'s (MPI_Bcast).
  void broadcast(double* values, Index n, int from = 0);
  void broadcast(float* values, Index n, int from = 0);
  // true when `flag` is true on every rank.
  bool all(bool flag);
  void barrier();

  // Seconds spent inside the collectives above since the last reset.
  double seconds() const { return seconds_; }
  void reset_seconds() { seconds_ = 0; }

  // Ends every rank of the run with `code` (MPI_Abort): after an error on one rank the others
  // would otherwise wait in their next collective for ever. Without MPI: std::exit(code).
  [[noreturn]] void abort(int code);

 private:
  Communicator(int rank, int size) : rank_(rank), size_(size) {}
  int rank_ = 0, size_ = 1;
  double seconds_ = 0;
};

}  // namespace bnlstm::dist
