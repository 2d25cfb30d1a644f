#pragma once
// A single-layer LSTM over whole sequences with backpropagation through time, in three variants
// chosen by LstmOptions::norm (equations, layouts and the notebook mapping: docs/lstm.md):
//   none  — torch.nn.LSTM exactly (gate order i, f, g, o; both biases), so its weights load 1:1;
//   batch — recurrent batch normalization (Cooijmans et al. 2016): BN on W_x x_t, on W_h h_{t-1}
//           and on c_t, statistics per time step;
//   layer — layer normalization at the same three places.
//
// Layouts (row-major):
//   x      (L*N, I)  time-major: row t*N + n is step t of sample n (torch's (L, N, I) flattened)
//   output (L*N, H)  the hidden state of every step, same row order
//   h0, c0, h_n, c_n (N, H)
//   weight_ih (4H, I), weight_hh (4H, H): rows [0,H) i, [H,2H) f, [2H,3H) g, [3H,4H) o (torch)
//   1-D parameters (biases, γ, β) are stored as one row (1, 4H) or (1, H).
//
// Speed: one input product for all steps, one recurrent product per step, gate maths fused per
// step, and every buffer kept in a MatrixBuffer: after the largest batch has been seen, forward
// and backward allocate nothing, whatever the batch size.
#include <array>
#include <optional>
#include <string>
#include <string_view>

#include "bnlstm/core/matrix_buffer.hpp"
#include "bnlstm/core/random.hpp"
#include "bnlstm/core/tensor.hpp"
#include "bnlstm/io/safetensors.hpp"
#include "bnlstm/nn/init.hpp"
#include "bnlstm/nn/parameter.hpp"
#include "bnlstm/nn/recurrent_batch_norm.hpp"

namespace bnlstm {

enum class LstmNorm { none, batch, layer };

// "none", "batch", "layer"; throws bnlstm::Error listing the valid names.
LstmNorm parse_lstm_norm(std::string_view name);
std::string to_string(LstmNorm norm);

struct LstmOptions {
  Index input_size = 1;
  Index hidden_size = 64;
  LstmNorm norm = LstmNorm::none;
  // Each gate's (H, I) / (H, H) block is initialised separately (an orthogonal W_hh is then
  // orthogonal per gate, as in Cooijmans et al.).
  InitScheme weight_ih_init = InitScheme::xavier;
  InitScheme weight_hh_init = InitScheme::xavier;
  // Initial forget-gate bias (biases start at 0 otherwise; in `none` it goes into bias_ih).
  double forget_bias = 0.0;
  // Initial γ_x, γ_h, γ_c; default 0.1 for batch (Cooijmans et al.), 1.0 for layer (Ba et al.).
  // β_c starts at 0.
  std::optional<double> gamma_init{};
  double eps = 1e-5;
  // Running-statistics momentum as torch (batch only); nullopt = cumulative average (torch None).
  std::optional<double> momentum = 0.1;
  // Parameter names are "<name>.<tensor>", e.g. "lstm.weight_ih_l0"; empty name: no prefix.
  std::string name = "lstm";
};

template <typename T>
class Lstm {
 public:
  // Throws bnlstm::Error for non-positive sizes, eps or momentum out of range.
  Lstm(const LstmOptions& options, Rng& rng);

  const LstmOptions& options() const { return options_; }
  Index input_size() const { return options_.input_size; }
  Index hidden_size() const { return options_.hidden_size; }
  LstmNorm norm() const { return options_.norm; }

  void train(bool on = true) { training_ = on; }
  void eval() { training_ = false; }
  bool training() const { return training_; }

  // x: (L*N, I) time-major (N = rows / seq_len); h0, c0: (N, H) or nullptr for zeros.
  // Returns the hidden states of every step (L*N, H); h_n(), c_n() give the final state (N, H).
  // The returned views (here and below) are valid until the next forward / backward.
  // In training mode the batch variant uses each step's batch statistics and updates that step's
  // running statistics. Throws bnlstm::Error naming the mismatching shape, or the position
  // of a NaN/inf in x, h0 or c0.
  ConstMatrixMap<T> forward(const Eigen::Ref<const Matrix<T>>& x, Index seq_len,
                            const Matrix<T>* h0 = nullptr, const Matrix<T>* c0 = nullptr);
  ConstMatrixMap<T> output() const { return out_.view(); }  // (L*N, H)
  ConstMatrixMap<T> h_n() const;                            // (N, H)
  ConstMatrixMap<T> c_n() const;                            // (N, H)

