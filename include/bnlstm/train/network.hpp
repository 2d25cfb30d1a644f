#pragma once
// The forecasting network: an LSTM over the look-back window, then a Linear head from the last
// hidden state to the horizon's values. forecaster.hpp wraps it with the scaler and the data
// configuration.
//
// Shapes (row-major, time-major input as the Lstm takes it):
//   x  (L*N, I)  L = look_back steps of N windows, I = number of input columns (scaled)
//   y  (N, H)    H = horizon; level targets: scaled future values; delta targets: scaled changes
#include <string>
#include <vector>

#include "bnlstm/core/random.hpp"
#include "bnlstm/core/tensor.hpp"
#include "bnlstm/io/safetensors.hpp"
#include "bnlstm/nn/linear.hpp"
#include "bnlstm/nn/lstm.hpp"
#include "bnlstm/nn/parameter.hpp"

namespace bnlstm {

struct NetworkConfig {
  Index input_size = 1;     // I, number of input columns
  Index hidden_size = 256;  // the notebook's hidden size
  Index horizon = 1;        // H, values predicted per window
  LstmNorm norm = LstmNorm::batch;
  InitScheme init = InitScheme::xavier;  // LSTM weights and the head's weight (biases 0)
};

// The network: Lstm + Linear head on the last hidden state. T = float or double.
template <typename T>
class ForecastNetwork {
 public:
  ForecastNetwork(const NetworkConfig& config, Rng& rng);

  const NetworkConfig& config() const { return config_; }
  void train(bool on = true) { lstm_.train(on); }
  void eval() { lstm_.eval(); }
  bool training() const { return lstm_.training(); }

  // x: (L*N, I) time-major, returns y: (N, H), a view valid until the next forward.
  // Allocates nothing once a batch at least as large has been seen (MatrixBuffer).
  ConstMatrixMap<T> forward(const Eigen::Ref<const Matrix<T>>& x, Index look_back);
  // dy: (N, H) = dLoss/dy for the last forward; parameter gradients accumulate (+=).
  void backward(const Eigen::Ref<const Matrix<T>>& dy);

  // norm=batch only (nothing otherwise): replaces the running statistics by the batch statistics
  // of ONE training-mode pass over x (L*N, I), i.e. the exact statistics of these N windows
  // instead of the exponential average over mini-batches that training leaves behind
  // ("precise BN", Wu & Johnson 2021). With batches of 32 that average can be far from the
  // population: on S&P 500 daily data the eval-mode training MSE was 300x the train-mode one.
  // Parameters are unchanged; the layer is left in the mode it was in.
  void recalibrate_batch_norm(const Eigen::Ref<const Matrix<T>>& x, Index look_back);

  // Data-parallel training: the LSTM's batch statistics combined across workers (see
  // Lstm::set_stats_reducer); nullptr: local. A worker's share may then be empty.
  void set_stats_reducer(BatchStatsReducer* reducer) { lstm_.set_stats_reducer(reducer); }

  // LSTM parameters ("lstm.*") then the head ("head.weight", "head.bias").
  ParameterList<T> parameters();

  // Parameters and non-parameter state (batch-norm running statistics) as tensors named as in
  // parameters() / Lstm::save_state. load_state() throws bnlstm::Error naming the file and the
  // tensor when one is missing or has the wrong shape; nothing is changed then.
  void save_state(TensorFile& file) const;
  void load_state(const TensorFile& file);

  // The same state as values in memory: the trainer's best-epoch snapshot. Copying into the
  // same State again allocates nothing. set_state() takes a State copied from this network
  // (throws bnlstm::Error when its tensor count or shapes differ).
  struct State {
    std::vector<Matrix<T>> parameters;  // in parameters() order
    typename Lstm<T>::RunningState running;
  };
  void copy_state(State& to) const;
  void set_state(const State& from);

  Lstm<T>& lstm() { return lstm_; }
  Linear<T>& head() { return head_; }

 private:
  NetworkConfig config_;
  Lstm<T> lstm_;
  Linear<T> head_;
  Index batch_ = 0, steps_ = 0;  // N and L of the last forward
  MatrixBuffer<T> y_;            // (N, H)
  MatrixBuffer<T> dout_;         // (L*N, Hd) dL/d(LSTM output): zero except the last step's rows
};

extern template class ForecastNetwork<float>;
extern template class ForecastNetwork<double>;

}  // namespace bnlstm
