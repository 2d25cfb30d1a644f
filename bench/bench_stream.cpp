// The machine's memory bandwidth, measured here for the roofline note (docs/performance.md):
// STREAM-style kernels on float arrays with the same OpenMP team as the library
// (--threads), static schedule, each thread touching its own part first.
//   stream/triad/<MB>  a = b + s * c   bytes counted: 3 arrays (STREAM's convention; the
//                                      write-allocate read of a is not counted)
//   stream/read/<MB>   sum of b        bytes counted: 1 array
//   stream/bn_passes/<MB>  the passes of a BatchNorm forward + backward as plain loops, without
//                      the statistics: sum x; y = x*s + t; sum dy*x; dx = dy*s + x*t (x = b,
//                      dy = c, y and dx = a). Bytes counted: 5 arrays, as min_GBps of the
//                      batch_norm rows; the time is what the two-pass structure costs here.
//   stream/bn_passes_reversed/<MB>  the same passes ordered as the kernels order them (one
//                      contiguous part per thread, second passes from the part's end back).
// <MB> is the size of one array: 4 and 16 MB are the BatchNorm tensors' sizes; 64 MB to 1 GB show
// where the last-level cache ends (STREAM asks for arrays beyond every cache level).
#include <omp.h>

#include <memory>
#include <string>

#include "bench.hpp"

namespace bnlstm::bench {
namespace {

struct Arrays {
  std::unique_ptr<float[]> a, b, c;
  long n;
  explicit Arrays(long n_) : a(new float[n_]), b(new float[n_]), c(new float[n_]), n(n_) {
    float *pa = a.get(), *pb = b.get(), *pc = c.get();
#pragma omp parallel for schedule(static)
    for (long i = 0; i < n; ++i) {
      pa[i] = 0.0f;
      pb[i] = 1.0f;
      pc[i] = 2.0f;
    }
  }
};

void triad(benchmark::State& state, long megabytes) {
  Arrays arr(megabytes * (1 << 20) / long(sizeof(float)));
  float* __restrict a = arr.a.get();
  const float* __restrict b = arr.b.get();
  const float* __restrict c = arr.c.get();
  const long n = arr.n;
  const float s = 3.0f;
  for (auto _ : state) {
#pragma omp parallel for schedule(static)
    for (long i = 0; i < n; ++i) a[i] = b[i] + s * c[i];
    benchmark::ClobberMemory();
  }
  state.counters["GBps"] = giga_per_second(3.0 * double(n) * sizeof(float));
}

void read(benchmark::State& state, long megabytes) {
  Arrays arr(megabytes * (1 << 20) / long(sizeof(float)));
  const float* __restrict b = arr.b.get();
  const long n = arr.n;
  for (auto _ : state) {
    float total = 0.0f;
#pragma omp parallel for simd schedule(static) reduction(+ : total)
    for (long i = 0; i < n; ++i) total += b[i];
    benchmark::DoNotOptimize(total);
  }
  state.counters["GBps"] = giga_per_second(double(n) * sizeof(float));
}

void bn_passes(benchmark::State& state, long megabytes) {
  Arrays arr(megabytes * (1 << 20) / long(sizeof(float)));
  float* __restrict out = arr.a.get();
  const float* __restrict x = arr.b.get();
  const float* __restrict dy = arr.c.get();
  const long n = arr.n;
  for (auto _ : state) {
    float sx = 0.0f, sxy = 0.0f;
#pragma omp parallel for simd schedule(static) reduction(+ : sx)
    for (long i = 0; i < n; ++i) sx += x[i];
#pragma omp parallel for schedule(static)
    for (long i = 0; i < n; ++i) out[i] = x[i] * 1.5f + 0.5f;
#pragma omp parallel for simd schedule(static) reduction(+ : sxy)
    for (long i = 0; i < n; ++i) sxy += dy[i] * x[i];
#pragma omp parallel for schedule(static)
    for (long i = 0; i < n; ++i) out[i] = dy[i] * 1.5f + x[i] * 0.5f;
    benchmark::DoNotOptimize(sx);
    benchmark::DoNotOptimize(sxy);
    benchmark::ClobberMemory();
  }
  state.counters["GBps"] = giga_per_second(5.0 * double(n) * sizeof(float));
}

// The same four passes as the batch-norm kernels order them: each thread keeps one contiguous
// part, the forward and the backward are one parallel region each, and the second pass of each
// runs from the part's end back, so that it starts on what the first left in L2.
void bn_passes_reversed(benchmark::State& state, long megabytes) {
  Arrays arr(megabytes * (1 << 20) / long(sizeof(float)));
  float* __restrict out = arr.a.get();
  const float* __restrict x = arr.b.get();
  const float* __restrict dy = arr.c.get();
  const long n = arr.n;
  for (auto _ : state) {
    float sx = 0.0f, sxy = 0.0f;
#pragma omp parallel reduction(+ : sx)
    {
      const long t = omp_get_thread_num(), team = omp_get_num_threads();
      const long b = n * t / team, e = n * (t + 1) / team;
      float s = 0.0f;
#pragma omp simd reduction(+ : s)
      for (long i = b; i < e; ++i) s += x[i];
#pragma omp barrier
      for (long i = e - 1; i >= b; --i) out[i] = x[i] * 1.5f + 0.5f;
      sx += s;
    }
#pragma omp parallel reduction(+ : sxy)
    {
      const long t = omp_get_thread_num(), team = omp_get_num_threads();
      const long b = n * t / team, e = n * (t + 1) / team;
      float s = 0.0f;
#pragma omp simd reduction(+ : s)
      for (long i = b; i < e; ++i) s += dy[i] * x[i];
#pragma omp barrier
      for (long i = e - 1; i >= b; --i) out[i] = dy[i] * 1.5f + x[i] * 0.5f;
      sxy += s;
    }
    benchmark::DoNotOptimize(sx);
    benchmark::DoNotOptimize(sxy);
    benchmark::ClobberMemory();
  }
  state.counters["GBps"] = giga_per_second(5.0 * double(n) * sizeof(float));
}

}  // namespace

void register_stream() {
  for (const long mb : {4L, 16L}) {
    benchmark::RegisterBenchmark(("stream/bn_passes/" + std::to_string(mb)).c_str(), bn_passes, mb)
        ->Unit(benchmark::kMicrosecond)
        ->UseRealTime();
    benchmark::RegisterBenchmark(("stream/bn_passes_reversed/" + std::to_string(mb)).c_str(),
                                 bn_passes_reversed, mb)
        ->Unit(benchmark::kMicrosecond)
        ->UseRealTime();
  }
  for (const long mb : {4L, 16L, 64L, 256L, 1024L}) {
    benchmark::RegisterBenchmark(("stream/triad/" + std::to_string(mb)).c_str(), triad, mb)
        ->Unit(benchmark::kMicrosecond)
        ->UseRealTime();
    benchmark::RegisterBenchmark(("stream/read/" + std::to_string(mb)).c_str(), read, mb)
        ->Unit(benchmark::kMicrosecond)
        ->UseRealTime();
  }
}

}  // namespace bnlstm::bench
