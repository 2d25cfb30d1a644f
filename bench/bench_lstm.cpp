// One training step of the forecasting network (LSTM + Linear head on the last hidden state,
// MSE, plain SGD), batch 32, input 1, hidden 256, as bench/torch_bench.py's lstm_step cases:
//   lstm_step/none/L{1,32}   vs torch.nn.LSTM
//   lstm_step/batch/L{1,32}  vs the Cooijmans BN-LSTM built from torch ops (per-step BatchNorm1d)
//   lstm_step/layer/L{1,32}  layer-normalized variant (no torch counterpart in the table)
// A step is zero_grad, forward, loss, dloss, backward, SGD update, the same work on both sides.
// Counter GFLOPs: the step's matrix-product flops (forward, dh and dW products) per second.
#include <random>
#include <string>

#include "bench.hpp"
#include "bnlstm/nn/loss.hpp"
#include "bnlstm/optim/sgd.hpp"
#include "bnlstm/train/network.hpp"

namespace bnlstm::bench {
namespace {

constexpr Index kBatch = 32, kInput = 1, kHidden = 256;

// Matrix-product flops of one step with a zero initial state: per step the input projection,
// from step 1 on the recurrent product and its two backward products, plus the head.
double step_flops(Index L) {
  const double N = kBatch, I = kInput, H = kHidden, G = 4 * H;
  const double input = 3 * 2 * L * N * I * G;            // x W_ih^T, dW_ih, dx
  const double recurrent = 3 * 2 * (L - 1) * N * H * G;  // h W_hh^T, dh, dW_hh
  return input + recurrent + 3 * 2 * N * H;              // head
}

void lstm_step(benchmark::State& state, LstmNorm norm, Index L) {
  Rng rng(0);
  NetworkConfig config;
  config.input_size = kInput;
  config.hidden_size = kHidden;
  config.horizon = 1;
  config.norm = norm;
  ForecastNetwork<float> net(config, rng);
  net.train();
  SGD<float> sgd(net.parameters(), SGDOptions{.lr = 1e-3});
  std::normal_distribution<float> normal(0.0f, 1.0f);
  Matrix<float> x(L * kBatch, kInput), y(kBatch, 1), dy;
  for (Index i = 0; i < x.size(); ++i) x.data()[i] = normal(rng);
  for (Index i = 0; i < y.size(); ++i) y.data()[i] = normal(rng);
  auto step = [&] {
    sgd.zero_grad();
    const ConstMatrixMap<float> pred = net.forward(x, L);
    benchmark::DoNotOptimize(mse_loss<float>(pred, y));
    mse_loss_backward(dy, pred, y);
    net.backward(dy);
    sgd.step();
  };
  step();  // warm-up: the first step sizes every buffer
  for (auto _ : state) {
    step();
    benchmark::ClobberMemory();
  }
  state.counters["GFLOPs"] = giga_per_second(step_flops(L));
}

}  // namespace

void register_lstm() {
  for (const LstmNorm norm : {LstmNorm::none, LstmNorm::batch, LstmNorm::layer}) {
    for (const Index L : {Index{1}, Index{32}}) {
      const std::string name = "lstm_step/" + to_string(norm) + "/L" + std::to_string(L);
      benchmark::RegisterBenchmark(name.c_str(), lstm_step, norm, L)
          ->Unit(benchmark::kMicrosecond)
          ->UseRealTime();
    }
  }
}

}  // namespace bnlstm::bench
