#pragma once
// The sequence classifier: an LSTM (any norm) over the whole sequence, a Linear head on the last
// step's hidden state giving K logits; the loss is softmax cross-entropy (nn/cross_entropy.hpp).
// Defaults follow Cooijmans et al. (2016) on sequential MNIST: hidden 100, orthogonal input and
// head weights, identity recurrent weights (per gate), forget bias 1, γ = 0.1 for batch norm,
// and noise of std 0.1 on the initial hidden state during training (with a zero initial state the
// recurrent term's batch variance at the first step is 0; the noise keeps it away from 0).
//
// Shapes (row-major, time-major as the Lstm takes them):
//   x       (L*N, I)  step t of sequence n in row t*N + n
//   logits  (N, K)
#include <optional>
#include <vector>

#include "bnlstm/core/matrix_buffer.hpp"
#include "bnlstm/core/random.hpp"
#include "bnlstm/core/tensor.hpp"
#include "bnlstm/io/safetensors.hpp"
#include "bnlstm/nn/linear.hpp"
#include "bnlstm/nn/lstm.hpp"

namespace bnlstm {

struct ClassifierConfig {
  Index input_size = 28;  // I
  Index hidden_size = 100;
  Index classes = 10;  // K
  LstmNorm norm = LstmNorm::batch;
  InitScheme input_init = InitScheme::orthogonal;    // W_ih per gate, and the head's weight
  InitScheme recurrent_init = InitScheme::identity;  // W_hh per gate
  double forget_bias = 1.0;
  std::optional<double> gamma_init;  // empty: the Lstm's default (0.1 batch, 1 layer)
  double h0_noise = 0.1;             // std of N(0, σ²) noise on h_0 in training; 0 = zero state
};

template <typename T>
class SequenceClassifier {
 public:
  // Throws bnlstm::Error for sizes < 1 (classes < 2) or a negative noise.
  SequenceClassifier(const ClassifierConfig& config, Rng& rng);

  const ClassifierConfig& config() const { return config_; }
  void train(bool on = true) { lstm_.train(on); }
  void eval() { lstm_.eval(); }
  bool training() const { return lstm_.training(); }

  // x: (L*N, I) -> logits (N, K), a view valid until the next forward. In training mode with
  // h0_noise > 0 the initial hidden state is drawn from noise_rng (required then; ignored in eval,
  // where h_0 = 0).
  // Data-parallel (batch_rows > 0): x holds rows [first_row, first_row + N) of a batch of
  // batch_rows sequences; the noise is drawn for the whole batch, as one process draws it, and
  // this share's rows are used.
  ConstMatrixMap<T> forward(const Eigen::Ref<const Matrix<T>>& x, Index seq_len,
                            Rng* noise_rng = nullptr, Index first_row = 0, Index batch_rows = 0);
  // The h_0 noise draws a training forward over batch_rows sequences takes from noise_rng,
  // without the forward: a data-parallel worker whose share of the batch is empty.
  void skip_noise(Index batch_rows, Rng& noise_rng);
  // dlogits: (N, K) for the last forward; parameter gradients accumulate (+=).
  void backward(const Eigen::Ref<const Matrix<T>>& dlogits);

  // Data-parallel training: the LSTM's batch statistics combined across workers
  // (Lstm::set_stats_reducer); nullptr: local. A worker's share may then be empty.
  void set_stats_reducer(BatchStatsReducer* reducer) { lstm_.set_stats_reducer(reducer); }

  // LSTM parameters ("lstm.*"), then "head.weight", "head.bias".
  ParameterList<T> parameters();

  // Parameters and batch-norm running statistics, named as parameters() / Lstm::save_state;
  // load_state checks every tensor before changing anything (bnlstm::Error naming file and tensor).
  void save_state(TensorFile& file) const;
  void load_state(const TensorFile& file);

  // The same in memory (a best-so-far snapshot); set_state takes a State of this network's shape.
  struct State {
    std::vector<Matrix<T>> parameters;
    typename Lstm<T>::RunningState running;
  };
  void copy_state(State& to) const;
  void set_state(const State& from);

  Lstm<T>& lstm() { return lstm_; }
  Linear<T>& head() { return head_; }

 private:
  ClassifierConfig config_;
  Lstm<T> lstm_;
  Linear<T> head_;
  Index batch_ = 0, steps_ = 0;  // N and L of the last forward
  Matrix<T> h0_;                 // (N, H) noisy initial state of the last training forward
  Matrix<T> batch_noise_;        // (batch_rows, H): the whole batch's, data-parallel
  MatrixBuffer<T> logits_;       // (N, K)
  MatrixBuffer<T> dout_;         // (L*N, H) dL/d(LSTM output): only the last step's rows non-zero
};

extern template class SequenceClassifier<float>;
extern template class SequenceClassifier<double>;

}  // namespace bnlstm
