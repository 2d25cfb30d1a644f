// Eigen's float matrix-product rate at the LSTM's sizes, with the library's thread count, for the
// roofline note (docs/performance.md). gemm/MxKxN is C (M, N) = A (M, K) * B (K, N), row-major
// as in the library; counter GFLOPs = 2 M K N per second.
//   32x256x1024    forward recurrent product h_{t-1} W_hh^T (batch 32, hidden 256)
//   32x1024x256    backward dh = dgates W_hh
//   32x257x1024    the reference size ([x h] W^T with input 1)
//   1024x992x256   dW_hh over 31 steps (d_rec^T h, L = 32)
//   1024x1024x1024 a large product: the machine's peak
#include <algorithm>
#include <string>

#include "bench.hpp"
#include "bnlstm/core/tensor.hpp"

namespace bnlstm::bench {
namespace {

struct Dims {
  Index m, k, n;
};
constexpr Dims kDims[] = {
    {32, 256, 1024}, {32, 1024, 256}, {32, 257, 1024}, {1024, 992, 256}, {1024, 1024, 1024}};

double flops(Dims d) {
  return 2.0 * double(d.m * d.k * d.n);
}

void gemm(benchmark::State& state, Dims d) {
  const Matrix<float> a = Matrix<float>::Random(d.m, d.k), b = Matrix<float>::Random(d.k, d.n);
  Matrix<float> c(d.m, d.n);
  for (auto _ : state) {
    c.noalias() = a * b;
    benchmark::DoNotOptimize(c.data());
    benchmark::ClobberMemory();
  }
  state.counters["GFLOPs"] = giga_per_second(flops(d));
}

// The same product split by hand: the output's columns in `panels` panels shared out among the
// OpenMP threads, each an ordinary one-thread Eigen product (no barrier inside the product).
void gemm_panels(benchmark::State& state, Dims d, Index panels) {
  const Matrix<float> a = Matrix<float>::Random(d.m, d.k), b = Matrix<float>::Random(d.k, d.n);
  Matrix<float> c(d.m, d.n);
  const Index width = d.n / panels;
  for (auto _ : state) {
#pragma omp parallel for schedule(static)
    for (Index p = 0; p < panels; ++p)
      c.middleCols(p * width, width).noalias() = a * b.middleCols(p * width, width);
    benchmark::DoNotOptimize(c.data());
    benchmark::ClobberMemory();
  }
  state.counters["GFLOPs"] = giga_per_second(flops(d));
}

// dh-style product C (M, N) = A (M, K) * B (K, N), panels of `width` columns of C, each summing
// K in `kparts` parts (smaller packed panels of B).
void gemm_dh(benchmark::State& state, Dims d, Index width, Index kparts) {
  const Matrix<float> a = Matrix<float>::Random(d.m, d.k), b = Matrix<float>::Random(d.k, d.n);
  Matrix<float> c(d.m, d.n);
  const Index panels = d.n / width, kc = d.k / kparts;
  for (auto _ : state) {
#pragma omp parallel for schedule(static)
    for (Index p = 0; p < panels; ++p) {
      auto out = c.middleCols(p * width, width);
      out.noalias() = a.leftCols(kc) * b.block(0, p * width, kc, width);
      for (Index k = 1; k < kparts; ++k)
        out.noalias() += a.middleCols(k * kc, kc) * b.block(k * kc, p * width, kc, width);
    }
    benchmark::DoNotOptimize(c.data());
    benchmark::ClobberMemory();
  }
  state.counters["GFLOPs"] = giga_per_second(flops(d));
}

// dW-style product C (M, N) += A^T (M, K) * B (K, N) with A (K, M): row panels of C (`rows`
// rows each) shared out among the threads, each summing K in chunks of `depth` rows, so that no
// packed operand exceeds Eigen's 128 KB stack limit (no heap allocation).
void gemm_dw(benchmark::State& state, Dims d, Index rows, Index depth) {
  const Matrix<float> a = Matrix<float>::Random(d.k, d.m), b = Matrix<float>::Random(d.k, d.n);
  Matrix<float> c = Matrix<float>::Zero(d.m, d.n);
  const Index panels = d.m / rows;
  for (auto _ : state) {
#pragma omp parallel for schedule(static)
    for (Index p = 0; p < panels; ++p) {
      for (Index k0 = 0; k0 < d.k; k0 += depth) {
        const Index kc = std::min(depth, d.k - k0);
        c.middleRows(p * rows, rows).noalias() +=
            a.block(k0, p * rows, kc, rows).transpose() * b.middleRows(k0, kc);
      }
    }
    benchmark::DoNotOptimize(c.data());
    benchmark::ClobberMemory();
  }
  state.counters["GFLOPs"] = giga_per_second(flops(d));
}

}  // namespace

void register_gemm() {
  for (const auto& [width, kparts] :
       {std::pair<Index, Index>{32, 1}, {64, 2}, {128, 4}, {64, 1}, {128, 1}}) {
    benchmark::RegisterBenchmark(
        ("gemm_dh/32x1024x256/w" + std::to_string(width) + "k" + std::to_string(kparts)).c_str(),
        gemm_dh, Dims{32, 1024, 256}, width, kparts)
        ->Unit(benchmark::kMicrosecond)
        ->UseRealTime();
  }
  benchmark::RegisterBenchmark("gemm_panels8/32x1024x256", gemm_panels, Dims{32, 1024, 256},
                               Index{8})
      ->Unit(benchmark::kMicrosecond)
      ->UseRealTime();
  for (const auto& [rows, depth] :
       {std::pair<Index, Index>{128, 128}, {256, 128}, {1024, 128}, {128, 992}, {1024, 992}}) {
    benchmark::RegisterBenchmark(
        ("gemm_dw/1024x992x256/r" + std::to_string(rows) + "d" + std::to_string(depth)).c_str(),
        gemm_dw, Dims{1024, 992, 256}, rows, depth)
        ->Unit(benchmark::kMicrosecond)
        ->UseRealTime();
  }
  for (const Index panels : {Index{2}, Index{8}}) {
    benchmark::RegisterBenchmark(("gemm_panels" + std::to_string(panels) + "/32x256x1024").c_str(),
                                 gemm_panels, Dims{32, 256, 1024}, panels)
        ->Unit(benchmark::kMicrosecond)
        ->UseRealTime();
  }
  for (const Dims d : kDims) {
    const std::string name =
        "gemm/" + std::to_string(d.m) + "x" + std::to_string(d.k) + "x" + std::to_string(d.n);
    benchmark::RegisterBenchmark(name.c_str(), gemm, d)
        ->Unit(benchmark::kMicrosecond)
        ->UseRealTime();
  }
}

}  // namespace bnlstm::bench
