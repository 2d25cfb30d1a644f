// Communicator on MPI_COMM_WORLD (include/bnlstm/dist/communicator.hpp).
#include "bnlstm/dist/communicator.hpp"

#include <mpi.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>

#include "bnlstm/core/error.hpp"

namespace bnlstm::dist {

namespace {

// MPI counts are int: longer buffers go in pieces.
constexpr Index kMaxCount = Index(1) << 30;

template <typename T>
MPI_Datatype mpi_type();
template <>
MPI_Datatype mpi_type<double>() {
  return MPI_DOUBLE;
}
template <>
MPI_Datatype mpi_type<float>() {
  return MPI_FLOAT;
}

// Initializes MPI on construction (when launched by an MPI launcher) and finalizes it at exit.
struct Environment {
  bool initialized = false;
  int rank = 0, size = 1;
  Environment() {
    if (!launched_by_mpi()) return;
    int provided = 0;
    // OpenMP threads compute; only the main thread calls MPI
    if (MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS)
      throw Error("MPI_Init_thread failed");
    initialized = true;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
  }
  ~Environment() {
    int finalized = 0;
    if (initialized && MPI_Finalized(&finalized) == MPI_SUCCESS && !finalized) MPI_Finalize();
  }
};

Environment& environment() {
  static Environment env;
  return env;
}

// Adds the wall time of a collective to `seconds`.
class Timed {
 public:
  explicit Timed(double& seconds) : seconds_(seconds), start_(std::chrono::steady_clock::now()) {}
  ~Timed() {
    seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }

 private:
  double& seconds_;
  std::chrono::steady_clock::time_point start_;
};

void check(int rc, const char* what) {
  if (rc != MPI_SUCCESS) throw Error(std::string(what) + " failed");
}

template <typename T>
void allreduce_sum(T* values, Index n) {
  for (Index i = 0; i < n; i += kMaxCount) {
    const int count = static_cast<int>(std::min(kMaxCount, n - i));
    check(MPI_Allreduce(MPI_IN_PLACE, values + i, count, mpi_type<T>(), MPI_SUM, MPI_COMM_WORLD),
          "MPI_Allreduce");
  }
}

template <typename T>
void bcast(T* values, Index n, int from) {
  for (Index i = 0; i < n; i += kMaxCount) {
    const int count = static_cast<int>(std::min(kMaxCount, n - i));
    check(MPI_Bcast(values + i, count, mpi_type<T>(), from, MPI_COMM_WORLD), "MPI_Bcast");
  }
}

}  // namespace

bool launched_by_mpi() {
  // Open MPI's mpirun; PMIx (Open MPI 4+, srun --mpi=pmix); PMI-1/2 (MPICH's hydra, srun)
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "PMI_SIZE"}) {
    if (std::getenv(name)) return true;
  }
  return false;
}

Communicator& Communicator::world() {
  static Communicator comm(environment().rank, environment().size);
  return comm;
}

void Communicator::sum(double* values, Index n) {
  if (size_ == 1) return;
  Timed timed(seconds_);
  allreduce_sum(values, n);
}

void Communicator::sum(float* values, Index n) {
  if (size_ == 1) return;
  Timed timed(seconds_);
  allreduce_sum(values, n);
}

void Communicator::all_gather(const double* mine, Index n, double* all) {
  if (size_ == 1) {
    std::copy_n(mine, n, all);
    return;
  }
  if (n > kMaxCount) throw Error("Communicator::all_gather: more than 2^30 values per rank");
  Timed timed(seconds_);
  check(MPI_Allgather(mine, static_cast<int>(n), MPI_DOUBLE, all, static_cast<int>(n), MPI_DOUBLE,
                      MPI_COMM_WORLD),
        "MPI_Allgather");
}

void Communicator::broadcast(double* values, Index n, int from) {
  if (size_ == 1) return;
  Timed timed(seconds_);
  bcast(values, n, from);
}

void Communicator::broadcast(float* values, Index n, int from) {
  if (size_ == 1) return;
  Timed timed(seconds_);
  bcast(values, n, from);
}

bool Communicator::all(bool flag) {
  if (size_ == 1) return flag;
  Timed timed(seconds_);
  int mine = flag ? 1 : 0, every = 0;
  check(MPI_Allreduce(&mine, &every, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD), "MPI_Allreduce");
  return every == 1;
}

void Communicator::barrier() {
  if (size_ == 1) return;
  Timed timed(seconds_);
  check(MPI_Barrier(MPI_COMM_WORLD), "MPI_Barrier");
}

void Communicator::abort(int code) {
  if (environment().initialized) MPI_Abort(MPI_COMM_WORLD, code);
  std::exit(code);
}

}  // namespace bnlstm::dist
