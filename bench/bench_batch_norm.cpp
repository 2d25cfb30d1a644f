// BatchNorm1d forward + backward in training mode, the shapes of bench/torch_bench.py:
//   batch_norm/NxC          the BatchNorm1d layer: forward (batch statistics, running-stat update,
//                           keeps a copy of x) then backward (dx, dgamma, dbeta); what
//                           torch.nn.BatchNorm1d does per call
//   batch_norm_fwd/NxC      the layer's forward only
//   batch_norm_bwd/NxC      the layer's backward only (after one forward)
//   batch_norm_kernels/NxC  the free kernels (forward_train + running stats + backward) on
//                           caller-owned buffers: the layer minus its copy of x
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
  state.counters["min_GBps"] =
      benchmark::Counter(bytes * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}

// layer forward + backward
void layer_step(benchmark::State& state, Shape s) {
  BatchNorm1d<float> bn(s.c);
  const Matrix<float> x = random_matrix(s.n, s.c, 1), dy = random_matrix(s.n, s.c, 2);
  Matrix<float> y, dx;
  // warm-up: sizes y, dx and the layer's buffers and faults their pages in
  bn.forward(x, y);
  bn.backward(dy, dx);
  double tf = 0, tb = 0;
  for (auto _ : state) {
    bn.zero_grad();
    auto t0 = std::chrono::steady_clock::now();
    bn.forward(x, y);
    auto t1 = std::chrono::steady_clock::now();
    bn.backward(dy, dx);
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
  BatchNorm1d<float> bn(s.c);
  const Matrix<float> x = random_matrix(s.n, s.c, 1);
  Matrix<float> y;
  bn.forward(x, y);  // warm-up
  for (auto _ : state) {
    bn.forward(x, y);
    benchmark::DoNotOptimize(y.data());
    benchmark::ClobberMemory();
  }
  state.counters["min_GBps"] = benchmark::Counter(2.0 * double(s.n * s.c) * sizeof(float) * 1e-9,
                                                  benchmark::Counter::kIsIterationInvariantRate);
}

// layer backward only (after one forward)
void layer_backward(benchmark::State& state, Shape s) {
  BatchNorm1d<float> bn(s.c);
  const Matrix<float> x = random_matrix(s.n, s.c, 1), dy = random_matrix(s.n, s.c, 2);
  Matrix<float> y, dx;
  bn.forward(x, y);
  bn.backward(dy, dx);  // warm-up
  for (auto _ : state) {
    bn.backward(dy, dx);
    benchmark::DoNotOptimize(dx.data());
    benchmark::ClobberMemory();
  }
  state.counters["min_GBps"] = benchmark::Counter(3.0 * double(s.n * s.c) * sizeof(float) * 1e-9,
                                                  benchmark::Counter::kIsIterationInvariantRate);
}

// kernels on caller-owned buffers
void kernels_step(benchmark::State& state, Shape s) {
  const Index N = s.n, C = s.c;
  const Matrix<float> x = random_matrix(N, C, 1), dy = random_matrix(N, C, 2);
  Matrix<float> y(N, C), dx(N, C);
  RowVector<float> gamma = RowVector<float>::Ones(C), beta = RowVector<float>::Zero(C);
  RowVector<float> dgamma(C), dbeta(C), mean(C), var(C), rstd(C);
  RowVector<float> running_mean = RowVector<float>::Zero(C), running_var = RowVector<float>::Ones(C);
  y.setZero();  // warm-up: fault the outputs' pages in
  dx.setZero();
  for (auto _ : state) {
    dgamma.setZero();
    dbeta.setZero();
    batch_norm_forward_train(y.data(), mean.data(), var.data(), rstd.data(), x.data(), gamma.data(),
                             beta.data(), N, C, Index{1}, 1e-5f);
    batch_norm_update_running_stats(running_mean.data(), running_var.data(), mean.data(),
                                    var.data(), C, N, 0.1);
    batch_norm_backward(dx.data(), dgamma.data(), dbeta.data(), dy.data(), x.data(), mean.data(),
                        rstd.data(), gamma.data(), N, C, Index{1});
    benchmark::DoNotOptimize(dx.data());
    benchmark::ClobberMemory();
  }
  set_counters(state, N, C);
}

}  // namespace

void register_batch_norm() {
  for (const Shape s : kShapes) {
    const std::string shape = std::to_string(s.n) + "x" + std::to_string(s.c);
    benchmark::RegisterBenchmark(("batch_norm/" + shape).c_str(), layer_step, s)
        ->Unit(benchmark::kMicrosecond)
        ->UseRealTime();
    benchmark::RegisterBenchmark(("batch_norm_fwd/" + shape).c_str(), layer_forward, s)
        ->Unit(benchmark::kMicrosecond)
        ->UseRealTime();
    benchmark::RegisterBenchmark(("batch_norm_bwd/" + shape).c_str(), layer_backward, s)
        ->Unit(benchmark::kMicrosecond)
        ->UseRealTime();
    benchmark::RegisterBenchmark(("batch_norm_kernels/" + shape).c_str(), kernels_step, s)
        ->Unit(benchmark::kMicrosecond)
        ->UseRealTime();
  }
}

}  // namespace bnlstm::bench
