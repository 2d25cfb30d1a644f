// Eigen's float matrix-product rate at the LSTM's sizes, with the library's thread count, for the
// roofline note (docs/performance.md). gemm/MxKxN is C (M, N) = A (M, K) * B (K, N), row-major
// as in the library; counter GFLOPs = 2 M K N per second.
//   32x256x1024    forward recurrent product h_{t-1} W_hh^T (batch 32, hidden 256)
//   32x1024x256    backward dh = dgates W_hh
//   32x257x1024    the reference size ([x h] W^T with input 1)
//   1024x992x256   dW_hh over 31 steps (d_rec^T h, L = 32)
//   1024x1024x1024 a large product: the machine's peak
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

void gemm(benchmark::State& state, Dims d) {
  const Matrix<float> a = Matrix<float>::Random(d.m, d.k), b = Matrix<float>::Random(d.k, d.n);
  Matrix<float> c(d.m, d.n);
  for (auto _ : state) {
    c.noalias() = a * b;
    benchmark::DoNotOptimize(c.data());
    benchmark::ClobberMemory();
  }
  state.counters["GFLOPs"] = benchmark::Counter(2.0 * double(d.m * d.k * d.n) * 1e-9,
                                                benchmark::Counter::kIsIterationInvariantRate);
}

}  // namespace

void register_gemm() {
  for (const Dims d : kDims) {
    const std::string name =
        "gemm/" + std::to_string(d.m) + "x" + std::to_string(d.k) + "x" + std::to_string(d.n);
    benchmark::RegisterBenchmark(name.c_str(), gemm, d)->Unit(benchmark::kMicrosecond)->UseRealTime();
  }
}

}  // namespace bnlstm::bench
