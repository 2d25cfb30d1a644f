// The command line under mpirun (parallel.hpp).
#include "parallel.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <thread>

#include "bnlstm/core/error.hpp"

#ifdef BNLSTM_WITH_MPI
#include "bnlstm/dist/workers.hpp"
#endif

namespace bnlstm::cli {

namespace {

bool workers_started = false;  // MPI initialized by run_workers()

}  // namespace

int launch_rank() {
  // Open MPI's mpirun, PMIx (Open MPI, srun --mpi=pmix), PMI (MPICH's hydra, srun --mpi=pmi2)
  for (const char* name : {"OMPI_COMM_WORLD_RANK", "PMIX_RANK", "PMI_RANK"}) {
    if (const char* v = std::getenv(name)) return std::atoi(v);
  }
  return 0;
}

bool is_root_process() {
  return launch_rank() == 0;
}

int launch_size() {
  // Open MPI's mpirun (and srun with Open MPI), PMI (MPICH's hydra, srun --mpi=pmi2)
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE"}) {
    if (const char* v = std::getenv(name)) return std::max(1, std::atoi(v));
  }
  return 1;
}

void require_one_process(const std::string& command) {
  if (launch_size() > 1)
    throw Error(fmt::format(
        "{} runs on one process, started with {} ranks: mpirun -np K is for train, classify and "
        "study",
        command, launch_size()));
}

void setup_parallel_output() {
  if (is_root_process()) return;
  // every rank computes the same; one copy of the output is enough
  if (!std::freopen("/dev/null", "w", stdout)) std::fclose(stdout);
}

Workers* run_workers() {
#ifdef BNLSTM_WITH_MPI
  static std::unique_ptr<dist::MpiWorkers> workers;
  if (!workers_started) {
    workers_started = true;
    dist::Communicator& comm = dist::Communicator::world();
    if (comm.size() > 1) workers = std::make_unique<dist::MpiWorkers>(comm);
  }
  return workers.get();
#else
  return nullptr;
#endif
}

int report_error(const std::string& message, int code) {
  const int rank = launch_rank();
  if (rank == 0) {
    fmt::print(stderr, "{}\n", message);
  } else {
    // Most errors are the same on every rank (flags, data): rank 0 has printed this one, and
    // mpirun ends the job when rank 0 exits with an error, usually before the pause is over. A
    // rank that failed alone says so after it.
    std::this_thread::sleep_for(std::chrono::seconds(2));
    fmt::print(stderr, "(rank {}) {}\n", rank, message);
  }
  std::fflush(stderr);
#ifdef BNLSTM_WITH_MPI
  // other ranks may be waiting in a collective: the job must end
  if (workers_started && dist::Communicator::world().size() > 1)
    dist::Communicator::world().abort(code);
#endif
  return code;
}

}  // namespace bnlstm::cli
