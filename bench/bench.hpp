#pragma once
// Shared pieces of the bnlstm_bench binary (bench/*.cpp). Every file registers its benchmarks
// from a register_*() function that bench_main.cpp calls before running; names match the
// PyTorch side (bench/torch_bench.py) so that bench/compare.py can put them in one table.
#include <benchmark/benchmark.h>

#include <string>

namespace bnlstm::bench {

// Thread count the binary runs with (--threads=N, default 2): OpenMP and Eigen both use it.
int threads();

// A counter of `amount` units per iteration, reported per second in billions (GB/s for bytes,
// GFLOP/s for flops).
inline benchmark::Counter giga_per_second(double amount) {
  return benchmark::Counter(amount * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}

void register_batch_norm();
void register_lstm();
void register_stream();
void register_gemm();

}  // namespace bnlstm::bench