  // Backpropagation through time for the last forward. dy: (L*N, H) = dL/d(output);
  // dh_n, dc_n: (N, H) = dL/d(final state) or nullptr for zeros. Returns dL/dx (L*N, I);
  // grad_h0(), grad_c0() give dL/d(initial state) (N, H). Every parameter's grad is accumulated
  // (+=). grad_h0() is computed only when forward received h0 (pass explicit zeros to get it for
  // a zero state); after a forward with h0 = nullptr it is empty (0, H), which saves the
  // step-0 recurrent products. Backward differentiates the last forward in the mode it ran in:
  // after an eval forward the batch variant's statistics are the (constant) running ones.
  ConstMatrixMap<T> backward(const Eigen::Ref<const Matrix<T>>& dy, const Matrix<T>* dh_n = nullptr,
                             const Matrix<T>* dc_n = nullptr);
  ConstMatrixMap<T> grad_h0() const {  // (N, H), or (0, H) when forward had no h0
    return ConstMatrixMap<T>(dh_.data(), h0_given_ ? dh_.rows() : 0, dh_.cols());
  }
  ConstMatrixMap<T> grad_c0() const { return dc_.view(); }  // (N, H)

  // norm=batch: one training-mode forward over x (L*N, I) whose per-step batch statistics
  // replace the running statistics of every step (ForecastNetwork::recalibrate_batch_norm).
  // Parameters and num_batches_tracked are unchanged; the mode is kept. Nothing otherwise.
  void recalibrate_batch_norm(const Eigen::Ref<const Matrix<T>>& x, Index seq_len);

  // Data-parallel training (norm=batch; nothing otherwise): the per-step batch statistics of
  // the three batch norms are combined across workers through `reducer` (not owned; nullptr,
  // the default: local), as BatchNorm1d::set_stats_reducer describes. The input term's
  // statistics of all steps cross it in one call per forward and one per backward, the
  // recurrent and cell terms' in one call per step each. A worker's share may then hold 1
  // sequence or none (x with 0 rows): it still takes part in every call.
  void set_stats_reducer(BatchStatsReducer* reducer);

  // Parameters, in this order (value and grad keep these shapes: forward and backward throw
  // bnlstm::Error naming a parameter that was given another one):
  // none:         weight_ih_l0, weight_hh_l0, bias_ih_l0, bias_hh_l0
  // batch, layer: weight_ih_l0, weight_hh_l0, bias_l0, norm_ih.weight (γ_x), norm_hh.weight (γ_h),
  //               norm_c.weight (γ_c), norm_c.bias (β_c)
  // each prefixed with "<name>.".
  ParameterList<T> parameters();
  // f(parameter) for each of them in parameters() order, without building the list.
  template <typename F>
  void for_each_parameter(F&& f) {
    visit_parameters(*this, f);
  }
  template <typename F>
  void for_each_parameter(F&& f) const {
    visit_parameters(*this, f);
  }
  Parameter<T>& weight_ih() { return weight_ih_; }
  Parameter<T>& weight_hh() { return weight_hh_; }

  // The parameters by name (the names above, after prefix): nn/parameter_io.hpp. load_parameters
  // checks every tensor's presence, shape and values before changing any, and throws
  // bnlstm::Error naming the file and the tensor. A batch LSTM's running statistics are state,
  // not parameters: save_state / load_state below.
  void save_parameters(TensorFile& file, const std::string& prefix = "") const;
  void load_parameters(const TensorFile& file, const std::string& prefix = "");

  // Buffers that are not parameters: the batch variant's per-step running statistics as
  // <prefix><name>.norm_{ih,hh,c}.{running_mean,running_var,num_batches_tracked}, rows = steps.
  // Nothing for none/layer. Parameters: save_parameters above.
  void save_state(TensorFile& file, const std::string& prefix = "") const;
  void load_state(const TensorFile& file, const std::string& prefix = "");
  // The same as values in memory (norm_ih, norm_hh, norm_c; untouched for none/layer): copying
  // into the same RunningState again allocates nothing.
  using RunningState = std::array<typename RecurrentBatchNorm<T>::RunningState, 3>;
  void copy_running_state(RunningState& to) const;
  void set_running_state(const RunningState& from);
  // norm=none only: loads torch.nn.LSTM's state_dict tensors <prefix>weight_ih_l0, weight_hh_l0,
  // bias_ih_l0, bias_hh_l0 (float or double). Throws bnlstm::Error on a missing tensor or shape.
  void load_torch(const TensorFile& file, const std::string& prefix = "");

