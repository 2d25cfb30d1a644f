// bnlstm_bench: Google Benchmark microbenchmarks of the library's hot paths, plus the machine's
// own limits (stream bandwidth, Eigen GEMM rate) for the roofline note in docs/performance.md.
//
//   build-bench/bnlstm_bench --threads=2 --benchmark_filter='batch_norm/'
//                            --benchmark_repetitions=11 --benchmark_min_time=0.05
//
// --threads=N (ours, removed before Google Benchmark sees the arguments) sets the OpenMP team
// and Eigen's thread count, as torch.set_num_threads(N) does on the PyTorch side. bench/compare.py
// runs this binary and bench/torch_bench.py with the same N and prints one table.
#include <omp.h>

#include <Eigen/Core>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "bench.hpp"

namespace bnlstm::bench {
namespace {
int g_threads = 2;
}
int threads() { return g_threads; }
}  // namespace bnlstm::bench

int main(int argc, char** argv) {
  // take --threads=N out of argv
  std::vector<char*> rest;
  for (int i = 0; i < argc; ++i) {
    if (std::strncmp(argv[i], "--threads=", 10) == 0) {
      bnlstm::bench::g_threads = std::max(1, std::atoi(argv[i] + 10));
    } else {
      rest.push_back(argv[i]);
    }
  }
  int n = static_cast<int>(rest.size());
  const int threads = bnlstm::bench::threads();
  omp_set_num_threads(threads);
  Eigen::setNbThreads(threads);
  benchmark::AddCustomContext("threads", std::to_string(threads));
  benchmark::AddCustomContext("eigen_threads", std::to_string(Eigen::nbThreads()));

  bnlstm::bench::register_batch_norm();
  bnlstm::bench::register_lstm();
  bnlstm::bench::register_stream();
  bnlstm::bench::register_gemm();

  benchmark::Initialize(&n, rest.data());
  if (benchmark::ReportUnrecognizedArguments(n, rest.data())) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
