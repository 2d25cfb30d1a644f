// BatchNorm1d forward + backward in training mode, the shapes of bench/torch_bench.py:
//   batch_norm/NxC       the BatchNorm1d layer with copy_input off: forward (batch statistics,
//                        running-statistics update) then backward(x, dy, dx) giving dx, dgamma,
//                        dbeta; what torch.nn.BatchNorm1d does per call (its autograd keeps a
//                        reference to x, not a copy)
//   batch_norm_copy/NxC  the same with the layer's default copy of x
//   batch_norm_fwd/NxC   the forward only (copy_input off)
//   batch_norm_bwd/NxC   the backward only (after one forward)
// Counter min_GBps: the bytes a forward + backward must move at least (read x, write y, read dy,
// read x again, write dx: 5 (N, C) float tensors) per second, for the roofline in
// docs/performance.md.
#include <chrono>
#include <random>
#include <string>

#include "bench.hpp"
#include "bnlstm/nn/batch_norm.hpp"

namespace bnlstm::bench {
namespace {

struct Shape {
  Index n, c;
};
constexpr Shape kShapes[] = {{32, 1024}, {1024, 1024}, {4096, 256}, {65536, 64}};

Matrix<float> random_matrix(Index rows, Index cols, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  Matrix<float> m(rows, cols);
  for (Index i = 0; i < m.size(); ++i) m.data()[i] = normal(rng);
  return m;
}

void set_counters(benchmark::State& state, Index n, Index c) {
  const double bytes = 5.0 * double(n) * double(c) * sizeof(float);
  state.counters["min_GBps"] = giga_per_second(bytes);
}

// layer forward + backward; copy: the layer keeps its own copy of x (the default)
void layer_step(benchmark::State& state, Shape s, bool copy) {
  BatchNorm1d<float> bn(s.c, {.copy_input = copy});
  const Matrix<float> x = random_matrix(s.n, s.c, 1), dy = random_matrix(s.n, s.c, 2);
  Matrix<float> y, dx;
  auto backward = [&] { copy ? bn.backward(dy, dx) : bn.backward(x, dy, dx); };
  // warm-up: sizes y, dx and the layer's buffers and faults their pages in
  bn.forward(x, y);
  backward();
  double tf = 0, tb = 0;
  for (auto _ : state) {
    bn.zero_grad();
    auto t0 = std::chrono::steady_clock::now();
    bn.forward(x, y);
    auto t1 = std::chrono::steady_clock::now();
    backward();
    auto t2 = std::chrono::steady_clock::now();
    tf += std::chrono::duration<double>(t1 - t0).count();
    tb += std::chrono::duration<double>(t2 - t1).count();
    benchmark::DoNotOptimize(dx.data());
    benchmark::ClobberMemory();
  }
  set_counters(state, s.n, s.c);
  state.counters["fwd_us"] = tf / double(state.iterations()) * 1e6;
  state.counters["bwd_us"] = tb / double(state.iterations()) * 1e6;
}

// layer forward only
void layer_forward(benchmark::State& state, Shape s) {
  BatchNorm1d<float> bn(s.c, {.copy_input = false});
  const Matrix<float> x = random_matrix(s.n, s.c, 1);
  Matrix<float> y;
  bn.forward(x, y);  // warm-up
  for (auto _ : state) {
    bn.forward(x, y);
    benchmark::DoNotOptimize(y.data());
    benchmark::ClobberMemory();
  }
  state.counters["min_GBps"] = giga_per_second(2.0 * double(s.n * s.c) * sizeof(float));
}

// layer backward only (after one forward)
void layer_backward(benchmark::State& state, Shape s) {
  BatchNorm1d<float> bn(s.c, {.copy_input = false});
  const Matrix<float> x = random_matrix(s.n, s.c, 1), dy = random_matrix(s.n, s.c, 2);
  Matrix<float> y, dx;
  bn.forward(x, y);
  bn.backward(x, dy, dx);  // warm-up
  for (auto _ : state) {
    bn.backward(x, dy, dx);
    benchmark::DoNotOptimize(dx.data());
    benchmark::ClobberMemory();
  }
  state.counters["min_GBps"] = giga_per_second(3.0 * double(s.n * s.c) * sizeof(float));
}

}  // namespace

void register_batch_norm() {
  for (const Shape s : kShapes) {
    const std::string shape = std::to_string(s.n) + "x" + std::to_string(s.c);
    benchmark::RegisterBenchmark(("batch_norm/" + shape).c_str(), layer_step, s, false)
        ->Unit(benchmark::kMicrosecond)
        ->UseRealTime();
    benchmark::RegisterBenchmark(("batch_norm_copy/" + shape).c_str(), layer_step, s, true)
        ->Unit(benchmark::kMicrosecond)
        ->UseRealTime();
    benchmark::RegisterBenchmark(("batch_norm_fwd/" + shape).c_str(), layer_forward, s)
        ->Unit(benchmark::kMicrosecond)
        ->UseRealTime();
    benchmark::RegisterBenchmark(("batch_norm_bwd/" + shape).c_str(), layer_backward, s)
        ->Unit(benchmark::kMicrosecond)
        ->UseRealTime();
  }
}

}  // namespace bnlstm::bench
