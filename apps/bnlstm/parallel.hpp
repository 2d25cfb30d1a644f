#pragma once
// `mpirun -np K bnlstm train ...`: the command line's side of data-parallel training. The
// library trains (train/workers.hpp, dist/); this decides who prints and writes and how errors
// end the run.
//
// - One process (no MPI launcher, -np 1, or a build without MPI): nothing changes.
// - K ranks: rank 0 alone prints and writes files; the others' stdout goes to /dev/null from
//   the start (the launcher's variables give the rank before MPI is initialized).
// - MPI itself is initialized by run_workers(), which the commands call after their inputs
//   are read and checked: an input error is then the same on every rank, before any collective;
//   rank 0 prints it and every rank exits with it. An error after that (during training) ends
//   every rank through MPI_Abort, since the others would wait for ever.
#include <string>

#include "bnlstm/train/workers.hpp"

namespace bnlstm::cli {

// Called first by main(): quiets every rank but 0 when started by an MPI launcher.
void setup_parallel_output();

// This process's rank as the launcher numbers it (0 in one process).
int launch_rank();
bool is_root_process();
// The number of ranks the launcher started (1 in one process or when it does not say).
int launch_size();

// For the commands that run on one process (all but train, classify and study): under a launcher
// with several ranks, a bnlstm::Error naming the command, before any work (the ranks would
// otherwise race for the same --out).
void require_one_process(const std::string& command);

// The workers of this run, MPI initialized on the first call: nullptr for one process or a
// build without MPI. Collective: every rank calls it at the same point.
Workers* run_workers();

// main()'s error path: prints `message` (a whole line) on stderr where it should be printed and
// returns the exit code, or ends every rank of a running MPI job with it.
int report_error(const std::string& message, int code);

}  // namespace bnlstm::cli