  // Per-step running statistics of the batch variant (nullptr otherwise).
  const RecurrentBatchNorm<T>* norm_ih() const { return bn_x_ ? &*bn_x_ : nullptr; }
  const RecurrentBatchNorm<T>* norm_hh() const { return bn_h_ ? &*bn_h_ : nullptr; }
  const RecurrentBatchNorm<T>* norm_c() const { return bn_c_ ? &*bn_c_ : nullptr; }

 private:
  template <typename Self, typename F>
  static void visit_parameters(Self& self, F& f) {
    f(self.weight_ih_);
    f(self.weight_hh_);
    f(self.bias_ih_);
    if (self.options_.norm == LstmNorm::none) {
      f(self.bias_hh_);
      return;
    }
    f(self.gamma_x_);
    f(self.gamma_h_);
    f(self.gamma_c_);
    f(self.beta_c_);
  }
  void check_parameter_shapes(bool grads) const;  // throws naming a misshapen parameter
  void resize_buffers(Index L, Index N);
  void project_inputs(Index L, Index N);  // xw_ -> gate inputs for all steps
  void step_forward(Index t, Index N);
  void step_backward(Index t, Index N, const Eigen::Ref<const Matrix<T>>& dy);
  std::string full_name(const std::string& tensor) const;

  LstmOptions options_;
  bool training_ = true;
  Parameter<T> weight_ih_, weight_hh_;
  Parameter<T> bias_ih_, bias_hh_;  // none: both torch biases; batch/layer: bias_ih_ is b
  Parameter<T> gamma_x_, gamma_h_, gamma_c_, beta_c_;
  std::optional<RecurrentBatchNorm<T>> bn_x_, bn_h_, bn_c_;

  // Forward state of the last call (kept for backward).
  Index L_ = 0, N_ = 0;
  bool forward_trained_ = false;
  bool recalibrating_ = false;  // forward runs recalibrate_batch_norm's pass
  bool h0_zero_ = true;   // the initial hidden state is all zeros (step 0 has no W_hh h_0 term)
  bool h0_given_ = false;  // forward received h0: backward computes dL/dh_0
  MatrixBuffer<T> x_;            // (L*N, I) copy of the input
  MatrixBuffer<T> h0_, c0_;      // (N, H)
  MatrixBuffer<T> xw_;           // (L*N, 4H) x W_ih^T (batch/layer: before normalization)
  MatrixBuffer<T> hw_;           // (L*N, 4H) h_{t-1} W_hh^T before normalization (batch/layer)
  MatrixBuffer<T> gates_;        // (L*N, 4H) activated gates σ(i), σ(f), tanh(g), σ(o)
  MatrixBuffer<T> c_;            // (L*N, H) cell states before normalization
  MatrixBuffer<T> tc_;           // (L*N, H) tanh of the (normalized) cell state
  MatrixBuffer<T> out_;          // (L*N, H) hidden states
  Vector<T> ln_mean_x_, ln_rstd_x_, ln_mean_h_, ln_rstd_h_, ln_mean_c_, ln_rstd_c_;  // (L*N)
  Matrix<T> bias_sum_;           // (1, 4H)
  MatrixBuffer<T> step_g_;       // (N, 4H) scratch: normalized W_h h_{t-1}
  MatrixBuffer<T> step_c_;       // (N, H) scratch: normalized c_t / its gradient

  // Backward buffers.
  MatrixBuffer<T> dgates_;       // (L*N, 4H) dL/d(gate pre-activations)
  MatrixBuffer<T> dhw_, dxw_;    // (L*N, 4H) dL/d(W_h h), dL/d(W_x x) before normalization
  MatrixBuffer<T> dx_;           // (L*N, I)
  MatrixBuffer<T> dh_, dc_;      // (N, H) dL/dh_t, dL/dc_t while stepping back; then of step 0
  MatrixBuffer<T> dtmp_;         // (N, H) scratch

  // W_hh packed once per forward (for h W_hh^T) and once per backward (for da W_hh), and the
  // per-product packed left operand: src/nn/packed_weight.hpp.
  Vector<T> packed_hh_t_, packed_hh_, packed_rhs_;
};

extern template class Lstm<float>;
extern template class Lstm<double>;

}  // namespace bnlstm
